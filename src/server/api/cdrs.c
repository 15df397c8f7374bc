/**
 * @file api/cdrs.c  GET /v1/cdrs: call detail records
 *
 * Copyright (C) 2026 The lianluo authors
 *
 * The application's own API gets the full numbers; lianluoctl masks them
 * when it prints a table.
 */
#include <string.h>
#include <re.h>
#include "common/log.h"
#include "common/jsonw.h"
#include "config.h"
#include "store/store.h"
#include "api/api.h"
#include "api/apiint.h"


static const char *direction_str(enum store_direction d)
{
	switch (d) {

	case STORE_DIR_INBOUND:  return "inbound";
	case STORE_DIR_OUTBOUND: return "outbound";
	}

	return "?";
}


static int cdr_print(struct re_printf *pf, const struct store_cdr *c)
{
	return re_hprintf(pf, "{\"session_id\":%H,\"sdk_app_id\":%H,"
			  "\"direction\":%H,\"caller\":%H,\"callee\":%H,"
			  "\"group\":%H,\"agent\":%H,"
			  "\"offered_ms\":%lld,\"queued_ms\":%lld,"
			  "\"ringing_ms\":%lld,\"answered_ms\":%lld,"
			  "\"ended_ms\":%lld,\"end_status\":%H,"
			  "\"hangup_side\":%H,\"end_scode\":%u,"
			  "\"uui\":%H,\"remark\":%H,\"duration_s\":%u}",
			  jsonw_str, c->session_id, jsonw_str, c->sdk_app_id,
			  jsonw_str, direction_str(c->direction),
			  jsonw_str, c->caller, jsonw_str, c->callee,
			  jsonw_str, c->group, jsonw_str, c->agent,
			  (long long)c->offered_ms, (long long)c->queued_ms,
			  (long long)c->ringing_ms, (long long)c->answered_ms,
			  (long long)c->ended_ms, jsonw_str, c->end_status,
			  jsonw_str, c->hangup_side, c->end_scode,
			  jsonw_str, c->uui, jsonw_str, c->remark,
			  c->duration_s);
}


struct cdr_list {
	struct re_printf *pf;
	unsigned n;
	int err;
};


static void cdr_handler(const struct store_cdr *c, void *arg)
{
	struct cdr_list *cl = arg;

	if (cl->err)
		return;

	cl->err = re_hprintf(cl->pf, "%s%H", cl->n++ ? "," : "",
			     cdr_print, c);
}


struct cdr_list_print {
	struct api_req *req;
	uint32_t limit;
	int serr;
};


static int cdr_list_print(struct re_printf *pf, struct cdr_list_print *clp)
{
	struct cdr_list cl = {pf, 0, 0};
	int err;

	err = re_hprintf(pf, "{\"cdrs\":[");
	if (err)
		return err;

	/* An agent's credentials see only the calls it handled. */
	if (clp->req->role == API_AGENT)
		clp->serr = store_cdr_list_agent(clp->req->api->st,
						 clp->req->app.sdk_app_id,
						 clp->req->user_id,
						 clp->limit, cdr_handler,
						 &cl);
	else
		clp->serr = store_cdr_list(clp->req->api->st,
					   clp->req->app.sdk_app_id,
					   clp->limit, cdr_handler, &cl);
	if (clp->serr)
		return clp->serr;
	if (cl.err)
		return cl.err;

	return re_hprintf(pf, "]}");
}


/* GET /v1/cdrs?limit=N (newest first, N from 1 to 1000, default 100);
 * for agent credentials, the calls of that agent only */
void api_cdr_list(struct api_req *req)
{
	struct cdr_list_print clp = {req, API_CDR_LIMIT, 0};

	if (api_query_u32(&req->query, "limit", &clp.limit, 1,
			  API_CDR_LIMIT_MAX)) {
		api_error(req, 400, "InvalidParameter",
			  "limit must be an integer from 1 to %u",
			  API_CDR_LIMIT_MAX);
		return;
	}

	api_reply(req, 200, "%H", cdr_list_print, &clp);
	if (clp.serr)
		api_error_store(req, clp.serr, "CDRs", NULL);
}
