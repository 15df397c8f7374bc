/**
 * @file api/ivr.c  /v1/ivr-menus: IVR menus of service numbers
 *
 * Copyright (C) 2026 The lianluo authors
 *
 * PUT takes the menu's spec as the whole body (docs/API.md) and stores
 * its canonical form.  What it names is checked here, once: skill groups
 * and sub-menus must exist (a menu may name itself, e.g. "9: hear it
 * again"), so a typo is a 400 now rather than a lost call later.  A
 * group or menu deleted afterwards is met at call time: the IVR then
 * falls back to the number's skill group, or ends the call, and logs it.
 */
#include <string.h>
#include <re.h>
#include "common/log.h"
#include "common/jsonw.h"
#include "config.h"
#include "store/store.h"
#include "ivr/ivr.h"
#include "api/api.h"
#include "api/apiint.h"


static int menu_print(struct re_printf *pf, const struct store_ivr *m)
{
	/* The stored spec is canonical JSON written by ivr_menu_encode. */
	return re_hprintf(pf, "{\"name\":%H,\"spec\":%s,\"created\":%lld}",
			  jsonw_str, m->name, m->spec, (long long)m->created);
}


/* A name is a path segment (api_valid_name refuses "." and ".."). */
static bool valid_menu_name(struct api_req *req)
{
	if (api_valid_name(req->param))
		return true;

	api_error(req, 400, "InvalidParameter", "invalid IVR menu name");
	return false;
}


/* Every group and sub-menu the menu names exists; else a 400. */
static int refs_check(struct api_req *req, const char *name,
		      const struct ivr_menu *menu)
{
	struct store *st = req->api->st;
	const char *app = req->app.sdk_app_id;
	size_t i;

	for (i = 0; i < menu->optc; i++) {
		const struct ivr_option *o = &menu->optv[i];
		struct store_group g;
		struct store_ivr *sub;
		int err;

		if (o->action == IVR_ACT_GROUP) {
			err = store_group_get(st, app, o->target, &g);
		}
		else if (o->action == IVR_ACT_MENU &&
			 strcmp(o->target, name)) {
			sub = mem_zalloc(sizeof(*sub), NULL);
			if (!sub)
				return ENOMEM;
			err = store_ivr_get(st, app, o->target, sub);
			mem_deref(sub);
		}
		else {
			continue;
		}

		if (err == ENOENT) {
			api_error(req, 400, "InvalidParameter",
				  "option '%c': unknown %s '%s'", o->key,
				  o->action == IVR_ACT_GROUP ? "skill group"
				  : "IVR menu", o->target);
			return err;
		}
		if (err) {
			api_error_store(req, err, "IVR menu", name);
			return err;
		}
	}

	return 0;
}


/* PUT /v1/ivr-menus/{name} */
void api_ivr_put(struct api_req *req)
{
	struct store_ivr *m = NULL;
	struct ivr_menu *menu = NULL;
	char errbuf[IVR_ERR_SZ];
	bool created = false;
	int err;

	if (!valid_menu_name(req))
		return;

	if (req->body_len > IVR_SPEC_MAX) {
		api_error(req, 413, "RequestTooLarge", "the spec is larger "
			  "than %u bytes", IVR_SPEC_MAX);
		return;
	}

	m = mem_zalloc(sizeof(*m), NULL);
	menu = mem_zalloc(sizeof(*menu), NULL);
	if (!m || !menu) {
		api_error(req, 500, "InternalError", "out of memory");
		goto out;
	}

	err = ivr_menu_decode(menu, (const char *)req->body, req->body_len,
			      errbuf, sizeof(errbuf));
	if (err == ENOMEM) {
		api_error(req, 500, "InternalError", "out of memory");
		goto out;
	}
	if (err) {
		api_error(req, 400, "InvalidParameter", "%s", errbuf);
		goto out;
	}

	if (refs_check(req, req->param, menu))
		goto out;

	str_ncpy(m->name, req->param, sizeof(m->name));
	if (re_snprintf(m->spec, sizeof(m->spec), "%H", ivr_menu_encode,
			menu) < 0) {
		api_error(req, 500, "InternalError", "spec too large");
		goto out;
	}

	err = store_ivr_set(req->api->st, req->app.sdk_app_id, m, &created);
	if (!err)
		err = store_ivr_get(req->api->st, req->app.sdk_app_id,
				    m->name, m);
	if (err) {
		api_error_store(req, err, "IVR menu", m->name);
		goto out;
	}

	log_info("api: IVR menu %s %s", m->name,
		 created ? "created" : "replaced");
	api_reply(req, created ? 201 : 200, "%H", menu_print, m);

 out:
	mem_deref(menu);
	mem_deref(m);
}


