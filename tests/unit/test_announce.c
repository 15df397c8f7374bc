/**
 * @file test_announce.c  Queue announcements: words, prompts, playlist,
 *                        and the player that sends them
 *
 * Copyright (C) 2026 The lianluo authors
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <string.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/stat.h>
#include <cmocka.h>
#include <re.h>
#include <rem.h>
#include "common/log.h"
#include "common/media_sdp.h"
#include "config.h"
#include "media/media.h"
#include "testloop.h"


/* "a b c" for the names say_*() gave, so a failure shows the sentence */
static const char *joined(const char **namev, size_t namec)
{
	static char buf[1024];
	size_t len = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < namec; i++)
		len += (size_t)snprintf(buf + len, sizeof(buf) - len, "%s%s",
					i ? " " : "", namev[i]);

	return buf;
}


static const char *number(uint32_t n)
{
	const char *namev[SAY_MAX];
	size_t namec = say_number(namev, ARRAY_SIZE(namev), n);

	assert_true(namec > 0);
	return joined(namev, namec);
}


static void test_say_number(void **state)
{
	(void)state;

	assert_string_equal("zero", number(0));
	assert_string_equal("one", number(1));
	assert_string_equal("thirteen", number(13));
	assert_string_equal("nineteen", number(19));
	assert_string_equal("twenty", number(20));
	assert_string_equal("twenty one", number(21));
	assert_string_equal("ninety nine", number(99));
	assert_string_equal("one hundred", number(100));
	assert_string_equal("one hundred five", number(105));
	assert_string_equal("one hundred twelve", number(112));
	assert_string_equal("nine hundred ninety nine", number(999));
	assert_string_equal("one thousand", number(1000));
	assert_string_equal("one thousand one", number(1001));
	assert_string_equal("twelve thousand three hundred forty five",
			    number(12345));
	assert_string_equal("one million", number(1000000));
	assert_string_equal("two million one thousand", number(2001000));
	assert_string_equal("four billion two hundred ninety four million"
			    " nine hundred sixty seven thousand two hundred"
			    " ninety five", number(UINT32_MAX));
}


static void test_say_number_no_room(void **state)
{
	const char *namev[SAY_MAX];
	(void)state;

	/* "twenty one" needs two: one slot is refused, never cut short */
	assert_int_equal(0, say_number(namev, 1, 21));
	assert_int_equal(2, say_number(namev, 2, 21));
	assert_int_equal(0, say_number(namev, 0, 0));
	assert_int_equal(0, say_number(NULL, 8, 5));
}


static const char *position(uint32_t pos, uint32_t ewt_s)
{
	const char *namev[SAY_MAX];
	size_t namec = say_queue_position(namev, ARRAY_SIZE(namev), pos,
					  ewt_s);

	assert_true(namec > 0);

	/* every name has a recording to load */
	for (size_t i = 0; i < namec; i++) {
		bool known = false;

		for (size_t k = 0; k < say_prompt_namec; k++)
			known |= 0 == strcmp(namev[i], say_prompt_names[k]);
		assert_true(known);
	}

	return joined(namev, namec);
}


static void test_say_queue_position(void **state)
{
	(void)state;

	assert_string_equal("you-are-number twelve in-the-queue"
			    " your-estimated-wait-is three minutes",
			    position(12, 180));
	assert_string_equal("you-are-number one in-the-queue"
			    " your-estimated-wait-is less-than-one-minute",
			    position(1, 59));
	/* to the nearest minute, singular for one */
	assert_string_equal("you-are-number two in-the-queue"
			    " your-estimated-wait-is one minute",
			    position(2, 60));
	assert_string_equal("you-are-number two in-the-queue"
			    " your-estimated-wait-is one minute",
			    position(2, 89));
	assert_string_equal("you-are-number two in-the-queue"
			    " your-estimated-wait-is two minutes",
			    position(2, 90));
	assert_string_equal("you-are-number one hundred in-the-queue"
			    " your-estimated-wait-is twenty one minutes",
			    position(100, 21 * 60));
	/* no estimate: the wait is not mentioned */
	assert_string_equal("you-are-number three in-the-queue",
			    position(3, UINT32_MAX));
	/* the largest sentence fits in SAY_MAX */
	(void)position(UINT32_MAX, UINT32_MAX - 1);
}


