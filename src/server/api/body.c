/**
 * @file api/body.c  Request bodies: decoding and validating fields
 *
 * Copyright (C) 2026 The lianluo authors
 *
 * Each helper sets the 400 reply itself when a field is wrong, so a
 * handler only has to return on error.
 */
#include <string.h>
#include <re.h>
#include "common/log.h"
#include "common/jsonw.h"
#include "config.h"
#include "store/store.h"
#include "api/api.h"
#include "api/apiint.h"


/**
 * Decode the JSON object in the request body; sets a 400 reply on error
 *
 * @param req Request
 * @param odp Returned dictionary
 *
 * @return 0 if success, otherwise errorcode
 */
int api_body_decode(struct api_req *req, struct odict **odp)
{
	size_t i = 0;
	int err;

	while (i < req->body_len && strchr(" \t\r\n", req->body[i]) &&
	       req->body[i])
		++i;

	if (i == req->body_len || req->body[i] != '{') {
		api_error(req, 400, "InvalidParameter",
			  "the body must be a JSON object");
		return EBADMSG;
	}

	if (jsonw_nul_escaped((const char *)req->body, req->body_len)) {
		api_error(req, 400, "InvalidParameter",
			  "strings must not contain NUL characters");
		return EBADMSG;
	}

	err = json_decode_odict(odp, 16, (const char *)req->body,
				req->body_len, API_JSON_DEPTH);
	if (err == EOVERFLOW) {
		log_info("api: request body nested too deeply");
		api_error(req, 400, "InvalidParameter",
			  "JSON nested deeper than %u levels", API_JSON_DEPTH);
		return err;
	}
	else if (err) {
		api_error(req, 400, "InvalidParameter", "malformed JSON");
		return err;
	}

	return 0;
}


/**
 * Get a string field
 *
 * @param req      Request (a 400 reply is set on error)
 * @param od       Object
 * @param key      Field name
 * @param required Whether the field must be present and not empty
 * @param buf      Buffer for the value ("" when absent)
 * @param sz       Size of buf
 * @param validh   Validator (may be NULL), applied to non-empty values
 *
 * @return 0 if success, otherwise errorcode
 */
int api_get_str(struct api_req *req, const struct odict *od,
		const char *key, bool required, char *buf, size_t sz,
		bool (*validh)(const char *s))
{
	const struct odict_entry *e = odict_lookup(od, key);

	buf[0] = '\0';

	if (!e || e->type == ODICT_NULL) {
		if (!required)
			return 0;

		api_error(req, 400, "InvalidParameter", "missing field '%s'",
			  key);
		return EINVAL;
	}

	if (e->type != ODICT_STRING) {
		api_error(req, 400, "InvalidParameter",
			  "field '%s' must be a string", key);
		return EINVAL;
	}

	if (strlen(e->u.str) >= sz) {
		api_error(req, 400, "InvalidParameter",
			  "field '%s' is too long", key);
		return EINVAL;
	}

	if (required && !e->u.str[0]) {
		api_error(req, 400, "InvalidParameter",
			  "field '%s' must not be empty", key);
		return EINVAL;
	}

	if (e->u.str[0] && validh && !validh(e->u.str)) {
		api_error(req, 400, "InvalidParameter",
			  "field '%s' is not valid", key);
		return EINVAL;
	}

	str_ncpy(buf, e->u.str, sz);
	return 0;
}


/**
 * Get an optional unsigned integer field; *valp keeps its value if absent
 *
 * @param req  Request (a 400 reply is set on error)
 * @param od   Object
 * @param key  Field name
 * @param valp Value, in and out
 * @param min  Smallest valid value
 * @param max  Largest valid value
 *
 * @return 0 if success, otherwise errorcode
 */
