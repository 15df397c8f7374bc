/**
 * @file api/staff.c  /v1/staff: agents of an application
 *
 * Copyright (C) 2026 The lianluo authors
 *
 * The SIP password is never stored or returned: only the digest HA1 over
 * extension:realm:password is kept.
 */
#include <string.h>
#include <re.h>
#include "common/log.h"
#include "common/jsonw.h"
#include "config.h"
#include "store/store.h"
#include "api/api.h"
#include "api/apiint.h"


struct staff_item {
	struct le le;
	struct store_staff s;
};

struct member_print {
	struct re_printf *pf;
	unsigned n;
	int err;
};

struct staff_print {
	struct api *api;
	const char *app;
	const struct store_staff *s;
};


static void member_handler(const struct store_member *m, void *arg)
{
	struct member_print *mp = arg;

	if (mp->err)
		return;

	mp->err = re_hprintf(mp->pf, "%s{\"name\":%H,\"level\":%u}",
			     mp->n++ ? "," : "", jsonw_str, m->group,
			     m->level);
}


/* One staff member as JSON, with the skill groups. */
static int staff_print(struct re_printf *pf, const struct staff_print *sp)
{
	const struct store_staff *s = sp->s;
	struct member_print mp = {pf, 0, 0};
	int err;

	err = re_hprintf(pf, "{\"user_id\":%H,\"name\":%H,\"phone\":%H,"
			 "\"extension\":%H,\"sip_password_set\":%s,"
			 "\"created\":%lld,\"skill_groups\":[",
			 jsonw_str, s->user_id, jsonw_str, s->name,
			 jsonw_str, s->phone, jsonw_str, s->extension,
			 s->ha1[0] ? "true" : "false", (long long)s->created);
	if (err)
		return err;

	err = store_member_list_by_user(sp->api->st, sp->app, s->user_id,
					member_handler, &mp);
	if (err)
		return err;
	if (mp.err)
		return mp.err;

	return re_hprintf(pf, "]}");
}


/* Check the skill_groups array; the levels go into mv. */
static int members_decode(struct api_req *req, const struct odict *od,
			  struct store_member *mv, size_t *mcp)
{
	const struct odict_entry *e = odict_lookup(od, "skill_groups");
	struct le *le;
	size_t n = 0;

	*mcp = 0;

	if (!e || e->type == ODICT_NULL)
		return 0;

	if (e->type != ODICT_ARRAY) {
		api_error(req, 400, "InvalidParameter",
			  "field 'skill_groups' must be an array");
		return EINVAL;
	}

	for (le = e->u.odict->lst.head; le; le = le->next) {
		const struct odict_entry *ge = le->data;
		struct store_member *m;
		struct store_group g;
		size_t i;
		int err;

		if (n >= API_LIST_MAX) {
			api_error(req, 400, "InvalidParameter",
				  "too many skill groups");
			return EINVAL;
		}

		if (ge->type != ODICT_OBJECT) {
			api_error(req, 400, "InvalidParameter",
				  "each skill group must be an object");
			return EINVAL;
		}

		m = &mv[n];
		memset(m, 0, sizeof(*m));
		m->level = 1;

		err = api_get_str(req, ge->u.odict, "name", true, m->group,
				  sizeof(m->group), api_valid_name);
		if (!err)
			err = api_get_u32(req, ge->u.odict, "level",
					  &m->level, 1, 5);
		if (err)
			return err;

		for (i = 0; i < n; i++) {
			if (!strcmp(mv[i].group, m->group)) {
				api_error(req, 400, "InvalidParameter",
					  "skill group '%s' given twice",
					  m->group);
				return EINVAL;
			}
		}

		err = store_group_get(req->api->st, req->app.sdk_app_id,
				      m->group, &g);
		if (err) {
			api_error_store(req, err, "skill group", m->group);
			return err;
		}

		++n;
	}

	*mcp = n;
	return 0;
}


