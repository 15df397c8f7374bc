/**
 * @file api/server.c  HTTP/1.1 connections of the API
 *
 * Copyright (C) 2026 The lianluo authors
 *
 * DESIGN: libre 1.1.0's http_listen() buffers a whole request, body
 * included, before it calls the request handler, and silently drops the
 * connection once 512 KiB are buffered (BUFSIZE_MAX in src/http/server.c
 * of tag v1.1.0).  An over-sized request could then not get its 413, and a
 * client could make us buffer half a megabyte per connection.  So this file
 * owns the connections itself: libre's tcp_listen() accepts, and libre's
 * http_msg_decode() parses the request line and headers as soon as they
 * are complete.  Content-Length is checked against config http_max_body
 * before a byte of the body is kept; a refused body is read and discarded
 * (up to API_DRAIN_MS) so that the client sees the 413 instead of a reset.
 *
 * HTTPS (api_https_listen) is a second listener whose connections get
 * libre's TLS layer (tls_start_tcp) below the same reading and routing:
 * the handlers see plain HTTP.  A connection whose handshake fails (a
 * plain-HTTP client on the HTTPS port, a client that rejects our
 * certificate) is closed before any request is read.
 *
 * Failed authentications (every 401) are counted per source address
 * (config auth-fail-limit-address); past the limit, every request from
 * that address but /healthz gets 429 with Retry-After until the block
 * ends.  Addresses are those of the TCP peer: behind a reverse proxy they
 * are all the proxy's.
 *
 * Everything runs on the main loop thread.  Requests are handled
 * synchronously (the store is synchronous) and pipelining works: requests
 * are answered in order.  Chunked bodies are refused with 411.
 */
#include <string.h>
#include <time.h>
#include <openssl/ssl.h>
#include <openssl/err.h>
#include <re.h>
#include "common/log.h"
#include "common/jsonw.h"
#include "common/ratelimit.h"
#include "common/tlss.h"
#include "config.h"
#include "store/store.h"
#include "api/api.h"
#include "api/apiint.h"


struct api_conn {
	struct le le;
	struct api *api;
	struct tcp_conn *tc;
	struct tls_conn *tlsc;    /* HTTPS; NULL on the plain listener */
	struct sa peer;
	bool tls_up;              /* handshake done */
	struct tmr tmr;
	struct mbuf *mb;          /* received, not yet handled */
	uint64_t drain_left;      /* body bytes still to discard */
	char peer_key[RATELIMIT_KEY_SZ];  /* source address, no port */
	bool closing;             /* close once the reply is sent */
	bool draining;            /* discard all input */
};


static void conn_destructor(void *arg)
{
	struct api_conn *conn = arg;

	list_unlink(&conn->le);
	tmr_cancel(&conn->tmr);
	/* TLS first: its close_notify goes out on the TCP connection. */
	conn->tlsc = mem_deref(conn->tlsc);
	conn->tc = mem_deref(conn->tc);
	conn->mb = mem_deref(conn->mb);
}


static void api_destructor(void *arg)
{
	struct api *api = arg;

	list_flush(&api->connl);
	api->ts = mem_deref(api->ts);
	api->tls_ts = mem_deref(api->tls_ts);
	api->tls = mem_deref(api->tls);
	api->rl_addr = mem_deref(api->rl_addr);
	api->rl_key = mem_deref(api->rl_key);
	memset(api->metrics_token, 0, sizeof(api->metrics_token));
}


static void conn_free_handler(void *arg)
{
	struct api_conn *conn = arg;

	mem_deref(conn);
}


/* Free the connection from the loop, never from inside its own handlers. */
static void conn_close_soon(struct api_conn *conn)
{
	tcp_set_handlers(conn->tc, NULL, NULL, NULL, conn);
	tmr_start(&conn->tmr, 0, conn_free_handler, conn);
}


static void send_handler(void *arg)
{
	struct api_conn *conn = arg;

	if (tcp_conn_txqsz(conn->tc))
		return;

	(void)tcp_set_send(conn->tc, NULL);

	if (conn->closing && (!conn->draining || !conn->drain_left))
		conn_close_soon(conn);
}


