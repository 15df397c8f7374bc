/**
 * @file ctl/main.c  lianluoctl: the admin command line over the HTTP API
 *
 * Copyright (C) 2026 The lianluo authors
 *
 * Usage is in usage() below and in docs/API.md.  The server and the API
 * credentials come from --data DIR (DIR/credentials.json, as lianluod
 * writes it) or from LIANLUO_SERVER, LIANLUO_SECRET_ID and
 * LIANLUO_SECRET_KEY.  An https:// server is verified by the pinned
 * certificate fingerprint (credentials.json's cert_sha256, or
 * LIANLUO_CERT_SHA256), else a CA file (LIANLUO_CA_FILE), else the
 * system's trust store.  Exit status: 0 success, 1 failure (one line on
 * stderr), 2 usage error.  Tables mask personal phone numbers; --json
 * prints the server's JSON unchanged.
 */
#include <stddef.h>
#include <string.h>
#include <stdlib.h>
#include <stdio.h>
#include <time.h>
#include <re.h>
#include "common/log.h"
#include "common/jsonw.h"
#include "common/httpc.h"
#include "common/tlsc.h"
#include "ctl.h"


enum {
	GROUPS_MAX = 32,
	EXIT_FAIL  = 1,
	EXIT_USAGE = 2,
};

struct opts {
	const char *data;
	const char *user;
	const char *name;
	const char *phone;
	const char *extension;
	const char *password;
	const char *strategy;
	const char *ring_timeout;
	const char *wrap_up;
	const char *max_wait;
	const char *number;
	const char *group;       /* number create --skill-group */
	const char *limit;
	const char *retention_days;   /* privacy.c */
	const char *rest_reasons;
	const char *max_queue_len;
	const char *overflow_group;
	const char *service_level;
	const char *ring_step;
	const char *set;              /* agents.c */
	const char *reason;
	const char *arrange;
	const char *window;
	const char *from_ms;
	const char *to_ms;
	const char *file;             /* ivr.c */
	const char *ivr;              /* number create --ivr */
	const char *priority;
	const char *role;             /* creds.c */
	const char *secret_id;
	const char *groupv[GROUPS_MAX];
	size_t groupc;
	bool mask_numbers;
	int last_agent_first;         /* -1 unset, 0 or 1 */
	bool after_call;
	bool json;
	bool help;
	const char *wordv[2];
	size_t wordc;
};

struct ctl {
	struct opts o;
	struct httpc_server srv;
};


static void usage(FILE *f)
{
	fprintf(f,
"usage: lianluoctl [--data DIR] [--json] COMMAND [OPTIONS]\n"
"\n"
"  staff create --user USER [--name N] [--phone P]\n"
"               [--extension EXT --password PW]\n"
"               [--skill-group GROUP[:LEVEL]]...\n"
"  staff list\n"
"  staff delete --user USER\n"
"  skill-group create --name GROUP [--strategy S] [--ring-timeout SECONDS]\n"
"               [--wrap-up SECONDS] [--max-wait SECONDS] [--mask-numbers]\n"
"               [--max-queue-len N] [--overflow-group GROUP]\n"
"               [--last-agent-first | --no-last-agent-first]\n"
"               [--service-level SECONDS] [--ring-step SECONDS]\n"
"  skill-group update --name GROUP [the options of create]\n"
"               (--overflow-group '' removes the overflow)\n"
"  skill-group list\n"
"  skill-group delete --name GROUP\n"
"  number create --number NUMBER [--skill-group GROUP] [--ivr MENU]\n"
"               [--priority N]      a group, a menu or both\n"
"  number list\n"
"  number delete --number NUMBER\n"
"  ivr set --name MENU --file SPEC.json   add or replace (docs/API.md)\n"
"  ivr get --name MENU\n"
"  ivr list\n"
"  ivr delete --name MENU\n"
"  token create --user USER      prints the SDK login token alone\n"
"  cdr list [--limit N]\n"
"  personal-data delete --phone P | --user U\n"
"  audit list [--limit N]\n"
"  settings get\n"
"  settings set [--cdr-retention-days N]   0 keeps CDRs forever\n"
"               [--rest-reasons R1,R2,...]\n"
"  agent list\n"
"  agent status --user USER --set STATUS [--reason R] [--after-call]\n"
"               [--arrange SECONDS]\n"
"               STATUS: free, notReady, rest (with a --reason from the\n"
"               settings' rest reasons) or arrange\n"
"  agent history --user USER [--from-ms MS] [--to-ms MS] [--limit N]\n"
"  metrics queues [--window 15m|1h|today]\n"
"  metrics agents [--window 15m|1h|today]\n"
"  status       queues, agents and calls now\n"
"  credentials create --role supervisor | --role agent --user USER\n"
"               prints LIANLUO_SECRET_ID=... and LIANLUO_SECRET_KEY=...\n"
"               (shown once); a supervisor may read status, metrics,\n"
"               CDRs and agents and set agents' statuses; an agent only\n"
"               its own status and CDRs\n"
"  credentials list\n"
"  credentials delete --secret-id ID\n"
"\n"
"  --data DIR   read DIR/credentials.json (sdk_app_id, secret_id,\n"
"               secret_key, http_url; https_url and cert_sha256 when\n"
"               the server has HTTPS, then used instead); otherwise\n"
"               the environment: LIANLUO_SERVER (http:// or\n"
"               https://host:port), LIANLUO_SECRET_ID,\n"
"               LIANLUO_SECRET_KEY\n"
"  https:// servers are verified: LIANLUO_CERT_SHA256 (the pinned\n"
"               SHA-256 of the server's certificate, hex), else\n"
"               LIANLUO_CA_FILE (PEM), else the system's trust store\n"
"  --json       print the server's JSON instead of a table\n"
"  --help       this text\n"
"\n"
"Strategies: longest-idle (default), round-robin, top-down,\n"
"fewest-calls, least-talk-time, random, ring-all, ring-progressively;\n"
"within a group, agents of the lowest skill level with a free agent\n"
"are offered first.\n"
"Exit status: 0 success, 1 failure, 2 usage error.\n");
}


