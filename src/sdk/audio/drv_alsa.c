/**
 * @file sdk/audio/drv_alsa.c  ALSA audio driver: the host's sound card
 *
 * Copyright (C) 2026 The lianluo authors
 *
 * DESIGN: ALSA's blocking reads and writes follow the sound card's clock,
 * which the loop must never wait for.  So each direction has a thread of
 * its own that does blocking I/O one 20 ms period at a time and moves
 * samples through a ring buffer guarded by a mutex; the loop side only
 * copies to and from the rings.  The rings also absorb the drift between
 * the card's clock and the loop's: on overflow the oldest samples go, on
 * underflow silence is played.  The threads never touch a libre object
 * (mem_ref is not atomic): an error they meet is stored and returned by
 * the next read or write on the loop thread.
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <alsa/asoundlib.h>
#include <re.h>
#include "common/log.h"
#include "common/media_sdp.h"
#include "audio.h"


enum {
	RING_MS    = 200,       /* at most this much audio is queued    */
	LATENCY_US = 60000,     /* ALSA buffer asked for                */
};

struct ring {
	int16_t *buf;
	size_t cap;
	size_t head;            /* index of the oldest sample           */
	size_t len;
};

struct alsa_st {
	pthread_mutex_t mtx;    /* guards the rings and err             */
	bool mtx_ok;
	snd_pcm_t *cap;
	snd_pcm_t *play;
	pthread_t cap_thr;
	pthread_t play_thr;
	bool cap_started;
	bool play_started;
	atomic_bool run;
	struct ring capq;
	struct ring playq;
	size_t period;          /* samples per 20 ms                    */
	int err;                /* first error met by a thread          */
};


static void ring_push(struct ring *r, const int16_t *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (r->len == r->cap) {          /* drop the oldest */
			r->head = (r->head + 1) % r->cap;
			--r->len;
		}
		r->buf[(r->head + r->len) % r->cap] = v[i];
		++r->len;
	}
}


static size_t ring_pop(struct ring *r, int16_t *v, size_t n)
{
	size_t i;

	for (i = 0; i < n && r->len; i++) {
		v[i] = r->buf[r->head];
		r->head = (r->head + 1) % r->cap;
		--r->len;
	}

	return i;
}


static void set_err(struct alsa_st *st, int err)
{
	pthread_mutex_lock(&st->mtx);
	if (!st->err)
		st->err = err;
	pthread_mutex_unlock(&st->mtx);
}


static void *capture_thread(void *arg)
{
	struct alsa_st *st = arg;
	int16_t *buf = calloc(st->period, sizeof(*buf));

	if (!buf) {
		set_err(st, ENOMEM);
		return NULL;
	}

	while (atomic_load(&st->run)) {
		snd_pcm_sframes_t n;

		n = snd_pcm_readi(st->cap, buf, st->period);
		if (n < 0) {
			/* Overrun (-EPIPE) or suspend: recoverable; a
			 * device gone away is not. */
			if (snd_pcm_recover(st->cap, (int)n, 1) < 0) {
				set_err(st, (int)-n);
				break;
			}
			continue;
		}

		pthread_mutex_lock(&st->mtx);
		ring_push(&st->capq, buf, (size_t)n);
		pthread_mutex_unlock(&st->mtx);
	}

	free(buf);
	return NULL;
}


static void *playout_thread(void *arg)
{
	struct alsa_st *st = arg;
	int16_t *buf = calloc(st->period, sizeof(*buf));

	if (!buf) {
		set_err(st, ENOMEM);
		return NULL;
	}

	while (atomic_load(&st->run)) {
		snd_pcm_sframes_t n;
		size_t got;

		pthread_mutex_lock(&st->mtx);
		got = ring_pop(&st->playq, buf, st->period);
		pthread_mutex_unlock(&st->mtx);

		/* Underflow: play silence rather than let the card run
		 * dry, which would cost a recovery and a click. */
		memset(buf + got, 0, (st->period - got) * sizeof(*buf));

		n = snd_pcm_writei(st->play, buf, st->period);
		if (n < 0 && snd_pcm_recover(st->play, (int)n, 1) < 0) {
			set_err(st, (int)-n);
			break;
		}
	}

	free(buf);
	return NULL;
}


