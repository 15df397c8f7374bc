/**
 * @file sdk/ledger.c  The in-memory ledger of personal-data reads
 *                     (DESIGN.md, personal information rule 8)
 *
 * Copyright (C) 2026 The lianluo authors
 *
 * Every place that reads a personal-data item calls ll__ledger_record()
 * with the item (enum ll_privacy_item, so nothing outside the disclosed
 * list can be recorded) and the public function that triggered it.  The
 * last LEDGER_MAX entries are kept in memory only; withdrawal clears them.
 */
#include <string.h>
#include <stdio.h>
#include <stdarg.h>
#include <time.h>
#include <pthread.h>
#include <re.h>
#include "lianluo/lianluo.h"
#include "common/media_sdp.h"
#include "audio/stream.h"
#include "sdk.h"
#include "privacy.h"


enum {
	LEDGER_MAX = 256,
};

struct entry {
	enum ll_privacy_item item;
	const char *api;             /* static: a public function's name */
	uint64_t time_ms;            /* wall clock */
};

static pthread_mutex_t ledger_lock = PTHREAD_MUTEX_INITIALIZER;
static struct entry ledger[LEDGER_MAX];
static size_t first, count;      /* ring */
static uint64_t dropped;


/**
 * Record one read of a personal-data item
 *
 * @param item  The item read
 * @param api   Static name of the public function that triggered it
 */
void ll__ledger_record(enum ll_privacy_item item, const char *api)
{
	struct timespec ts;
	struct entry *e;

	if (!ll__pitem(item))
		return;

	(void)clock_gettime(CLOCK_REALTIME, &ts);

	pthread_mutex_lock(&ledger_lock);

	if (count == LEDGER_MAX) {
		first = (first + 1) % LEDGER_MAX;
		--count;
		++dropped;
	}

	e = &ledger[(first + count) % LEDGER_MAX];
	e->item = item;
	e->api = api ? api : "";
	e->time_ms = (uint64_t)ts.tv_sec * 1000 +
		(uint64_t)ts.tv_nsec / 1000000;
	++count;

	pthread_mutex_unlock(&ledger_lock);
}


/** Forget every entry (withdrawal). */
void ll__ledger_clear(void)
{
	pthread_mutex_lock(&ledger_lock);
	memset(ledger, 0, sizeof(ledger));
	first = count = 0;
	dropped = 0;
	pthread_mutex_unlock(&ledger_lock);
}


static bool append(char *buf, size_t size, size_t *len, const char *fmt,
		   ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf + *len, size - *len, fmt, ap);
	va_end(ap);

	if (n < 0 || (size_t)n >= size - *len)
		return false;

	*len += (size_t)n;
	return true;
}


LL_API int ll_privacy_ledger_json(struct ll_sdk *sdk, char *buf,
				  size_t size)
{
	size_t i, len = 0;
	bool ok;
	int err;

	err = ll__gate(sdk);
	if (err)
		return err;

	if (!buf || !size)
		return LL_ERR_INVALID_ARGUMENT;

	pthread_mutex_lock(&ledger_lock);

	ok = append(buf, size, &len, "{\"entries\":[");
	for (i = 0; ok && i < count; i++) {
		const struct entry *e = &ledger[(first + i) % LEDGER_MAX];
		const struct ll__pitem *it = ll__pitem(e->item);

		/* Names and purposes are static and need no escaping. */
		ok = append(buf, size, &len,
			    "%s{\"item\":\"%s\",\"purpose\":\"%s\","
			    "\"api\":\"%s\",\"time_ms\":%llu}",
			    i ? "," : "", it->id, it->purpose_en, e->api,
			    (unsigned long long)e->time_ms);
	}
	if (ok)
		ok = append(buf, size, &len, "],\"dropped\":%llu}",
			    (unsigned long long)dropped);

	pthread_mutex_unlock(&ledger_lock);

	if (!ok) {
		buf[0] = '\0';
		return LL_ERR_BUFFER_TOO_SMALL;
	}

	return 0;
}
