#!/bin/sh
# Figure 3: routing on a large site.  The ACD's decisions with 1k, 10k
# and 100k agents (1k and 10k with --quick) in 50 skill groups and 2,000
# waiting callers, against a linear scan of the same members
# (bench/route_bench.c; docs/PERFORMANCE.md).  Prints ROW lines.
set -u
. "$(dirname "$0")/lib.sh"

quick=""
[ "$LL_BENCH_QUICK" = 1 ] && quick="--quick"
# shellcheck disable=SC2086  # empty or one option
"$LL_BENCH_BIN/route_bench" $quick
