/**
 * @file sdk/log.c  The SDK's log settings and log files
 *
 * Copyright (C) 2026 The lianluo authors
 *
 * Lines come from common/log, already masked (phone numbers); the SDK
 * never passes a token, password, HA1 or Authorization header to it.
 * Files written are remembered for the life of the process, so that a
 * withdrawal of consent deletes them even after the instance is gone
 * (DESIGN.md, rule 7).  The settings belong to the shared instance and
 * are reset when it is destroyed.
 */
#include <string.h>
#include <stdio.h>
#include <fcntl.h>
#include <unistd.h>
#include <pthread.h>
#include <sys/stat.h>
#include <re.h>
#include "lianluo/lianluo.h"
#include "common/log.h"
#include "common/media_sdp.h"
#include "audio/stream.h"
#include "sdk.h"
#include "privacy.h"


enum {
	PATH_SZ    = 512,
	FILES_MAX  = 16,
};

static const char log_name[] = "liblianluo.log";

/* Guarded by file_lock; the sink itself runs under common/log's lock. */
static pthread_mutex_t file_lock = PTHREAD_MUTEX_INITIALIZER;
static int log_fd = -1;
static char log_dir[PATH_SZ];             /* as the app set it */
static char written[FILES_MAX][PATH_SZ];   /* files to delete */
static char made_dirs[FILES_MAX][PATH_SZ]; /* directories we created */


static void sink_handler(enum log_level level, const char *line, void *arg)
{
	const int fd = (int)(intptr_t)arg;
	size_t n = strlen(line);
	(void)level;

	/* Best effort: a full disk must not disturb a call. */
	if (write(fd, line, n) != (ssize_t)n)
		return;
	if (write(fd, "\n", 1) != 1)
		return;
}


static void remember(char tab[FILES_MAX][PATH_SZ], const char *path)
{
	size_t i;

	for (i = 0; i < FILES_MAX; i++) {
		if (!strcmp(tab[i], path))
			return;
		if (!tab[i][0]) {
			str_ncpy(tab[i], path, PATH_SZ);
			return;
		}
	}
}


static void file_close(void)
{
	log_set_sink(NULL, NULL);

	pthread_mutex_lock(&file_lock);
	if (log_fd >= 0)
		(void)close(log_fd);
	log_fd = -1;
	pthread_mutex_unlock(&file_lock);
}


LL_API int ll_set_log_level(struct ll_sdk *sdk, enum ll_log_level level)
{
	enum log_level l;
	int err;

	err = ll__gate(sdk);
	if (err)
		return err;

	switch (level) {

	case LL_LOG_DEBUG: l = LOG_LEVEL_DEBUG; break;
	case LL_LOG_INFO:  l = LOG_LEVEL_INFO;  break;
	case LL_LOG_WARN:  l = LOG_LEVEL_WARN;  break;
	case LL_LOG_ERROR: l = LOG_LEVEL_ERROR; break;
	case LL_LOG_NONE:  l = LOG_LEVEL_NONE;  break;
	default:           return LL_ERR_INVALID_ARGUMENT;
	}

	log_set_level(l);

	return 0;
}


LL_API int ll_set_console_enabled(struct ll_sdk *sdk, bool enabled)
{
	int err;

	err = ll__gate(sdk);
	if (err)
		return err;

	log_set_console(enabled);

	return 0;
}


/* Open dir/liblianluo.log (log-file switch on); a public code. */
static int file_open(const char *dir, const char *api)
{
	char path[PATH_SZ];
	struct stat st;
	bool made = false;
	int fd;

	if (stat(dir, &st)) {
		if (mkdir(dir, 0700))
			return LL_ERR_FILE;
		made = true;
	}
	else if (!S_ISDIR(st.st_mode)) {
		return LL_ERR_FILE;
	}

	(void)re_snprintf(path, sizeof(path), "%s/%s", dir, log_name);

	fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	if (fd < 0) {
		if (made)
			(void)rmdir(dir);
		return LL_ERR_FILE;
	}

	file_close();

	pthread_mutex_lock(&file_lock);
	log_fd = fd;
	remember(written, path);
	if (made)
		remember(made_dirs, dir);
	pthread_mutex_unlock(&file_lock);

	ll__ledger_record(LL_PRIVACY_LOG_FILES, api);
	log_set_sink(sink_handler, (void *)(intptr_t)fd);

	return 0;
}


LL_API int ll_set_log_dir(struct ll_sdk *sdk, const char *dir)
{
	int err;

	err = ll__gate(sdk);
	if (err)
		return err;

	if (!dir) {
		file_close();
		pthread_mutex_lock(&file_lock);
		log_dir[0] = '\0';
		pthread_mutex_unlock(&file_lock);
		return 0;
	}

	if (!*dir || strlen(dir) + sizeof(log_name) + 1 >= PATH_SZ)
		return LL_ERR_INVALID_ARGUMENT;

	/* Switched off: remembered, but nothing is created or written. */
	if (!ll__privacy_on(LL_PRIVACY_LOG_FILES)) {
		file_close();
		pthread_mutex_lock(&file_lock);
		str_ncpy(log_dir, dir, sizeof(log_dir));
		pthread_mutex_unlock(&file_lock);
		return 0;
	}

	err = file_open(dir, "ll_set_log_dir");
	if (err)
		return err;

	pthread_mutex_lock(&file_lock);
	str_ncpy(log_dir, dir, sizeof(log_dir));
	pthread_mutex_unlock(&file_lock);

	return 0;
}


/**
 * The log-file switch changed: off closes the file, on opens one in the
 * log directory set before (if any)
 *
 * @param on  The switch
 */
void ll__log_switch(bool on)
{
	char dir[PATH_SZ];
	bool open_now;

	if (!on) {
		file_close();
		return;
	}

	pthread_mutex_lock(&file_lock);
	str_ncpy(dir, log_dir, sizeof(dir));
	open_now = dir[0] && log_fd < 0;
	pthread_mutex_unlock(&file_lock);

	if (open_now)
		(void)file_open(dir, "ll_set_privacy_switch");
}


/** Back to the defaults: console on, level info, no file. */
void ll__log_reset(void)
{
	file_close();
	pthread_mutex_lock(&file_lock);
	log_dir[0] = '\0';
	pthread_mutex_unlock(&file_lock);
	log_set_console(true);
	log_set_level(LOG_LEVEL_INFO);
}


/** Delete every log file the SDK wrote, and the directories it made. */
void ll__log_wipe(void)
{
	size_t i;

	file_close();

	pthread_mutex_lock(&file_lock);

	for (i = 0; i < FILES_MAX; i++) {
		if (written[i][0])
			(void)unlink(written[i]);
		written[i][0] = '\0';
	}

	/* Only if empty: the application may have put files there. */
	for (i = FILES_MAX; i-- > 0;) {
		if (made_dirs[i][0])
			(void)rmdir(made_dirs[i]);
		made_dirs[i][0] = '\0';
	}

	pthread_mutex_unlock(&file_lock);
}
