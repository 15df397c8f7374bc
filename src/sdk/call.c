/**
 * @file sdk/call.c  Calls: outbound INVITE, inbound ringing, answer, end
 *
 * Copyright (C) 2026 The lianluo authors
 *
 * DESIGN: one call at a time (sdk->call).  A call owns its SIP session and
 * its audio stream (audio/stream.h).  call_end() is the only way out: it
 * reports on_ended (and the result of ll_call() if still pending), then
 * frees; freeing the session sends BYE when answered and CANCEL while an
 * outgoing call rings (libre).
 *
 *  inbound:  INVITE with an offer -> 180 Ringing -> on_new_session ->
 *            ll_answer() -> 200 with our answer -> ACK -> on_accepted
 *  outbound: ll_call() -> INVITE with our offer (407 answered with the
 *            login's credentials) -> on_new_session -> 200 -> on_accepted
 *
 * End reasons (TCCC): our BYE localBye, theirs remoteBye; our CANCEL
 * localCancel, theirs remoteCancel; a final error response to our INVITE
 * rejected (its code passed on), 408 or no response timeout; the agent
 * declining a ringing call is rejected with 603 (RFC 3261 21.6.2).
 */
#include <string.h>
#include <ctype.h>
#include <pthread.h>
#include <re.h>
#include "lianluo/lianluo.h"
#include "common/log.h"
#include "common/jsonw.h"
#include "common/media_sdp.h"
#include "audio/stream.h"
#include "sdk.h"
#include "privacy.h"


enum {
	TO_MAX      = 256,
	NUMBER_MAX  = 32,       /* digits of a phone number */
	INFO_MAX    = 256,      /* remark, uui: as the server's CDR */
};

struct call_args {
	const char *to;
	const char *remark;
	const char *uui;
	ll_result_h *h;
	void *arg;
};


static void call_destructor(void *arg)
{
	struct ll__call *call = arg;

	mem_deref(call->sess);
	mem_deref(call->strm);
	mem_deref(call->desc);
}


/* Report the end, then free: the single way out for a call. */
static void call_end(struct ll__call *call, enum ll_end_reason reason,
		     int code, const char *text)
{
	struct ll_sdk *sdk = call->sdk;
	struct ll__ev *ev;

	if (sdk->call == call)
		sdk->call = NULL;

	log_info("sdk: call %s ended: %s %d %s", call->sid,
		 ll_end_reason_str(reason), code, text ? text : "");

	ev = ll__ev_new(sdk, LL__EV_ENDED);
	if (ev) {
		str_ncpy(ev->sid, call->sid, sizeof(ev->sid));
		ev->reason = reason;
		ev->err = code;
		str_ncpy(ev->msg, text ? text : ll_end_reason_str(reason),
			 sizeof(ev->msg));
	}

	if (call->resh) {
		ev = ll__ev_new(sdk, LL__EV_RESULT);
		if (ev) {
			ev->resh = call->resh;
			ev->arg = call->arg;
			switch (reason) {

			case LL_END_TIMEOUT:
				ev->err = LL_ERR_TIMEOUT;
				break;

			case LL_END_ERROR:
				ev->err = code ? code : LL_ERR_INTERNAL;
				break;

			default:
				ev->err = code >= 300 ? code : 487;
				break;
			}
			str_ncpy(ev->msg, text ? text :
				 ll_end_reason_str(reason), sizeof(ev->msg));
		}
		call->resh = NULL;
	}

	mem_deref(call);
}