/* The committed recordings: all there, 8 kHz mono 16-bit, short, small. */
static void test_prompts_committed(void **state)
{
	char dir[512];
	struct media_promptset *ps = NULL;
	const char *names[] = {"two", "no-such-prompt"};
	size_t total = 0;
	char *slash;
	(void)state;

	/* this file is tests/unit/test_announce.c; they are in prompts/en */
	str_ncpy(dir, __FILE__, sizeof(dir));
	slash = strrchr(dir, '/');
	assert_non_null(slash);
	*slash = '\0';
	strcat(dir, "/../../prompts/en");

	assert_int_equal(0, media_promptset_load(&ps, dir, say_prompt_names,
						 say_prompt_namec));
	for (size_t i = 0; i < say_prompt_namec; i++) {
		const struct media_prompt *mp;

		mp = media_promptset_get(ps, say_prompt_names[i]);
		assert_non_null(mp);
		/* a word or phrase: 0.1 s to 2 s, trimmed */
		assert_true(mp->sampc > 800);
		assert_true(mp->sampc < 16000);
		total += mp->sampc * 2;
	}
	assert_true(total < 300 * 1000);
	assert_null(media_promptset_get(ps, "no-such-prompt"));
	ps = mem_deref(ps);

	/* one missing file fails the set */
	assert_int_equal(ENOENT, media_promptset_load(&ps, dir, names, 2));
	assert_null(ps);
}


static void prompt_destructor(void *arg)
{
	struct media_prompt *mp = arg;

	mem_deref(mp->sampv);
}


static struct media_prompt *prompt_make(size_t sampc, int16_t first)
{
	struct media_prompt *mp = mem_zalloc(sizeof(*mp), prompt_destructor);

	assert_non_null(mp);
	mp->sampc = sampc;
	mp->sampv = mem_alloc(sampc ? sampc * sizeof(int16_t) : 1, NULL);
	assert_non_null(mp->sampv);
	for (size_t i = 0; i < sampc; i++)
		mp->sampv[i] = (int16_t)(first + (int16_t)i);

	return mp;
}


static void test_playlist_sequence_then_music(void **state)
{
	struct media_prompt *a = prompt_make(300, 1);
	struct media_prompt *b = prompt_make(500, 2001);
	struct media_prompt *m = prompt_make(1000, 10000);
	struct playlist *pl = NULL;
	int16_t out[3000];
	(void)state;

	assert_int_equal(0, playlist_alloc(&pl, m));

	/* 100 samples of music, then the prompts cut in */
	playlist_read(pl, out, 100);
	assert_int_equal(10000, out[0]);
	assert_int_equal(10099, out[99]);

	assert_int_equal(0, playlist_add(pl, a));
	assert_int_equal(0, playlist_add(pl, b));
	assert_int_equal(800, playlist_pending(pl));

	/* in 20 ms frames, as the player reads: 800 = 5 frames exactly */
	for (size_t f = 0; f < 5; f++)
		playlist_read(pl, out + f * 160, 160);
	assert_int_equal(0, playlist_pending(pl));
	for (size_t i = 0; i < 300; i++)
		assert_int_equal(1 + (int)i, out[i]);
	for (size_t i = 0; i < 500; i++)
		assert_int_equal(2001 + (int)i, out[300 + i]);

	/* the music resumes where it paused, and loops */
	playlist_read(pl, out, 1000);
	assert_int_equal(10100, out[0]);
	assert_int_equal(10999, out[899]);
	assert_int_equal(10000, out[900]);
	assert_int_equal(10099, out[999]);

	/* a prompt ending inside a frame: music fills the rest */
	assert_int_equal(0, playlist_add(pl, a));
	playlist_read(pl, out, 320);
	assert_int_equal(300, out[299]);
	assert_int_equal(10100, out[300]);
	assert_int_equal(0, playlist_pending(pl));

	mem_deref(pl);
	mem_deref(a);
	mem_deref(b);
	mem_deref(m);
}


