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

	err = json_decode_odict(odp, 16, (const char *)req->body,
				req->body_len, API_JSON_DEPTH);
	if (err) {
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
	for (; *s; s++) {
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return false;
	}

	return true;
}


/* Skill group names are path segments too: no '/', no controls. */
bool api_valid_name(const char *s)
{
	return s[0] && strlen(s) < STORE_NAME_SZ && api_valid_text(s) &&
		!strchr(s, '/');
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
