/**
 * @file api/api.h  The HTTP JSON API (/v1/..., /healthz)
 *
 * Copyright (C) 2026 The lianluo authors
 *
 * Runs on the main loop (libre's TCP and HTTP message parser; the DESIGN
 * note in api/server.c says why not http_listen).  It depends on the store
 * and on the config; live state (agents, calls) comes from the status
 * handler given at allocation, so the API does not link the ACD.
 *
 * The reference of the endpoints is docs/API.md.
 */

struct api;
struct store;
struct config;

/**
 * Print the live status of one application as a JSON object:
 * {"agents":[...],"calls":[...]}
 */
typedef int (api_status_h)(struct re_printf *pf, const char *app, void *arg);

int api_alloc(struct api **apip, const struct config *cfg, struct store *st,
	      const char *sip_uri, api_status_h *statush, void *arg);

/* The address the API listens on (useful with port 0). */
int api_laddr(const struct api *api, struct sa *laddr);

/* Issue a single-use SDK login token for (app, user_id), valid until
 * expires (Unix seconds).  POST /v1/sdk-login-tokens uses it; so can tests
 * and tools that run inside the server. */
int api_token_issue(struct api *api, const char *app, const char *user_id,
		    int64_t expires, char *tok, size_t sz);
