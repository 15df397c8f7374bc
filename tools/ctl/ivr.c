/**
 * @file ctl/ivr.c  lianluoctl: IVR menus
 *
 *   ivr set --name MENU --file SPEC.json
 *   ivr get --name MENU
 *   ivr list
 *   ivr delete --name MENU
 *
 * Copyright (C) 2026 The lianluo authors
 *
 * The spec file is sent as it is; the server validates it and answers
 * with what is wrong.  --json prints the server's JSON unchanged.
 */
#include <string.h>
#include <stdlib.h>
#include <stdio.h>
#include <errno.h>
#include <re.h>
#include "common/log.h"
#include "common/jsonw.h"
#include "ctl.h"


enum {
	EXIT_FAIL  = 1,
	EXIT_USAGE = 2,
	SPEC_READ_MAX = 65536,   /* the server refuses more than 4 KB */
};


static const char *jstr(const struct odict *od, const char *key)
{
	const char *s = od ? odict_string(od, key) : NULL;

	return s ? s : "";
}


/* Menu names are path segments: percent-encoded. */
static int menu_path(char *buf, size_t sz, const char *name)
{
	return re_snprintf(buf, sz, "/v1/ivr-menus/%H", ctl_pct_print,
			   name) < 0 ? ENOMEM : 0;
}


static int spec_read(char **specp, const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf;
	size_t n;
	int err;

	if (!f)
		return errno;

	buf = mem_zalloc(SPEC_READ_MAX + 1, NULL);
	if (!buf) {
		fclose(f);
		return ENOMEM;
	}

	n = fread(buf, 1, SPEC_READ_MAX, f);
	err = ferror(f) ? EIO : !feof(f) ? EFBIG : 0;
	fclose(f);
	if (err) {
		mem_deref(buf);
		return err;
	}

	buf[n] = '\0';
	*specp = buf;
	return 0;
}


static int options_count(const struct odict *spec)
{
	const struct odict_entry *e = spec ? odict_lookup(spec, "options") :
		NULL;

	return e && e->type == ODICT_OBJECT ? (int)odict_count(e->u.odict,
							       false) : 0;
}


static void menu_line(const struct odict *m)
{
	const struct odict_entry *e = odict_lookup(m, "spec");
	const struct odict *spec = e && e->type == ODICT_OBJECT ?
		e->u.odict : NULL;

	printf("%-24s %-24s %d\n", jstr(m, "name"),
	       spec ? jstr(spec, "prompt") : "", options_count(spec));
}


static int cmd_set(struct ctl *ctl, const struct ctl_args *a)
{
	struct odict *od = NULL;
	char path[512];
	char *spec = NULL;
	int err, ret;

	if (!a->name || !a->file)
		return ctl_usage_error("ivr set needs --name and --file");

	err = spec_read(&spec, a->file);
	if (err) {
		fprintf(stderr, "lianluoctl: cannot read %s: %s\n", a->file,
			err == EFBIG ? "file too large" : strerror(err));
		return EXIT_FAIL;
	}

	ret = menu_path(path, sizeof(path), a->name) ? EXIT_FAIL :
		ctl_call(ctl, "PUT", path, spec, &od);
	if (!ret && !a->json)
		printf("IVR menu %s saved\n", jstr(od, "name"));

	mem_deref(spec);
	mem_deref(od);
	return ret;
}


static int cmd_get(struct ctl *ctl, const struct ctl_args *a)
{
	struct odict *od = NULL;
	char path[512];
	int ret;

	if (!a->name)
		return ctl_usage_error("ivr get needs --name");

	ret = menu_path(path, sizeof(path), a->name) ? EXIT_FAIL :
		ctl_call(ctl, "GET", path, NULL, &od);
	if (!ret && !a->json) {
		printf("%-24s %-24s %s\n", "NAME", "PROMPT", "OPTIONS");
		menu_line(od);
	}

	mem_deref(od);
	return ret;
}


static int cmd_list(struct ctl *ctl, const struct ctl_args *a)
{
	const struct odict_entry *arr;
	struct odict *od = NULL;
	struct le *le;
	int ret;

	ret = ctl_call(ctl, "GET", "/v1/ivr-menus", NULL, &od);
	if (ret || a->json)
		goto out;

	arr = od ? odict_lookup(od, "ivr_menus") : NULL;
	printf("%-24s %-24s %s\n", "NAME", "PROMPT", "OPTIONS");

	for (le = arr && arr->type == ODICT_ARRAY ? arr->u.odict->lst.head :
		     NULL; le; le = le->next) {
		const struct odict_entry *e = le->data;

		if (e->type == ODICT_OBJECT)
			menu_line(e->u.odict);
	}

 out:
	mem_deref(od);
	return ret;
}


static int cmd_delete(struct ctl *ctl, const struct ctl_args *a)
{
	char path[512];
	int ret;

	if (!a->name)
		return ctl_usage_error("ivr delete needs --name");

	ret = menu_path(path, sizeof(path), a->name) ? EXIT_FAIL :
		ctl_call(ctl, "DELETE", path, NULL, NULL);
	if (!ret && !a->json)
		printf("deleted IVR menu %s\n", a->name);

	return ret;
}


/**
 * Run an "ivr" command
 *
 * @return exit status
 */
int ctl_ivr(struct ctl *ctl, const struct ctl_args *a)
{
	static const struct ctl_cmd cmdv[] = {
		{"ivr", "set",    cmd_set},
		{"ivr", "get",    cmd_get},
		{"ivr", "list",   cmd_list},
		{"ivr", "delete", cmd_delete},
	};

	return ctl_cmd_run(ctl, a, cmdv, ARRAY_SIZE(cmdv));
}


/**
 * Finish the body of "number create": the optional --ivr and --priority,
 * then the closing brace
 *
 * @param body      JSON object so far, without its closing brace
 * @param sz        Size of body
 * @param ivr       --ivr MENU, or NULL
 * @param priority  --priority N (0-100), or NULL
 *
 * @return 0 if success, otherwise an exit status
 */
int ctl_number_extra(char *body, size_t sz, const char *ivr,
		     const char *priority)
{
	size_t len = strlen(body);
	char *end;
	long prio = 0;

	if (priority) {
		errno = 0;
		prio = strtol(priority, &end, 10);
		if (!priority[0] || *end || errno || prio < 0 || prio > 100)
			return ctl_usage_error("--priority needs a number "
					       "from 0 to 100");
	}

	if (re_snprintf(body + len, sz - len, ",\"ivr\":%H,\"priority\":%ld}",
			jsonw_str, ivr ? ivr : "", prio) < 0)
		return ctl_usage_error("number create: arguments too long");

	return 0;
}
