/**
 * @file test_ivr.c  IVR menu specs, digit collection, in-band DTMF
 *
 * Copyright (C) 2026 The lianluo authors
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <string.h>
#include <math.h>
#include <stdlib.h>
#include <cmocka.h>
#include <re.h>
#include <rem.h>
#include "ivr/ivr.h"


static const char *spec_main =
	"{\"prompt\":\"welcome\",\"timeout_s\":4,\"max_tries\":2,"
	"\"invalid_prompt\":\"invalid\","
	"\"options\":{\"1\":{\"group\":\"sales\",\"priority\":5},"
	"\"2\":{\"menu\":\"billing\"},\"0\":{\"hangup\":true},"
	"\"#\":{\"group\":\"support\"}},"
	"\"fallback\":\"1\"}";


static int decode(struct ivr_menu *m, const char *json, char *err,
		  size_t sz)
{
	return ivr_menu_decode(m, json, strlen(json), err, sz);
}


static void test_menu_valid(void **state)
{
	struct ivr_menu m;
	const struct ivr_option *o;
	char err[IVR_ERR_SZ];

	(void)state;

	assert_int_equal(0, decode(&m, spec_main, err, sizeof(err)));
	assert_string_equal(m.prompt, "welcome");
	assert_string_equal(m.invalid_prompt, "invalid");
	assert_int_equal(m.timeout_s, 4);
	assert_int_equal(m.max_tries, 2);
	assert_int_equal(m.fallback, '1');
	assert_int_equal(m.optc, 4);

	o = ivr_menu_option(&m, '1');
	assert_non_null(o);
	assert_int_equal(o->action, IVR_ACT_GROUP);
	assert_string_equal(o->target, "sales");
	assert_int_equal(o->priority, 5);

	o = ivr_menu_option(&m, '2');
	assert_non_null(o);
	assert_int_equal(o->action, IVR_ACT_MENU);
	assert_string_equal(o->target, "billing");

	o = ivr_menu_option(&m, '0');
	assert_non_null(o);
	assert_int_equal(o->action, IVR_ACT_HANGUP);

	o = ivr_menu_option(&m, '#');
	assert_non_null(o);
	assert_int_equal(o->priority, -1);   /* the number's */

	assert_null(ivr_menu_option(&m, '3'));
	assert_null(ivr_menu_option(&m, 0));

	/* the minimum: defaults for the rest */
	assert_int_equal(0, decode(&m, "{\"prompt\":\"p-1_x\",\"options\":"
				   "{\"*\":{\"hangup\":true}}}", err,
				   sizeof(err)));
	assert_int_equal(m.timeout_s, 5);
	assert_int_equal(m.max_tries, 3);
	assert_int_equal(m.fallback, 0);
	assert_string_equal(m.invalid_prompt, "");
}


/* The canonical form the API stores decodes to the same menu. */
static void test_menu_encode_round_trip(void **state)
{
	struct ivr_menu m, m2;
	char err[IVR_ERR_SZ], buf[IVR_SPEC_MAX + 1];
	int n;

	(void)state;

	assert_int_equal(0, decode(&m, spec_main, err, sizeof(err)));
	n = re_snprintf(buf, sizeof(buf), "%H", ivr_menu_encode, &m);
	assert_true(n > 0);
	assert_int_equal(0, decode(&m2, buf, err, sizeof(err)));
	assert_memory_equal(&m, &m2, sizeof(m));

	/* group names are JSON-escaped on the way out */
	assert_int_equal(0, decode(&m, "{\"prompt\":\"a\",\"options\":"
				   "{\"1\":{\"group\":\"q\\\"x\\\\\"}}}",
				   err, sizeof(err)));
	assert_string_equal(m.optv[0].target, "q\"x\\");
	n = re_snprintf(buf, sizeof(buf), "%H", ivr_menu_encode, &m);
	assert_true(n > 0);
	assert_int_equal(0, decode(&m2, buf, err, sizeof(err)));
	assert_string_equal(m2.optv[0].target, "q\"x\\");
}


