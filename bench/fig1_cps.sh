#!/bin/sh
# Figure 1: calls per second.  The highest rate at which every call of a
# run succeeds (number -> queue -> ACD -> agent -> bridge -> RTP echo ->
# hang up -> CDR), through lianluod and, with the same callgen and
# agentsim, through Kamailio as a plain stateful proxy (bench/kamailio.cfg):
# lianluod/Kamailio.  Once with SIP over UDP on both sides, once with SIP
# over TCP on both sides.  Prints ROW lines (bench/lib.sh).
set -u
. "$(dirname "$0")/lib.sh"
trap cleanup EXIT INT TERM

if [ "$LL_BENCH_QUICK" = 1 ]; then
	PROBE_S=2; START=10; MAX=40; AGENTS=200; CONFIRM_S=0
else
	PROBE_S=10; START=50; MAX=4000; AGENTS=2000; CONFIRM_S=40
fi
LEN_MS=2000
LOG="$LL_BENCH_WORK/fig1.log"

# probe ADDR TO USERS TCPFLAG RATE SECONDS: 0 when no call failed
probe() {
	out=$("$LL_BENCH_BIN/callgen" --server "$1" --to "$2" --users "$3" \
		$4 --rate "$5" --duration "$6" --calls $(($5 * $6)) \
		--length $LEN_MS --setup-timeout 5000 --quiet 2>>"$LOG")
	echo "probe $5/s ${6}s: $out" >>"$LOG"
	failed=$(echo "$out" | tr ' ' '\n' | sed -n 's/^failed=//p')
	good=$(echo "$out" | tr ' ' '\n' | sed -n 's/^good=//p')
	[ "${failed:-1}" = 0 ] && [ "${good:-0}" -gt 0 ]
}

# search ADDR TO USERS TCPFLAG: prints the highest zero-fail rate found
search() {
	lo=0
	hi=0
	r=$START
	while [ $r -le $MAX ]; do
		if probe "$1" "$2" "$3" "$4" $r $PROBE_S; then
			lo=$r
			r=$((r * 2))
		else
			hi=$r
			break
		fi
	done
	if [ $hi -gt 0 ] && [ "$LL_BENCH_QUICK" != 1 ]; then
		while [ $((hi - lo)) -gt $((lo / 10 + 2)) ]; do
			mid=$(((lo + hi) / 2))
			if probe "$1" "$2" "$3" "$4" $mid $PROBE_S; then
				lo=$mid
			else
				hi=$mid
			fi
		done
	fi
	# sustained: longer than the 32 s that UDP transactions linger
	n=0
	while [ "$CONFIRM_S" -gt 0 ] && [ $lo -gt 0 ] && [ $n -lt 3 ]; do
		if probe "$1" "$2" "$3" "$4" $lo $CONFIRM_S; then
			break
		fi
		lo=$((lo * 85 / 100))
		n=$((n + 1))
	done
	echo $lo
}

run_lianluod() {
	start_lianluod "fig1-$1" || return 1
	start_agentsim "fig1-$1-agents" --sip "$LD_SIP" --agents $AGENTS \
		--api "http://$LD_HTTP" --data "$LD_DATA/data" --create bench \
		--duration 3600 $2 || return 1
	echo "lianluod $1:" >>"$LOG"
	L=$(search "$LD_SIP" 4001 0 "$2")
	cdrs=$("$LL_BENCH_BIN/lianluoctl" --data "$LD_DATA/data" --json \
		cdr list 2>/dev/null | grep -o '"end_status"' | wc -l)
	echo "lianluod $1: $L calls/s; CDRs listed: $cdrs" >>"$LOG"
	cleanup
}

run_kamailio() {
	K_PORT=$(free_port)
	mkdir -p "$LL_BENCH_WORK/kamailio-$1"
	kamailio -DD -E -f "$BENCH_DIR/kamailio.cfg" \
		-l "udp:127.0.0.1:$K_PORT" -l "tcp:127.0.0.1:$K_PORT" \
		-m 512 -M 16 -Y "$LL_BENCH_WORK/kamailio-$1" \
		>"$LL_BENCH_WORK/kamailio-$1.log" 2>&1 &
	track $!
	sleep 1
	start_agentsim "fig1-kam-$1-agents" --sip "127.0.0.1:$K_PORT" \
		--agents $AGENTS --prefix k --duration 3600 $2 || return 1
	echo "kamailio $1:" >>"$LOG"
	K=$(search "127.0.0.1:$K_PORT" k $AGENTS "$2")
	echo "kamailio $1: $K calls/s" >>"$LOG"
	cleanup
}

if ! command -v kamailio >/dev/null; then
	note "fig1: kamailio not installed (scripts/install-deps.sh)"
	exit 1
fi

rc=0
for tp in udp tcp; do
	flag=""
	[ $tp = tcp ] && flag=--tcp
	L=0
	K=0
	run_lianluod $tp "$flag" || rc=1
	run_kamailio $tp "$flag" || rc=1
	ratio=$(awk -v l="$L" -v k="$K" 'BEGIN {
		if (k > 0) printf "%.2f", l / k; else print "-" }')
	TP=$(echo $tp | tr a-z A-Z)
	row "1. calls/s zero-fail, SIP/$TP" "$L/s" "$K/s Kamailio" \
		"$ratio" ">= 0.5"
	[ "$L" -gt 0 ] && [ "$K" -gt 0 ] || rc=1
done
exit $rc
