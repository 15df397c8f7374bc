/**
 * @file sip/agentstatus.c  Agent statuses over SIP MESSAGE
 *
 * Copyright (C) 2026 The lianluo authors
 *
 * DESIGN (docs/API.md, "Agent status over SIP")
 *
 * In: a registered agent sends MESSAGE sip:lianluo-status@<us> with a
 * status request (common/status_body.h), digest-authenticated like its
 * REGISTER.  We hand it to the ACD (acd_agent_status_request, actor
 * "agent") and answer with the ACD's verdict; a 200 carries the agent's
 * status as it is afterwards: the note the ACD's status handler sent
 * meanwhile (the ACD tells a change before the request returns; it is
 * caught through sf->st_capture), so that both say the same, or else the
 * status as acd_agent_info() shows it.  {} only asks: the status is sent
 * to the agent's contact as well, as for a change.
 *
 * Out: the ACD tells us each status change (acd_status_handler_set); we
 * send it in a MESSAGE to the agent's registered contact (from
 * acd_agent_info).  Each MESSAGE in flight is a struct note_out in
 * sf->notes, freed by its answer or its transaction's time-out (libre's,
 * 32 s over UDP), and on close; nothing waits for it.  A status is sent only to an
 * agent that is not offline: an offline agent has no contact to reach.
 */
#include <string.h>
#include <re.h>
#include "common/log.h"
#include "common/status_body.h"
#include "store/store.h"
#include "config.h"
#include "common/media_sdp.h"
#include "media/media.h"
#include "acd/acd.h"
#include "sip/sipint.h"


#define STATUS_USER "lianluo-status"

/** A status MESSAGE on its way to an agent. */
struct note_out {
	struct le le;
	struct sip_dialog *dlg;
	struct sip_request *req;
	struct sipfront *sf;
	char app[STORE_ID_SZ];
	char user_id[STORE_ID_SZ];
	char contact[STORE_URI_SZ];
	char *body;
};


static void note_out_destructor(void *arg)
{
	struct note_out *out = arg;

	list_unlink(&out->le);
	mem_deref(out->req);
	mem_deref(out->dlg);
	mem_deref(out->body);
}


static void out_resp_handler(int err, const struct sip_msg *msg, void *arg)
{
	struct note_out *out = arg;

	if (!err && msg && msg->scode < 200)
		return;

	out->req = NULL;   /* the request frees itself after this */

	if (err)
		log_info("sip: status for agent %s not delivered: %m",
			 out->user_id, err);
	else if (msg->scode >= 300)
		log_info("sip: status for agent %s refused: %u%s",
			 out->user_id, msg->scode,
			 msg->scode == 415 || msg->scode == 405 ||
			 msg->scode == 501 ? " (not sent to this contact"
			 " again)" : "");

	/* A phone that is not our SDK: stop telling it. */
	if (!err && (msg->scode == 415 || msg->scode == 405 ||
		     msg->scode == 501))
		acd_agent_notes_refused(out->sf->acd, out->app, out->user_id,
					out->contact);

	mem_deref(out);
}


/* Send a status note to the agent's registered contact. */
static void note_send(struct sipfront *sf, const char *app,
		      const char *user_id, const struct status_note *note)
{
	struct acd_agent_info info;
	struct note_out *out;
	char from[128];
	int err;

	err = acd_agent_info(sf->acd, app, user_id, &info);
	if (err || !info.contact[0] || info.notes_refused)
		return;

	out = mem_zalloc(sizeof(*out), note_out_destructor);
	if (!out)
		return;

	out->sf = sf;
	str_ncpy(out->app, app, sizeof(out->app));
	str_ncpy(out->user_id, user_id, sizeof(out->user_id));
	str_ncpy(out->contact, info.contact, sizeof(out->contact));
	list_append(&sf->notes, &out->le, out);

	(void)re_snprintf(from, sizeof(from), "sip:" STATUS_USER "@%J",
			  &sf->laddr);

	err = re_sdprintf(&out->body, "%H", status_note_encode, note);
	if (!err)
		err = sip_dialog_alloc(&out->dlg, info.contact, info.contact,
				       NULL, from, NULL, 0);
	if (!err)
		err = sip_drequestf(&out->req, sf->sip, true, "MESSAGE",
				    out->dlg, 0, NULL, NULL, out_resp_handler,
				    out,
				    "Content-Type: " STATUS_BODY_CTYPE "\r\n"
				    "Content-Length: %zu\r\n"
				    "\r\n"
				    "%s",
				    strlen(out->body), out->body);
	if (err) {
		log_info("sip: status for agent %s not sent: %m", user_id,
			 err);
		mem_deref(out);
	}
}


