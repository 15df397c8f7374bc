/**
 * @file api/auth.c  Checking the signature of API requests
 *
 * Copyright (C) 2026 The lianluo authors
 *
 * The application of a request is the one whose SecretId signed it
 * (common/sign.h has the scheme).  Nothing about the credentials is
 * logged beyond the reason of a refusal.
 */
#include <string.h>
#include <time.h>
#include <re.h>
#include "common/log.h"
#include "common/sign.h"
#include "config.h"
#include "store/store.h"
#include "api/api.h"
#include "api/apiint.h"


/**
 * Authenticate a request; on failure the 401 reply is set
 *
 * @param req Request (req->app is set on success)
 *
 * @return 0 if authenticated, otherwise errorcode
 */
int api_auth(struct api_req *req)
{
	const struct http_hdr *hdr;
	struct sign_auth auth;
	char secret_id[STORE_SECRET_SZ];
	const char *why;
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

	err = sign_verify(&auth, req->app.secret_key, &req->msg->met,
			  &req->target, req->body, req->body_len,
			  (uint64_t)time(NULL));
	if (err == ETIMEDOUT)
		why = "timestamp too far from server time";
	else if (err)
		why = "signature mismatch";

 out:
	if (err) {
		memset(&req->app, 0, sizeof(req->app));
		log_info("api: authentication failed: %s", why);
		api_error(req, 401, "AuthFailure", "%s", why);
	}

	return err;
}
