/**
 * @file bench/route_bench.c  Routing decisions on a large site
 *
 * Copyright (C) 2026 The lianluo authors
 *
 * Builds a site with the real ACD on a real SQLite store (in a temporary
 * directory): N agents, each a member of two of 50 skill groups (levels
 * 1-2 in one, 3 in the other), the groups using every strategy in turn,
 * 70 % of the agents free, and 2,000 callers waiting.  The dispatcher
 * never runs (no re_main), so the queue stays full while we ask, for a
 * random waiting caller each time, which agent the call goes to:
 *
 *  index      acd_route_pick(), the ACD's decision (acd/route.c)
 *  scan       the same decision by a linear scan over the group's
 *             members in memory (tests/unit/testroute.h), as reference
 *  store      the scan after reading the members from SQLite, as the
 *             ACD did before the index (fewer decisions: it is slow)
 *
 * Both must pick the same agent, every time.  After each decision the
 * agent picked "takes a call": its idle time, calls and talk time move,
 * and the index is updated (timed too), so the trees keep changing.
 * Each decision is timed with clock_gettime; we print p50 and p99 per N,
 * the growth of the p99 from the smallest to the largest site (flat is
 * what an O(log n) index promises) and ROW| lines for bench/run.
 *
 * Usage: route_bench [--quick]   (--quick: 1,000 and 10,000 agents)
 */
#define _GNU_SOURCE 1          /* RUSAGE_THREAD */
#include <string.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <time.h>
#include <sys/resource.h>
#include <re.h>
#include "common/log.h"
#include "store/store.h"
#include "config.h"
#include "acd/acd.h"
#include "acd/acdint.h"
#include "testroute.h"


enum {
	GROUPS    = 50,
	CALLERS   = 2000,
	DECISIONS = 20000,
	STORE_DECISIONS_MAX = 2000,
	MAX_SITES = 3,
};

static const char *const strategies[] = {
	"longest-idle", "round-robin", "top-down", "fewest-calls",
	"least-talk-time", "random", "ring-all", "ring-progressively",
};

struct site {
	char dir[64];
	char path[96];
	struct config cfg;
	struct store *st;
	struct acd *acd;
	char app[STORE_ID_SZ];
	struct acd_call *callv[CALLERS];
	struct ref_group refv[GROUPS];
	uint64_t clock;                 /* the agents' idle-since keys */
};

/* One site's figures, in ns */
struct result {
	uint32_t agents;
	double idx_p50, idx_p99;
	double scan_p50, scan_p99;
	double store_p50, store_p99;
	double upd_p50, upd_p99;
	double idx_raw_p99;             /* counting interrupted ones */
	double strat_p99[ARRAY_SIZE(strategies)];   /* index, by strategy */
	double setup_s;
	unsigned decisions, store_decisions;
	unsigned interrupted;           /* decisions with a context switch */
};


/* Context switches of this thread so far: a decision during which one
 * happened measured the scheduler (the machine is shared), not us. */
static long switches(void)
{
	struct rusage ru;

	if (getrusage(RUSAGE_THREAD, &ru))
		return 0;

	return ru.ru_nvcsw + ru.ru_nivcsw;
}


static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}


static int u64_cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}


static double pct(uint64_t *v, size_t n, double p)
{
	size_t i;

	if (!n)
		return 0;

	qsort(v, n, sizeof(*v), u64_cmp);
	i = (size_t)(p * (double)(n - 1) + 0.5);

	return (double)v[i];
}


/*
 * $TMPDIR, else /dev/shm: the figure is the decision, not the disk, and
 * on a shared machine a disk's stalls (WAL checkpoints of thousands of
 * registrations) would make the set-up take minutes.
 */
static const char *tmp_dir(void)
{
	const char *d = getenv("TMPDIR");

	if (d && d[0])
		return d;

	return access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
}


static void group_name(char *buf, size_t sz, unsigned g)
{
	(void)re_snprintf(buf, sz, "g%02u", g);
}


