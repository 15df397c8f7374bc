#!/bin/sh
# Figure 1: calls per second.  The highest rate at which every call of a
# run succeeds (number -> queue -> ACD -> agent -> bridge -> RTP echo ->
# hang up -> CDR), through lianluod and, with the same callgen and
# agentsim, through Kamailio as a plain stateful proxy (bench/kamailio.cfg):
# lianluod/Kamailio.  Once with SIP over UDP on both sides, once with SIP
# over TCP on both sides.  Prints ROW lines (bench/lib.sh).
set -u
. "$(dirname "$0")/lib.sh"
trap cleanup EXIT
trap 'exit 130' INT TERM

if [ "$LL_BENCH_QUICK" = 1 ]; then
	PROBE_S=2; START=5; MAX=20; AGENTS=200; CONFIRM_S=0
else
	PROBE_S=8; START=100; MAX=3200; AGENTS=2000; CONFIRM_S=35
fi
LEN_MS=2000
LOG="$LL_BENCH_WORK/fig1.log"

# probe TARGET TCPFLAG RATE SECONDS: 0 when no call failed.  Each probe
# starts its server and agents afresh: an overloaded server does not
# recover within seconds (retransmissions pile up), which would spoil
# the probes after it.
probe() {
	start_$1 "$2" || return 1
	out=$("$LL_BENCH_BIN/callgen" --server "$P_ADDR" --to "$P_TO" \
		--users "$P_USERS" $2 --rate "$3" --duration "$4" \
		--calls $(($3 * $4)) --length $LEN_MS --setup-timeout 5000 \
		--quiet 2>>"$LOG")
	cleanup
	echo "$1 probe $3/s ${4}s: $out" >>"$LOG"
	failed=$(echo "$out" | tr ' ' '\n' | sed -n 's/^failed=//p')
	good=$(echo "$out" | tr ' ' '\n' | sed -n 's/^good=//p')
	[ "${failed:-1}" = 0 ] && [ "${good:-0}" -gt 0 ]
}

# search TARGET TCPFLAG: prints the highest zero-fail rate found
search() {
	trap cleanup EXIT
	trap 'exit 130' INT TERM
	lo=0
	hi=0
	r=$START
	while [ $r -le $MAX ]; do
		if probe "$1" "$2" $r $PROBE_S; then
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
			if probe "$1" "$2" $mid $PROBE_S; then
				lo=$mid
			else
				hi=$mid
			fi
		done
	fi
	# Sustained: a run longer than the 32 s that UDP transactions
	# linger, so that their timers reach their steady number; on a
	# failure 30 % less, until one passes (or 0: none did).
	n=0
	while [ "$CONFIRM_S" -gt 0 ] && [ $lo -gt 0 ]; do
		if probe "$1" "$2" $lo $CONFIRM_S; then
			break
		fi
		n=$((n + 1))
		lo=$((lo * 70 / 100))
		[ $n -lt 5 ] || lo=0
	done
	echo $lo
}

# The staff are created once, into a data directory each probe copies;
# with no registration in it, which would outlive its agentsim.
make_template() {
	start_lianluod fig1-template || return 1
	"$LL_BENCH_BIN/agentsim" --sip "$LD_SIP" --agents $AGENTS \
		--api "http://$LD_HTTP" --data "$LD_DATA/data" --create bench \
		--create-only >"$LL_BENCH_WORK/fig1-template.log" 2>&1 ||
		return 1
	cleanup
	TEMPLATE="$LD_DATA/data"
}

start_lianluod_probe() {
	start_lianluod fig1-probe "$TEMPLATE" || return 1
	start_agentsim fig1-probe-agents --sip "$LD_SIP" --agents $AGENTS \
		--api "http://$LD_HTTP" --data "$LD_DATA/data" \
		--duration 3600 $1 || return 1
	P_ADDR=$LD_SIP
	P_TO=4001
	P_USERS=0
}

start_kamailio_probe() {
	K_PORT=$(free_port)
	mkdir -p "$LL_BENCH_WORK/kamailio"
	kamailio -DD -E -f "$BENCH_DIR/kamailio.cfg" \
		-l "udp:127.0.0.1:$K_PORT" -l "tcp:127.0.0.1:$K_PORT" \
		-m 512 -M 16 -Y "$LL_BENCH_WORK/kamailio" \
		>"$LL_BENCH_WORK/kamailio.log" 2>&1 &
	track $!
	sleep 1
	start_agentsim fig1-kam-agents --sip "127.0.0.1:$K_PORT" \
		--agents $AGENTS --prefix k --duration 3600 $1 || return 1
	P_ADDR="127.0.0.1:$K_PORT"
	P_TO=k
	P_USERS=$AGENTS
}

if ! command -v kamailio >/dev/null; then
	note "fig1: kamailio not installed (scripts/install-deps.sh)"
	exit 1
fi

make_template || exit 1
rc=0
for tp in udp tcp; do
	flag=""
	[ $tp = tcp ] && flag=--tcp
	L=$(search lianluod_probe "$flag")
	echo "lianluod $tp: $L calls/s" >>"$LOG"
	K=$(search kamailio_probe "$flag")
	echo "kamailio $tp: $K calls/s" >>"$LOG"
	ratio=$(awk -v l="$L" -v k="$K" 'BEGIN {
		if (k > 0) printf "%.2f", l / k; else print "-" }')
	TP=$(echo $tp | tr a-z A-Z)
	row "1. calls/s zero-fail, SIP/$TP" "$L/s" "$K/s Kamailio" \
		"$ratio" ">= 0.5"
	[ "$L" -gt 0 ] && [ "$K" -gt 0 ] || rc=1
done
exit $rc
