/**
 * @file ctl/agents.c  lianluoctl: agent statuses, metrics, live status
 *
 * Copyright (C) 2026 The lianluo authors
 *
 *   agent list
 *   agent status --user U --set STATUS [--reason R] [--after-call]
 *                [--arrange S]
 *   agent history --user U [--from-ms MS] [--to-ms MS] [--limit N]
 *   metrics queues [--window 15m|1h|today]
 *   metrics agents [--window 15m|1h|today]
 *   status
 *
 * Tables are aligned columns; every row goes through the log layer's
 * number masking, so a table never shows a phone number in clear.
 * --json prints the server's JSON unchanged (for status: GET /v1/status).
 */
#include <string.h>
#include <stdlib.h>
#include <stdio.h>
#include <re.h>
#include "common/log.h"
#include "common/jsonw.h"
#include "ctl.h"


enum {
	EXIT_FAIL  = 1,
	EXIT_USAGE = 2,
};

static const char *const statusv[] = {
	"free", "busy", "arrange", "notReady", "rest", "offline",
};


static const struct odict_entry *jget(const struct odict *od,
				      const char *key)
{
	return od ? odict_lookup(od, key) : NULL;
}


static int64_t jint(const struct odict *od, const char *key)
{
	const struct odict_entry *e = jget(od, key);

	return (e && e->type == ODICT_INT) ? e->u.integer : 0;
}


static const char *jstr(const struct odict *od, const char *key)
{
	const char *s = od ? odict_string(od, key) : NULL;

	return s && s[0] ? s : "-";
}


static const struct odict *jobj(const struct odict *od, const char *key)
{
	const struct odict_entry *e = jget(od, key);

	return (e && (e->type == ODICT_OBJECT || e->type == ODICT_ARRAY))
		? e->u.odict : NULL;
}


static bool jtrue(const struct odict *od, const char *key)
{
	const struct odict_entry *e = jget(od, key);

	return e && e->type == ODICT_BOOL && e->u.boolean;
}


/* A number with decimals, or "-" for null */
static void jnum(char *buf, size_t sz, const struct odict *od,
		 const char *key)
{
	const struct odict_entry *e = jget(od, key);

	if (e && e->type == ODICT_INT)
		re_snprintf(buf, sz, "%lld", (long long)e->u.integer);
	else if (e && e->type == ODICT_DOUBLE)
		re_snprintf(buf, sz, "%.1f", e->u.dbl);
	else
		str_ncpy(buf, "-", sz);
}


/* Print one table row, numbers masked */
static void row(const char *fmt, ...)
{
	char line[1024];
	va_list ap;

	va_start(ap, fmt);
	(void)re_vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);

	(void)log_mask_line(line);
	printf("%s\n", line);
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


static void agent_row(const struct odict *a)
{
	char since[32], reason[80];

	ctl_fmt_ms(since, sizeof(since), jint(a, "since_ms"));
	re_snprintf(reason, sizeof(reason), "%s%s%s", jstr(a, "reason"),
		    jget(a, "pending") &&
		    jget(a, "pending")->type == ODICT_STRING ? " -> " : "",
		    jget(a, "pending") &&
		    jget(a, "pending")->type == ODICT_STRING ?
		    jstr(a, "pending") : "");

	row("%-20s %-20s %-9s %-20s %-19s %-4s %s", jstr(a, "user_id"),
	    jstr(a, "name"), jstr(a, "status"), reason, since,
	    jtrue(a, "registered") ? "yes" : "no", jstr(a, "call_id"));
}


static void agents_table(const struct odict *arr)
{
	struct le *le;

	printf("%-20s %-20s %-9s %-20s %-19s %-4s %s\n", "USER", "NAME",
	       "STATUS", "REASON/PENDING", "SINCE", "REG", "CALL");

	for (le = arr ? arr->lst.head : NULL; le; le = le->next) {
		const struct odict_entry *e = le->data;

		if (e->type == ODICT_OBJECT)
			agent_row(e->u.odict);
	}
}


static int cmd_agent_list(struct ctl *ctl, const struct ctl_args *a)
{
	struct odict *od = NULL;
	int ret;

	ret = ctl_call(ctl, "GET", "/v1/agents", NULL, &od);
	if (!ret && !a->json)
		agents_table(jobj(od, "agents"));

	mem_deref(od);
	return ret;
}


