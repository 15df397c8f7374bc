/**
 * @file api/agents.c  /v1/agents: agent statuses for supervisors
 *
 * Copyright (C) 2026 The lianluo authors
 *
 * Every staff member is an agent here, with the status the ACD holds
 * (offline when they never registered).  A supervisor's status change is
 * a request to the ACD, which applies it or reserves it for after the
 * call, and records it with the SecretId that signed the request as the
 * actor.
 */
#include <string.h>
#include <time.h>
#include <re.h>
#include "common/log.h"
#include "common/jsonw.h"
#include "config.h"
#include "store/store.h"
#include "acd/acd.h"
#include "api/api.h"
#include "api/apiint.h"


enum {
	DAY_MS = 86400000,
	TIME_MS_MAX = 999999999999999ULL,   /* 15 digits */
};


/* The ACD's view of one agent; offline when the ACD has none. */
static int agent_info(const struct api_req *req, const char *user_id,
		      struct acd_agent_info *ai)
{
	int err;

	memset(ai, 0, sizeof(*ai));
	ai->status  = ACD_AGENT_OFFLINE;
	ai->pending = ACD_AGENT_OFFLINE;

	if (!req->api->acd)
		return 0;

	err = acd_agent_info(req->api->acd, req->app.sdk_app_id, user_id, ai);
	if (err == ENOENT) {
		memset(ai, 0, sizeof(*ai));
		ai->status  = ACD_AGENT_OFFLINE;
		ai->pending = ACD_AGENT_OFFLINE;
		return 0;
	}

	return err;
}


struct agent_view {
	const struct store_staff *s;
	const struct acd_agent_info *ai;
};


static int pending_print(struct re_printf *pf,
			 const struct acd_agent_info *ai)
{
	if (ai->pending == ACD_AGENT_OFFLINE)
		return re_hprintf(pf, "null");

	return re_hprintf(pf, "\"%s\"", acd_agent_status_str(ai->pending));
}


static int agent_print(struct re_printf *pf, const struct agent_view *v)
{
	const struct acd_agent_info *ai = v->ai;

	return re_hprintf(pf, "{\"user_id\":%H,\"name\":%H,"
			  "\"status\":\"%s\",\"reason\":%H,"
			  "\"since_ms\":%llu,\"pending\":%H,"
			  "\"pending_reason\":%H,\"registered\":%s,"
			  "\"call_id\":%H,\"arrange_until_ms\":%llu}",
			  jsonw_str, v->s->user_id, jsonw_str, v->s->name,
			  acd_agent_status_str(ai->status),
			  jsonw_str, ai->reason,
			  (unsigned long long)ai->since_ms,
			  pending_print, ai,
			  jsonw_str, ai->pending_reason,
			  ai->registered ? "true" : "false",
			  jsonw_str, ai->call_id,
			  (unsigned long long)ai->arrange_until_ms);
}


struct agent_list {
	const struct api_req *req;
	struct re_printf *pf;
	unsigned n;
	int err;
};


static void agent_list_handler(const struct store_staff *s, void *arg)
{
	struct agent_list *al = arg;
	struct acd_agent_info ai;
	struct agent_view v = {s, &ai};

	if (al->err)
		return;

	al->err = agent_info(al->req, s->user_id, &ai);
	if (!al->err)
		al->err = re_hprintf(al->pf, "%s%H", al->n++ ? "," : "",
				     agent_print, &v);
}


struct agent_list_print {
	const struct api_req *req;
	int serr;
};


static int agent_list_print(struct re_printf *pf,
			    struct agent_list_print *alp)
{
	struct agent_list al = {alp->req, pf, 0, 0};
	int err;

	err = re_hprintf(pf, "{\"agents\":[");
	if (err)
		return err;

	alp->serr = store_staff_list(alp->req->api->st,
				     alp->req->app.sdk_app_id,
				     agent_list_handler, &al);
	if (alp->serr)
		return alp->serr;
	if (al.err)
		return al.err;

	return re_hprintf(pf, "]}");
}


/* GET /v1/agents: every staff member with their status */
void api_agent_list(struct api_req *req)
{
	struct agent_list_print alp = {req, 0};

	api_reply(req, 200, "%H", agent_list_print, &alp);
	if (alp.serr)
		api_error_store(req, alp.serr, "agents", NULL);
}


static void agent_reply(struct api_req *req, const struct store_staff *s)
{
	struct acd_agent_info ai;
	struct agent_view v = {s, &ai};
	int err;

	err = agent_info(req, s->user_id, &ai);
	if (err) {
		log_warn("api: agent info: %m", err);
		api_error(req, 500, "InternalError", "agent status unknown");
		return;
	}

	api_reply(req, 200, "%H", agent_print, &v);
}