static void test_playlist_tone_and_limits(void **state)
{
	struct media_prompt *a = prompt_make(10, 1);
	struct media_prompt *empty = prompt_make(0, 0);
	struct playlist *pl = NULL;
	int16_t out[12000];
	bool sound = false, silence = true;
	(void)state;

	/* no music: the queue tone, 1 s on, 0.5 s off */
	assert_int_equal(0, playlist_alloc(&pl, NULL));
	playlist_read(pl, out, ARRAY_SIZE(out));
	for (size_t i = 0; i < 8000; i++)
		sound |= out[i] > 4000;
	for (size_t i = 8000; i < 12000; i++)
		silence &= out[i] == 0;
	assert_true(sound);
	assert_true(silence);

	/* an empty prompt is skipped, not waited for */
	assert_int_equal(0, playlist_add(pl, empty));
	assert_int_equal(0, playlist_pending(pl));

	for (size_t i = 0; i < PLAYLIST_MAX; i++)
		assert_int_equal(0, playlist_add(pl, a));
	assert_int_equal(EOVERFLOW, playlist_add(pl, a));
	assert_int_equal(10 * PLAYLIST_MAX, playlist_pending(pl));
	playlist_read(pl, out, 15);
	assert_int_equal(10 * PLAYLIST_MAX - 15, playlist_pending(pl));

	playlist_flush(pl);
	assert_int_equal(0, playlist_pending(pl));
	assert_int_equal(EINVAL, playlist_add(pl, NULL));
	assert_int_equal(EINVAL, playlist_alloc(NULL, NULL));

	mem_deref(pl);
	mem_deref(a);
	mem_deref(empty);
}


/* What a phone on leg A receives from the player */
struct ear {
	struct udp_sock *us;
	struct sa addr;
	unsigned count;
	uint16_t seqv[64];
	uint32_t ssrcv[64];
	uint8_t payload[64][160];
	unsigned done;
	unsigned count_at_done;
};

static struct ear ear;


static void ear_recv(const struct sa *src, struct mbuf *mb, void *arg)
{
	const uint8_t *d = mbuf_buf(mb);
	(void)src;
	(void)arg;

	if (mbuf_get_left(mb) == 12 + 160 && ear.count < 64) {
		ear.seqv[ear.count] = (uint16_t)(d[2] << 8 | d[3]);
		ear.ssrcv[ear.count] = (uint32_t)d[8] << 24 |
			(uint32_t)d[9] << 16 | (uint32_t)d[10] << 8 | d[11];
		memcpy(ear.payload[ear.count], d + 12, 160);
	}
	++ear.count;

	if (ear.count >= 20)
		re_cancel();
}


static void done_handler(void *arg)
{
	(void)arg;

	++ear.done;
	ear.count_at_done = ear.count;
}


/*
 * Two prompts of 300 and 500 samples, then the tone: the phone gets the
 * prompts' samples exactly (PCMU), five frames, then the tone, in one
 * stream; the done handler runs once, when the fifth frame is sent.
 */
