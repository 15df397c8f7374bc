/**
 * @file test_status_body.c  Agent status bodies (common/status_body.c):
 *                           what the server and the SDK accept, and what
 *                           they refuse
 *
 * Copyright (C) 2026 The lianluo authors
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <string.h>
#include <stdlib.h>
#include <stdio.h>
#include <cmocka.h>
#include <re.h>
#include "common/status_body.h"


static int req_dec(struct status_req *req, const char *s)
{
	return status_req_decode(req, s, strlen(s));
}


static int note_dec(struct status_note *note, const char *s)
{
	return status_note_decode(note, s, strlen(s));
}


static void test_req_decode(void **state)
{
	struct status_req req;
	(void)state;

	assert_int_equal(0, req_dec(&req, "{\"status\":\"rest\","
				    "\"reason\":\"lunch\","
				    "\"after_call\":false}"));
	assert_false(req.query);
	assert_string_equal("rest", req.status);
	assert_string_equal("lunch", req.reason);
	assert_false(req.after_call);

	assert_int_equal(0, req_dec(&req, " {\"status\":\"arrange\","
				    "\"arrange_s\":60}\r\n"));
	assert_string_equal("arrange", req.status);
	assert_int_equal(60, req.arrange_s);

	assert_int_equal(0, req_dec(&req, "{\"status\":\"notReady\","
				    "\"after_call\":true,\"extra\":[1,2]}"));
	assert_string_equal("notReady", req.status);
	assert_true(req.after_call);

	/* {} asks; null fields count as absent */
	assert_int_equal(0, req_dec(&req, "{}"));
	assert_true(req.query);
	assert_int_equal(0, req_dec(&req, "{\"status\":\"free\","
				    "\"reason\":null}"));
	assert_string_equal("", req.reason);
}


static void test_req_hostile(void **state)
{
	struct status_req req;
	char *big, *deep;
	size_t i;
	(void)state;

	/* Not JSON, not an object, truncated */
	assert_int_equal(EBADMSG, req_dec(&req, ""));
	assert_int_equal(EBADMSG, req_dec(&req, "garbage"));
	assert_int_equal(EBADMSG, req_dec(&req, "[\"rest\"]"));
	assert_int_equal(EBADMSG, req_dec(&req, "\"rest\""));
	assert_int_equal(EBADMSG, req_dec(&req, "{\"status\":\"rest\""));
	assert_int_equal(EBADMSG, req_dec(&req, "{\"status\":\"re"));
	assert_int_equal(EINVAL, status_req_decode(NULL, "{}", 2));
	assert_int_equal(EMSGSIZE, status_req_decode(&req, NULL, 0));

	/* Unknown status, wrong types, out of range */
	assert_int_equal(EINVAL, req_dec(&req, "{\"status\":\"asleep\"}"));
	assert_int_equal(EINVAL, req_dec(&req, "{\"status\":\"Rest\"}"));
	assert_int_equal(EINVAL, req_dec(&req, "{\"status\":5}"));
	assert_int_equal(EINVAL, req_dec(&req, "{\"status\":[\"rest\"]}"));
	assert_int_equal(EINVAL, req_dec(&req, "{\"status\":\"rest\","
					 "\"reason\":7}"));
	assert_int_equal(EINVAL, req_dec(&req, "{\"status\":\"free\","
					 "\"after_call\":\"yes\"}"));
	assert_int_equal(EINVAL, req_dec(&req, "{\"status\":\"arrange\","
					 "\"arrange_s\":-1}"));
	assert_int_equal(EINVAL, req_dec(&req, "{\"status\":\"arrange\","
					 "\"arrange_s\":3601}"));
	assert_int_equal(EINVAL, req_dec(&req, "{\"status\":\"arrange\","
					 "\"arrange_s\":1.5}"));
	/* fields without a status are not a query */
	assert_int_equal(EINVAL, req_dec(&req, "{\"reason\":\"lunch\"}"));
	/* a reason that does not fit, or could end a header line */
	assert_int_equal(EINVAL, req_dec(&req, "{\"status\":\"rest\","
					 "\"reason\":\"a\\r\\nX: y\"}"));
	assert_int_equal(EINVAL, req_dec(&req, "{\"status\":\"rest\","
		"\"reason\":\"0123456789012345678901234567890123456789"
		"012345678901234567890123\"}"));

	/* Deep: refused at depth STATUS_BODY_DEPTH */
	assert_int_equal(EBADMSG, req_dec(&req, "{\"a\":{\"b\":{}}}"));
	deep = malloc(STATUS_BODY_MAX + 1);
	assert_non_null(deep);
	deep[0] = '{';
	deep[1] = '\0';
	for (i = 0; strlen(deep) + 6 < STATUS_BODY_MAX; i++)
		strcat(deep, "\"a\":{");
	assert_int_equal(EBADMSG, req_dec(&req, deep));
	memset(deep, '[', STATUS_BODY_MAX);
	deep[STATUS_BODY_MAX] = '\0';
	assert_int_equal(EBADMSG, req_dec(&req, deep));
	free(deep);

	/* Huge: refused before it is parsed */
	big = malloc(65536 + 1);
	assert_non_null(big);
	memset(big, ' ', 65536);
	memcpy(big, "{\"status\":\"free\"}", 17);
	big[65536] = '\0';
	assert_int_equal(EMSGSIZE, req_dec(&req, big));
	assert_int_equal(0, status_req_decode(&req, big, STATUS_BODY_MAX));
	free(big);

	/* A NUL inside */
	assert_int_not_equal(0, status_req_decode(&req,
						  "{\"status\":\"fr\0ee\"}", 18));
}


