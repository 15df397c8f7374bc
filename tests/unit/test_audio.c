/**
 * @file test_audio.c  SDK audio engine: two streams over real UDP
 *
 * Copyright (C) 2026 The lianluo authors
 *
 * Each test connects stream A to stream B on 127.0.0.1 with the file
 * driver, runs the real loop, and then listens to B's recording with the
 * Goertzel algorithm: what must be heard is measured, not file sizes.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <string.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/stat.h>
#include <cmocka.h>
#include <re.h>
#include <rem.h>
#include "common/media_sdp.h"
#include "sdk/audio/stream.h"
#include "sdk/audio/audio.h"
#include "testloop.h"


enum {
	WIN_MS    = 100,
	TONE_A_HZ = 1000,
	MUSIC_HZ  = 600,
};

/* A window holds the tone when the tone carries half of its power. */
static const double TONE_SHARE = 0.5;

/* RMS below this (-50 dBFS) is silence. */
static const double SILENCE_RMS = 100.0;

static char tmpdir[64];

struct peer {
	struct ll__stream *s;
	struct ll__audio_cfg cfg;
	char digits[16];
	size_t ndigits;
	int quality;                  /* latest grade, 0 = none yet */
	unsigned nquality;
	struct ll__stream_evdata qdata;
	uint32_t cap_level;
	uint32_t play_level;
	unsigned nvolume;
	int err;
};

struct shim {
	struct udp_sock *us;
	struct sa a;                  /* A's RTP address */
	struct sa b;                  /* B's RTP address */
	struct mbuf *held;            /* A->B packet held back to reorder */
	unsigned n;
	unsigned dropped;
	unsigned reordered;
};


/* ---- Helpers ---------------------------------------------------------- */


static const char *tmp_path(const char *name)
{
	static char buf[4][256];
	static unsigned i;
	char *p = buf[i++ % 4];

	snprintf(p, sizeof(buf[0]), "%s/%s", tmpdir, name);
	return p;
}


static void write_tone_wav(const char *path, uint32_t srate, uint8_t ch,
			   double freq, double amp, double seconds)
{
	struct aufile_prm prm = {srate, ch, AUFMT_S16LE};
	struct aufile *af = NULL;
	size_t n = (size_t)(srate * seconds);
	int16_t *v = calloc(n * ch, sizeof(*v));

	assert_non_null(v);
	for (size_t i = 0; i < n; i++) {
		int16_t x = (int16_t)(amp * 32767.0 *
				      sin(2.0 * M_PI * freq * i / srate));

		for (uint8_t c = 0; c < ch; c++)
			v[i * ch + c] = x;
	}

	assert_int_equal(0, aufile_open(&af, &prm, path, AUFILE_WRITE));
	assert_int_equal(0, aufile_write(af, (uint8_t *)v,
					 n * ch * sizeof(*v)));
	mem_deref(af);
	free(v);
}


static int16_t *read_wav(const char *path, uint32_t *srate, size_t *np)
{
	struct aufile_prm prm;
	struct aufile *af = NULL;
	struct mbuf *mb = mbuf_alloc(65536);
	int16_t *v;

	assert_non_null(mb);
	assert_int_equal(0, aufile_open(&af, &prm, path, AUFILE_READ));
	assert_int_equal(1, prm.channels);
	assert_int_equal(AUFMT_S16LE, prm.fmt);

	for (;;) {
		uint8_t buf[4096];
		size_t sz = sizeof(buf);

		if (aufile_read(af, buf, &sz) || !sz)
			break;
		assert_int_equal(0, mbuf_write_mem(mb, buf, sz));
	}

	*srate = prm.srate;
	*np = mb->end / 2;
	v = malloc(mb->end + 2);
	assert_non_null(v);
	memcpy(v, mb->buf, mb->end);

	mem_deref(af);
	mem_deref(mb);

	return v;
}


/* Goertzel at the exact frequency: share of the block's power that the
 * tone carries (1.0 for a pure sine). */
static double tone_share(const int16_t *x, size_t n, double fs, double f)
{
	double c = 2.0 * cos(2.0 * M_PI * f / fs);
	double s1 = 0.0, s2 = 0.0, e = 0.0, p;

	for (size_t i = 0; i < n; i++) {
		double s0 = x[i] + c * s1 - s2;

		s2 = s1;
		s1 = s0;
		e += (double)x[i] * x[i];
	}

	if (e < 1.0)
		return 0.0;

	p = s1 * s1 + s2 * s2 - c * s1 * s2;

	return 2.0 * p / ((double)n * e);
}