static void stream_event_handler(enum ll__stream_event sev,
				 const struct ll__stream_evdata *d,
				 void *arg)
{
	struct ll__call *call = arg;
	struct ll__ev *ev = NULL;

	switch (sev) {

	case LL__STREAM_DTMF:
		ev = ll__ev_new(call->sdk, LL__EV_DTMF);
		if (ev)
			ev->digit = d->digit;
		break;

	case LL__STREAM_VOLUME:
		ev = ll__ev_new(call->sdk, LL__EV_VOLUME);
		if (ev) {
			ev->vol.capture = d->capture_level;
			ev->vol.playout = d->playout_level;
		}
		break;

	case LL__STREAM_QUALITY:
		ev = ll__ev_new(call->sdk, LL__EV_QUALITY);
		if (ev) {
			ev->quality = d->quality;
			ev->st.rtt_ms = d->rtt_ms;
			ev->st.jitter_ms = d->jitter_ms;
			ev->st.loss_pct_up = d->loss_pct_up;
			ev->st.loss_pct_down = d->loss_pct_down;
			ev->st.packets_sent = d->packets_sent;
			ev->st.packets_received = d->packets_received;
			str_ncpy(ev->codec, call->codec.name,
				 sizeof(ev->codec));
		}
		break;

	case LL__STREAM_ERROR:
		log_warn("sdk: call %s: audio: %s", call->sid,
			 d->msg ? d->msg : "error");
		ev = ll__ev_new(call->sdk, LL__EV_ERROR);
		if (ev) {
			ev->err = d->err ? ll__code(d->err) :
				LL_ERR_AUDIO_DEVICE;
			str_ncpy(ev->msg, d->msg ? d->msg : "audio error",
				 sizeof(ev->msg));
		}
		break;
	}

	if (ev)
		str_ncpy(ev->sid, call->sid, sizeof(ev->sid));
}


static int call_alloc(struct ll__call **callp, struct ll_sdk *sdk,
		      bool inbound)
{
	struct ll__call *call;
	int err;

	call = mem_zalloc(sizeof(*call), call_destructor);
	if (!call)
		return ENOMEM;

	call->sdk = sdk;
	call->inbound = inbound;
	(void)re_snprintf(call->sid, sizeof(call->sid), "sdk-%016llx",
			  (unsigned long long)rand_u64());

	err = ll__stream_alloc(&call->strm, &sdk->acct->laddr, &sdk->audio,
			       stream_event_handler, call);
	if (err) {
		mem_deref(call);
		return err;
	}

	if (sdk->vol_interval_ms)
		(void)ll__stream_enable_volume(call->strm,
					       sdk->vol_interval_ms);

	*callp = call;

	return 0;
}


static void stream_laddr(const struct ll__call *call, struct sa *laddr)
{
	*laddr = call->sdk->acct->laddr;
	sa_set_port(laddr, ll__stream_lport(call->strm));
}


/* The first codec of the peer's SDP that our audio engine has. */
static int codec_pick(struct media_codec *codec, const struct media_sdp *sdp)
{
	struct media_codec ours[MEDIA_MAX_CODECS];
	size_t n = ll__stream_codecs(ours, ARRAY_SIZE(ours));
	size_t i, j;

	for (i = 0; i < sdp->codecc; i++) {
		for (j = 0; j < n; j++) {
			if (!strcasecmp(sdp->codecv[i].name, ours[j].name) &&
			    sdp->codecv[i].srate == ours[j].srate) {
				*codec = sdp->codecv[i];
				return 0;
			}
		}
	}

	return ENOTSUP;
}


static int media_start(struct ll__call *call, const struct media_sdp *sdp)
{
	int err;

	err = codec_pick(&call->codec, sdp);
	if (err)
		return err;

	if (call->srtp) {
		err = ll__stream_set_srtp(call->strm, &call->key,
					  &sdp->crypto);
		if (err)
			return err;
	}

	err = ll__stream_start(call->strm, &call->codec, &sdp->raddr);
	if (err)
		return err;

	ll__stream_set_volume(call->strm, call->sdk->audio.capture_volume,
			      call->sdk->audio.playout_volume);
	ll__stream_set_mute(call->strm, call->muted);
	call->media = true;

	return 0;
}


/* A re-INVITE: the media stays as it is; we answer with our last SDP. */
static int offer_handler(struct mbuf **descp, const struct sip_msg *msg,
			 void *arg)
{
	struct ll__call *call = arg;
	struct media_sdp sdp;

	if (!call->desc || media_sdp_decode(&sdp, msg->mb))
		return EPROTO;

	call->desc->pos = 0;
	*descp = mem_ref(call->desc);

	return 0;
}