static void test_player_prompts_then_tone(void **state)
{
	struct media_codec pcmu = {"PCMU", 8000, 1, 0, "", 101};
	struct media_prompt *a = prompt_make(300, -150);
	struct media_prompt *b = prompt_make(500, 1000);
	struct playlist *expect = NULL;
	struct relay *r = NULL;
	struct player *pl = NULL;
	struct sa laddr;
	struct tmr t;
	int16_t s[160];
	(void)state;

	memset(&ear, 0, sizeof(ear));
	assert_int_equal(0, sa_set_str(&laddr, "127.0.0.1", 0));
	assert_int_equal(0, udp_listen(&ear.us, &laddr, ear_recv, NULL));
	assert_int_equal(0, udp_local_get(ear.us, &ear.addr));

	assert_int_equal(0, relay_alloc(&r, &laddr));
	relay_set_peer(r, RELAY_A, &ear.addr);

	assert_int_equal(0, player_alloc(&pl, r, RELAY_A, &pcmu, NULL));
	player_set_done_handler(pl, done_handler, NULL);
	assert_int_equal(0, player_play(pl, a));
	assert_int_equal(0, player_play(pl, b));

	tmr_init(&t);
	tmr_start(&t, 3000, deadline_handler, NULL);
	(void)re_main(NULL);
	tmr_cancel(&t);

	assert_true(ear.count >= 20);
	assert_int_equal(1, ear.done);
	assert_true(ear.count_at_done <= 5);

	/* the same samples from a playlist read alone, encoded */
	assert_int_equal(0, playlist_alloc(&expect, NULL));
	assert_int_equal(0, playlist_add(expect, a));
	assert_int_equal(0, playlist_add(expect, b));
	for (unsigned f = 0; f < 20; f++) {
		playlist_read(expect, s, ARRAY_SIZE(s));
		for (size_t i = 0; i < ARRAY_SIZE(s); i++)
			assert_int_equal(g711_pcm2ulaw(s[i]),
					 ear.payload[f][i]);

		/* one stream: one SSRC, no gap in the sequence */
		assert_int_equal(ear.ssrcv[0], ear.ssrcv[f]);
		if (f)
			assert_int_equal((uint16_t)(ear.seqv[f - 1] + 1),
					 ear.seqv[f]);
	}

	/* pending prompts can be dropped */
	assert_int_equal(0, player_play(pl, a));
	player_stop_prompts(pl);
	assert_int_equal(EINVAL, player_play(pl, NULL));

	mem_deref(expect);
	mem_deref(pl);
	mem_deref(r);
	mem_deref(ear.us);
	mem_deref(a);
	mem_deref(b);
}


static void once_done(void *arg)
{
	struct player **plp = arg;

	/* the handler may free the player */
	*plp = mem_deref(*plp);
	++ear.done;
	re_cancel();
}


/*
 * Once (an IVR prompt): the prompt to its end, 790 samples = 5 frames
 * with the last one padded, and not a frame more; without a prompt a
 * short tone, 400 ms = 20 frames.
 */
static void test_player_once(void **state)
{
	struct media_codec pcma = {"PCMA", 8000, 1, 8, "", -1};
	struct media_prompt *mp = prompt_make(790, 3000);
	struct relay *r = NULL;
	struct player *pl = NULL;
	struct sa laddr;
	struct tmr t;
	(void)state;

	memset(&ear, 0, sizeof(ear));
	assert_int_equal(0, sa_set_str(&laddr, "127.0.0.1", 0));
	assert_int_equal(0, udp_listen(&ear.us, &laddr, ear_recv, NULL));
	assert_int_equal(0, udp_local_get(ear.us, &ear.addr));
	assert_int_equal(0, relay_alloc(&r, &laddr));
	relay_set_peer(r, RELAY_A, &ear.addr);

	assert_int_equal(0, player_alloc(&pl, r, RELAY_A, &pcma, mp));
	player_set_once(pl, once_done, &pl);
	tmr_init(&t);
	tmr_start(&t, 3000, deadline_handler, NULL);
	(void)re_main(NULL);
	assert_null(pl);
	assert_int_equal(1, ear.done);
	tmr_start(&t, 200, deadline_handler, NULL);
	(void)re_main(NULL);
	assert_int_equal(5, ear.count);
	/* the padding is silence, not the prompt again */
	assert_int_equal(g711_pcm2alaw(3000 + 789), ear.payload[4][789 - 640]);
	assert_int_equal(g711_pcm2alaw(0), ear.payload[4][159]);

	ear.count = 0;
	assert_int_equal(0, player_alloc(&pl, r, RELAY_A, &pcma, NULL));
	player_set_once(pl, once_done, &pl);
	tmr_start(&t, 3000, deadline_handler, NULL);
	(void)re_main(NULL);
	assert_null(pl);
	tmr_start(&t, 200, deadline_handler, NULL);
	(void)re_main(NULL);
	tmr_cancel(&t);
	assert_int_equal(20, ear.count);

	mem_deref(r);
	mem_deref(ear.us);
	mem_deref(mp);
}


