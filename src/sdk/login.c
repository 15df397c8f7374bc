/**
 * @file sdk/login.c  Login (agent mode and SIP mode), logout, checkLogin
 *
 * Copyright (C) 2026 The lianluo authors
 *
 * Agent mode: POST /v1/login trades (SdkAppId, UserId, token) for
 * ephemeral SIP credentials (docs/API.md); the blocking request runs on a
 * short-lived worker thread (struct ll__job) whose result is posted back
 * to the SDK thread.  Then, as in SIP mode, the SIP stack is built (one
 * UDP transport on our address towards the server, a session socket for
 * INVITEs) and the REGISTER client of reconnect.c starts.  The login's
 * result is reported when the first REGISTER is answered.
 *
 * Logout retires the SIP stack: the un-REGISTER and any BYE complete in
 * the background (sdk->retired) and the stack is freed when they are done
 * or after RETIRE_WAIT_MS.
 *
 * The token and the SIP password are never logged; the password is kept
 * (it is needed for every REGISTER and INVITE challenge) and wiped when
 * the login ends.
 */
#include <string.h>
#include <ctype.h>
#include <unistd.h>
#include <pthread.h>
#include <sys/socket.h>
#include <re.h>
#include "lianluo/lianluo.h"
#include "common/log.h"
#include "common/httpc.h"
#include "common/tlsc.h"
#include "common/jsonw.h"
#include "common/media_sdp.h"
#include "audio/stream.h"
#include "sdk.h"
#include "privacy.h"


enum {
	HTTP_TIMEOUT_S = 5,      /* destroy may wait for this long */
	RETIRE_POLL_MS = 50,
	RETIRE_WAIT_MS = 4000,
	ID_MAX         = 64,     /* user_id, sdk_app_id: 1-63 characters */
	TOKEN_MAX      = 1024,
	PASSWORD_MAX   = 129,
	URI_MAX        = 256,
	CLIENT_SZ      = 512,    /* the login's "client" member */
	CA_FILE_MAX    = 256,
};

/** The agent-mode login request, shared with its worker thread. */
struct ll__job {
	struct ll__cmd cmd;          /* the result, posted back */
	struct ll_sdk *sdk;
	struct ll__acct *acct;       /* NULL once the login was abandoned */
	pthread_t tid;
	bool joined;
	struct httpc_server srv;
	char *body;                  /* holds the token: wiped after use */
	struct httpc_resp resp;
	int err;
};

/** A SIP stack after logout, until its last transactions are done. */
struct retired {
	struct le le;
	struct sip *sip;
	struct sip_dialog *dlg;
	struct sip_auth *auth;
	struct sip_request *unreg;
	char *user;                  /* copies for the un-REGISTER's */
	char *pass;                  /* challenge; pass wiped */
	uint64_t deadline;
	bool challenged;
};

struct login_args {
	const char *url;
	const char *app;
	const char *user;
	const char *token;
	const char *sip_uri;
	const char *password;
	ll_login_h *h;
	void *arg;
};

struct result_args {
	ll_result_h *h;
	void *arg;
};


/**
 * A string the SDK accepts: set, shorter than max, no control characters
 * (they could end a SIP or HTTP header line).
 */
bool ll__str_ok(const char *s, size_t max)
{
	size_t n;

	if (!s || !*s)
		return false;

	for (n = 0; s[n]; n++) {
		if (n + 1 >= max || iscntrl((unsigned char)s[n]))
			return false;
	}

	return true;
}


/* user_id and sdk_app_id: 1-63 of A-Z a-z 0-9 - _ . @ (docs/API.md). */
static bool id_ok(const char *s)
{
	size_t n;

	if (!ll__str_ok(s, ID_MAX))
		return false;

	for (n = 0; s[n]; n++) {
		if (!isalnum((unsigned char)s[n]) && !strchr("-_.@", s[n]))
			return false;
	}

	return true;
}


static void job_destructor(void *arg)
{
	struct ll__job *job = arg;

	if (job->body)
		memset(job->body, 0, strlen(job->body));
	mem_deref(job->body);
	httpc_resp_reset(&job->resp);
}