/* Each wrong field is refused with a message that names it. */
static void test_menu_invalid_fields(void **state)
{
	static const struct {
		const char *json;
		const char *msg;      /* a part of the message */
	} v[] = {
		{"{\"options\":{\"1\":{\"hangup\":true}}}", "prompt"},
		{"{\"prompt\":\"a\"}", "options"},
		{"{\"prompt\":\"a\",\"options\":{}}", "options"},
		{"{\"prompt\":\"a\",\"options\":[]}", "options"},
		{"{\"prompt\":7,\"options\":{\"1\":{\"hangup\":true}}}",
		 "prompt"},
		{"{\"prompt\":\"\",\"options\":{\"1\":{\"hangup\":true}}}",
		 "prompt"},
		{"{\"prompt\":\"a\",\"timeout_s\":0,"
		 "\"options\":{\"1\":{\"hangup\":true}}}", "timeout_s"},
		{"{\"prompt\":\"a\",\"timeout_s\":61,"
		 "\"options\":{\"1\":{\"hangup\":true}}}", "timeout_s"},
		{"{\"prompt\":\"a\",\"timeout_s\":2.5,"
		 "\"options\":{\"1\":{\"hangup\":true}}}", "timeout_s"},
		{"{\"prompt\":\"a\",\"timeout_s\":\"5\","
		 "\"options\":{\"1\":{\"hangup\":true}}}", "timeout_s"},
		{"{\"prompt\":\"a\",\"max_tries\":0,"
		 "\"options\":{\"1\":{\"hangup\":true}}}", "max_tries"},
		{"{\"prompt\":\"a\",\"max_tries\":10,"
		 "\"options\":{\"1\":{\"hangup\":true}}}", "max_tries"},
		{"{\"prompt\":\"a\",\"max_tries\":-1,"
		 "\"options\":{\"1\":{\"hangup\":true}}}", "max_tries"},
		{"{\"prompt\":\"a\",\"fallback\":\"5\","
		 "\"options\":{\"1\":{\"hangup\":true}}}", "fallback"},
		{"{\"prompt\":\"a\",\"fallback\":\"12\","
		 "\"options\":{\"1\":{\"hangup\":true}}}", "fallback"},
		{"{\"prompt\":\"a\",\"options\":{\"10\":{\"hangup\":true}}}",
		 "keys"},
		{"{\"prompt\":\"a\",\"options\":{\"a\":{\"hangup\":true}}}",
		 "keys"},
		{"{\"prompt\":\"a\",\"options\":{\"\":{\"hangup\":true}}}",
		 "keys"},
		{"{\"prompt\":\"a\",\"options\":{\"1\":\"sales\"}}",
		 "object"},
		{"{\"prompt\":\"a\",\"options\":{\"1\":{}}}", "exactly one"},
		{"{\"prompt\":\"a\",\"options\":{\"1\":{\"group\":\"s\","
		 "\"menu\":\"m\"}}}", "exactly one"},
		{"{\"prompt\":\"a\",\"options\":{\"1\":{\"hangup\":false}}}",
		 "hangup"},
		{"{\"prompt\":\"a\",\"options\":{\"1\":{\"group\":\"\"}}}",
		 "group"},
		{"{\"prompt\":\"a\",\"options\":{\"1\":{\"group\":\"a/b\"}}}",
		 "group"},
		{"{\"prompt\":\"a\",\"options\":{\"1\":{\"menu\":3}}}",
		 "menu"},
		{"{\"prompt\":\"a\",\"options\":{\"1\":{\"group\":\"s\","
		 "\"priority\":101}}}", "priority"},
		{"{\"prompt\":\"a\",\"options\":{\"1\":{\"group\":\"s\","
		 "\"priority\":-3}}}", "priority"},
		{"{\"prompt\":\"a\",\"options\":{\"1\":{\"menu\":\"m\","
		 "\"priority\":3}}}", "priority"},
		{"{\"prompt\":\"a\",\"options\":{\"1\":{\"group\":\"s\","
		 "\"queue\":\"x\"}}}", "unknown field 'queue'"},
		{"{\"prompt\":\"a\",\"timout_s\":3,"
		 "\"options\":{\"1\":{\"hangup\":true}}}",
		 "unknown field 'timout_s'"},
		{"{\"prompt\":\"a\",\"prompt\":\"b\","
		 "\"options\":{\"1\":{\"hangup\":true}}}", "twice"},
		{"{\"prompt\":\"a\",\"options\":{\"1\":{\"hangup\":true},"
		 "\"1\":{\"group\":\"s\"}}}", "twice"},
	};
	struct ivr_menu m;
	char err[IVR_ERR_SZ];
	size_t i;

	(void)state;

	for (i = 0; i < ARRAY_SIZE(v); i++) {
		int e = decode(&m, v[i].json, err, sizeof(err));

		if (e != EINVAL || !strstr(err, v[i].msg))
			fail_msg("spec %zu (%s): err %d, message '%s', "
				 "expected '%s'", i, v[i].json, e, err,
				 v[i].msg);
	}
}


