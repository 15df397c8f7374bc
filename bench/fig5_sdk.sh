#!/bin/sh
# Figure 5: SDK weight.  lianluo-agent (liblianluo) and baresip as the
# agent of the same Opus call through lianluod: CPU per call and RSS;
# the SDK's idle logged-in RSS (bench/sdk_bench.py; docs/PERFORMANCE.md).
# Prints ROW lines.
set -u
. "$(dirname "$0")/lib.sh"

quick=""
[ "$LL_BENCH_QUICK" = 1 ] && quick="--quick"
# shellcheck disable=SC2086  # empty or one option
python3 "$BENCH_DIR/sdk_bench.py" $quick --bin "$LL_BENCH_BIN"