static int fail(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "lianluoctl: ");
	va_start(ap, fmt);
	(void)re_vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n");

	return EXIT_FAIL;
}


static int usage_error(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "lianluoctl: ");
	va_start(ap, fmt);
	(void)re_vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, " (see lianluoctl --help)\n");

	return EXIT_USAGE;
}


int ctl_usage_error(const char *msg)
{
	return usage_error("%s", msg);
}


/* Whether a command's words are noun and verb; a NULL verb takes none */
static bool words_match(const char *noun, const char *verb,
			const char *wnoun, const char *wverb)
{
	if (!wnoun || strcmp(noun, wnoun))
		return false;

	return verb ? (wverb && !strcmp(verb, wverb)) : wverb == NULL;
}


/**
 * Run the command of a table that the words name
 *
 * @param ctl  lianluoctl state, credentials loaded
 * @param a    Command words and options
 * @param cmdv Commands
 * @param cmdc Number of commands
 *
 * @return exit status
 */
int ctl_cmd_run(struct ctl *ctl, const struct ctl_args *a,
		const struct ctl_cmd *cmdv, size_t cmdc)
{
	if (!ctl || !a)
		return EXIT_USAGE;

	for (size_t i = 0; i < cmdc; i++) {
		if (words_match(cmdv[i].noun, cmdv[i].verb, a->noun, a->verb))
			return cmdv[i].h(ctl, a);
	}

	return usage_error("unknown command");
}


/* ------------------------------------------------------------------ */
/* Arguments                                                            */

static const char **opt_slot(struct opts *o, const char *name)
{
	static const struct {
		const char *name;
		size_t off;
	} optv[] = {
		{"data",         offsetof(struct opts, data)},
		{"user",         offsetof(struct opts, user)},
		{"name",         offsetof(struct opts, name)},
		{"phone",        offsetof(struct opts, phone)},
		{"extension",    offsetof(struct opts, extension)},
		{"password",     offsetof(struct opts, password)},
		{"strategy",     offsetof(struct opts, strategy)},
		{"ring-timeout", offsetof(struct opts, ring_timeout)},
		{"wrap-up",      offsetof(struct opts, wrap_up)},
		{"max-wait",     offsetof(struct opts, max_wait)},
		{"number",       offsetof(struct opts, number)},
		{"limit",        offsetof(struct opts, limit)},
		{"cdr-retention-days", offsetof(struct opts, retention_days)},
		{"rest-reasons", offsetof(struct opts, rest_reasons)},
		{"max-queue-len", offsetof(struct opts, max_queue_len)},
		{"overflow-group", offsetof(struct opts, overflow_group)},
		{"service-level", offsetof(struct opts, service_level)},
		{"ring-step",    offsetof(struct opts, ring_step)},
		{"set",          offsetof(struct opts, set)},
		{"reason",       offsetof(struct opts, reason)},
		{"arrange",      offsetof(struct opts, arrange)},
		{"window",       offsetof(struct opts, window)},
		{"from-ms",      offsetof(struct opts, from_ms)},
		{"to-ms",        offsetof(struct opts, to_ms)},
		{"file",         offsetof(struct opts, file)},
		{"ivr",          offsetof(struct opts, ivr)},
		{"priority",     offsetof(struct opts, priority)},
		{"role",         offsetof(struct opts, role)},
		{"secret-id",    offsetof(struct opts, secret_id)},
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(optv); i++) {
		if (!strcmp(name, optv[i].name))
			return (const char **)(void *)((char *)o +
						       optv[i].off);
	}

	return NULL;
}