/* Prompt names are file names: nothing that leaves the directory. */
static void test_menu_prompt_traversal(void **state)
{
	static const char *namev[] = {
		"../../etc/passwd", "..", "a/b", "/etc/shadow", "a\\\\b",
		"welcome.wav", ".hidden", "a b", "\\u002e\\u002e",
		"%2e%2e", "a\\u0000b",
		"0123456789012345678901234567890123456789"
		"0123456789012345678901234",   /* 65 characters */
	};
	struct ivr_menu m;
	char err[IVR_ERR_SZ], json[256];
	size_t i;

	(void)state;

	for (i = 0; i < ARRAY_SIZE(namev); i++) {
		(void)re_snprintf(json, sizeof(json), "{\"prompt\":\"%s\","
				  "\"options\":{\"1\":{\"hangup\":true}}}",
				  namev[i]);
		assert_int_equal(EINVAL, decode(&m, json, err, sizeof(err)));
		assert_true(strstr(err, "no path") || strstr(err, "NUL"));

		(void)re_snprintf(json, sizeof(json), "{\"prompt\":\"a\","
				  "\"invalid_prompt\":\"%s\","
				  "\"options\":{\"1\":{\"hangup\":true}}}",
				  namev[i]);
		assert_int_equal(EINVAL, decode(&m, json, err, sizeof(err)));
	}

	assert_true(ivr_prompt_name_valid("Welcome_2-cn"));
	assert_false(ivr_prompt_name_valid(""));
	assert_false(ivr_prompt_name_valid(NULL));
}