/* POST /v1/staff */
void api_staff_create(struct api_req *req)
{
	struct store_member *mv = NULL;
	struct store_staff *s = NULL;
	struct staff_print sp;
	struct odict *od = NULL;
	const char *app = req->app.sdk_app_id;
	char password[129];
	size_t mc = 0, i;
	int err;

	err = api_body_decode(req, &od);
	if (err)
		goto out;

	s  = mem_zalloc(sizeof(*s), NULL);
	mv = mem_zalloc(API_LIST_MAX * sizeof(*mv), NULL);
	if (!s || !mv) {
		api_error(req, 500, "InternalError", "out of memory");
		goto out;
	}

	err = api_get_str(req, od, "user_id", true, s->user_id,
			  sizeof(s->user_id), api_valid_id);
	if (!err)
		err = api_get_str(req, od, "name", false, s->name,
				  sizeof(s->name), api_valid_text);
	if (!err)
		err = api_get_str(req, od, "phone", false, s->phone,
				  sizeof(s->phone), api_valid_number);
	if (!err)
		err = api_get_str(req, od, "extension", false, s->extension,
				  sizeof(s->extension), api_valid_extension);
	if (!err)
		err = api_get_str(req, od, "password", false, password,
				  sizeof(password), api_valid_password);
	if (err)
		goto out;

	if (!s->extension[0] != !password[0]) {
		api_error(req, 400, "InvalidParameter",
			  "'extension' and 'password' go together");
		goto out;
	}

	err = members_decode(req, od, mv, &mc);
	if (err)
		goto out;

	if (password[0]) {
		err = api_ha1(s->ha1, s->extension, req->api->cfg->realm,
			      password);
		if (err) {
			api_error(req, 500, "InternalError", "digest failed");
			goto out;
		}
	}

	err = store_staff_add(req->api->st, app, s);
	if (err == EEXIST) {
		api_error(req, 409, "AlreadyExists",
			  "user '%s' or extension already exists",
			  s->user_id);
		goto out;
	}
	else if (err) {
		api_error_store(req, err, "staff member", s->user_id);
		goto out;
	}

	for (i = 0; i < mc; i++) {
		str_ncpy(mv[i].user_id, s->user_id, sizeof(mv[i].user_id));

		err = store_member_add(req->api->st, app, &mv[i]);
		if (err) {
			/* Do not leave a half-created member behind. */
			(void)store_staff_delete(req->api->st, app,
						 s->user_id);
			api_error_store(req, err, "skill group", mv[i].group);
			goto out;
		}
	}

	err = store_staff_get(req->api->st, app, s->user_id, s);
	if (err) {
		api_error_store(req, err, "staff member", s->user_id);
		goto out;
	}

	log_info("api: staff member created (%zu skill groups)", mc);

	sp.api = req->api;
	sp.app = app;
	sp.s   = s;
	api_reply(req, 201, "%H", staff_print, &sp);

 out:
	memset(password, 0, sizeof(password));
	mem_deref(od);
	mem_deref(mv);
	mem_deref(s);
}


static void staff_collect(const struct store_staff *s, void *arg)
{
	struct list *l = arg;
	struct staff_item *it = mem_zalloc(sizeof(*it), NULL);

	if (!it)
		return;

	it->s = *s;
	list_append(l, &it->le, it);
}


struct staff_list {
	struct api *api;
	const char *app;
	const struct list *l;
};


static int staff_list_print(struct re_printf *pf, const struct staff_list *sl)
{
	struct le *le;
	int err;

	err = re_hprintf(pf, "{\"staff\":[");

	for (le = sl->l->head; le && !err; le = le->next) {
		const struct staff_item *it = le->data;
		struct staff_print sp = {sl->api, sl->app, &it->s};

		err = re_hprintf(pf, "%s%H", le == sl->l->head ? "" : ",",
				 staff_print, &sp);
	}

	if (!err)
		err = re_hprintf(pf, "]}");

	return err;
}


/* GET /v1/staff */
void api_staff_list(struct api_req *req)
{
	struct list l = LIST_INIT;
	struct staff_list sl;
	int err;

	/* Collect first: the members are read with another statement. */
	err = store_staff_list(req->api->st, req->app.sdk_app_id,
			       staff_collect, &l);
	if (err) {
		api_error_store(req, err, "staff", NULL);
		goto out;
	}

	sl.api = req->api;
	sl.app = req->app.sdk_app_id;
	sl.l   = &l;
	api_reply(req, 200, "%H", staff_list_print, &sl);

 out:
	list_flush(&l);
}


/* DELETE /v1/staff/{user_id} */
void api_staff_delete(struct api_req *req)
{
	int err;

	err = store_staff_delete(req->api->st, req->app.sdk_app_id,
				 req->param);
	if (err == EBUSY || err == EEXIST) {
		api_error(req, 409, "ResourceInUse",
			  "staff member '%s' is in use", req->param);
		return;
	}
	else if (err) {
		api_error_store(req, err, "staff member", req->param);
		return;
	}

	log_info("api: staff member deleted");
	api_reply(req, 200, "{\"user_id\":%H,\"deleted\":true}",
		  jsonw_str, req->param);
}
