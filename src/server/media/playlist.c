/**
 * @file media/playlist.c  What a waiting caller hears, sample by sample
 *
 * Copyright (C) 2026 The lianluo authors
 *
 * A playlist is prompts played once each, in the order they were added,
 * over a music source looped underneath: while prompts are pending they
 * are heard, then the music resumes where it paused (a caller hears the
 * hold music go on, not restart).  The music is a WAV prompt or, without
 * one, the 425 Hz queue tone (1 s on, 0.5 s off).  It only produces
 * samples; the player (player.c) times, encodes and sends them, so that
 * what a caller hears can be tested without a network.
 */
#include <string.h>
#include <math.h>
#include <re.h>
#include "common/media_sdp.h"
#include "media/media.h"


enum {
	TONE_HZ     = 425,
	TONE_ON_MS  = 1000,
	TONE_OFF_MS = 500,
	TONE_LEVEL  = 8000,
};

struct playlist {
	const struct media_prompt *music;           /* (ref.) NULL: tone */
	const struct media_prompt *itemv[PLAYLIST_MAX]; /* (ref.) ring */
	size_t head;                                /* index of the first */
	size_t itemc;
	size_t item_pos;                            /* in the first item */
	uint64_t music_pos;                         /* samples of music */
	bool silent;                                /* silence for music */
};


static void destructor(void *arg)
{
	struct playlist *pl = arg;

	playlist_flush(pl);
	mem_deref((void *)pl->music);
}


/**
 * Allocate a playlist with nothing pending.
 *
 * @param plp    Returned playlist
 * @param music  Prompt looped when nothing is pending, NULL for the tone
 *
 * @return 0 if success, otherwise errorcode
 */
int playlist_alloc(struct playlist **plp, const struct media_prompt *music)
{
	struct playlist *pl;

	if (!plp)
		return EINVAL;

	pl = mem_zalloc(sizeof(*pl), destructor);
	if (!pl)
		return ENOMEM;

	if (music && music->sampc)
		pl->music = mem_ref((void *)music);

	*plp = pl;
	return 0;
}


/**
 * Add a prompt to play once, after those pending.
 *
 * @return 0 if success, EOVERFLOW when PLAYLIST_MAX are pending
 */
int playlist_add(struct playlist *pl, const struct media_prompt *mp)
{
	if (!pl || !mp)
		return EINVAL;

	if (pl->itemc >= PLAYLIST_MAX)
		return EOVERFLOW;

	/* An empty prompt would only stall the sequence: skip it. */
	if (!mp->sampc)
		return 0;

	pl->itemv[(pl->head + pl->itemc++) % PLAYLIST_MAX] =
		mem_ref((void *)mp);

	return 0;
}


/**
 * Drop every pending prompt; the music goes on.
 */
void playlist_flush(struct playlist *pl)
{
	if (!pl)
		return;

	while (pl->itemc) {
		pl->itemv[pl->head] = mem_deref((void *)pl->itemv[pl->head]);
		pl->head = (pl->head + 1) % PLAYLIST_MAX;
		--pl->itemc;
	}

	pl->item_pos = 0;
}


/**
 * Silence instead of the music (a prompt played once, then nothing).
 */
void playlist_set_silent(struct playlist *pl, bool silent)
{
	if (pl)
		pl->silent = silent;
}


/**
 * Samples still to come from the pending prompts (0: music only).
 */
size_t playlist_pending(const struct playlist *pl)
{
	size_t n = 0;

	if (!pl)
		return 0;

	for (size_t i = 0; i < pl->itemc; i++)
		n += pl->itemv[(pl->head + i) % PLAYLIST_MAX]->sampc;

	return n - pl->item_pos;
}


static int16_t music_sample(struct playlist *pl)
{
	uint64_t pos = pl->music_pos++;
	uint64_t cycle_ms;

	if (pl->silent)
		return 0;

	if (pl->music)
		return pl->music->sampv[pos % pl->music->sampc];

	/* The tone's phase runs on through its pauses and the prompts. */
	cycle_ms = (pos / 8) % (TONE_ON_MS + TONE_OFF_MS);
	if (cycle_ms >= TONE_ON_MS)
		return 0;

	return (int16_t)(TONE_LEVEL * sin(2.0 * M_PI * TONE_HZ *
					  (double)pos / 8000.0));
}


/**
 * The next n samples at 8 kHz: the pending prompts, then music.
 *
 * @param pl     Playlist
 * @param sampv  Buffer for n samples
 * @param n      Number of samples
 */
void playlist_read(struct playlist *pl, int16_t *sampv, size_t n)
{
	size_t i = 0;

	if (!pl || !sampv)
		return;

	while (i < n && pl->itemc) {
		const struct media_prompt *mp = pl->itemv[pl->head];
		size_t k = min(n - i, mp->sampc - pl->item_pos);

		memcpy(&sampv[i], &mp->sampv[pl->item_pos],
		       k * sizeof(*sampv));
		i += k;
		pl->item_pos += k;

		if (pl->item_pos == mp->sampc) {
			pl->itemv[pl->head] = mem_deref((void *)mp);
			pl->head = (pl->head + 1) % PLAYLIST_MAX;
			--pl->itemc;
			pl->item_pos = 0;
		}
	}

	for (; i < n; i++)
		sampv[i] = music_sample(pl);
}
