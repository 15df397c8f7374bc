#!/bin/sh
# Install what is missing, build, and run the whole test suite.
# The last line is "N passed, N failed".
#   LL_SANITIZE=1 scripts/test.sh   builds and tests with ASan+UBSan
set -eu
cd "$(dirname "$0")/.."

./scripts/install-deps.sh

build=build
opts=""
if [ "${LL_SANITIZE:-0}" = "1" ]; then
	build=build-asan
	opts="-DLL_SANITIZE=ON"
fi

# shellcheck disable=SC2086
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DLL_WERROR=ON \
	$opts >/dev/null
cmake --build "$build" -j "$(nproc)"

set +e
(cd "$build" && ctest --output-on-failure -j 2 ${CTEST_ARGS:-}) |
	tee "$build/ctest.log"
status=$?
set -e

summary=$(grep -E '^[0-9]+% tests passed' "$build/ctest.log" | tail -n 1)
total=$(echo "$summary" | sed -E 's/.* out of ([0-9]+).*/\1/')
failed=$(echo "$summary" | sed -E 's/.*, ([0-9]+) tests failed.*/\1/')
if [ -z "$summary" ]; then
	echo "0 passed, 1 failed"
	exit 1
fi
echo "$((total - failed)) passed, $failed failed"
[ "$failed" = "0" ] && [ "$status" = "0" ]
