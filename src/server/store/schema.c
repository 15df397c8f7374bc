/**
 * @file store/schema.c  Schema migrations of the SQLite store
 *
 * Copyright (C) 2026 The lianluo authors
 *
 * DESIGN: migv[i] takes the schema from version i to version i + 1.
 * PRAGMA user_version holds the version applied; each step runs in its
 * own transaction together with the version bump, so a crash leaves the
 * database at one version or the next, never in between.  Append steps;
 * never edit one that has shipped.  Steps run with foreign_keys=ON, which
 * cannot change inside a transaction: a step that rebuilds a table uses
 * PRAGMA defer_foreign_keys.
 *
 * Scoping: staff, groups and numbers belong to an application; user ids
 * and group names are unique within it, extensions and numbers across the
 * server.  An empty extension is stored as NULL so that any number of
 * staff can have none.  Rows that only make sense for an existing staff
 * member (memberships, tokens, SIP credentials, registrations) reference
 * it with ON DELETE CASCADE: deleting someone revokes their access too.
 * A number keeps its group alive (RESTRICT).
 */

#include <re.h>
#include <stdio.h>
#include <sqlite3.h>
#include "common/log.h"
#include "store/store.h"
#include "store/db.h"


static const char *const migv[] = {

	/* 1: initial schema */
	"CREATE TABLE apps ("
	" sdk_app_id TEXT NOT NULL PRIMARY KEY,"
	" secret_id TEXT NOT NULL UNIQUE,"
	" secret_key TEXT NOT NULL,"
	" token_key TEXT NOT NULL,"
	" created INTEGER NOT NULL);"

	"CREATE TABLE staff ("
	" app TEXT NOT NULL REFERENCES apps(sdk_app_id),"
	" user_id TEXT NOT NULL,"
	" name TEXT NOT NULL,"
	" phone TEXT NOT NULL,"
	" extension TEXT UNIQUE,"
	" ha1 TEXT NOT NULL,"
	" created INTEGER NOT NULL,"
	" PRIMARY KEY (app, user_id));"

	/* "groups" is an SQL keyword (window frames), hence the prefix */
	"CREATE TABLE skill_groups ("
	" app TEXT NOT NULL REFERENCES apps(sdk_app_id),"
	" name TEXT NOT NULL,"
	" strategy TEXT NOT NULL,"
	" ring_timeout_s INTEGER NOT NULL,"
	" wrapup_s INTEGER NOT NULL,"
	" max_wait_s INTEGER NOT NULL,"
	" created INTEGER NOT NULL,"
	" PRIMARY KEY (app, name));"

	"CREATE TABLE members ("
	" app TEXT NOT NULL,"
	" user_id TEXT NOT NULL,"
	" grp TEXT NOT NULL,"
	" level INTEGER NOT NULL,"
	" PRIMARY KEY (app, user_id, grp),"
	" FOREIGN KEY (app, user_id) REFERENCES staff(app, user_id)"
	"  ON DELETE CASCADE,"
	" FOREIGN KEY (app, grp) REFERENCES skill_groups(app, name)"
	"  ON DELETE CASCADE);"
	"CREATE INDEX members_by_group ON members(app, grp);"

	"CREATE TABLE numbers ("
	" number TEXT NOT NULL PRIMARY KEY,"
	" app TEXT NOT NULL REFERENCES apps(sdk_app_id),"
	" grp TEXT,"
	" created INTEGER NOT NULL,"
	" FOREIGN KEY (app, grp) REFERENCES skill_groups(app, name)"
	"  ON DELETE RESTRICT);"
	"CREATE INDEX numbers_by_group ON numbers(app, grp);"

	"CREATE TABLE tokens ("
	" nonce TEXT NOT NULL PRIMARY KEY,"
	" app TEXT NOT NULL,"
	" user_id TEXT NOT NULL,"
	" expires INTEGER NOT NULL,"
	" used INTEGER NOT NULL DEFAULT 0,"
	" FOREIGN KEY (app, user_id) REFERENCES staff(app, user_id)"
	"  ON DELETE CASCADE);"
	"CREATE INDEX tokens_by_user ON tokens(app, user_id);"
	"CREATE INDEX tokens_by_expiry ON tokens(expires);"

	"CREATE TABLE sipcreds ("
	" username TEXT NOT NULL PRIMARY KEY,"
	" app TEXT NOT NULL,"
	" user_id TEXT NOT NULL,"
	" ha1 TEXT NOT NULL,"
	" expires INTEGER NOT NULL,"
	" FOREIGN KEY (app, user_id) REFERENCES staff(app, user_id)"
	"  ON DELETE CASCADE);"
	"CREATE INDEX sipcreds_by_user ON sipcreds(app, user_id);"
	"CREATE INDEX sipcreds_by_expiry ON sipcreds(expires);"

	"CREATE TABLE regs ("
	" app TEXT NOT NULL,"
	" user_id TEXT NOT NULL,"
	" contact TEXT NOT NULL,"
	" transport TEXT NOT NULL,"
	" source TEXT NOT NULL,"
	" expires INTEGER NOT NULL,"
	" PRIMARY KEY (app, user_id),"
	" FOREIGN KEY (app, user_id) REFERENCES staff(app, user_id)"
	"  ON DELETE CASCADE);"
	"CREATE INDEX regs_by_expiry ON regs(expires);"

	/* CDRs are records: no foreign keys, they outlive what they name.
	 * start_ms is the first stage reached, the order of the list. */
	"CREATE TABLE cdrs ("
	" session_id TEXT NOT NULL PRIMARY KEY,"
	" app TEXT NOT NULL,"
	" direction INTEGER NOT NULL,"
	" caller TEXT NOT NULL,"
	" callee TEXT NOT NULL,"
	" grp TEXT NOT NULL,"
	" agent TEXT NOT NULL,"
	" offered_ms INTEGER NOT NULL,"
	" queued_ms INTEGER NOT NULL,"
	" ringing_ms INTEGER NOT NULL,"
	" answered_ms INTEGER NOT NULL,"
	" ended_ms INTEGER NOT NULL,"
	" start_ms INTEGER NOT NULL,"
	" end_status TEXT NOT NULL,"
	" hangup_side TEXT NOT NULL,"
	" end_scode INTEGER NOT NULL,"
	" uui TEXT NOT NULL,"
	" remark TEXT NOT NULL,"
	" duration_s INTEGER NOT NULL);"
	"CREATE INDEX cdrs_by_app_start ON cdrs(app, start_ms);",

	/* 2: personal information (DESIGN.md, "Personal information").
	 * A masked group shows agents a masked number and an opaque
	 * reference instead of the customer's number; number_refs maps
	 * the reference back for a call-back, until it expires.  The
	 * audit log records who deleted whose data; like CDRs it has no
	 * foreign keys, and it never holds a number in clear. */
	"ALTER TABLE skill_groups ADD COLUMN"
	" mask_numbers INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE apps ADD COLUMN"
	" cdr_retention_days INTEGER NOT NULL DEFAULT 0;"

	"CREATE TABLE audit_log ("
	" id INTEGER PRIMARY KEY AUTOINCREMENT,"
	" app TEXT NOT NULL,"
	" at_ms INTEGER NOT NULL,"
	" actor TEXT NOT NULL,"
	" action TEXT NOT NULL,"
	" detail TEXT NOT NULL);"
	"CREATE INDEX audit_by_app ON audit_log(app, id);"

	"CREATE TABLE number_refs ("
	" ref TEXT NOT NULL PRIMARY KEY,"
	" app TEXT NOT NULL,"
	" number TEXT NOT NULL,"
	" expires INTEGER NOT NULL);"
	"CREATE INDEX number_refs_by_number ON number_refs(app, number);"
	"CREATE INDEX number_refs_by_expiry ON number_refs(expires);"

	"CREATE INDEX cdrs_by_app_end ON cdrs(app, ended_ms);",

	/* 3: the ACD's agent statuses and queue limits.  agent_states is
	 * each agent's status now, so that it survives a restart;
	 * agent_status_log is every change (a record, like CDRs: no
	 * foreign keys), from which time-in-status reports are exact.
	 * Skill groups gain a queue length limit, an overflow group, the
	 * "last agent first" switch, the service-level threshold and the
	 * step of ring-progressively.  Applications gain their list of
	 * rest reasons. */
	"CREATE TABLE agent_states ("
	" app TEXT NOT NULL,"
	" user_id TEXT NOT NULL,"
	" status TEXT NOT NULL,"
	" reason TEXT NOT NULL,"
	" since_ms INTEGER NOT NULL,"
	" pending TEXT NOT NULL,"
	" pending_reason TEXT NOT NULL,"
	" PRIMARY KEY (app, user_id),"
	" FOREIGN KEY (app, user_id) REFERENCES staff(app, user_id)"
	"  ON DELETE CASCADE);"

	"CREATE TABLE agent_status_log ("
	" id INTEGER PRIMARY KEY AUTOINCREMENT,"
	" app TEXT NOT NULL,"
	" user_id TEXT NOT NULL,"
	" from_status TEXT NOT NULL,"
	" to_status TEXT NOT NULL,"
	" reason TEXT NOT NULL,"
	" actor TEXT NOT NULL,"
	" at_ms INTEGER NOT NULL);"
	"CREATE INDEX agent_status_log_by_user"
	" ON agent_status_log(app, user_id, at_ms);"
	"CREATE INDEX agent_status_log_by_time"
	" ON agent_status_log(app, at_ms);"

	"ALTER TABLE skill_groups ADD COLUMN"
	" max_queue_len INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE skill_groups ADD COLUMN"
	" overflow_group TEXT NOT NULL DEFAULT '';"
	"ALTER TABLE skill_groups ADD COLUMN"
	" last_agent_first INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE skill_groups ADD COLUMN"
	" service_level_s INTEGER NOT NULL DEFAULT 20;"
	"ALTER TABLE skill_groups ADD COLUMN"
	" ring_step_s INTEGER NOT NULL DEFAULT 5;"
	"ALTER TABLE apps ADD COLUMN"
	" rest_reasons TEXT NOT NULL"
	" DEFAULT 'break,lunch,meeting,training';"

	"CREATE INDEX cdrs_by_caller ON cdrs(app, caller, ended_ms);"
	"CREATE INDEX cdrs_by_group ON cdrs(app, grp, offered_ms);",

	/* 4: IVR menus.  A menu is a JSON spec kept as text, validated by
	 * the API before it is stored (ivr/menu.c) and parsed again at
	 * call time, so the table needs no column per field.  A number
	 * names its menu ('' = straight to the queue) and the priority its
	 * callers get in the queue.  No foreign key from numbers to menus:
	 * the API refuses to delete a menu a number uses. */
	"CREATE TABLE ivr_menus ("
	" app TEXT NOT NULL REFERENCES apps(sdk_app_id),"
	" name TEXT NOT NULL,"
	" spec TEXT NOT NULL,"
	" created INTEGER NOT NULL,"
	" PRIMARY KEY (app, name));"

	"ALTER TABLE numbers ADD COLUMN ivr TEXT NOT NULL DEFAULT '';"
	"ALTER TABLE numbers ADD COLUMN"
	" priority INTEGER NOT NULL DEFAULT 0;"
	"CREATE INDEX numbers_by_ivr ON numbers(app, ivr);",

	/* 5: credentials with a role below the application's own
	 * (api/auth.c).  The secret key is stored as is, like apps'
	 * secret_key: HMAC verification needs the key itself, so a hash
	 * would not do.  An agent's credentials go with the staff member
	 * (the foreign key is not checked when user_id is NULL, i.e. for
	 * a supervisor). */
	"CREATE TABLE credentials ("
	" secret_id TEXT NOT NULL PRIMARY KEY,"
	" app TEXT NOT NULL REFERENCES apps(sdk_app_id),"
	" secret_key TEXT NOT NULL,"
	" role TEXT NOT NULL CHECK (role IN ('supervisor', 'agent')),"
	" user_id TEXT,"
	" created INTEGER NOT NULL,"
	" CHECK ((role = 'agent') = (user_id IS NOT NULL)),"
	" FOREIGN KEY (app, user_id) REFERENCES staff(app, user_id)"
	"  ON DELETE CASCADE);"
	"CREATE INDEX credentials_by_app ON credentials(app, created);"
	"CREATE INDEX credentials_by_user ON credentials(app, user_id);"
	"CREATE INDEX cdrs_by_agent ON cdrs(app, agent, start_ms);",
};


