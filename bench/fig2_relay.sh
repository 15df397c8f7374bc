#!/bin/sh
# Figure 2: concurrent calls with media relayed.  lianluod's relay,
# rtpengine (userspace, over its ng protocol) and a bare recvmmsg/
# sendmmsg relay on one core under the same two-way G.711 load
# (bench/media_bench.py; docs/PERFORMANCE.md).  Prints ROW lines.
set -u
. "$(dirname "$0")/lib.sh"

quick=""
[ "$LL_BENCH_QUICK" = 1 ] && quick="--quick"
# shellcheck disable=SC2086  # empty or one option
python3 "$BENCH_DIR/media_bench.py" $quick --bin "$LL_BENCH_BIN"