static int cmd_agent_status(struct ctl *ctl, const struct ctl_args *a)
{
	struct odict *od = NULL;
	uint32_t arrange = 0;
	struct mbuf *mb;
	char path[512];
	int err, ret;

	if (!a->user || !a->set)
		return ctl_usage_error("agent status needs --user and --set");
	if (a->arrange && u32_arg(&arrange, a->arrange, 3600))
		return ctl_usage_error("--arrange must be 0 to 3600 seconds");

	mb = mbuf_alloc(256);
	if (!mb)
		return EXIT_FAIL;

	err = mbuf_printf(mb, "{\"status\":%H", jsonw_str, a->set);
	if (a->reason)
		err |= mbuf_printf(mb, ",\"reason\":%H", jsonw_str,
				   a->reason);
	err |= mbuf_printf(mb, ",\"after_call\":%s,\"arrange_s\":%u}",
			   a->after_call ? "true" : "false", arrange);
	err |= mbuf_write_u8(mb, 0);
	if (err) {
		ret = EXIT_FAIL;
		goto out;
	}

	re_snprintf(path, sizeof(path), "/v1/agents/%H/status",
		    ctl_pct_print, a->user);

	ret = ctl_call(ctl, "PUT", path, (const char *)mb->buf, &od);
	if (!ret && !a->json) {
		const struct odict_entry *p = jget(od, "pending");
		const char *reason = odict_string(od, "reason");
		bool r = reason && reason[0];

		printf("agent %s: %s%s%s", jstr(od, "user_id"),
		       jstr(od, "status"), r ? " " : "", r ? reason : "");
		if (p && p->type == ODICT_STRING)
			printf("; %s after the call", p->u.str);
		printf("\n");
	}

 out:
	mem_deref(mb);
	mem_deref(od);
	return ret;
}


static int cmd_agent_history(struct ctl *ctl, const struct ctl_args *a)
{
	struct odict *od = NULL;
	const struct odict *arr;
	struct mbuf *mb;
	struct le *le;
	uint32_t v;
	char sep = '?';
	int ret;

	if (!a->user)
		return ctl_usage_error("agent history needs --user");
	if (a->limit && u32_arg(&v, a->limit, 1000))
		return ctl_usage_error("--limit must be 1 to 1000");

	mb = mbuf_alloc(256);
	if (!mb)
		return EXIT_FAIL;

	ret = mbuf_printf(mb, "/v1/agents/%H/status-history", ctl_pct_print,
			  a->user) ? EXIT_FAIL : 0;
	if (!ret && a->from_ms) {
		ret = mbuf_printf(mb, "%cfrom_ms=%H", sep, ctl_pct_print,
				  a->from_ms) ? EXIT_FAIL : 0;
		sep = '&';
	}
	if (!ret && a->to_ms) {
		ret = mbuf_printf(mb, "%cto_ms=%H", sep, ctl_pct_print,
				  a->to_ms) ? EXIT_FAIL : 0;
		sep = '&';
	}
	if (!ret && a->limit)
		ret = mbuf_printf(mb, "%climit=%H", sep, ctl_pct_print,
				  a->limit) ? EXIT_FAIL : 0;
	if (!ret && mbuf_write_u8(mb, 0))
		ret = EXIT_FAIL;
	if (ret)
		goto out;

	ret = ctl_call(ctl, "GET", (const char *)mb->buf, NULL, &od);
	if (ret || a->json)
		goto out;

	arr = jobj(od, "changes");
	printf("%-19s %-9s %-9s %-20s %s\n", "TIME", "FROM", "TO", "REASON",
	       "ACTOR");

	for (le = arr ? arr->lst.head : NULL; le; le = le->next) {
		const struct odict_entry *e = le->data;
		char when[32];

		if (e->type != ODICT_OBJECT)
			continue;

		ctl_fmt_ms(when, sizeof(when), jint(e->u.odict, "at_ms"));
		row("%-19s %-9s %-9s %-20s %s", when,
		    jstr(e->u.odict, "from"), jstr(e->u.odict, "to"),
		    jstr(e->u.odict, "reason"), jstr(e->u.odict, "actor"));
	}

 out:
	mem_deref(mb);
	mem_deref(od);
	return ret;
}


static int window_query(char *buf, size_t sz, const char *base,
			const char *window)
{
	if (!window) {
		str_ncpy(buf, base, sz);
		return 0;
	}

	if (strcmp(window, "15m") && strcmp(window, "1h") &&
	    strcmp(window, "today"))
		return ctl_usage_error("--window must be 15m, 1h or today");

	re_snprintf(buf, sz, "%s?window=%s", base, window);
	return 0;
}