static double rms(const int16_t *x, size_t n)
{
	double e = 0.0;

	for (size_t i = 0; i < n; i++)
		e += (double)x[i] * x[i];

	return n ? sqrt(e / (double)n) : 0.0;
}


/* Share of the 100 ms windows in [from_s, to_s) that hold the tone, or,
 * with freq 0, that are silent. */
static double windows(const char *path, double freq, double from_s,
		      double to_s)
{
	uint32_t srate;
	size_t n, win, hits = 0, total = 0;
	int16_t *v = read_wav(path, &srate, &n);

	win = srate * WIN_MS / 1000;
	for (size_t at = (size_t)(from_s * srate);
	     at + win <= (size_t)(to_s * srate) && at + win <= n;
	     at += win) {
		const int16_t *w = v + at;

		++total;
		if (freq == 0.0) {
			if (rms(w, win) < SILENCE_RMS)
				++hits;
		}
		else if (rms(w, win) >= SILENCE_RMS &&
			 tone_share(w, win, srate, freq) >= TONE_SHARE) {
			++hits;
		}
	}

	free(v);
	assert_true(total >= 3);   /* the recording is long enough */
	print_message("%s: %s %.0f Hz in [%.2f, %.2f) s: %zu of %zu\n",
		      strrchr(path, '/') + 1, freq == 0.0 ? "silence" : "tone",
		      freq, from_s, to_s, hits, total);

	return (double)hits / (double)total;
}


static void event_handler(enum ll__stream_event ev,
			  const struct ll__stream_evdata *d, void *arg)
{
	struct peer *p = arg;

	switch (ev) {

	case LL__STREAM_DTMF:
		if (p->ndigits < sizeof(p->digits) - 1)
			p->digits[p->ndigits++] = d->digit;
		break;

	case LL__STREAM_VOLUME:
		p->cap_level  = d->capture_level;
		p->play_level = d->playout_level;
		++p->nvolume;
		break;

	case LL__STREAM_QUALITY:
		p->quality = d->quality;
		p->qdata = *d;
		++p->nquality;
		break;

	case LL__STREAM_ERROR:
		p->err = d->err;
		break;
	}
}


static void cfg_file(struct ll__audio_cfg *cfg, const char *capture,
		     const char *playout)
{
	memset(cfg, 0, sizeof(*cfg));
	str_ncpy(cfg->driver, "file", sizeof(cfg->driver));
	str_ncpy(cfg->capture, capture ? capture : "", sizeof(cfg->capture));
	str_ncpy(cfg->playout, playout ? playout : "", sizeof(cfg->playout));
	cfg->capture_volume = 100;
	cfg->playout_volume = 100;
}


static struct media_codec find_codec(const char *name)
{
	struct media_codec v[4];
	size_t n = ll__stream_codecs(v, ARRAY_SIZE(v));

	for (size_t i = 0; i < n; i++) {
		if (!strcmp(v[i].name, name))
			return v[i];
	}

	fail_msg("no codec %s", name);
	return v[0];
}


static void local_addr(struct sa *sa, uint16_t port)
{
	assert_int_equal(0, sa_set_str(sa, "127.0.0.1", port));
}


static void alloc_peer(struct peer *p)
{
	struct sa laddr;

	local_addr(&laddr, 0);
	assert_int_equal(0, ll__stream_alloc(&p->s, &laddr, &p->cfg,
					     event_handler, p));
	assert_true(ll__stream_lport(p->s) > 0);
	assert_int_equal(0, ll__stream_lport(p->s) % 2);
}


/* Connect A and B directly (or A through a shim to B). */
static void start_pair(struct peer *a, struct peer *b, const char *codec,
		       const struct sa *via)
{
	struct media_codec mc = find_codec(codec);
	struct sa ra, rb;

	alloc_peer(a);
	alloc_peer(b);

	local_addr(&rb, ll__stream_lport(b->s));
	local_addr(&ra, ll__stream_lport(a->s));

	assert_int_equal(0, ll__stream_start(a->s, &mc, via ? via : &rb));
	assert_int_equal(0, ll__stream_start(b->s, &mc, via ? via : &ra));
}


static void stop_pair(struct peer *a, struct peer *b)
{
	a->s = mem_deref(a->s);
	b->s = mem_deref(b->s);
}


/* ---- Tests ------------------------------------------------------------ */


