/**
 * @file sip/waiting.c  What a caller hears while waiting in a queue
 *
 * Copyright (C) 2026 The lianluo authors
 *
 * DESIGN: one player per waiting call (media/player.c) plays, in order:
 * the operator's queue prompt once (queue-prompt, if any), then hold music
 * looped (hold-music, or the 425 Hz tone), and after every
 * announce-period seconds of music an announcement of the call's position
 * and estimated wait, composed from small prompts (media/say.c), after
 * which the music resumes where it paused.  The position is asked of the
 * ACD when the announcement starts, so a caller who moved up hears the new
 * place.  The period counts music only, so that a caller always hears
 * some music between two announcements, however long they are.
 *
 * Everything is one player and so one RTP stream: the leg hears the same
 * SSRC with sequence numbers running on from prompt to music to
 * announcement, and the relay continues that stream when the agent's
 * media takes over.  The prompts are loaded once at start-up
 * (waiting_media_load), so a call never waits for the disk.
 */
#include <string.h>
#include <re.h>
#include "common/log.h"
#include "common/media_sdp.h"
#include "store/store.h"
#include "config.h"
#include "media/media.h"
#include "acd/acd.h"
#include "sip/sipint.h"


/* The language of the announcements: a subdirectory of prompt-dir. */
#define WAITING_LANG "en"

struct waiting_media {
	struct media_prompt *queue_prompt;   /* NULL: none */
	struct media_prompt *music;          /* NULL: the tone */
	struct media_promptset *phrases;     /* NULL: no announcements */
	uint32_t announce_period_s;
};

struct waiting {
	struct tmr tmr;
	struct player *player;
	const struct waiting_media *wm;      /* (ref.) */
	struct acd_call *acall;              /* (ref.) */
	uint32_t announced;
};


static void media_destructor(void *arg)
{
	struct waiting_media *wm = arg;

	mem_deref(wm->queue_prompt);
	mem_deref(wm->music);
	mem_deref(wm->phrases);
}


/**
 * Load the queue prompt, the hold music and, when announcements are on,
 * the phrases of en/ in the prompt directory (config_prompt_dir).
 *
 * @param wmp  Returned media
 * @param cfg  Configuration
 *
 * @return 0 if success, otherwise errorcode (what failed is logged)
 */
int waiting_media_load(struct waiting_media **wmp, const struct config *cfg)
{
	struct waiting_media *wm;
	char dir[320];
	int err = 0;

	if (!wmp || !cfg)
		return EINVAL;

	wm = mem_zalloc(sizeof(*wm), media_destructor);
	if (!wm)
		return ENOMEM;

	wm->announce_period_s = cfg->announce_period_s;

	if (cfg->queue_prompt[0]) {
		err = media_prompt_load(&wm->queue_prompt, cfg->queue_prompt);
		if (err) {
			log_error("sip: queue prompt %s: %m",
				  cfg->queue_prompt, err);
			goto out;
		}
	}

	if (cfg->hold_music[0]) {
		err = media_prompt_load(&wm->music, cfg->hold_music);
		if (err) {
			log_error("sip: hold music %s: %m", cfg->hold_music,
				  err);
			goto out;
		}
	}

	if (!cfg->announce_period_s)
		goto out;

	err = config_prompt_dir(cfg, WAITING_LANG, dir, sizeof(dir));
	if (err) {
		log_error("sip: announcements need prompts, and no prompt"
			  " directory has " WAITING_LANG "/ (set prompt-dir)");
		goto out;
	}

	err = media_promptset_load(&wm->phrases, dir, say_prompt_names,
				   say_prompt_namec);
	if (err) {
		log_error("sip: announcement prompts in %s: %m", dir, err);
		goto out;
	}

	log_info("sip: queue announcements every %us of music, prompts"
		 " from %s", cfg->announce_period_s, dir);

 out:
	if (err)
		mem_deref(wm);
	else
		*wmp = wm;

	return err;
}


static void destructor(void *arg)
{
	struct waiting *w = arg;

	tmr_cancel(&w->tmr);
	mem_deref(w->player);
	mem_deref((void *)w->wm);
	mem_deref(w->acall);
}


static void announce_handler(void *arg);


/* The music plays on from here: the next announcement is a period away. */
static void done_handler(void *arg)
{
	struct waiting *w = arg;

	if (w->wm->phrases)
		tmr_start(&w->tmr, w->wm->announce_period_s * 1000ULL,
			  announce_handler, w);
}


static void announce_handler(void *arg)
{
	struct waiting *w = arg;
	const char *namev[SAY_MAX];
	uint32_t pos, ewt_s;
	size_t namec, played = 0;
	int err;

	err = acd_call_position(w->acall, &pos, &ewt_s);
	if (err) {
		/* Not waiting now (e.g. not yet queued): try later. */
		done_handler(w);
		return;
	}

	/* ACD_EWT_UNKNOWN is say.c's "no estimate" (UINT32_MAX) too. */
	namec = say_queue_position(namev, ARRAY_SIZE(namev), pos, ewt_s);

	for (size_t i = 0; i < namec; i++) {
		const struct media_prompt *mp;

		mp = media_promptset_get(w->wm->phrases, namev[i]);
		if (mp && 0 == player_play(w->player, mp))
			++played;
	}

	++w->announced;
	if (ewt_s == ACD_EWT_UNKNOWN)
		log_debug("sip: call %s: announcement %u: position %u, no"
			  " wait estimate", acd_call_id(w->acall),
			  w->announced, pos);
	else
		log_debug("sip: call %s: announcement %u: position %u, wait"
			  " %us", acd_call_id(w->acall), w->announced, pos,
			  ewt_s);

	/* The done handler restarts the period when it has been said. */
	if (!played)
		done_handler(w);
}


/**
 * Start what a queued caller hears, on the caller's leg (A) of the call's
 * relay; it stops when dereferenced (the agent answered, the call ended).
 *
 * @param wp     Returned waiting media of this call
 * @param wm     Media loaded by waiting_media_load
 * @param r      The call's relay
 * @param codec  Codec negotiated on leg A
 * @param acall  The ACD's call, asked for its position
 *
 * @return 0 if success, otherwise errorcode
 */
int waiting_alloc(struct waiting **wp, const struct waiting_media *wm,
		  struct relay *r, const struct media_codec *codec,
		  struct acd_call *acall)
{
	struct waiting *w;
	int err;

	if (!wp || !wm || !r || !codec || !acall)
		return EINVAL;

	w = mem_zalloc(sizeof(*w), destructor);
	if (!w)
		return ENOMEM;

	tmr_init(&w->tmr);
	w->wm = mem_ref((void *)wm);
	w->acall = mem_ref(acall);

	err = player_alloc(&w->player, r, RELAY_A, codec, wm->music);
	if (err)
		goto out;

	player_set_done_handler(w->player, done_handler, w);

	if (wm->queue_prompt)
		err = player_play(w->player, wm->queue_prompt);
	else
		done_handler(w);

 out:
	if (err)
		mem_deref(w);
	else
		*wp = w;

	return err;
}
