/**
 * @file sdk/agent_status.c  The agent's status: asking the server, and
 *                           hearing from it
 *
 * Copyright (C) 2026 The lianluo authors
 *
 * DESIGN (docs/API.md, "Agent status over SIP")
 *
 * Asking.  A status request is a MESSAGE to sip:lianluo-status@<server>
 * with a JSON body (common/status_body.h), sent on the login's SIP stack
 * with the login's digest credentials (a 401 is answered once, as for
 * REGISTER).  Each request is a struct ll__streq in acct->st_reqs; the
 * public call waits for it (ll__run_wait), and whatever ends it (answer,
 * STATUS_WAIT_MS, logout) reports to the waiter exactly once, in the
 * destructor.  The server's 200 carries the status as it is after the
 * request; it is taken as if the server had sent it in a MESSAGE.
 *
 * Hearing.  The server sends a MESSAGE to our contact after each change
 * of our status.  It is taken only from the server we registered with:
 * From is the server's status identity, and the packet's source is the
 * server's address (an IP literal) or From's host is the server's (a
 * name).  A status equal to the one
 * known is not reported again (the 200 and the MESSAGE tell the same).
 *
 * Privacy (DESIGN.md rule 4): nothing here runs on a timer of its own.
 * The SDK asks once by itself, inside the login the user triggered; every
 * other request is the application's.  A status is not personal data.
 */
#include <string.h>
#include <pthread.h>
#include <re.h>
#include "lianluo/lianluo.h"
#include "common/log.h"
#include "common/status_body.h"
#include "common/media_sdp.h"
#include "audio/stream.h"
#include "sdk.h"


enum {
	STATUS_WAIT_MS = 5000,   /* ll_set_agent_status() waits this long */
	MAX_AUTH       = 2,      /* challenges answered for one request */
};

#define STATUS_USER "lianluo-status"

/** One status request in flight. */
struct ll__streq {
	struct le le;
	struct ll__acct *acct;
	struct sip_request *req;
	struct tmr tmr;
	struct ll__wait *w;          /* NULL: nobody waits (the login's) */
	char *body;
	uint32_t authc;
	int ret;
};

struct set_args {
	struct status_req req;
	struct ll__wait *w;
};


LL_API const char *ll_agent_status_str(enum ll_agent_status status)
{
	switch (status) {

	case LL_AGENT_OFFLINE:   return "offline";
	case LL_AGENT_FREE:      return "free";
	case LL_AGENT_BUSY:      return "busy";
	case LL_AGENT_ARRANGE:   return "arrange";
	case LL_AGENT_NOT_READY: return "notReady";
	case LL_AGENT_REST:      return "rest";
	}

	return "unknown";
}


static enum ll_agent_status status_from_name(const char *name)
{
	enum ll_agent_status s;

	for (s = LL_AGENT_OFFLINE; s <= LL_AGENT_REST; s++) {
		if (!strcmp(name, ll_agent_status_str(s)))
			return s;
	}

	return LL_AGENT_OFFLINE;
}


/* Take a status the server told; report it when it is news. */
static void note_apply(struct ll__acct *acct, const struct status_note *n)
{
	struct ll_agent_status_info info;
	struct ll__ev *ev;

	memset(&info, 0, sizeof(info));
	info.status = status_from_name(n->status);
	str_ncpy(info.reason, n->reason, sizeof(info.reason));
	info.pending = n->pending[0] ? status_from_name(n->pending) :
		LL_AGENT_OFFLINE;
	str_ncpy(info.pending_reason, n->pending_reason,
		 sizeof(info.pending_reason));
	info.since_ms = n->since_ms;
	info.arrange_until_ms = n->arrange_until_ms;
	str_ncpy(info.actor, n->actor, sizeof(info.actor));

	/* The answer to a query does not know who made the change. */
	if (!info.actor[0] && info.status == acct->st_info.status &&
	    info.since_ms == acct->st_info.since_ms)
		str_ncpy(info.actor, acct->st_info.actor, sizeof(info.actor));

	/* An older status arriving late (UDP may reorder) is not news. */
	if (info.since_ms < acct->st_info.since_ms)
		return;

	if (!memcmp(&info, &acct->st_info, sizeof(info)))
		return;

	acct->st_info = info;

	log_info("sdk: %s: status %s%s%s", acct->user_id, n->status,
		 n->pending[0] ? ", then " : "", n->pending);

	ev = ll__ev_new(acct->sdk, LL__EV_STATUS);
	if (ev)
		ev->status = info;
}


/* ---- Requests ---------------------------------------------------------- */

/* The body, without what a datagram may carry past Content-Length */
static size_t body_len(const struct sip_msg *msg)
{
	size_t len = mbuf_get_left(msg->mb);

	if (pl_isset(&msg->clen))
		len = min(len, (size_t)pl_u32(&msg->clen));

	return len;
}


static void streq_destructor(void *arg)
{
	struct ll__streq *r = arg;

	list_unlink(&r->le);
	tmr_cancel(&r->tmr);
	mem_deref(r->req);
	mem_deref(r->body);

	if (r->w)
		ll__wait_done(r->acct->sdk, r->w, r->ret);
}