static void test_codecs(void **state)
{
	struct media_codec v[8];
	size_t n;
	(void)state;

	n = ll__stream_codecs(v, ARRAY_SIZE(v));
	assert_int_equal(3, n);

	assert_string_equal("opus", v[0].name);
	assert_int_equal(111, v[0].pt);
	assert_int_equal(48000, v[0].srate);
	assert_int_equal(2, v[0].ch);
	assert_string_equal("useinbandfec=1", v[0].fmtp);
	assert_int_equal(110, v[0].telev_pt);

	assert_string_equal("PCMU", v[1].name);
	assert_int_equal(0, v[1].pt);
	assert_int_equal(101, v[1].telev_pt);
	assert_string_equal("PCMA", v[2].name);
	assert_int_equal(8, v[2].pt);
	assert_int_equal(101, v[2].telev_pt);

	assert_int_equal(1, ll__stream_codecs(v, 1));
}


/* A's capture is a sine; B must hear it. */
static void tone_through(const char *codec, const char *wav,
			 uint32_t expect_srate)
{
	struct peer a, b;
	const char *rec = tmp_path("tone-rec.wav");
	struct stat st;
	uint8_t hdr[44];
	FILE *f;
	uint32_t srate;
	size_t n;
	int16_t *v;

	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	cfg_file(&a.cfg, wav, NULL);
	cfg_file(&b.cfg, NULL, rec);

	start_pair(&a, &b, codec, NULL);
	run_loop_ms(1500);

	/* While the stream runs, the header already matches the data: a
	 * killed process leaves a readable file. */
	assert_int_equal(0, stat(rec, &st));
	f = fopen(rec, "rb");
	assert_non_null(f);
	assert_int_equal(sizeof(hdr), fread(hdr, 1, sizeof(hdr), f));
	fclose(f);
	assert_int_equal(st.st_size - 44, hdr[40] | hdr[41] << 8 |
			 hdr[42] << 16 | (uint32_t)hdr[43] << 24);

	stop_pair(&a, &b);

	v = read_wav(rec, &srate, &n);
	free(v);
	assert_int_equal(expect_srate, srate);
	assert_true(n >= expect_srate * 14 / 10);

	assert_true(windows(rec, TONE_A_HZ, 0.3, 1.45) >= 0.9);
}


static void test_tone_pcmu(void **state)
{
	const char *wav = tmp_path("tone8k.wav");
	(void)state;

	write_tone_wav(wav, 8000, 1, TONE_A_HZ, 0.5, 1.0);
	tone_through("PCMU", wav, 8000);
}


static void test_tone_pcma(void **state)
{
	const char *wav = tmp_path("tone16k.wav");
	(void)state;

	/* 16 kHz file, 8 kHz call: downsampled on the way in */
	write_tone_wav(wav, 16000, 1, TONE_A_HZ, 0.5, 1.0);
	tone_through("PCMA", wav, 8000);
}


static void test_tone_opus(void **state)
{
	const char *wav = tmp_path("tone44k.wav");
	(void)state;

	/* 44.1 kHz stereo file, 48 kHz mono call */
	write_tone_wav(wav, 44100, 2, TONE_A_HZ, 0.5, 0.7);
	tone_through("opus", wav, 48000);
}


/* A re-INVITE: same streams, new codec and rate, media goes on. */
static void test_restart(void **state)
{
	const char *wav = tmp_path("restart-tone.wav");
	const char *rec = tmp_path("restart-rec.wav");
	struct media_codec mc = find_codec("opus");
	struct peer a, b;
	struct sa ra, rb;
	uint32_t srate;
	size_t n;
	(void)state;

	write_tone_wav(wav, 8000, 1, TONE_A_HZ, 0.5, 1.0);
	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	cfg_file(&a.cfg, wav, NULL);
	cfg_file(&b.cfg, NULL, rec);

	start_pair(&a, &b, "PCMU", NULL);
	run_loop_ms(600);

	local_addr(&ra, ll__stream_lport(a.s));
	local_addr(&rb, ll__stream_lport(b.s));
	assert_int_equal(0, ll__stream_start(a.s, &mc, &rb));
	assert_int_equal(0, ll__stream_start(b.s, &mc, &ra));
	assert_int_equal(0, ll__stream_send_dtmf(a.s, '7'));
	run_loop_ms(1200);
	stop_pair(&a, &b);

	/* The playout file was started anew at the new rate. */
	free(read_wav(rec, &srate, &n));
	assert_int_equal(48000, srate);
	assert_true(windows(rec, TONE_A_HZ, 0.5, 1.1) >= 0.9);
	assert_int_equal(1, b.ndigits);
	assert_int_equal('7', b.digits[0]);
}