/* Close when the reply is out and nothing more is to be read. */
static void conn_finish(struct api_conn *conn)
{
	if (tcp_conn_txqsz(conn->tc)) {
		(void)tcp_set_send(conn->tc, send_handler);
		return;
	}

	if (!conn->draining || !conn->drain_left)
		conn_close_soon(conn);
}


static int conn_send(struct api_conn *conn, uint16_t scode,
		     const char *ctype, const struct mbuf *body, bool close,
		     uint32_t retry_after_s)
{
	struct mbuf *mb;
	int err;

	mb = mbuf_alloc(256 + (body ? body->end : 0));
	if (!mb)
		return ENOMEM;

	err = mbuf_printf(mb, "HTTP/1.1 %u %s\r\n"
			  "Content-Type: %s\r\n"
			  "Content-Length: %zu\r\n"
			  "Cache-Control: no-store\r\n"
			  "%s",
			  scode, api_reason(scode),
			  ctype ? ctype : "application/json",
			  body ? body->end : (size_t)0,
			  close ? "Connection: close\r\n" : "");
	if (!err && retry_after_s)
		err = mbuf_printf(mb, "Retry-After: %u\r\n", retry_after_s);
	if (!err)
		err = mbuf_write_str(mb, "\r\n");
	if (!err && body && body->end)
		err = mbuf_write_mem(mb, body->buf, body->end);
	if (err)
		goto out;

	mb->pos = 0;
	err = tcp_send(conn->tc, mb);

 out:
	mem_deref(mb);
	return err;
}


/* Reply to a request that never reached a handler, then close. */
static int conn_refuse(struct api_conn *conn, uint16_t scode,
		       const char *code, const char *message)
{
	struct api_req req;
	int err;

	memset(&req, 0, sizeof(req));
	req.api = conn->api;
	req.mb  = mbuf_alloc(256);
	if (!req.mb)
		return ENOMEM;

	api_error(&req, scode, code, "%s", message);
	log_info("api: refused request: %u %s", scode, message);

	conn->closing = true;
	err = conn_send(conn, scode, NULL, req.mb, true, 0);
	mem_deref(req.mb);

	return err;
}


/*
 * libre parses a request line with a backtracking match that, on a line
 * with no end yet, takes time growing with the square of its length: the
 * 8 KiB of one read held the loop for a second, longer on a busy machine,
 * and a client could send that again and again.  So libre sees a request
 * only once its head is complete (the empty line, RFC 9112 2.1), and the
 * request line is bounded first (RFC 9112 3: 414); no URL of the API
 * comes near.  A control character (NUL included) in the head refuses the
 * request at once: no head has one (RFC 9110 5.5, 5.6.2), a value read as
 * a C string would end at a NUL, and what sends it (a TLS ClientHello to
 * the plain port, say) is not going to send an empty line.
 *
 * @return 0 if the head is complete, ENODATA if it may go on, EBADMSG if
 *         it can not be one
 */
static int head_scan(const struct mbuf *mb)
{
	const size_t n = mbuf_get_left(mb);
	const uint8_t *p = mbuf_buf(mb);
	size_t i;

	for (i = 0; i < n; i++) {
		const uint8_t c = p[i];

		if (c == '\r' && i + 4 <= n && !memcmp(p + i, "\r\n\r\n", 4))
			return 0;

		if ((c < 0x20 && c != '\t' && c != '\r' && c != '\n') ||
		    c == 0x7f)
			return EBADMSG;
	}

	return ENODATA;
}


static bool line_too_long(const struct mbuf *mb)
{
	const size_t left = mbuf_get_left(mb);

	return !memchr(mbuf_buf(mb), '\n', MIN(left, API_LINE_MAX)) &&
		left >= API_LINE_MAX;
}


static bool hdr_has_token(const struct http_msg *msg, enum http_hdrid id,
			  const char *token)
{
	const struct http_hdr *hdr = http_msg_hdr(msg, id);

	return hdr && !pl_strcasecmp(&hdr->val, token);
}