static void test_menu_hostile(void **state)
{
	static const char nul_inside[] = "{\"prompt\":\"a\0b\","
		"\"options\":{\"1\":{\"hangup\":true}}}";
	struct ivr_menu m;
	char err[IVR_ERR_SZ];
	struct mbuf *mb;
	size_t i;

	(void)state;

	/* not JSON, not an object */
	assert_int_equal(EINVAL, decode(&m, "", err, sizeof(err)));
	assert_int_equal(EINVAL, decode(&m, "{", err, sizeof(err)));
	assert_int_equal(EINVAL, decode(&m, "[1,2]", err, sizeof(err)));
	assert_int_equal(EINVAL, decode(&m, "\"x\"", err, sizeof(err)));
	assert_int_equal(EINVAL, decode(&m, "null", err, sizeof(err)));
	assert_int_equal(EINVAL, decode(&m, "{\"prompt\":\"a\"}}}}",
					err, sizeof(err)));

	/* deep nesting: refused by depth, without recursion running away */
	mb = mbuf_alloc(8192);
	assert_non_null(mb);
	for (i = 0; i < 800; i++)
		assert_int_equal(0, mbuf_write_str(mb, "{\"a\":"));
	assert_int_equal(EINVAL, ivr_menu_decode(&m, (char *)mb->buf, mb->end,
						err, sizeof(err)));
	mb->end = mb->pos = 0;
	(void)mbuf_write_str(mb, "{\"prompt\":\"a\",\"options\":{\"1\":"
			     "{\"group\":{\"x\":{\"y\":{}}}}}}");
	assert_int_equal(EINVAL, ivr_menu_decode(&m, (char *)mb->buf, mb->end,
						 err, sizeof(err)));

	/* a huge string: over the size limit before any parsing */
	mb->end = mb->pos = 0;
	(void)mbuf_write_str(mb, "{\"prompt\":\"");
	for (i = 0; i < IVR_SPEC_MAX; i++)
		(void)mbuf_write_u8(mb, 'a');
	(void)mbuf_write_str(mb, "\",\"options\":{\"1\":{\"hangup\":true}}}");
	assert_int_equal(EFBIG, ivr_menu_decode(&m, (char *)mb->buf, mb->end,
						err, sizeof(err)));

	/* a long group name under the size limit: refused by length */
	mb->end = mb->pos = 0;
	(void)mbuf_write_str(mb, "{\"prompt\":\"a\",\"options\":{\"1\":"
			     "{\"group\":\"");
	for (i = 0; i < 1000; i++)
		(void)mbuf_write_u8(mb, 'g');
	(void)mbuf_write_str(mb, "\"}}}");
	assert_int_equal(EINVAL, ivr_menu_decode(&m, (char *)mb->buf, mb->end,
						 err, sizeof(err)));
	mem_deref(mb);

	/* a control character in a name, and NUL inside the text */
	assert_int_equal(EINVAL, decode(&m, "{\"prompt\":\"a\",\"options\":"
					"{\"1\":{\"group\":\"a\\nb\"}}}",
					err, sizeof(err)));
	assert_int_equal(EINVAL, ivr_menu_decode(&m, nul_inside,
						 sizeof(nul_inside) - 1, err,
						 sizeof(err)));

	/* a huge number */
	assert_int_equal(EINVAL, decode(&m, "{\"prompt\":\"a\",\"timeout_s\":"
					"99999999999999999999999,\"options\":"
					"{\"1\":{\"hangup\":true}}}",
					err, sizeof(err)));

	/* more options than keys can not be written without a repeat */
	assert_int_equal(EINVAL, decode(&m, "{\"prompt\":\"a\",\"options\":{"
					"\"1\":{\"hangup\":true},"
					"\"2\":{\"hangup\":true},"
					"\"3\":{\"hangup\":true},"
					"\"4\":{\"hangup\":true},"
					"\"5\":{\"hangup\":true},"
					"\"6\":{\"hangup\":true},"
					"\"7\":{\"hangup\":true},"
					"\"8\":{\"hangup\":true},"
					"\"9\":{\"hangup\":true},"
					"\"0\":{\"hangup\":true},"
					"\"*\":{\"hangup\":true},"
					"\"#\":{\"hangup\":true},"
					"\"1\":{\"hangup\":true}}}",
					err, sizeof(err)));

	assert_int_equal(EINVAL, ivr_menu_decode(NULL, "{}", 2, NULL, 0));
	assert_int_equal(EINVAL, ivr_menu_decode(&m, NULL, 0, NULL, 0));
	assert_int_equal(EINVAL, ivr_menu_decode(&m, "{}", 2, NULL, 0));
}


static void menu_of(struct ivr_menu *m, const char *json)
{
	char err[IVR_ERR_SZ];

	if (decode(m, json, err, sizeof(err)))
		fail_msg("spec refused: %s", err);
}


