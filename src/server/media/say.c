/**
 * @file media/say.c  Announcements as sequences of prompt names (English)
 *
 * Copyright (C) 2026 The lianluo authors
 *
 * A sentence is said by playing small recordings one after the other:
 * "you-are-number" "twelve" "in-the-queue".  This file only chooses the
 * names; the recordings are prompts/en/NAME.wav (scripts/gen-prompts.sh)
 * and the player joins them.  Numbers are said in full, the American way
 * without "and": 105 is "one hundred five", up to 4294967295.
 */
#include <re.h>
#include "common/media_sdp.h"
#include "media/media.h"


static const char * const small[20] = {
	"zero", "one", "two", "three", "four", "five", "six", "seven",
	"eight", "nine", "ten", "eleven", "twelve", "thirteen", "fourteen",
	"fifteen", "sixteen", "seventeen", "eighteen", "nineteen",
};

static const char * const tens[10] = {
	NULL, NULL, "twenty", "thirty", "forty", "fifty", "sixty",
	"seventy", "eighty", "ninety",
};

/* Every name this file may return, for loading them all at start-up. */
const char * const say_prompt_names[] = {
	"zero", "one", "two", "three", "four", "five", "six", "seven",
	"eight", "nine", "ten", "eleven", "twelve", "thirteen", "fourteen",
	"fifteen", "sixteen", "seventeen", "eighteen", "nineteen",
	"twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty",
	"ninety", "hundred", "thousand", "million", "billion",
	"you-are-number", "in-the-queue", "your-estimated-wait-is",
	"minute", "minutes", "less-than-one-minute",
};

const size_t say_prompt_namec = ARRAY_SIZE(say_prompt_names);

struct sentence {
	const char **namev;
	size_t max;
	size_t n;
	bool full;
};


static void add(struct sentence *s, const char *name)
{
	if (s->n < s->max)
		s->namev[s->n++] = name;
	else
		s->full = true;
}


/* 1..999 */
static void add_hundreds(struct sentence *s, uint32_t n)
{
	if (n >= 100) {
		add(s, small[n / 100]);
		add(s, "hundred");
		n %= 100;
	}

	if (n >= 20) {
		add(s, tens[n / 10]);
		n %= 10;
	}

	if (n)
		add(s, small[n]);
}


static void add_number(struct sentence *s, uint32_t n)
{
	static const struct {
		uint32_t value;
		const char *name;
	} scale[] = {
		{1000000000u, "billion"},
		{1000000u,    "million"},
		{1000u,       "thousand"},
	};

	if (!n) {
		add(s, "zero");
		return;
	}

	for (size_t i = 0; i < ARRAY_SIZE(scale); i++) {
		if (n < scale[i].value)
			continue;

		add_hundreds(s, n / scale[i].value);
		add(s, scale[i].name);
		n %= scale[i].value;
	}

	if (n)
		add_hundreds(s, n);
}


/**
 * The prompt names that say a number.
 *
 * @param namev  Returned names (static strings)
 * @param max    Size of namev
 * @param n      Number
 *
 * @return number of names, 0 when max is too small
 */
size_t say_number(const char **namev, size_t max, uint32_t n)
{
	struct sentence s = {namev, max, 0, false};

	if (!namev)
		return 0;

	add_number(&s, n);

	return s.full ? 0 : s.n;
}


/**
 * "You are number POS in the queue. Your estimated wait is M minutes."
 * The wait is rounded to the nearest minute; below one minute it is "less
 * than one minute", and with ewt_s UINT32_MAX (no estimate, e.g. nobody
 * to answer) the second sentence is left out.
 *
 * @param namev  Returned names (static strings)
 * @param max    Size of namev (SAY_MAX always suffices)
 * @param pos    Position in the queue, 1 = next
 * @param ewt_s  Estimated wait in seconds, or UINT32_MAX
 *
 * @return number of names, 0 when max is too small
 */
size_t say_queue_position(const char **namev, size_t max, uint32_t pos,
			  uint32_t ewt_s)
{
	struct sentence s = {namev, max, 0, false};

	if (!namev)
		return 0;

	add(&s, "you-are-number");
	add_number(&s, pos);
	add(&s, "in-the-queue");

	if (ewt_s != UINT32_MAX) {
		uint32_t min = (uint32_t)(((uint64_t)ewt_s + 30) / 60);

		add(&s, "your-estimated-wait-is");
		if (ewt_s < 60) {
			add(&s, "less-than-one-minute");
		}
		else if (min == 1) {
			add(&s, "one");
			add(&s, "minute");
		}
		else {
			add_number(&s, min);
			add(&s, "minutes");
		}
	}

	return s.full ? 0 : s.n;
}