static bool wants_close(const struct http_msg *msg)
{
	if (hdr_has_token(msg, HTTP_HDR_CONNECTION, "close"))
		return true;

	/* HTTP/1.0 closes unless it asks to keep the connection. */
	if (!pl_strcmp(&msg->ver, "1.0"))
		return !hdr_has_token(msg, HTTP_HDR_CONNECTION, "keep-alive");

	return false;
}


/*
 * Content-Length, parsed strictly: libre's msg->clen is a uint32_t that
 * wraps on long values.  Returns EBADMSG if malformed.
 */
static int content_length(const struct http_msg *msg, uint64_t *lenp)
{
	const struct http_hdr *hdr;
	uint64_t v = 0;
	size_t i;

	if (http_msg_hdr_count(msg, HTTP_HDR_CONTENT_LENGTH) > 1)
		return EBADMSG;

	hdr = http_msg_hdr(msg, HTTP_HDR_CONTENT_LENGTH);
	if (!hdr) {
		*lenp = 0;
		return 0;
	}

	if (!hdr->val.l || hdr->val.l > 15)
		return EBADMSG;

	for (i = 0; i < hdr->val.l; i++) {
		const char c = hdr->val.p[i];

		if (c < '0' || c > '9')
			return EBADMSG;
		v = v * 10 + (uint64_t)(c - '0');
	}

	*lenp = v;
	return 0;
}


static void handle(struct api_conn *conn, const struct http_msg *msg,
		   const uint8_t *body, size_t len, struct api_req *req)
{
	const struct api_route *route = NULL;
	int err;

	req->api      = conn->api;
	req->msg      = msg;
	req->body     = body;
	req->body_len = len;

	/* The request line's path and query are adjacent in the buffer. */
	req->target.p = msg->path.p;
	req->target.l = msg->path.l + msg->prm.l;
	if (msg->prm.l) {
		req->query.p = msg->prm.p + 1;
		req->query.l = msg->prm.l - 1;
	}

	err = api_route_find(&route, req, &msg->met, &msg->path);
	if (err == ENOENT) {
		api_error(req, 404, "ResourceNotFound", "no such resource");
		return;
	}
	else if (err == EPERM) {
		api_error(req, 405, "MethodNotAllowed",
			  "method not allowed here");
		return;
	}
	else if (err) {
		api_error(req, 400, "InvalidParameter", "bad path");
		return;
	}

	if (route->h != api_healthz) {
		const uint32_t ms = ratelimit_blocked(conn->api->rl_addr,
						      conn->peer_key,
						      tmr_jiffies());
		if (ms) {
			api_error_limited(req, ms,
					  "authentications from your address");
			return;
		}
	}

	/* A 403 (role) is not counted as a failed authentication. */
	if (route->role == API_PUBLIC ||
	    (!api_auth(req) && !api_authorize(req, route)))
		route->h(req);

	if (req->scode == 401 &&
	    ratelimit_fail(conn->api->rl_addr, conn->peer_key,
			   tmr_jiffies())) {
		const struct config *cfg = conn->api->cfg;

		log_warn("api: %u failed authentications from %s within %u s:"
			 " its requests get 429 for %u s", cfg->auth_fail_addr,
			 conn->peer_key, cfg->auth_fail_window_s,
			 cfg->auth_fail_window_s);
	}
}


/* Returns non-zero if the connection is being closed. */
static int handle_one(struct api_conn *conn, const struct http_msg *msg,
		      const uint8_t *body, size_t len)
{
	struct api_req *req;
	bool close = wants_close(msg);
	int err;

	req = mem_zalloc(sizeof(*req), NULL);
	if (!req)
		return ENOMEM;

	req->mb = mbuf_alloc(1024);
	if (!req->mb) {
		err = ENOMEM;
		goto out;
	}

	handle(conn, msg, body, len, req);

	if (!req->scode)
		api_error(req, 500, "InternalError", "no reply");

	log_info("api: %r %r -> %u%s", &msg->met, &msg->path, req->scode,
		 conn->tlsc ? " (https)" : "");

	conn->closing = close;
	err = conn_send(conn, req->scode, req->scode < 300 ? req->ctype : NULL,
			req->mb, close, req->retry_after_s);

 out:
	if (req)
		mem_deref(req->mb);
	mem_deref(req);
	return err;
}


