/**
 * @file sip/ivr.c  Running a number's IVR menu on an answered call
 *
 * Copyright (C) 2026 The lianluo authors
 *
 * DESIGN: the B2BUA hands an answered inbound call to sip_ivr_start()
 * instead of queueing it.  The IVR plays the menu's prompt to leg A,
 * listens to leg A's RTP through the relay's receive hook and drives the
 * digit collector of ivr/collect.c; when an option queues or hangs up it
 * tells the B2BUA through the done handler, which then owns the call
 * again.  Digits come as RFC 4733 telephone-events (the payload type of
 * the caller's offer) or, for G.711 callers who send none, in-band: the
 * audio goes through ivr/inband.c until the first telephone-event is
 * seen, after which in-band detection stops so that no digit counts
 * twice.
 *
 * The receive hook runs inside the relay's socket handler, where the
 * relay must not be freed; digits are therefore only queued there and
 * handled from a zero-delay timer, as are the results that can end the
 * call.
 *
 * Prompts are PROMPT_DIR/NAME.wav, loaded on first use and kept; a file
 * changed on disk (size or time) is loaded again.  A missing or bad file
 * is logged once per name while it stays so, and a short tone stands in.
 *
 * Privacy: the digits a caller presses may be an account number.  They
 * are never logged; an option is logged by menu and key only because the
 * key is one of the menu's configured options.
 */
#include <string.h>
#include <sys/stat.h>
#include <re.h>
#include "common/log.h"
#include "common/media_sdp.h"
#include "store/store.h"
#include "config.h"
#include "media/media.h"
#include "ivr/ivr.h"
#include "sip/sipint.h"


enum {
	DIGITS_MAX    = 8,      /* queued between two timer runs */
	TE_EVENT_MAX  = 11,     /* 0-9 '*' '#'; A-D and flash ignored */
};

/* A prompt file as last loaded (or found missing) */
struct ivr_prompt {
	struct le le;
	char name[IVR_PROMPT_SZ];
	struct media_prompt *mp;       /* NULL: missing or unusable */
	off_t size;
	time_t mtime;
};

struct sip_ivr {
	struct sipfront *sf;
	struct relay *relay;               /* (ref.) */
	struct player *player;
	struct ivr_inband *inband;
	struct media_codec codec;          /* leg A's */
	struct tmr wait_tmr;               /* no input after the prompt */
	struct tmr evt_tmr;                /* digits and the end, deferred */
	struct ivr_menu menu;
	struct ivr_collect collect;
	char app[STORE_ID_SZ];
	char call_id[64];
	char menu_name[IVR_NAME_SZ];
	char fallback_group[STORE_NAME_SZ];  /* the number's, or "" */
	char digitv[DIGITS_MAX];
	size_t digitc;
	uint32_t te_last_ts;
	int32_t number_priority;
	unsigned depth;                    /* sub-menus entered */
	enum sip_ivr_result result;
	char result_group[IVR_NAME_SZ];
	int32_t result_priority;
	bool te_seen;                      /* telephone-events: no in-band */
	bool te_started;
	bool done;
	sip_ivr_done_h *doneh;
	void *arg;
};


static void step_do(struct sip_ivr *ivr, enum ivr_step step,
		    const struct ivr_option *opt);


static void destructor(void *arg)
{
	struct sip_ivr *ivr = arg;

	tmr_cancel(&ivr->wait_tmr);
	tmr_cancel(&ivr->evt_tmr);
	relay_set_recv_handler(ivr->relay, RELAY_A, NULL, NULL);
	mem_deref(ivr->player);
	mem_deref(ivr->inband);
	mem_deref(ivr->relay);
}


static void prompt_destructor(void *arg)
{
	struct ivr_prompt *p = arg;

	list_unlink(&p->le);
	mem_deref(p->mp);
}


/* The prompt of that name, loaded or reloaded if its file changed; NULL
 * when it can not be played (the caller then plays a tone). */
