/**
 * @file api/api.h  The HTTP JSON API (/v1/..., /healthz)
 *
 * Copyright (C) 2026 The lianluo authors
 *
 * Runs on the main loop (libre's TCP and HTTP message parser; the DESIGN
 * note in api/server.c says why not http_listen).  It depends on the
 * store, the config and the ACD (agent statuses, live figures), which it
 * reaches through acd/acd.h only.
 *
 * The reference of the endpoints is docs/API.md.
 */

struct api;
struct store;
struct config;
struct acd;

int api_alloc(struct api **apip, const struct config *cfg, struct store *st,
	      const char *sip_uri, struct acd *acd);

/* The bearer token that GET /metrics (Prometheus) asks for; until one is
 * set, /metrics answers 401. */
int api_metrics_token_set(struct api *api, const char *token);

/* The address the API listens on (useful with port 0). */
int api_laddr(const struct api *api, struct sa *laddr);
size_t api_route_count(void);   /* all tables: tests check coverage */

/* HTTPS (api/server.c): a second listener with the same routes. */
int api_https_listen(struct api *api, const struct sa *laddr,
		     const char *cert, const char *key);
int api_https_laddr(const struct api *api, struct sa *laddr);

/* Its certificate (api/cert.c): the configured one, or one made in
 * DATA/tls/ on the first start. */
int api_cert_make(const char *cert_path, const char *key_path,
		  const char *host);
int api_cert_prepare(char *cert, char *key, size_t sz, const char *cfg_cert,
		     const char *cfg_key, const char *data_dir,
		     const char *host);

/* Issue a single-use SDK login token for (app, user_id), valid until
 * expires (Unix seconds).  POST /v1/sdk-login-tokens uses it; so can tests
 * and tools that run inside the server. */
int api_token_issue(struct api *api, const char *app, const char *user_id,
		    int64_t expires, char *tok, size_t sz);
