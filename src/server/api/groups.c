/**
 * @file api/groups.c  /v1/skill-groups: queues and their routing strategy
 *
 * Copyright (C) 2026 The lianluo authors
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
			  "\"created\":%lld}",
			  jsonw_str, g->name, jsonw_str, g->strategy,
			  g->ring_timeout_s, g->wrapup_s, g->max_wait_s,
			  g->mask_numbers ? "true" : "false",
			  (long long)g->created);
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
	g.ring_timeout_s = cfg->ring_timeout_s;
	g.wrapup_s       = cfg->wrapup_s;
	g.max_wait_s     = cfg->max_wait_s;
	g.service_level_s = 20;
	g.ring_step_s     = 5;

	err = api_get_str(req, od, "name", true, g.name, sizeof(g.name),
			  api_valid_name);
	if (!err)
		err = api_get_str(req, od, "strategy", false, g.strategy,
				  sizeof(g.strategy), valid_strategy);
	if (!err)
		err = api_get_u32(req, od, "ring_timeout_s",
				  &g.ring_timeout_s, 1, 600);
	if (!err)
		err = api_get_u32(req, od, "wrapup_s", &g.wrapup_s, 0, 3600);
	if (!err)
		err = api_get_u32(req, od, "max_wait_s", &g.max_wait_s,
				  0, 86400);
	if (!err)
		err = api_get_bool(req, od, "mask_numbers", &g.mask_numbers);
	if (err)
		goto out;

	if (!g.strategy[0])
		str_ncpy(g.strategy, strategyv[0], sizeof(g.strategy));

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


/* DELETE /v1/skill-groups/{name} */
void api_group_delete(struct api_req *req)
{
	int err;

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
