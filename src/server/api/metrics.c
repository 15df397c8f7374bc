/**
 * @file api/metrics.c  Queue and agent metrics: /v1/metrics/..., /metrics
 *
 * Copyright (C) 2026 The lianluo authors
 *
 * "Now" figures come from the ACD (acd_queue_now, acd_app_now); figures
 * over a window from the CDRs (store_queue_stats, store_agent_stats_list)
 * and the status history (store_status_time).  Windows: the last 15
 * minutes, the last hour, and today since the server's local midnight.
 *
 * GET /metrics is the same in Prometheus' text format, for every
 * application, behind its own bearer token (compared in constant time).
 * Its labels are the SdkAppId, the skill group, a status or call state
 * and the window: no user id, no number.
 */
#include <string.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>
#include <re.h>
#include "common/log.h"
#include "common/jsonw.h"
#include "config.h"
#include "store/store.h"
#include "acd/acd.h"
#include "api/api.h"
#include "api/apiint.h"


enum {
	SHORT_ABANDON_MS = 5000,   /* abandons this quick are not counted
				      against the service level */
	WINDOWS_MAX = 2,
	STATUS_N = ACD_AGENT_REST + 1,
	CALL_STATE_N = ACD_CALL_ENDED + 1,
};

struct window {
	const char *name;
	int64_t from_ms;
	int64_t to_ms;
};


static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}


/* The server's local midnight of today, in Unix ms */
static int64_t midnight_ms(int64_t at_ms)
{
	time_t t = (time_t)(at_ms / 1000);
	struct tm tm;

	if (!localtime_r(&t, &tm))
		return at_ms - at_ms % 86400000;

	tm.tm_hour = 0;
	tm.tm_min = 0;
	tm.tm_sec = 0;
	tm.tm_isdst = -1;

	return (int64_t)mktime(&tm) * 1000;
}


static bool window_set(struct window *w, const char *name, int64_t now)
{
	w->name = name;
	w->to_ms = now + 1;

	if (!strcmp(name, "15m"))
		w->from_ms = now - 15 * 60000;
	else if (!strcmp(name, "1h"))
		w->from_ms = now - 60 * 60000;
	else if (!strcmp(name, "today"))
		w->from_ms = midnight_ms(now);
	else
		return false;

	return true;
}


/* ?window=15m|1h|today picks one; without it: 15m and today */
static int windows_get(struct api_req *req, struct window *wv, size_t *wcp,
		       int64_t now)
{
	static const char *const namev[] = {"15m", "1h", "today"};
	char buf[16];
	size_t i;
	int err;

	err = api_query_str(&req->query, "window", buf, sizeof(buf));
	if (err == ENOENT) {
		(void)window_set(&wv[0], "15m", now);
		(void)window_set(&wv[1], "today", now);
		*wcp = 2;
		return 0;
	}

	for (i = 0; !err && i < ARRAY_SIZE(namev); i++) {
		if (!strcmp(buf, namev[i])) {
			(void)window_set(&wv[0], namev[i], now);
			*wcp = 1;
			return 0;
		}
	}

	api_error(req, 400, "InvalidParameter",
		  "window must be 15m, 1h or today");
	return EINVAL;
}


/* A value in tenths as a JSON number with one decimal */
static int tenths_print(struct re_printf *pf, const uint64_t *tenths)
{
	return re_hprintf(pf, "%llu.%llu",
			  (unsigned long long)(*tenths / 10),
			  (unsigned long long)(*tenths % 10));
}


static int statuses_print(struct re_printf *pf, const uint32_t *countv)
{
	int err = re_hprintf(pf, "{");

	for (int i = 0; i < STATUS_N; i++)
		err |= re_hprintf(pf, "%s\"%s\":%u", i ? "," : "",
				  acd_agent_status_str(i), countv[i]);

	return err | re_hprintf(pf, "}");
}


struct qwindow {
	const struct window *w;
	const struct store_queue_stats *qs;
};


static int qwindow_print(struct re_printf *pf, const struct qwindow *qw)
{
	const struct store_queue_stats *qs = qw->qs;
	const uint32_t denom = qs->offered > qs->abandoned_short ?
		qs->offered - qs->abandoned_short : 0;
	uint64_t asa_ms = 0, asa_tenths = 0, sl_tenths = 0;
	int err;

	if (qs->answered) {
		asa_ms = (qs->wait_answered_ms + qs->answered / 2) /
			qs->answered;
		asa_tenths = (qs->wait_answered_ms + 50ULL * qs->answered) /
			(100ULL * qs->answered);
	}
	if (denom)
		sl_tenths = (1000ULL * qs->answered_in_sl + denom / 2) /
			denom;

	err = re_hprintf(pf, "\"%s\":{\"from_ms\":%lld,\"to_ms\":%lld,"
			 "\"offered\":%u,\"answered\":%u,\"abandoned\":%u,"
			 "\"abandoned_5s\":%u,\"timeouts\":%u,"
			 "\"queue_full\":%u,\"asa_ms\":%llu,\"asa_s\":%H,"
			 "\"service_level_pct\":",
			 qw->w->name, (long long)qw->w->from_ms,
			 (long long)qw->w->to_ms, qs->offered, qs->answered,
			 qs->abandoned, qs->abandoned_short, qs->timeouts,
			 qs->queue_full, (unsigned long long)asa_ms,
			 tenths_print, &asa_tenths);
	if (denom)
		err |= re_hprintf(pf, "%H", tenths_print, &sl_tenths);
	else
		err |= re_hprintf(pf, "null");

	return err | re_hprintf(pf, ",\"talk_s\":%llu}",
				(unsigned long long)(qs->talk_ms / 1000));
}


