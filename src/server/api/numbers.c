/**
 * @file api/numbers.c  /v1/numbers: service numbers and their skill group
 *
 * Copyright (C) 2026 The lianluo authors
 *
 * A number is 1-20 digits with an optional leading '+', unique across the
 * server.  Numbers are logged masked by the logger.
 */
#include <string.h>
#include <re.h>
#include "common/log.h"
#include "common/jsonw.h"
#include "config.h"
#include "store/store.h"
#include "api/api.h"
#include "api/apiint.h"


static int number_print(struct re_printf *pf, const struct store_number *n)
{
	return re_hprintf(pf, "{\"number\":%H,\"skill_group\":%H,"
			  "\"ivr\":%H,\"priority\":%d,\"created\":%lld}",
			  jsonw_str, n->number, jsonw_str, n->group,
			  jsonw_str, n->ivr, n->priority,
			  (long long)n->created);
}


/* POST /v1/numbers */
void api_number_create(struct api_req *req)
{
	struct odict *od = NULL;
	struct store_number n;
	struct store_group g;
	char app[STORE_ID_SZ];
	uint32_t priority = 0;
	int err;

	err = api_body_decode(req, &od);
	if (err)
		goto out;

	memset(&n, 0, sizeof(n));

	err = api_get_str(req, od, "number", true, n.number, sizeof(n.number),
			  api_valid_number);
	/* With an IVR menu the menu picks the group: it is optional. */
	if (!err)
		err = api_get_str(req, od, "ivr", false, n.ivr,
				  sizeof(n.ivr), api_valid_name);
	if (!err)
		err = api_get_str(req, od, "skill_group", !n.ivr[0], n.group,
				  sizeof(n.group), api_valid_name);
	if (!err)
		err = api_get_u32(req, od, "priority", &priority, 0,
				  API_PRIORITY_MAX);
	if (err)
		goto out;
	n.priority = (int32_t)priority;

	err = n.group[0] ? store_group_get(req->api->st, req->app.sdk_app_id,
					   n.group, &g) : 0;
	if (err) {
		api_error_store(req, err, "skill group", n.group);
		goto out;
	}

	err = n.ivr[0] ? api_ivr_exists(req, n.ivr) : 0;
	if (err) {
		api_error_store(req, err, "IVR menu", n.ivr);
		goto out;
	}

	err = store_number_add(req->api->st, req->app.sdk_app_id, &n);
	if (!err)
		err = store_number_get(req->api->st, n.number, app,
				       sizeof(app), &n);
	if (err) {
		api_error_store(req, err, "number", n.number);
		goto out;
	}

	log_info("api: number %s created", n.number);
	api_reply(req, 201, "%H", number_print, &n);

 out:
	mem_deref(od);
}


struct number_list {
	struct re_printf *pf;
	unsigned n;
	int err;
};


static void number_handler(const struct store_number *n, void *arg)
{
	struct number_list *nl = arg;

	if (nl->err)
		return;

	nl->err = re_hprintf(nl->pf, "%s%H", nl->n++ ? "," : "",
			     number_print, n);
}


struct number_list_print {
	struct api_req *req;
	int serr;
};


static int number_list_print(struct re_printf *pf,
			     struct number_list_print *nlp)
{
	struct number_list nl = {pf, 0, 0};
	int err;

	err = re_hprintf(pf, "{\"numbers\":[");
	if (err)
		return err;

	nlp->serr = store_number_list(nlp->req->api->st,
				      nlp->req->app.sdk_app_id,
				      number_handler, &nl);
	if (nlp->serr)
		return nlp->serr;
	if (nl.err)
		return nl.err;

	return re_hprintf(pf, "]}");
}


/* GET /v1/numbers */
void api_number_list(struct api_req *req)
{
	struct number_list_print nlp = {req, 0};

	api_reply(req, 200, "%H", number_list_print, &nlp);
	if (nlp.serr)
		api_error_store(req, nlp.serr, "numbers", NULL);
}


/* DELETE /v1/numbers/{number} */
void api_number_delete(struct api_req *req)
{
	int err;

	if (!api_valid_number(req->param)) {
		api_error(req, 400, "InvalidParameter", "invalid number");
		return;
	}

	err = store_number_delete(req->api->st, req->app.sdk_app_id,
				  req->param);
	if (err == EBUSY || err == EEXIST) {
		api_error(req, 409, "ResourceInUse", "number is in use");
		return;
	}
	else if (err) {
		api_error_store(req, err, "number", req->param);
		return;
	}

	log_info("api: number %s deleted", req->param);
	api_reply(req, 200, "{\"number\":%H,\"deleted\":true}",
		  jsonw_str, req->param);
}