static void job_join(struct ll__job *job)
{
	if (job->joined)
		return;

	pthread_join(job->tid, NULL);
	job->joined = true;
}


static void acct_destructor(void *arg)
{
	struct ll__acct *acct = arg;

	ll__reconnect_stop(acct);
	ll__status_end(acct);

	/* The worker posts its result to the instance, which outlives the
	 * account; the posted command sees job->acct == NULL and frees. */
	if (acct->job) {
		job_join(acct->job);
		acct->job->acct = NULL;
		acct->job = NULL;
	}

	if (acct->auth_pass)
		memset(acct->auth_pass, 0, strlen(acct->auth_pass));
	mem_deref(acct->auth_pass);
	mem_deref(acct->req);
	mem_deref(acct->ka_req);
	mem_deref(acct->dlg);
	mem_deref(acct->auth);
	mem_deref(acct->sock);
	mem_deref(acct->sip);
	mem_deref(acct->tls_ctx);
}


static int acct_alloc(struct ll__acct **acctp, struct ll_sdk *sdk,
		      ll_login_h *h, void *arg)
{
	struct ll__acct *acct;

	acct = mem_zalloc(sizeof(*acct), acct_destructor);
	if (!acct)
		return ENOMEM;

	acct->sdk = sdk;
	acct->loginh = h;
	acct->login_arg = arg;
	acct->tp_param = "";
	tmr_init(&acct->reg_tmr);
	tmr_init(&acct->retry_tmr);
	tmr_init(&acct->ka_tmr);
	tmr_init(&acct->req_tmr);
	tmr_init(&acct->move_tmr);
	list_init(&acct->st_reqs);

	*acctp = acct;

	return 0;
}


int ll__acct_auth_handler(char **username, char **password,
			  const char *realm, void *arg)
{
	struct ll__acct *acct = arg;
	int err;
	(void)realm;

	err = str_dup(username, acct->auth_user);
	if (err)
		return err;

	err = str_dup(password, acct->auth_pass);
	if (err)
		*username = mem_deref(*username);

	return err;
}


/**
 * Our address towards the server: the source the kernel picks for it
 * (connecting a UDP socket sends nothing).  That address goes into our
 * Contact and SDP, so that the server reaches us on the right network;
 * reconnect.c asks again on every keepalive, to notice a move (Wi-Fi to
 * cellular).
 *
 * @param laddr  Returned address (port 0)
 * @param dst    The server's address
 *
 * @return 0 if success, otherwise errorcode (ENETUNREACH: no route)
 */
int ll__source_addr(struct sa *laddr, const struct sa *dst)
{
	struct sa tmp;
	int fd, err = 0;

	fd = socket(sa_af(dst), SOCK_DGRAM, 0);
	if (fd < 0)
		return errno;

	sa_init(&tmp, sa_af(dst));
	if (connect(fd, &dst->u.sa, dst->len) ||
	    getsockname(fd, &tmp.u.sa, &tmp.len))
		err = errno;

	(void)close(fd);

	if (!err) {
		*laddr = tmp;
		sa_set_port(laddr, 0);
	}

	return err;
}


/*
 * SIP over TLS when acct->reg_uri says ";transport=tls" (lianluod's
 * /v1/login does so whenever it has a TLS listener), the server verified
 * as the login's HTTPS was (a pin, a CA file or the system store); plain
 * UDP only if the app allowed it.
 */
static int transport_prepare(struct ll__acct *acct, const struct uri *uri,
			     const char *host)
{
	struct ll_sdk *sdk = acct->sdk;
	struct pl tp;
	int err;

	acct->tls = 0 == msg_param_decode(&uri->params, "transport", &tp) &&
		0 == pl_strcasecmp(&tp, "tls");
	if (!acct->tls) {
		if (!sdk->insecure) {
			log_warn("sdk: %s: the server is plain SIP (%s): refused"
				 " (see ll_allow_insecure)", acct->user_id,
				 acct->reg_uri);
			str_ncpy(acct->diag, "the server offers SIP without"
				 " TLS", sizeof(acct->diag));
			return LL__EINSECURE;
		}
		return 0;
	}

	acct->tp_param = ";transport=tls";

	err = tls_alloc(&acct->tls_ctx, TLS_METHOD_SSLV23, NULL, NULL);
	if (err)
		return err;

	return tlsc_ctx_verify(tls_openssl_context(acct->tls_ctx), host,
			       sdk->cert_sha256, sdk->ca_file, &acct->tlsv);
}