static int streq_send(struct ll__streq *r);


/* The server's answer, mapped to a public code. */
static int resp_code(uint16_t scode)
{
	switch (scode) {

	case 400: return LL_ERR_INVALID_ARGUMENT;
	case 401:
	case 407: return LL_ERR_AUTH_FAILED;
	case 403: return LL_ERR_STATUS_NOT_ALLOWED;
	case 408: return LL_ERR_TIMEOUT;
	case 480: return LL_ERR_NOT_LOGGED_IN;
	default:  return scode;
	}
}


static void resp_handler(int err, const struct sip_msg *msg, void *arg)
{
	struct ll__streq *r = arg;
	struct status_note note;

	if (!err && msg && msg->scode < 200)
		return;

	r->req = NULL;   /* the request frees itself after this */

	if (err || !msg) {
		r->ret = err == ETIMEDOUT ? LL_ERR_TIMEOUT : LL_ERR_NETWORK;
		goto out;
	}

	if ((msg->scode == 401 || msg->scode == 407) &&
	    r->authc++ < MAX_AUTH &&
	    !sip_auth_authenticate(r->acct->auth, msg) && !streq_send(r))
		return;

	if (msg->scode >= 300) {
		r->ret = resp_code(msg->scode);
		log_info("sdk: %s: status request refused: %u %r",
			 r->acct->user_id, msg->scode, &msg->reason);
		goto out;
	}

	r->ret = 0;
	if (body_len(msg) &&
	    0 == status_note_decode(&note,
				    (const char *)mbuf_buf(msg->mb),
				    body_len(msg)))
		note_apply(r->acct, &note);

 out:
	mem_deref(r);
}


static void timeout_handler(void *arg)
{
	struct ll__streq *r = arg;

	r->ret = LL_ERR_TIMEOUT;
	mem_deref(r);
}


static int streq_send(struct ll__streq *r)
{
	struct ll__acct *acct = r->acct;

	return sip_drequestf(&r->req, acct->sip, true, "MESSAGE",
			     acct->st_dlg, 0, acct->auth, NULL, resp_handler,
			     r,
			     "Content-Type: " STATUS_BODY_CTYPE "\r\n"
			     "Content-Length: %zu\r\n"
			     "\r\n"
			     "%s",
			     strlen(r->body), r->body);
}


/*
 * Send a status request; on success the request reports to w (when set)
 * once it ends.  Returns a public code.
 */
static int streq_start(struct ll__acct *acct, const struct status_req *req,
		       struct ll__wait *w)
{
	struct ll__streq *r;
	int err;

	if (!acct->st_dlg)
		return LL_ERR_NOT_LOGGED_IN;

	r = mem_zalloc(sizeof(*r), streq_destructor);
	if (!r)
		return LL_ERR_NO_MEMORY;

	r->acct = acct;
	tmr_init(&r->tmr);
	list_append(&acct->st_reqs, &r->le, r);

	err = re_sdprintf(&r->body, "%H", status_req_encode, req);
	if (!err)
		err = streq_send(r);
	if (err) {
		mem_deref(r);   /* w not set yet: nobody is told */
		return ll__code(err);
	}

	r->w = w;
	tmr_start(&r->tmr, STATUS_WAIT_MS, timeout_handler, r);

	return 0;
}


/* ---- The server's MESSAGEs -------------------------------------------- */

static bool from_server(const struct ll__acct *acct,
			const struct sip_msg *msg)
{
	char host[128];

	if (pl_strcmp(&msg->from.uri.user, STATUS_USER))
		return false;

	/* An IP literal: the packet came from there (a server bound to
	 * a wildcard address may name another one in From). */
	if (sa_isset(&acct->srv, SA_ALL))
		return sa_cmp(&acct->srv, &msg->src, SA_ALL);

	if (msg->from.uri.port)
		(void)re_snprintf(host, sizeof(host), "%s%r%s:%u",
				  msg->from.uri.af == AF_INET6 ? "[" : "",
				  &msg->from.uri.host,
				  msg->from.uri.af == AF_INET6 ? "]" : "",
				  msg->from.uri.port);
	else
		(void)re_snprintf(host, sizeof(host), "%r",
				  &msg->from.uri.host);

	return 0 == str_casecmp(host, acct->host);
}


static bool request_handler(const struct sip_msg *msg, void *arg)
{
	struct ll__acct *acct = arg;
	struct status_note note;
	size_t len;
	int err;

	if (pl_strcmp(&msg->met, "MESSAGE"))
		return false;

	if (!from_server(acct, msg)) {
		log_info("sdk: status MESSAGE from %J refused: not our server",
			 &msg->src);
		(void)sip_reply(acct->sip, msg, 403, "Forbidden");
		return true;
	}

	if (!msg_ctype_cmp(&msg->ctyp, "application",
			   "vnd.lianluo.agent-status+json")) {
		(void)sip_reply(acct->sip, msg, 415, "Unsupported Media Type");
		return true;
	}

	len = body_len(msg);
	if (len > STATUS_BODY_MAX) {
		(void)sip_reply(acct->sip, msg, 413,
				"Request Entity Too Large");
		return true;
	}

	err = status_note_decode(&note, (const char *)mbuf_buf(msg->mb), len);
	if (err) {
		log_info("sdk: status MESSAGE refused: %m", err);
		(void)sip_reply(acct->sip, msg, 400, "Bad Status");
		return true;
	}

	(void)sip_reply(acct->sip, msg, 200, "OK");
	note_apply(acct, &note);

	return true;
}


