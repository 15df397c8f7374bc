#!/bin/sh
# Install what is missing, build, and run the test suite on two builds: a
# plain one (the unit tests, the docs and SDK checks, and a smoke set of
# end-to-end tests), then one with AddressSanitizer and
# UndefinedBehaviorSanitizer (every test: the end-to-end tests drive
# lianluod and the SDK through real calls, where the sanitizers see the
# most); then each fuzzer of fuzz/ for 10 s (fuzz/run.sh, a clang build),
# one test per fuzzer.  Between the two builds, bench/run --quick (one
# test) on the plain build.  The last line is "N passed, N failed" over all of
# them.  Running every end-to-end test twice would not fit CI's time.
#   LL_SANITIZE=0 scripts/test.sh   the plain build only, every test
#   LL_SANITIZE=1 scripts/test.sh   the sanitizer build only
#   LL_FUZZ=0 scripts/test.sh       no fuzzing
set -eu
cd "$(dirname "$0")/.."

./scripts/install-deps.sh

passed=0
failed=0

# The end-to-end tests the plain build runs beside the unit tests
SMOKE='^(unit|sdk|docs)\.|^e2e\.(inbound_call|outbound_call|sdk_inbound|sdk_outbound|queue|restart|ring_all)$'

# run_suite BUILD_DIR CTEST_REGEX [CMAKE OPTIONS...]   ("" runs all)
run_suite() {
	build=$1
	only=$2
	shift 2
	cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
		-DLL_WERROR=ON "$@" >/dev/null
	cmake --build "$build" -j "$(nproc)"

	(cd "$build" && ctest --output-on-failure -j 2 ${only:+-R "$only"}) \
		>"$build/ctest.log" 2>&1 || true
	cat "$build/ctest.log"

	summary=$(grep -E '^[0-9]+% tests passed' "$build/ctest.log" |
		tail -n 1)
	if [ -z "$summary" ]; then
		echo "$build: ctest did not run"
		failed=$((failed + 1))
		return
	fi
	total=$(echo "$summary" | sed -E 's/.* out of ([0-9]+).*/\1/')
	bad=$(echo "$summary" | sed -E 's/.*, ([0-9]+) tests failed.*/\1/')
	passed=$((passed + total - bad))
	failed=$((failed + bad))
}

# Each line "fuzz_NAME: N runs, C crashes" of fuzz/run.sh is one test,
# passed when C is 0; no such line at all (the build failed) is a failure.
run_fuzz() {
	out=$(./fuzz/run.sh 10 2>&1) || true
	echo "$out"

	all=$(echo "$out" | grep -cE '^fuzz_[a-z]+: [0-9]+ runs, ' || true)
	ok=$(echo "$out" | grep -cE '^fuzz_[a-z]+: [0-9]+ runs, 0 crashes$' ||
	     true)
	if [ "$all" = "0" ]; then
		echo "fuzz: no fuzzer ran"
		failed=$((failed + 1))
		return
	fi
	passed=$((passed + ok))
	failed=$((failed + all - ok))
}

# bench/run --quick on the plain build (built with the load tools): the
# benchmarks' smoke run, one test; it checks that every tool works and
# judges no speed (docs/PERFORMANCE.md).
run_bench() {
	if LL_BENCH_BUILD=build LL_BENCH_PREBUILT=1 ./bench/run --quick; then
		echo "bench: passed"
		passed=$((passed + 1))
	else
		echo "bench: FAILED"
		failed=$((failed + 1))
	fi
}

case "${LL_SANITIZE:-both}" in
0)	run_suite build "" -DLL_BUILD_BENCH=ON
	run_bench ;;
1)	run_suite build-asan "" -DLL_SANITIZE=ON ;;
*)	run_suite build "$SMOKE" -DLL_BUILD_BENCH=ON
	run_bench
	run_suite build-asan "" -DLL_SANITIZE=ON ;;
esac

if [ "${LL_FUZZ:-1}" != "0" ]; then
	run_fuzz
fi

echo "$passed passed, $failed failed"
[ "$failed" = "0" ]
