// Compilation switches shared by every header of the model.
#pragma once

// Every model function is usable from host code and from CUDA device code.
#if defined(__CUDACC__)
#define NUMCONF_HD __host__ __device__
#else
#define NUMCONF_HD
#endif
