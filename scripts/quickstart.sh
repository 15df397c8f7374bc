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
sip_tls=${LIANLUO_SIP_TLS:-127.0.0.1:5061}
https=${LIANLUO_HTTPS:-127.0.0.1:8443}
mkdir -p "$(dirname "$data")"

# The default, encrypted configuration: the API over HTTPS, SIP over TLS
# and SRTP for the SDK (lianluoctl pins the certificate credentials.json
# names); plain SIP for desk phones.
./build/lianluod --data "$data" --sip "$sip" --sip-tls "$sip_tls" \
	--https "$https" "$@" &
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

# What the SDK needs: the application and the certificate to pin.
field() { sed -n "s/.*\"$1\": \"\\(.*\\)\".*/\\1/p" "$data/credentials.json"; }
app=$(field sdk_app_id)
cert=$(field cert_sha256)

cat <<MSG

lianluod is running (pid $pid): sip:$sip (desk phones),
sip:$sip_tls;transport=tls (the SDK) and https://$https (the API)
Data, API credentials and the certificate's SHA-256: $data/credentials.json

Next:
  - register a SIP phone as 1001 / password demo-1001 at sip:$sip
  - call sip:4001@$sip from another phone: it rings agent 1001
  - ./build/lianluoctl --data $data status      agents and calls
  - ./build/lianluoctl --data $data cdr list    call records
  - ./build/lianluoctl --data $data token create --user agent1
                                                an SDK login token, for
    ./build/lianluo-agent --server https://$https --cert-sha256 $cert \\
        --app $app --user agent1 --token TOKEN --consent granted
                                                the SDK's workstation:
                                                HTTPS, SIP/TLS and SRTP
Ctrl-C stops the server.
MSG

wait $pid