static enum sip_transp transport(const struct ll__acct *acct)
{
	return acct->tls ? SIP_TRANSP_TLS : SIP_TRANSP_UDP;
}


/* Build the SIP stack for acct->reg_uri and start registering. */
static int stack_start(struct ll__acct *acct)
{
	struct dnsc *dnsc = NULL;
	struct sa dst, laddr;
	struct uri uri;
	struct pl pl;
	char host[URI_MAX];
	int err;

	/* privacy: the route and address read below (ledger.c) */
	ll__privacy_network_read(acct->agent_mode ? "ll_login_agent" :
				 "ll_login_sip");

	pl_set_str(&pl, acct->reg_uri);
	err = uri_decode(&uri, &pl);
	if (err || !uri.host.l)
		return EINVAL;

	(void)pl_strcpy(&uri.host, host, sizeof(host));

	err = transport_prepare(acct, &uri, host);
	if (err)
		return err;

	if (uri.port)
		(void)re_snprintf(acct->host, sizeof(acct->host), "%s%r%s:%u",
				  uri.af == AF_INET6 ? "[" : "", &uri.host,
				  uri.af == AF_INET6 ? "]" : "", uri.port);
	else
		(void)re_snprintf(acct->host, sizeof(acct->host), "%s%r%s",
				  uri.af == AF_INET6 ? "[" : "", &uri.host,
				  uri.af == AF_INET6 ? "]" : "");

	if (0 == sa_set_str(&dst, host, uri.port ? uri.port : SIP_PORT)) {
		err = ll__source_addr(&laddr, &dst);
		if (err)
			goto out;
		acct->srv = dst;
	}
	else {
		/* A host name: libre resolves it (RFC 3263). */
		struct sa nsv[4];
		uint32_t nsn = ARRAY_SIZE(nsv);
		char domain[64];

		err = dns_srv_get(domain, sizeof(domain), nsv, &nsn);
		if (!err)
			err = dnsc_alloc(&dnsc, NULL, nsv, nsn);
		if (!err)
			err = net_default_source_addr_get(AF_INET, &laddr);
		if (err)
			goto out;
	}

	err = sip_alloc(&acct->sip, dnsc, 32, 32, 32,
			"liblianluo/" LL_VERSION_STR, NULL, NULL);
	if (err)
		goto out;

	err = sip_transp_add(acct->sip, transport(acct), &laddr,
			     acct->tls_ctx);
	if (err)
		goto out;

	/* The port the kernel chose, for the media's address. */
	err = sip_transp_laddr(acct->sip, &acct->laddr, transport(acct),
			       NULL);
	if (err)
		goto out;

	err = ll__status_start(acct);
	if (err)
		goto out;

	err = sipsess_listen(&acct->sock, acct->sip, 32,
			     ll__call_conn_handler, acct->sdk);
	if (err)
		goto out;

	err = ll__acct_register(acct);

 out:
	mem_deref(dnsc);
	return err;
}


/**
 * Move the SIP transport to a new local address (the host's address
 * changed).  The stack, its session socket and the sessions stay: only
 * the UDP socket is replaced, so what is sent next (the new REGISTER, a
 * re-INVITE) carries the new address in its Via and Contact.
 *
 * @param acct   Account
 * @param laddr  New local address (port ignored)
 *
 * @return 0 if success, otherwise errorcode
 */