/* GET /v1/agents/{user_id} */
void api_agent_get(struct api_req *req)
{
	struct store_staff s;
	int err;

	err = store_staff_get(req->api->st, req->app.sdk_app_id, req->param,
			      &s);
	if (err) {
		api_error_store(req, err, "staff member", req->param);
		return;
	}

	agent_reply(req, &s);
}


/*
 * PUT /v1/agents/{user_id}/status
 * {"status":"rest","reason":"lunch","after_call":false,"arrange_s":0}
 */
void api_agent_status_put(struct api_req *req)
{
	struct odict *od = NULL;
	struct store_staff s;
	enum acd_agent_status to;
	char status[16], reason[API_REASON_SZ];
	uint32_t arrange_s = 0;
	bool after_call = false, pending = false;
	int err;

	err = api_body_decode(req, &od);
	if (err)
		goto out;

	err = api_get_str(req, od, "status", true, status, sizeof(status),
			  NULL);
	if (!err && acd_agent_status_parse(status, &to)) {
		api_error(req, 400, "InvalidParameter", "unknown status '%s'",
			  status);
		err = EINVAL;
	}
	if (!err)
		err = api_get_str(req, od, "reason", false, reason,
				  sizeof(reason), api_valid_reason);
	if (!err)
		err = api_get_bool(req, od, "after_call", &after_call);
	if (!err)
		err = api_get_u32(req, od, "arrange_s", &arrange_s, 0, 3600);
	if (err)
		goto out;

	err = store_staff_get(req->api->st, req->app.sdk_app_id, req->param,
			      &s);
	if (err) {
		api_error_store(req, err, "staff member", req->param);
		goto out;
	}

	if (!req->api->acd) {
		api_error(req, 503, "ServiceUnavailable", "no ACD");
		goto out;
	}

	err = acd_agent_status_request(req->api->acd, req->app.sdk_app_id,
				       s.user_id, to,
				       reason[0] ? reason : NULL, arrange_s,
				       after_call, req->app.secret_id,
				       &pending);
	switch (err) {

	case 0:
		break;

	case EINVAL:
		api_error(req, 422, "StatusNotAllowed", "status '%s'%s%s%s "
			  "not allowed for agent '%s' now", status,
			  reason[0] ? " with reason '" : "", reason,
			  reason[0] ? "'" : "", s.user_id);
		goto out;

	case ENOENT:
		api_error_store(req, err, "staff member", s.user_id);
		goto out;

	case ENOTCONN:
		api_error(req, 409, "AgentOffline", "agent '%s' is offline",
			  s.user_id);
		goto out;

	default:
		log_warn("api: agent status request: %m", err);
		api_error(req, 500, "InternalError", "status not changed");
		goto out;
	}

	log_info("api: agent %s: status %s requested%s", s.user_id, status,
		 pending ? ", after the call" : "");
	agent_reply(req, &s);

 out:
	mem_deref(od);
}


struct history_print {
	const struct api_req *req;
	const char *user_id;
	uint64_t from_ms;
	uint64_t to_ms;
	uint32_t limit;
	int serr;
};

struct history_list {
	struct re_printf *pf;
	unsigned n;
	int err;
};


static void change_handler(const struct store_status_change *c, void *arg)
{
	struct history_list *hl = arg;

	if (hl->err)
		return;

	hl->err = re_hprintf(hl->pf, "%s{\"id\":%lld,\"from\":%H,\"to\":%H,"
			     "\"reason\":%H,\"actor\":%H,\"at_ms\":%lld}",
			     hl->n++ ? "," : "", (long long)c->id,
			     jsonw_str, c->from, jsonw_str, c->to,
			     jsonw_str, c->reason, jsonw_str, c->actor,
			     (long long)c->at_ms);
}


static int history_print(struct re_printf *pf, struct history_print *hp)
{
	struct history_list hl = {pf, 0, 0};
	int err;

	err = re_hprintf(pf, "{\"user_id\":%H,\"from_ms\":%llu,"
			 "\"to_ms\":%llu,\"changes\":[",
			 jsonw_str, hp->user_id,
			 (unsigned long long)hp->from_ms,
			 (unsigned long long)hp->to_ms);
	if (err)
		return err;

	hp->serr = store_status_log_list(hp->req->api->st,
					 hp->req->app.sdk_app_id,
					 hp->user_id, (int64_t)hp->from_ms,
					 (int64_t)hp->to_ms, hp->limit,
					 change_handler, &hl);
	if (hp->serr)
		return hp->serr;
	if (hl.err)
		return hl.err;

	return re_hprintf(pf, "]}");
}


