#!/bin/sh
# Install the Debian packages lianluo needs to build, run and test.
# Idempotent: does nothing when every package is already present.
set -eu

PKGS="build-essential cmake pkg-config
libre-dev librem-dev libopus-dev libsqlite3-dev libssl-dev
libcmocka-dev baresip-core sox python3 sqlite3 procps
libasound2-dev strace iproute2 tcpdump kamailio
clang libclang-rt-dev
rtpengine-daemon"
# tcpdump: e2e.capture_encrypted records what the SDK sends on lo.
# kamailio, rtpengine-daemon: the references of bench/run (figures 1 and
# 2), run in the foreground with their own configs; no system service.

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

# rtpengine-daemon and kamailio are only references of the benchmarks,
# which run the binaries in the foreground.  Their packages start a
# service through invoke-rc.d unless policy-rc.d forbids it (exit 101):
# forbid it for this install where nothing does already, so no daemon is
# left running.
POLICY=/usr/sbin/policy-rc.d
policy_added=""
if [ ! -e "$POLICY" ]; then
	printf '#!/bin/sh\nexit 101\n' | $SUDO tee "$POLICY" >/dev/null
	$SUDO chmod 755 "$POLICY"
	policy_added=yes
fi
cleanup() {
	if [ -n "$policy_added" ]; then
		$SUDO rm -f "$POLICY"
	fi
}
trap cleanup EXIT

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
