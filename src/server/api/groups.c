/**
 * @file api/groups.c  /v1/skill-groups: queues and their routing strategy
 *
 * Copyright (C) 2026 The lianluo authors
 *
 * A group may name an overflow group, where its calls go past its limits.
 * Overflow chains never loop: a write that would close a loop (A -> B ->
 * A, or A -> A) is refused with 409, and so is deleting a group that
 * another one overflows to, so every chain ends.
 */
#include <string.h>
#include <re.h>
#include "common/log.h"
#include "common/jsonw.h"
#include "config.h"
#include "store/store.h"
#include "acd/acd.h"
#include "api/api.h"
#include "api/apiint.h"


enum {
	SERVICE_LEVEL_S_DEFAULT = 20,
	RING_STEP_S_DEFAULT = 5,
	QUEUE_LEN_MAX = 10000,
	OVERFLOW_HOPS_MAX = 64,
};


/*
 * The strategies the ACD implements, from its own list (acd.h) so that
 * the API accepts exactly those; the first is the default.
 */
#define STRATEGY_NAME(name, h, ring) name,

static const char *strategyv[] = {
	ACD_STRATEGIES(STRATEGY_NAME)
};


static bool valid_strategy(const char *s)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(strategyv); i++) {
		if (!strcmp(s, strategyv[i]))
			return true;
	}

	return false;
}


static int group_print(struct re_printf *pf, const struct store_group *g)
{
	return re_hprintf(pf, "{\"name\":%H,\"strategy\":%H,"
			  "\"ring_timeout_s\":%u,\"wrapup_s\":%u,"
			  "\"max_wait_s\":%u,\"mask_numbers\":%s,"
			  "\"max_queue_len\":%u,\"overflow_group\":%H,"
			  "\"last_agent_first\":%s,\"service_level_s\":%u,"
			  "\"ring_step_s\":%u,"
			  "\"created\":%lld}",
			  jsonw_str, g->name, jsonw_str, g->strategy,
			  g->ring_timeout_s, g->wrapup_s, g->max_wait_s,
			  g->mask_numbers ? "true" : "false",
			  g->max_queue_len, jsonw_str, g->overflow_group,
			  g->last_agent_first ? "true" : "false",
			  g->service_level_s, g->ring_step_s,
			  (long long)g->created);
}


/*
 * The settable fields of a group, for create and update: a field left
 * out keeps its value in g.  overflow_group "" clears the overflow.
 */
static int group_fields(struct api_req *req, const struct odict *od,
			struct store_group *g)
{
	const struct odict_entry *e;
	char buf[sizeof(g->strategy)];
	int err;

	err = api_get_str(req, od, "strategy", false, buf, sizeof(buf),
			  valid_strategy);
	if (!err && buf[0])
		str_ncpy(g->strategy, buf, sizeof(g->strategy));
	if (!err)
		err = api_get_u32(req, od, "ring_timeout_s",
				  &g->ring_timeout_s, 1, 600);
	if (!err)
		err = api_get_u32(req, od, "wrapup_s", &g->wrapup_s, 0, 3600);
	if (!err)
		err = api_get_u32(req, od, "max_wait_s", &g->max_wait_s,
				  0, 86400);
	if (!err)
		err = api_get_bool(req, od, "mask_numbers", &g->mask_numbers);
	if (!err)
		err = api_get_u32(req, od, "max_queue_len", &g->max_queue_len,
				  0, QUEUE_LEN_MAX);
	if (!err)
		err = api_get_bool(req, od, "last_agent_first",
				   &g->last_agent_first);
	if (!err)
		err = api_get_u32(req, od, "service_level_s",
				  &g->service_level_s, 1, 3600);
	if (!err)
		err = api_get_u32(req, od, "ring_step_s", &g->ring_step_s,
				  1, 60);
	if (err)
		return err;

	e = odict_lookup(od, "overflow_group");
	if (e && e->type != ODICT_NULL)
		err = api_get_str(req, od, "overflow_group", false,
				  g->overflow_group,
				  sizeof(g->overflow_group), api_valid_name);

	return err;
}


/*
 * The overflow group must exist, and following the chain from it must
 * not come back to g.  Sets the error reply.
 */
static int overflow_check(struct api_req *req, const struct store_group *g)
{
	struct store_group o;
	unsigned hops;
	int err;

	if (!g->overflow_group[0])
		return 0;

	if (!strcmp(g->overflow_group, g->name)) {
		api_error(req, 409, "OverflowCycle", "skill group '%s' can "
			  "not overflow to itself", g->name);
		return EINVAL;
	}

	err = store_group_get(req->api->st, req->app.sdk_app_id,
			      g->overflow_group, &o);
	if (err) {
		api_error_store(req, err, "overflow skill group",
				g->overflow_group);
		return err;
	}

	for (hops = 0; o.overflow_group[0] && hops < OVERFLOW_HOPS_MAX;
	     hops++) {
		if (!strcmp(o.overflow_group, g->name)) {
			api_error(req, 409, "OverflowCycle", "overflow from "
				  "'%s' to '%s' would loop back through "
				  "'%s'", g->name, g->overflow_group,
				  o.name);
			return EINVAL;
		}

		err = store_group_get(req->api->st, req->app.sdk_app_id,
				      o.overflow_group, &o);
		if (err == ENOENT)
			return 0;
		if (err) {
			api_error_store(req, err, "skill group", NULL);
			return err;
		}
	}

	return 0;
}


