/**
 * @file common/jsonw.c  Writing JSON with libre's printers
 *
 * Copyright (C) 2026 The lianluo authors
 */
#include <string.h>
#include <re.h>
#include "common/jsonw.h"


/*
 * Length of the valid UTF-8 sequence at p (at most n bytes), or 0 when the
 * bytes there are not valid UTF-8 (RFC 3629: no overlong forms, no
 * surrogates, nothing above U+10FFFF).
 */
static size_t utf8_len(const uint8_t *p, size_t n)
{
	size_t len, i;
	uint32_t cp;

	if (p[0] < 0x80)
		return 1;
	else if ((p[0] & 0xe0) == 0xc0) {
		len = 2;
		cp = p[0] & 0x1f;
	}
	else if ((p[0] & 0xf0) == 0xe0) {
		len = 3;
		cp = p[0] & 0x0f;
	}
	else if ((p[0] & 0xf8) == 0xf0) {
		len = 4;
		cp = p[0] & 0x07;
	}
	else
		return 0;

	if (len > n)
		return 0;

	for (i = 1; i < len; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (p[i] & 0x3f);
	}

	if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) ||
	    (len == 4 && cp < 0x10000))
		return 0;
	if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;

	return len;
}


/**
 * Whether p is valid UTF-8 throughout, i.e. the printers here write it as
 * it is (a string that is not would be read back with U+FFFD in it).
 *
 * @param p  Bytes
 * @param n  Their number
 *
 * @return true if valid UTF-8
 */
bool jsonw_utf8_valid(const char *p, size_t n)
{
	const uint8_t *s = (const uint8_t *)p;
	size_t i = 0;

	while (i < n) {
		const size_t len = utf8_len(s + i, n - i);

		if (!len)
			return false;
		i += len;
	}

	return true;
}


/**
 * Print a JSON string value (with quotes) from n bytes
 *
 * @param pf Print handler
 * @param p  The bytes (NULL prints null)
 * @param n  Number of bytes
 *
 * @return 0 if success, otherwise errorcode
 */
int jsonw_strn(struct re_printf *pf, const char *p, size_t n)
{
	const uint8_t *s = (const uint8_t *)p;
	size_t i = 0, run = 0;
	int err;

	if (!pf)
		return EINVAL;

	if (!p)
		return re_hprintf(pf, "null");

	err = pf->vph("\"", 1, pf->arg);

	while (!err && i < n) {
		const char *esc = NULL;
		char ubuf[8];
		size_t len;

		switch (s[i]) {

		case '"':  esc = "\\\""; break;
		case '\\': esc = "\\\\"; break;
		case '\b': esc = "\\b";  break;
		case '\f': esc = "\\f";  break;
		case '\n': esc = "\\n";  break;
		case '\r': esc = "\\r";  break;
		case '\t': esc = "\\t";  break;
		default:
			break;
		}

		if (!esc && s[i] < 0x20) {
			(void)re_snprintf(ubuf, sizeof(ubuf), "\\u%04x", s[i]);
			esc = ubuf;
		}

		len = esc ? 0 : utf8_len(s + i, n - i);
		if (!esc && !len)
			esc = "\\ufffd";

		if (!esc) {
			run += len;
			i += len;
			continue;
		}

		if (run)
			err = pf->vph(p + i - run, run, pf->arg);
		run = 0;
		if (!err)
			err = pf->vph(esc, strlen(esc), pf->arg);
		++i;
	}

	if (!err && run)
		err = pf->vph(p + i - run, run, pf->arg);
	if (!err)
		err = pf->vph("\"", 1, pf->arg);

	return err;
}


/**
 * Print a NUL-terminated string as a JSON string value
 *
 * @param pf  Print handler
 * @param str The string (NULL prints null)
 *
 * @return 0 if success, otherwise errorcode
 */
int jsonw_str(struct re_printf *pf, const char *str)
{
	return jsonw_strn(pf, str, str ? strlen(str) : 0);
}


/**
 * Print a pointer-length string as a JSON string value
 *
 * @param pf Print handler
 * @param pl The string (NULL or unset prints null)
 *
 * @return 0 if success, otherwise errorcode
 */
int jsonw_pl(struct re_printf *pf, const struct pl *pl)
{
	if (!pl || !pl->p)
		return jsonw_strn(pf, NULL, 0);

	return jsonw_strn(pf, pl->p, pl->l);
}


/**
 * Print a JSON boolean
 *
 * @param pf  Print handler
 * @param val The value (NULL prints null)
 *
 * @return 0 if success, otherwise errorcode
 */
int jsonw_bool(struct re_printf *pf, const bool *val)
{
	if (!val)
		return re_hprintf(pf, "null");

	return re_hprintf(pf, "%s", *val ? "true" : "false");
}


/**
 * True if JSON text escapes a NUL (\u0000) in a string: libre's decoder
 * would cut the string there ("supervisor\u0000x" reads "supervisor").
 * An escape is a backslash after an even number of backslashes, so the
 * text \\u0000 (an escaped backslash, then "u0000") is no NUL.
 *
 * @param json  JSON text
 * @param n     Its length
 */
bool jsonw_nul_escaped(const char *json, size_t n)
{
	for (size_t i = 0; json && i + 6 <= n; i++) {
		size_t bs = 0;

		if (json[i] != '\\' ||
		    (json[i + 1] != 'u' && json[i + 1] != 'U') ||
		    memcmp(json + i + 2, "0000", 4))
			continue;

		while (bs < i && json[i - 1 - bs] == '\\')
			++bs;
		if (bs % 2 == 0)
			return true;
	}

	return false;
}
