/**
 * @file sdk/reconnect.c  Registration (RFC 3261 10.2) and reconnection
 *
 * Copyright (C) 2026 The lianluo authors
 *
 * A REGISTER client of our own rather than libre's sipreg: sipreg retries
 * on its own schedule (30 s and more) and, once freed, sends an
 * un-REGISTER that would race the new registration of a reconnect.
 * Here one dialog (Call-ID) lives as long as the login, and the schedule
 * is ours:
 *
 *  - the first REGISTER's answer is the login's result (a SIP failure
 *    code is passed through as it is);
 *  - after that, a failed REGISTER (error response, timeout, transport
 *    error) emits on_connection_lost once, then retries after 1, 2, 4 ...
 *    30 s, emitting on_try_to_reconnect before each attempt, and
 *    on_connection_recovery when one succeeds;
 *  - a success is refreshed at 90 % of the granted expiry;
 *  - while registered, an OPTIONS every KEEPALIVE_MS tells a live server
 *    from a dead one without a write on the server's side, and every
 *    request gives up after REQ_TIMEOUT_MS (not SIP's 32 s), so a server
 *    that went away is noticed within about 15 s;
 *  - when a request fails (a keepalive sent from an address the host no
 *    longer has fails at once with ENETUNREACH), the address the host
 *    would use towards the server now is compared with ours: when
 *    it moved (Wi-Fi to cellular), the SIP transport and the call's RTP
 *    are rebound to the new one, a REGISTER goes out at once from the new
 *    Contact and a call in progress is re-INVITEd (RFC 3261 14) with the
 *    new SDP address.  That is an on_warning, not a lost connection.
 *    A failed keepalive never ends a call: a short blip costs at most a
 *    connection-lost/recovery pair.
 *
 * Response handlers only record and start timers: anything that frees
 * SIP objects runs from a timer, outside libre's handlers.
 */
#include <string.h>
#include <pthread.h>
#include <re.h>
#include "lianluo/lianluo.h"
#include "common/log.h"
#include "common/tlsc.h"
#include "common/media_sdp.h"
#include "audio/stream.h"
#include "sdk.h"
#include "privacy.h"


enum {
	REG_EXPIRES_S   = 60,
	MIN_REFRESH_MS  = 5000,
	KEEPALIVE_MS    = 10000,
	REQ_TIMEOUT_MS  = 5000,
	BACKOFF_MAX_S   = 30,
	AUTH_MAX        = 3,
};


static int reg_send(struct ll__acct *acct);
static void failed(struct ll__acct *acct, int err, const struct sip_msg *msg);
static void lost(struct ll__acct *acct);
static void keepalive_handler(void *arg);


/*
 * Did the host's address towards the server change?  Only a syscall (no
 * libre object), so it may run inside a handler.  No answer (no route at
 * the moment, between two networks) counts as no change.
 */
static bool moved(const struct ll__acct *acct, struct sa *laddr)
{
	int err;

	/* Reading the route is reading network state and the IP address:
	 * accountable (rule 8), and only after a failure, never on a timer
	 * (rule 4). */
	ll__ledger_record(LL_PRIVACY_NETWORK_STATE, "reconnect");
	ll__ledger_record(LL_PRIVACY_IP_ADDRESS, "reconnect");

	if (sa_isset(&acct->srv, SA_ADDR))
		err = ll__source_addr(laddr, &acct->srv);
	else
		err = net_default_source_addr_get(sa_af(&acct->laddr), laddr);
	if (err)
		return false;

	return !sa_cmp(laddr, &acct->laddr, SA_ADDR);
}


/*
 * The host moved: rebind, register from the new address at once and move
 * the call.  Runs from a timer (it frees the transport's socket).
 */
