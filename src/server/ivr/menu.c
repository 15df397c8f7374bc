/**
 * @file ivr/menu.c  IVR menu spec: JSON to struct ivr_menu, validated
 *
 * Copyright (C) 2026 The lianluo authors
 *
 * A spec is checked whole when it is configured, so that a call never
 * meets a menu it can not run.  Everything unknown is refused rather than
 * ignored: a misspelt "timout_s" would otherwise leave the default in
 * force without anyone noticing.  Prompt names become file names in the
 * prompt directory, so they are held to letters, digits, '-' and '_':
 * no separator, no dot, hence no way out of the directory.
 *
 * Whether the groups and sub-menus named exist is the caller's question
 * (the API asks the store); this file is pure.
 */
#include <string.h>
#include <re.h>
#include "common/jsonw.h"
#include "ivr/ivr.h"


enum {
	DEFAULT_TIMEOUT_S = 5,
	DEFAULT_TRIES     = 3,
	MENU_HASH_SIZE    = 16,
};

static const char option_keys[] = "0123456789*#";


/* Sets the message; always returns EINVAL so callers can return it. */
static int bad(char *errbuf, size_t errsz, const char *fmt, ...)
{
	va_list ap;

	if (errbuf && errsz) {
		va_start(ap, fmt);
		(void)re_vsnprintf(errbuf, errsz, fmt, ap);
		va_end(ap);
	}

	return EINVAL;
}


/**
 * Whether a prompt name may be used: 1-64 of [A-Za-z0-9_-]
 */
bool ivr_prompt_name_valid(const char *s)
{
	size_t n = 0;

	if (!s)
		return false;

	for (; *s; s++, n++) {
		const char c = *s;

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '-' || c == '_'))
			return false;
	}

	return n > 0 && n < IVR_PROMPT_SZ;
}


/* Group and menu names as the API accepts them: UTF-8, no '/', no
 * controls. */
static bool target_name_valid(const char *s)
{
	const char *p = s;
	size_t n = 0;

	for (; *p; p++, n++) {
		if ((unsigned char)*p < 0x20 || *p == 0x7f || *p == '/')
			return false;
	}

	return n > 0 && n < IVR_NAME_SZ && jsonw_utf8_valid(s, n);
}


static int get_prompt(char *buf, const struct odict_entry *e,
		      char *errbuf, size_t errsz)
{
	if (e->type != ODICT_STRING)
		return bad(errbuf, errsz, "'%s' must be a string", e->key);

	if (!ivr_prompt_name_valid(e->u.str))
		return bad(errbuf, errsz, "'%s' must be a prompt name: 1-64 "
			   "letters, digits, '-' or '_', no path", e->key);

	str_ncpy(buf, e->u.str, IVR_PROMPT_SZ);
	return 0;
}


static int get_uint(uint32_t *valp, const struct odict_entry *e,
		    uint32_t min, uint32_t max, char *errbuf, size_t errsz)
{
	if (e->type != ODICT_INT || e->u.integer < min ||
	    e->u.integer > max)
		return bad(errbuf, errsz, "'%s' must be an integer from %u "
			   "to %u", e->key, min, max);

	*valp = (uint32_t)e->u.integer;
	return 0;
}


static bool key_valid(const char *key)
{
	return key[0] && !key[1] && strchr(option_keys, key[0]);
}


static int option_decode(struct ivr_option *opt, const struct odict_entry *oe,
			 char *errbuf, size_t errsz)
{
	const struct odict *od;
	unsigned kinds = 0;
	bool has_priority = false;
	struct le *le;

	if (oe->type != ODICT_OBJECT)
		return bad(errbuf, errsz, "option '%s' must be an object",
			   oe->key);

	od = oe->u.odict;
	memset(opt, 0, sizeof(*opt));
	opt->key = oe->key[0];
	opt->priority = -1;

	for (le = od->lst.head; le; le = le->next) {
		const struct odict_entry *e = le->data;

		if (!strcmp(e->key, "group") || !strcmp(e->key, "menu")) {
			if (e->type != ODICT_STRING ||
			    !target_name_valid(e->u.str))
				return bad(errbuf, errsz, "option '%c': '%s' "
					   "must be a name", opt->key,
					   e->key);

			opt->action = e->key[0] == 'g' ? IVR_ACT_GROUP :
				IVR_ACT_MENU;
			str_ncpy(opt->target, e->u.str, sizeof(opt->target));
			++kinds;
		}
		else if (!strcmp(e->key, "hangup")) {
			if (e->type != ODICT_BOOL || !e->u.boolean)
				return bad(errbuf, errsz, "option '%c': "
					   "'hangup' must be true", opt->key);

			opt->action = IVR_ACT_HANGUP;
			++kinds;
		}
		else if (!strcmp(e->key, "priority")) {
			uint32_t prio = 0;
			int err;

			err = get_uint(&prio, e, 0, IVR_PRIORITY_MAX, errbuf,
				       errsz);
			if (err)
				return err;

			opt->priority = (int32_t)prio;
			has_priority = true;
		}
		else {
			return bad(errbuf, errsz, "option '%c': unknown "
				   "field '%s'", opt->key, e->key);
		}
	}

	if (kinds != 1)
		return bad(errbuf, errsz, "option '%c' needs exactly one of "
			   "'group', 'menu' or 'hangup'", opt->key);

	if (has_priority && opt->action != IVR_ACT_GROUP)
		return bad(errbuf, errsz, "option '%c': 'priority' goes with "
			   "'group' only", opt->key);

	return 0;
}


