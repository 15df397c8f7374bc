#!/bin/sh
# Build the benchmarks (Release) and run them.  Each prints its figures as
# a ratio against a reference measured in the same run.
set -eu
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
cmake -S . -B build-bench -DCMAKE_BUILD_TYPE=Release -DLL_BUILD_BENCH=ON \
	-DLL_BUILD_TESTS=OFF >/dev/null
cmake --build build-bench -j "$(nproc)" --target relay_bench
./build-bench/relay_bench "$@"