static void timeout_handler(void *arg)
{
	struct api_conn *conn = arg;

	mem_deref(conn);
}


static void recv_handler(struct mbuf *mb, void *arg)
{
	struct api_conn *conn = arg;
	const struct config *cfg = conn->api->cfg;
	int err = 0;

	if (conn->draining) {
		const size_t n = mbuf_get_left(mb);

		conn->drain_left -= MIN((uint64_t)n, conn->drain_left);
		if (!conn->drain_left && !tcp_conn_txqsz(conn->tc))
			conn_close_soon(conn);
		return;
	}

	if (conn->closing)
		return;

	if (!conn->mb) {
		conn->mb = mbuf_alloc(mbuf_get_left(mb));
		if (!conn->mb) {
			err = ENOMEM;
			goto out;
		}
	}

	{
		const size_t pos = conn->mb->pos;

		conn->mb->pos = conn->mb->end;
		err = mbuf_write_mem(conn->mb, mbuf_buf(mb),
				     mbuf_get_left(mb));
		conn->mb->pos = pos;
		if (err)
			goto out;
	}

	while (conn->mb && !conn->closing) {
		const size_t pos = conn->mb->pos;
		struct http_msg *msg = NULL;
		uint64_t clen;
		size_t hlen;

		if (line_too_long(conn->mb)) {
			err = conn_refuse(conn, 414, "RequestTooLarge",
					  "request line too long");
			break;
		}

		err = head_scan(conn->mb);
		if (!err)
			err = http_msg_decode(&msg, conn->mb, true);
		if (err == ENODATA) {
			err = 0;
			conn->mb->pos = pos;
			if (mbuf_get_left(conn->mb) > API_HDR_MAX)
				err = conn_refuse(conn, 413,
						  "RequestTooLarge",
						  "request header too large");
			break;
		}
		else if (err) {
			err = conn_refuse(conn, 400, "InvalidParameter",
					  "malformed HTTP request");
			break;
		}

		hlen = conn->mb->pos - pos;
		if (hlen > API_HDR_MAX) {
			err = conn_refuse(conn, 413, "RequestTooLarge",
					  "request header too large");
		}
		else if (list_count(&msg->hdrl) > API_HDR_COUNT_MAX) {
			err = conn_refuse(conn, 413, "RequestTooLarge",
					  "too many header fields");
		}
		else if (http_msg_hdr(msg, HTTP_HDR_TRANSFER_ENCODING)) {
			err = conn_refuse(conn, 411, "LengthRequired",
					  "send the body with Content-Length");
		}
		else if (content_length(msg, &clen)) {
			err = conn_refuse(conn, 400, "InvalidParameter",
					  "bad Content-Length");
		}
		else if (clen > cfg->http_max_body) {
			const size_t have = mbuf_get_left(conn->mb);

			err = conn_refuse(conn, 413, "RequestTooLarge",
					  "request body too large");
			conn->draining   = true;
			conn->drain_left = clen - MIN((uint64_t)have, clen);
			tmr_start(&conn->tmr, API_DRAIN_MS,
				  timeout_handler, conn);
		}
		else if (mbuf_get_left(conn->mb) < clen) {
			/* Wait for the rest of the body. */
			conn->mb->pos = pos;
			mem_deref(msg);
			break;
		}
		else {
			const uint8_t *body = mbuf_buf(conn->mb);

			conn->mb->pos += (size_t)clen;
			err = handle_one(conn, msg, body, (size_t)clen);
			if (!err && !conn->closing)
				tmr_start(&conn->tmr, API_IDLE_MS,
					  timeout_handler, conn);
		}

		mem_deref(msg);
		if (err)
			break;

		if (!mbuf_get_left(conn->mb)) {
			conn->mb = mem_deref(conn->mb);
		}
		else if (conn->mb->pos) {
			/* Keep only what follows (a pipelined request). */
			struct mbuf *rest;

			rest = mbuf_alloc(mbuf_get_left(conn->mb));
			if (!rest) {
				err = ENOMEM;
				break;
			}
			(void)mbuf_write_mem(rest, mbuf_buf(conn->mb),
					     mbuf_get_left(conn->mb));
			rest->pos = 0;
			mem_deref(conn->mb);
			conn->mb = rest;
		}
	}

 out:
	if (err) {
		log_warn("api: connection error: %m", err);
		conn_close_soon(conn);
		return;
	}

	if (conn->closing)
		conn_finish(conn);
}