static int options_decode(struct ivr_menu *m, const struct odict_entry *oe,
			  char *errbuf, size_t errsz)
{
	struct le *le;

	if (oe->type != ODICT_OBJECT)
		return bad(errbuf, errsz, "'options' must be an object");

	for (le = oe->u.odict->lst.head; le; le = le->next) {
		const struct odict_entry *e = le->data;
		int err;

		if (!key_valid(e->key))
			return bad(errbuf, errsz, "option keys are one of "
				   "0-9, '*' or '#'");

		if (ivr_menu_option(m, e->key[0]))
			return bad(errbuf, errsz, "option '%c' is given "
				   "twice", e->key[0]);

		if (m->optc >= IVR_OPTIONS_MAX)
			return bad(errbuf, errsz, "too many options");

		err = option_decode(&m->optv[m->optc], e, errbuf, errsz);
		if (err)
			return err;

		++m->optc;
	}

	if (!m->optc)
		return bad(errbuf, errsz, "'options' must not be empty");

	return 0;
}


/* Top-level fields, each at most once (JSON allows repeats; we do not). */
static const char *const fieldv[] = {
	"prompt", "invalid_prompt", "timeout_s", "max_tries", "fallback",
	"options",
};


static int field_decode(struct ivr_menu *m, const struct odict_entry *e,
			char *errbuf, size_t errsz)
{
	if (!strcmp(e->key, "prompt"))
		return get_prompt(m->prompt, e, errbuf, errsz);

	if (!strcmp(e->key, "invalid_prompt"))
		return get_prompt(m->invalid_prompt, e, errbuf, errsz);

	if (!strcmp(e->key, "timeout_s"))
		return get_uint(&m->timeout_s, e, 1, IVR_TIMEOUT_MAX_S,
				errbuf, errsz);

	if (!strcmp(e->key, "max_tries"))
		return get_uint(&m->max_tries, e, 1, IVR_TRIES_MAX, errbuf,
				errsz);

	if (!strcmp(e->key, "fallback")) {
		if (e->type != ODICT_STRING || !key_valid(e->u.str))
			return bad(errbuf, errsz, "'fallback' must be an "
				   "option key");
		m->fallback = e->u.str[0];
		return 0;
	}

	return options_decode(m, e, errbuf, errsz);
}


/**
 * Decode and validate an IVR menu spec
 *
 * @param m      Returned menu
 * @param json   The spec, a JSON object
 * @param len    Its length in bytes (at most IVR_SPEC_MAX)
 * @param errbuf Buffer for what is wrong, for the operator (may be NULL)
 * @param errsz  Size of errbuf
 *
 * @return 0 if success, EINVAL if the spec is not valid, EFBIG if too
 *         large, ENOMEM
 */
