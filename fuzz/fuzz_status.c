/**
 * @file fuzz/fuzz_status.c  Agent status bodies (SIP MESSAGE)
 *
 * Copyright (C) 2026 The lianluo authors
 *
 * An input is a MESSAGE body, read both ways common/status_body.c reads
 * one: as a status request (the server, from an agent's SDK) and as a
 * status note (the SDK, from the server).  What decodes is written again
 * and must read back with the same status.
 */
#include <string.h>
#include <stdlib.h>
#include <re.h>
#include "common/log.h"
#include "common/status_body.h"
#include "config.h"
#include "store/store.h"
#include "fuzz.h"


int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;

	fuzz_init();

	return 0;
}


static void check_req(const char *p, size_t n)
{
	struct status_req req, back;
	char *enc = NULL;

	if (status_req_decode(&req, p, n))
		return;

	if (re_sdprintf(&enc, "%H", status_req_encode, &req))
		abort();

	if (status_req_decode(&back, enc, strlen(enc)) ||
	    back.query != req.query || strcmp(back.status, req.status) ||
	    back.arrange_s != req.arrange_s ||
	    back.after_call != req.after_call)
		abort();

	mem_deref(enc);
}


static void check_note(const char *p, size_t n)
{
	struct status_note note, back;
	char *enc = NULL;

	if (status_note_decode(&note, p, n))
		return;

	if (re_sdprintf(&enc, "%H", status_note_encode, &note))
		abort();

	if (status_note_decode(&back, enc, strlen(enc)) ||
	    strcmp(back.status, note.status) ||
	    strcmp(back.pending, note.pending) ||
	    back.since_ms != note.since_ms ||
	    back.arrange_until_ms != note.arrange_until_ms)
		abort();

	mem_deref(enc);
}


int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	check_req((const char *)data, size);
	check_note((const char *)data, size);

	return 0;
}
