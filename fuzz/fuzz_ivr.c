/**
 * @file fuzz/fuzz_ivr.c  IVR menu specs (PUT /v1/ivr-menus/{name})
 *
 * Copyright (C) 2026 The lianluo authors
 *
 * An input is a menu's JSON spec, read by ivr/menu.c as the API reads it
 * before storing it and the SIP front end before running it.  A menu that
 * decodes is written again and must decode to the same menu.
 */
#include <string.h>
#include <stdlib.h>
#include <re.h>
#include "common/log.h"
#include "config.h"
#include "store/store.h"
#include "ivr/ivr.h"
#include "fuzz.h"


int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;

	fuzz_init();

	return 0;
}


int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ivr_menu m, back;
	char errbuf[IVR_ERR_SZ];
	char *enc = NULL;

	if (ivr_menu_decode(&m, (const char *)data, size, errbuf,
			    sizeof(errbuf))) {
		/* A refusal always says why (the API returns it). */
		if (!errbuf[0] || !memchr(errbuf, '\0', sizeof(errbuf)))
			abort();
		return 0;
	}

	for (size_t i = 0; i < m.optc; i++) {
		if (ivr_menu_option(&m, m.optv[i].key) != &m.optv[i])
			abort();
	}

	if (re_sdprintf(&enc, "%H", ivr_menu_encode, &m))
		abort();

	if (ivr_menu_decode(&back, enc, strlen(enc), errbuf,
			    sizeof(errbuf)) ||
	    strcmp(back.prompt, m.prompt) || back.optc != m.optc ||
	    back.timeout_s != m.timeout_s || back.max_tries != m.max_tries ||
	    back.fallback != m.fallback)
		abort();

	mem_deref(enc);

	return 0;
}