/*
 * GET /v1/agents/{user_id}/status-history?from_ms=&to_ms=&limit=
 * Changes with from_ms <= at_ms < to_ms, oldest first; by default the
 * last 24 hours.
 */
void api_agent_history(struct api_req *req)
{
	struct history_print hp;
	struct store_staff s;
	uint64_t now_ms = (uint64_t)time(NULL) * 1000;
	int err;

	memset(&hp, 0, sizeof(hp));
	hp.req = req;
	hp.to_ms = now_ms + 1000;
	hp.limit = API_HISTORY_LIMIT;

	if (api_query_u64(&req->query, "to_ms", &hp.to_ms, TIME_MS_MAX)) {
		api_error(req, 400, "InvalidParameter", "to_ms must be a "
			  "time in ms");
		return;
	}
	hp.from_ms = hp.to_ms > DAY_MS ? hp.to_ms - DAY_MS : 0;
	if (api_query_u64(&req->query, "from_ms", &hp.from_ms, TIME_MS_MAX) ||
	    hp.from_ms > hp.to_ms) {
		api_error(req, 400, "InvalidParameter", "from_ms must be a "
			  "time in ms, not after to_ms");
		return;
	}
	if (api_query_u32(&req->query, "limit", &hp.limit, 1,
			  API_HISTORY_LIMIT_MAX)) {
		api_error(req, 400, "InvalidParameter",
			  "limit must be an integer from 1 to %u",
			  API_HISTORY_LIMIT_MAX);
		return;
	}

	err = store_staff_get(req->api->st, req->app.sdk_app_id, req->param,
			      &s);
	if (err) {
		api_error_store(req, err, "staff member", req->param);
		return;
	}
	hp.user_id = s.user_id;

	api_reply(req, 200, "%H", history_print, &hp);
	if (hp.serr)
		api_error_store(req, hp.serr, "status history", NULL);
}


/**
 * Decode "rest_reasons" of a settings body: an array of 1 to
 * API_REASONS_MAX distinct names (api_valid_reason) into a comma-separated
 * list.  Sets the 400 reply on error.
 *
 * @param req      Request
 * @param od       Body
 * @param csv      Returned list ("" when the field is absent or null)
 * @param sz       Size of csv
 *
 * @return 0 if success, otherwise errorcode
 */
int api_rest_reasons_decode(struct api_req *req, const struct odict *od,
			    char *csv, size_t sz)
{
	const struct odict_entry *e = odict_lookup(od, "rest_reasons");
	const char *why = NULL;
	size_t n = 0, len = 0;
	struct le *le;

	csv[0] = '\0';

	if (!e || e->type == ODICT_NULL)
		return 0;

	if (e->type != ODICT_ARRAY) {
		why = "must be an array of names";
		goto out;
	}

	for (le = e->u.odict->lst.head; le; le = le->next) {
		const struct odict_entry *r = le->data;
		size_t rl;

		if (r->type != ODICT_STRING || !api_valid_reason(r->u.str)) {
			why = "holds a name that is not valid (1-63 bytes, "
				"no control characters, no ',' or '/')";
			goto out;
		}

		if (++n > API_REASONS_MAX) {
			why = "has more than 32 names";
			goto out;
		}

		rl = strlen(r->u.str);
		for (const char *p = csv; *p; ) {
			const char *c = strchr(p, ',');
			size_t pl = c ? (size_t)(c - p) : strlen(p);

			if (pl == rl && !memcmp(p, r->u.str, rl)) {
				why = "names a reason twice";
				goto out;
			}
			p = c ? c + 1 : p + pl;
		}

		if (len + (len ? 1 : 0) + rl + 1 > sz) {
			why = "is too long";
			goto out;
		}

		if (len)
			csv[len++] = ',';
		memcpy(csv + len, r->u.str, rl + 1);
		len += rl;
	}

	if (!n)
		why = "must name at least one reason";

 out:
	if (why) {
		csv[0] = '\0';
		api_error(req, 400, "InvalidParameter",
			  "field 'rest_reasons' %s", why);
		return EINVAL;
	}

	return 0;
}


/**
 * Print a comma-separated list of rest reasons as a JSON array
 */
int api_rest_reasons_print(struct re_printf *pf, const char *csv)
{
	int err = re_hprintf(pf, "[");
	bool first = true;

	while (csv && *csv && !err) {
		const char *c = strchr(csv, ',');
		struct pl name;

		pl_set_str(&name, csv);
		if (c)
			name.l = c - csv;

		if (name.l)
			err = re_hprintf(pf, "%s%H", first ? "" : ",",
					 jsonw_pl, &name);
		first = first && !name.l;
		csv = c ? c + 1 : csv + name.l;
	}

	return err | re_hprintf(pf, "]");
}