static void move(struct ll__acct *acct, const struct sa *laddr)
{
	static const char what[] = "network address changed, re-registering";
	struct ll__ev *ev;
	int err;

	/* No address in the log: it would place the agent. */
	log_warn("sdk: %s: %s", acct->user_id, what);
	ev = ll__ev_new(acct->sdk, LL__EV_WARNING);
	if (ev)
		str_ncpy(ev->msg, what, sizeof(ev->msg));

	/* What is under way went out from the old address. */
	tmr_cancel(&acct->req_tmr);
	tmr_cancel(&acct->retry_tmr);
	tmr_cancel(&acct->reg_tmr);
	tmr_cancel(&acct->ka_tmr);
	acct->req = mem_deref(acct->req);
	acct->ka_req = mem_deref(acct->ka_req);
	acct->authc = 0;

	err = ll__acct_rebind(acct, laddr);
	if (err) {
		log_warn("sdk: %s: cannot use the new address: %m",
			 acct->user_id, err);
		acct->registered = false;
		lost(acct);
		return;
	}

	err = reg_send(acct);
	if (err) {
		log_warn("sdk: REGISTER: %m", err);
		acct->registered = false;
		lost(acct);
	}

	ll__call_move(acct->sdk);
}


static void move_handler(void *arg)
{
	struct ll__acct *acct = arg;
	struct sa laddr;

	if (moved(acct, &laddr))
		move(acct, &laddr);
	else
		lost(acct);
}


/* A request that got no answer in time counts as a transport failure. */
static void req_timeout_handler(void *arg)
{
	struct ll__acct *acct = arg;

	if (!acct->req && !acct->ka_req)
		return;

	acct->req = mem_deref(acct->req);
	acct->ka_req = mem_deref(acct->ka_req);
	failed(acct, ETIMEDOUT, NULL);
}


static void ka_resp_handler(int err, const struct sip_msg *msg, void *arg)
{
	struct ll__acct *acct = arg;

	acct->ka_req = NULL;   /* the request frees itself after this */
	tmr_cancel(&acct->req_tmr);

	/* Any answer, even an error status, shows the server is there. */
	if (err || !msg) {
		failed(acct, err ? err : EPROTO, NULL);
		return;
	}

	tmr_start(&acct->ka_tmr, KEEPALIVE_MS, keepalive_handler, acct);
}


static void keepalive_handler(void *arg)
{
	struct ll__acct *acct = arg;
	int err;

	/* A REGISTER under way is a keepalive already. */
	if (acct->req || acct->ka_req || !acct->registered) {
		tmr_start(&acct->ka_tmr, KEEPALIVE_MS, keepalive_handler,
			  acct);
		return;
	}

	err = sip_drequestf(&acct->ka_req, acct->sip, true, "OPTIONS",
			    acct->dlg, 0, NULL, NULL, ka_resp_handler, acct,
			    "Content-Length: 0\r\n\r\n");
	if (err) {
		failed(acct, err, NULL);
		return;
	}

	tmr_start(&acct->req_tmr, REQ_TIMEOUT_MS, req_timeout_handler, acct);
}


static int send_handler(enum sip_transp tp, const struct sa *src,
			const struct sa *dst, struct mbuf *mb, void *arg)
{
	struct ll__acct *acct = arg;
	(void)dst;
	(void)tp;

	/* Contact: where the transport really sends from. */
	return mbuf_printf(mb, "Contact: <sip:%s@%J%s>;expires=%u\r\n",
			   acct->auth_user, src, acct->tp_param,
			   REG_EXPIRES_S);
}


static bool contact_handler(const struct sip_hdr *hdr,
			    const struct sip_msg *msg, void *arg)
{
	uint32_t *expiresp = arg;
	struct sip_addr addr;
	struct pl val;
	(void)msg;

	if (sip_addr_decode(&addr, &hdr->val))
		return false;

	if (0 == msg_param_decode(&addr.params, "expires", &val))
		*expiresp = pl_u32(&val);

	return true;
}


static void refresh_handler(void *arg)
{
	struct ll__acct *acct = arg;
	int err;

	err = reg_send(acct);
	if (err)
		log_warn("sdk: REGISTER refresh: %m", err);
}


static void retry_handler(void *arg)
{
	struct ll__acct *acct = arg;
	struct ll__ev *ev;
	struct sa laddr;
	int err;

	if (moved(acct, &laddr)) {
		move(acct, &laddr);
		return;
	}

	ev = ll__ev_new(acct->sdk, LL__EV_RECONNECT);
	(void)ev;

	log_info("sdk: %s: reconnecting", acct->user_id);

	acct->req = mem_deref(acct->req);
	err = reg_send(acct);
	if (err) {
		log_warn("sdk: REGISTER: %m", err);
		acct->backoff_s = min(acct->backoff_s * 2, BACKOFF_MAX_S);
		tmr_start(&acct->retry_tmr, acct->backoff_s * 1000ULL,
			  retry_handler, acct);
	}
}