static int args_parse(struct opts *o, int argc, char *argv[])
{
	int i;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i], *val = NULL;
		char name[32];
		const char *eq;
		const char **slot;

		if (strncmp(a, "--", 2)) {
			if (!strcmp(a, "-h")) {
				o->help = true;
				continue;
			}
			if (a[0] == '-')
				return usage_error("unknown option '%s'", a);
			if (o->wordc >= ARRAY_SIZE(o->wordv))
				return usage_error("unexpected '%s'", a);
			o->wordv[o->wordc++] = a;
			continue;
		}

		a += 2;
		eq = strchr(a, '=');
		if (eq) {
			if ((size_t)(eq - a) >= sizeof(name))
				return usage_error("unknown option '%s'",
						   argv[i]);
			memcpy(name, a, eq - a);
			name[eq - a] = '\0';
			val = eq + 1;
		}
		else {
			str_ncpy(name, a, sizeof(name));
		}

		if (!strcmp(name, "json") || !strcmp(name, "help")) {
			if (val)
				return usage_error("--%s takes no value",
						   name);
			if (name[0] == 'j')
				o->json = true;
			else
				o->help = true;
			continue;
		}

		if (!strcmp(name, "mask-numbers") ||
		    !strcmp(name, "after-call") ||
		    !strcmp(name, "last-agent-first") ||
		    !strcmp(name, "no-last-agent-first")) {
			if (val)
				return usage_error("--%s takes no value",
						   name);
			if (name[0] == 'm')
				o->mask_numbers = true;
			else if (name[0] == 'a')
				o->after_call = true;
			else
				o->last_agent_first = name[0] == 'l';
			continue;
		}

		if (!val) {
			if (i + 1 >= argc)
				return usage_error("--%s needs a value",
						   name);
			val = argv[++i];
		}

		if (!strcmp(name, "skill-group")) {
			if (o->groupc >= GROUPS_MAX)
				return usage_error("too many --skill-group");
			o->groupv[o->groupc++] = val;
			o->group = val;
			continue;
		}

		slot = opt_slot(o, name);
		if (!slot)
			return usage_error("unknown option '--%s'", name);

		*slot = val;
	}

	return 0;
}


/* ------------------------------------------------------------------ */
/* Credentials                                                          */

static int read_file(char **bufp, const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf;
	size_t n;

	if (!f)
		return errno;

	buf = mem_zalloc(65536, NULL);
	if (!buf) {
		fclose(f);
		return ENOMEM;
	}

	n = fread(buf, 1, 65535, f);
	fclose(f);
	buf[n] = '\0';
	*bufp = buf;

	return 0;
}


static int creds_load(struct ctl *ctl)
{
	const char *url = NULL, *sid = NULL, *skey = NULL, *pin = NULL;
	const char *ca;
	struct odict *od = NULL;
	char *buf = NULL, path[512];
	int err, ret = 0;

	if (ctl->o.data) {
		re_snprintf(path, sizeof(path), "%s/credentials.json",
			    ctl->o.data);

		err = read_file(&buf, path);
		if (err) {
			ret = fail("cannot read %s: %m", path, err);
			goto out;
		}

		err = json_decode_odict(&od, 16, buf, strlen(buf), 4);
		if (err) {
			ret = fail("%s is not valid JSON", path);
			goto out;
		}

		url  = odict_string(od, "https_url");
		pin  = odict_string(od, "cert_sha256");
		if (!url || !pin) {
			url = odict_string(od, "http_url");
			pin = NULL;
		}
		sid  = odict_string(od, "secret_id");
		skey = odict_string(od, "secret_key");
		if (!url || !sid || !skey) {
			ret = fail("%s lacks http_url, secret_id or "
				   "secret_key", path);
			goto out;
		}
	}
	else {
		url  = getenv("LIANLUO_SERVER");
		sid  = getenv("LIANLUO_SECRET_ID");
		skey = getenv("LIANLUO_SECRET_KEY");
		if (!url || !sid || !skey || !*url || !*sid || !*skey) {
			ret = fail("no server: give --data DIR or set "
				   "LIANLUO_SERVER, LIANLUO_SECRET_ID and "
				   "LIANLUO_SECRET_KEY");
			goto out;
		}
	}

	if (strlen(sid) >= sizeof(ctl->srv.secret_id) ||
	    strlen(skey) >= sizeof(ctl->srv.secret_key)) {
		ret = fail("credentials too long");
		goto out;
	}
	str_ncpy(ctl->srv.secret_id, sid, sizeof(ctl->srv.secret_id));
	str_ncpy(ctl->srv.secret_key, skey, sizeof(ctl->srv.secret_key));

	ctl->srv.agent = "lianluoctl";
	err = httpc_url_decode(&ctl->srv, url);
	if (err) {
		ret = fail("bad server URL '%s'", url);
		goto out;
	}

	/* The environment's pin wins over credentials.json's. */
	if (getenv("LIANLUO_CERT_SHA256") && *getenv("LIANLUO_CERT_SHA256"))
		pin = getenv("LIANLUO_CERT_SHA256");
	if (pin && tlsc_pin_decode(ctl->srv.cert_sha256,
				   sizeof(ctl->srv.cert_sha256), pin)) {
		ret = fail("bad certificate fingerprint '%s': expected the"
			   " 64 hex digits of a SHA-256", pin);
		goto out;
	}

	ca = getenv("LIANLUO_CA_FILE");
	if (ca && strlen(ca) >= sizeof(ctl->srv.ca_file)) {
		ret = fail("LIANLUO_CA_FILE too long");
		goto out;
	}
	if (ca)
		str_ncpy(ctl->srv.ca_file, ca, sizeof(ctl->srv.ca_file));

 out:
	if (buf)
		memset(buf, 0, 65536);
	mem_deref(buf);
	mem_deref(od);
	return ret;
}