/* The answer to our offer (outbound). */
static int answer_handler(const struct sip_msg *msg, void *arg)
{
	struct ll__call *call = arg;
	struct media_sdp sdp;
	int err;

	if (call->media)
		return 0;

	err = media_sdp_decode(&sdp, msg->mb);
	if (!err && (sdp.secure != call->srtp ||
		     (call->srtp && sdp.crypto.tag != call->key.tag))) {
		log_warn("sdk: call %s: the answer %s SRTP", call->sid,
			 call->srtp ? "refused" : "asked for");
		err = EPROTO;
	}
	if (!err)
		err = media_start(call, &sdp);
	if (err)
		log_warn("sdk: call %s: unusable answer: %m", call->sid, err);

	return err;
}


static void progress_handler(const struct sip_msg *msg, void *arg)
{
	struct ll__call *call = arg;

	log_debug("sdk: call %s: %u %r", call->sid, msg->scode,
		  &msg->reason);
}


static void estab_handler(const struct sip_msg *msg, void *arg)
{
	struct ll__call *call = arg;
	struct ll__ev *ev;
	(void)msg;

	call->established = true;
	log_info("sdk: call %s connected (%s)", call->sid, call->codec.name);

	ev = ll__ev_new(call->sdk, LL__EV_ACCEPTED);
	if (ev)
		str_ncpy(ev->sid, call->sid, sizeof(ev->sid));

	if (call->resh) {
		ev = ll__ev_new(call->sdk, LL__EV_RESULT);
		if (ev) {
			ev->resh = call->resh;
			ev->arg = call->arg;
			str_ncpy(ev->msg, "answered", sizeof(ev->msg));
		}
		call->resh = NULL;
	}
}


static void close_handler(int err, const struct sip_msg *msg, void *arg)
{
	struct ll__call *call = arg;
	char text[128] = "";

	if (msg && !msg->req)
		(void)re_snprintf(text, sizeof(text), "%u %r", msg->scode,
				  &msg->reason);

	/* A BYE (or, while ringing, a CANCEL) from the peer arrives as
	 * ECONNRESET with or without the request (LIBRE-NOTES.md). */
	if (err == ECONNRESET) {
		if (call->established || call->answered)
			call_end(call, LL_END_REMOTE_BYE, 0, NULL);
		else if (call->inbound)
			call_end(call, LL_END_REMOTE_CANCEL, 487, NULL);
		else
			call_end(call, LL_END_ERROR, LL_ERR_NETWORK, NULL);
		return;
	}

	if (err == ETIMEDOUT) {
		call_end(call, LL_END_TIMEOUT, 408, "no response");
		return;
	}

	if (err) {
		(void)re_snprintf(text, sizeof(text), "%m", err);
		call_end(call, LL_END_ERROR, ll__code(err), text);
		return;
	}

	if (msg && !msg->req && msg->scode >= 300) {
		call_end(call, msg->scode == 408 ? LL_END_TIMEOUT :
			 LL_END_REJECTED, msg->scode, text);
		return;
	}

	call_end(call, LL_END_ERROR, LL_ERR_INTERNAL, NULL);
}


/* ---- Inbound ----------------------------------------------------------- */

/* The request's X- headers as one JSON object. */
static int xhdrs_print(struct re_printf *pf, const struct sip_msg *msg)
{
	const char *sep = "";
	struct le *le;
	int err;

	err = re_hprintf(pf, "{");

	for (le = list_head(&msg->hdrl); le && !err; le = le->next) {
		const struct sip_hdr *hdr = le->data;

		if (hdr->name.l < 3 || strncasecmp(hdr->name.p, "X-", 2))
			continue;

		err = re_hprintf(pf, "%s%H:%H", sep, jsonw_pl, &hdr->name,
				 jsonw_pl, &hdr->val);
		sep = ",";
	}

	if (!err)
		err = re_hprintf(pf, "}");

	return err;
}


static void reply_error(struct ll_sdk *sdk, const struct sip_msg *msg,
			int err)
{
	/* RFC 3261 21.4.26 and 21.4.19 */
	if (err == ENOTSUP)
		(void)sip_treply(NULL, sdk->acct->sip, msg, 488,
				 "Not Acceptable Here");
	else if (err == EBADMSG || err == EPROTO)
		(void)sip_treply(NULL, sdk->acct->sip, msg, 400, "Bad SDP");
	else
		(void)sip_treply(NULL, sdk->acct->sip, msg, 500,
				 "Server Internal Error");
}


