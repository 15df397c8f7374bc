/**
 * @file ivr/collect.c  Collecting one digit for a menu
 *
 * Copyright (C) 2026 The lianluo authors
 *
 * One try: the prompt plays, then the caller has timeout_s to press a
 * key.  A key pressed during a prompt counts at once (barge-in) and stops
 * it.  A key that is not an option plays the invalid prompt (if any) and
 * starts the next try; no key at all starts the next try too.  After
 * max_tries failed tries the fallback option is taken, or, without one,
 * the menu hangs up.
 *
 * No timers and no clock here: the runner plays, times and reports, so
 * the whole sequence is testable event by event.
 */
#include <re.h>
#include "ivr/ivr.h"


const char *ivr_step_str(enum ivr_step step)
{
	switch (step) {

	case IVR_STEP_NONE:    return "none";
	case IVR_STEP_PROMPT:  return "prompt";
	case IVR_STEP_INVALID: return "invalid";
	case IVR_STEP_WAIT:    return "wait";
	case IVR_STEP_OPTION:  return "option";
	case IVR_STEP_HANGUP:  return "hangup";
	}

	return "?";
}


/* A try failed: the next one, or the end of the menu. */
static enum ivr_step try_failed(struct ivr_collect *c, bool invalid,
				const struct ivr_option **optp)
{
	if (++c->tries >= c->menu->max_tries) {
		c->state = IVR_COLLECT_DONE;
		*optp = ivr_menu_option(c->menu, c->menu->fallback);
		return *optp ? IVR_STEP_OPTION : IVR_STEP_HANGUP;
	}

	if (invalid && c->menu->invalid_prompt[0]) {
		c->state = IVR_COLLECT_INVALID;
		return IVR_STEP_INVALID;
	}

	c->state = IVR_COLLECT_PROMPT;
	return IVR_STEP_PROMPT;
}


/**
 * Start collecting for a menu (again from its first try)
 *
 * @param c     Collector
 * @param menu  Menu, kept by pointer until the collector is done
 *
 * @return IVR_STEP_PROMPT
 */
enum ivr_step ivr_collect_start(struct ivr_collect *c,
				const struct ivr_menu *menu)
{
	if (!c || !menu)
		return IVR_STEP_NONE;

	c->menu = menu;
	c->tries = 0;
	c->state = IVR_COLLECT_PROMPT;

	return IVR_STEP_PROMPT;
}


/**
 * The caller pressed a key
 *
 * @param c     Collector
 * @param digit The key
 * @param optp  Set to the option for IVR_STEP_OPTION
 *
 * @return what to do next
 */
enum ivr_step ivr_collect_digit(struct ivr_collect *c, char digit,
				const struct ivr_option **optp)
{
	const struct ivr_option *opt;

	if (!c || !optp || !c->menu || c->state == IVR_COLLECT_DONE)
		return IVR_STEP_NONE;

	*optp = NULL;
	opt = ivr_menu_option(c->menu, digit);
	if (opt) {
		c->state = IVR_COLLECT_DONE;
		*optp = opt;
		return IVR_STEP_OPTION;
	}

	return try_failed(c, true, optp);
}


/**
 * The prompt (or the invalid prompt) has been played to its end
 *
 * @return what to do next
 */
enum ivr_step ivr_collect_prompt_end(struct ivr_collect *c)
{
	if (!c || !c->menu)
		return IVR_STEP_NONE;

	switch (c->state) {

	case IVR_COLLECT_PROMPT:
		c->state = IVR_COLLECT_WAIT;
		return IVR_STEP_WAIT;

	case IVR_COLLECT_INVALID:
		c->state = IVR_COLLECT_PROMPT;
		return IVR_STEP_PROMPT;

	default:
		return IVR_STEP_NONE;
	}
}


/**
 * No key within timeout_s after the prompt
 *
 * @param c     Collector
 * @param optp  Set to the fallback option for IVR_STEP_OPTION
 *
 * @return what to do next
 */
enum ivr_step ivr_collect_timeout(struct ivr_collect *c,
				  const struct ivr_option **optp)
{
	if (!c || !optp || !c->menu || c->state != IVR_COLLECT_WAIT)
		return IVR_STEP_NONE;

	*optp = NULL;
	return try_failed(c, false, optp);
}