/* ------------------------------------------------------------------ */
/* Requests                                                             */

/* Percent-encode a path segment or query value (RFC 3986 unreserved kept) */
int ctl_pct_print(struct re_printf *pf, const char *s)
{
	int err = 0;

	for (; *s && !err; s++) {
		const unsigned char c = (unsigned char)*s;

		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || strchr("-._~", c))
			err = re_hprintf(pf, "%c", c);
		else
			err = re_hprintf(pf, "%%%02X", c);
	}

	return err;
}


/*
 * Do one request; on success *odp holds the decoded reply (or NULL) and,
 * with --json, the reply has been printed.  Returns an exit status.
 */
static int call(struct ctl *ctl, const char *method, const char *path,
		const char *body, struct odict **odp)
{
	struct httpc_resp resp;
	struct odict *od = NULL;
	int err, ret = 0;

	err = httpc_request(&resp, &ctl->srv, method, path, body);
	if (err == TLSC_ECERT) {
		ret = fail("refusing https://%s:%s: %s; nothing was sent",
			   ctl->srv.host, ctl->srv.port, resp.detail);
		httpc_resp_reset(&resp);
		return ret;
	}
	if (err) {
		ret = fail("cannot reach %s://%s:%s: %m%s%s",
			   ctl->srv.tls ? "https" : "http", ctl->srv.host,
			   ctl->srv.port, err, resp.detail[0] ? ": " : "",
			   resp.detail);
		httpc_resp_reset(&resp);
		return ret;
	}

	if (resp.len)
		(void)json_decode_odict(&od, 32, resp.body, resp.len, 16);

	if (resp.scode >= 300) {
		const struct odict_entry *e = od ? odict_lookup(od, "error")
			: NULL;
		const char *code = NULL, *msg = NULL;

		if (e && e->type == ODICT_OBJECT) {
			code = odict_string(e->u.odict, "code");
			msg  = odict_string(e->u.odict, "message");
		}

		ret = fail("%s: %s (HTTP %u)", code ? code : "Error",
			   msg ? msg : "request failed", resp.scode);
		goto out;
	}

	if (ctl->o.json)
		printf("%s\n", resp.body);

	if (odp) {
		*odp = od;
		od = NULL;
	}

 out:
	mem_deref(od);
	httpc_resp_reset(&resp);
	return ret;
}


static const char *jstr(const struct odict *od, const char *key)
{
	const char *s = od ? odict_string(od, key) : NULL;

	return s ? s : "";
}


static int64_t jint(const struct odict *od, const char *key)
{
	const struct odict_entry *e = od ? odict_lookup(od, key) : NULL;

	return (e && e->type == ODICT_INT) ? e->u.integer : 0;
}


static const struct odict *jarray(const struct odict *od, const char *key)
{
	const struct odict_entry *e = od ? odict_lookup(od, key) : NULL;

	return (e && e->type == ODICT_ARRAY) ? e->u.odict : NULL;
}


static const char *masked(char *buf, size_t sz, const char *number)
{
	if (!number[0] || mask_phone(buf, sz, number))
		return number[0] ? "****" : "-";

	return buf;
}


static const char *dash(const char *s)
{
	return s[0] ? s : "-";
}


/* ------------------------------------------------------------------ */
/* Commands                                                             */

static int cmd_staff_create(struct ctl *ctl)
{
	const struct opts *o = &ctl->o;
	struct mbuf *mb;
	struct odict *od = NULL;
	size_t i;
	int err, ret;

	if (!o->user)
		return usage_error("staff create needs --user");
	if (!o->extension != !o->password)
		return usage_error("--extension and --password go together");

	mb = mbuf_alloc(512);
	if (!mb)
		return fail("out of memory");

	err = mbuf_printf(mb, "{\"user_id\":%H", jsonw_str, o->user);
	if (o->name)
		err |= mbuf_printf(mb, ",\"name\":%H", jsonw_str, o->name);
	if (o->phone)
		err |= mbuf_printf(mb, ",\"phone\":%H", jsonw_str, o->phone);
	if (o->extension)
		err |= mbuf_printf(mb, ",\"extension\":%H,\"password\":%H",
				   jsonw_str, o->extension,
				   jsonw_str, o->password);
	err |= mbuf_printf(mb, ",\"skill_groups\":[");
	for (i = 0; i < o->groupc; i++) {
		const char *g = o->groupv[i], *colon = strrchr(g, ':');
		struct pl name;
		unsigned level = 1;

		pl_set_str(&name, g);
		if (colon) {
			char *end;

			name.l = colon - g;
			level = (unsigned)strtoul(colon + 1, &end, 10);
			if (*end || colon[1] == '\0' || level < 1 ||
			    level > 5) {
				mem_deref(mb);
				return usage_error("bad skill level in '%s' "
						   "(1 to 5)", g);
			}
		}

		err |= mbuf_printf(mb, "%s{\"name\":%H,\"level\":%u}",
				   i ? "," : "", jsonw_pl, &name, level);
	}
	err |= mbuf_printf(mb, "]}");
	err |= mbuf_write_u8(mb, 0);
	if (err) {
		mem_deref(mb);
		return fail("out of memory");
	}

	ret = call(ctl, "POST", "/v1/staff", (const char *)mb->buf, &od);
	memset(mb->buf, 0, mb->size);   /* it held the password */
	mem_deref(mb);

	if (!ret && !o->json)
		printf("created staff member %s\n", jstr(od, "user_id"));

	mem_deref(od);
	return ret;
}


