/**
 * @file media/promptset.c  Named prompts loaded from a directory
 *
 * Copyright (C) 2026 The lianluo authors
 *
 * A prompt is referred to by name, the file DIR/NAME.wav.  All of a set is
 * loaded at start-up, so a missing or malformed file stops the server with
 * its name instead of leaving a caller in silence later, and a call never
 * waits for the disk.
 */
#include <string.h>
#include <re.h>
#include "common/log.h"
#include "common/media_sdp.h"
#include "media/media.h"


struct media_promptset {
	const char * const *namev;       /* the caller's static names */
	struct media_prompt **promptv;
	size_t promptc;
};


static void destructor(void *arg)
{
	struct media_promptset *ps = arg;

	for (size_t i = 0; i < ps->promptc; i++)
		mem_deref(ps->promptv[i]);
	mem_deref(ps->promptv);
}


/**
 * Load DIR/NAME.wav for every name.
 *
 * @param psp    Returned set
 * @param dir    Directory
 * @param namev  Names; must outlive the set (static strings)
 * @param namec  Number of names
 *
 * @return 0 if success, otherwise the error of the first file that failed
 */
int media_promptset_load(struct media_promptset **psp, const char *dir,
			 const char * const *namev, size_t namec)
{
	struct media_promptset *ps;
	int err = 0;

	if (!psp || !dir || !namev)
		return EINVAL;

	ps = mem_zalloc(sizeof(*ps), destructor);
	if (!ps)
		return ENOMEM;

	ps->namev = namev;
	ps->promptv = mem_zalloc(namec * sizeof(*ps->promptv) + 1, NULL);
	if (!ps->promptv) {
		err = ENOMEM;
		goto out;
	}

	for (size_t i = 0; i < namec; i++) {
		char path[512];

		if (re_snprintf(path, sizeof(path), "%s/%s.wav", dir,
				namev[i]) < 0) {
			err = ENAMETOOLONG;
			goto out;
		}

		err = media_prompt_load(&ps->promptv[i], path);
		if (err) {
			log_error("media: prompt %s: %m", path, err);
			goto out;
		}
		ps->promptc = i + 1;
	}

 out:
	if (err)
		mem_deref(ps);
	else
		*psp = ps;

	return err;
}


/**
 * The prompt of this name, or NULL when the set has none.
 */
const struct media_prompt *media_promptset_get(
	const struct media_promptset *ps, const char *name)
{
	if (!ps || !name)
		return NULL;

	for (size_t i = 0; i < ps->promptc; i++) {
		if (0 == strcmp(ps->namev[i], name))
			return ps->promptv[i];
	}

	return NULL;
}