static void test_config_keys(void **state)
{
	struct config cfg;
	char dir[300], path[400], longval[400], tmp[64];
	char *ok[] = {"lianluod", "--announce-period", "30", "--hold-music",
		      "/x/hold.wav", "--prompt-dir", "/x/prompts"};
	char *neg[] = {"lianluod", "--announce-period", "-1"};
	char *big[] = {"lianluod", "--announce-period", "3601"};
	char *word[] = {"lianluod", "--announce-period", "often"};
	char *empty[] = {"lianluod", "--announce-period", ""};
	char *toolong[] = {"lianluod", "--prompt-dir", longval};
	(void)state;

	log_set_level(LOG_LEVEL_ERROR);
	config_defaults(&cfg);
	assert_int_equal(0, cfg.announce_period_s);     /* off by default */
	assert_int_equal(0, config_parse_args(&cfg, ARRAY_SIZE(ok), ok));
	assert_int_equal(30, cfg.announce_period_s);
	assert_string_equal("/x/hold.wav", cfg.hold_music);
	/* prompt-dir has no en/: the shipped prompts still serve */
	assert_int_equal(0, config_prompt_dir(&cfg, "en", dir, sizeof(dir)));
	assert_string_not_equal("/x/prompts/en", dir);

	/* hostile values are refused, the setting stays as it was */
	assert_int_equal(EINVAL, config_parse_args(&cfg, 3, neg));
	assert_int_equal(EINVAL, config_parse_args(&cfg, 3, big));
	assert_int_equal(EINVAL, config_parse_args(&cfg, 3, word));
	assert_int_equal(EINVAL, config_parse_args(&cfg, 3, empty));
	memset(longval, 'a', sizeof(longval) - 1);
	longval[sizeof(longval) - 1] = '\0';
	assert_int_equal(EINVAL, config_parse_args(&cfg, 3, toolong));
	assert_int_equal(30, cfg.announce_period_s);
	assert_string_equal("/x/prompts", cfg.prompt_dir);

	/* unset: found by itself, here the source tree's */
	config_defaults(&cfg);
	assert_int_equal(0, config_prompt_dir(&cfg, "en", dir, sizeof(dir)));
	re_snprintf(path, sizeof(path), "%s/two.wav", dir);
	assert_int_equal(0, access(path, R_OK));
	assert_int_equal(EINVAL, config_prompt_dir(&cfg, "en", NULL, 10));
	assert_int_equal(EINVAL, config_prompt_dir(&cfg, NULL, dir,
						   sizeof(dir)));

	/* the operator's own, in prompt-dir or DATA/prompts, come first */
	str_ncpy(tmp, "/tmp/ll-test-prompts-XXXXXX", sizeof(tmp));
	assert_non_null(mkdtemp(tmp));
	re_snprintf(path, sizeof(path), "%s/prompts", tmp);
	assert_int_equal(0, mkdir(path, 0700));
	re_snprintf(path, sizeof(path), "%s/prompts/en", tmp);
	assert_int_equal(0, mkdir(path, 0700));
	str_ncpy(cfg.data_dir, tmp, sizeof(cfg.data_dir));
	assert_int_equal(0, config_prompt_dir(&cfg, "en", dir, sizeof(dir)));
	assert_string_equal(path, dir);
	re_snprintf(cfg.prompt_dir, sizeof(cfg.prompt_dir), "%s/prompts",
		    tmp);
	str_ncpy(cfg.data_dir, "/nonexistent", sizeof(cfg.data_dir));
	assert_int_equal(0, config_prompt_dir(&cfg, "en", dir, sizeof(dir)));
	assert_string_equal(path, dir);
	assert_int_equal(0, rmdir(path));
	re_snprintf(path, sizeof(path), "%s/prompts", tmp);
	assert_int_equal(0, rmdir(path));
	assert_int_equal(0, rmdir(tmp));
}


int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_say_number),
		cmocka_unit_test(test_say_number_no_room),
		cmocka_unit_test(test_say_queue_position),
		cmocka_unit_test(test_prompts_committed),
		cmocka_unit_test(test_playlist_sequence_then_music),
		cmocka_unit_test(test_playlist_tone_and_limits),
		cmocka_unit_test(test_player_prompts_then_tone),
		cmocka_unit_test(test_player_once),
		cmocka_unit_test(test_config_keys),
	};
	int n;

	if (libre_init())
		return 1;
	n = cmocka_run_group_tests(tests, NULL, NULL);
	libre_close();

	return n;
}