static int groups_print(struct re_printf *pf, const struct odict *arr)
{
	struct le *le;
	int err = 0;

	for (le = arr ? arr->lst.head : NULL; le && !err; le = le->next) {
		const struct odict_entry *e = le->data;

		if (e->type != ODICT_OBJECT)
			continue;
		err = re_hprintf(pf, "%s%s:%lld", le == arr->lst.head ? "" :
				 ",", jstr(e->u.odict, "name"),
				 (long long)jint(e->u.odict, "level"));
	}

	return err;
}


static int cmd_staff_list(struct ctl *ctl)
{
	struct odict *od = NULL;
	struct le *le;
	const struct odict *arr;
	int ret;

	ret = call(ctl, "GET", "/v1/staff", NULL, &od);
	if (ret || ctl->o.json)
		goto out;

	arr = jarray(od, "staff");
	printf("%-20s %-20s %-16s %-10s %s\n", "USER", "NAME", "PHONE",
	       "EXTENSION", "SKILL GROUPS");

	for (le = arr ? arr->lst.head : NULL; le; le = le->next) {
		const struct odict_entry *e = le->data;
		const struct odict *s;
		char phone[64];

		if (e->type != ODICT_OBJECT)
			continue;
		s = e->u.odict;

		re_printf("%-20s %-20s %-16s %-10s %H\n",
			  jstr(s, "user_id"), dash(jstr(s, "name")),
			  masked(phone, sizeof(phone), jstr(s, "phone")),
			  dash(jstr(s, "extension")),
			  groups_print, jarray(s, "skill_groups"));
	}

 out:
	mem_deref(od);
	return ret;
}


static int cmd_delete(struct ctl *ctl, const char *base, const char *id,
		      const char *what)
{
	char path[512];
	int ret;

	re_snprintf(path, sizeof(path), "%s/%H", base, ctl_pct_print, id);

	ret = call(ctl, "DELETE", path, NULL, NULL);
	if (!ret && !ctl->o.json)
		printf("deleted %s %s\n", what, id);

	return ret;
}


static int cmd_staff_delete(struct ctl *ctl)
{
	if (!ctl->o.user)
		return usage_error("staff delete needs --user");

	return cmd_delete(ctl, "/v1/staff", ctl->o.user, "staff member");
}


static int u32_field(struct mbuf *mb, const char *key, const char *val,
		     const char *opt)
{
	char *end;
	unsigned long v;

	if (!val)
		return 0;

	v = strtoul(val, &end, 10);
	if (!val[0] || *end || v > 86400 || val[0] == '-')
		return usage_error("--%s needs a number of seconds", opt);

	return mbuf_printf(mb, ",\"%s\":%lu", key, v) ? EXIT_FAIL : 0;
}


static int u32_opt(struct mbuf *mb, const char *key, const char *val,
		   const char *opt, unsigned long max)
{
	char *end;
	unsigned long v;

	if (!val)
		return 0;

	v = strtoul(val, &end, 10);
	if (!val[0] || *end || v > max || val[0] == '-')
		return usage_error("--%s needs a number from 0 to %lu", opt,
				   max);

	return mbuf_printf(mb, ",\"%s\":%lu", key, v) ? EXIT_FAIL : 0;
}


