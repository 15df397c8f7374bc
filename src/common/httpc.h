/**
 * @file common/httpc.h  A small blocking HTTP/1.1 client
 *
 * Copyright (C) 2026 The lianluo authors
 *
 * Shared by lianluoctl (signed admin requests) and the SDK (the unsigned
 * POST /v1/login, run on a worker thread).  https:// URLs go through
 * common/tlsc, which verifies the server (cert_sha256, else ca_file, else
 * the system store) before the request is written.  It blocks, so it must never
 * run on an event loop thread; it touches no libre object other than the
 * reply body it allocates, which the caller then owns.
 */

struct httpc_server {
	char host[256];
	char port[8];
	char prefix[256];        /* path of the URL, "" for none */
	char secret_id[128];     /* "" sends the request unsigned */
	char secret_key[128];
	const char *agent;       /* User-Agent; NULL for "lianluo" */
	unsigned timeout_s;      /* per socket operation; 0 for 15 s */
	bool tls;                /* https:// */
	char cert_sha256[96];    /* pin: server certificate's SHA-256, hex */
	char ca_file[256];       /* PEM CA file; "" for the system store */
};

struct httpc_resp {
	uint16_t scode;
	char *body;              /* NUL-terminated, mem-allocated */
	size_t len;
	char detail[256];        /* why TLS failed, for the user; or "" */
};

int  httpc_url_decode(struct httpc_server *srv, const char *url);
int  httpc_request(struct httpc_resp *resp, const struct httpc_server *srv,
		   const char *method, const char *path, const char *body);
void httpc_resp_reset(struct httpc_resp *resp);
