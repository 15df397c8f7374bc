#!/bin/sh
# sdk.example_builds: docs/examples/answer_calls.c compiles and links
# against the INSTALLED SDK, found through pkg-config, as an app
# developer would build it.
#
# Usage: sdk_example_builds.sh BUILD-DIR SOURCE-DIR [CC] [EXTRA-CFLAGS]
#
# The build is installed (cmake --install) into a temporary prefix; the
# example is compiled with $(pkg-config --cflags --libs lianluo) and
# PKG_CONFIG_PATH=<prefix>/lib/pkgconfig, under -Werror, and then run
# without arguments: it must load the installed library and print its
# usage (exit 2).
#
# Copyright (C) 2026 The lianluo authors

set -u

build=$1
src=$2
cc=${3:-cc}
extra=${4:-}

fail() {
	echo "FAIL: $*"
	exit 1
}

tmp=$(mktemp -d "${TMPDIR:-/tmp}/ll-example.XXXXXX") || fail "mktemp"
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' INT TERM
prefix=$tmp/prefix

if ! cmake --install "$build" --prefix "$prefix" >"$tmp/install.log" 2>&1
then
	cat "$tmp/install.log"
	fail "cmake --install $build --prefix $prefix failed"
fi

[ -f "$prefix/include/lianluo/lianluo.h" ] ||
	fail "the install has no include/lianluo/lianluo.h"

pcdir=$prefix/lib/pkgconfig
if [ ! -f "$pcdir/lianluo.pc" ]; then
	# a multiarch libdir (lib/x86_64-linux-gnu) is fine too
	pc=$(find "$prefix" -name lianluo.pc | head -n 1)
	[ -n "$pc" ] || fail "the install has no lianluo.pc: $(cd "$prefix" &&
		find . -type f | tr '\n' ' ')"
	pcdir=$(dirname "$pc")
fi

pc() {
	PKG_CONFIG_PATH=$pcdir pkg-config "$@" lianluo
}

flags=$(pc --cflags --libs) ||
	fail "pkg-config --cflags --libs lianluo failed (PKG_CONFIG_PATH=$pcdir)"
echo "pkg-config --cflags --libs lianluo: $flags"
define=
case "$flags" in
*"$prefix"*) ;;
*)
	# lianluo.pc names the prefix configured at build time, not the one
	# given to cmake --install; pkgconf can relocate it from where the
	# file is.  Said out loud, since a relocatable .pc would not need it.
	echo "NOTE: lianluo.pc is not relocatable (its prefix is not" \
		"$prefix); using pkg-config --define-prefix"
	define=--define-prefix
	flags=$(pc --define-prefix --cflags --libs) ||
		fail "pkg-config --define-prefix --cflags --libs lianluo failed"
	echo "pkg-config --define-prefix --cflags --libs lianluo: $flags"
	case "$flags" in
	*"$prefix"*) ;;
	*) fail "the flags do not point into the prefix $prefix: $flags" ;;
	esac
	;;
esac

# shellcheck disable=SC2086  # the flags are words
if ! "$cc" -std=c11 -Wall -Wextra -Wpedantic -Werror $extra \
	-o "$tmp/answer_calls" "$src/docs/examples/answer_calls.c" \
	$flags -pthread >"$tmp/cc.log" 2>&1
then
	cat "$tmp/cc.log"
	fail "the example does not compile against the installed SDK"
fi

# shellcheck disable=SC2086  # empty or one option
libdir=$(pc $define --variable=libdir)
LD_LIBRARY_PATH=$libdir "$tmp/answer_calls" >"$tmp/run.log" 2>&1
rc=$?
if [ "$rc" -ne 2 ] || ! grep -q '^usage:' "$tmp/run.log"; then
	cat "$tmp/run.log"
	fail "the example exited $rc without its usage line (expected 2)"
fi

echo "PASS: the example builds and runs against $prefix"