/* The first REGISTER failed: the login failed; end it from a timer. */
static void login_failed_handler(void *arg)
{
	struct ll__acct *acct = arg;

	ll__acct_end(acct->sdk, acct->fail_code);
}


static void registered(struct ll__acct *acct, const struct sip_msg *msg)
{
	struct ll_sdk *sdk = acct->sdk;
	uint32_t expires = REG_EXPIRES_S;
	uint64_t refresh_ms;
	struct ll__ev *ev;

	(void)sip_msg_hdr_apply(msg, true, SIP_HDR_CONTACT, contact_handler,
				&expires);
	if (!expires || expires > REG_EXPIRES_S)
		expires = REG_EXPIRES_S;

	refresh_ms = max(expires * 900ULL, (uint64_t)MIN_REFRESH_MS);
	tmr_start(&acct->reg_tmr, refresh_ms, refresh_handler, acct);
	tmr_start(&acct->ka_tmr, KEEPALIVE_MS, keepalive_handler, acct);

	acct->registered = true;
	acct->backoff_s = 0;
	tmr_cancel(&acct->retry_tmr);

	if (!acct->logged_in) {
		acct->logged_in = true;
		log_info("sdk: %s logged in as %s", acct->user_id,
			 acct->aor);

		ev = ll__ev_new(sdk, LL__EV_LOGIN);
		if (ev && acct->loginh) {
			ev->loginh = acct->loginh;
			ev->arg = acct->login_arg;
			str_ncpy(ev->from, acct->user_id, sizeof(ev->from));
			str_ncpy(ev->aor, acct->aor, sizeof(ev->aor));
			(void)re_snprintf(ev->msg, sizeof(ev->msg),
					  "registered to %s for %us",
					  acct->reg_uri, expires);
		}
		acct->loginh = NULL;
		ll__status_login(acct);
		return;
	}

	if (acct->lost) {
		acct->lost = false;
		log_info("sdk: %s: connection recovered", acct->user_id);
		(void)ll__ev_new(sdk, LL__EV_RECOVERY);
	}
}


static void failed(struct ll__acct *acct, int err, const struct sip_msg *msg)
{
	struct sa laddr;

	if (msg)
		log_info("sdk: %s: REGISTER failed: %u %r", acct->user_id,
			 msg->scode, &msg->reason);
	else
		log_info("sdk: %s: REGISTER failed: %m", acct->user_id, err);

	tmr_cancel(&acct->reg_tmr);
	tmr_cancel(&acct->ka_tmr);
	acct->registered = false;

	if (!acct->logged_in) {
		if (acct->tlsv && acct->tlsv->refused) {
			acct->fail_code = LL_ERR_CERTIFICATE;
			if (acct->tlsv->got[0])
				(void)re_snprintf(acct->diag,
						  sizeof(acct->diag),
						  "SIP server certificate"
						  " SHA-256 %s does not match"
						  " the pinned %s",
						  acct->tlsv->got,
						  acct->tlsv->pin);
			else
				str_ncpy(acct->diag, "SIP server"
					 " certificate not trusted",
					 sizeof(acct->diag));
			log_warn("sdk: %s: %s", acct->user_id, acct->diag);
		}
		else if (msg)
			acct->fail_code = msg->scode;
		else if (err == ETIMEDOUT)
			acct->fail_code = LL_ERR_TIMEOUT;
		else
			acct->fail_code = LL_ERR_NETWORK;

		tmr_start(&acct->retry_tmr, 0, login_failed_handler, acct);
		return;
	}

	/* The server now shows a certificate that fails verification (it
	 * was replaced, or someone sits in between): the SDK keeps trying,
	 * but the app is told why, once per refusal. */
	if (acct->tlsv && acct->tlsv->refused) {
		struct ll__ev *ev = ll__ev_new(acct->sdk, LL__EV_WARNING);

		acct->tlsv->refused = false;
		log_warn("sdk: %s: the SIP server's certificate failed"
			 " verification", acct->user_id);
		if (ev) {
			ev->err = LL_ERR_CERTIFICATE;
			str_ncpy(ev->msg, "SIP server certificate failed"
				 " verification", sizeof(ev->msg));
		}
	}

	/* Sent from an address the host no longer has? */
	if (moved(acct, &laddr)) {
		tmr_start(&acct->move_tmr, 0, move_handler, acct);
		return;
	}

	lost(acct);
}