/**
 * Start listening for the server's status MESSAGEs (the login's SIP
 * stack is up; acct->host is set).
 *
 * @param acct  Account
 *
 * @return 0 if success, otherwise errorcode
 */
int ll__status_start(struct ll__acct *acct)
{
	char uri[160];
	int err;

	if (re_snprintf(uri, sizeof(uri), "sip:" STATUS_USER "@%s%s",
			acct->host, acct->tp_param) < 0)
		return ENOMEM;

	err = sip_dialog_alloc(&acct->st_dlg, uri, uri, NULL, acct->aor,
			       NULL, 0);
	if (err)
		return err;

	return sip_listen(&acct->st_lsnr, acct->sip, true, request_handler,
			  acct);
}


/**
 * The first registration succeeded: ask the server for our status once,
 * so that ll_get_agent_status() knows it even when the login changed
 * nothing on the server.  Part of the login the user triggered.
 *
 * @param acct  Account
 */
void ll__status_login(struct ll__acct *acct)
{
	struct status_req req;
	int err;

	memset(&req, 0, sizeof(req));
	req.query = true;

	err = streq_start(acct, &req, NULL);
	if (err)
		log_info("sdk: %s: cannot ask for the status: %s",
			 acct->user_id, ll_strerror(err));
}


/**
 * The login ends: stop listening and end every request (their waiters
 * get LL_ERR_NOT_LOGGED_IN).
 *
 * @param acct  Account
 */
void ll__status_end(struct ll__acct *acct)
{
	struct le *le;

	acct->st_lsnr = mem_deref(acct->st_lsnr);

	while ((le = list_head(&acct->st_reqs))) {
		struct ll__streq *r = le->data;

		r->ret = LL_ERR_NOT_LOGGED_IN;
		mem_deref(r);
	}

	acct->st_dlg = mem_deref(acct->st_dlg);
}


/* ---- Public functions -------------------------------------------------- */

static int set_cmd(struct ll_sdk *sdk, void *arg)
{
	struct set_args *a = arg;
	const struct ll__acct *acct = sdk->acct;

	if (!acct || !acct->logged_in)
		return LL_ERR_NOT_LOGGED_IN;

	return streq_start(sdk->acct, &a->req, a->w);
}


static int request(struct ll_sdk *sdk, struct set_args *a)
{
	struct ll__wait w;

	a->w = &w;

	return ll__run_wait(sdk, set_cmd, a, &w);
}


LL_API int ll_set_agent_status(struct ll_sdk *sdk,
			       enum ll_agent_status status,
			       const char *reason, bool after_call)
{
	struct set_args a;
	int err;

	err = ll__gate(sdk);
	if (err)
		return err;

	if (status != LL_AGENT_FREE && status != LL_AGENT_NOT_READY &&
	    status != LL_AGENT_REST)
		return LL_ERR_INVALID_ARGUMENT;

	if (reason && !*reason)
		reason = NULL;

	if (reason && !ll__str_ok(reason, STATUS_REASON_SZ))
		return LL_ERR_INVALID_ARGUMENT;

	if (status == LL_AGENT_REST && !reason)
		return LL_ERR_INVALID_ARGUMENT;

	memset(&a, 0, sizeof(a));
	str_ncpy(a.req.status, ll_agent_status_str(status),
		 sizeof(a.req.status));
	if (reason)
		str_ncpy(a.req.reason, reason, sizeof(a.req.reason));
	a.req.after_call = after_call;

	return request(sdk, &a);
}


LL_API int ll_extend_arrange(struct ll_sdk *sdk, uint32_t seconds)
{
	struct set_args a;
	int err;

	err = ll__gate(sdk);
	if (err)
		return err;

	if (!seconds || seconds > STATUS_ARRANGE_MAX_S)
		return LL_ERR_INVALID_ARGUMENT;

	memset(&a, 0, sizeof(a));
	str_ncpy(a.req.status, "arrange", sizeof(a.req.status));
	a.req.arrange_s = seconds;

	return request(sdk, &a);
}


static int get_cmd(struct ll_sdk *sdk, void *arg)
{
	struct ll_agent_status_info *info = arg;
	const struct ll__acct *acct = sdk->acct;

	if (!acct || !acct->logged_in)
		return LL_ERR_NOT_LOGGED_IN;

	*info = acct->st_info;

	return 0;
}


LL_API int ll_get_agent_status(struct ll_sdk *sdk,
			       struct ll_agent_status_info *info)
{
	int err;

	err = ll__gate(sdk);
	if (err)
		return err;

	if (!info)
		return LL_ERR_INVALID_ARGUMENT;

	return ll__run(sdk, get_cmd, info);
}