static void destructor(void *arg)
{
	struct alsa_st *st = arg;

	atomic_store(&st->run, false);
	if (st->cap_started)
		pthread_join(st->cap_thr, NULL);
	if (st->play_started)
		pthread_join(st->play_thr, NULL);

	if (st->cap)
		snd_pcm_close(st->cap);
	if (st->play)
		snd_pcm_close(st->play);

	free(st->capq.buf);
	free(st->playq.buf);
	if (st->mtx_ok)
		pthread_mutex_destroy(&st->mtx);
}


static int open_pcm(snd_pcm_t **pcmp, const char *dev,
		    snd_pcm_stream_t dir, uint32_t srate)
{
	const char *name = str_isset(dev) ? dev : "default";
	const char *what = dir == SND_PCM_STREAM_CAPTURE ?
		"capture" : "playout";
	int r;

	r = snd_pcm_open(pcmp, name, dir, 0);
	if (r < 0) {
		log_warn("audio: alsa: cannot open %s device \"%s\": %s",
			 what, name, snd_strerror(r));
		*pcmp = NULL;
		return r == -ENOENT ? ENODEV : -r;
	}

	/* Mono S16 at the call's rate; soft resampling lets any card
	 * take it.  */
	r = snd_pcm_set_params(*pcmp, SND_PCM_FORMAT_S16,
			       SND_PCM_ACCESS_RW_INTERLEAVED, 1, srate, 1,
			       LATENCY_US);
	if (r < 0) {
		log_warn("audio: alsa: %s device \"%s\": %s", what, name,
			 snd_strerror(r));
		return -r;
	}

	return 0;
}


static int alsa_open(void **stp, const char *capture, const char *playout,
		     uint32_t srate)
{
	struct alsa_st *st;
	size_t ring_n;
	int err;

	st = mem_zalloc(sizeof(*st), destructor);
	if (!st)
		return ENOMEM;

	atomic_init(&st->run, true);
	st->period = srate * LL__PTIME_MS / 1000;

	err = pthread_mutex_init(&st->mtx, NULL);
	if (err)
		goto out;
	st->mtx_ok = true;

	ring_n = srate * RING_MS / 1000;
	st->capq.buf  = calloc(ring_n, sizeof(int16_t));
	st->playq.buf = calloc(ring_n, sizeof(int16_t));
	if (!st->capq.buf || !st->playq.buf) {
		err = ENOMEM;
		goto out;
	}
	st->capq.cap = st->playq.cap = ring_n;

	err = open_pcm(&st->cap, capture, SND_PCM_STREAM_CAPTURE, srate);
	if (err)
		goto out;

	err = open_pcm(&st->play, playout, SND_PCM_STREAM_PLAYBACK, srate);
	if (err)
		goto out;

	err = pthread_create(&st->cap_thr, NULL, capture_thread, st);
	if (err)
		goto out;
	st->cap_started = true;

	err = pthread_create(&st->play_thr, NULL, playout_thread, st);
	if (err)
		goto out;
	st->play_started = true;

 out:
	if (err)
		mem_deref(st);
	else
		*stp = st;

	return err;
}


static int alsa_read(void *arg, int16_t *sampv, size_t sampc)
{
	struct alsa_st *st = arg;
	size_t got;
	int err;

	pthread_mutex_lock(&st->mtx);
	err = st->err;
	got = ring_pop(&st->capq, sampv, sampc);
	pthread_mutex_unlock(&st->mtx);

	memset(sampv + got, 0, (sampc - got) * sizeof(*sampv));

	return err;
}


static int alsa_write(void *arg, const int16_t *sampv, size_t sampc)
{
	struct alsa_st *st = arg;
	int err;

	pthread_mutex_lock(&st->mtx);
	err = st->err;
	ring_push(&st->playq, sampv, sampc);
	pthread_mutex_unlock(&st->mtx);

	return err;
}


const struct ll__audrv ll__audrv_alsa = {
	"alsa", alsa_open, alsa_read, alsa_write
};