int api_get_u32(struct api_req *req, const struct odict *od,
		const char *key, uint32_t *valp, uint32_t min, uint32_t max)
{
	const struct odict_entry *e = odict_lookup(od, key);

	if (!e || e->type == ODICT_NULL)
		return 0;

	if (e->type != ODICT_INT || e->u.integer < (int64_t)min ||
	    e->u.integer > (int64_t)max) {
		api_error(req, 400, "InvalidParameter",
			  "field '%s' must be an integer from %u to %u",
			  key, min, max);
		return EINVAL;
	}

	*valp = (uint32_t)e->u.integer;
	return 0;
}


/**
 * Get an optional boolean field; *valp keeps its value if absent
 *
 * @param req  Request (a 400 reply is set on error)
 * @param od   Object
 * @param key  Field name
 * @param valp Value, in and out
 *
 * @return 0 if success, otherwise errorcode
 */
int api_get_bool(struct api_req *req, const struct odict *od,
		 const char *key, bool *valp)
{
	const struct odict_entry *e = odict_lookup(od, key);

	if (!e || e->type == ODICT_NULL)
		return 0;

	if (e->type != ODICT_BOOL) {
		api_error(req, 400, "InvalidParameter",
			  "field '%s' must be true or false", key);
		return EINVAL;
	}

	*valp = e->u.boolean;
	return 0;
}


/* The value of one hex digit, -1 if it is none (percent-decoding) */
int api_hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}


/**
 * Get a query parameter, percent-decoded.  "+" stays "+" (RFC 3986 gives
 * it no meaning in a query), so a number "+86..." may be sent as is or
 * as "%2B86...".
 *
 * @param query Query, after the '?'
 * @param name  Parameter name
 * @param buf   Buffer for the value
 * @param sz    Size of buf
 *
 * @return 0 if present, ENOENT if absent, EINVAL if malformed (bad escape,
 *         NUL or control character, given twice) or too long
 */
int api_query_str(const struct pl *query, const char *name, char *buf,
		  size_t sz)
{
	const size_t nlen = strlen(name);
	const char *p, *end;
	bool found = false;

	if (!query || !pl_isset(query))
		return ENOENT;

	p = query->p;
	end = query->p + query->l;

	while (p && p < end) {
		const char *amp = memchr(p, '&', end - p);
		const char *fend = amp ? amp : end;
		size_t i, o = 0;

		if ((size_t)(fend - p) < nlen + 1 || memcmp(p, name, nlen) ||
		    p[nlen] != '=') {
			p = amp ? amp + 1 : NULL;
			continue;
		}

		if (found)
			return EINVAL;
		found = true;

		for (i = nlen + 1; p + i < fend; i++) {
			int c = (unsigned char)p[i];

			if (c == '%') {
				int hi, lo;

				if (p + i + 2 >= fend)
					return EINVAL;
				hi = api_hexval(p[i + 1]);
				lo = api_hexval(p[i + 2]);
				if (hi < 0 || lo < 0)
					return EINVAL;
				c = hi * 16 + lo;
				i += 2;
			}

			if (c < 0x20 || c == 0x7f)
				return EINVAL;
			if (o + 1 >= sz)
				return EINVAL;

			buf[o++] = (char)c;
		}
		buf[o] = '\0';

		p = amp ? amp + 1 : NULL;
	}

	return found ? 0 : ENOENT;
}


/*
 * A query parameter of at most maxlen decimal digits, so that it cannot
 * overflow: ENOENT if absent, EINVAL if empty, too long or not digits
 */
static int query_digits(const struct pl *query, const char *name,
			size_t maxlen, uint64_t *vp)
{
	char buf[24];
	uint64_t v = 0;
	size_t i;
	int err;

	err = api_query_str(query, name, buf, sizeof(buf));
	if (err)
		return err;
	if (!buf[0] || strlen(buf) > maxlen)
		return EINVAL;

	for (i = 0; buf[i]; i++) {
		if (buf[i] < '0' || buf[i] > '9')
			return EINVAL;
		v = v * 10 + (uint64_t)(buf[i] - '0');
	}

	*vp = v;
	return 0;
}