static void offer_handler(struct acd_call *call, const char *user_id,
			  const char *contact, uint32_t ring_timeout_s,
			  void *arg)
{
	(void)call;
	(void)user_id;
	(void)contact;
	(void)ring_timeout_s;
	(void)arg;
}


static int member_add(struct site *s, const char *user, unsigned g,
		      uint32_t level)
{
	struct store_member m;

	memset(&m, 0, sizeof(m));
	str_ncpy(m.user_id, user, sizeof(m.user_id));
	group_name(m.group, sizeof(m.group), g);
	m.level = level;

	return store_member_add(s->st, s->app, &m);
}


static int site_build(struct site *s, uint32_t agents)
{
	struct store_app a;
	int err;

	(void)re_snprintf(s->dir, sizeof(s->dir), "%s/route_bench.XXXXXX",
			  tmp_dir());
	if (!mkdtemp(s->dir))
		return errno;
	(void)re_snprintf(s->path, sizeof(s->path), "%s/lianluo.db",
			  s->dir);

	err = store_open(&s->st, s->path);
	if (err)
		return err;

	memset(&a, 0, sizeof(a));
	err = store_app_create(s->st, &a);
	if (err)
		return err;
	str_ncpy(s->app, a.sdk_app_id, sizeof(s->app));

	for (unsigned g = 0; g < GROUPS; g++) {
		struct store_group grp;

		memset(&grp, 0, sizeof(grp));
		group_name(grp.name, sizeof(grp.name), g);
		str_ncpy(grp.strategy, strategies[g % ARRAY_SIZE(strategies)],
			 sizeof(grp.strategy));
		grp.ring_timeout_s = 15;
		grp.max_wait_s = 3600;
		err = store_group_add(s->st, s->app, &grp);
		if (err)
			return err;
	}

	config_defaults(&s->cfg);
	err = acd_alloc(&s->acd, s->st, &s->cfg);
	if (err)
		return err;

	for (uint32_t i = 0; i < agents; i++) {
		struct store_staff st;
		char user[16];

		memset(&st, 0, sizeof(st));
		(void)re_snprintf(user, sizeof(user), "a%06u", i);
		str_ncpy(st.user_id, user, sizeof(st.user_id));
		str_ncpy(st.name, user, sizeof(st.name));

		err  = store_staff_add(s->st, s->app, &st);
		err |= member_add(s, user, i % GROUPS, 1 + (i / GROUPS) % 2);
		err |= member_add(s, user, (i + GROUPS / 2 + 1) % GROUPS, 3);
		if (err)
			return EIO;

		err = acd_agent_register(s->acd, s->app, user,
					 "sip:agent@127.0.0.1:5070", "udp",
					 NULL, 3600);
		if (err)
			return err;

		if (i % 10 < 3)
			err = acd_agent_status_request(s->acd, s->app, user,
						       ACD_AGENT_NOTREADY, "",
						       0, false, "agent",
						       NULL);
		if (err)
			return err;
	}

	for (unsigned i = 0; i < CALLERS; i++) {
		char caller[24], group[8];

		(void)re_snprintf(caller, sizeof(caller), "1380000%04u", i);
		group_name(group, sizeof(group), rand_u32() % GROUPS);

		err = acd_call_alloc(&s->callv[i], s->acd, s->app, true,
				     caller, "4001");
		if (err)
			return err;
		acd_call_set_priority(s->callv[i], (int)(rand_u32() % 3));
		err = acd_call_queue(s->callv[i], group, offer_handler, NULL,
				     NULL);
		if (err)
			return err;
	}

	/* Load each group's index (once, as the first call would) and
	 * the reference's member lists, with agent pointers. */
	for (unsigned g = 0; g < GROUPS; g++) {
		char group[8];

		group_name(group, sizeof(group), g);
		if (!acd_route_group(s->acd, s->app, group))
			return ENOMEM;

		err = ref_load(&s->refv[g], s->st, s->app, group);
		if (err)
			return err;
		for (size_t i = 0; i < s->refv[g].n; i++)
			s->refv[g].v[i].ag = acd_agent_find(s->acd, s->app,
						    s->refv[g].v[i].user_id);
	}

	return 0;
}


