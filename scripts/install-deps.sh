#!/bin/sh
# Install the Debian packages lianluo needs to build, run and test.
# Idempotent: does nothing when every package is already present.
set -eu

PKGS="build-essential cmake pkg-config
libre-dev librem-dev libopus-dev libsqlite3-dev libssl-dev
libcmocka-dev baresip-core sox python3 sqlite3 procps
libasound2-dev strace iproute2 tcpdump
clang libclang-rt-dev"

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
