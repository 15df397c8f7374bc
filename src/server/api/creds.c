/**
 * @file api/creds.c  /v1/credentials: credentials with a role
 *
 * Copyright (C) 2026 The lianluo authors
 *
 * Only the application's own credentials manage these (routes.c).  The
 * secret key is in the reply to POST and nowhere else: not in the list,
 * the audit log or any log line.
 */
#include <string.h>
#include <re.h>
#include "common/log.h"
#include "common/jsonw.h"
#include "config.h"
#include "store/store.h"
#include "api/api.h"
#include "api/apiint.h"


static const char action_create[] = "credentials.create";
static const char action_delete[] = "credentials.delete";


static bool valid_role(const char *s)
{
	return !strcmp(s, "supervisor") || !strcmp(s, "agent");
}


/* SecretIds are "AKID" and letters or digits (store/app.c). */
static bool valid_secret_id(const char *s)
{
	size_t n = 0;

	for (; s[n]; n++) {
		const char c = s[n];

		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		      (c >= '0' && c <= '9')))
			return false;
	}

	return n > 4 && n < STORE_SECRET_SZ && !strncmp(s, "AKID", 4);
}


static int cred_print(struct re_printf *pf, const struct store_cred *c)
{
	int err;

	err = re_hprintf(pf, "{\"secret_id\":%H,\"role\":%H",
			 jsonw_str, c->secret_id, jsonw_str, c->role);
	if (!err && c->user_id[0])
		err = re_hprintf(pf, ",\"user_id\":%H", jsonw_str,
				 c->user_id);
	if (!err)
		err = re_hprintf(pf, ",\"created\":%lld}",
				 (long long)c->created);

	return err;
}


static int audit(struct api_req *req, const char *action,
		 const struct store_cred *c, struct store_audit *a)
{
	char detail[STORE_TEXT_SZ];

	if (re_snprintf(detail, sizeof(detail), "%H", cred_print, c) < 0)
		return ENOMEM;

	return api_audit_write(req, action, detail, a);
}


/* POST /v1/credentials {"role":"supervisor"}
 *                      {"role":"agent","user_id":"alice"} */
void api_cred_create(struct api_req *req)
{
	struct odict *od = NULL;
	struct store_cred c;
	struct store_audit a;
	int err;

	memset(&c, 0, sizeof(c));

	err = api_body_decode(req, &od);
	if (err)
		goto out;

	err = api_get_str(req, od, "role", true, c.role, sizeof(c.role),
			  valid_role);
	if (!err)
		err = api_get_str(req, od, "user_id", false, c.user_id,
				  sizeof(c.user_id), api_valid_id);
	if (err)
		goto out;

	if (!strcmp(c.role, "agent") != (c.user_id[0] != '\0')) {
		api_error(req, 400, "InvalidParameter",
			  "user_id is required for the agent role and "
			  "refused for the supervisor role");
		goto out;
	}

	str_ncpy(c.sdk_app_id, req->app.sdk_app_id, sizeof(c.sdk_app_id));

	err = store_cred_create(req->api->st, &c);
	if (err == ENOENT) {
		api_error(req, 404, "ResourceNotFound",
			  "no staff member '%s'", c.user_id);
		goto out;
	}
	else if (err) {
		api_error_store(req, err, "credentials", NULL);
		goto out;
	}

	/* The credentials exist; an audit failure is reported, and
	 * logged, rather than hidden. */
	err = audit(req, action_create, &c, &a);
	if (err) {
		log_error("api: credentials created but not audited: %m",
			  err);
		api_error_store(req, err, "audit log", NULL);
		goto out;
	}

	log_info("api: %s credentials created (audit %lld)", c.role,
		 (long long)a.id);

	api_reply(req, 201, "{\"secret_id\":%H,\"secret_key\":%H,"
		  "\"role\":%H,\"user_id\":%H,\"created\":%lld}",
		  jsonw_str, c.secret_id, jsonw_str, c.secret_key,
		  jsonw_str, c.role, jsonw_str, c.user_id,
		  (long long)c.created);

 out:
	memset(c.secret_key, 0, sizeof(c.secret_key));
	mem_deref(od);
}


struct cred_list {
	struct re_printf *pf;
	unsigned n;
	int err;
};


static void cred_handler(const struct store_cred *c, void *arg)
{
	struct cred_list *cl = arg;

	if (cl->err)
		return;

	cl->err = re_hprintf(cl->pf, "%s%H", cl->n++ ? "," : "",
			     cred_print, c);
}


struct cred_list_print {
	struct api_req *req;
	int serr;
};


static int cred_list_print(struct re_printf *pf,
			   struct cred_list_print *clp)
{
	struct cred_list cl = {pf, 0, 0};
	int err;

	err = re_hprintf(pf, "{\"credentials\":[");
	if (err)
		return err;

	clp->serr = store_cred_list(clp->req->api->st,
				    clp->req->app.sdk_app_id, cred_handler,
				    &cl);
	if (clp->serr)
		return clp->serr;
	if (cl.err)
		return cl.err;

	return re_hprintf(pf, "]}");
}


/* GET /v1/credentials: the role credentials, without their keys */
void api_cred_list(struct api_req *req)
{
	struct cred_list_print clp = {req, 0};

	api_reply(req, 200, "%H", cred_list_print, &clp);
	if (clp.serr)
		api_error_store(req, clp.serr, "credentials", NULL);
}


/* DELETE /v1/credentials/{secret_id} */
void api_cred_delete(struct api_req *req)
{
	struct store_cred c;
	struct store_audit a;
	int err;

	if (!valid_secret_id(req->param)) {
		api_error(req, 400, "InvalidParameter",
			  "invalid SecretId");
		return;
	}

	err = store_cred_by_secret_id(req->api->st, req->param, &c);
	if (!err && strcmp(c.sdk_app_id, req->app.sdk_app_id))
		err = ENOENT;
	if (!err)
		err = store_cred_delete(req->api->st, req->app.sdk_app_id,
					req->param);
	memset(c.secret_key, 0, sizeof(c.secret_key));
	if (err == ENOENT) {
		api_error(req, 404, "ResourceNotFound",
			  "no such credentials");
		return;
	}
	else if (err) {
		api_error_store(req, err, "credentials", NULL);
		return;
	}

	err = audit(req, action_delete, &c, &a);
	if (err) {
		log_error("api: credentials deleted but not audited: %m",
			  err);
		api_error_store(req, err, "audit log", NULL);
		return;
	}

	log_info("api: %s credentials deleted (audit %lld)", c.role,
		 (long long)a.id);

	api_reply(req, 200, "{\"secret_id\":%H,\"deleted\":true}",
		  jsonw_str, req->param);
}