static void site_destroy(struct site *s)
{
	char p[128];

	for (unsigned i = 0; i < CALLERS; i++) {
		if (!s->callv[i])
			continue;
		acd_call_end(s->callv[i], "abandoned", "caller", 0);
		s->callv[i] = mem_deref(s->callv[i]);
	}

	for (unsigned g = 0; g < GROUPS; g++)
		ref_free(&s->refv[g]);

	s->acd = mem_deref(s->acd);
	s->st = mem_deref(s->st);

	if (!s->dir[0])
		return;
	(void)unlink(s->path);
	(void)re_snprintf(p, sizeof(p), "%s-wal", s->path);
	(void)unlink(p);
	(void)re_snprintf(p, sizeof(p), "%s-shm", s->path);
	(void)unlink(p);
	(void)rmdir(s->dir);
}


static unsigned group_index(const char *name)
{
	return (unsigned)atoi(name + 1);
}


/* The agent picked takes a call and comes back: its keys move. */
static uint64_t take_call(struct site *s, struct acd_agent *ag)
{
	uint64_t t0;

	ag->answered += 1;
	ag->talk_ms += 30000 + rand_u32() % 240000;
	ag->idle_since = ++s->clock;

	t0 = now_ns();
	acd_route_update(ag);

	return now_ns() - t0;
}


static int site_run(struct site *s, struct result *r, unsigned decisions,
		    unsigned store_decisions)
{
	uint64_t *idx, *scan, *sto, *upd, *raw, *bys;
	unsigned nupd = 0, n = 0;
	uint8_t *sv;
	int err = 0;

	idx = mem_alloc(decisions * sizeof(*idx), NULL);
	scan = mem_alloc(decisions * sizeof(*scan), NULL);
	sto = mem_alloc(store_decisions * sizeof(*sto), NULL);
	upd = mem_alloc(decisions * sizeof(*upd), NULL);
	raw = mem_alloc(decisions * sizeof(*raw), NULL);
	bys = mem_alloc(decisions * sizeof(*bys), NULL);
	sv = mem_alloc(decisions * sizeof(*sv), NULL);
	if (!idx || !scan || !sto || !upd || !raw || !bys || !sv) {
		err = ENOMEM;
		goto out;
	}

	s->clock = tmr_jiffies() + 1;

	for (unsigned d = 0; d < decisions; d++) {
		struct acd_call *call = s->callv[rand_u32() % CALLERS];
		struct ref_group *rg = &s->refv[group_index(call->group.name)];
		const struct acd_group *grp;
		struct acd_agent *ag, *ref;
		uint32_t rnd = rand_u32();
		uint64_t t0, t1, t2;
		long sw;

		grp = acd_route_group(s->acd, s->app, call->group.name);
		if (!grp) {
			err = ENOMEM;
			goto out;
		}

		/* the reference first: the pick may move round-robin on */
		sw = switches();
		t0 = now_ns();
		ref = ref_pick(rg, s->acd, call, grp->strat->name,
			       grp->rr_last, rnd, tmr_jiffies(), NULL);
		t1 = now_ns();
		ag = acd_route_pick(s->acd, call, rnd, true, NULL);
		t2 = now_ns();

		if (ag != ref) {
			fprintf(stderr, "route_bench: %s (%s): index picks "
				"%s, scan %s\n", call->group.name,
				grp->strat->name, ag ? ag->user_id : "nobody",
				ref ? ref->user_id : "nobody");
			err = EBADMSG;
			goto out;
		}

		raw[d] = t2 - t1;
		if (switches() == sw) {
			scan[n] = t1 - t0;
			sv[n] = (uint8_t)(group_index(call->group.name) %
					  ARRAY_SIZE(strategies));
			idx[n++] = t2 - t1;
		}

		if (ag)
			upd[nupd++] = take_call(s, ag);
	}

	/* As before the index: read the members from SQLite, then scan. */
	for (unsigned d = 0; d < store_decisions; d++) {
		struct acd_call *call = s->callv[rand_u32() % CALLERS];
		const struct acd_group *grp;
		struct ref_group rg;
		struct acd_agent *ag, *ref;
		uint32_t rnd = rand_u32();
		uint64_t t0;

		memset(&rg, 0, sizeof(rg));
		grp = acd_route_group(s->acd, s->app, call->group.name);
		ag = acd_route_pick(s->acd, call, rnd, false, NULL);

		t0 = now_ns();
		err = ref_load(&rg, s->st, s->app, call->group.name);
		ref = err ? NULL : ref_pick(&rg, s->acd, call,
					     grp->strat->name, grp->rr_last,
					     rnd, tmr_jiffies(), NULL);
		sto[d] = now_ns() - t0;
		ref_free(&rg);
		if (err)
			goto out;

		if (ag != ref) {
			fprintf(stderr, "route_bench: store scan disagrees\n");
			err = EBADMSG;
			goto out;
		}
	}

	r->decisions = decisions;
	r->interrupted = decisions - n;
	r->store_decisions = store_decisions;
	r->idx_raw_p99 = pct(raw, decisions, 0.99);
	for (size_t k = 0; k < ARRAY_SIZE(strategies); k++) {
		size_t m = 0;

		for (size_t i = 0; i < n; i++) {
			if (sv[i] == k)
				bys[m++] = idx[i];
		}
		r->strat_p99[k] = pct(bys, m, 0.99);
	}
	r->idx_p50 = pct(idx, n, 0.50);
	r->idx_p99 = pct(idx, n, 0.99);
	r->scan_p50 = pct(scan, n, 0.50);
	r->scan_p99 = pct(scan, n, 0.99);
	r->store_p50 = pct(sto, store_decisions, 0.50);
	r->store_p99 = pct(sto, store_decisions, 0.99);
	r->upd_p50 = pct(upd, nupd, 0.50);
	r->upd_p99 = pct(upd, nupd, 0.99);

 out:
	mem_deref(idx);
	mem_deref(scan);
	mem_deref(sto);
	mem_deref(upd);
	mem_deref(raw);
	mem_deref(bys);
	mem_deref(sv);
	return err;
}