/* The host moved: A's sockets go to another address, B is told (as by a
 * re-INVITE) and the tone goes on. */
static void test_rebind(void **state)
{
	const char *wav = tmp_path("rebind-tone.wav");
	const char *rec = tmp_path("rebind-rec.wav");
	struct media_codec mc = find_codec("PCMU");
	struct peer a, b;
	struct sa laddr, ra;
	(void)state;

	write_tone_wav(wav, 8000, 1, TONE_A_HZ, 0.5, 3.0);
	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	cfg_file(&a.cfg, wav, NULL);
	cfg_file(&b.cfg, NULL, rec);

	start_pair(&a, &b, "PCMU", NULL);
	run_loop_ms(600);

	assert_int_equal(0, sa_set_str(&laddr, "127.0.0.2", 0));
	assert_int_equal(EINVAL, ll__stream_rebind(NULL, &laddr));
	assert_int_equal(EINVAL, ll__stream_rebind(a.s, NULL));

	assert_int_equal(0, ll__stream_rebind(a.s, &laddr));
	assert_true(ll__stream_lport(a.s) > 0);
	assert_int_equal(0, ll__stream_lport(a.s) % 2);

	assert_int_equal(0, sa_set_str(&ra, "127.0.0.2",
				       ll__stream_lport(a.s)));
	assert_int_equal(0, ll__stream_start(b.s, &mc, &ra));
	run_loop_ms(1400);
	stop_pair(&a, &b);

	/* B hears A from its new address. */
	assert_true(windows(rec, TONE_A_HZ, 1.1, 1.9) >= 0.8);
}


static void dtmf_through(const char *codec)
{
	struct peer a, b;

	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	cfg_file(&a.cfg, NULL, NULL);
	cfg_file(&b.cfg, NULL, NULL);

	start_pair(&a, &b, codec, NULL);
	run_loop_ms(100);

	assert_int_equal(EINVAL, ll__stream_send_dtmf(a.s, 'x'));
	assert_int_equal(0, ll__stream_send_dtmf(a.s, '1'));
	assert_int_equal(0, ll__stream_send_dtmf(a.s, '#'));
	assert_int_equal(0, ll__stream_send_dtmf(a.s, '9'));
	run_loop_ms(1000);

	assert_int_equal(3, b.ndigits);
	assert_memory_equal("1#9", b.digits, 3);
	assert_int_equal(0, a.ndigits);

	stop_pair(&a, &b);
}


static void test_dtmf(void **state)
{
	(void)state;

	dtmf_through("PCMU");
	dtmf_through("opus");
}


static void test_mute(void **state)
{
	const char *wav = tmp_path("mute-tone.wav");
	const char *rec = tmp_path("mute-rec.wav");
	struct peer a, b;
	(void)state;

	write_tone_wav(wav, 8000, 1, TONE_A_HZ, 0.5, 1.0);
	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	cfg_file(&a.cfg, wav, NULL);
	cfg_file(&b.cfg, NULL, rec);

	start_pair(&a, &b, "PCMU", NULL);
	run_loop_ms(1000);
	ll__stream_set_mute(a.s, true);
	run_loop_ms(1000);
	ll__stream_set_mute(a.s, false);
	run_loop_ms(1000);
	stop_pair(&a, &b);

	assert_true(windows(rec, TONE_A_HZ, 0.3, 0.9) >= 0.9);
	assert_true(windows(rec, 0, 1.3, 1.9) >= 0.9);
	assert_true(windows(rec, TONE_A_HZ, 2.3, 2.9) >= 0.9);
}


static void test_music(void **state)
{
	const char *music = tmp_path("music.wav");
	const char *txt = tmp_path("music.txt");
	const char *rec = tmp_path("music-rec.wav");
	struct peer a, b;
	FILE *f;
	(void)state;

	/* 0.5 s of music at 22.05 kHz played twice: about 1 s of tone
	 * over A's silent capture, then silence again. */
	write_tone_wav(music, 22050, 1, MUSIC_HZ, 0.4, 0.5);
	f = fopen(txt, "w");
	assert_non_null(f);
	fputs("not a wav file, just some text\n", f);
	fclose(f);

	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	cfg_file(&a.cfg, NULL, NULL);
	cfg_file(&b.cfg, NULL, rec);

	start_pair(&a, &b, "opus", NULL);

	assert_int_equal(ENOENT, ll__stream_play_music(a.s,
				 tmp_path("none.wav"), 1));
	assert_int_equal(EBADMSG, ll__stream_play_music(a.s, txt, 1));
	assert_int_equal(0, ll__stream_play_music(a.s, music, 2));
	run_loop_ms(1800);

	/* Until stopped, then silence. */
	assert_int_equal(0, ll__stream_play_music(a.s, music, 0));
	run_loop_ms(1000);
	ll__stream_stop_music(a.s);
	run_loop_ms(600);
	stop_pair(&a, &b);

	assert_true(windows(rec, MUSIC_HZ, 0.2, 0.9) >= 0.9);
	assert_true(windows(rec, 0, 1.3, 1.7) >= 0.9);
	assert_true(windows(rec, MUSIC_HZ, 2.0, 2.7) >= 0.9);
	assert_true(windows(rec, 0, 3.0, 3.35) >= 0.9);
}


