#!/usr/bin/env bash
# The GPU session's one command.  Builds the cuda backend (unless binaries built elsewhere were
# carried into build-gpu/), runs every claimed operation against the model on the GPU, at level 1
# and exhaustively, and writes
#   reports/cuda/check-level1.{txt,json}      numconf_cuda_check's table and JSON report, level 1
#   reports/cuda/check-exhaustive.{txt,json}  the same, exhaustive (all 2^32 where the issue asks)
#   reports/cuda/check-backend.{txt,json}     `numconf check --backend cuda --level exhaustive`,
#                                             where that numconf was built
#   reports/cuda/test.txt                     cuda_backend_test (default tier), where it was built
#   reports/cuda/sass.txt                     conversion instructions in the kernels' SASS
#   vectors/observed/<gpu>-<driver>-<cuda>/   the GPU's outputs on the level-1 operands, as vector
#                                             files (vectors/README.md): commit them
# Exit status 0 only if every check matched.
#
#   scripts/gpu.sh                 on the GPU machine
#   scripts/gpu.sh --build-only    on a machine with the project's dependencies and nvcc (no GPU
#                                  needed): builds build-gpu/ to carry to a GPU machine without them
#   NUMCONF_CUDA_FILTER=TEXT       only the operations whose name contains TEXT
#   NUMCONF_CUDA_EXHAUSTIVE=0      level 1 only (the exhaustive sweeps are 2^32 cases each, about
#                                  120 of them: split them with the filter to fit a time limit)
set -euo pipefail
cd "$(dirname "$0")/.."

nvcc=${CUDACXX:-$(command -v nvcc || echo /usr/local/cuda/bin/nvcc)}
build="build-gpu"
out=reports/cuda
check=$build/hw/cuda/numconf_cuda_check
filter=(--filter "${NUMCONF_CUDA_FILTER:-}")

build_with_cmake() {
  cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release -DNUMCONF_BUILD_BENCH=OFF \
    -DCMAKE_CUDA_COMPILER="$nvcc" &&
    cmake --build "$build" -j"$(nproc)" --target numconf numconf_cuda_check cuda_backend_test
}

# The checker alone, with nvcc and the C++ library only (a GPU machine without Boost, fmt,
# CLI11 or GoogleTest).
build_with_nvcc() {
  local version
  version=$(sed -n 's/^project(numconf VERSION \([0-9.]*\).*/\1/p' CMakeLists.txt)
  mkdir -p "$build/hw/cuda"
  "$nvcc" -std=c++20 -O3 -arch=sm_90 --expt-relaxed-constexpr -I. \
    -DNUMCONF_VERSION="\"$version\"" hw/cuda/kernels.cu hw/cuda/claims.cpp \
    hw/cuda/cuda_backend.cpp hw/cuda/level1.cpp hw/cuda/cuda_check.cpp hw/recording.cpp \
    -o "$check"
}

if [[ ${1:-} == --build-only ]]; then
  build_with_cmake
  exit
fi

[[ -x $check ]] || build_with_cmake || build_with_nvcc
mkdir -p "$out"
if command -v cuobjdump >/dev/null; then
  cuobjdump -sass "$check" | grep -oE '\b(F2F|F2FP|F2I|I2F|FRND)[.A-Z0-9_]*' | sort | uniq -c \
    >"$out/sass.txt" || true
fi

status=0
"$check" "${filter[@]}" --level 1 --report "$out/check-level1.json" --observed vectors/observed |
  tee "$out/check-level1.txt" || status=$?
if ((status == 2)); then
  echo "scripts/gpu.sh: stopped: the cuda backend cannot run here (see above)" >&2
  exit 2
fi
if [[ ${NUMCONF_CUDA_EXHAUSTIVE:-1} != 0 ]]; then
  "$check" "${filter[@]}" --level exhaustive --report "$out/check-exhaustive.json" |
    tee "$out/check-exhaustive.txt" || status=1
fi
if [[ -x $build/tests/cuda_backend_test ]]; then
  "$build/tests/cuda_backend_test" | tee "$out/test.txt" || status=1
fi
numconf=$build/tools/numconf
if [[ ${NUMCONF_CUDA_EXHAUSTIVE:-1} != 0 && -x $numconf ]] &&
  "$numconf" check --help 2>&1 | grep -- --backend >/dev/null; then
  "$numconf" check --backend cuda --level exhaustive --report "$out/check-backend.json" |
    tee "$out/check-backend.txt" || status=1
fi
exit $status
