/**
 * @file api/privacy.c  Personal data: erasure, audit log, settings
 *
 * Copyright (C) 2026 The lianluo authors
 *
 * DELETE /v1/personal-data erases one person's data (store_erase_phone or
 * store_erase_user) and records who asked in the audit log.  The audit
 * entry and the log lines hold the phone number masked, never in clear:
 * the log is no place to find the person that was just erased.  There is
 * no call recording yet, so recordings_deleted is always 0.
 */
#include <string.h>
#include <re.h>
#include "common/log.h"
#include "common/jsonw.h"
#include "config.h"
#include "store/store.h"
#include "api/api.h"
#include "api/apiint.h"


static const char action_erase[]    = "personal-data.delete";
static const char action_settings[] = "settings.update";


int api_audit_write(struct api_req *req, const char *action,
		    const char *detail, struct store_audit *a)
{
	memset(a, 0, sizeof(*a));
	str_ncpy(a->sdk_app_id, req->app.sdk_app_id, sizeof(a->sdk_app_id));
	str_ncpy(a->actor, req->app.secret_id, sizeof(a->actor));
	str_ncpy(a->action, action, sizeof(a->action));
	str_ncpy(a->detail, detail, sizeof(a->detail));

	return store_audit_add(req->api->st, a);
}


/* DELETE /v1/personal-data?phone=P or ?user=U (exactly one) */
void api_personal_data_delete(struct api_req *req)
{
	char phone[STORE_NUMBER_SZ], user[STORE_ID_SZ];
	char masked[STORE_NUMBER_SZ], detail[STORE_TEXT_SZ * 2];
	struct store_erasure res;
	struct store_audit a;
	int perr, uerr, err;

	perr = api_query_str(&req->query, "phone", phone, sizeof(phone));
	uerr = api_query_str(&req->query, "user", user, sizeof(user));

	if ((perr && perr != ENOENT) || (uerr && uerr != ENOENT) ||
	    (perr == 0) == (uerr == 0)) {
		api_error(req, 400, "InvalidParameter",
			  "give exactly one of phone=NUMBER or user=USER_ID");
		return;
	}

	if (!perr && !api_valid_number(phone)) {
		api_error(req, 400, "InvalidParameter",
			  "phone must be 1 to 20 digits, optionally after "
			  "'+'");
		return;
	}
	if (!uerr && !api_valid_id(user)) {
		api_error(req, 400, "InvalidParameter", "user is not valid");
		return;
	}

	memset(&res, 0, sizeof(res));
	if (!perr)
		err = store_erase_phone(req->api->st, req->app.sdk_app_id,
					phone, &res);
	else
		err = store_erase_user(req->api->st, req->app.sdk_app_id,
				       user, &res);
	if (err) {
		api_error_store(req, err, "personal data", NULL);
		return;
	}

	if (!perr && mask_phone(masked, sizeof(masked), phone))
		str_ncpy(masked, "****", sizeof(masked));

	if (re_snprintf(detail, sizeof(detail), "{\"%s\":%H,"
			"\"cdrs_anonymised\":%u,\"staff_anonymised\":%u,"
			"\"number_refs_deleted\":%u,"
			"\"recordings_deleted\":0}",
			perr ? "user" : "phone",
			jsonw_str, perr ? user : masked,
			res.cdrs, res.staff, res.number_refs) < 0) {
		api_error(req, 500, "InternalError", "cannot write audit");
		return;
	}

	/* The erasure is committed; an audit failure is reported, and
	 * logged, rather than hidden. */
	err = api_audit_write(req, action_erase, detail, &a);
	if (err) {
		log_error("api: personal data erased but not audited: %m",
			  err);
		api_error_store(req, err, "audit log", NULL);
		return;
	}

	log_info("api: personal data deleted by %s: %u CDRs, %u staff, "
		 "%u number references (audit %lld)",
		 perr ? "user" : "phone", res.cdrs, res.staff,
		 res.number_refs, (long long)a.id);

	api_reply(req, 200, "{\"cdrs_anonymised\":%u,\"staff_anonymised\":%u,"
		  "\"number_refs_deleted\":%u,\"recordings_deleted\":0,"
		  "\"audit_id\":%lld}",
		  res.cdrs, res.staff, res.number_refs, (long long)a.id);
}


struct audit_list {
	struct re_printf *pf;
	unsigned n;
	int err;
};


/* detail was written by this file as a JSON object: printed as is. */
static void audit_handler(const struct store_audit *a, void *arg)
{
	struct audit_list *al = arg;

	if (al->err)
		return;

	al->err = re_hprintf(al->pf, "%s{\"id\":%lld,\"at_ms\":%lld,"
			     "\"actor\":%H,\"action\":%H,\"detail\":%s}",
			     al->n++ ? "," : "", (long long)a->id,
			     (long long)a->at_ms, jsonw_str, a->actor,
			     jsonw_str, a->action,
			     a->detail[0] == '{' ? a->detail : "{}");
}