static void test_volume(void **state)
{
	const char *wav = tmp_path("vol-tone.wav");
	const char *rec = tmp_path("vol-rec.wav");
	struct peer a, b;
	(void)state;

	write_tone_wav(wav, 8000, 1, TONE_A_HZ, 0.5, 1.0);
	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	cfg_file(&a.cfg, wav, NULL);
	cfg_file(&b.cfg, NULL, rec);

	start_pair(&a, &b, "PCMA", NULL);
	assert_int_equal(EINVAL, ll__stream_enable_volume(a.s, 50));
	assert_int_equal(0, ll__stream_enable_volume(a.s, 200));
	assert_int_equal(0, ll__stream_enable_volume(b.s, 200));

	/* Full volume: loud levels on both sides. */
	run_loop_ms(1000);
	assert_true(a.nvolume >= 3);
	assert_true(a.cap_level >= 60);
	assert_true(b.play_level >= 60);
	assert_int_equal(0, b.cap_level);

	/* Capture at 0: B hears silence and levels drop to 0. */
	ll__stream_set_volume(a.s, 0, 100);
	run_loop_ms(1000);
	assert_int_equal(0, a.cap_level);
	assert_int_equal(0, b.play_level);

	/* Boost past 100 clips instead of wrapping. */
	ll__stream_set_volume(a.s, 150, 1000);
	run_loop_ms(600);
	assert_true(b.play_level >= a.cap_level - 5);

	assert_int_equal(0, ll__stream_enable_volume(a.s, 0));
	stop_pair(&a, &b);

	assert_true(windows(rec, TONE_A_HZ, 0.3, 0.9) >= 0.9);
	assert_true(windows(rec, 0, 1.3, 1.9) >= 0.9);
	assert_true(windows(rec, TONE_A_HZ, 2.2, 2.5) >= 0.9);
}


static void shim_recv(const struct sa *src, struct mbuf *mb, void *arg)
{
	struct shim *sh = arg;

	if (sa_cmp(src, &sh->b, SA_ALL)) {
		(void)udp_send(sh->us, &sh->a, mb);
		return;
	}

	++sh->n;

	/* Lose one packet in 7. */
	if (sh->n % 7 == 3) {
		++sh->dropped;
		return;
	}

	/* Hold one in 5 back and send it after the next one. */
	if (sh->n % 5 == 1 && !sh->held) {
		sh->held = mem_ref(mb);
		return;
	}

	(void)udp_send(sh->us, &sh->b, mb);

	/* And a duplicate now and then. */
	if (sh->n % 11 == 0)
		(void)udp_send(sh->us, &sh->b, mb);

	if (sh->held) {
		(void)udp_send(sh->us, &sh->b, sh->held);
		sh->held = mem_deref(sh->held);
		++sh->reordered;
	}
}


static void jitter_through(const char *codec)
{
	const char *wav = tmp_path("jb-tone.wav");
	const char *rec = tmp_path("jb-rec.wav");
	struct media_codec mc = find_codec(codec);
	struct peer a, b;
	struct shim sh;
	struct sa laddr;

	write_tone_wav(wav, 8000, 1, TONE_A_HZ, 0.5, 1.0);
	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	memset(&sh, 0, sizeof(sh));
	cfg_file(&a.cfg, wav, NULL);
	cfg_file(&b.cfg, NULL, rec);

	alloc_peer(&a);
	alloc_peer(&b);
	local_addr(&sh.a, ll__stream_lport(a.s));
	local_addr(&sh.b, ll__stream_lport(b.s));
	local_addr(&laddr, 0);
	assert_int_equal(0, udp_listen(&sh.us, &laddr, shim_recv, &sh));
	assert_int_equal(0, udp_local_get(sh.us, &laddr));

	assert_int_equal(0, ll__stream_start(a.s, &mc, &laddr));
	assert_int_equal(0, ll__stream_start(b.s, &mc, &laddr));

	run_loop_ms(2200);
	stop_pair(&a, &b);
	mem_deref(sh.held);
	mem_deref(sh.us);

	assert_true(sh.dropped >= 10);
	assert_true(sh.reordered >= 10);
	assert_true(b.nquality >= 1);
	assert_true(b.qdata.loss_pct_down >= 5);

	/* Concealment keeps the tone going through the losses. */
	assert_true(windows(rec, TONE_A_HZ, 0.5, 2.1) >= 0.7);
}


