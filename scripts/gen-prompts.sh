#!/bin/sh
# Regenerate the English announcement prompts in prompts/en/ with
# espeak-ng and sox (Debian packages; needed only to regenerate, never at
# build or test time: the WAV files are committed).
#
# Each prompt is 8 kHz mono 16-bit PCM, silence trimmed at both ends and
# a short pause kept after it, so that prompts joined into a sentence
# ("you-are-number" "twelve" "in-the-queue") sound like one.  The file
# name is the name the server asks for (src/server/media/say.c).
#
# Usage: scripts/gen-prompts.sh [OUTDIR]   (default: prompts/en)
set -eu

out=${1:-$(dirname "$0")/../prompts/en}
voice=${LL_PROMPT_VOICE:-en-us}
speed=${LL_PROMPT_SPEED:-190}

for tool in espeak-ng sox; do
	command -v "$tool" >/dev/null || {
		echo "gen-prompts: $tool is missing (apt-get install $tool)" >&2
		exit 1
	}
done

mkdir -p "$out"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# name|text
prompts='zero|zero
one|one
two|two
three|three
four|four
five|five
six|six
seven|seven
eight|eight
nine|nine
ten|ten
eleven|eleven
twelve|twelve
thirteen|thirteen
fourteen|fourteen
fifteen|fifteen
sixteen|sixteen
seventeen|seventeen
eighteen|eighteen
nineteen|nineteen
twenty|twenty
thirty|thirty
forty|forty
fifty|fifty
sixty|sixty
seventy|seventy
eighty|eighty
ninety|ninety
hundred|hundred
thousand|thousand
million|million
billion|billion
you-are-number|You are number
in-the-queue|in the queue.
your-estimated-wait-is|Your estimated wait is
minute|minute.
minutes|minutes.
less-than-one-minute|less than one minute.'

echo "$prompts" | while IFS='|' read -r name text; do
	espeak-ng -v "$voice" -s "$speed" -w "$tmp/raw.wav" "$text"
	# -D: no dither, so that the same espeak-ng gives the same bytes.
	# silence 1 ... reverse silence 1 ... reverse: trim both ends.
	sox -D "$tmp/raw.wav" -r 8000 -c 1 -b 16 -e signed-integer \
	    "$out/$name.wav" \
	    silence 1 0.01 1% reverse silence 1 0.01 1% reverse \
	    norm -6 pad 0 0.05
done

echo "gen-prompts: $(ls "$out"/*.wav | wc -l) prompts in $out," \
     "$(cat "$out"/*.wav | wc -c) bytes"
