# Shell helpers of the benchmarks, sourced by bench/run and bench/fig*.sh.
#
# Environment they expect (bench/run sets it):
#   LL_BENCH_BIN   build directory with lianluod, lianluoctl, callgen, agentsim
#   LL_BENCH_WORK  scratch directory of this run
#   LL_BENCH_QUICK 1 for the smoke run (bench/run --quick), else 0
#
# A benchmark reports each figure as one line on stdout:
#   ROW|<figure>|<lianluo>|<reference>|<ratio>|<target>
# (fields free text without '|'; "-" when a field does not apply).
# bench/run collects these lines from every bench/fig*.sh into its table.

BENCH_DIR=${BENCH_DIR:-$(cd "$(dirname "$0")" && pwd)}
BENCH_PIDS=""

row() {
	printf 'ROW|%s|%s|%s|%s|%s\n' "$1" "$2" "$3" "$4" "$5"
}

note() {
	printf '%s\n' "$*" >&2
}

free_port() {
	python3 -c 'import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", 0))
p = s.getsockname()[1]
t = socket.socket()
t.bind(("127.0.0.1", p))
print(p)'
}

# Remember a process we started, so that cleanup ends it (by PID only).
track() {
	BENCH_PIDS="$BENCH_PIDS $1"
}

stop_pid() {
	if [ -n "$1" ] && kill -0 "$1" 2>/dev/null; then
		kill "$1" 2>/dev/null || true
		i=0
		while kill -0 "$1" 2>/dev/null && [ $i -lt 50 ]; do
			sleep 0.1
			i=$((i + 1))
		done
		kill -9 "$1" 2>/dev/null || true
	fi
	wait "$1" 2>/dev/null || true
}

cleanup() {
	for p in $BENCH_PIDS; do
		stop_pid "$p"
	done
	BENCH_PIDS=""
}

healthy() {
	python3 -c 'import sys, urllib.request
urllib.request.urlopen("http://%s/healthz" % sys.argv[1], timeout=1)' \
		"$1" >/dev/null 2>&1
}

# VmRSS of a process in KiB.
rss_kb() {
	awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"
}

# Wait until FILE has a line matching PATTERN, at most SECONDS.
wait_line() {
	i=0
	while [ $i -lt $(($3 * 10)) ]; do
		if grep -q "$2" "$1" 2>/dev/null; then
			return 0
		fi
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}

# key=value from the last line of FILE that starts with PREFIX.
kv() {
	grep "^$2" "$1" | tail -1 | tr ' ' '\n' | sed -n "s/^$3=//p"
}

# start_lianluod NAME [TEMPLATE]: a fresh server in $LL_BENCH_WORK/NAME
# with a skill group "bench" and service number 4001, or on a copy of the
# data directory TEMPLATE (a stopped server's, made so before); sets
# LD_PID, LD_SIP, LD_HTTP, LD_DATA.
start_lianluod() {
	LD_DATA="$LL_BENCH_WORK/$1"
	rm -rf "$LD_DATA"
	mkdir -p "$LD_DATA"
	if [ -n "${2:-}" ]; then
		cp -a "$2" "$LD_DATA/data"
	fi
	LD_SIP="127.0.0.1:$(free_port)"
	LD_HTTP="127.0.0.1:$(free_port)"
	"$LL_BENCH_BIN/lianluod" --data "$LD_DATA/data" --sip "$LD_SIP" \
		--http "$LD_HTTP" --config "$BENCH_DIR/lianluod-bench.conf" \
		>"$LD_DATA/lianluod.log" 2>&1 &
	LD_PID=$!
	track "$LD_PID"
	i=0
	until healthy "$LD_HTTP"; do
		i=$((i + 1))
		if [ $i -gt 100 ] || ! kill -0 "$LD_PID" 2>/dev/null; then
			note "lianluod did not start: $LD_DATA/lianluod.log"
			return 1
		fi
		sleep 0.1
	done
	[ -z "${2:-}" ] || return 0
	"$LL_BENCH_BIN/lianluoctl" --data "$LD_DATA/data" skill-group create \
		--name bench >/dev/null &&
	"$LL_BENCH_BIN/lianluoctl" --data "$LD_DATA/data" number create \
		--number 4001 --skill-group bench >/dev/null
}

# start_agentsim NAME ARGS...: in the background, output to
# $LL_BENCH_WORK/NAME.log; waits for "agentsim ready"; sets AS_PID, AS_LOG.
start_agentsim() {
	AS_LOG="$LL_BENCH_WORK/$1.log"
	shift
	"$LL_BENCH_BIN/agentsim" "$@" >"$AS_LOG" 2>&1 &
	AS_PID=$!
	track "$AS_PID"
	if ! wait_line "$AS_LOG" "^agentsim ready" 120; then
		note "agentsim did not get ready: $AS_LOG"
		return 1
	fi
}