static void test_jitter(void **state)
{
	(void)state;

	jitter_through("PCMU");
	jitter_through("opus");
}


static void test_bad_files(void **state)
{
	const char *txt = tmp_path("bad.txt");
	struct media_codec mc = find_codec("PCMU");
	struct peer a;
	struct sa laddr, raddr;
	FILE *f;
	(void)state;

	f = fopen(txt, "w");
	assert_non_null(f);
	fputs("RIFX this is not a WAV file at all, but long enough\n", f);
	fclose(f);

	local_addr(&laddr, 0);
	local_addr(&raddr, 9);

	memset(&a, 0, sizeof(a));
	cfg_file(&a.cfg, NULL, NULL);
	str_ncpy(a.cfg.driver, "floppy", sizeof(a.cfg.driver));
	assert_int_equal(ENOTSUP, ll__stream_alloc(&a.s, &laddr, &a.cfg,
						   event_handler, &a));

	cfg_file(&a.cfg, tmp_path("missing.wav"), NULL);
	alloc_peer(&a);
	assert_int_equal(ENOENT, ll__stream_start(a.s, &mc, &raddr));
	a.s = mem_deref(a.s);

	cfg_file(&a.cfg, txt, NULL);
	alloc_peer(&a);
	assert_int_equal(EBADMSG, ll__stream_start(a.s, &mc, &raddr));
	a.s = mem_deref(a.s);

	cfg_file(&a.cfg, NULL, "/nonexistent-dir/rec.wav");
	alloc_peer(&a);
	assert_int_equal(ENOENT, ll__stream_start(a.s, &mc, &raddr));

	/* Not started: DTMF is refused, the rest is harmless. */
	assert_int_equal(ENOTCONN, ll__stream_send_dtmf(a.s, '1'));
	ll__stream_set_mute(a.s, true);
	ll__stream_set_volume(a.s, 500, 500);
	a.s = mem_deref(a.s);
}


/*
 * Upsampling a loud file: a step from -32768 to 32767 times the position
 * between two input samples overflowed 32 bits (undefined; in practice a
 * click of the wrong sign).  The samples between two input samples now
 * lie between them.  Found by fuzz_wav (UBSan).
 */
static void test_wav_upsample_full_scale(void **state)
{
	static const int16_t in[] = {-32768, 32767, -32768, 32767};
	const char *path = tmp_path("square.wav");
	struct ll__wavsnk *snk = NULL;
	struct ll__wavsrc *src = NULL;
	int16_t out[24];
	size_t n;
	(void)state;

	assert_int_equal(0, ll__wavsnk_alloc(&snk, path, 8000));
	assert_int_equal(0, ll__wavsnk_write(snk, in, ARRAY_SIZE(in)));
	snk = mem_deref(snk);

	assert_int_equal(0, ll__wavsrc_alloc(&src, path, 1));
	n = ll__wavsrc_read(src, 48000, out, ARRAY_SIZE(out));
	assert_true(n >= 12);

	/* 6 output samples per input sample: up, then down */
	for (size_t i = 1; i < 6; i++)
		assert_true(out[i] > out[i - 1]);
	for (size_t i = 7; i < 12; i++)
		assert_true(out[i] < out[i - 1]);

	mem_deref(src);
	unlink(path);
}


static void test_alsa_missing(void **state)
{
	struct media_codec mc = find_codec("opus");
	struct peer a;
	struct sa raddr;
	int err;
	(void)state;

	memset(&a, 0, sizeof(a));
	cfg_file(&a.cfg, "ll_no_such_device", "ll_no_such_device");
	str_ncpy(a.cfg.driver, "alsa", sizeof(a.cfg.driver));
	local_addr(&raddr, 9);

	alloc_peer(&a);
	err = ll__stream_start(a.s, &mc, &raddr);
	assert_int_not_equal(0, err);
	run_loop_ms(50);
	a.s = mem_deref(a.s);
}