/* (libre's printf has no precision for %f: stdio's here) */
static void print_us(char *buf, size_t sz, double ns)
{
	if (ns < 10000)
		(void)snprintf(buf, sz, "%.2f us", ns / 1000.0);
	else
		(void)snprintf(buf, sz, "%.0f us", ns / 1000.0);
}


static void report(const struct result *rv, size_t n)
{
	const struct result *lo = &rv[0], *hi = &rv[n - 1];
	double grow = hi->idx_p99 / lo->idx_p99;
	double grow_scan = hi->scan_p99 / lo->scan_p99;
	bool under = true;
	char a[32], b[32], c[32], d[32], e[32], f[32], g[32], h[32];

	printf("\nrouting decisions: %u groups, %u waiting callers, each "
	       "agent in 2 groups, 70 %% free\n\n", GROUPS, CALLERS);
	printf("%8s | %21s | %21s | %21s | %17s | %s\n", "agents",
	       "index p50 / p99", "scan p50 / p99", "store p50 / p99",
	       "update p50 / p99", "setup");

	for (size_t i = 0; i < n; i++) {
		const struct result *r = &rv[i];

		print_us(a, sizeof(a), r->idx_p50);
		print_us(b, sizeof(b), r->idx_p99);
		print_us(c, sizeof(c), r->scan_p50);
		print_us(d, sizeof(d), r->scan_p99);
		print_us(e, sizeof(e), r->store_p50);
		print_us(f, sizeof(f), r->store_p99);
		print_us(g, sizeof(g), r->upd_p50);
		print_us(h, sizeof(h), r->upd_p99);
		printf("%8u | %9s / %9s | %9s / %9s | %9s / %9s | %7s / %7s "
		       "| %.1f s\n", r->agents, a, b, c, d, e, f, g, h,
		       r->setup_s);
		under &= r->idx_p99 < 10000;
	}

	printf("\nDecisions during which the thread was switched out are left "
	       "out of the percentiles\n(the machine is shared); with them "
	       "the index p99 was:");
	for (size_t i = 0; i < n; i++) {
		print_us(a, sizeof(a), rv[i].idx_raw_p99);
		printf(" %s (%u of %u switched)", a, rv[i].interrupted,
		       rv[i].decisions);
	}
	printf("\n");

	printf("\nindex p99 by strategy:\n");
	for (size_t k = 0; k < ARRAY_SIZE(strategies); k++) {
		printf("  %-19s", strategies[k]);
		for (size_t i = 0; i < n; i++) {
			print_us(a, sizeof(a), rv[i].strat_p99[k]);
			printf(" %9s", a);
		}
		printf("\n");
	}

	printf("\np99 growth from %u to %u agents: index x%.2f, linear scan "
	       "x%.1f\n", lo->agents, hi->agents, grow, grow_scan);
	printf("target p99 < 10 us: %s; flat (p99 growth <= 2): %s\n",
	       under ? "met" : "MISSED", grow <= 2.0 ? "yes" : "NO");
	printf("(index: the ACD's decision; scan: linear over the group's "
	       "members in memory;\n store: members read from SQLite then "
	       "scanned, as before the index; update:\n the index upkeep "
	       "when the agent picked comes back from a call)\n\n");

	for (size_t i = 0; i < n; i++) {
		const struct result *r = &rv[i];

		print_us(a, sizeof(a), r->idx_p99);
		print_us(b, sizeof(b), r->scan_p99);
		print_us(c, sizeof(c), r->store_p99);
		printf("ROW|3. routing p99 (%uk agents)|%s|%s linear, %s "
		       "SQLite+scan|%.3f|p99 < 10 us, flat\n",
		       r->agents / 1000, a, b, c,
		       r->idx_p99 / r->scan_p99);
	}

	printf("ROW|3. routing p99 growth %uk->%uk agents|x%.2f|x%.1f "
	       "linear|%.3f|flat (<= x2)\n", lo->agents / 1000,
	       hi->agents / 1000, grow, grow_scan, grow / grow_scan);
}


