/**
 * @file api/metrics.c  Queue and agent metrics: /v1/metrics/...
 *
 * Copyright (C) 2026 The lianluo authors
 *
 * "Now" figures come from the ACD (acd_queue_now, acd_app_now); figures
 * over a window from the CDRs (store_queue_stats, store_agent_stats_list)
 * and the status history (store_status_time).  Windows: the last 15
 * minutes, the last hour, and today since the server's local midnight.
 * api/prom.c serves the same to Prometheus.
 */
#include <string.h>
#include <time.h>
#include <re.h>
#include "common/log.h"
#include "common/jsonw.h"
#include "config.h"
#include "store/store.h"
#include "acd/acd.h"
#include "api/api.h"
#include "api/apiint.h"


enum {
	STATUS_N = ACD_AGENT_REST + 1,
};


/* The wall clock in Unix ms */
int64_t api_now_ms(void)
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


/**
 * Set a metrics window ending now: "15m", "1h" or "today" (since the
 * server's local midnight)
 *
 * @return true if the name is one of those
 */
bool api_window_set(struct api_window *w, const char *name, int64_t now)
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
static int windows_get(struct api_req *req, struct api_window *wv,
		       size_t *wcp, int64_t now)
{
	static const char *const namev[] = {"15m", "1h", "today"};
	char buf[16];
	size_t i;
	int err;

	err = api_query_str(&req->query, "window", buf, sizeof(buf));
	if (err == ENOENT) {
		(void)api_window_set(&wv[0], "15m", now);
		(void)api_window_set(&wv[1], "today", now);
		*wcp = 2;
		return 0;
	}

	for (i = 0; !err && i < ARRAY_SIZE(namev); i++) {
		if (!strcmp(buf, namev[i])) {
			(void)api_window_set(&wv[0], namev[i], now);
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
	const struct api_window *w;
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
	const struct api_window *wv;
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
					      API_SHORT_ABANDON_MS, &qs);
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
	struct api_window wv[API_WINDOWS_MAX];
	struct queues_ctx ctx;

	memset(&ctx, 0, sizeof(ctx));
	ctx.req = req;
	ctx.now = api_now_ms();
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
	const struct api_window *wv;
	size_t wc;
	struct stats_set setv[API_WINDOWS_MAX];
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
	struct api_window wv[API_WINDOWS_MAX];
	struct agents_ctx ctx;
	size_t i;
	int err = 0;

	memset(&ctx, 0, sizeof(ctx));
	ctx.req = req;
	ctx.now = api_now_ms();
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
	for (i = 0; i < API_WINDOWS_MAX; i++)
		mem_deref(ctx.setv[i].v);
}