int ll__acct_rebind(struct ll__acct *acct, const struct sa *laddr)
{
	struct sa tmp = *laddr;
	int err;

	if (!acct->sip)
		return EINVAL;

	/* libre 1.1.0 has no way to remove one transport: all go. */
	sip_transp_flush(acct->sip);

	/* The same port if it is free there; any otherwise. */
	sa_set_port(&tmp, sa_port(&acct->laddr));
	err = sip_transp_add(acct->sip, transport(acct), &tmp, acct->tls_ctx);
	if (err) {
		sa_set_port(&tmp, 0);
		err = sip_transp_add(acct->sip, transport(acct), &tmp,
				     acct->tls_ctx);
	}
	if (err) {
		/* No transport now: an unspecified address makes the next
		 * check (reconnect.c) see a move and try again. */
		sa_init(&acct->laddr, sa_af(laddr));
		return err;
	}

	return sip_transp_laddr(acct->sip, &acct->laddr, transport(acct),
				NULL);
}


static void retired_destructor(void *arg)
{
	struct retired *r = arg;

	list_unlink(&r->le);
	mem_deref(r->unreg);
	mem_deref(r->dlg);
	mem_deref(r->auth);
	if (r->pass)
		memset(r->pass, 0, strlen(r->pass));
	mem_deref(r->pass);
	mem_deref(r->user);

	/* Whatever is still pending is abandoned now. */
	sip_close(r->sip, true);
	mem_deref(r->sip);
}


/**
 * Free the retired SIP stacks that are done (or all of them)
 *
 * @param sdk    Instance
 * @param force  Free them all, done or not
 */
void ll__retire_flush(struct ll_sdk *sdk, bool force)
{
	const uint64_t now = tmr_jiffies();
	struct le *le = list_head(&sdk->retired);

	while (le) {
		struct retired *r = le->data;

		le = le->next;

		/* Done: our reference is the last one (no session, no
		 * socket, no request left). */
		if (force || now >= r->deadline ||
		    (!r->unreg && mem_nrefs(r->sip) <= 1))
			mem_deref(r);
	}
}


static void retire_poll_handler(void *arg)
{
	struct ll_sdk *sdk = arg;

	ll__retire_flush(sdk, false);

	if (!list_isempty(&sdk->retired))
		tmr_start(&sdk->retire_tmr, RETIRE_POLL_MS,
			  retire_poll_handler, sdk);
}


static int unreg_send(struct retired *r);


static int retired_auth_handler(char **username, char **password,
				const char *realm, void *arg)
{
	struct retired *r = arg;
	int err;
	(void)realm;

	err = str_dup(username, r->user);
	if (err)
		return err;

	err = str_dup(password, r->pass);
	if (err)
		*username = mem_deref(*username);

	return err;
}


static void unreg_resp_handler(int err, const struct sip_msg *msg,
			       void *arg)
{
	struct retired *r = arg;
	(void)err;

	if (msg && msg->scode < 200)
		return;

	r->unreg = NULL;   /* the request frees itself */

	/* A stale nonce: answer the new challenge once. */
	if (msg && (msg->scode == 401 || msg->scode == 407) &&
	    !r->challenged && !sip_auth_authenticate(r->auth, msg)) {
		r->challenged = true;
		(void)unreg_send(r);
	}
}


/* RFC 3261 10.2.2: Contact "*" with Expires 0 removes our binding. */
static int unreg_send(struct retired *r)
{
	return sip_drequestf(&r->unreg, r->sip, true, "REGISTER", r->dlg, 0,
			     r->auth, NULL, unreg_resp_handler, r,
			     "Contact: *\r\n"
			     "Expires: 0\r\n"
			     "Content-Length: 0\r\n\r\n");
}


/**
 * End the login: report a pending login result, end the call, remove
 * the registration and retire the SIP stack.  No-op when logged out.
 *
 * @param sdk        Instance
 * @param login_err  Result for a login still pending (public code)
 */