struct queues_ctx {
	struct api_req *req;
	struct re_printf *pf;
	const struct window *wv;
	size_t wc;
	int64_t now;
	unsigned n;
	int serr;
	int err;
};


static void queue_handler(const struct store_group *g, void *arg)
{
	struct queues_ctx *ctx = arg;
	struct re_printf *pf = ctx->pf;
	struct acd_queue_now qn;
	int err;

	if (ctx->err || ctx->serr)
		return;

	memset(&qn, 0, sizeof(qn));
	if (ctx->req->api->acd) {
		err = acd_queue_now(ctx->req->api->acd,
				    ctx->req->app.sdk_app_id, g->name, &qn);
		if (err) {
			ctx->serr = err;
			return;
		}
	}

	err = re_hprintf(pf, "%s{\"group\":%H,\"service_level_s\":%u,"
			 "\"now\":{\"waiting\":%u,\"ringing\":%u,"
			 "\"talking\":%u,\"longest_wait_s\":%llu,"
			 "\"agents\":%H},\"windows\":{",
			 ctx->n++ ? "," : "", jsonw_str, g->name,
			 g->service_level_s, qn.waiting, qn.ringing,
			 qn.talking,
			 (unsigned long long)(qn.longest_wait_ms / 1000),
			 statuses_print, qn.agents);

	for (size_t i = 0; !err && i < ctx->wc; i++) {
		struct store_queue_stats qs;
		struct qwindow qw = {&ctx->wv[i], &qs};

		ctx->serr = store_queue_stats(ctx->req->api->st,
					      ctx->req->app.sdk_app_id,
					      g->name, ctx->wv[i].from_ms,
					      ctx->wv[i].to_ms,
					      g->service_level_s * 1000,
					      SHORT_ABANDON_MS, &qs);
		if (ctx->serr)
			return;

		err = re_hprintf(pf, "%s%H", i ? "," : "", qwindow_print,
				 &qw);
	}

	ctx->err = err | re_hprintf(pf, "}}");
}


static int queues_print(struct re_printf *pf, struct queues_ctx *ctx)
{
	int err;

	ctx->pf = pf;

	err = re_hprintf(pf, "{\"at_ms\":%lld,\"queues\":[",
			 (long long)ctx->now);
	if (err)
		return err;

	err = store_group_list(ctx->req->api->st, ctx->req->app.sdk_app_id,
			       queue_handler, ctx);
	if (err && !ctx->serr)
		ctx->serr = err;
	if (ctx->serr)
		return ctx->serr;
	if (ctx->err)
		return ctx->err;

	return re_hprintf(pf, "]}");
}


/* GET /v1/metrics/queues[?window=15m|1h|today] */
void api_metrics_queues(struct api_req *req)
{
	struct window wv[WINDOWS_MAX];
	struct queues_ctx ctx;

	memset(&ctx, 0, sizeof(ctx));
	ctx.req = req;
	ctx.now = now_ms();
	ctx.wv = wv;

	if (windows_get(req, wv, &ctx.wc, ctx.now))
		return;

	api_reply(req, 200, "%H", queues_print, &ctx);
	if (ctx.serr)
		api_error_store(req, ctx.serr, "metrics", NULL);
}


/* The answered calls of each agent in one window */
struct stats_set {
	struct store_agent_stats *v;
	size_t n;
	int err;
};


static void stats_collect_handler(const struct store_agent_stats *s,
				  void *arg)
{
	struct stats_set *set = arg;
	struct store_agent_stats *v;

	if (set->err)
		return;

	/* libre's mem_realloc() does not take NULL */
	if (set->v)
		v = mem_realloc(set->v, (set->n + 1) * sizeof(*v));
	else
		v = mem_zalloc(sizeof(*v), NULL);
	if (!v) {
		set->err = ENOMEM;
		return;
	}

	v[set->n++] = *s;
	set->v = v;
}


static const struct store_agent_stats *stats_find(const struct stats_set *set,
						  const char *user_id)
{
	for (size_t i = 0; i < set->n; i++) {
		if (!strcmp(set->v[i].user_id, user_id))
			return &set->v[i];
	}

	return NULL;
}


struct agents_ctx {
	struct api_req *req;
	struct re_printf *pf;
	const struct window *wv;
	size_t wc;
	struct stats_set setv[WINDOWS_MAX];
	int64_t now;
	unsigned n;
	int serr;
	int err;
};