/**
 * A new INVITE on the session socket: ring (180) and tell the app.
 */
void ll__call_conn_handler(const struct sip_msg *msg, void *arg)
{
	struct ll_sdk *sdk = arg;
	const struct sip_hdr *hdr;
	struct ll__call *call = NULL;
	struct ll__ev *ev;
	int err;

	if (sdk->stopping) {
		(void)sip_treply(NULL, sdk->acct->sip, msg, 480,
				 "Temporarily Unavailable");
		return;
	}

	if (sdk->call) {
		(void)sip_treply(NULL, sdk->acct->sip, msg, 486, "Busy Here");
		return;
	}

	err = call_alloc(&call, sdk, true);
	if (err) {
		reply_error(sdk, msg, err);
		return;
	}

	err = media_sdp_decode(&call->offer, msg->mb);
	if (!err)
		err = codec_pick(&call->codec, &call->offer);

	/* Over TLS the media is SRTP; plain RTP only where allowed. */
	if (!err && !call->offer.secure && !sdk->insecure) {
		log_warn("sdk: INVITE from %J without SRTP: refused (see"
			 " ll_allow_insecure)", &msg->src);
		err = ENOTSUP;
	}
	else if (!err && call->offer.secure) {
		call->srtp = true;
		err = media_crypto_new(&call->key, call->offer.crypto.tag);
	}

	if (err) {
		log_info("sdk: INVITE from %J: unusable offer: %m", &msg->src,
			 err);
		reply_error(sdk, msg, err);
		goto out;
	}

	hdr = sip_msg_xhdr(msg, "X-Lianluo-Session");
	if (hdr && hdr->val.l && hdr->val.l < sizeof(call->sid))
		(void)pl_strcpy(&hdr->val, call->sid, sizeof(call->sid));

	err = sipsess_accept(&call->sess, sdk->acct->sock, msg, 180,
			     "Ringing", sdk->acct->auth_user,
			     "application/sdp", NULL,
			     ll__acct_auth_handler, sdk->acct, false,
			     offer_handler, answer_handler, estab_handler,
			     NULL, NULL, close_handler, call, NULL);
	if (err) {
		log_warn("sdk: INVITE from %J: cannot accept: %m", &msg->src,
			 err);
		reply_error(sdk, msg, err);
		goto out;
	}

	sdk->call = call;

	ev = ll__ev_new(sdk, LL__EV_NEW_SESSION);
	if (ev) {
		str_ncpy(ev->sid, call->sid, sizeof(ev->sid));
		ev->dir = LL_DIRECTION_INBOUND;
		(void)pl_strcpy(&msg->from.uri.user, ev->from,
				sizeof(ev->from));
		(void)pl_strcpy(&msg->to.uri.user, ev->to, sizeof(ev->to));
		(void)pl_strcpy(&msg->from.auri, ev->aor, sizeof(ev->aor));
		(void)re_sdprintf(&ev->hdrs, "%H", xhdrs_print, msg);
	}

	log_info("sdk: call %s: incoming from %r", call->sid,
		 &msg->from.uri.user);
	return;

 out:
	mem_deref(call);
}


static int answer_cmd(struct ll_sdk *sdk, void *arg)
{
	struct ll__call *call = sdk->call;
	struct sa laddr;
	int err;
	(void)arg;

	if (!call)
		return LL_ERR_NO_CALL;
	if (!call->inbound || call->answered)
		return LL_ERR_WRONG_STATE;

	/* privacy: the microphone switch (privacy_switch.c) */
	err = ll__privacy_mic_check(sdk, "ll_answer");
	if (err)
		return err;

	stream_laddr(call, &laddr);
	err = media_sdp_encode(&call->desc, &laddr, &call->codec, 1,
			       &call->offer, call->srtp ? &call->key : NULL);
	if (err)
		goto out;

	err = sipsess_answer(call->sess, 200, "OK", call->desc, NULL);
	if (err)
		goto out;

	call->answered = true;

	err = media_start(call, &call->offer);
	if (err) {
		log_warn("sdk: call %s: audio: %m", call->sid, err);
		call_end(call, LL_END_ERROR, ll__code(err), "audio failed");
		return ll__code(err);
	}

 out:
	return err ? ll__code(err) : 0;
}


