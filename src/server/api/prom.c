/**
 * @file api/prom.c  GET /metrics: queue, agent and process figures for
 *                   Prometheus
 *
 * Copyright (C) 2026 The lianluo authors
 *
 * The figures of /v1/metrics/queues (windows 15m and today) and of the
 * ACD for every application, in Prometheus' text exposition format, behind
 * a bearer token of its own (compared in constant time) so that a scraper
 * needs no API key.  Labels are the SdkAppId, the skill group, a status or
 * call state and the window: never a user id or a number.  Every family is
 * a gauge: the window figures fall when the window moves on.
 */
#include <string.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>
#include <re.h>
#include "common/log.h"
#include "config.h"
#include "store/store.h"
#include "acd/acd.h"
#include "api/api.h"
#include "api/apiint.h"


enum {
	STATUS_N = ACD_AGENT_REST + 1,
};


struct prom_app {
	struct le le;
	char id[STORE_ID_SZ];
	struct acd_app_now now;
};

struct prom_group {
	struct le le;
	const struct prom_app *app;
	char name[STORE_NAME_SZ];
	struct acd_queue_now now;
	struct store_queue_stats wv[API_WINDOWS_MAX];
};

struct prom {
	struct api *api;
	struct list apps;
	struct list groups;
	struct api_window wv[API_WINDOWS_MAX];
	size_t wc;
	struct prom_app *cur;       /* while listing its groups */
	int err;
};


static void prom_item_destructor(void *arg)
{
	struct le *le = arg;   /* first member of both item types */

	list_unlink(le);
}


static void prom_group_handler(const struct store_group *g, void *arg)
{
	struct prom *p = arg;
	struct prom_group *pg;

	if (p->err)
		return;

	pg = mem_zalloc(sizeof(*pg), prom_item_destructor);
	if (!pg) {
		p->err = ENOMEM;
		return;
	}

	list_append(&p->groups, &pg->le, pg);
	pg->app = p->cur;
	str_ncpy(pg->name, g->name, sizeof(pg->name));

	if (p->api->acd)
		p->err = acd_queue_now(p->api->acd, p->cur->id, g->name,
				       &pg->now);

	for (size_t i = 0; !p->err && i < p->wc; i++)
		p->err = store_queue_stats(p->api->st, p->cur->id, g->name,
					   p->wv[i].from_ms, p->wv[i].to_ms,
					   g->service_level_s * 1000,
					   API_SHORT_ABANDON_MS, &pg->wv[i]);
}


static void prom_app_handler(const struct store_app *a, void *arg)
{
	struct prom *p = arg;
	struct prom_app *pa;

	if (p->err)
		return;

	pa = mem_zalloc(sizeof(*pa), prom_item_destructor);
	if (!pa) {
		p->err = ENOMEM;
		return;
	}

	list_append(&p->apps, &pa->le, pa);
	str_ncpy(pa->id, a->sdk_app_id, sizeof(pa->id));

	if (p->api->acd)
		p->err = acd_app_now(p->api->acd, pa->id, &pa->now);
	if (p->err)
		return;

	p->cur = pa;
	p->err = store_group_list(p->api->st, pa->id, prom_group_handler, p);
	p->cur = NULL;
}


/* A label value: backslash, double quote and newline escaped */
static int label_print(struct re_printf *pf, const char *s)
{
	int err = 0;

	for (; *s && !err; s++) {
		if (*s == '\\' || *s == '"')
			err = re_hprintf(pf, "\\%c", *s);
		else if (*s == '\n')
			err = re_hprintf(pf, "\\n");
		else
			err = pf->vph(s, 1, pf->arg);
	}

	return err;
}


/* A value given in thousandths */
static int milli_print(struct re_printf *pf, const uint64_t *milli)
{
	if (*milli % 1000 == 0)
		return re_hprintf(pf, "%llu",
				  (unsigned long long)(*milli / 1000));

	return re_hprintf(pf, "%llu.%03llu",
			  (unsigned long long)(*milli / 1000),
			  (unsigned long long)(*milli % 1000));
}


static int family_print(struct re_printf *pf, const char *name,
			const char *help)
{
	return re_hprintf(pf, "# HELP %s %s\n# TYPE %s gauge\n", name, help,
			  name);
}


/* A group's figure in thousandths; false when it has no value */
typedef bool (prom_group_h)(const struct prom_group *pg, size_t w,
			    uint64_t *milli);

static bool get_waiting(const struct prom_group *pg, size_t w, uint64_t *m)
{
	(void)w;
	*m = 1000ULL * pg->now.waiting;
	return true;
}

static bool get_ringing(const struct prom_group *pg, size_t w, uint64_t *m)
{
	(void)w;
	*m = 1000ULL * pg->now.ringing;
	return true;
}

static bool get_talking(const struct prom_group *pg, size_t w, uint64_t *m)
{
	(void)w;
	*m = 1000ULL * pg->now.talking;
	return true;
}

static bool get_longest(const struct prom_group *pg, size_t w, uint64_t *m)
{
	(void)w;
	*m = pg->now.longest_wait_ms;
	return true;
}