static int status_time_print(struct re_printf *pf, const uint64_t *msv)
{
	int err = re_hprintf(pf, "{");

	for (int i = 0; i < STATUS_N; i++)
		err |= re_hprintf(pf, "%s\"%s\":%llu", i ? "," : "",
				  acd_agent_status_str(i),
				  (unsigned long long)(msv[i] / 1000));

	return err | re_hprintf(pf, "}");
}


static void agent_metrics_handler(const struct store_staff *s, void *arg)
{
	struct agents_ctx *ctx = arg;
	const struct api *api = ctx->req->api;
	const char *app = ctx->req->app.sdk_app_id;
	const char *namev[STATUS_N];
	enum acd_agent_status st = ACD_AGENT_OFFLINE;
	int err;

	if (ctx->err || ctx->serr)
		return;

	for (int i = 0; i < STATUS_N; i++)
		namev[i] = acd_agent_status_str(i);

	if (api->acd)
		st = acd_agent_status(api->acd, app, s->user_id);

	err = re_hprintf(ctx->pf, "%s{\"user_id\":%H,\"status\":\"%s\","
			 "\"windows\":{", ctx->n++ ? "," : "",
			 jsonw_str, s->user_id, acd_agent_status_str(st));

	for (size_t i = 0; !err && i < ctx->wc; i++) {
		const struct store_agent_stats *as;
		struct store_agent_stats zero;
		uint64_t msv[STATUS_N];

		memset(&zero, 0, sizeof(zero));
		memset(msv, 0, sizeof(msv));
		as = stats_find(&ctx->setv[i], s->user_id);
		if (!as)
			as = &zero;

		ctx->serr = store_status_time(api->st, app, s->user_id,
					      ctx->wv[i].from_ms,
					      ctx->wv[i].to_ms, namev,
					      STATUS_N, msv);
		if (ctx->serr)
			return;

		err = re_hprintf(ctx->pf, "%s\"%s\":{\"calls\":%u,"
				 "\"inbound\":%u,\"outbound\":%u,"
				 "\"talk_s\":%llu,\"status_s\":%H}",
				 i ? "," : "", ctx->wv[i].name, as->calls,
				 as->inbound, as->outbound,
				 (unsigned long long)(as->talk_ms / 1000),
				 status_time_print, msv);
	}

	ctx->err = err | re_hprintf(ctx->pf, "}}");
}


static int agents_print(struct re_printf *pf, struct agents_ctx *ctx)
{
	int err;

	ctx->pf = pf;

	err = re_hprintf(pf, "{\"at_ms\":%lld,\"agents\":[",
			 (long long)ctx->now);
	if (err)
		return err;

	err = store_staff_list(ctx->req->api->st, ctx->req->app.sdk_app_id,
			       agent_metrics_handler, ctx);
	if (err && !ctx->serr)
		ctx->serr = err;
	if (ctx->serr)
		return ctx->serr;
	if (ctx->err)
		return ctx->err;

	return re_hprintf(pf, "]}");
}


/* GET /v1/metrics/agents[?window=15m|1h|today] */
void api_metrics_agents(struct api_req *req)
{
	struct window wv[WINDOWS_MAX];
	struct agents_ctx ctx;
	size_t i;
	int err = 0;

	memset(&ctx, 0, sizeof(ctx));
	ctx.req = req;
	ctx.now = now_ms();
	ctx.wv = wv;

	if (windows_get(req, wv, &ctx.wc, ctx.now))
		return;

	for (i = 0; !err && i < ctx.wc; i++) {
		err = store_agent_stats_list(req->api->st,
					     req->app.sdk_app_id,
					     wv[i].from_ms, wv[i].to_ms,
					     stats_collect_handler,
					     &ctx.setv[i]);
		if (!err)
			err = ctx.setv[i].err;
	}

	if (err) {
		api_error_store(req, err, "metrics", NULL);
		goto out;
	}

	api_reply(req, 200, "%H", agents_print, &ctx);
	if (ctx.serr)
		api_error_store(req, ctx.serr, "metrics", NULL);

 out:
	for (i = 0; i < WINDOWS_MAX; i++)
		mem_deref(ctx.setv[i].v);
}


/* ------------------------------------------------------------------ */
/* Prometheus                                                           */

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
	struct store_queue_stats wv[WINDOWS_MAX];
};

struct prom {
	struct api *api;
	struct list apps;
	struct list groups;
	struct window wv[WINDOWS_MAX];
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
					   SHORT_ABANDON_MS, &pg->wv[i]);
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
	const uint64_t now = (uint64_t)now_ms();
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
	int64_t now = now_ms();

	if (!bearer_ok(req)) {
		log_info("api: /metrics: authentication failed");
		api_error(req, 401, "AuthFailure", "bearer token required");
		return;
	}

	memset(&p, 0, sizeof(p));
	p.api = req->api;
	list_init(&p.apps);
	list_init(&p.groups);
	(void)window_set(&p.wv[0], "15m", now);
	(void)window_set(&p.wv[1], "today", now);
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
