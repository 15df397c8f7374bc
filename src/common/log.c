/**
 * @file common/log.c  Logging with phone-number masking
 *
 * Copyright (C) 2026 The lianluo authors
 */
#include <string.h>
#include <stdio.h>
#include <stdarg.h>
#include <time.h>
#include <ctype.h>
#include <unistd.h>
#include <pthread.h>
#include <re.h>
#include "common/log.h"


enum {
	LINE_MAX_LEN = 2048,
	MASK_MIN_DIGITS = 7,   /* shorter runs are ports, counts, codes */
};

static enum log_level cur_level = LOG_LEVEL_INFO;
static const char *cur_tag = "lianluo";
static bool console = true;
static log_sink_h *sink_h;
static void *sink_arg;

/* Serialises the outputs and their settings: the SDK logs from its own
 * thread, from login workers and from the audio engine. */
static pthread_mutex_t out_lock = PTHREAD_MUTEX_INITIALIZER;


void log_set_level(enum log_level level)
{
	cur_level = level;
}


enum log_level log_get_level(void)
{
	return cur_level;
}


void log_set_tag(const char *tag)
{
	cur_tag = tag ? tag : "lianluo";
}


/**
 * Write lines to stderr or not (the default is to write them)
 *
 * @param enabled  true to write to stderr
 */
void log_set_console(bool enabled)
{
	pthread_mutex_lock(&out_lock);
	console = enabled;
	pthread_mutex_unlock(&out_lock);
}


/**
 * Set the one sink that gets every line written, or remove it
 *
 * @param sinkh  Sink handler, NULL for none
 * @param arg    Handler argument
 */
void log_set_sink(log_sink_h *sinkh, void *arg)
{
	pthread_mutex_lock(&out_lock);
	sink_h = sinkh;
	sink_arg = arg;
	pthread_mutex_unlock(&out_lock);
}


const char *log_level_str(enum log_level level)
{
	switch (level) {

	case LOG_LEVEL_DEBUG: return "debug";
	case LOG_LEVEL_INFO:  return "info";
	case LOG_LEVEL_WARN:  return "warn";
	case LOG_LEVEL_ERROR: return "error";
	case LOG_LEVEL_NONE:  return "none";
	}

	return "?";
}


int log_level_decode(enum log_level *levelp, const char *name)
{
	enum log_level l;

	if (!levelp || !name)
		return EINVAL;

	for (l = LOG_LEVEL_DEBUG; l <= LOG_LEVEL_ERROR; l++) {
		if (0 == strcasecmp(name, log_level_str(l))) {
			*levelp = l;
			return 0;
		}
	}

	return EINVAL;
}


/*
 * Mask one run of n digits in place: keep the first 3 and last 4 of long
 * numbers (138****5678), fewer of shorter ones, so that at least half of
 * the digits are always hidden.
 */
static void mask_digits(char *p, size_t n)
{
	size_t head = n >= 11 ? 3 : n >= 9 ? 2 : 1;
	size_t tail = n >= 11 ? 4 : 2;
	size_t i;

	for (i = head; i < n - tail; i++)
		p[i] = '*';
}


/**
 * Mask every phone-number-like run of digits in a NUL-terminated line.
 * A run is masked when it has at least 7 digits and is not glued to
 * letters (hex identifiers stay readable).
 *
 * @param line  Line to mask in place
 *
 * @return Number of runs masked
 */
size_t log_mask_line(char *line)
{
	size_t masked = 0;
	char *p = line;

	while (p && *p) {
		char *start;
		size_t n;

		if (!isdigit((unsigned char)*p)) {
			++p;
			continue;
		}

		start = p;
		while (isdigit((unsigned char)*p))
			++p;
		n = (size_t)(p - start);

		if (n < MASK_MIN_DIGITS)
			continue;
		if (start > line && isalpha((unsigned char)start[-1]))
			continue;
		if (isalpha((unsigned char)*p))
			continue;

		mask_digits(start, n);
		++masked;
	}

	return masked;
}


/**
 * Write the masked form of a phone number into buf, for display to people
 * who must not see it in clear (logs, agents of masked groups).
 *
 * @param buf     Output buffer
 * @param sz      Size of buf
 * @param number  Number in clear
 *
 * @return 0 if success, otherwise errorcode
 */
int mask_phone(char *buf, size_t sz, const char *number)
{
	size_t n;

	if (!buf || !sz || !number)
		return EINVAL;

	n = strlen(number);
	if (n >= sz)
		return ENOSPC;

	memcpy(buf, number, n + 1);

	if (log_mask_line(buf))
		return 0;

	/* Short numbers, or digits glued to letters: keep the ends only. */
	for (size_t i = n > 2 ? 1 : 0; i + 1 < n; i++)
		buf[i] = '*';

	return 0;
}


void log_vwrite(enum log_level level, const char *fmt, va_list ap)
{
	char line[LINE_MAX_LEN];
	char ts[32];
	struct timespec now;
	struct tm tm;
	int n;

	if (level < cur_level || level >= LOG_LEVEL_NONE)
		return;

	n = re_vsnprintf(line, sizeof(line), fmt, ap);
	if (n < 0)
		return;

	/* One event, one line. */
	for (char *p = line; *p; p++) {
		if (*p == '\n' || *p == '\r')
			*p = ' ';
	}

	(void)log_mask_line(line);

	clock_gettime(CLOCK_REALTIME, &now);
	gmtime_r(&now.tv_sec, &tm);
	strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%S", &tm);

	pthread_mutex_lock(&out_lock);

	if (console)
		fprintf(stderr, "%s.%03ldZ %s %-5s %s\n", ts,
			now.tv_nsec / 1000000, cur_tag, log_level_str(level),
			line);

	if (sink_h) {
		char full[LINE_MAX_LEN + 96];

		(void)snprintf(full, sizeof(full), "%s.%03ldZ %s %-5s %s",
			       ts, now.tv_nsec / 1000000, cur_tag,
			       log_level_str(level), line);
		sink_h(level, full, sink_arg);
	}

	pthread_mutex_unlock(&out_lock);
}


void log_write(enum log_level level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vwrite(level, fmt, ap);
	va_end(ap);
}