void ll__acct_end(struct ll_sdk *sdk, int login_err)
{
	struct ll__acct *acct = sdk->acct;
	struct retired *r;

	if (!acct)
		return;

	if (acct->loginh) {
		struct ll__ev *ev = ll__ev_new(sdk, LL__EV_LOGIN);

		if (ev) {
			ev->err = login_err ? login_err : LL_ERR_INTERNAL;
			ev->loginh = acct->loginh;
			ev->arg = acct->login_arg;
			str_ncpy(ev->from, acct->user_id, sizeof(ev->from));
			str_ncpy(ev->msg, acct->diag[0] ? acct->diag :
				 ll_strerror(ev->err), sizeof(ev->msg));
		}
		acct->loginh = NULL;
	}

	ll__call_end_all(sdk);
	ll__reconnect_stop(acct);
	sdk->acct = NULL;

	if (!acct->sip)
		goto out;

	r = mem_zalloc(sizeof(*r), retired_destructor);
	if (!r)
		goto out;

	r->sip = mem_ref(acct->sip);
	r->deadline = tmr_jiffies() + RETIRE_WAIT_MS;
	list_append(&sdk->retired, &r->le, r);

	/* The retired stack has credentials of its own: the account's
	 * sip_auth calls back into the account, which goes now. */
	acct->req = mem_deref(acct->req);
	if (acct->registered && acct->dlg &&
	    !str_dup(&r->user, acct->auth_user) &&
	    !str_dup(&r->pass, acct->auth_pass) &&
	    !sip_auth_alloc(&r->auth, retired_auth_handler, r, false)) {
		r->dlg = mem_ref(acct->dlg);
		(void)unreg_send(r);
	}

	if (!tmr_isrunning(&sdk->retire_tmr))
		tmr_start(&sdk->retire_tmr, RETIRE_POLL_MS,
			  retire_poll_handler, sdk);

	log_info("sdk: %s logged out", acct->user_id);

 out:
	mem_deref(acct);
}


/* ---- Agent mode -------------------------------------------------------- */

static int job_result_cmd(struct ll_sdk *sdk, void *arg);


static void *job_worker(void *arg)
{
	struct ll__job *job = arg;

	/* Blocking, off the loop.  job->acct is not touched here: it
	 * belongs to the SDK thread. */
	job->err = httpc_request(&job->resp, &job->srv, "POST", "/v1/login",
				 job->body);

	memset(job->body, 0, strlen(job->body));

	ll__post(job->sdk, &job->cmd, job_result_cmd, job);

	return NULL;
}


/* The error code of a 401 from /v1/login (docs/API.md). */
static int login_error(const struct httpc_resp *resp)
{
	const struct odict_entry *e;
	struct odict *od = NULL;
	const char *code = NULL;
	int ret;

	if (resp->len)
		(void)json_decode_odict(&od, 8, resp->body, resp->len, 4);

	e = od ? odict_lookup(od, "error") : NULL;
	if (e && e->type == ODICT_OBJECT)
		code = odict_string(e->u.odict, "code");

	if (resp->scode == 401 && code && !strcmp(code, "TokenUsed"))
		ret = LL_ERR_TOKEN_USED;
	else if (resp->scode == 401 && code && !strcmp(code, "TokenExpired"))
		ret = LL_ERR_TOKEN_EXPIRED;
	else if (resp->scode == 401 || resp->scode == 403)
		ret = LL_ERR_AUTH_FAILED;
	else
		ret = LL_ERR_SERVER;

	mem_deref(od);

	return ret;
}


/* Take the credentials from a 200 of /v1/login. */
static int login_creds(struct ll__acct *acct, const struct httpc_resp *resp)
{
	const char *user, *pass, *uri, *aor;
	struct odict *od = NULL;
	int err;

	err = json_decode_odict(&od, 16, resp->body, resp->len, 4);
	if (err)
		return EPROTO;

	user = odict_string(od, "sip_username");
	pass = odict_string(od, "sip_password");
	uri  = odict_string(od, "sip_uri");
	aor  = odict_string(od, "aor");

	if (!ll__str_ok(user, sizeof(acct->auth_user)) ||
	    !ll__str_ok(pass, PASSWORD_MAX) ||
	    !ll__str_ok(uri, sizeof(acct->reg_uri)) ||
	    !ll__str_ok(aor, sizeof(acct->aor))) {
		err = EPROTO;
		goto out;
	}

	str_ncpy(acct->auth_user, user, sizeof(acct->auth_user));
	str_ncpy(acct->reg_uri, uri, sizeof(acct->reg_uri));
	str_ncpy(acct->aor, aor, sizeof(acct->aor));
	err = str_dup(&acct->auth_pass, pass);

 out:
	/* The decoded reply holds the password too. */
	if (resp->body)
		memset(resp->body, 0, resp->len);
	mem_deref(od);
	return err;
}