/* The body of skill-group create and update, from the options */
static int group_body(struct mbuf *mb, const struct opts *o)
{
	int ret;

	/* update takes the name from the path and ignores it here */
	ret = mbuf_printf(mb, "{\"name\":%H", jsonw_str, o->name)
		? EXIT_FAIL : 0;
	if (!ret && o->strategy)
		ret = mbuf_printf(mb, ",\"strategy\":%H", jsonw_str,
				  o->strategy) ? EXIT_FAIL : 0;
	if (!ret)
		ret = u32_field(mb, "ring_timeout_s", o->ring_timeout,
				"ring-timeout");
	if (!ret)
		ret = u32_field(mb, "wrapup_s", o->wrap_up, "wrap-up");
	if (!ret)
		ret = u32_field(mb, "max_wait_s", o->max_wait, "max-wait");
	if (!ret && o->mask_numbers)
		ret = mbuf_printf(mb, ",\"mask_numbers\":true") ? EXIT_FAIL
			: 0;
	if (!ret)
		ret = u32_opt(mb, "max_queue_len", o->max_queue_len,
			      "max-queue-len", 10000);
	if (!ret)
		ret = u32_opt(mb, "service_level_s", o->service_level,
			      "service-level", 3600);
	if (!ret)
		ret = u32_opt(mb, "ring_step_s", o->ring_step, "ring-step",
			      60);
	if (!ret && o->overflow_group)
		ret = mbuf_printf(mb, ",\"overflow_group\":%H", jsonw_str,
				  o->overflow_group) ? EXIT_FAIL : 0;
	if (!ret && o->last_agent_first >= 0)
		ret = mbuf_printf(mb, ",\"last_agent_first\":%s",
				  o->last_agent_first ? "true" : "false")
			? EXIT_FAIL : 0;
	if (!ret && (mbuf_printf(mb, "}") || mbuf_write_u8(mb, 0)))
		ret = fail("out of memory");

	return ret;
}


static void group_done(const char *verb, const struct odict *od)
{
	printf("%s skill group %s (%s, ring %llds, wrap-up %llds, queue "
	       "limit %lld, overflow %s, service level %llds)\n", verb,
	       jstr(od, "name"), jstr(od, "strategy"),
	       (long long)jint(od, "ring_timeout_s"),
	       (long long)jint(od, "wrapup_s"),
	       (long long)jint(od, "max_queue_len"),
	       dash(jstr(od, "overflow_group")),
	       (long long)jint(od, "service_level_s"));
}


static int cmd_group_create(struct ctl *ctl)
{
	const struct opts *o = &ctl->o;
	struct odict *od = NULL;
	struct mbuf *mb;
	int ret;

	if (!o->name)
		return usage_error("skill-group create needs --name");

	mb = mbuf_alloc(256);
	if (!mb)
		return fail("out of memory");

	ret = group_body(mb, o);
	if (ret)
		goto out;

	ret = call(ctl, "POST", "/v1/skill-groups", (const char *)mb->buf,
		   &od);
	if (!ret && !o->json)
		group_done("created", od);

 out:
	mem_deref(od);
	mem_deref(mb);
	return ret;
}


static int cmd_group_update(struct ctl *ctl)
{
	const struct opts *o = &ctl->o;
	struct odict *od = NULL;
	struct mbuf *mb;
	char path[512];
	int ret;

	if (!o->name)
		return usage_error("skill-group update needs --name");

	mb = mbuf_alloc(256);
	if (!mb)
		return fail("out of memory");

	ret = group_body(mb, o);
	if (ret)
		goto out;

	re_snprintf(path, sizeof(path), "/v1/skill-groups/%H", ctl_pct_print,
		    o->name);
	ret = call(ctl, "PUT", path, (const char *)mb->buf, &od);
	if (!ret && !o->json)
		group_done("updated", od);

 out:
	mem_deref(od);
	mem_deref(mb);
	return ret;
}


static int cmd_group_list(struct ctl *ctl)
{
	struct odict *od = NULL;
	const struct odict *arr;
	struct le *le;
	int ret;

	ret = call(ctl, "GET", "/v1/skill-groups", NULL, &od);
	if (ret || ctl->o.json)
		goto out;

	arr = jarray(od, "skill_groups");
	printf("%-24s %-18s %6s %8s %9s %8s %5s %7s %-5s %s\n", "NAME",
	       "STRATEGY", "RING_S", "WRAPUP_S", "MAXWAIT_S", "QUEUE_MAX",
	       "SL_S", "STEP_S", "LAST", "OVERFLOW");

	for (le = arr ? arr->lst.head : NULL; le; le = le->next) {
		const struct odict_entry *e = le->data;
		const struct odict_entry *laf;

		if (e->type != ODICT_OBJECT)
			continue;

		laf = odict_lookup(e->u.odict, "last_agent_first");
		printf("%-24s %-18s %6lld %8lld %9lld %8lld %5lld %7lld %-5s "
		       "%s\n",
		       jstr(e->u.odict, "name"),
		       jstr(e->u.odict, "strategy"),
		       (long long)jint(e->u.odict, "ring_timeout_s"),
		       (long long)jint(e->u.odict, "wrapup_s"),
		       (long long)jint(e->u.odict, "max_wait_s"),
		       (long long)jint(e->u.odict, "max_queue_len"),
		       (long long)jint(e->u.odict, "service_level_s"),
		       (long long)jint(e->u.odict, "ring_step_s"),
		       laf && laf->type == ODICT_BOOL && laf->u.boolean ?
		       "yes" : "no",
		       dash(jstr(e->u.odict, "overflow_group")));
	}

 out:
	mem_deref(od);
	return ret;
}


