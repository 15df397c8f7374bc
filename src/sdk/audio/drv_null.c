/**
 * @file sdk/audio/drv_null.c  Null audio driver: silence in, nothing out
 *
 * Copyright (C) 2026 The lianluo authors
 *
 * For bots and tests that need a call's media to flow without any audio
 * device or file, and for an app that has not been granted the
 * microphone: nothing is ever opened.
 */
#include <string.h>
#include <re.h>
#include "common/media_sdp.h"
#include "audio.h"


static int null_open(void **stp, const char *capture, const char *playout,
		     uint32_t srate)
{
	(void)capture;
	(void)playout;
	(void)srate;

	/* A state object anyway, so that "open" has one meaning. */
	*stp = mem_zalloc(1, NULL);

	return *stp ? 0 : ENOMEM;
}


static int null_read(void *st, int16_t *sampv, size_t sampc)
{
	(void)st;
	memset(sampv, 0, sampc * sizeof(*sampv));

	return 0;
}


static int null_write(void *st, const int16_t *sampv, size_t sampc)
{
	(void)st;
	(void)sampv;
	(void)sampc;

	return 0;
}


const struct ll__audrv ll__audrv_null = {
	"null", null_open, null_read, null_write
};