LL_API int ll_answer(struct ll_sdk *sdk)
{
	int err;

	err = ll__gate(sdk);
	if (err)
		return err;

	return ll__run(sdk, answer_cmd, NULL);
}


/* ---- Outbound ---------------------------------------------------------- */

/* A phone number: 1-32 digits with an optional leading '+'. */
static bool number_ok(const char *s)
{
	size_t n = 0;

	if (*s == '+')
		++s;

	for (; *s; s++, n++) {
		if (!isdigit((unsigned char)*s))
			return false;
	}

	return n > 0 && n <= NUMBER_MAX;
}


static int to_check(const char *to)
{
	struct uri uri;
	struct pl pl;

	if (!ll__str_ok(to, TO_MAX))
		return LL_ERR_INVALID_ARGUMENT;

	if (!strncasecmp(to, "sip:", 4)) {
		pl_set_str(&pl, to);
		if (uri_decode(&uri, &pl) || !uri.host.l)
			return LL_ERR_BAD_URI;
		return 0;
	}

	return number_ok(to) ? 0 : LL_ERR_BAD_URI;
}


static int call_cmd(struct ll_sdk *sdk, void *arg)
{
	const struct call_args *a = arg;
	struct ll__acct *acct = sdk->acct;
	struct media_codec codecv[MEDIA_MAX_CODECS];
	char target[TO_MAX + 160], from[320], to_user[128] = "";
	struct ll__call *call = NULL;
	struct ll__ev *ev;
	struct sa laddr;
	size_t codecc;
	int err;

	if (!acct || !acct->logged_in)
		return LL_ERR_NOT_LOGGED_IN;
	if (sdk->call)
		return LL_ERR_BUSY;

	/* privacy: the microphone switch (privacy_switch.c) */
	err = ll__privacy_mic_check(sdk, "ll_call");
	if (err)
		return err;

	if (!strncasecmp(a->to, "sip:", 4)) {
		struct uri uri;
		struct pl pl, tp;

		pl_set_str(&pl, a->to);
		if (!uri_decode(&uri, &pl))
			(void)pl_strcpy(&uri.user, to_user, sizeof(to_user));

		/* Over TLS a URI without a transport goes over TLS too: the
		 * stack has no plain transport. */
		(void)re_snprintf(target, sizeof(target), "%s%s", a->to,
				  acct->tls && msg_param_decode(&uri.params,
								"transport",
								&tp) ?
				  acct->tp_param : "");
	}
	else {
		(void)re_snprintf(target, sizeof(target), "sip:%s@%s%s", a->to,
				  acct->host, acct->tp_param);
		str_ncpy(to_user, a->to, sizeof(to_user));
	}

	/* From: the credential's user, which the server authenticates. */
	(void)re_snprintf(from, sizeof(from), "sip:%s@%s", acct->auth_user,
			  acct->host);

	err = call_alloc(&call, sdk, false);
	if (err)
		goto out;

	if (acct->tls) {
		call->srtp = true;
		err = media_crypto_new(&call->key, 1);
		if (err)
			goto out;
	}

	codecc = ll__stream_codecs(codecv, ARRAY_SIZE(codecv));
	stream_laddr(call, &laddr);
	err = media_sdp_encode(&call->desc, &laddr, codecv, codecc, NULL,
			       call->srtp ? &call->key : NULL);
	if (err)
		goto out;

	call->resh = a->h;
	call->arg = a->arg;

	err = sipsess_connect(&call->sess, acct->sock, target, NULL, from,
			      acct->auth_user, NULL, 0, "application/sdp",
			      call->desc, ll__acct_auth_handler, acct, false,
			      offer_handler, answer_handler, progress_handler,
			      estab_handler, NULL, NULL, close_handler, call,
			      "%s%s%s%s%s%s",
			      a->uui ? "X-Lianluo-UUI: " : "",
			      a->uui ? a->uui : "", a->uui ? "\r\n" : "",
			      a->remark ? "X-Lianluo-Remark: " : "",
			      a->remark ? a->remark : "",
			      a->remark ? "\r\n" : "");
	if (err)
		goto out;

	sdk->call = call;

	ev = ll__ev_new(sdk, LL__EV_NEW_SESSION);
	if (ev) {
		str_ncpy(ev->sid, call->sid, sizeof(ev->sid));
		ev->dir = LL_DIRECTION_OUTBOUND;
		str_ncpy(ev->from, acct->user_id, sizeof(ev->from));
		str_ncpy(ev->to, to_user, sizeof(ev->to));
		str_ncpy(ev->aor, target, sizeof(ev->aor));
	}

	log_info("sdk: call %s: calling %s", call->sid, target);

 out:
	if (err) {
		if (call)
			call->resh = NULL;
		mem_deref(call);
	}

	return err ? ll__code(err) : 0;
}