int ivr_menu_decode(struct ivr_menu *m, const char *json, size_t len,
		    char *errbuf, size_t errsz)
{
	struct odict *od = NULL;
	bool seen[ARRAY_SIZE(fieldv)] = {false};
	struct le *le;
	int err;

	if (!m || !json)
		return EINVAL;

	if (errbuf && errsz)
		errbuf[0] = '\0';

	if (len > IVR_SPEC_MAX) {
		(void)bad(errbuf, errsz, "the spec is larger than %u bytes",
			  IVR_SPEC_MAX);
		return EFBIG;
	}

	/* A NUL, raw or escaped, would cut a name short after decoding:
	 * "a\u0000/../x" must not pass as "a". */
	if (memchr(json, '\0', len) || jsonw_nul_escaped(json, len))
		return bad(errbuf, errsz, "the spec must not contain NUL");

	memset(m, 0, sizeof(*m));
	m->timeout_s = DEFAULT_TIMEOUT_S;
	m->max_tries = DEFAULT_TRIES;

	err = json_decode_odict(&od, MENU_HASH_SIZE, json, len,
				IVR_JSON_DEPTH);
	if (err == ENOMEM)
		return err;
	if (err || !od)
		return bad(errbuf, errsz, "the spec must be a JSON object, "
			   "nested at most %u deep", IVR_JSON_DEPTH);

	/* json_decode_odict accepts a top-level array too */
	for (le = od->lst.head; le; le = le->next) {
		const struct odict_entry *e = le->data;
		size_t i;

		for (i = 0; i < ARRAY_SIZE(fieldv); i++) {
			if (!strcmp(e->key, fieldv[i]))
				break;
		}

		if (i == ARRAY_SIZE(fieldv)) {
			err = bad(errbuf, errsz, "unknown field '%s'",
				  e->key);
			goto out;
		}
		if (seen[i]) {
			err = bad(errbuf, errsz, "'%s' is given twice",
				  fieldv[i]);
			goto out;
		}
		seen[i] = true;

		err = field_decode(m, e, errbuf, errsz);
		if (err)
			goto out;
	}

	if (!m->prompt[0]) {
		err = bad(errbuf, errsz, "missing field 'prompt'");
		goto out;
	}
	if (!m->optc) {
		err = bad(errbuf, errsz, "missing field 'options'");
		goto out;
	}
	if (m->fallback && !ivr_menu_option(m, m->fallback)) {
		err = bad(errbuf, errsz, "'fallback' names no option");
		goto out;
	}

 out:
	mem_deref(od);
	return err;
}


/**
 * Find the option of a key
 *
 * @return the option, or NULL if the key is not one of the menu's
 */
const struct ivr_option *ivr_menu_option(const struct ivr_menu *m, char key)
{
	size_t i;

	if (!m || !key)
		return NULL;

	for (i = 0; i < m->optc; i++) {
		if (m->optv[i].key == key)
			return &m->optv[i];
	}

	return NULL;
}


const char *ivr_action_str(enum ivr_action act)
{
	switch (act) {

	case IVR_ACT_GROUP:  return "group";
	case IVR_ACT_MENU:   return "menu";
	case IVR_ACT_HANGUP: return "hangup";
	}

	return "?";
}


/**
 * Print a menu as its canonical JSON spec (what the store keeps)
 *
 * @param pf  Print function
 * @param m   Menu, as ivr_menu_decode returned it
 *
 * @return 0 if success, otherwise errorcode
 */
int ivr_menu_encode(struct re_printf *pf, const struct ivr_menu *m)
{
	char key[2] = {0, 0};
	int err;
	size_t i;

	if (!m)
		return EINVAL;

	err = re_hprintf(pf, "{\"prompt\":%H", jsonw_str, m->prompt);
	if (m->invalid_prompt[0])
		err |= re_hprintf(pf, ",\"invalid_prompt\":%H", jsonw_str,
				  m->invalid_prompt);
	err |= re_hprintf(pf, ",\"timeout_s\":%u,\"max_tries\":%u",
			  m->timeout_s, m->max_tries);
	if (m->fallback) {
		key[0] = m->fallback;
		err |= re_hprintf(pf, ",\"fallback\":%H", jsonw_str, key);
	}
	err |= re_hprintf(pf, ",\"options\":{");

	for (i = 0; i < m->optc; i++) {
		const struct ivr_option *o = &m->optv[i];

		key[0] = o->key;
		err |= re_hprintf(pf, "%s%H:{", i ? "," : "", jsonw_str, key);

		switch (o->action) {

		case IVR_ACT_GROUP:
			err |= re_hprintf(pf, "\"group\":%H", jsonw_str,
					  o->target);
			if (o->priority >= 0)
				err |= re_hprintf(pf, ",\"priority\":%d",
						  o->priority);
			break;

		case IVR_ACT_MENU:
			err |= re_hprintf(pf, "\"menu\":%H", jsonw_str,
					  o->target);
			break;

		case IVR_ACT_HANGUP:
			err |= re_hprintf(pf, "\"hangup\":true");
			break;
		}

		err |= re_hprintf(pf, "}");
	}

	err |= re_hprintf(pf, "}}");

	return err ? ENOMEM : 0;
}
