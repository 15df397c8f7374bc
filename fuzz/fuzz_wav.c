/**
 * @file fuzz/fuzz_wav.c  WAV files: the SDK's audio source and the
 *                        server's prompt loader
 *
 * Copyright (C) 2026 The lianluo authors
 *
 * An input is a WAV file (written to a temporary file: both readers take
 * a path).  The SDK reads it as an agent's audio source (sdk/audio/wav.c),
 * resampled to each rate it plays at, one pass; the server loads it as a
 * prompt (media_prompt_load) and plays it over the queue music
 * (media/playlist.c), as it does for a prompt file an operator dropped in
 * the prompt directory.
 */
#include <string.h>
#include <stdlib.h>
#include <re.h>
#include "common/log.h"
#include "common/media_sdp.h"
#include "config.h"
#include "store/store.h"
#include "sdk/audio/audio.h"
#include "media/media.h"
#include "fuzz.h"


enum {
	FRAME_MAX = 960,       /* 20 ms at 48 kHz */
	READS_MAX = 4096,      /* a bound; one pass of a small file ends
				  well before */
};


int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;

	fuzz_init();

	return 0;
}


static void sdk_read(const char *path)
{
	static const uint32_t ratev[] = {8000, 16000, 48000, 44100};
	struct ll__wavsrc *src = NULL;
	int16_t sampv[FRAME_MAX];

	if (ll__wavsrc_alloc(&src, path, 1))
		return;

	for (size_t i = 0; i < READS_MAX && !ll__wavsrc_done(src); i++) {
		const uint32_t srate = ratev[(i / 8) % 4];
		const size_t n = srate / 50;
		size_t got;

		got = ll__wavsrc_read(src, srate, sampv, n);
		if (got > n)
			abort();
	}

	mem_deref(src);
}


static void server_load(const char *path)
{
	struct media_prompt *mp = NULL;
	struct playlist *pl = NULL;
	int16_t sampv[160];

	if (media_prompt_load(&mp, path))
		return;

	if (!mp->sampc || !mp->sampv)
		abort();

	if (!playlist_alloc(&pl, NULL) && !playlist_add(pl, mp)) {
		for (size_t i = 0; i < READS_MAX && playlist_pending(pl);
		     i++)
			playlist_read(pl, sampv, ARRAY_SIZE(sampv));
	}

	mem_deref(pl);
	mem_deref(mp);
}


int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *path = fuzz_file_write(data, size);

	if (!path)
		return 0;

	sdk_read(path);
	server_load(path);

	return 0;
}