static int version_get(struct store *st, int *versionp)
{
	sqlite3_stmt *stmt = NULL;
	int rc;

	rc = sqlite3_prepare_v2(st->db, "PRAGMA user_version", -1, &stmt,
				NULL);
	if (rc == SQLITE_OK) {
		rc = sqlite3_step(stmt);
		if (rc == SQLITE_ROW) {
			*versionp = sqlite3_column_int(stmt, 0);
			rc = SQLITE_OK;
		}
	}
	sqlite3_finalize(stmt);

	return rc == SQLITE_OK ? 0 : store_sqlerr(st, rc, "user_version");
}


static int too_new(int version, int latest)
{
	log_error("store: database schema version %d is newer than this "
		  "lianluod knows (%d): refusing to open it; run a newer "
		  "lianluod or restore a backup", version, latest);
	return EPROTO;
}


/**
 * Refuse a database written by a newer lianluod, before anything (even
 * the journal mode) is changed in it
 *
 * @param st Store
 *
 * @return 0 if the code knows the version, EPROTO if not, otherwise
 *         errorcode
 */
int store_schema_check(struct store *st)
{
	const int latest = (int)ARRAY_SIZE(migv);
	int version = 0;
	int err;

	err = version_get(st, &version);
	if (err)
		return err;

	if (version > latest || version < 0)
		return too_new(version, latest);

	return 0;
}


