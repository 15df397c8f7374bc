/**
 * @file api/routes.c  The table of API routes
 *
 * Copyright (C) 2026 The lianluo authors
 *
 * One declarative table: method, path, the lowest role allowed (public:
 * not signed), handler.  A "{}" in a path matches one non-empty path
 * segment, which is percent-decoded into req->param; an agent may use it
 * only on itself (api_authorize).  GET /metrics is not signed: it checks
 * its own bearer token.
 */
#include <string.h>
#include <re.h>
#include "common/log.h"
#include "config.h"
#include "store/store.h"
#include "api/api.h"
#include "api/apiint.h"


static const struct api_route routev[] = {
	{"GET",    "/healthz",            API_PUBLIC,     api_healthz},
	{"POST",   "/v1/login",           API_PUBLIC,     api_login},
	{"GET",    "/v1/status",          API_SUPERVISOR, api_status},
	{"POST",   "/v1/staff",           API_ADMIN,      api_staff_create},
	{"GET",    "/v1/staff",           API_ADMIN,      api_staff_list},
	{"DELETE", "/v1/staff/{}",        API_ADMIN,      api_staff_delete},
	{"POST",   "/v1/skill-groups",    API_ADMIN,      api_group_create},
	{"GET",    "/v1/skill-groups",    API_ADMIN,      api_group_list},
	{"DELETE", "/v1/skill-groups/{}", API_ADMIN,      api_group_delete},
	{"PUT",    "/v1/skill-groups/{}", API_ADMIN,      api_group_update},
	{"GET",    "/v1/agents",          API_SUPERVISOR, api_agent_list},
	{"GET",    "/v1/agents/{}",       API_AGENT,      api_agent_get},
	{"GET",    "/v1/agents/{}/status", API_AGENT,
						api_agent_get},
	{"PUT",    "/v1/agents/{}/status", API_AGENT,
						api_agent_status_put},
	{"GET",    "/v1/agents/{}/status-history", API_SUPERVISOR,
						api_agent_history},
	{"GET",    "/v1/metrics/queues",  API_SUPERVISOR, api_metrics_queues},
	{"GET",    "/v1/metrics/agents",  API_SUPERVISOR, api_metrics_agents},
	{"GET",    "/metrics",            API_PUBLIC,     api_metrics_prom},
	{"POST",   "/v1/numbers",         API_ADMIN,      api_number_create},
	{"GET",    "/v1/numbers",         API_ADMIN,      api_number_list},
	{"DELETE", "/v1/numbers/{}",      API_ADMIN,      api_number_delete},
	{"POST",   "/v1/sdk-login-tokens", API_ADMIN,
						api_token_create},
	{"GET",    "/v1/cdrs",            API_AGENT,      api_cdr_list},
	{"DELETE", "/v1/personal-data", API_ADMIN,
						api_personal_data_delete},
	{"GET",    "/v1/audit-log",       API_ADMIN,      api_audit_list},
	{"GET",    "/v1/settings",        API_ADMIN,      api_settings_get},
	{"PUT",    "/v1/settings",        API_ADMIN,      api_settings_put},
	{"POST",   "/v1/credentials",     API_ADMIN,      api_cred_create},
	{"GET",    "/v1/credentials",     API_ADMIN,      api_cred_list},
	{"DELETE", "/v1/credentials/{}",  API_ADMIN,      api_cred_delete},
};


/* Percent-decode one path segment; refuses NUL and bad escapes. */
static int pct_decode(char *buf, size_t sz, const char *p, size_t n)
{
	size_t i, o = 0;

	for (i = 0; i < n; i++) {
		int c = (unsigned char)p[i];

		if (c == '%') {
			int hi, lo;

			if (i + 2 >= n)
				return EBADMSG;
			hi = api_hexval(p[i + 1]);
			lo = api_hexval(p[i + 2]);
			if (hi < 0 || lo < 0)
				return EBADMSG;
			c = hi * 16 + lo;
			i += 2;
		}

		if (c == 0 || c == '/')
			return EBADMSG;
		if (o + 1 >= sz)
			return ENAMETOOLONG;

		buf[o++] = (char)c;
	}

	buf[o] = '\0';
	return 0;
}


/* Match one route path against a request path: 0, ENOENT or EBADMSG. */
static int match(const char *rpath, const struct pl *path, char *param,
		 size_t sz)
{
	const char *brace = strstr(rpath, "{}");
	const char *seg, *suffix;
	size_t plen, slen, seglen;

	if (!brace) {
		const size_t rlen = strlen(rpath);

		return (path->l == rlen && !memcmp(path->p, rpath, rlen))
			? 0 : ENOENT;
	}

	plen = brace - rpath;
	suffix = brace + 2;
	slen = strlen(suffix);
	if (path->l <= plen + slen || memcmp(path->p, rpath, plen) ||
	    memcmp(path->p + path->l - slen, suffix, slen))
		return ENOENT;

	seg = path->p + plen;
	seglen = path->l - plen - slen;
	if (memchr(seg, '/', seglen))
		return ENOENT;

	return pct_decode(param, sz, seg, seglen);
}


/**
 * Find the route of a request
 *
 * @param routep Returned route
 * @param req    Request (its param is set)
 * @param method Request method
 * @param path   Request path, without query
 *
 * @return 0 if found, ENOENT if no path matches, EPERM if the path matches
 *         but not the method, EBADMSG if the path parameter is malformed
 */
int api_route_find(const struct api_route **routep, struct api_req *req,
		   const struct pl *method, const struct pl *path)
{
	/* Subsystems with many routes keep their own table (api/ivr.c). */
	const struct {
		const struct api_route *v;
		size_t c;
	} tablev[] = {
		{routev, ARRAY_SIZE(routev)},
		{api_ivr_routev, api_ivr_routec},
	};
	bool path_found = false;
	size_t i, t;

	if (!routep || !req || !method || !path)
		return EINVAL;

	for (t = 0; t < ARRAY_SIZE(tablev); t++) {
		for (i = 0; i < tablev[t].c; i++) {
			const struct api_route *r = &tablev[t].v[i];
			int err;

			err = match(r->path, path, req->param,
				    sizeof(req->param));
			if (err == ENOENT)
				continue;
			else if (err)
				return EBADMSG;

			path_found = true;

			if (pl_strcmp(method, r->method))
				continue;

			*routep = r;
			return 0;
		}
	}

	return path_found ? EPERM : ENOENT;
}


/* The number of routes, so that a test listing them all notices one more */
size_t api_route_count(void)
{
	return ARRAY_SIZE(routev) + api_ivr_routec;
}