/*
 * Group and menu names must be UTF-8, as the API's are: the encoder wrote
 * bad bytes as U+FFFD, so a menu did not read back.  Found by fuzz_ivr
 * (fuzz/corpus/ivr/regress-group-not-utf8).
 */
static void test_menu_target_not_utf8(void **state)
{
	struct ivr_menu m;
	char err[IVR_ERR_SZ];
	(void)state;

	assert_int_equal(EINVAL, decode(&m, "{\"prompt\":\"w\","
					"\"options\":{\"1\":{\"group\":"
					"\"\x94sales\xff\"}}}",
					err, sizeof(err)));
	assert_true(err[0] != '\0');
	assert_int_equal(EINVAL, decode(&m, "{\"prompt\":\"w\",\"options\":"
					"{\"1\":{\"menu\":\"a\xc0\xaf\"}}}",
					err, sizeof(err)));

	assert_int_equal(0, decode(&m, "{\"prompt\":\"w\",\"options\":"
				   "{\"1\":{\"group\":\"\xe9\x94\x80\"}}}",
				   err, sizeof(err)));
	assert_string_equal("\xe9\x94\x80", m.optv[0].target);
}


static void test_collect_option_and_barge_in(void **state)
{
	struct ivr_menu m;
	struct ivr_collect c;
	const struct ivr_option *o = NULL;

	(void)state;
	menu_of(&m, spec_main);

	/* a valid key during the prompt counts at once */
	assert_int_equal(IVR_STEP_PROMPT, ivr_collect_start(&c, &m));
	assert_int_equal(IVR_STEP_OPTION, ivr_collect_digit(&c, '2', &o));
	assert_non_null(o);
	assert_int_equal(o->key, '2');
	/* done: later events change nothing */
	assert_int_equal(IVR_STEP_NONE, ivr_collect_digit(&c, '1', &o));
	assert_int_equal(IVR_STEP_NONE, ivr_collect_prompt_end(&c));
	assert_int_equal(IVR_STEP_NONE, ivr_collect_timeout(&c, &o));

	/* after the prompt, within the timeout */
	assert_int_equal(IVR_STEP_PROMPT, ivr_collect_start(&c, &m));
	assert_int_equal(IVR_STEP_WAIT, ivr_collect_prompt_end(&c));
	assert_int_equal(IVR_STEP_OPTION, ivr_collect_digit(&c, '0', &o));
	assert_int_equal(o->action, IVR_ACT_HANGUP);

	/* a timeout only counts while waiting */
	assert_int_equal(IVR_STEP_PROMPT, ivr_collect_start(&c, &m));
	assert_int_equal(IVR_STEP_NONE, ivr_collect_timeout(&c, &o));
}


static void test_collect_invalid_then_valid(void **state)
{
	struct ivr_menu m;
	struct ivr_collect c;
	const struct ivr_option *o = NULL;

	(void)state;
	menu_of(&m, spec_main);    /* max_tries 2 */

	assert_int_equal(IVR_STEP_PROMPT, ivr_collect_start(&c, &m));
	assert_int_equal(IVR_STEP_WAIT, ivr_collect_prompt_end(&c));
	assert_int_equal(IVR_STEP_INVALID, ivr_collect_digit(&c, '7', &o));
	assert_null(o);
	assert_int_equal(IVR_STEP_PROMPT, ivr_collect_prompt_end(&c));
	assert_int_equal(IVR_STEP_WAIT, ivr_collect_prompt_end(&c));
	assert_int_equal(IVR_STEP_OPTION, ivr_collect_digit(&c, '#', &o));
	assert_string_equal(o->target, "support");
}