static const struct media_prompt *prompt_get(struct sipfront *sf,
					     const char *name)
{
	struct ivr_prompt *p = NULL;
	char path[512];
	struct stat stt;
	struct le *le;
	int err;

	for (le = sf->ivr_prompts.head; le; le = le->next) {
		struct ivr_prompt *q = le->data;

		if (!strcmp(q->name, name)) {
			p = q;
			break;
		}
	}

	if (sf->cfg->prompt_dir[0])
		err = re_snprintf(path, sizeof(path), "%s/%s.wav",
				  sf->cfg->prompt_dir, name) < 0;
	else
		err = re_snprintf(path, sizeof(path), "%s/prompts/%s.wav",
				  sf->cfg->data_dir, name) < 0;
	if (err)
		return NULL;

	if (stat(path, &stt)) {
		/* once while it stays missing */
		if (!p || p->mp || p->size != -1)
			log_warn("sip: IVR prompt '%s' not found in the "
				 "prompt directory: playing a tone", name);
		memset(&stt, 0, sizeof(stt));
		stt.st_size = -1;
	}
	else if (p && p->size == stt.st_size &&
		 p->mtime == stt.st_mtime) {
		return p->mp;
	}

	if (!p) {
		p = mem_zalloc(sizeof(*p), prompt_destructor);
		if (!p)
			return NULL;
		str_ncpy(p->name, name, sizeof(p->name));
		list_append(&sf->ivr_prompts, &p->le, p);
	}

	p->mp = mem_deref(p->mp);
	p->size = stt.st_size;
	p->mtime = stt.st_mtime;

	if (stt.st_size >= 0) {
		err = media_prompt_load(&p->mp, path);
		if (err)
			log_warn("sip: IVR prompt '%s' can not be played "
				 "(%m): playing a tone", name, err);
	}

	return p->mp;
}


static void prompt_done_handler(void *arg)
{
	struct sip_ivr *ivr = arg;

	ivr->player = mem_deref(ivr->player);
	step_do(ivr, ivr_collect_prompt_end(&ivr->collect), NULL);
}


static void play(struct sip_ivr *ivr, const char *name)
{
	const struct media_prompt *mp;
	int err;

	ivr->player = mem_deref(ivr->player);

	mp = name[0] ? prompt_get(ivr->sf, name) : NULL;

	err = player_alloc(&ivr->player, ivr->relay, RELAY_A, &ivr->codec,
			   mp);
	if (err) {
		/* Nothing to hear; the caller can still press a key. */
		log_warn("sip: call %s: IVR prompt: %m", ivr->call_id, err);
		step_do(ivr, ivr_collect_prompt_end(&ivr->collect), NULL);
		return;
	}

	player_set_once(ivr->player, prompt_done_handler, ivr);
}


/* Report the result from a timer: the B2BUA may end the call in it. */
static void finish_handler(void *arg)
{
	struct sip_ivr *ivr = arg;

	ivr->doneh(ivr->result, ivr->result_group, ivr->result_priority,
		   ivr->arg);
}


static void finish(struct sip_ivr *ivr, enum sip_ivr_result result,
		   const char *group, int32_t priority)
{
	if (ivr->done)
		return;

	ivr->done = true;
	ivr->result = result;
	str_ncpy(ivr->result_group, group ? group : "",
		 sizeof(ivr->result_group));
	ivr->result_priority = priority;

	tmr_cancel(&ivr->wait_tmr);
	ivr->player = mem_deref(ivr->player);
	relay_set_recv_handler(ivr->relay, RELAY_A, NULL, NULL);
	ivr->digitc = 0;

	tmr_start(&ivr->evt_tmr, 0, finish_handler, ivr);
}


/* A menu or group is gone since the menu was configured. */
static void finish_fallback(struct sip_ivr *ivr)
{
	if (ivr->fallback_group[0]) {
		log_info("sip: call %s: IVR falls back to the number's skill"
			 " group %s", ivr->call_id, ivr->fallback_group);
		finish(ivr, SIP_IVR_QUEUE, ivr->fallback_group,
		       ivr->number_priority);
		return;
	}

	finish(ivr, SIP_IVR_HANGUP, NULL, 0);
}


static int menu_load(struct sip_ivr *ivr, const char *name)
{
	struct store_ivr *sm;
	char errbuf[IVR_ERR_SZ];
	int err;

	/* A spec is 4 KB: not on the stack of a socket handler */
	sm = mem_zalloc(sizeof(*sm), NULL);
	if (!sm)
		return ENOMEM;

	err = store_ivr_get(ivr->sf->st, ivr->app, name, sm);
	if (err) {
		log_warn("sip: call %s: IVR menu %s: %m", ivr->call_id, name,
			 err);
		goto out;
	}

	err = ivr_menu_decode(&ivr->menu, sm->spec, strlen(sm->spec), errbuf,
			      sizeof(errbuf));
	if (err) {
		log_warn("sip: call %s: IVR menu %s is not valid: %s",
			 ivr->call_id, name, errbuf);
		goto out;
	}

	str_ncpy(ivr->menu_name, name, sizeof(ivr->menu_name));

 out:
	mem_deref(sm);
	return err;
}