LL_API int ll_call(struct ll_sdk *sdk, const char *to, const char *remark,
		   const char *uui, ll_result_h *h, void *arg)
{
	struct call_args a;
	int err;

	err = ll__gate(sdk);
	if (err)
		return err;

	err = to_check(to);
	if (err)
		return err;

	/* Empty means none; anything else must fit a header line. */
	if (remark && *remark && !ll__str_ok(remark, INFO_MAX))
		return LL_ERR_INVALID_ARGUMENT;
	if (uui && *uui && !ll__str_ok(uui, INFO_MAX))
		return LL_ERR_INVALID_ARGUMENT;

	a.to = to;
	a.remark = remark && *remark ? remark : NULL;
	a.uui = uui && *uui ? uui : NULL;
	a.h = h;
	a.arg = arg;

	return ll__run(sdk, call_cmd, &a);
}


/* ---- Terminate --------------------------------------------------------- */

static int terminate_cmd(struct ll_sdk *sdk, void *arg)
{
	struct ll__call *call = sdk->call;
	(void)arg;

	if (!call)
		return LL_ERR_NO_CALL;

	if (call->inbound && !call->answered) {
		(void)sipsess_reject(call->sess, 603, "Decline", NULL);
		call_end(call, LL_END_REJECTED, 603, "declined by the agent");
	}
	else if (!call->inbound && !call->established) {
		call_end(call, LL_END_LOCAL_CANCEL, 487, NULL);
	}
	else {
		call_end(call, LL_END_LOCAL_BYE, 0, NULL);
	}

	return 0;
}


LL_API int ll_terminate(struct ll_sdk *sdk)
{
	int err;

	err = ll__gate(sdk);
	if (err)
		return err;

	return ll__run(sdk, terminate_cmd, NULL);
}


/** End the call, if any, as a local hang-up (logout, destroy). */
void ll__call_end_all(struct ll_sdk *sdk)
{
	if (sdk->call)
		(void)terminate_cmd(sdk, NULL);
}


/**
 * The host's address changed (sdk->acct->laddr is the new one): move the
 * call's RTP there and, once the call is answered, send a re-INVITE
 * (RFC 3261 14.1) whose SDP carries the new address, so that the server
 * sends the media there.  The server's relay also latches to where our
 * packets come from.  A failure is logged; the call goes on as it can.
 *
 * @param sdk  Instance
 */
void ll__call_move(struct ll_sdk *sdk)
{
	struct ll__call *call = sdk->call;
	struct mbuf *desc = NULL;
	struct sa laddr;
	int err;

	if (!call || !sdk->acct)
		return;

	err = ll__stream_rebind(call->strm, &sdk->acct->laddr);
	if (err) {
		log_warn("sdk: call %s: cannot move the audio: %m", call->sid,
			 err);
		return;
	}

	/* Not answered yet: the answer will carry the new address (an
	 * outgoing call still ringing keeps the offer it made). */
	if (!call->answered && !call->established)
		return;

	/* One codec, the one in use: a re-INVITE must not change it. */
	stream_laddr(call, &laddr);
	err = media_sdp_encode(&desc, &laddr, &call->codec, 1, NULL,
			       call->srtp ? &call->key : NULL);
	if (!err)
		err = sipsess_modify(call->sess, desc);
	if (err) {
		log_warn("sdk: call %s: re-INVITE: %m", call->sid, err);
		goto out;
	}

	/* Also the answer to a re-INVITE of the server's from now on. */
	mem_deref(call->desc);
	call->desc = mem_ref(desc);
	log_info("sdk: call %s: re-INVITE from the new address", call->sid);

 out:
	mem_deref(desc);
}
