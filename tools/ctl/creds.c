/**
 * @file ctl/creds.c  lianluoctl: API credentials with a role
 *
 * Copyright (C) 2026 The lianluo authors
 *
 *   credentials create --role supervisor|agent [--user U]
 *   credentials list
 *   credentials delete --secret-id ID
 *
 * create prints the new SecretId and SecretKey, which the server shows
 * only this once, as the environment lines lianluoctl itself reads.
 */
#include <string.h>
#include <stdio.h>
#include <re.h>
#include "common/log.h"
#include "common/jsonw.h"
#include "ctl.h"


static const char *jstr(const struct odict *od, const char *key)
{
	const char *s = od ? odict_string(od, key) : NULL;

	return s ? s : "";
}


static int cmd_create(struct ctl *ctl, const struct ctl_args *a)
{
	struct odict *od = NULL;
	char *body = NULL;
	int ret, err;

	if (!a->role || (strcmp(a->role, "supervisor") &&
			 strcmp(a->role, "agent")))
		return ctl_usage_error("credentials create needs "
				       "--role supervisor or --role agent");
	if (!strcmp(a->role, "agent") != (a->user != NULL))
		return ctl_usage_error("--user goes with --role agent, "
				       "and only with it");
	if (a->user && !a->user[0])
		return ctl_usage_error("--user: empty value");

	if (a->user)
		err = re_sdprintf(&body, "{\"role\":\"agent\","
				  "\"user_id\":%H}", jsonw_str, a->user);
	else
		err = re_sdprintf(&body, "{\"role\":%H}", jsonw_str,
				  a->role);
	if (err)
		return 1;

	ret = ctl_call(ctl, "POST", "/v1/credentials", body, &od);
	if (!ret && !a->json) {
		printf("LIANLUO_SECRET_ID=%s\nLIANLUO_SECRET_KEY=%s\n",
		       jstr(od, "secret_id"), jstr(od, "secret_key"));
		fprintf(stderr, "%s credentials created%s%s; the key is not "
			"shown again\n", a->role, a->user ? " for " : "",
			a->user ? a->user : "");
	}

	mem_deref(body);
	mem_deref(od);
	return ret;
}


static int cmd_list(struct ctl *ctl, const struct ctl_args *a)
{
	const struct odict_entry *arr;
	struct odict *od = NULL;
	struct le *le;
	int ret;

	ret = ctl_call(ctl, "GET", "/v1/credentials", NULL, &od);
	if (ret || a->json)
		goto out;

	arr = odict_lookup(od, "credentials");
	printf("%-36s %-10s %-20s %s\n", "SECRET_ID", "ROLE", "USER",
	       "CREATED");
	for (le = (arr && arr->type == ODICT_ARRAY) ?
		     arr->u.odict->lst.head : NULL; le; le = le->next) {
		const struct odict_entry *e = le->data;
		const struct odict_entry *ce;
		char created[32];
		int64_t t = 0;

		if (e->type != ODICT_OBJECT)
			continue;

		ce = odict_lookup(e->u.odict, "created");
		if (ce && ce->type == ODICT_INT)
			t = ce->u.integer;
		ctl_fmt_ms(created, sizeof(created), t * 1000);

		printf("%-36s %-10s %-20s %s\n", jstr(e->u.odict, "secret_id"),
		       jstr(e->u.odict, "role"),
		       jstr(e->u.odict, "user_id")[0] ?
		       jstr(e->u.odict, "user_id") : "-", created);
	}

 out:
	mem_deref(od);
	return ret;
}


static int cmd_delete(struct ctl *ctl, const struct ctl_args *a)
{
	struct odict *od = NULL;
	char path[160];
	int ret;

	if (!a->secret_id || !a->secret_id[0])
		return ctl_usage_error("credentials delete needs "
				       "--secret-id ID");

	if (re_snprintf(path, sizeof(path), "/v1/credentials/%H",
			ctl_pct_print, a->secret_id) < 0)
		return ctl_usage_error("--secret-id: too long");

	ret = ctl_call(ctl, "DELETE", path, NULL, &od);
	if (!ret && !a->json)
		printf("deleted credentials %s\n", a->secret_id);

	mem_deref(od);
	return ret;
}


/**
 * Run one of the credentials commands
 *
 * @param ctl lianluoctl state, credentials loaded
 * @param a   Command words and options
 *
 * @return exit status
 */
int ctl_creds(struct ctl *ctl, const struct ctl_args *a)
{
	static const struct ctl_cmd cmdv[] = {
		{"credentials", "create", cmd_create},
		{"credentials", "list",   cmd_list},
		{"credentials", "delete", cmd_delete},
	};

	return ctl_cmd_run(ctl, a, cmdv, ARRAY_SIZE(cmdv));
}
