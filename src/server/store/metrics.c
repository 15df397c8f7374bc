/**
 * @file store/metrics.c  Queue and agent figures aggregated from the CDRs
 *
 * Copyright (C) 2026 The lianluo authors
 *
 * DESIGN: the CDR table is the record of what happened, so the figures of
 * a time window are SQL aggregates over it, computed when asked: nothing
 * is counted twice and a restart loses nothing.  A queue's window takes
 * the calls offered in it (index cdrs_by_group); an agent's the calls
 * answered in it.  A call's wait starts when it was queued, or when it
 * was offered if it never was.
 */

#include <re.h>
#include <string.h>
#include <sqlite3.h>
#include "common/log.h"
#include "store/store.h"
#include "store/db.h"


#define WAIT_START \
	"(CASE WHEN queued_ms > 0 THEN queued_ms ELSE offered_ms END)"
#define ABANDONED "end_status IN ('abandoned', 'ring-abandoned')"

static const char sql_queue_stats[] =
	"SELECT count(*),"
	" coalesce(sum(answered_ms > 0), 0),"
	" coalesce(sum(" ABANDONED "), 0),"
	" coalesce(sum(" ABANDONED " AND ended_ms - " WAIT_START
	" <= ?6), 0),"
	" coalesce(sum(answered_ms > 0 AND answered_ms - " WAIT_START
	" <= ?5), 0),"
	" coalesce(sum(end_status = 'timeout'), 0),"
	" coalesce(sum(end_status = 'queue-full'), 0),"
	" coalesce(sum(CASE WHEN answered_ms > 0"
	"  THEN max(answered_ms - " WAIT_START ", 0) END), 0),"
	" coalesce(sum(CASE WHEN answered_ms > 0"
	"  THEN max(ended_ms - answered_ms, 0) END), 0)"
	" FROM cdrs WHERE app = ?1 AND grp = ?2 AND direction = 0"
	" AND offered_ms >= ?3 AND offered_ms < ?4";

static const char sql_agent_stats[] =
	"SELECT agent, count(*), coalesce(sum(direction = 0), 0),"
	" coalesce(sum(direction = 1), 0),"
	" coalesce(sum(max(ended_ms - answered_ms, 0)), 0)"
	" FROM cdrs WHERE app = ?1 AND agent != '' AND answered_ms >= ?2"
	" AND answered_ms < ?3 AND answered_ms > 0"
	" GROUP BY agent ORDER BY agent";


static uint32_t col_u32(sqlite3_stmt *stmt, int col)
{
	const int64_t v = sqlite3_column_int64(stmt, col);

	return v < 0 ? 0 : v > UINT32_MAX ? UINT32_MAX : (uint32_t)v;
}


static uint64_t col_u64(sqlite3_stmt *stmt, int col)
{
	const int64_t v = sqlite3_column_int64(stmt, col);

	return v < 0 ? 0 : (uint64_t)v;
}


/**
 * Figures of one skill group for the calls offered in [from_ms, to_ms)
 *
 * @param st       Store
 * @param app      SdkAppId
 * @param group    Skill group name
 * @param from_ms  Start of the window (Unix ms, included)
 * @param to_ms    End of the window (excluded)
 * @param sl_ms    Service level threshold: answered within it counts
 * @param short_ms Abandoned within it counts as a short abandon
 * @param qs       Returned figures
 *
 * @return 0 if success, otherwise errorcode
 */
int store_queue_stats(struct store *st, const char *app, const char *group,
		      int64_t from_ms, int64_t to_ms, uint32_t sl_ms,
		      uint32_t short_ms, struct store_queue_stats *qs)
{
	sqlite3_stmt *stmt = NULL;
	int rc, err;

	if (!st || !qs || !store_arg_ok(app, STORE_ID_SZ) ||
	    !store_arg_ok(group, STORE_NAME_SZ) || to_ms < from_ms)
		return EINVAL;

	memset(qs, 0, sizeof(*qs));

	err = store_stmt_get(st, sql_queue_stats, &stmt);
	if (err)
		return err;

	err  = store_bind_str(stmt, 1, app);
	err |= store_bind_str(stmt, 2, group);
	err |= store_bind_i64(stmt, 3, from_ms);
	err |= store_bind_i64(stmt, 4, to_ms);
	err |= store_bind_i64(stmt, 5, sl_ms);
	err |= store_bind_i64(stmt, 6, short_ms);
	if (err)
		goto out;

	rc = sqlite3_step(stmt);
	if (rc != SQLITE_ROW) {
		err = store_sqlerr(st, rc, "queue stats");
		goto out;
	}

	qs->offered          = col_u32(stmt, 0);
	qs->answered         = col_u32(stmt, 1);
	qs->abandoned        = col_u32(stmt, 2);
	qs->abandoned_short  = col_u32(stmt, 3);
	qs->answered_in_sl   = col_u32(stmt, 4);
	qs->timeouts         = col_u32(stmt, 5);
	qs->queue_full       = col_u32(stmt, 6);
	qs->wait_answered_ms = col_u64(stmt, 7);
	qs->talk_ms          = col_u64(stmt, 8);

 out:
	store_stmt_put(st, stmt);
	return err;
}


/**
 * Figures of each agent with an answered call in [from_ms, to_ms), in
 * user id order
 *
 * @return 0 if success, otherwise errorcode
 */
int store_agent_stats_list(struct store *st, const char *app,
			   int64_t from_ms, int64_t to_ms,
			   store_agent_stats_h *h, void *arg)
{
	struct store_agent_stats s;
	sqlite3_stmt *stmt = NULL;
	int rc, err;

	if (!st || !h || !store_arg_ok(app, STORE_ID_SZ) || to_ms < from_ms)
		return EINVAL;

	err = store_stmt_get(st, sql_agent_stats, &stmt);
	if (err)
		return err;

	err  = store_bind_str(stmt, 1, app);
	err |= store_bind_i64(stmt, 2, from_ms);
	err |= store_bind_i64(stmt, 3, to_ms);
	if (err)
		goto out;

	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		memset(&s, 0, sizeof(s));
		err = store_col_str(stmt, 0, s.user_id, sizeof(s.user_id));
		if (err)
			goto out;
		s.calls    = col_u32(stmt, 1);
		s.inbound  = col_u32(stmt, 2);
		s.outbound = col_u32(stmt, 3);
		s.talk_ms  = col_u64(stmt, 4);
		h(&s, arg);
	}

	if (rc != SQLITE_DONE)
		err = store_sqlerr(st, rc, "agent stats");

 out:
	store_stmt_put(st, stmt);
	return err;
}