/* GET /v1/ivr-menus/{name} */
void api_ivr_get(struct api_req *req)
{
	struct store_ivr *m;
	int err;

	if (!valid_menu_name(req))
		return;

	m = mem_zalloc(sizeof(*m), NULL);
	if (!m) {
		api_error(req, 500, "InternalError", "out of memory");
		return;
	}

	err = store_ivr_get(req->api->st, req->app.sdk_app_id, req->param, m);
	if (err)
		api_error_store(req, err, "IVR menu", req->param);
	else
		api_reply(req, 200, "%H", menu_print, m);

	mem_deref(m);
}


struct menu_list {
	struct re_printf *pf;
	unsigned n;
	int err;
};


static void menu_handler(const struct store_ivr *m, void *arg)
{
	struct menu_list *ml = arg;

	if (ml->err)
		return;

	ml->err = re_hprintf(ml->pf, "%s%H", ml->n++ ? "," : "", menu_print,
			     m);
}


struct menu_list_print {
	struct api_req *req;
	int serr;
};


static int menu_list_print(struct re_printf *pf,
			   struct menu_list_print *mlp)
{
	struct menu_list ml = {pf, 0, 0};
	int err;

	err = re_hprintf(pf, "{\"ivr_menus\":[");
	if (err)
		return err;

	mlp->serr = store_ivr_list(mlp->req->api->st,
				   mlp->req->app.sdk_app_id, menu_handler,
				   &ml);
	if (mlp->serr)
		return mlp->serr;
	if (ml.err)
		return ml.err;

	return re_hprintf(pf, "]}");
}


/* GET /v1/ivr-menus */
void api_ivr_list(struct api_req *req)
{
	struct menu_list_print mlp = {req, 0};

	api_reply(req, 200, "%H", menu_list_print, &mlp);
	if (mlp.serr)
		api_error_store(req, mlp.serr, "IVR menus", NULL);
}


struct menu_users {
	const char *name;
	char user[STORE_NAME_SZ];   /* first other menu that names it */
};


static void menu_users_handler(const struct store_ivr *m, void *arg)
{
	struct menu_users *mu = arg;
	struct ivr_menu *menu;
	size_t i;

	if (mu->user[0] || !strcmp(m->name, mu->name))
		return;

	menu = mem_zalloc(sizeof(*menu), NULL);
	if (!menu)
		return;

	if (!ivr_menu_decode(menu, m->spec, strlen(m->spec), NULL, 0)) {
		for (i = 0; i < menu->optc; i++) {
			if (menu->optv[i].action == IVR_ACT_MENU &&
			    !strcmp(menu->optv[i].target, mu->name))
				str_ncpy(mu->user, m->name, sizeof(mu->user));
		}
	}

	mem_deref(menu);
}


/* DELETE /v1/ivr-menus/{name} */
void api_ivr_delete(struct api_req *req)
{
	struct menu_users mu;
	int err;

	if (!valid_menu_name(req))
		return;

	memset(&mu, 0, sizeof(mu));
	mu.name = req->param;
	err = store_ivr_list(req->api->st, req->app.sdk_app_id,
			     menu_users_handler, &mu);
	if (!err && mu.user[0]) {
		api_error(req, 409, "ResourceInUse", "IVR menu '%s' is a "
			  "sub-menu of '%s'", req->param, mu.user);
		return;
	}

	if (!err)
		err = store_ivr_delete(req->api->st, req->app.sdk_app_id,
				       req->param);
	if (err == EBUSY) {
		api_error(req, 409, "ResourceInUse", "IVR menu '%s' is used "
			  "by a service number", req->param);
		return;
	}
	else if (err) {
		api_error_store(req, err, "IVR menu", req->param);
		return;
	}

	log_info("api: IVR menu %s deleted", req->param);
	api_reply(req, 200, "{\"name\":%H,\"deleted\":true}", jsonw_str,
		  req->param);
}


/**
 * Whether an IVR menu of the request's application exists
 *
 * @return 0 if it does, ENOENT if not, otherwise errorcode
 */
int api_ivr_exists(struct api_req *req, const char *name)
{
	struct store_ivr *m;
	int err;

	m = mem_zalloc(sizeof(*m), NULL);
	if (!m)
		return ENOMEM;

	err = store_ivr_get(req->api->st, req->app.sdk_app_id, name, m);
	mem_deref(m);

	return err;
}


/* The routes of this file, searched after routes.c's own table. */
const struct api_route api_ivr_routev[] = {
	{"PUT",    "/v1/ivr-menus/{}",        API_ADMIN,  api_ivr_put},
	{"GET",    "/v1/ivr-menus",           API_ADMIN,  api_ivr_list},
	{"GET",    "/v1/ivr-menus/{}",        API_ADMIN,  api_ivr_get},
	{"DELETE", "/v1/ivr-menus/{}",        API_ADMIN,  api_ivr_delete},
};
const size_t api_ivr_routec = ARRAY_SIZE(api_ivr_routev);