/* Tries run out: the fallback option, or without one a hang-up. */
static void test_collect_tries_run_out(void **state)
{
	struct ivr_menu m;
	struct ivr_collect c;
	const struct ivr_option *o = NULL;

	(void)state;

	/* no input twice, fallback "1" */
	menu_of(&m, spec_main);
	assert_int_equal(IVR_STEP_PROMPT, ivr_collect_start(&c, &m));
	assert_int_equal(IVR_STEP_WAIT, ivr_collect_prompt_end(&c));
	assert_int_equal(IVR_STEP_PROMPT, ivr_collect_timeout(&c, &o));
	assert_int_equal(IVR_STEP_WAIT, ivr_collect_prompt_end(&c));
	assert_int_equal(IVR_STEP_OPTION, ivr_collect_timeout(&c, &o));
	assert_non_null(o);
	assert_string_equal(o->target, "sales");

	/* no fallback, no invalid prompt: three wrong keys end it */
	menu_of(&m, "{\"prompt\":\"a\",\"options\":{\"1\":{\"group\":"
		"\"s\"}}}");
	assert_int_equal(IVR_STEP_PROMPT, ivr_collect_start(&c, &m));
	assert_int_equal(IVR_STEP_PROMPT, ivr_collect_digit(&c, '9', &o));
	assert_int_equal(IVR_STEP_PROMPT, ivr_collect_digit(&c, '9', &o));
	assert_int_equal(IVR_STEP_HANGUP, ivr_collect_digit(&c, '9', &o));
	assert_null(o);

	/* mixed: invalid key, then silence, then silence */
	assert_int_equal(IVR_STEP_PROMPT, ivr_collect_start(&c, &m));
	assert_int_equal(IVR_STEP_WAIT, ivr_collect_prompt_end(&c));
	assert_int_equal(IVR_STEP_PROMPT, ivr_collect_digit(&c, '*', &o));
	assert_int_equal(IVR_STEP_WAIT, ivr_collect_prompt_end(&c));
	assert_int_equal(IVR_STEP_PROMPT, ivr_collect_timeout(&c, &o));
	assert_int_equal(IVR_STEP_WAIT, ivr_collect_prompt_end(&c));
	assert_int_equal(IVR_STEP_HANGUP, ivr_collect_timeout(&c, &o));

	assert_int_equal(IVR_STEP_NONE, ivr_collect_start(NULL, &m));
	assert_string_equal(ivr_step_str(IVR_STEP_HANGUP), "hangup");
}


/* --- in-band DTMF ---------------------------------------------------- */

struct digits {
	char buf[64];
	size_t n;
};


static void digit_handler(char digit, void *arg)
{
	struct digits *d = arg;

	if (d->n + 1 < sizeof(d->buf))
		d->buf[d->n++] = digit;
}


static const struct {
	char key;
	double lo, hi;
} dtmf_freqv[] = {
	{'1', 697, 1209}, {'2', 697, 1336}, {'3', 697, 1477},
	{'4', 770, 1209}, {'5', 770, 1336}, {'6', 770, 1477},
	{'7', 852, 1209}, {'8', 852, 1336}, {'9', 852, 1477},
	{'*', 941, 1209}, {'0', 941, 1336}, {'#', 941, 1477},
};


/* Synthesize audio: each digit 100 ms of its two sines, then 100 ms of
 * silence; noise (uniform, peak noise_amp) on everything; encoded as
 * PCMU (or PCMA) and fed 20 ms per packet, as RTP would bring it. */
static void feed(struct ivr_inband *ib, const char *keys, double amp,
		 double noise_amp, bool alaw, double single_hz)
{
	uint64_t t = 0;

	srand(42);

	for (const char *k = keys; *k; k++) {
		double lo = 0, hi = 0;

		for (size_t i = 0; i < ARRAY_SIZE(dtmf_freqv); i++) {
			if (dtmf_freqv[i].key == *k) {
				lo = dtmf_freqv[i].lo;
				hi = dtmf_freqv[i].hi;
			}
		}

		for (int pkt = 0; pkt < 10; pkt++) {
			uint8_t pl[160];

			for (int s = 0; s < 160; s++, t++) {
				double x = 0, tt = (double)t / 8000.0;

				if (pkt < 5 && single_hz > 0)
					x = amp * sin(2 * M_PI * single_hz *
						      tt);
				else if (pkt < 5 && lo > 0)
					x = amp * (sin(2 * M_PI * lo * tt) +
						   sin(2 * M_PI * hi * tt));

				x += noise_amp * (2.0 * rand() / RAND_MAX -
						  1.0);
				pl[s] = alaw ? g711_pcm2alaw((int16_t)x) :
					g711_pcm2ulaw((int16_t)x);
			}

			assert_int_equal(0, ivr_inband_g711(ib, alaw, pl,
							    sizeof(pl)));
		}
	}
}