static void option_take(struct sip_ivr *ivr, const struct ivr_option *opt)
{
	log_info("sip: call %s: IVR menu %s: option %c (%s)", ivr->call_id,
		 ivr->menu_name, opt->key, ivr_action_str(opt->action));

	switch (opt->action) {

	case IVR_ACT_GROUP: {
		struct store_group g;

		if (store_group_get(ivr->sf->st, ivr->app, opt->target, &g)) {
			log_warn("sip: call %s: IVR menu %s: skill group %s "
				 "is gone", ivr->call_id, ivr->menu_name,
				 opt->target);
			finish_fallback(ivr);
			break;
		}

		finish(ivr, SIP_IVR_QUEUE, opt->target, opt->priority >= 0 ?
		       opt->priority : ivr->number_priority);
		break;
	}

	case IVR_ACT_MENU: {
		char target[IVR_NAME_SZ];

		if (++ivr->depth > IVR_DEPTH_MAX) {
			log_warn("sip: call %s: IVR entered more than %u "
				 "menus: ending", ivr->call_id,
				 IVR_DEPTH_MAX);
			finish(ivr, SIP_IVR_HANGUP, NULL, 0);
			break;
		}

		/* opt points into the menu about to be replaced */
		str_ncpy(target, opt->target, sizeof(target));
		if (menu_load(ivr, target)) {
			finish_fallback(ivr);
			break;
		}

		step_do(ivr, ivr_collect_start(&ivr->collect, &ivr->menu),
			NULL);
		break;
	}

	case IVR_ACT_HANGUP:
		finish(ivr, SIP_IVR_HANGUP, NULL, 0);
		break;
	}
}


static void wait_handler(void *arg)
{
	struct sip_ivr *ivr = arg;
	const struct ivr_option *opt = NULL;

	step_do(ivr, ivr_collect_timeout(&ivr->collect, &opt), opt);
}


static void step_do(struct sip_ivr *ivr, enum ivr_step step,
		    const struct ivr_option *opt)
{
	if (ivr->done)
		return;

	switch (step) {

	case IVR_STEP_NONE:
		break;

	case IVR_STEP_PROMPT:
		play(ivr, ivr->menu.prompt);
		break;

	case IVR_STEP_INVALID:
		play(ivr, ivr->menu.invalid_prompt);
		break;

	case IVR_STEP_WAIT:
		ivr->player = mem_deref(ivr->player);
		tmr_start(&ivr->wait_tmr, ivr->menu.timeout_s * 1000ULL,
			  wait_handler, ivr);
		break;

	case IVR_STEP_OPTION:
		option_take(ivr, opt);
		break;

	case IVR_STEP_HANGUP:
		log_info("sip: call %s: IVR menu %s: no valid choice after "
			 "%u tries", ivr->call_id, ivr->menu_name,
			 ivr->menu.max_tries);
		finish(ivr, SIP_IVR_HANGUP, NULL, 0);
		break;
	}
}


static void digits_handler(void *arg)
{
	struct sip_ivr *ivr = arg;
	size_t i;

	for (i = 0; i < ivr->digitc && !ivr->done; i++) {
		const struct ivr_option *opt = NULL;
		enum ivr_step step;

		/* Barge-in: a key stops the prompt and the timer. */
		tmr_cancel(&ivr->wait_tmr);
		ivr->player = mem_deref(ivr->player);

		step = ivr_collect_digit(&ivr->collect, ivr->digitv[i], &opt);
		step_do(ivr, step, opt);
	}

	ivr->digitc = 0;
}


static void digit_queue(struct sip_ivr *ivr, char digit)
{
	if (ivr->done || ivr->digitc >= DIGITS_MAX)
		return;

	ivr->digitv[ivr->digitc++] = digit;
	if (!tmr_isrunning(&ivr->evt_tmr))
		tmr_start(&ivr->evt_tmr, 0, digits_handler, ivr);
}


static void inband_handler(char digit, void *arg)
{
	digit_queue(arg, digit);
}


/* RFC 4733 2.3: event, E|R|volume, duration.  One key press is one
 * timestamp, sent in several packets: the first one seen counts. */