static int job_result_cmd(struct ll_sdk *sdk, void *arg)
{
	struct ll__job *job = arg;
	struct ll__acct *acct = job->acct;
	int code, err;

	job_join(job);

	if (!acct || sdk->stopping) {
		if (acct) {
			acct->job = NULL;
			job->acct = NULL;
		}
		goto out;
	}

	acct->job = NULL;
	job->acct = NULL;

	/* A server that fails verification was sent nothing (common/tlsc);
	 * an unusable CA file is the app's certificate setting too. */
	if (job->err == TLSC_ECERT ||
	    (job->err == EINVAL && job->resp.detail[0])) {
		log_warn("sdk: login of %s: %s", acct->user_id,
			 job->resp.detail);
		str_ncpy(acct->diag, job->resp.detail, sizeof(acct->diag));
		code = LL_ERR_CERTIFICATE;
		goto fail;
	}

	if (job->err) {
		log_info("sdk: login of %s: server unreachable: %m%s%s",
			 acct->user_id, job->err,
			 job->resp.detail[0] ? ": " : "", job->resp.detail);
		code = job->err == ETIMEDOUT ? LL_ERR_TIMEOUT : LL_ERR_NETWORK;
		goto fail;
	}

	if (job->resp.scode != 200) {
		code = login_error(&job->resp);
		log_info("sdk: login of %s refused: HTTP %u (%s)",
			 acct->user_id, job->resp.scode, ll_strerror(code));
		goto fail;
	}

	err = login_creds(acct, &job->resp);
	if (!err)
		err = stack_start(acct);
	if (err) {
		log_warn("sdk: login of %s: %m", acct->user_id, err);
		code = err == EPROTO ? LL_ERR_SERVER : ll__code(err);
		goto fail;
	}

	log_info("sdk: %s: registering to %s", acct->user_id,
		 acct->reg_uri);
	goto out;

 fail:
	ll__acct_end(sdk, code);
 out:
	mem_deref(job);
	return 0;
}


static int login_agent_cmd(struct ll_sdk *sdk, void *arg)
{
	const struct login_args *a = arg;
	struct ll__acct *acct = NULL;
	struct ll__job *job = NULL;
	char client[CLIENT_SZ];   /* privacy_switch.c */
	int err;

	if (sdk->acct)
		return LL_ERR_ALREADY_LOGGED_IN;

	err = acct_alloc(&acct, sdk, a->h, a->arg);
	if (err)
		goto out;

	acct->agent_mode = true;
	str_ncpy(acct->user_id, a->user, sizeof(acct->user_id));

	job = mem_zalloc(sizeof(*job), job_destructor);
	if (!job) {
		err = ENOMEM;
		goto out;
	}

	err = httpc_url_decode(&job->srv, a->url);
	if (err)
		goto out;

	/* The token would travel in clear. */
	if (!job->srv.tls && !sdk->insecure) {
		log_warn("sdk: login of %s: http:// refused (see"
			 " ll_allow_insecure)", acct->user_id);
		err = LL__EINSECURE;
		goto out;
	}
	job->srv.agent = "liblianluo/" LL_VERSION_STR;
	job->srv.timeout_s = HTTP_TIMEOUT_S;
	str_ncpy(job->srv.cert_sha256, sdk->cert_sha256,
		 sizeof(job->srv.cert_sha256));
	str_ncpy(job->srv.ca_file, sdk->ca_file, sizeof(job->srv.ca_file));

	/* privacy: OS, machine, and device details when switched on */
	err = ll__privacy_client_json(client, sizeof(client),
				      "ll_login_agent");
	if (err)
		goto out;

	err = re_sdprintf(&job->body,
			  "{\"sdk_app_id\":%H,\"user_id\":%H,\"token\":%H"
			  "%s}",
			  jsonw_str, a->app, jsonw_str, a->user,
			  jsonw_str, a->token, client);
	if (err)
		goto out;

	job->acct = acct;
	job->sdk = sdk;
	err = pthread_create(&job->tid, NULL, job_worker, job);
	if (err) {
		job->joined = true;
		goto out;
	}

	acct->job = job;
	sdk->acct = acct;
	log_info("sdk: login of %s (agent mode) to %s://%s:%s%s",
		 acct->user_id, job->srv.tls ? "https" : "http",
		 job->srv.host, job->srv.port,
		 !job->srv.tls ? "" : sdk->cert_sha256[0] ?
		 " (pinned certificate)" : sdk->ca_file[0] ?
		 " (CA file)" : " (system trust store)");

 out:
	if (err) {
		if (job)
			job->acct = NULL;
		mem_deref(job);
		if (acct)
			acct->loginh = NULL;
		mem_deref(acct);
	}

	return err ? ll__code(err) : 0;
}


