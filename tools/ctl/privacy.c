/**
 * @file ctl/privacy.c  lianluoctl: personal data, audit log, settings
 *
 * Copyright (C) 2026 The lianluo authors
 *
 *   personal-data delete --phone P | --user U
 *   audit list [--limit N]
 *   settings get
 *   settings set [--cdr-retention-days N] [--rest-reasons R1,R2,...]
 *
 * Tables and messages mask phone numbers, as everywhere in lianluoctl;
 * --json prints the server's JSON unchanged.
 */
#include <string.h>
#include <stdlib.h>
#include <stdio.h>
#include <time.h>
#include <re.h>
#include "common/log.h"
#include "common/jsonw.h"
#include "ctl.h"


enum {
	EXIT_FAIL  = 1,
	EXIT_USAGE = 2,
};


static int64_t jint(const struct odict *od, const char *key)
{
	const struct odict_entry *e = od ? odict_lookup(od, key) : NULL;

	return (e && e->type == ODICT_INT) ? e->u.integer : 0;
}


static const char *jstr(const struct odict *od, const char *key)
{
	const char *s = od ? odict_string(od, key) : NULL;

	return s ? s : "";
}


static int u32_arg(uint32_t *valp, const char *s, uint32_t max)
{
	unsigned long v;
	char *end;

	if (!s || !s[0] || s[0] == '-')
		return EINVAL;

	v = strtoul(s, &end, 10);
	if (*end || v > max)
		return EINVAL;

	*valp = (uint32_t)v;
	return 0;
}


static int cmd_erase(struct ctl *ctl, const struct ctl_args *a)
{
	struct odict *od = NULL;
	char path[256], masked[64];
	int ret;

	if (!a->phone == !a->user)
		return ctl_usage_error("personal-data delete needs exactly "
				       "one of --phone and --user");
	if (!(a->phone ? a->phone : a->user)[0])
		return ctl_usage_error("personal-data delete: empty value");

	if (re_snprintf(path, sizeof(path), "/v1/personal-data?%s=%H",
			a->phone ? "phone" : "user", ctl_pct_print,
			a->phone ? a->phone : a->user) < 0)
		return ctl_usage_error("personal-data delete: value too long");

	ret = ctl_call(ctl, "DELETE", path, NULL, &od);
	if (ret || a->json)
		goto out;

	if (a->phone && mask_phone(masked, sizeof(masked), a->phone))
		str_ncpy(masked, "****", sizeof(masked));

	printf("deleted the personal data of %s %s: %lld CDRs anonymised, "
	       "%lld staff anonymised, %lld number references deleted, "
	       "%lld recordings deleted (audit entry %lld)\n",
	       a->phone ? "phone" : "user", a->phone ? masked : a->user,
	       (long long)jint(od, "cdrs_anonymised"),
	       (long long)jint(od, "staff_anonymised"),
	       (long long)jint(od, "number_refs_deleted"),
	       (long long)jint(od, "recordings_deleted"),
	       (long long)jint(od, "audit_id"));

 out:
	mem_deref(od);
	return ret;
}


static int cmd_audit_list(struct ctl *ctl, const struct ctl_args *a)
{
	struct odict *od = NULL;
	const struct odict_entry *arr;
	char path[64];
	struct le *le;
	uint32_t limit = 0;
	int ret;

	if (a->limit && (u32_arg(&limit, a->limit, 1000) || !limit))
		return ctl_usage_error("--limit must be 1 to 1000");

	if (limit)
		re_snprintf(path, sizeof(path), "/v1/audit-log?limit=%u",
			    limit);
	else
		str_ncpy(path, "/v1/audit-log", sizeof(path));

	ret = ctl_call(ctl, "GET", path, NULL, &od);
	if (ret || a->json)
		goto out;

	arr = odict_lookup(od, "entries");
	printf("%-6s %-19s %-24s %-22s %s\n", "ID", "TIME", "ACTOR",
	       "ACTION", "DETAIL");

	if (!arr || arr->type != ODICT_ARRAY)
		goto out;

	for (le = arr->u.odict->lst.head; le; le = le->next) {
		const struct odict_entry *e = le->data;
		const struct odict_entry *d;
		char when[32], detail[512];

		if (e->type != ODICT_OBJECT)
			continue;

		detail[0] = '\0';
		d = odict_lookup(e->u.odict, "detail");
		if (d && d->type == ODICT_OBJECT)
			(void)re_snprintf(detail, sizeof(detail), "%H",
					  json_encode_odict, d->u.odict);
		/* The server masks already; a table never shows more. */
		(void)log_mask_line(detail);

		ctl_fmt_ms(when, sizeof(when), jint(e->u.odict, "at_ms"));
		printf("%-6lld %-19s %-24s %-22s %s\n",
		       (long long)jint(e->u.odict, "id"), when,
		       jstr(e->u.odict, "actor"), jstr(e->u.odict, "action"),
		       detail);
	}

 out:
	mem_deref(od);
	return ret;
}