static void queues_table(const struct odict *arr, bool windows)
{
	struct le *le;

	if (windows)
		printf("%-20s %-6s %7s %9s %4s %4s %7s %8s %9s %8s %6s %6s "
		       "%8s\n", "GROUP", "WINDOW", "WAITING", "LONGEST_S",
		       "FREE", "BUSY", "OFFERED", "ANSWERED", "ABANDONED",
		       "ABAND_5S", "ASA_S", "SL_PCT", "TIMEOUTS");
	else
		printf("%-20s %7s %7s %9s %4s %4s %7s %8s %4s %7s\n", "GROUP",
		       "WAITING", "RINGING", "LONGEST_S", "FREE", "BUSY",
		       "ARRANGE", "NOTREADY", "REST", "OFFLINE");

	for (le = arr ? arr->lst.head : NULL; le; le = le->next) {
		const struct odict_entry *e = le->data;
		const struct odict *q, *now, *ag, *wins;
		struct le *wl;

		if (e->type != ODICT_OBJECT)
			continue;

		q = e->u.odict;
		now = jobj(q, "now");
		ag = jobj(now, "agents");

		if (!windows) {
			row("%-20s %7lld %7lld %9lld %4lld %4lld %7lld %8lld "
			    "%4lld %7lld", jstr(q, "group"),
			    (long long)jint(now, "waiting"),
			    (long long)jint(now, "ringing"),
			    (long long)jint(now, "longest_wait_s"),
			    (long long)jint(ag, "free"),
			    (long long)jint(ag, "busy"),
			    (long long)jint(ag, "arrange"),
			    (long long)jint(ag, "notReady"),
			    (long long)jint(ag, "rest"),
			    (long long)jint(ag, "offline"));
			continue;
		}

		wins = jobj(q, "windows");
		for (wl = wins ? wins->lst.head : NULL; wl; wl = wl->next) {
			const struct odict_entry *we = wl->data;
			const struct odict *w;
			char asa[32], sl[32];

			if (we->type != ODICT_OBJECT)
				continue;
			w = we->u.odict;

			jnum(asa, sizeof(asa), w, "asa_s");
			jnum(sl, sizeof(sl), w, "service_level_pct");
			row("%-20s %-6s %7lld %9lld %4lld %4lld %7lld %8lld "
			    "%9lld %8lld %6s %6s %8lld", jstr(q, "group"),
			    we->key, (long long)jint(now, "waiting"),
			    (long long)jint(now, "longest_wait_s"),
			    (long long)jint(ag, "free"),
			    (long long)jint(ag, "busy"),
			    (long long)jint(w, "offered"),
			    (long long)jint(w, "answered"),
			    (long long)jint(w, "abandoned"),
			    (long long)jint(w, "abandoned_5s"), asa, sl,
			    (long long)jint(w, "timeouts"));
		}
	}
}


static int cmd_metrics_queues(struct ctl *ctl, const struct ctl_args *a)
{
	struct odict *od = NULL;
	char path[64];
	int ret;

	ret = window_query(path, sizeof(path), "/v1/metrics/queues",
			   a->window);
	if (ret)
		return ret;

	ret = ctl_call(ctl, "GET", path, NULL, &od);
	if (!ret && !a->json)
		queues_table(jobj(od, "queues"), true);

	mem_deref(od);
	return ret;
}