LL_API int ll_login_agent(struct ll_sdk *sdk, const char *server_url,
			  const char *sdk_app_id, const char *user_id,
			  const char *token, ll_login_h *loginh, void *arg)
{
	struct login_args a;
	struct httpc_server srv;
	int err;

	err = ll__gate(sdk);
	if (err)
		return err;

	if (!ll__str_ok(server_url, URI_MAX) || !id_ok(sdk_app_id) ||
	    !id_ok(user_id) || !ll__str_ok(token, TOKEN_MAX))
		return LL_ERR_INVALID_ARGUMENT;

	memset(&srv, 0, sizeof(srv));
	err = httpc_url_decode(&srv, server_url);
	if (err)
		return LL_ERR_BAD_URI;

	memset(&a, 0, sizeof(a));
	a.url = server_url;
	a.app = sdk_app_id;
	a.user = user_id;
	a.token = token;
	a.h = loginh;
	a.arg = arg;

	return ll__run(sdk, login_agent_cmd, &a);
}


static int server_cert_cmd(struct ll_sdk *sdk, void *arg)
{
	const char *s = arg;

	sdk->cert_sha256[0] = '\0';
	sdk->ca_file[0] = '\0';

	if (!s || !*s)
		return 0;

	if (0 == tlsc_pin_decode(sdk->cert_sha256, sizeof(sdk->cert_sha256),
				 s))
		return 0;

	sdk->cert_sha256[0] = '\0';
	str_ncpy(sdk->ca_file, s, sizeof(sdk->ca_file));
	return 0;
}


LL_API int ll_set_server_certificate(struct ll_sdk *sdk,
				     const char *sha256_or_ca_file)
{
	int err;

	err = ll__gate(sdk);
	if (err)
		return err;

	/* Not a fingerprint: a file name (checked when it is read). */
	if (sha256_or_ca_file && *sha256_or_ca_file &&
	    !ll__str_ok(sha256_or_ca_file, CA_FILE_MAX))
		return LL_ERR_INVALID_ARGUMENT;

	return ll__run(sdk, server_cert_cmd, (void *)sha256_or_ca_file);
}


static int insecure_cmd(struct ll_sdk *sdk, void *arg)
{
	sdk->insecure = *(const int *)arg != 0;
	return 0;
}


LL_API int ll_allow_insecure(struct ll_sdk *sdk, int allow)
{
	int err;

	err = ll__gate(sdk);
	if (err)
		return err;

	return ll__run(sdk, insecure_cmd, &allow);
}


/* ---- SIP mode ---------------------------------------------------------- */