static const char *pending_str(enum acd_agent_status pending)
{
	return pending == ACD_AGENT_OFFLINE ? "" :
		acd_agent_status_str(pending);
}


/* The agent's status as the ACD shows it now */
static int note_current(struct sipfront *sf, const char *app,
			const char *user_id, struct status_note *note)
{
	struct acd_agent_info info;
	int err;

	memset(note, 0, sizeof(*note));

	err = acd_agent_info(sf->acd, app, user_id, &info);
	if (err)
		return err;

	str_ncpy(note->status, acd_agent_status_str(info.status),
		 sizeof(note->status));
	str_ncpy(note->reason, info.reason, sizeof(note->reason));
	str_ncpy(note->pending, pending_str(info.pending),
		 sizeof(note->pending));
	str_ncpy(note->pending_reason, info.pending_reason,
		 sizeof(note->pending_reason));
	str_ncpy(note->actor, info.actor, sizeof(note->actor));
	note->since_ms = info.since_ms;
	note->arrange_until_ms = info.arrange_until_ms;

	return 0;
}


/* The ACD changed an agent's status: tell the agent. */
static void status_handler(const struct acd_status_event *ev, void *arg)
{
	struct sipfront *sf = arg;
	struct acd_agent_info info;
	struct status_note note;

	if (sf->closing || ev->to == ACD_AGENT_OFFLINE)
		return;

	memset(&note, 0, sizeof(note));
	str_ncpy(note.status, acd_agent_status_str(ev->to),
		 sizeof(note.status));
	str_ncpy(note.reason, ev->reason ? ev->reason : "",
		 sizeof(note.reason));
	str_ncpy(note.pending, pending_str(ev->pending), sizeof(note.pending));
	str_ncpy(note.pending_reason,
		 ev->pending_reason ? ev->pending_reason : "",
		 sizeof(note.pending_reason));
	str_ncpy(note.actor, ev->actor ? ev->actor : "", sizeof(note.actor));
	note.since_ms = ev->at_ms;

	/* A reservation or an extension changes no status: since_ms stays
	 * the time of the last change, as a query shows it. */
	if (0 == acd_agent_info(sf->acd, ev->app, ev->user_id, &info)) {
		if (info.status == ev->to && info.since_ms)
			note.since_ms = info.since_ms;
		note.arrange_until_ms = info.arrange_until_ms;
	}

	/* The agent's own request in progress answers with this note. */
	if (sf->st_capture && !strcmp(ev->user_id, sf->st_capture_user) &&
	    !strcmp(ev->app, sf->st_capture_app))
		*sf->st_capture = note;

	note_send(sf, ev->app, ev->user_id, &note);
}


/* acd_agent_status_request()'s errors (acd.h) as SIP answers */
static void reply_err(struct sipfront *sf, const struct sip_msg *msg,
		      int err)
{
	switch (err) {

	case EINVAL:
		(void)sip_reply(sf->sip, msg, 403, "Status Not Allowed");
		break;

	case ENOENT:
		(void)sip_reply(sf->sip, msg, 404, "No Such Agent");
		break;

	case ENOTCONN:
		(void)sip_reply(sf->sip, msg, 480, "Agent Offline");
		break;

	default:
		(void)sip_reply(sf->sip, msg, 500, "Server Internal Error");
		break;
	}
}


static void reply_ok(struct sipfront *sf, const struct sip_msg *msg,
		     const struct status_note *note)
{
	char body[STATUS_BODY_MAX];

	if (re_snprintf(body, sizeof(body), "%H", status_note_encode,
			note) < 0) {
		(void)sip_reply(sf->sip, msg, 200, "OK");
		return;
	}

	(void)sip_replyf(sf->sip, msg, 200, "OK",
			 "Content-Type: " STATUS_BODY_CTYPE "\r\n"
			 "Content-Length: %zu\r\n"
			 "\r\n"
			 "%s", strlen(body), body);
}


/**
 * Handle a MESSAGE: a status request from an agent.
 *
 * @param sf   SIP front end
 * @param msg  The request
 */
