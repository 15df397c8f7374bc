#!/bin/sh
# Install what is missing, build, and start lianluod on var/lianluo with a
# demo skill group, service number and agent.  Ctrl-C stops the server.
set -eu
cd "$(dirname "$0")/.."

./scripts/install-deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j "$(nproc)"

data=${LIANLUO_DATA:-var/lianluo}
sip=${LIANLUO_SIP:-127.0.0.1:5060}
http=${LIANLUO_HTTP:-127.0.0.1:8080}
mkdir -p "$(dirname "$data")"

./build/lianluod --data "$data" --sip "$sip" --http "$http" "$@" &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null' INT TERM EXIT

for _ in $(seq 1 50); do
	if [ -f "$data/credentials.json" ] &&
	   ./build/lianluoctl --data "$data" status >/dev/null 2>&1; then
		break
	fi
	sleep 0.2
done

ctl() { ./build/lianluoctl --data "$data" "$@"; }

# Provision once; a second start finds everything in the store.
if ! ctl skill-group list | grep -q demo; then
	ctl skill-group create --name demo --ring-timeout 20
	ctl number create --number 4001 --skill-group demo
	ctl staff create --user agent1 --name "Demo Agent" \
		--extension 1001 --password demo-1001 --skill-group demo
fi

cat <<MSG

lianluod is running (pid $pid) on sip:$sip and http://$http
Data and API credentials: $data/credentials.json

Next:
  - register a SIP phone as 1001 / password demo-1001 at sip:$sip
  - call sip:4001@$sip from another phone: it rings agent 1001
  - ./build/lianluoctl --data $data status      agents and calls
  - ./build/lianluoctl --data $data cdr list    call records
  - ./build/lianluoctl --data $data token create --user agent1
                                                an SDK login token
Ctrl-C stops the server.
MSG

wait $pid