static void close_handler(int err, void *arg)
{
	struct api_conn *conn = arg;

	if (conn->tlsc && !conn->tls_up)
		log_info("api: TLS handshake with %J failed (%m): closed",
			 &conn->peer, err);

	conn_close_soon(conn);
}


/* On the HTTPS listener: the TLS handshake is done. */
static void tls_estab_handler(void *arg)
{
	struct api_conn *conn = arg;

	conn->tls_up = true;
}


static void conn_accept(struct api *api, struct tcp_sock *ts,
			const struct sa *peer, struct tls *tls)
{
	struct api_conn *conn;
	int err;

	if (list_count(&api->connl) >= API_CONN_MAX) {
		log_warn("api: too many connections, refusing one");
		tcp_reject(ts);
		return;
	}

	conn = mem_zalloc(sizeof(*conn), conn_destructor);
	if (!conn) {
		tcp_reject(ts);
		return;
	}

	conn->api = api;
	conn->peer = *peer;
	(void)re_snprintf(conn->peer_key, sizeof(conn->peer_key), "%j", peer);

	err = tcp_accept(&conn->tc, ts, tls ? tls_estab_handler : NULL,
			 recv_handler, close_handler, conn);
	if (!err && tls)
		err = tls_start_tcp(&conn->tlsc, tls, conn->tc, 0);
	if (err) {
		log_warn("api: accept failed: %m", err);
		mem_deref(conn);
		tcp_reject(ts);
		return;
	}

	/* Large lists (CDRs) must fit in the send queue. */
	tcp_conn_txqsz_set(conn->tc, 16 * 1024 * 1024);

	list_append(&api->connl, &conn->le, conn);
	tmr_start(&conn->tmr, API_IDLE_MS, timeout_handler, conn);
}


static void connect_handler(const struct sa *peer, void *arg)
{
	struct api *api = arg;

	conn_accept(api, api->ts, peer, NULL);
}


static void tls_connect_handler(const struct sa *peer, void *arg)
{
	struct api *api = arg;

	conn_accept(api, api->tls_ts, peer, api->tls);
}


/* "sip:host:port;params" -> "host:port" */
static void sip_hostport(char *buf, size_t sz, const char *uri)
{
	const char *p = uri, *at, *end;

	if (!strncasecmp(p, "sips:", 5))
		p += 5;
	else if (!strncasecmp(p, "sip:", 4))
		p += 4;

	end = p + strcspn(p, ";>?");
	at = memchr(p, '@', end - p);
	if (at)
		p = at + 1;

	(void)re_snprintf(buf, sz, "%b", p, (size_t)(end - p));
}


/**
 * Start the HTTP API
 *
 * @param apip    Returned API
 * @param cfg     Configuration (http_laddr, realm, limits); must outlive
 *                the API
 * @param st      Store; must outlive the API
 * @param sip_uri The server's SIP URI, e.g. "sip:127.0.0.1:5060"
 * @param acd     ACD for agent statuses and live figures (may be NULL:
 *                no agents, no calls); must outlive the API
 *
 * @return 0 if success, otherwise errorcode
 */
