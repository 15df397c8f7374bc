/**
 * @file api/auth.c  Checking the signature and the role of API requests
 *
 * Copyright (C) 2026 The lianluo authors
 *
 * The application of a request is the one whose SecretId signed it
 * (common/sign.h has the scheme): either the application's own, with
 * every right, or role credentials of it (store_cred).  The route's
 * lowest role is then checked here, in one place for every route.
 * Nothing about the credentials is logged beyond the reason of a
 * refusal.
 *
 * Failed signatures of a known SecretId are counted per SecretId
 * (config auth-fail-limit-user): past the limit its requests get 429
 * without a check, whatever their source, so that guesses spread over
 * many addresses are slowed too.  Unknown SecretIds are not counted here
 * (there is no key to guess, and a table of made-up ids would only evict
 * real ones); server.c counts every 401 per source address.
 */
#include <string.h>
#include <time.h>
#include <re.h>
#include "common/log.h"
#include "common/sign.h"
#include "common/ratelimit.h"
#include "config.h"
#include "store/store.h"
#include "api/api.h"
#include "api/apiint.h"


const char *api_role_name(enum api_role role)
{
	switch (role) {

	case API_PUBLIC:     return "public";
	case API_AGENT:      return "agent";
	case API_SUPERVISOR: return "supervisor";
	case API_ADMIN:      return "admin";
	}

	return "?";
}


/* The application's own credentials, else role credentials; for those,
 * req->app carries the credentials' SecretId and key, so that the
 * signature is checked with them and the audit log names them. */
static int signer_find(struct api_req *req, const char *secret_id)
{
	struct store_cred c;
	int err;

	err = store_app_by_secret_id(req->api->st, secret_id, &req->app);
	if (!err) {
		req->role = API_ADMIN;
		return 0;
	}
	else if (err != ENOENT) {
		return err;
	}

	err = store_cred_by_secret_id(req->api->st, secret_id, &c);
	if (!err)
		err = store_app_get(req->api->st, c.sdk_app_id, &req->app);
	if (err)
		goto out;

	if (!strcmp(c.role, "supervisor") && !c.user_id[0]) {
		req->role = API_SUPERVISOR;
	}
	else if (!strcmp(c.role, "agent") && c.user_id[0]) {
		req->role = API_AGENT;
		str_ncpy(req->user_id, c.user_id, sizeof(req->user_id));
	}
	else {
		/* The schema's checks make this unreachable. */
		err = ENOENT;
		goto out;
	}

	str_ncpy(req->app.secret_id, c.secret_id, sizeof(req->app.secret_id));
	str_ncpy(req->app.secret_key, c.secret_key,
		 sizeof(req->app.secret_key));

 out:
	memset(c.secret_key, 0, sizeof(c.secret_key));
	return err;
}


/**
 * Authenticate a request; on failure the 401 (or 429) reply is set
 *
 * @param req Request (req->app is set on success)
 *
 * @return 0 if authenticated, EAGAIN if its SecretId is over its failure
 *         limit, otherwise errorcode
 */
int api_auth(struct api_req *req)
{
	const struct http_hdr *hdr;
	struct sign_auth auth;
	char secret_id[STORE_SECRET_SZ];
	const char *why;
	uint32_t ms;
	int err;

	hdr = http_msg_hdr(req->msg, HTTP_HDR_AUTHORIZATION);
	if (!hdr) {
		why = "missing Authorization header";
		err = EACCES;
		goto out;
	}

	err = sign_decode(&auth, &hdr->val);
	if (err) {
		why = "malformed Authorization header";
		goto out;
	}

	if (auth.secret_id.l >= sizeof(secret_id)) {
		why = "unknown SecretId";
		err = EACCES;
		goto out;
	}
	(void)pl_strcpy(&auth.secret_id, secret_id, sizeof(secret_id));

	err = signer_find(req, secret_id);
	if (err == ENOENT) {
		why = "unknown SecretId";
		goto out;
	}
	else if (err) {
		api_error_store(req, err, "application", NULL);
		return err;
	}

	ms = ratelimit_blocked(req->api->rl_key, secret_id, tmr_jiffies());
	if (ms) {
		memset(&req->app, 0, sizeof(req->app));
		api_error_limited(req, ms, "signatures with this SecretId");
		return EAGAIN;
	}

	err = sign_verify(&auth, req->app.secret_key, &req->msg->met,
			  &req->target, req->body, req->body_len,
			  (uint64_t)time(NULL));
	if (err == ETIMEDOUT)
		why = "timestamp too far from server time";
	else if (err)
		why = "signature mismatch";

	if (err && ratelimit_fail(req->api->rl_key, secret_id,
				  tmr_jiffies())) {
		const struct config *cfg = req->api->cfg;

		log_warn("api: %u failed signatures with the SecretId of"
			 " application %s within %u s: refused for %u s",
			 cfg->auth_fail_user, req->app.sdk_app_id,
			 cfg->auth_fail_window_s, cfg->auth_fail_window_s);
	}

 out:
	if (err) {
		memset(&req->app, 0, sizeof(req->app));
		req->role = API_PUBLIC;
		req->user_id[0] = '\0';
		log_info("api: authentication failed: %s", why);
		api_error(req, 401, "AuthFailure", "%s", why);
	}

	return err;
}


/**
 * Check that the signer's role may call a route; on refusal the 403 reply
 * is set.  An agent may call an agent route only on itself: the route's
 * "{}" segment must be its user id.
 *
 * @param req   Authenticated request
 * @param route Its route
 *
 * @return 0 if allowed, EPERM if not
 */
int api_authorize(struct api_req *req, const struct api_route *route)
{
	if (!req || !route)
		return EINVAL;

	if (req->role < route->role) {
		log_info("api: %s credentials refused on %s %s",
			 api_role_name(req->role), route->method,
			 route->path);
		api_error(req, 403, "Forbidden",
			  "%s credentials may not do this",
			  api_role_name(req->role));
		return EPERM;
	}

	if (req->role == API_AGENT && strstr(route->path, "{}") &&
	    strcmp(req->param, req->user_id)) {
		log_info("api: agent credentials refused on another user's"
			 " %s %s", route->method, route->path);
		api_error(req, 403, "Forbidden",
			  "agent credentials may only act on their own user");
		return EPERM;
	}

	return 0;
}