static int cmd_metrics_agents(struct ctl *ctl, const struct ctl_args *a)
{
	struct odict *od = NULL;
	const struct odict *arr;
	struct le *le;
	char path[64];
	int ret;

	ret = window_query(path, sizeof(path), "/v1/metrics/agents",
			   a->window);
	if (ret)
		return ret;

	ret = ctl_call(ctl, "GET", path, NULL, &od);
	if (ret || a->json)
		goto out;

	arr = jobj(od, "agents");
	printf("%-20s %-9s %-6s %5s %7s", "USER", "STATUS", "WINDOW",
	       "CALLS", "TALK_S");
	for (size_t i = 0; i < ARRAY_SIZE(statusv); i++) {
		char h[16];

		re_snprintf(h, sizeof(h), "%s_S", statusv[i]);
		for (char *p = h; *p; p++)
			*p = (char)(*p >= 'a' && *p <= 'z' ? *p - 32 : *p);
		printf(" %9s", h);
	}
	printf("\n");

	for (le = arr ? arr->lst.head : NULL; le; le = le->next) {
		const struct odict_entry *e = le->data;
		const struct odict *ag, *wins;
		struct le *wl;

		if (e->type != ODICT_OBJECT)
			continue;
		ag = e->u.odict;
		wins = jobj(ag, "windows");

		for (wl = wins ? wins->lst.head : NULL; wl; wl = wl->next) {
			const struct odict_entry *we = wl->data;
			const struct odict *w, *st;
			char line[512];
			int n;

			if (we->type != ODICT_OBJECT)
				continue;
			w = we->u.odict;
			st = jobj(w, "status_s");

			n = re_snprintf(line, sizeof(line),
					"%-20s %-9s %-6s %5lld %7lld",
					jstr(ag, "user_id"),
					jstr(ag, "status"), we->key,
					(long long)jint(w, "calls"),
					(long long)jint(w, "talk_s"));
			for (size_t i = 0; n > 0 && i < ARRAY_SIZE(statusv);
			     i++) {
				int k = re_snprintf(line + n,
						    sizeof(line) - n,
						    " %9lld", (long long)
						    jint(st, statusv[i]));
				n = k > 0 ? n + k : -1;
			}
			row("%s", line);
		}
	}

 out:
	mem_deref(od);
	return ret;
}


static void calls_table(const struct odict *arr)
{
	struct le *le;

	printf("%-32s %-8s %-8s %-16s %-16s %-16s %-16s %s\n", "SESSION",
	       "DIR", "STATE", "CALLER", "CALLEE", "GROUP", "AGENT",
	       "SINCE");

	for (le = arr ? arr->lst.head : NULL; le; le = le->next) {
		const struct odict_entry *e = le->data;
		char since[32];

		if (e->type != ODICT_OBJECT)
			continue;

		ctl_fmt_ms(since, sizeof(since),
			   jint(e->u.odict, "since_ms"));
		row("%-32s %-8s %-8s %-16s %-16s %-16s %-16s %s",
		    jstr(e->u.odict, "session_id"),
		    jstr(e->u.odict, "direction"),
		    jstr(e->u.odict, "state"), jstr(e->u.odict, "caller"),
		    jstr(e->u.odict, "callee"), jstr(e->u.odict, "group"),
		    jstr(e->u.odict, "agent"), since);
	}
}


/*
 * status: with --json the live status JSON alone (GET /v1/status);
 * otherwise tables of the queues now, the agents and the calls.
 */
static int cmd_status(struct ctl *ctl, const struct ctl_args *a)
{
	struct odict *st = NULL, *qs = NULL, *ags = NULL;
	const struct odict *calls;
	int ret;

	ret = ctl_call(ctl, "GET", "/v1/status", NULL, &st);
	if (ret || a->json)
		goto out;

	ret = ctl_call(ctl, "GET", "/v1/metrics/queues?window=15m", NULL,
		       &qs);
	if (!ret)
		ret = ctl_call(ctl, "GET", "/v1/agents", NULL, &ags);
	if (ret)
		goto out;

	calls = jobj(st, "calls");

	printf("QUEUES\n");
	queues_table(jobj(qs, "queues"), false);
	printf("\nAGENTS\n");
	agents_table(jobj(ags, "agents"));
	printf("\nCALLS (%zu)\n", calls ? odict_count(calls, false)
	       : (size_t)0);
	calls_table(calls);

 out:
	mem_deref(ags);
	mem_deref(qs);
	mem_deref(st);
	return ret;
}


/**
 * Run one of the agent, metrics or status commands
 *
 * @param ctl lianluoctl state, credentials loaded
 * @param a   Command words and options
 *
 * @return exit status
 */
int ctl_agents(struct ctl *ctl, const struct ctl_args *a)
{
	static const struct ctl_cmd cmdv[] = {
		{"agent",   "list",    cmd_agent_list},
		{"agent",   "status",  cmd_agent_status},
		{"agent",   "history", cmd_agent_history},
		{"metrics", "queues",  cmd_metrics_queues},
		{"metrics", "agents",  cmd_metrics_agents},
		{"status",  NULL,      cmd_status},
	};

	return ctl_cmd_run(ctl, a, cmdv, ARRAY_SIZE(cmdv));
}
