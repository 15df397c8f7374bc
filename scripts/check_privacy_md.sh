#!/bin/sh
# docs/PRIVACY.md must be what scripts/gen_privacy_md.sh generates, so that
# the published disclosure and the SDK's cannot drift.
#   scripts/check_privacy_md.sh BUILD/lianluo-agent SOURCE_DIR
set -eu

agent=${1:?agent}
src=${2:?source dir}
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT

sh "$src/scripts/gen_privacy_md.sh" "$agent" > "$tmp"
if ! cmp -s "$tmp" "$src/docs/PRIVACY.md"; then
	echo "docs/PRIVACY.md is out of date; regenerate it with" >&2
	echo "  cmake --build BUILD --target privacy-doc" >&2
	diff -u "$src/docs/PRIVACY.md" "$tmp" | head -40 >&2 || true
	exit 1
fi
echo "docs/PRIVACY.md matches the SDK's disclosure"