/**
 * Get an optional unsigned integer query parameter
 *
 * @param query Query, after the '?'
 * @param name  Parameter name
 * @param valp  Value, in and out (kept when absent)
 * @param min   Smallest valid value
 * @param max   Largest valid value
 *
 * @return 0 if absent or valid, EINVAL otherwise
 */
int api_query_u32(const struct pl *query, const char *name, uint32_t *valp,
		  uint32_t min, uint32_t max)
{
	uint64_t v;
	int err;

	err = query_digits(query, name, 10, &v);
	if (err == ENOENT)
		return 0;
	if (err)
		return EINVAL;

	if (v < min || v > max)
		return EINVAL;

	*valp = (uint32_t)v;
	return 0;
}


/**
 * Get an optional unsigned 64-bit query parameter (times in ms)
 *
 * @param query Query, after the '?'
 * @param name  Parameter name
 * @param valp  Value, in and out (kept when absent)
 * @param max   Largest valid value
 *
 * @return 0 if absent or valid, EINVAL otherwise
 */
int api_query_u64(const struct pl *query, const char *name, uint64_t *valp,
		  uint64_t max)
{
	uint64_t v;
	int err;

	/* 15 digits: past the year 30000 in ms */
	err = query_digits(query, name, 15, &v);
	if (err == ENOENT)
		return 0;
	if (err)
		return EINVAL;

	if (v > max)
		return EINVAL;

	*valp = v;
	return 0;
}


/* User ids end up in SIP URIs: letters, digits and "-_.@" only. */
bool api_valid_id(const char *s)
{
	size_t n = 0;

	for (; *s; s++, n++) {
		const char c = *s;

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || strchr("-_.@", c)))
			return false;
	}

	return n > 0 && n < STORE_ID_SZ;
}


/* Free text: any UTF-8 but control characters. */
bool api_valid_text(const char *s)
{
	const char *p = s;

	for (; *p; p++) {
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			return false;
	}

	return jsonw_utf8_valid(s, (size_t)(p - s));
}


/*
 * Skill group and IVR menu names are path segments too: no '/', no
 * controls, and not "." or "..", which clients and proxies fold into the
 * path (RFC 3986 5.2.4), so that such a group could be made but never
 * reached again by its own URL.
 */
bool api_valid_name(const char *s)
{
	return s[0] && strlen(s) < STORE_NAME_SZ && api_valid_text(s) &&
		!strchr(s, '/') && strcmp(s, ".") && strcmp(s, "..");
}


/* Rest reasons are stored comma-separated: a name without commas that
 * fits the agent state's reason field. */
bool api_valid_reason(const char *s)
{
	return api_valid_name(s) && strlen(s) < API_REASON_SZ &&
		!strchr(s, ',');
}


/* 1-20 digits with an optional leading '+'. */
bool api_valid_number(const char *s)
{
	size_t n = 0;

	if (*s == '+')
		++s;

	for (; *s; s++, n++) {
		if (*s < '0' || *s > '9')
			return false;
	}

	return n >= 1 && n <= 20;
}


/* Extensions: 1-20 digits. */
bool api_valid_extension(const char *s)
{
	return s[0] != '+' && api_valid_number(s);
}


bool api_valid_password(const char *s)
{
	const size_t n = strlen(s);

	return n >= 1 && n <= 128 && api_valid_text(s);
}


/**
 * Compute a SIP digest HA1, lowercase hex MD5(user:realm:password)
 *
 * @param ha1      Returned hex digest
 * @param user     User name (extension or ephemeral user name)
 * @param realm    Digest realm
 * @param password Password
 *
 * @return 0 if success, otherwise errorcode
 */
int api_ha1(char ha1[STORE_HA1_SZ], const char *user, const char *realm,
	    const char *password)
{
	uint8_t md[16];
	int err;

	err = md5_printf(md, "%s:%s:%s", user, realm, password);
	if (err)
		return err;

	return re_snprintf(ha1, STORE_HA1_SZ, "%w", md, sizeof(md)) < 0
		? ENOMEM : 0;
}