int main(int argc, char *argv[])
{
	static const uint32_t full[] = {1000, 10000, 100000};
	static const uint32_t quick[] = {1000, 10000};
	struct result rv[MAX_SITES];
	const uint32_t *nv = full;
	size_t n = ARRAY_SIZE(full);
	int err = 0;

	if (argc > 1 && 0 == strcmp(argv[1], "--quick")) {
		nv = quick;
		n = ARRAY_SIZE(quick);
	}
	else if (argc > 1) {
		fprintf(stderr, "usage: route_bench [--quick]\n");
		return 2;
	}

	err = libre_init();
	if (err)
		goto out;
	log_set_level(LOG_LEVEL_ERROR);

	for (size_t i = 0; i < n && !err; i++) {
		struct site *s = mem_zalloc(sizeof(*s), NULL);
		uint64_t t0 = now_ns();
		unsigned sd;

		if (!s) {
			err = ENOMEM;
			break;
		}

		memset(&rv[i], 0, sizeof(rv[i]));
		rv[i].agents = nv[i];

		fprintf(stderr, "route_bench: %u agents...\n", nv[i]);
		err = site_build(s, nv[i]);
		rv[i].setup_s = (double)(now_ns() - t0) / 1e9;

		/* the store path reads 2N/50 rows a decision: fewer */
		sd = nv[i] <= 10000 ? STORE_DECISIONS_MAX :
			STORE_DECISIONS_MAX / 4;
		if (!err)
			err = site_run(s, &rv[i], DECISIONS, sd);

		site_destroy(s);
		mem_deref(s);
	}

	if (!err)
		report(rv, n);

 out:
	if (err)
		fprintf(stderr, "route_bench: %s\n", strerror(err));
	libre_close();

	return err ? 1 : 0;
}