static void test_req_encode(void **state)
{
	struct status_req req, back;
	char buf[STATUS_BODY_MAX];
	(void)state;

	memset(&req, 0, sizeof(req));
	req.query = true;
	assert_true(re_snprintf(buf, sizeof(buf), "%H", status_req_encode,
				&req) > 0);
	assert_string_equal("{}", buf);

	memset(&req, 0, sizeof(req));
	str_ncpy(req.status, "rest", sizeof(req.status));
	str_ncpy(req.reason, "lunch \"break\"", sizeof(req.reason));
	req.after_call = true;
	assert_true(re_snprintf(buf, sizeof(buf), "%H", status_req_encode,
				&req) > 0);
	assert_int_equal(0, req_dec(&back, buf));
	assert_string_equal("rest", back.status);
	assert_string_equal("lunch \"break\"", back.reason);
	assert_true(back.after_call);

	memset(&req, 0, sizeof(req));
	str_ncpy(req.status, "arrange", sizeof(req.status));
	req.arrange_s = 90;
	assert_true(re_snprintf(buf, sizeof(buf), "%H", status_req_encode,
				&req) > 0);
	assert_int_equal(0, req_dec(&back, buf));
	assert_int_equal(90, back.arrange_s);
}


static void test_note(void **state)
{
	struct status_note note, back;
	char buf[STATUS_BODY_MAX];
	(void)state;

	assert_int_equal(0, note_dec(&note, "{\"status\":\"busy\","
				     "\"reason\":\"\",\"since_ms\":"
				     "1790000000123,\"pending\":\"notReady\","
				     "\"pending_reason\":\"\",\"actor\":"
				     "\"agent\",\"arrange_until_ms\":0}"));
	assert_string_equal("busy", note.status);
	assert_string_equal("notReady", note.pending);
	assert_string_equal("agent", note.actor);
	assert_true(note.since_ms == 1790000000123ULL);

	/* Round trip */
	memset(&note, 0, sizeof(note));
	str_ncpy(note.status, "rest", sizeof(note.status));
	str_ncpy(note.reason, "lunch", sizeof(note.reason));
	str_ncpy(note.actor, "AKIDabc", sizeof(note.actor));
	note.since_ms = 1;
	note.arrange_until_ms = 2;
	assert_true(re_snprintf(buf, sizeof(buf), "%H", status_note_encode,
				&note) > 0);
	assert_int_equal(0, note_dec(&back, buf));
	assert_memory_equal(&note, &back, sizeof(note));

	/* Hostile notes: no status, unknown ones, wrong types */
	assert_int_equal(EINVAL, note_dec(&note, "{}"));
	assert_int_equal(EINVAL, note_dec(&note, "{\"status\":\"dancing\"}"));
	assert_int_equal(EINVAL, note_dec(&note, "{\"status\":\"free\","
					  "\"pending\":\"x\"}"));
	assert_int_equal(EINVAL, note_dec(&note, "{\"status\":\"free\","
					  "\"since_ms\":\"now\"}"));
	assert_int_equal(EINVAL, note_dec(&note, "{\"status\":\"free\","
					  "\"since_ms\":-5}"));
	assert_int_equal(EINVAL, note_dec(&note, "{\"status\":\"free\","
					  "\"actor\":{}}"));
	assert_int_equal(EBADMSG, note_dec(&note, "{\"status\":\"free\""));
	assert_int_equal(EBADMSG, note_dec(&note, "\x01\x02\xff"));

	assert_true(status_name_ok("notReady"));
	assert_false(status_name_ok("notready"));
	assert_false(status_name_ok(NULL));
}


/*
 * A reason that is not UTF-8 is refused: the server wrote it back with
 * U+FFFD for each bad byte, longer than the SDK takes, so the agent's
 * status note was refused.  Found by fuzz_status
 * (fuzz/corpus/status/regress-reason-not-utf8).
 */
static void test_not_utf8(void **state)
{
	struct status_req req;
	struct status_note note;
	(void)state;

	assert_int_equal(EINVAL, req_dec(&req, "{\"status\":\"rest\","
					 "\"reason\":\"lunch\xd3\"}"));
	assert_int_equal(EINVAL, note_dec(&note, "{\"status\":\"busy\","
					  "\"reason\":\"b\xd3\xd3\xd3\"}"));
	assert_int_equal(EINVAL, note_dec(&note, "{\"status\":\"busy\","
					  "\"actor\":\"\xed\xa0\x80\"}"));

	/* UTF-8 is fine, at the size limit too */
	assert_int_equal(0, req_dec(&req, "{\"status\":\"rest\",\"reason\":"
				    "\"\xe5\x8d\x88\xe9\xa5\xad\"}"));
	assert_string_equal("\xe5\x8d\x88\xe9\xa5\xad", req.reason);
}


int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_req_decode),
		cmocka_unit_test(test_req_hostile),
		cmocka_unit_test(test_req_encode),
		cmocka_unit_test(test_note),
		cmocka_unit_test(test_not_utf8),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