/* alsa-lib's "null" PCM needs no sound card: it runs the driver's
 * threads and rings without any hardware. */
static void test_alsa_null(void **state)
{
	struct media_codec mc = find_codec("PCMU");
	struct peer a;
	struct sa raddr;
	(void)state;

	memset(&a, 0, sizeof(a));
	cfg_file(&a.cfg, "null", "null");
	str_ncpy(a.cfg.driver, "alsa", sizeof(a.cfg.driver));
	local_addr(&raddr, 9);

	alloc_peer(&a);
	assert_int_equal(0, ll__stream_start(a.s, &mc, &raddr));
	assert_int_equal(0, ll__stream_enable_volume(a.s, 100));
	run_loop_ms(400);
	assert_int_equal(0, a.err);
	assert_true(a.nvolume >= 2);
	a.s = mem_deref(a.s);
}


static void test_quality_clean(void **state)
{
	const char *wav = tmp_path("q-tone.wav");
	struct peer a, b;
	(void)state;

	write_tone_wav(wav, 8000, 1, TONE_A_HZ, 0.5, 1.0);
	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	cfg_file(&a.cfg, wav, NULL);
	cfg_file(&b.cfg, NULL, NULL);

	start_pair(&a, &b, "PCMU", NULL);
	run_loop_ms(2300);

	assert_int_equal(1, a.nquality);
	assert_int_equal(1, b.nquality);
	assert_in_range(a.quality, 1, 2);
	assert_in_range(b.quality, 1, 2);
	assert_true(b.qdata.packets_received >= 80);
	assert_true(a.qdata.packets_sent >= 80);
	assert_int_equal(0, b.qdata.loss_pct_down);

	stop_pair(&a, &b);
}


static void test_quality_down(void **state)
{
	struct media_codec mc = find_codec("PCMA");
	struct peer a;
	struct sa raddr;
	(void)state;

	/* Nobody sends to A. */
	memset(&a, 0, sizeof(a));
	cfg_file(&a.cfg, NULL, NULL);
	local_addr(&raddr, 9);
	alloc_peer(&a);
	assert_int_equal(0, ll__stream_start(a.s, &mc, &raddr));

	run_loop_ms(3000);
	assert_true(a.nquality >= 1);
	assert_int_equal(6, a.quality);
	assert_int_equal(0, a.qdata.packets_received);

	a.s = mem_deref(a.s);
}


static void test_quality_grade(void **state)
{
	(void)state;

	assert_int_equal(1, ll__quality_grade(0, 5, 20, false));
	assert_int_equal(1, ll__quality_grade(0, 5, 0, false));
	assert_int_equal(2, ll__quality_grade(2, 5, 20, false));
	assert_int_equal(3, ll__quality_grade(0, 50, 20, false));
	assert_int_equal(4, ll__quality_grade(0, 5, 600, false));
	assert_int_equal(5, ll__quality_grade(30, 5, 20, false));
	assert_int_equal(6, ll__quality_grade(0, 0, 0, true));
}


static void test_pcm_level(void **state)
{
	int16_t v[160];
	(void)state;

	memset(v, 0, sizeof(v));
	assert_int_equal(0, ll__pcm_level(ll__pcm_sumsq(v, 160), 160));
	assert_int_equal(0, ll__pcm_level(0.0, 0));

	for (size_t i = 0; i < ARRAY_SIZE(v); i++)
		v[i] = i % 2 ? 30000 : -30000;
	assert_true(ll__pcm_level(ll__pcm_sumsq(v, 160), 160) >= 98);

	ll__pcm_gain(v, ARRAY_SIZE(v), 150);
	assert_int_equal(INT16_MAX, v[1]);
	assert_int_equal(INT16_MIN, v[0]);
}


/* RFC 4733 on the wire: marker on the first packet, one timestamp per
 * event, growing duration, three end packets; and the receiver's rules. */