/* POST /v1/skill-groups */
void api_group_create(struct api_req *req)
{
	const struct config *cfg = req->api->cfg;
	struct odict *od = NULL;
	struct store_group g;
	int err;

	err = api_body_decode(req, &od);
	if (err)
		goto out;

	memset(&g, 0, sizeof(g));
	str_ncpy(g.strategy, strategyv[0], sizeof(g.strategy));
	g.ring_timeout_s  = cfg->ring_timeout_s;
	g.wrapup_s        = cfg->wrapup_s;
	g.max_wait_s      = cfg->max_wait_s;
	g.service_level_s = SERVICE_LEVEL_S_DEFAULT;
	g.ring_step_s     = RING_STEP_S_DEFAULT;

	err = api_get_str(req, od, "name", true, g.name, sizeof(g.name),
			  api_valid_name);
	if (!err)
		err = group_fields(req, od, &g);
	if (!err)
		err = overflow_check(req, &g);
	if (err)
		goto out;

	err = store_group_add(req->api->st, req->app.sdk_app_id, &g);
	if (!err)
		err = store_group_get(req->api->st, req->app.sdk_app_id,
				      g.name, &g);
	if (err) {
		api_error_store(req, err, "skill group", g.name);
		goto out;
	}

	log_info("api: skill group created (%s%s)", g.strategy,
		 g.mask_numbers ? ", numbers masked" : "");
	api_reply(req, 201, "%H", group_print, &g);

 out:
	mem_deref(od);
}


struct group_list {
	struct re_printf *pf;
	unsigned n;
	int err;
};


static void group_handler(const struct store_group *g, void *arg)
{
	struct group_list *gl = arg;

	if (gl->err)
		return;

	gl->err = re_hprintf(gl->pf, "%s%H", gl->n++ ? "," : "",
			     group_print, g);
}


struct group_list_print {
	struct api_req *req;
	int serr;
};


static int group_list_print(struct re_printf *pf,
			    struct group_list_print *glp)
{
	struct group_list gl = {pf, 0, 0};
	int err;

	err = re_hprintf(pf, "{\"skill_groups\":[");
	if (err)
		return err;

	glp->serr = store_group_list(glp->req->api->st,
				     glp->req->app.sdk_app_id,
				     group_handler, &gl);
	if (glp->serr)
		return glp->serr;
	if (gl.err)
		return gl.err;

	return re_hprintf(pf, "]}");
}


/* GET /v1/skill-groups */
void api_group_list(struct api_req *req)
{
	struct group_list_print glp = {req, 0};

	api_reply(req, 200, "%H", group_list_print, &glp);
	if (glp.serr)
		api_error_store(req, glp.serr, "skill groups", NULL);
}


/* PUT /v1/skill-groups/{name}: fields left out keep their values */
void api_group_update(struct api_req *req)
{
	struct odict *od = NULL;
	struct store_group g;
	int err;

	err = api_body_decode(req, &od);
	if (err)
		goto out;

	err = store_group_get(req->api->st, req->app.sdk_app_id, req->param,
			      &g);
	if (err) {
		api_error_store(req, err, "skill group", req->param);
		goto out;
	}

	err = group_fields(req, od, &g);
	if (!err)
		err = overflow_check(req, &g);
	if (err)
		goto out;

	err = store_group_update(req->api->st, req->app.sdk_app_id, &g);
	if (!err)
		err = store_group_get(req->api->st, req->app.sdk_app_id,
				      g.name, &g);
	if (err) {
		api_error_store(req, err, "skill group", g.name);
		goto out;
	}

	log_info("api: skill group updated (%s)", g.strategy);
	api_reply(req, 200, "%H", group_print, &g);

 out:
	mem_deref(od);
}


struct overflow_ref {
	const char *name;
	char from[STORE_NAME_SZ];
};


static void overflow_ref_handler(const struct store_group *g, void *arg)
{
	struct overflow_ref *ref = arg;

	if (!ref->from[0] && !strcmp(g->overflow_group, ref->name))
		str_ncpy(ref->from, g->name, sizeof(ref->from));
}


/* DELETE /v1/skill-groups/{name} */
void api_group_delete(struct api_req *req)
{
	struct overflow_ref ref;
	int err;

	memset(&ref, 0, sizeof(ref));
	ref.name = req->param;
	err = store_group_list(req->api->st, req->app.sdk_app_id,
			       overflow_ref_handler, &ref);
	if (err) {
		api_error_store(req, err, "skill groups", NULL);
		return;
	}
	if (ref.from[0]) {
		api_error(req, 409, "ResourceInUse", "skill group '%s' is "
			  "the overflow of '%s'", req->param, ref.from);
		return;
	}

	err = store_group_delete(req->api->st, req->app.sdk_app_id,
				 req->param);
	if (err == EBUSY || err == EEXIST) {
		/* The store refuses to delete a group that numbers use. */
		api_error(req, 409, "ResourceInUse", "skill group '%s' is in "
			  "use by service numbers", req->param);
		return;
	}
	else if (err) {
		api_error_store(req, err, "skill group", req->param);
		return;
	}

	log_info("api: skill group deleted");
	api_reply(req, 200, "{\"name\":%H,\"deleted\":true}",
		  jsonw_str, req->param);
}
