/**
 * @file sdk/audio/driver.c  Audio driver table
 *
 * Copyright (C) 2026 The lianluo authors
 */
#include <re.h>
#include "common/media_sdp.h"
#include "audio.h"


static const struct ll__audrv *drivers[] = {
	&ll__audrv_file,
	&ll__audrv_null,
	&ll__audrv_alsa,
};


/**
 * Find an audio driver by name
 *
 * @param name  "file", "null" or "alsa"
 *
 * @return The driver, or NULL if there is none by that name
 */
const struct ll__audrv *ll__audrv_find(const char *name)
{
	if (!name)
		return NULL;

	for (size_t i = 0; i < ARRAY_SIZE(drivers); i++) {
		if (!str_casecmp(drivers[i]->name, name))
			return drivers[i];
	}

	return NULL;
}