static bool get_offered(const struct prom_group *pg, size_t w, uint64_t *m)
{
	*m = 1000ULL * pg->wv[w].offered;
	return true;
}

static bool get_answered(const struct prom_group *pg, size_t w,
			 uint64_t *m)
{
	*m = 1000ULL * pg->wv[w].answered;
	return true;
}

static bool get_abandoned(const struct prom_group *pg, size_t w,
			  uint64_t *m)
{
	*m = 1000ULL * pg->wv[w].abandoned;
	return true;
}

static bool get_abandoned_short(const struct prom_group *pg, size_t w,
				uint64_t *m)
{
	*m = 1000ULL * pg->wv[w].abandoned_short;
	return true;
}

static bool get_timeouts(const struct prom_group *pg, size_t w, uint64_t *m)
{
	*m = 1000ULL * pg->wv[w].timeouts;
	return true;
}

static bool get_queue_full(const struct prom_group *pg, size_t w,
			   uint64_t *m)
{
	*m = 1000ULL * pg->wv[w].queue_full;
	return true;
}

static bool get_asa(const struct prom_group *pg, size_t w, uint64_t *m)
{
	const struct store_queue_stats *qs = &pg->wv[w];

	if (!qs->answered)
		return false;

	*m = (qs->wait_answered_ms + qs->answered / 2) / qs->answered;
	return true;
}

static bool get_sl(const struct prom_group *pg, size_t w, uint64_t *m)
{
	const struct store_queue_stats *qs = &pg->wv[w];
	const uint32_t denom = qs->offered > qs->abandoned_short ?
		qs->offered - qs->abandoned_short : 0;

	if (!denom)
		return false;

	*m = (1000ULL * qs->answered_in_sl + denom / 2) / denom;
	return true;
}


static const struct {
	const char *name;
	const char *help;
	prom_group_h *geth;
	bool windowed;
} group_famv[] = {
	{"lianluo_queue_waiting_calls",
	 "Inbound calls waiting now (queued or ringing an agent)",
	 get_waiting, false},
	{"lianluo_queue_ringing_calls",
	 "Waiting calls ringing an agent now", get_ringing, false},
	{"lianluo_queue_talking_calls",
	 "Calls of the group connected to an agent now", get_talking, false},
	{"lianluo_queue_longest_wait_seconds",
	 "Wait of the longest waiting call now", get_longest, false},
	{"lianluo_queue_offered_calls",
	 "Inbound calls offered to the group in the window (ended ones)",
	 get_offered, true},
	{"lianluo_queue_answered_calls",
	 "Offered calls that an agent answered", get_answered, true},
	{"lianluo_queue_abandoned_calls",
	 "Offered calls the caller hung up while queued or ringing",
	 get_abandoned, true},
	{"lianluo_queue_abandoned_short_calls",
	 "Abandoned calls that waited at most 5 s", get_abandoned_short,
	 true},
	{"lianluo_queue_timeout_calls",
	 "Offered calls that reached the max wait", get_timeouts, true},
	{"lianluo_queue_full_calls",
	 "Offered calls refused because the queue was full",
	 get_queue_full, true},
	{"lianluo_queue_answer_wait_seconds_average",
	 "Average speed of answer of the answered calls", get_asa, true},
	{"lianluo_queue_service_level_ratio",
	 "Answered within the service level / (offered - short abandons)",
	 get_sl, true},
};


static int group_labels_print(struct re_printf *pf,
			      const struct prom_group *pg)
{
	return re_hprintf(pf, "app=\"%H\",group=\"%H\"",
			  label_print, pg->app->id, label_print, pg->name);
}


/* The samples of family f for one group: one per window if windowed */
static int group_samples_print(struct re_printf *pf, const struct prom *p,
			       size_t f, const struct prom_group *pg)
{
	const size_t wc = group_famv[f].windowed ? p->wc : 1;
	int err = 0;

	for (size_t w = 0; !err && w < wc; w++) {
		uint64_t m;

		if (!group_famv[f].geth(pg, w, &m))
			continue;

		err = re_hprintf(pf, "%s{%H", group_famv[f].name,
				 group_labels_print, pg);
		if (group_famv[f].windowed)
			err |= re_hprintf(pf, ",window=\"%s\"", p->wv[w].name);
		err |= re_hprintf(pf, "} %H\n", milli_print, &m);
	}

	return err;
}


static int group_families_print(struct re_printf *pf, const struct prom *p)
{
	int err = 0;

	for (size_t f = 0; !err && f < ARRAY_SIZE(group_famv); f++) {
		struct le *le;

		err = family_print(pf, group_famv[f].name,
				   group_famv[f].help);

		for (le = p->groups.head; !err && le; le = le->next)
			err = group_samples_print(pf, p, f, le->data);
	}

	if (err)
		return err;

	err = family_print(pf, "lianluo_queue_agents",
			   "Members of the group by agent status now");
	for (struct le *le = p->groups.head; !err && le; le = le->next) {
		const struct prom_group *pg = le->data;

		for (int i = 0; !err && i < STATUS_N; i++)
			err = re_hprintf(pf, "lianluo_queue_agents{%H,"
					 "status=\"%s\"} %u\n",
					 group_labels_print, pg,
					 acd_agent_status_str(i),
					 pg->now.agents[i]);
	}

	return err;
}