static void dtmf_event_recv(struct sip_ivr *ivr, const struct rtp_header *hdr,
		       struct mbuf *mb)
{
	static const char keys[] = "0123456789*#";
	uint8_t event;

	if (mbuf_get_left(mb) < 4)
		return;

	ivr->te_seen = true;
	event = mbuf_buf(mb)[0];

	if (ivr->te_started && hdr->ts == ivr->te_last_ts)
		return;

	ivr->te_started = true;
	ivr->te_last_ts = hdr->ts;

	if (event <= TE_EVENT_MAX)
		digit_queue(ivr, keys[event]);
}


static void rtp_recv_handler(enum relay_leg leg, struct mbuf *mb, void *arg)
{
	struct sip_ivr *ivr = arg;
	struct rtp_header hdr;
	const size_t end = mb->end;
	(void)leg;

	if (ivr->done || rtp_hdr_decode(&hdr, mb))
		return;

	/* RFC 3550 5.1: the last octet counts the padding */
	if (hdr.pad) {
		uint8_t padc;

		if (!mbuf_get_left(mb))
			return;
		padc = mb->buf[mb->end - 1];
		if (padc > mbuf_get_left(mb))
			return;     /* end not changed yet */
		mb->end -= padc;
	}

	if (ivr->codec.telev_pt >= 0 && hdr.pt == ivr->codec.telev_pt) {
		dtmf_event_recv(ivr, &hdr, mb);
	}
	else if (!ivr->te_seen && ivr->inband && hdr.pt == ivr->codec.pt) {
		(void)ivr_inband_g711(ivr->inband,
				      !strcasecmp(ivr->codec.name, "PCMA"),
				      mbuf_buf(mb), mbuf_get_left(mb));
	}

	mb->end = end;
}


/**
 * Run an IVR menu on an answered inbound call
 *
 * @param ivrp      Returned IVR (mem_deref stops it, silently)
 * @param sf        SIP front end
 * @param app       SdkAppId of the number
 * @param call_id   The call's session id, for the log
 * @param menu      Name of the number's menu
 * @param group     The number's skill group ("" if none), used when a
 *                  menu or group named by the menu is gone
 * @param priority  The number's caller priority
 * @param relay     The call's relay; leg A is the caller
 * @param codec     Leg A's codec (with its telephone-event type)
 * @param doneh     Called once, from a timer, with the result
 * @param arg       Handler argument
 *
 * @return 0 if success, ENOENT if the menu is unknown or not valid,
 *         otherwise errorcode
 */
int sip_ivr_start(struct sip_ivr **ivrp, struct sipfront *sf,
		  const char *app, const char *call_id, const char *menu,
		  const char *group, int32_t priority, struct relay *relay,
		  const struct media_codec *codec, sip_ivr_done_h *doneh,
		  void *arg)
{
	struct sip_ivr *ivr;
	int err;

	if (!ivrp || !sf || !app || !call_id || !menu || !group || !relay ||
	    !codec || !doneh)
		return EINVAL;

	ivr = mem_zalloc(sizeof(*ivr), destructor);
	if (!ivr)
		return ENOMEM;

	ivr->sf = sf;
	ivr->relay = mem_ref(relay);
	ivr->codec = *codec;
	ivr->number_priority = priority;
	ivr->doneh = doneh;
	ivr->arg = arg;
	tmr_init(&ivr->wait_tmr);
	tmr_init(&ivr->evt_tmr);
	str_ncpy(ivr->app, app, sizeof(ivr->app));
	str_ncpy(ivr->call_id, call_id, sizeof(ivr->call_id));
	str_ncpy(ivr->fallback_group, group, sizeof(ivr->fallback_group));

	err = menu_load(ivr, menu);
	if (err) {
		err = ENOENT;
		goto out;
	}

	if (!strcasecmp(codec->name, "PCMU") ||
	    !strcasecmp(codec->name, "PCMA")) {
		err = ivr_inband_alloc(&ivr->inband, inband_handler, ivr);
		if (err)
			goto out;
	}

	relay_set_recv_handler(relay, RELAY_A, rtp_recv_handler, ivr);

	log_info("sip: call %s: IVR menu %s", call_id, menu);
	step_do(ivr, ivr_collect_start(&ivr->collect, &ivr->menu), NULL);

 out:
	if (err)
		mem_deref(ivr);
	else
		*ivrp = ivr;

	return err;
}
