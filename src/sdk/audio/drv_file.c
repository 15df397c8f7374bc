/**
 * @file sdk/audio/drv_file.c  File audio driver: WAV in, WAV out
 *
 * Copyright (C) 2026 The lianluo authors
 *
 * Capture reads a 16-bit PCM WAV of any rate, mono or stereo, converted
 * to the call's rate and looped at its end; playout writes what the agent
 * hears as a mono WAV at the call's rate, its header valid after every
 * frame.  An empty name means silence in, or nothing written.  Everything
 * runs on the loop thread: one frame per tick.
 */
#include <string.h>
#include <re.h>
#include "common/media_sdp.h"
#include "audio.h"


struct file_st {
	struct ll__wavsrc *src;      /* capture, or NULL */
	struct ll__wavsnk *snk;      /* playout, or NULL */
	uint32_t srate;
};


static void destructor(void *arg)
{
	struct file_st *st = arg;

	mem_deref(st->src);
	mem_deref(st->snk);
}


static int file_open(void **stp, const char *capture, const char *playout,
		     uint32_t srate)
{
	struct file_st *st;
	int err = 0;

	st = mem_zalloc(sizeof(*st), destructor);
	if (!st)
		return ENOMEM;

	st->srate = srate;

	if (str_isset(capture)) {
		err = ll__wavsrc_alloc(&st->src, capture, 0);
		if (err)
			goto out;
	}

	if (str_isset(playout)) {
		err = ll__wavsnk_alloc(&st->snk, playout, srate);
		if (err)
			goto out;
	}

 out:
	if (err)
		mem_deref(st);
	else
		*stp = st;

	return err;
}


static int file_read(void *arg, int16_t *sampv, size_t sampc)
{
	struct file_st *st = arg;

	if (!st->src) {
		memset(sampv, 0, sampc * sizeof(*sampv));
		return 0;
	}

	(void)ll__wavsrc_read(st->src, st->srate, sampv, sampc);

	return 0;
}


static int file_write(void *arg, const int16_t *sampv, size_t sampc)
{
	struct file_st *st = arg;

	if (!st->snk)
		return 0;

	return ll__wavsnk_write(st->snk, sampv, sampc);
}


const struct ll__audrv ll__audrv_file = {
	"file", file_open, file_read, file_write
};