static void test_inband_digits(void **state)
{
	struct ivr_inband *ib = NULL;
	struct digits d;

	(void)state;

	/* clean tones, PCMU, every key */
	memset(&d, 0, sizeof(d));
	assert_int_equal(0, ivr_inband_alloc(&ib, digit_handler, &d));
	feed(ib, "1234567890*#", 6000, 0, false, 0);
	assert_string_equal(d.buf, "1234567890*#");
	ib = mem_deref(ib);

	/* PCMA, with noise about 20 dB under the tones */
	memset(&d, 0, sizeof(d));
	assert_int_equal(0, ivr_inband_alloc(&ib, digit_handler, &d));
	feed(ib, "2580", 6000, 1200, true, 0);
	assert_string_equal(d.buf, "2580");
	ib = mem_deref(ib);

	/* a repeated key is two digits: the silence between separates */
	memset(&d, 0, sizeof(d));
	assert_int_equal(0, ivr_inband_alloc(&ib, digit_handler, &d));
	feed(ib, "22", 6000, 300, false, 0);
	assert_string_equal(d.buf, "22");
	ib = mem_deref(ib);
}


static void test_inband_no_false_digits(void **state)
{
	struct ivr_inband *ib = NULL;
	struct digits d;
	uint8_t big[4000];

	(void)state;

	memset(&d, 0, sizeof(d));
	assert_int_equal(0, ivr_inband_alloc(&ib, digit_handler, &d));

	/* noise alone, a 1 kHz tone, a 425 Hz queue tone, a 697 Hz
	 * single row tone: none is a digit */
	feed(ib, "xxxx", 0, 3000, false, 0);
	feed(ib, "xxxx", 8000, 200, false, 1000);
	feed(ib, "xxxx", 8000, 200, false, 425);
	feed(ib, "xxxx", 8000, 200, false, 697);
	assert_int_equal(d.n, 0);

	/* bad input is refused, not read past */
	memset(big, 0xff, sizeof(big));
	assert_int_equal(EMSGSIZE, ivr_inband_g711(ib, false, big,
						   sizeof(big)));
	assert_int_equal(EINVAL, ivr_inband_g711(ib, false, NULL, 4));
	assert_int_equal(0, ivr_inband_g711(ib, false, big, 0));
	assert_int_equal(EINVAL, ivr_inband_g711(NULL, false, big, 4));
	ib = mem_deref(ib);

	assert_int_equal(EINVAL, ivr_inband_alloc(&ib, NULL, NULL));
}


int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_menu_valid),
		cmocka_unit_test(test_menu_encode_round_trip),
		cmocka_unit_test(test_menu_invalid_fields),
		cmocka_unit_test(test_menu_prompt_traversal),
		cmocka_unit_test(test_menu_hostile),
		cmocka_unit_test(test_menu_target_not_utf8),
		cmocka_unit_test(test_collect_option_and_barge_in),
		cmocka_unit_test(test_collect_invalid_then_valid),
		cmocka_unit_test(test_collect_tries_run_out),
		cmocka_unit_test(test_inband_digits),
		cmocka_unit_test(test_inband_no_false_digits),
	};
	int n;

	if (libre_init())
		return 1;
	n = cmocka_run_group_tests(tests, NULL, NULL);
	libre_close();

	return n;
}
