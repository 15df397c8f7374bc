#!/bin/sh
# Build the libFuzzer harnesses (fuzz/README.md) with clang in a build
# directory of their own and run each for SECONDS (default 10) from its
# seed corpus, several at once.  Prints one line per harness,
#   fuzz_sip: 123456 runs, 0 crashes
# and exits non-zero if any harness crashed, leaked, hung, ran out of
# memory or hit UndefinedBehaviorSanitizer (the report and the input are
# kept in BUILD/fuzz-out/NAME/).
#   fuzz/run.sh [SECONDS]
#   LL_FUZZ_BUILD=DIR   build directory (default build-fuzz)
#   LL_FUZZ_JOBS=N      harnesses at once (default: the number of CPUs)
set -eu
cd "$(dirname "$0")/.."

secs=${1:-10}
build=${LL_FUZZ_BUILD:-build-fuzz}
jobs=${LL_FUZZ_JOBS:-$(nproc)}
fuzzers="sip sdp api token status ivr config wav"

if ! command -v clang >/dev/null 2>&1; then
	echo "fuzz: clang not found (scripts/install-deps.sh installs it)"
	exit 1
fi

mkdir -p "$build"
if ! cmake -S . -B "$build" -DCMAKE_C_COMPILER=clang \
	-DCMAKE_BUILD_TYPE=RelWithDebInfo -DLL_BUILD_FUZZ=ON \
	-DLL_BUILD_TESTS=OFF -DLL_WERROR=ON >"$build/build.log" 2>&1 ||
   ! cmake --build "$build" -j "$(nproc)" --target fuzz \
	>>"$build/build.log" 2>&1; then
	tail -n 30 "$build/build.log"
	echo "fuzz: build failed"
	exit 1
fi

# run_one NAME: a fresh corpus directory, the seeds read from fuzz/corpus
run_one() {
	out="$build/fuzz-out/$1"
	rm -rf "$out"
	mkdir -p "$out/corpus"
	rc=0
	UBSAN_OPTIONS=print_stacktrace=1 \
	"$build/fuzz/fuzz_$1" -max_total_time="$secs" -timeout=10 \
		-rss_limit_mb=2048 -print_final_stats=1 \
		-artifact_prefix="$out/" "$out/corpus" "fuzz/corpus/$1" \
		>"$out/log" 2>&1 || rc=$?
	echo "$rc" >"$out/rc"
}

set -- $fuzzers
while [ $# -gt 0 ]; do
	n=0
	while [ $# -gt 0 ] && [ "$n" -lt "$jobs" ]; do
		run_one "$1" &
		shift
		n=$((n + 1))
	done
	wait
done

bad=0
for f in $fuzzers; do
	out="$build/fuzz-out/$f"
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$out/log" |
	       tail -n 1)
	crashes=$(find "$out" -maxdepth 1 -type f \( -name 'crash-*' \
		  -o -name 'leak-*' -o -name 'timeout-*' \
		  -o -name 'oom-*' \) | wc -l)
	if [ "$(cat "$out/rc")" != "0" ] && [ "$crashes" = "0" ]; then
		crashes=1
	fi
	echo "fuzz_$f: ${runs:-0} runs, $crashes crashes"
	if [ "$crashes" != "0" ]; then
		bad=1
		grep -a -E -A 30 'ERROR: |runtime error|SUMMARY' "$out/log" |
			head -n 40 | sed "s/^/fuzz_$f| /"
		ls "$out" | grep -E '^(crash|leak|timeout|oom)-' |
			sed "s#^#fuzz_$f| input: $out/#"
	fi
done

exit "$bad"