void agentstatus_handle(struct sipfront *sf, const struct sip_msg *msg)
{
	struct sip_identity id;
	struct status_req req;
	struct status_note note;
	enum acd_agent_status to;
	bool pending = false;
	size_t len;
	int err;

	if (pl_strcmp(&msg->uri.user, STATUS_USER)) {
		(void)sip_reply(sf->sip, msg, 404, "Not Found");
		return;
	}

	/* Refused before anything is read: no work for a flood. */
	/* A datagram may carry bytes past Content-Length: not ours. */
	len = mbuf_get_left(msg->mb);
	if (pl_isset(&msg->clen))
		len = min(len, (size_t)pl_u32(&msg->clen));
	if (len > STATUS_BODY_MAX) {
		log_info("sip: MESSAGE from %J: body too large", &msg->src);
		(void)sip_reply(sf->sip, msg, 413, "Request Entity Too Large");
		return;
	}

	err = sipauth_check(sf, msg, false, &id);
	switch (err) {

	case 0:
		break;

	case ENOENT:
		(void)sipauth_challenge(sf, msg, false, false);
		return;

	case ETIMEDOUT:
		(void)sipauth_challenge(sf, msg, false, true);
		return;

	case EAGAIN:
		(void)sipauth_refuse(sf, msg, false, id.retry_s);
		return;

	default:
		log_info("sip: MESSAGE from %J: wrong credentials",
			 &msg->src);
		(void)sip_reply(sf->sip, msg, 403, "Forbidden");
		return;
	}

	if (!msg_ctype_cmp(&msg->ctyp, "application",
			   "vnd.lianluo.agent-status+json")) {
		(void)sip_replyf(sf->sip, msg, 415, "Unsupported Media Type",
				 "Accept: " STATUS_BODY_CTYPE "\r\n"
				 "Content-Length: 0\r\n\r\n");
		return;
	}

	err = status_req_decode(&req, (const char *)mbuf_buf(msg->mb), len);
	if (err) {
		log_info("sip: status request of agent %s: %m", id.user_id,
			 err);
		(void)sip_reply(sf->sip, msg, 400, "Bad Status Request");
		return;
	}

	if (req.query) {
		err = note_current(sf, id.app, id.user_id, &note);
		if (err) {
			reply_err(sf, msg, err);
			return;
		}

		reply_ok(sf, msg, &note);
		if (acd_agent_status(sf->acd, id.app, id.user_id) !=
		    ACD_AGENT_OFFLINE)
			note_send(sf, id.app, id.user_id, &note);
		return;
	}

	if (acd_agent_status_parse(req.status, &to)) {
		(void)sip_reply(sf->sip, msg, 400, "Unknown Status");
		return;
	}

	/* What the status handler tells the agent meanwhile is also the
	 * 200's body, so that both say the same (the actor included). */
	memset(&note, 0, sizeof(note));
	sf->st_capture = &note;
	sf->st_capture_app = id.app;
	sf->st_capture_user = id.user_id;
	err = acd_agent_status_request(sf->acd, id.app, id.user_id, to,
				       req.reason[0] ? req.reason : NULL,
				       req.arrange_s, req.after_call, "agent",
				       &pending);
	sf->st_capture = NULL;
	if (err) {
		log_info("sip: agent %s asked for %s: %m", id.user_id,
			 req.status, err);
		reply_err(sf, msg, err);
		return;
	}

	log_info("sip: agent %s asked for %s%s", id.user_id, req.status,
		 pending ? " (after the call)" : "");

	/* No change told (a reservation): the status as it is now. */
	if (!note.status[0] && note_current(sf, id.app, id.user_id, &note)) {
		(void)sip_reply(sf->sip, msg, 200, "OK");
		return;
	}

	reply_ok(sf, msg, &note);
}


/**
 * Start telling agents their statuses (the ACD's status handler).
 *
 * @param sf  SIP front end
 */
void agentstatus_init(struct sipfront *sf)
{
	acd_status_handler_set(sf->acd, status_handler, sf);
}


/**
 * Stop: no more status MESSAGEs, and those in flight are abandoned.
 *
 * @param sf  SIP front end
 */
void agentstatus_close(struct sipfront *sf)
{
	if (sf->acd)
		acd_status_handler_set(sf->acd, NULL, NULL);

	list_flush(&sf->notes);
}