static int cmd_group_delete(struct ctl *ctl)
{
	if (!ctl->o.name)
		return usage_error("skill-group delete needs --name");

	return cmd_delete(ctl, "/v1/skill-groups", ctl->o.name,
			  "skill group");
}


static int cmd_number_create(struct ctl *ctl)
{
	char body[768];
	struct odict *od = NULL;
	int ret;

	if (!ctl->o.number || (!ctl->o.group && !ctl->o.ivr))
		return usage_error("number create needs --number and "
				   "--skill-group or --ivr");

	re_snprintf(body, sizeof(body), "{\"number\":%H,\"skill_group\":%H",
		    jsonw_str, ctl->o.number, jsonw_str,
		    ctl->o.group ? ctl->o.group : "");
	ret = ctl_number_extra(body, sizeof(body), ctl->o.ivr,
			       ctl->o.priority);
	if (ret)
		return ret;

	ret = call(ctl, "POST", "/v1/numbers", body, &od);
	if (!ret && !ctl->o.json)
		printf("created number %s -> %s%s\n", jstr(od, "number"),
		       jstr(od, "ivr")[0] ? "IVR menu " : "",
		       jstr(od, "ivr")[0] ? jstr(od, "ivr") :
		       jstr(od, "skill_group"));

	mem_deref(od);
	return ret;
}


/* Service numbers belong to the business, not to a person: not masked. */
static int cmd_number_list(struct ctl *ctl)
{
	struct odict *od = NULL;
	const struct odict *arr;
	struct le *le;
	int ret;

	ret = call(ctl, "GET", "/v1/numbers", NULL, &od);
	if (ret || ctl->o.json)
		goto out;

	arr = jarray(od, "numbers");
	printf("%-22s %-24s %-24s %s\n", "NUMBER", "SKILL GROUP", "IVR",
	       "PRIORITY");

	for (le = arr ? arr->lst.head : NULL; le; le = le->next) {
		const struct odict_entry *e = le->data;

		if (e->type != ODICT_OBJECT)
			continue;

		printf("%-22s %-24s %-24s %lld\n", jstr(e->u.odict, "number"),
		       dash(jstr(e->u.odict, "skill_group")),
		       dash(jstr(e->u.odict, "ivr")),
		       (long long)jint(e->u.odict, "priority"));
	}

 out:
	mem_deref(od);
	return ret;
}


static int cmd_number_delete(struct ctl *ctl)
{
	if (!ctl->o.number)
		return usage_error("number delete needs --number");

	return cmd_delete(ctl, "/v1/numbers", ctl->o.number, "number");
}


static int cmd_token_create(struct ctl *ctl)
{
	char body[256];
	struct odict *od = NULL;
	int ret;

	if (!ctl->o.user)
		return usage_error("token create needs --user");

	re_snprintf(body, sizeof(body), "{\"user_id\":%H}", jsonw_str,
		    ctl->o.user);

	ret = call(ctl, "POST", "/v1/sdk-login-tokens", body, &od);
	if (!ret && !ctl->o.json)
		printf("%s\n", jstr(od, "token"));

	mem_deref(od);
	return ret;
}


/* A time in ms for tables: local time, "-" when the stage was not reached */
void ctl_fmt_ms(char *buf, size_t sz, int64_t ms)
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;

	if (!ms || !localtime_r(&t, &tm)) {
		str_ncpy(buf, "-", sz);
		return;
	}

	strftime(buf, sz, "%Y-%m-%d %H:%M:%S", &tm);
}


static int cmd_cdr_list(struct ctl *ctl)
{
	struct odict *od = NULL;
	const struct odict *arr;
	char path[64];
	struct le *le;
	int ret;

	if (ctl->o.limit) {
		char *end;
		unsigned long v = strtoul(ctl->o.limit, &end, 10);

		if (!ctl->o.limit[0] || *end || v < 1 || v > 1000)
			return usage_error("--limit must be 1 to 1000");
		re_snprintf(path, sizeof(path), "/v1/cdrs?limit=%lu", v);
	}
	else {
		str_ncpy(path, "/v1/cdrs", sizeof(path));
	}

	ret = call(ctl, "GET", path, NULL, &od);
	if (ret || ctl->o.json)
		goto out;

	arr = jarray(od, "cdrs");
	printf("%-19s %-8s %-16s %-16s %-12s %-12s %-10s %6s  %s\n",
	       "START", "DIR", "CALLER", "CALLEE", "GROUP", "AGENT", "STATUS",
	       "SECS", "SESSION");

	for (le = arr ? arr->lst.head : NULL; le; le = le->next) {
		const struct odict_entry *e = le->data;
		const struct odict *c;
		char start[32], caller[80], callee[80];

		if (e->type != ODICT_OBJECT)
			continue;
		c = e->u.odict;

		ctl_fmt_ms(start, sizeof(start), jint(c, "offered_ms"));
		printf("%-19s %-8s %-16s %-16s %-12s %-12s %-10s %6lld  %s\n",
		       start, jstr(c, "direction"),
		       masked(caller, sizeof(caller), jstr(c, "caller")),
		       masked(callee, sizeof(callee), jstr(c, "callee")),
		       dash(jstr(c, "group")), dash(jstr(c, "agent")),
		       dash(jstr(c, "end_status")),
		       (long long)jint(c, "duration_s"),
		       jstr(c, "session_id"));
	}

 out:
	mem_deref(od);
	return ret;
}


