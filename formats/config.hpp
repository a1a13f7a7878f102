// Compilation switches shared by every header of the model.
#pragma once

// Every model function is usable from host code and from CUDA device code.
#if defined(__CUDACC__)
#define NUMCONF_HD __host__ __device__
#else
#define NUMCONF_HD
#endif

// For the few hot functions of the rounder and the arithmetic (a handful of lines each): inlined
// at every call, so a constexpr format or policy folds into the caller's code.  GCC otherwise
// keeps the rounder out of line, where every format property is recomputed at run time.
#define NUMCONF_INLINE __attribute__((always_inline)) inline

// For the general paths of operations whose inlined fast path covers the common case: kept out
// of line, so each call site holds only the fast path and one call.
#define NUMCONF_NOINLINE __attribute__((noinline))
