/**
 * @file testloop.h  Running the real loop in unit tests, with a deadline
 *
 * Copyright (C) 2026 The lianluo authors
 *
 * Handlers under test call re_cancel() when what a test waits for has
 * happened; the deadline stops the loop when it does not.  Include after
 * <re.h>.
 */


/* A tmr handler that stops re_main() */
static inline void deadline_handler(void *arg)
{
	(void)arg;
	re_cancel();
}


/* Run the loop until a handler calls re_cancel(), for ms at the most */
static inline void run_loop_ms(uint64_t ms)
{
	struct tmr t;

	tmr_init(&t);
	tmr_start(&t, ms, deadline_handler, NULL);
	(void)re_main(NULL);
	tmr_cancel(&t);
}