int ctl_call(struct ctl *ctl, const char *method, const char *path,
	     const char *body, struct odict **odp)
{
	return call(ctl, method, path, body, odp);
}


static void args_fill(struct ctl_args *a, const struct opts *o)
{
	memset(a, 0, sizeof(*a));
	a->noun           = o->wordv[0];
	a->verb           = o->wordc > 1 ? o->wordv[1] : NULL;
	a->phone          = o->phone;
	a->user           = o->user;
	a->limit          = o->limit;
	a->retention_days = o->retention_days;
	a->rest_reasons   = o->rest_reasons;
	a->set            = o->set;
	a->reason         = o->reason;
	a->arrange        = o->arrange;
	a->window         = o->window;
	a->from_ms        = o->from_ms;
	a->to_ms          = o->to_ms;
	a->after_call     = o->after_call;
	a->json           = o->json;
	a->name           = o->name;
	a->file           = o->file;
	a->role           = o->role;
	a->secret_id      = o->secret_id;
}


/* Each command runs one of ours (h) or a module's (mh: agents.c,
 * privacy.c, ivr.c, creds.c, which get the options as ctl_args). */
static const struct {
	const char *noun;
	const char *verb;
	int (*h)(struct ctl *ctl);
	int (*mh)(struct ctl *ctl, const struct ctl_args *a);
} cmdv[] = {
	{"staff",       "create", cmd_staff_create, NULL},
	{"staff",       "list",   cmd_staff_list, NULL},
	{"staff",       "delete", cmd_staff_delete, NULL},
	{"skill-group", "create", cmd_group_create, NULL},
	{"skill-group", "update", cmd_group_update, NULL},
	{"skill-group", "list",   cmd_group_list, NULL},
	{"skill-group", "delete", cmd_group_delete, NULL},
	{"number",      "create", cmd_number_create, NULL},
	{"number",      "list",   cmd_number_list, NULL},
	{"number",      "delete", cmd_number_delete, NULL},
	{"token",       "create", cmd_token_create, NULL},
	{"cdr",         "list",   cmd_cdr_list, NULL},
	{"status",      NULL,     NULL, ctl_agents},
	{"agent",       "list",   NULL, ctl_agents},
	{"agent",       "status", NULL, ctl_agents},
	{"agent",       "history", NULL, ctl_agents},
	{"metrics",     "queues", NULL, ctl_agents},
	{"metrics",     "agents", NULL, ctl_agents},
	{"personal-data", "delete", NULL, ctl_privacy},
	{"audit",       "list",   NULL, ctl_privacy},
	{"settings",    "get",    NULL, ctl_privacy},
	{"settings",    "set",    NULL, ctl_privacy},
	{"ivr",         "set",    NULL, ctl_ivr},
	{"ivr",         "get",    NULL, ctl_ivr},
	{"ivr",         "list",   NULL, ctl_ivr},
	{"ivr",         "delete", NULL, ctl_ivr},
	{"credentials", "create", NULL, ctl_creds},
	{"credentials", "list",   NULL, ctl_creds},
	{"credentials", "delete", NULL, ctl_creds},
};


int main(int argc, char *argv[])
{
	struct ctl ctl;
	size_t i;
	int ret;

	memset(&ctl, 0, sizeof(ctl));
	ctl.o.last_agent_first = -1;

	ret = args_parse(&ctl.o, argc, argv);
	if (ret)
		return ret;

	if (ctl.o.help) {
		usage(stdout);
		return 0;
	}

	if (!ctl.o.wordc) {
		usage(stderr);
		return EXIT_USAGE;
	}

	for (i = 0; i < ARRAY_SIZE(cmdv); i++) {
		const char *verb = ctl.o.wordc > 1 ? ctl.o.wordv[1] : NULL;

		if (!words_match(cmdv[i].noun, cmdv[i].verb, ctl.o.wordv[0],
				 verb))
			continue;

		log_set_level(LOG_LEVEL_WARN);

		ret = creds_load(&ctl);
		if (!ret && cmdv[i].mh) {
			struct ctl_args a;

			args_fill(&a, &ctl.o);
			ret = cmdv[i].mh(&ctl, &a);
		}
		else if (!ret) {
			ret = cmdv[i].h(&ctl);
		}

		memset(&ctl.srv, 0, sizeof(ctl.srv));
		return ret;
	}

	return usage_error("unknown command '%s%s%s'", ctl.o.wordv[0],
			   ctl.o.wordc > 1 ? " " : "",
			   ctl.o.wordc > 1 ? ctl.o.wordv[1] : "");
}