/* Apply the next step, if any.  The version is read again under the write
 * lock, so two processes opening a fresh file do not both migrate it. */
static int step_apply(struct store *st, bool *donep)
{
	const int latest = (int)ARRAY_SIZE(migv);
	char bump[48];
	int version = 0;
	int rc, err;

	err = store_begin(st);
	if (err)
		return err;

	err = version_get(st, &version);
	if (err)
		goto out;

	if (version > latest || version < 0) {
		err = too_new(version, latest);
		goto out;
	}

	if (version == latest) {
		*donep = true;
		err = store_commit(st);
		goto out;
	}

	rc = sqlite3_exec(st->db, migv[version], NULL, NULL, NULL);
	if (rc != SQLITE_OK) {
		err = store_sqlerr(st, rc, "migrate");
		goto out;
	}

	/* PRAGMA takes no bound parameters; the number is our own. */
	(void)snprintf(bump, sizeof(bump), "PRAGMA user_version=%d",
		       version + 1);
	rc = sqlite3_exec(st->db, bump, NULL, NULL, NULL);
	if (rc != SQLITE_OK) {
		err = store_sqlerr(st, rc, "migrate");
		goto out;
	}

	err = store_commit(st);
	if (err)
		goto out;

	log_info("store: schema migrated to version %d", version + 1);

 out:
	if (err) {
		store_rollback(st);
		if (err != EPROTO)
			log_error("store: schema migration from version %d"
				  " failed (%m)", version, err);
	}

	return err;
}


/**
 * Bring the schema of an open store to the version this code knows
 *
 * @param st Store
 *
 * @return 0 if success, EPROTO if the database is newer than the code,
 *         otherwise errorcode
 */
int store_schema_migrate(struct store *st)
{
	bool done = false;
	int err = 0;

	while (!done && !err)
		err = step_apply(st, &done);

	return err;
}
