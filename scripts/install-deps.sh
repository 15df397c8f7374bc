#!/bin/sh
# Install the Debian packages lianluo needs to build, run and test.
# Idempotent: does nothing when every package is already present.
set -eu

PKGS="build-essential cmake pkg-config
libre-dev librem-dev libopus-dev libsqlite3-dev libssl-dev
libcmocka-dev baresip-core sox python3 sqlite3 procps
libasound2-dev strace iproute2 kamailio
clang libclang-rt-dev"
# kamailio: the reference SIP proxy of bench/run (figure 1), which runs it
# in the foreground with its own config; the system service is not used.

missing=""
for p in $PKGS; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
	     grep -q "install ok installed"; then
		missing="$missing $p"
	fi
done

if [ -z "$missing" ]; then
	exit 0
fi

echo "install-deps: installing:$missing"
SUDO=""
if [ "$(id -u)" != "0" ]; then
	SUDO="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null

# Debian's kamailio package enables and starts kamailio.service (the
# sample config on port 5060) where systemd runs; in a container without
# systemd invoke-rc.d starts nothing.  The benchmarks start their own, so
# leave no system daemon behind.
case " $missing " in
*" kamailio "*)
	if [ -d /run/systemd/system ] && command -v systemctl >/dev/null; then
		$SUDO systemctl disable --now kamailio.service >/dev/null 2>&1 ||
			true
	fi ;;
esac
