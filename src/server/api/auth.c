/**
 * @file api/auth.c  Checking the signature of API requests
 *
 * Copyright (C) 2026 The lianluo authors
 *
 * The application of a request is the one whose SecretId signed it
 * (common/sign.h has the scheme).  Nothing about the credentials is
 * logged beyond the reason of a refusal.
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

	err = store_app_by_secret_id(req->api->st, secret_id, &req->app);
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
		log_info("api: authentication failed: %s", why);
		api_error(req, 401, "AuthFailure", "%s", why);
	}

	return err;
}