static int login_sip_cmd(struct ll_sdk *sdk, void *arg)
{
	const struct login_args *a = arg;
	struct ll__acct *acct = NULL;
	struct uri uri;
	struct pl pl, tp;
	bool tls;
	int err;

	if (sdk->acct)
		return LL_ERR_ALREADY_LOGGED_IN;

	pl_set_str(&pl, a->sip_uri);
	if (uri_decode(&uri, &pl))
		return LL_ERR_BAD_URI;

	err = acct_alloc(&acct, sdk, a->h, a->arg);
	if (err)
		goto out;

	(void)pl_strcpy(&uri.user, acct->user_id, sizeof(acct->user_id));
	(void)pl_strcpy(&uri.user, acct->auth_user, sizeof(acct->auth_user));
	str_ncpy(acct->aor, a->sip_uri, sizeof(acct->aor));
	tls = 0 == msg_param_decode(&uri.params, "transport", &tp) &&
		0 == pl_strcasecmp(&tp, "tls");
	if (uri.port)
		(void)re_snprintf(acct->reg_uri, sizeof(acct->reg_uri),
				  "sip:%s%r%s:%u%s",
				  uri.af == AF_INET6 ? "[" : "", &uri.host,
				  uri.af == AF_INET6 ? "]" : "", uri.port,
				  tls ? ";transport=tls" : "");
	else
		(void)re_snprintf(acct->reg_uri, sizeof(acct->reg_uri),
				  "sip:%s%r%s%s",
				  uri.af == AF_INET6 ? "[" : "", &uri.host,
				  uri.af == AF_INET6 ? "]" : "",
				  tls ? ";transport=tls" : "");

	err = str_dup(&acct->auth_pass, a->password);
	if (err)
		goto out;

	sdk->acct = acct;
	err = stack_start(acct);
	if (err) {
		sdk->acct = NULL;
		goto out;
	}

	log_info("sdk: login of %s (SIP mode) to %s", acct->user_id,
		 acct->reg_uri);

 out:
	if (err && acct) {
		acct->loginh = NULL;
		mem_deref(acct);
	}

	return err ? ll__code(err) : 0;
}


/* A SIP URI with a user part, or LL_ERR_BAD_URI. */
static int sip_uri_check(const char *s)
{
	struct uri uri;
	struct pl pl;

	if (strncasecmp(s, "sip:", 4))
		return LL_ERR_BAD_URI;

	pl_set_str(&pl, s);
	if (uri_decode(&uri, &pl) || !uri.user.l || !uri.host.l ||
	    uri.user.l >= ID_MAX)
		return LL_ERR_BAD_URI;

	return 0;
}


LL_API int ll_login_sip(struct ll_sdk *sdk, const char *sip_uri,
			const char *password, ll_login_h *loginh, void *arg)
{
	struct login_args a;
	int err;

	err = ll__gate(sdk);
	if (err)
		return err;

	if (!ll__str_ok(sip_uri, URI_MAX) ||
	    !ll__str_ok(password, PASSWORD_MAX))
		return LL_ERR_INVALID_ARGUMENT;

	err = sip_uri_check(sip_uri);
	if (err)
		return err;

	memset(&a, 0, sizeof(a));
	a.sip_uri = sip_uri;
	a.password = password;
	a.h = loginh;
	a.arg = arg;

	return ll__run(sdk, login_sip_cmd, &a);
}


/* ---- Logout, check --------------------------------------------------- */

static int logout_cmd(struct ll_sdk *sdk, void *arg)
{
	const struct result_args *a = arg;
	struct ll__ev *ev;

	if (!sdk->acct)
		return LL_ERR_NOT_LOGGED_IN;

	ll__acct_end(sdk, LL_ERR_NOT_LOGGED_IN);

	ev = ll__ev_new(sdk, LL__EV_RESULT);
	if (ev) {
		ev->resh = a->h;
		ev->arg = a->arg;
		str_ncpy(ev->msg, "logged out", sizeof(ev->msg));
	}

	return 0;
}


LL_API int ll_logout(struct ll_sdk *sdk, ll_result_h *h, void *arg)
{
	struct result_args a;
	int err;

	err = ll__gate(sdk);
	if (err)
		return err;

	a.h = h;
	a.arg = arg;

	return ll__run(sdk, logout_cmd, &a);
}


static int check_cmd(struct ll_sdk *sdk, void *arg)
{
	const struct ll__acct *acct = sdk->acct;
	(void)arg;

	if (!acct || !acct->logged_in || acct->lost)
		return LL_ERR_NOT_LOGGED_IN;

	return 0;
}


LL_API int ll_check_login(struct ll_sdk *sdk)
{
	int err;

	err = ll__gate(sdk);
	if (err)
		return err;

	return ll__run(sdk, check_cmd, NULL);
}
