/**
 * @file common/status_body.c  Agent status bodies carried in SIP MESSAGE
 *
 * Copyright (C) 2026 The lianluo authors
 *
 * A body is a JSON object of at most STATUS_BODY_MAX bytes, nested one
 * level deep at most (STATUS_BODY_DEPTH).  Fields
 * we do not know are ignored (a newer peer may add some); a known field
 * of the wrong type, a string that does not fit or holds a control
 * character, or a status name that is not one of TCCC's six is an error.
 */
#include <string.h>
#include <re.h>
#include "common/jsonw.h"
#include "common/status_body.h"


static const char * const names[] = {
	"offline", "free", "busy", "arrange", "notReady", "rest",
};


/** True when name is one of the six agent statuses, as TCCC spells it. */
bool status_name_ok(const char *name)
{
	size_t i;

	if (!name)
		return false;

	for (i = 0; i < ARRAY_SIZE(names); i++) {
		if (!strcmp(name, names[i]))
			return true;
	}

	return false;
}


static int body_decode(struct odict **odp, const char *p, size_t n)
{
	size_t i = 0;

	if (!p || n > STATUS_BODY_MAX)
		return EMSGSIZE;

	while (i < n && strchr(" \t\r\n", p[i]) && p[i])
		++i;

	if (i == n || p[i] != '{')
		return EBADMSG;

	return json_decode_odict(odp, 8, p, n, STATUS_BODY_DEPTH) ?
		EBADMSG : 0;
}


/* A string field into buf; absent or null leaves "". */
static int get_str(const struct odict *od, const char *key, char *buf,
		   size_t sz)
{
	const struct odict_entry *e = odict_lookup(od, key);
	size_t i, len;

	buf[0] = '\0';

	if (!e || e->type == ODICT_NULL)
		return 0;

	if (e->type != ODICT_STRING)
		return EINVAL;

	len = strlen(e->u.str);
	if (len >= sz)
		return EINVAL;

	for (i = 0; i < len; i++) {
		if ((unsigned char)e->u.str[i] < 0x20 || e->u.str[i] == 0x7f)
			return EINVAL;
	}

	/* What we would write back as U+FFFD, and longer */
	if (!jsonw_utf8_valid(e->u.str, len))
		return EINVAL;

	memcpy(buf, e->u.str, len + 1);

	return 0;
}


static int get_u64(const struct odict *od, const char *key, uint64_t max,
		   uint64_t *val)
{
	const struct odict_entry *e = odict_lookup(od, key);

	*val = 0;

	if (!e || e->type == ODICT_NULL)
		return 0;

	if (e->type != ODICT_INT || e->u.integer < 0 ||
	    (uint64_t)e->u.integer > max)
		return EINVAL;

	*val = (uint64_t)e->u.integer;

	return 0;
}


static int get_bool(const struct odict *od, const char *key, bool *val)
{
	const struct odict_entry *e = odict_lookup(od, key);

	*val = false;

	if (!e || e->type == ODICT_NULL)
		return 0;

	if (e->type != ODICT_BOOL)
		return EINVAL;

	*val = e->u.boolean;

	return 0;
}


/**
 * Decode a status request (SDK -> server)
 *
 * @param req  Returned request
 * @param p    Body
 * @param n    Its length
 *
 * @return 0 if success, EMSGSIZE if too long, EBADMSG if not a JSON
 *         object, EINVAL for a field of the wrong type or an unknown
 *         status name
 */
int status_req_decode(struct status_req *req, const char *p, size_t n)
{
	struct odict *od = NULL;
	uint64_t arrange_s;
	int err;

	if (!req)
		return EINVAL;

	memset(req, 0, sizeof(*req));

	err = body_decode(&od, p, n);
	if (err)
		return err;

	err  = get_str(od, "status", req->status, sizeof(req->status));
	err |= get_str(od, "reason", req->reason, sizeof(req->reason));
	err |= get_u64(od, "arrange_s", STATUS_ARRANGE_MAX_S, &arrange_s);
	err |= get_bool(od, "after_call", &req->after_call);
	if (err) {
		err = EINVAL;
		goto out;
	}

	req->arrange_s = (uint32_t)arrange_s;

	if (!req->status[0]) {
		/* Only an empty object asks; anything else is a mistake. */
		req->query = odict_count(od, false) == 0;
		err = req->query ? 0 : EINVAL;
		goto out;
	}

	if (!status_name_ok(req->status))
		err = EINVAL;

 out:
	mem_deref(od);
	return err;
}


/** Print a status request as its JSON body ("%H"). */
int status_req_encode(struct re_printf *pf, const struct status_req *req)
{
	int err;

	if (!req)
		return EINVAL;

	if (req->query || !req->status[0])
		return re_hprintf(pf, "{}");

	err = re_hprintf(pf, "{\"status\":%H", jsonw_str, req->status);
	if (req->reason[0])
		err |= re_hprintf(pf, ",\"reason\":%H", jsonw_str,
				  req->reason);
	if (req->arrange_s)
		err |= re_hprintf(pf, ",\"arrange_s\":%u", req->arrange_s);
	err |= re_hprintf(pf, ",\"after_call\":%H}", jsonw_bool,
			  &req->after_call);

	return err;
}


/**
 * Decode a status note (server -> SDK)
 *
 * @param note  Returned note
 * @param p     Body
 * @param n     Its length
 *
 * @return 0 if success, EMSGSIZE if too long, EBADMSG if not a JSON
 *         object, EINVAL for a field of the wrong type, a missing or
 *         unknown status or an unknown pending status
 */
int status_note_decode(struct status_note *note, const char *p, size_t n)
{
	struct odict *od = NULL;
	int err;

	if (!note)
		return EINVAL;

	memset(note, 0, sizeof(*note));

	err = body_decode(&od, p, n);
	if (err)
		return err;

	err  = get_str(od, "status", note->status, sizeof(note->status));
	err |= get_str(od, "reason", note->reason, sizeof(note->reason));
	err |= get_str(od, "pending", note->pending, sizeof(note->pending));
	err |= get_str(od, "pending_reason", note->pending_reason,
		       sizeof(note->pending_reason));
	err |= get_str(od, "actor", note->actor, sizeof(note->actor));
	err |= get_u64(od, "since_ms", INT64_MAX, &note->since_ms);
	err |= get_u64(od, "arrange_until_ms", INT64_MAX,
		       &note->arrange_until_ms);
	if (err)
		err = EINVAL;
	else if (!status_name_ok(note->status))
		err = EINVAL;
	else if (note->pending[0] && !status_name_ok(note->pending))
		err = EINVAL;

	mem_deref(od);
	return err;
}


/** Print a status note as its JSON body ("%H"). */
int status_note_encode(struct re_printf *pf, const struct status_note *note)
{
	if (!note)
		return EINVAL;

	return re_hprintf(pf, "{\"status\":%H,\"reason\":%H,\"since_ms\":%llu,"
			  "\"pending\":%H,\"pending_reason\":%H,"
			  "\"actor\":%H,\"arrange_until_ms\":%llu}",
			  jsonw_str, note->status, jsonw_str, note->reason,
			  note->since_ms, jsonw_str, note->pending,
			  jsonw_str, note->pending_reason, jsonw_str,
			  note->actor, note->arrange_until_ms);
}
