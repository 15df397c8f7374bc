/**
 * @file fuzz/fuzz_config.c  lianluod's configuration file
 *
 * Copyright (C) 2026 The lianluo authors
 *
 * An input is a configuration file (config_load_file reads a path, so the
 * input is written to a temporary file first), read over the defaults.
 */
#include <string.h>
#include <stdlib.h>
#include <re.h>
#include "common/log.h"
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


int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct config cfg;
	const char *path;

	path = fuzz_file_write(data, size);
	if (!path)
		return 0;

	config_defaults(&cfg);
	if (config_load_file(&cfg, path))
		return 0;

	/* Strings stay terminated, whatever the lines were. */
	if (!memchr(cfg.data_dir, '\0', sizeof(cfg.data_dir)) ||
	    !memchr(cfg.trunk_uri, '\0', sizeof(cfg.trunk_uri)) ||
	    !memchr(cfg.realm, '\0', sizeof(cfg.realm)) ||
	    !memchr(cfg.prompt_dir, '\0', sizeof(cfg.prompt_dir)))
		abort();

	return 0;
}