static int app_families_print(struct re_printf *pf, const struct prom *p)
{
	struct le *le;
	int err;

	err = family_print(pf, "lianluo_agents_registered",
			   "Agents with a registered SIP contact");
	for (le = p->apps.head; !err && le; le = le->next) {
		const struct prom_app *pa = le->data;

		err = re_hprintf(pf, "lianluo_agents_registered{app=\"%H\"} "
				 "%u\n", label_print, pa->id,
				 pa->now.registered);
	}

	err |= family_print(pf, "lianluo_agents",
			    "Staff members by agent status now");
	for (le = p->apps.head; !err && le; le = le->next) {
		const struct prom_app *pa = le->data;

		for (int i = 0; !err && i < STATUS_N; i++)
			err = re_hprintf(pf, "lianluo_agents{app=\"%H\","
					 "status=\"%s\"} %u\n",
					 label_print, pa->id,
					 acd_agent_status_str(i),
					 pa->now.agents[i]);
	}

	err |= family_print(pf, "lianluo_calls_in_progress",
			    "Calls in progress by state");
	for (le = p->apps.head; !err && le; le = le->next) {
		const struct prom_app *pa = le->data;

		for (int i = 0; !err && i < ACD_CALL_ENDED; i++)
			err = re_hprintf(pf, "lianluo_calls_in_progress{"
					 "app=\"%H\",state=\"%s\"} %u\n",
					 label_print, pa->id,
					 acd_call_state_str(i),
					 pa->now.calls[i]);
	}

	return err;
}


/* Resident set size from /proc/self/statm (pages) */
static uint64_t rss_bytes(void)
{
	unsigned long size = 0, resident = 0;
	long page = sysconf(_SC_PAGESIZE);
	FILE *f = fopen("/proc/self/statm", "r");

	if (!f)
		return 0;

	if (fscanf(f, "%lu %lu", &size, &resident) != 2)
		resident = 0;
	fclose(f);

	return (uint64_t)resident * (uint64_t)(page > 0 ? page : 4096);
}


static int prom_print(struct re_printf *pf, const struct prom *p)
{
	const uint64_t now = (uint64_t)api_now_ms();
	const uint64_t start = p->api->start_ms;
	const uint64_t up_ms = now > start ? now - start : 0;
	int err;

	err = group_families_print(pf, p);
	err |= app_families_print(pf, p);

	err |= family_print(pf, "lianluo_process_resident_memory_bytes",
			    "Resident memory of lianluod");
	err |= re_hprintf(pf, "lianluo_process_resident_memory_bytes %llu\n",
			  (unsigned long long)rss_bytes());
	err |= family_print(pf, "lianluo_process_start_time_seconds",
			    "Start of lianluod, Unix seconds");
	err |= re_hprintf(pf, "lianluo_process_start_time_seconds %llu\n",
			  (unsigned long long)(start / 1000));
	err |= family_print(pf, "lianluo_process_uptime_seconds",
			    "Time since lianluod started");
	err |= re_hprintf(pf, "lianluo_process_uptime_seconds %llu\n",
			  (unsigned long long)(up_ms / 1000));

	return err;
}


static bool bearer_ok(const struct api_req *req)
{
	const struct api *api = req->api;
	const struct http_hdr *hdr;
	struct pl scheme, token;
	const size_t n = strlen(api->metrics_token);

	if (!n)
		return false;

	hdr = http_msg_hdr(req->msg, HTTP_HDR_AUTHORIZATION);
	if (!hdr || re_regex(hdr->val.p, hdr->val.l, "[^ ]+[ ]+[^ ]+",
			     &scheme, NULL, &token))
		return false;

	if (pl_strcasecmp(&scheme, "Bearer") || token.l != n ||
	    token.p + token.l != hdr->val.p + hdr->val.l)
		return false;

	return 0 == mem_seccmp((const uint8_t *)token.p,
			       (const uint8_t *)api->metrics_token, n);
}


/* GET /metrics, Authorization: Bearer <metrics_token> */
void api_metrics_prom(struct api_req *req)
{
	struct prom p;
	int64_t now = api_now_ms();

	if (!bearer_ok(req)) {
		log_info("api: /metrics: authentication failed");
		api_error(req, 401, "AuthFailure", "bearer token required");
		return;
	}

	memset(&p, 0, sizeof(p));
	p.api = req->api;
	list_init(&p.apps);
	list_init(&p.groups);
	(void)api_window_set(&p.wv[0], "15m", now);
	(void)api_window_set(&p.wv[1], "today", now);
	p.wc = 2;

	p.err = store_app_list(req->api->st, prom_app_handler, &p);
	if (p.err) {
		api_error_store(req, p.err, "metrics", NULL);
		goto out;
	}

	req->ctype = "text/plain; version=0.0.4; charset=utf-8";
	api_reply(req, 200, "%H", prom_print, &p);

 out:
	list_flush(&p.groups);
	list_flush(&p.apps);
}