static int settings_print(const struct odict *od)
{
	const int64_t days = jint(od, "cdr_retention_days");
	const struct odict_entry *e = odict_lookup(od, "rest_reasons");
	struct le *le;

	if (days)
		printf("cdr_retention_days: %lld\n", (long long)days);
	else
		printf("cdr_retention_days: 0 (CDRs are kept forever)\n");

	printf("rest_reasons:");
	for (le = e && e->type == ODICT_ARRAY ? e->u.odict->lst.head : NULL;
	     le; le = le->next) {
		const struct odict_entry *r = le->data;

		if (r->type == ODICT_STRING)
			printf("%s%s", le == e->u.odict->lst.head ? " " : ",",
			       r->u.str);
	}
	printf("\n");

	return 0;
}


/* "a,b,c" as a JSON array of strings; nothing for NULL */
static int csv_print(struct re_printf *pf, const char *csv)
{
	const char *p = csv;
	int err;

	if (!csv)
		return 0;

	err = re_hprintf(pf, "[");

	for (;;) {
		const char *c = strchr(p, ',');
		struct pl name;

		pl_set_str(&name, p);
		if (c)
			name.l = c - p;

		err |= re_hprintf(pf, "%s%H", p == csv ? "" : ",", jsonw_pl,
				  &name);
		if (!c)
			break;
		p = c + 1;
	}

	return err | re_hprintf(pf, "]");
}


static int cmd_settings_get(struct ctl *ctl, const struct ctl_args *a)
{
	struct odict *od = NULL;
	int ret;

	ret = ctl_call(ctl, "GET", "/v1/settings", NULL, &od);
	if (!ret && !a->json)
		settings_print(od);

	mem_deref(od);
	return ret;
}


static int cmd_settings_set(struct ctl *ctl, const struct ctl_args *a)
{
	struct odict *od = NULL;
	char *body = NULL;
	char days_json[32] = "";
	uint32_t days;
	int ret;

	if (!a->retention_days && !a->rest_reasons)
		return ctl_usage_error("settings set needs "
				       "--cdr-retention-days N "
				       "or --rest-reasons R1,R2,...");
	if (a->retention_days) {
		if (u32_arg(&days, a->retention_days, 3650))
			return ctl_usage_error("--cdr-retention-days must "
					       "be 0 (keep forever) to "
					       "3650");
		re_snprintf(days_json, sizeof(days_json),
			    "\"cdr_retention_days\":%u", days);
	}

	if (re_sdprintf(&body, "{%s%s%s%H}", days_json,
			days_json[0] && a->rest_reasons ? "," : "",
			a->rest_reasons ? "\"rest_reasons\":" : "",
			csv_print, a->rest_reasons ? a->rest_reasons : NULL))
		return EXIT_FAIL;

	ret = ctl_call(ctl, "PUT", "/v1/settings", body, &od);
	if (!ret && !a->json)
		settings_print(od);

	mem_deref(body);
	mem_deref(od);
	return ret;
}


/**
 * Run one of the privacy commands
 *
 * @param ctl lianluoctl state, credentials loaded
 * @param a   Command words and options
 *
 * @return exit status
 */
int ctl_privacy(struct ctl *ctl, const struct ctl_args *a)
{
	static const struct ctl_cmd cmdv[] = {
		{"personal-data", "delete", cmd_erase},
		{"audit",         "list",   cmd_audit_list},
		{"settings",      "get",    cmd_settings_get},
		{"settings",      "set",    cmd_settings_set},
	};

	return ctl_cmd_run(ctl, a, cmdv, ARRAY_SIZE(cmdv));
}
