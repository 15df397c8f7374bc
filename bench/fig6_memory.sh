#!/bin/sh
# Figure 6: server memory.  lianluod's VmRSS (/proc/PID/status) on a fresh
# start, after M agents (10,000; 200 with --quick) are created, logged in
# and registered, and while N calls (600, placed at 40/s, below figure 1's
# sustained rate; 30 with --quick) are held up
# (caller -> queue -> agent, RTP both ways): KiB per agent and per call.
# Also agentsim's own RSS per agent, which says whether 10,000 agents fit.
# Prints ROW lines (bench/lib.sh).
set -u
. "$(dirname "$0")/lib.sh"
trap cleanup EXIT
trap 'exit 130' INT TERM

if [ "$LL_BENCH_QUICK" = 1 ]; then
	M=200; N=30; RATE=30
else
	M=10000; N=600; RATE=40
fi
# every call is up between N/RATE s and HOLD s after the first
HOLD_MS=$((N * 1000 / RATE * 2 + 4000))

start_lianluod fig6 || exit 1
sleep 1
r0=$(rss_kb "$LD_PID")
a0=0
start_agentsim fig6-agents --sip "$LD_SIP" --agents $M \
	--api "http://$LD_HTTP" --data "$LD_DATA/data" --create bench \
	--inflight 32 --duration 900 || exit 1
sleep 1
r1=$(rss_kb "$LD_PID")
a1=$(rss_kb "$AS_PID")

CG_LOG="$LL_BENCH_WORK/fig6-callgen.log"
"$LL_BENCH_BIN/callgen" --server "$LD_SIP" --to 4001 --rate $RATE \
	--calls $N --duration 600 --length $HOLD_MS --setup-timeout 10000 \
	>"$CG_LOG" 2>&1 &
CG_PID=$!
track $CG_PID
# sample when every call is up: after the last INVITE plus a margin
sleep $(((N / RATE) + 2 + (HOLD_MS / 1000 - N / RATE) / 4))
r2=$(rss_kb "$LD_PID")
wait $CG_PID
good=$(kv "$CG_LOG" "callgen " good)

per_agent=$(awk -v a="$r0" -v b="$r1" -v m="$M" \
	'BEGIN { printf "%.2f", (b - a) / m }')
per_call=$(awk -v a="$r1" -v b="$r2" -v n="$N" \
	'BEGIN { printf "%.1f", (b - a) / n }')
sim=$(awk -v a="$a0" -v b="$a1" -v m="$M" \
	'BEGIN { printf "%.2f", (b - a) / m }')
note "fig6: lianluod RSS $r0 -> $r1 KiB ($M agents) -> $r2 KiB" \
	"($good of $N calls held); agentsim $a1 KiB"
row "6. lianluod RSS per registered agent ($M)" "$per_agent KiB" \
	"-" "-" "-"
row "6. lianluod RSS per active call ($N)" "$per_call KiB" "-" "-" "-"
row "6. (agentsim RSS per simulated agent)" "$sim KiB" "-" "-" "-"
[ "${good:-0}" = "$N" ]
