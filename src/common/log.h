/**
 * @file common/log.h  One line per event, with phone numbers masked
 *
 * Copyright (C) 2026 The lianluo authors
 *
 * Every line goes through log_mask_line() before it is written, so a phone
 * number that reaches a format string by accident is still masked.  Secrets
 * (passwords, tokens, keys) must never be passed to the logger at all.
 *
 * Lines go to stderr (the console, on by default) and to one optional sink,
 * a handler that gets each finished, masked line; the SDK uses it for its
 * log files.  Writing is serialised by a mutex, so any thread may log.
 */

enum log_level {
	LOG_LEVEL_DEBUG = 0,
	LOG_LEVEL_INFO,
	LOG_LEVEL_WARN,
	LOG_LEVEL_ERROR,
	LOG_LEVEL_NONE,      /* above every level: nothing is written */
};

/* A finished line (masked, with time stamp and tag, no newline). */
typedef void (log_sink_h)(enum log_level level, const char *line,
			  void *arg);

void log_set_level(enum log_level level);
enum log_level log_get_level(void);
int  log_level_decode(enum log_level *levelp, const char *name);
const char *log_level_str(enum log_level level);
void log_set_tag(const char *tag);
void log_set_console(bool enabled);
void log_set_sink(log_sink_h *sinkh, void *arg);

void log_write(enum log_level level, const char *fmt, ...);
void log_vwrite(enum log_level level, const char *fmt, va_list ap);

#define log_debug(...) log_write(LOG_LEVEL_DEBUG, __VA_ARGS__)
#define log_info(...)  log_write(LOG_LEVEL_INFO,  __VA_ARGS__)
#define log_warn(...)  log_write(LOG_LEVEL_WARN,  __VA_ARGS__)
#define log_error(...) log_write(LOG_LEVEL_ERROR, __VA_ARGS__)

size_t log_mask_line(char *line);
int    mask_phone(char *buf, size_t sz, const char *number);