/* Logged in, the server does not answer: report it once, retry. */
static void lost(struct ll__acct *acct)
{
	struct ll_sdk *sdk = acct->sdk;

	if (!acct->lost) {
		acct->lost = true;
		log_warn("sdk: %s: connection lost", acct->user_id);
		(void)ll__ev_new(sdk, LL__EV_CONN_LOST);
	}

	acct->backoff_s = acct->backoff_s ?
		min(acct->backoff_s * 2, BACKOFF_MAX_S) : 1;
	tmr_start(&acct->retry_tmr, acct->backoff_s * 1000ULL, retry_handler,
		  acct);
}


static void resp_handler(int err, const struct sip_msg *msg, void *arg)
{
	struct ll__acct *acct = arg;

	if (!err && msg && msg->scode < 200)
		return;

	acct->req = NULL;   /* the request frees itself after this */
	tmr_cancel(&acct->req_tmr);

	if (err || !msg) {
		failed(acct, err ? err : EPROTO, NULL);
		return;
	}

	if (msg->scode < 300) {
		acct->authc = 0;
		registered(acct, msg);
		return;
	}

	if ((msg->scode == 401 || msg->scode == 407) &&
	    acct->authc < AUTH_MAX) {
		/* EAUTH: these credentials were refused already. */
		err = sip_auth_authenticate(acct->auth, msg);
		if (!err) {
			++acct->authc;
			err = reg_send(acct);
			if (!err)
				return;
		}
	}

	acct->authc = 0;
	failed(acct, 0, msg);
}


static int reg_send(struct ll__acct *acct)
{
	int err;

	err = sip_drequestf(&acct->req, acct->sip, true, "REGISTER",
			    acct->dlg, 0, acct->auth, send_handler,
			    resp_handler, acct,
			    "Expires: %u\r\n"
			    "Content-Length: 0\r\n\r\n",
			    REG_EXPIRES_S);
	if (!err)
		tmr_start(&acct->req_tmr, REQ_TIMEOUT_MS, req_timeout_handler,
			  acct);

	return err;
}


/**
 * Start registering acct (its SIP stack is up)
 *
 * @param acct  Account
 *
 * @return 0 if success, otherwise errorcode
 */
int ll__acct_register(struct ll__acct *acct)
{
	int err;

	err = sip_dialog_alloc(&acct->dlg, acct->reg_uri, acct->aor, NULL,
			       acct->aor, NULL, 0);
	if (err)
		return err;

	err = sip_auth_alloc(&acct->auth, ll__acct_auth_handler, acct,
			     false);
	if (err)
		return err;

	return reg_send(acct);
}


/** Stop refreshing and retrying (the login ends). */
void ll__reconnect_stop(struct ll__acct *acct)
{
	tmr_cancel(&acct->reg_tmr);
	tmr_cancel(&acct->retry_tmr);
	tmr_cancel(&acct->ka_tmr);
	tmr_cancel(&acct->req_tmr);
	tmr_cancel(&acct->move_tmr);
	acct->ka_req = mem_deref(acct->ka_req);
}


/* ---- Background (privacy_switch.c, DESIGN.md rule 4) ----------------------
 * Added for ll_set_app_state(); kept apart from the code above.
 */

/**
 * The app went to the background: stop every request of the SDK's own
 * (refresh, keepalive, reconnection) and abandon the ones in progress.
 * The binding on the server is left to expire.
 *
 * @param acct  Account
 */
void ll__reconnect_suspend(struct ll__acct *acct)
{
	ll__reconnect_stop(acct);
	acct->req = mem_deref(acct->req);
}


/**
 * Back in the foreground: register again at once; a failure takes the
 * usual path (connection lost, reconnection with back-off).
 *
 * @param acct  Account
 */
void ll__reconnect_resume(struct ll__acct *acct)
{
	int err;

	if (!acct->dlg || !acct->auth)
		return;

	acct->req = mem_deref(acct->req);
	err = reg_send(acct);
	if (err)
		failed(acct, err, NULL);
}
