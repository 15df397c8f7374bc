#!/bin/sh
# Figure 4: login storm.  N agents (5,000; 200 with --quick) log in as the
# SDK does, all at once with 32 in flight: a token from
# POST /v1/sdk-login-tokens beforehand, then token -> POST /v1/login ->
# REGISTER (digest, SIP over UDP like the SDK) -> 200, timed per agent.
# Also shows how fast the staff were created through POST /v1/staff.
# Prints ROW lines (bench/lib.sh).
set -u
. "$(dirname "$0")/lib.sh"
trap cleanup EXIT
trap 'exit 130' INT TERM

N=5000
[ "$LL_BENCH_QUICK" = 1 ] && N=200

start_lianluod fig4 || exit 1
start_agentsim fig4-agents --sip "$LD_SIP" --agents $N \
	--api "http://$LD_HTTP" --data "$LD_DATA/data" --create bench \
	--inflight 32 --duration 600 || exit 1

ok=$(kv "$AS_LOG" "agentsim phase=login" ok)
rate=$(kv "$AS_LOG" "agentsim phase=login" per_s)
p50=$(kv "$AS_LOG" "agentsim phase=login" p50_ms)
p99=$(kv "$AS_LOG" "agentsim phase=login" p99_ms)
create=$(kv "$AS_LOG" "agentsim phase=create" per_s)
row "4. login storm, $N agents: logins/s" "$rate/s" "-" "-" "-"
row "4. login storm: p50 / p99 latency" "$p50 / $p99 ms" "-" "-" "-"
row "4. (staff created through POST /v1/staff)" "$create/s" "-" "-" "-"
[ "$ok" = "$N" ]
