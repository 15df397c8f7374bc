/**
 * @file ctl/ctl.h  lianluoctl internals
 *
 * Copyright (C) 2026 The lianluo authors
 */

struct ctl_server {
	char host[256];
	char port[8];
	char prefix[256];        /* path of http_url, "" for none */
	char secret_id[128];
	char secret_key[128];
};

struct ctl_resp {
	uint16_t scode;
	char *body;              /* NUL-terminated, mem-allocated */
	size_t len;
};

/* http.c */
int  ctl_url_decode(struct ctl_server *srv, const char *url);
int  ctl_request(struct ctl_resp *resp, const struct ctl_server *srv,
		 const char *method, const char *path, const char *body);
void ctl_resp_reset(struct ctl_resp *resp);