struct audit_list_print {
	struct api_req *req;
	uint32_t limit;
	int serr;
};


static int audit_list_print(struct re_printf *pf,
			    struct audit_list_print *alp)
{
	struct audit_list al = {pf, 0, 0};
	int err;

	err = re_hprintf(pf, "{\"entries\":[");
	if (err)
		return err;

	alp->serr = store_audit_list(alp->req->api->st,
				     alp->req->app.sdk_app_id, alp->limit,
				     audit_handler, &al);
	if (alp->serr)
		return alp->serr;
	if (al.err)
		return al.err;

	return re_hprintf(pf, "]}");
}


/* GET /v1/audit-log?limit=N (newest first, N from 1 to 1000) */
void api_audit_list(struct api_req *req)
{
	struct audit_list_print alp = {req, API_AUDIT_LIMIT, 0};

	if (api_query_u32(&req->query, "limit", &alp.limit, 1,
			  API_AUDIT_LIMIT_MAX)) {
		api_error(req, 400, "InvalidParameter",
			  "limit must be an integer from 1 to %u",
			  API_AUDIT_LIMIT_MAX);
		return;
	}

	api_reply(req, 200, "%H", audit_list_print, &alp);
	if (alp.serr)
		api_error_store(req, alp.serr, "audit log", NULL);
}


static void settings_reply(struct api_req *req)
{
	char reasons[STORE_REST_REASONS_SZ];
	uint32_t days = 0;
	int err;

	err = store_retention_get(req->api->st, req->app.sdk_app_id, &days);
	if (!err)
		err = store_rest_reasons_get(req->api->st,
					     req->app.sdk_app_id, reasons,
					     sizeof(reasons));
	if (err) {
		api_error_store(req, err, "settings", NULL);
		return;
	}

	api_reply(req, 200, "{\"cdr_retention_days\":%u,"
		  "\"rest_reasons\":%H}", days,
		  api_rest_reasons_print, reasons);
}


/* GET /v1/settings */
void api_settings_get(struct api_req *req)
{
	settings_reply(req);
}


/* The audit detail of a settings change; the reasons only if they fit */
static void settings_detail(char *buf, size_t sz, uint32_t days,
			    const char *reasons)
{
	char *s = NULL;

	if (re_sdprintf(&s, "{\"cdr_retention_days\":%u,"
			"\"rest_reasons\":%H}", days,
			api_rest_reasons_print, reasons) || strlen(s) >= sz)
		(void)re_snprintf(buf, sz, "{\"cdr_retention_days\":%u,"
				  "\"rest_reasons_changed\":true}", days);
	else
		str_ncpy(buf, s, sz);

	mem_deref(s);
}


/* PUT /v1/settings {"cdr_retention_days":N,"rest_reasons":[..]}: fields
 * absent stay as they are.  A change is audited. */
void api_settings_put(struct api_req *req)
{
	char reasons[STORE_REST_REASONS_SZ];
	char detail[STORE_TEXT_SZ * 2];
	struct odict *od = NULL;
	struct store_audit a;
	uint32_t days = 0;
	int err;

	err = api_body_decode(req, &od);
	if (err)
		goto out;

	err = store_retention_get(req->api->st, req->app.sdk_app_id, &days);
	if (err) {
		api_error_store(req, err, "settings", NULL);
		goto out;
	}

	err = api_get_u32(req, od, "cdr_retention_days", &days, 0,
			  STORE_RETENTION_DAYS_MAX);
	if (!err)
		err = api_rest_reasons_decode(req, od, reasons,
					      sizeof(reasons));
	if (err)
		goto out;

	err = store_retention_set(req->api->st, req->app.sdk_app_id, days);
	if (!err && reasons[0])
		err = store_rest_reasons_set(req->api->st,
					     req->app.sdk_app_id, reasons);
	if (!err && !reasons[0])
		err = store_rest_reasons_get(req->api->st,
					     req->app.sdk_app_id, reasons,
					     sizeof(reasons));
	if (err) {
		api_error_store(req, err, "settings", NULL);
		goto out;
	}

	settings_detail(detail, sizeof(detail), days, reasons);
	err = api_audit_write(req, action_settings, detail, &a);
	if (err)
		log_warn("api: settings changed but not audited: %m", err);

	log_info("api: settings: CDR retention %u days", days);
	settings_reply(req);

 out:
	mem_deref(od);
}