int api_alloc(struct api **apip, const struct config *cfg, struct store *st,
	      const char *sip_uri, struct acd *acd)
{
	struct api *api;
	int err;

	if (!apip || !cfg || !st || !sip_uri)
		return EINVAL;

	api = mem_zalloc(sizeof(*api), api_destructor);
	if (!api)
		return ENOMEM;

	api->cfg     = cfg;
	api->st      = st;
	api->acd     = acd;
	api->start_ms = (uint64_t)time(NULL) * 1000;
	str_ncpy(api->sip_uri, sip_uri, sizeof(api->sip_uri));
	sip_hostport(api->sip_hostport, sizeof(api->sip_hostport), sip_uri);

	/* Plain HTTP only when configured (tests, closed networks). */
	if (config_listening(&cfg->http_laddr)) {
		err = tcp_listen(&api->ts, &cfg->http_laddr, connect_handler,
				 api);
		if (err) {
			log_error("api: cannot listen on %J: %m",
				  &cfg->http_laddr, err);
			goto out;
		}

		err = tcp_local_get(api->ts, &api->laddr);
		if (err)
			goto out;

		log_info("api: listening on http://%J", &api->laddr);
	}

	if (cfg->auth_fail_addr)
		err = ratelimit_alloc(&api->rl_addr, cfg->auth_fail_addr,
				      cfg->auth_fail_window_s * 1000,
				      API_RL_KEYS);
	if (!err && cfg->auth_fail_user)
		err = ratelimit_alloc(&api->rl_key, cfg->auth_fail_user,
				      cfg->auth_fail_window_s * 1000,
				      API_RL_KEYS);

 out:
	if (err)
		mem_deref(api);
	else
		*apip = api;

	return err;
}


/**
 * Get the address the API listens on
 *
 * @param api   The API
 * @param laddr Returned address (the real port when 0 was asked for)
 *
 * @return 0 if success, otherwise errorcode
 */
int api_laddr(const struct api *api, struct sa *laddr)
{
	if (!api || !laddr)
		return EINVAL;

	*laddr = api->laddr;
	return 0;
}


/**
 * Set the bearer token of GET /metrics
 *
 * @param api   The API
 * @param token Token, 1 to API_TOKEN_SZ - 1 printable characters
 *
 * @return 0 if success, otherwise errorcode
 */
int api_metrics_token_set(struct api *api, const char *token)
{
	size_t i, n;

	if (!api || !token)
		return EINVAL;

	n = strlen(token);
	if (!n || n >= sizeof(api->metrics_token))
		return EINVAL;

	for (i = 0; i < n; i++) {
		if (token[i] <= 0x20 || token[i] >= 0x7f)
			return EINVAL;
	}

	str_ncpy(api->metrics_token, token, sizeof(api->metrics_token));
	return 0;
}


/**
 * Open the HTTPS listener: the same routes as the plain one, over TLS
 * (1.2 or later) with a PEM certificate (chain) and key.
 *
 * @param api   The API
 * @param laddr Address to listen on (port 0: any free port)
 * @param cert  PEM certificate file, the server's first, then its chain
 * @param key   PEM private key file
 *
 * @return 0 if success, otherwise errorcode
 */
int api_https_listen(struct api *api, const struct sa *laddr,
		     const char *cert, const char *key)
{
	SSL_CTX *ctx;
	int err;

	if (!api || !laddr || !cert || !key || api->tls)
		return EINVAL;

	err = tlss_alloc(&api->tls, cert, key);
	if (err)
		goto out;

	/* One request per connection is the clients' pattern: TLS 1.3
	 * session tickets would only be written after the client left. */
	ctx = tls_openssl_context(api->tls);
	if (ctx)
		(void)SSL_CTX_set_num_tickets(ctx, 0);

	err = tcp_listen(&api->tls_ts, laddr, tls_connect_handler, api);
	if (err) {
		log_error("api: cannot listen on %J: %m", laddr, err);
		goto out;
	}

	err = tcp_local_get(api->tls_ts, &api->tls_laddr);
	if (err)
		goto out;

	log_info("api: listening on https://%J", &api->tls_laddr);

 out:
	ERR_clear_error();
	if (err) {
		api->tls_ts = mem_deref(api->tls_ts);
		api->tls = mem_deref(api->tls);
	}

	return err;
}


/**
 * Get the address the HTTPS listener listens on
 *
 * @param api   The API
 * @param laddr Returned address
 *
 * @return 0 if success, ENOENT without HTTPS, otherwise errorcode
 */
int api_https_laddr(const struct api *api, struct sa *laddr)
{
	if (!api || !laddr)
		return EINVAL;

	if (!api->tls_ts)
		return ENOENT;

	*laddr = api->tls_laddr;
	return 0;
}