static void test_dtmf_packets(void **state)
{
	struct ll__dtmf_tx tx;
	struct ll__dtmf_rx rx;
	uint8_t p[4];
	uint32_t ts = 1000, ev_ts = 0, last_dur = 0;
	unsigned npkt = 0, nend = 0, nmarker = 0;
	bool marker;
	(void)state;

	ll__dtmf_tx_init(&tx);
	assert_int_equal(EINVAL, ll__dtmf_tx_queue(&tx, 'E'));
	assert_int_equal(0, ll__dtmf_tx_queue(&tx, 'b'));

	for (int i = 0; i < 20; i++, ts += 160) {
		if (!ll__dtmf_tx_frame(&tx, ts, 160, p, &marker, &ev_ts))
			continue;

		++npkt;
		assert_int_equal(1000, ev_ts);
		assert_int_equal(13, p[0]);              /* 'B' */
		if (marker)
			++nmarker;
		if (p[1] & 0x80)
			++nend;
		assert_true((uint32_t)(p[2] << 8 | p[3]) >= last_dur);
		last_dur = (uint32_t)(p[2] << 8 | p[3]);
	}
	assert_int_equal(1, nmarker);
	assert_int_equal(3, nend);
	assert_int_equal(8, npkt);
	assert_int_equal(800, last_dur);

	/* Receiver: once per event, even with every end packet lost. */
	ll__dtmf_rx_init(&rx);
	p[0] = 5; p[1] = 10; p[2] = 0; p[3] = 160;
	ll__dtmf_rx_packet(&rx, 5000, p, 4, 0);
	p[1] = 0x80 | 10;
	ll__dtmf_rx_packet(&rx, 5000, p, 4, 20);
	ll__dtmf_rx_packet(&rx, 5000, p, 4, 40);      /* repeated end */
	assert_int_equal(1, rx.ndigits);

	p[0] = 11; p[1] = 10;                          /* '#', no end */
	ll__dtmf_rx_packet(&rx, 6000, p, 4, 100);
	p[0] = 1;
	ll__dtmf_rx_packet(&rx, 7000, p, 4, 300);      /* next event */
	p[0] = 5; p[1] = 0x80 | 10;
	ll__dtmf_rx_packet(&rx, 5000, p, 4, 310);      /* late, old */
	assert_int_equal(2, rx.ndigits);
	ll__dtmf_rx_poll(&rx, 1000);
	assert_int_equal(2, rx.ndigits);
	ll__dtmf_rx_poll(&rx, 1400);                   /* end never came */
	assert_int_equal(3, rx.ndigits);
	assert_memory_equal("5#1", rx.digits, 3);

	p[0] = 16;                                     /* flash: ignored */
	ll__dtmf_rx_packet(&rx, 9000, p, 4, 2000);
	ll__dtmf_rx_packet(&rx, 9000, p, 3, 2000);     /* short */
	assert_int_equal(3, rx.ndigits);
}


static int group_setup(void **state)
{
	(void)state;

	snprintf(tmpdir, sizeof(tmpdir), "/tmp/ll-audio-XXXXXX");
	return mkdtemp(tmpdir) ? 0 : -1;
}


static int group_teardown(void **state)
{
	static const char *files[] = {
		"tone8k.wav", "tone16k.wav", "tone44k.wav", "tone-rec.wav",
		"mute-tone.wav", "mute-rec.wav", "music.wav", "music.txt",
		"music-rec.wav", "vol-tone.wav", "vol-rec.wav", "jb-tone.wav",
		"jb-rec.wav", "bad.txt", "q-tone.wav", "restart-tone.wav",
		"restart-rec.wav", "rebind-tone.wav", "rebind-rec.wav",
	};
	(void)state;

	for (size_t i = 0; i < ARRAY_SIZE(files); i++)
		(void)unlink(tmp_path(files[i]));

	return rmdir(tmpdir);
}


int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_codecs),
		cmocka_unit_test(test_quality_grade),
		cmocka_unit_test(test_pcm_level),
		cmocka_unit_test(test_dtmf_packets),
		cmocka_unit_test(test_tone_pcmu),
		cmocka_unit_test(test_tone_pcma),
		cmocka_unit_test(test_tone_opus),
		cmocka_unit_test(test_dtmf),
		cmocka_unit_test(test_restart),
		cmocka_unit_test(test_rebind),
		cmocka_unit_test(test_mute),
		cmocka_unit_test(test_music),
		cmocka_unit_test(test_volume),
		cmocka_unit_test(test_jitter),
		cmocka_unit_test(test_bad_files),
		cmocka_unit_test(test_wav_upsample_full_scale),
		cmocka_unit_test(test_alsa_missing),
		cmocka_unit_test(test_alsa_null),
		cmocka_unit_test(test_quality_clean),
		cmocka_unit_test(test_quality_down),
	};
	int n;

	if (libre_init())
		return 1;

	n = cmocka_run_group_tests(tests, group_setup, group_teardown);

	libre_close();

	return n;
}
