/**
 * @file common/httpc.c  A small blocking HTTP/1.1 client
 *
 * Copyright (C) 2026 The lianluo authors
 *
 * One request per connection (Connection: close), plain sockets or TLS
 * (common/tlsc), signed with common/sign when the server has a SecretId.
 * libre's HTTP client would need a DNS client and an event loop, which
 * neither a one-shot command nor the SDK's login worker thread has.
 */
#include <string.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#include <netdb.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <re.h>
#include "common/sign.h"
#include "common/tlsc.h"
#include "common/httpc.h"


enum {
	IO_TIMEOUT_S = 15,
	RESP_MAX     = 64 * 1024 * 1024,
};


/**
 * Decode an http:// or https:// URL into host, port, path prefix and tls
 *
 * @param srv Server (host, port, prefix, tls are set)
 * @param url The URL, e.g. "http://127.0.0.1:8080"
 *
 * @return 0 if success, otherwise errorcode
 */
int httpc_url_decode(struct httpc_server *srv, const char *url)
{
	const char *p, *hend, *slash;
	size_t n;

	if (!srv || !url)
		return EINVAL;

	if (!strncasecmp(url, "https://", 8)) {
		srv->tls = true;
		p = url + 8;
	}
	else if (!strncasecmp(url, "http://", 7)) {
		srv->tls = false;
		p = url + 7;
	}
	else {
		return EINVAL;
	}

	slash = strchr(p, '/');
	hend = slash ? slash : p + strlen(p);

	str_ncpy(srv->port, srv->tls ? "443" : "80", sizeof(srv->port));

	if (*p == '[') {   /* [IPv6]:port */
		const char *rb = memchr(p, ']', hend - p);

		if (!rb)
			return EINVAL;
		n = rb - p - 1;
		if (n >= sizeof(srv->host))
			return EINVAL;
		memcpy(srv->host, p + 1, n);
		srv->host[n] = '\0';
		p = rb + 1;
	}
	else {
		const char *colon = memchr(p, ':', hend - p);
		const char *e = colon ? colon : hend;

		n = e - p;
		if (!n || n >= sizeof(srv->host))
			return EINVAL;
		memcpy(srv->host, p, n);
		srv->host[n] = '\0';
		p = e;
	}

	if (p < hend && *p == ':') {
		n = hend - p - 1;
		if (!n || n >= sizeof(srv->port))
			return EINVAL;
		memcpy(srv->port, p + 1, n);
		srv->port[n] = '\0';
	}

	str_ncpy(srv->prefix, slash ? slash : "", sizeof(srv->prefix));
	n = strlen(srv->prefix);
	if (n && srv->prefix[n - 1] == '/')
		srv->prefix[n - 1] = '\0';

	return 0;
}


void httpc_resp_reset(struct httpc_resp *resp)
{
	if (!resp)
		return;

	resp->body = mem_deref(resp->body);
	resp->len = 0;
	resp->scode = 0;
}


static int dial(int *fdp, const struct httpc_server *srv)
{
	struct addrinfo hints, *res = NULL, *ai;
	struct timeval tv = {srv->timeout_s ? (time_t)srv->timeout_s :
			     IO_TIMEOUT_S, 0};
	int fd = -1, err = ECONNREFUSED;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;

	if (getaddrinfo(srv->host, srv->port, &hints, &res))
		return EADDRNOTAVAIL;

	for (ai = res; ai; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
		if (fd < 0) {
			err = errno;
			continue;
		}

		(void)setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
		(void)setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));

		if (!connect(fd, ai->ai_addr, ai->ai_addrlen)) {
			err = 0;
			break;
		}

		err = errno;
		close(fd);
		fd = -1;
	}

	freeaddrinfo(res);

	if (!err)
		*fdp = fd;

	return err;
}


/* One connection: the socket, and TLS over it for https. */
struct conn {
	int fd;
	struct tlsc *tls;
};


static int send_all(const struct conn *c, const char *p, size_t n)
{
	if (c->tls)
		return tlsc_send(c->tls, p, n);

	while (n) {
		ssize_t k = send(c->fd, p, n, MSG_NOSIGNAL);

		if (k < 0)
			return errno;
		p += k;
		n -= (size_t)k;
	}

	return 0;
}


static int parse_resp(struct httpc_resp *resp, char *buf, size_t len)
{
	const char *eoh, *cl, *p;
	unsigned scode;
	size_t hlen, blen;

	if (sscanf(buf, "HTTP/1.%*c %u", &scode) != 1)
		return EPROTO;

	eoh = strstr(buf, "\r\n\r\n");
	if (!eoh)
		return EPROTO;

	hlen = eoh + 4 - buf;
	blen = len - hlen;

	cl = NULL;
	for (p = strstr(buf, "\r\n"); p && p < eoh;
	     p = strstr(p + 2, "\r\n")) {
		if (!strncasecmp(p, "\r\nContent-Length:", 17)) {
			cl = p;
			break;
		}
	}
	if (cl) {
		size_t want = strtoul(cl + 17, NULL, 10);

		if (want > blen)
			return EPROTO;   /* connection ended early */
		blen = want;
	}

	resp->body = mem_alloc(blen + 1, NULL);
	if (!resp->body)
		return ENOMEM;

	memcpy(resp->body, buf + hlen, blen);
	resp->body[blen] = '\0';
	resp->len = blen;
	resp->scode = (uint16_t)scode;

	return 0;
}


/**
 * Send one request (signed when srv has a SecretId) and read the reply
 *
 * @param resp   Returned reply (free with httpc_resp_reset)
 * @param srv    Server and credentials
 * @param method "GET", "POST", "DELETE"
 * @param path   Path with query, e.g. "/v1/cdrs?limit=10"
 * @param body   JSON body or NULL
 *
 * @return 0 if a reply was read (any status), otherwise errorcode
 */
int httpc_request(struct httpc_resp *resp, const struct httpc_server *srv,
		const char *method, const char *path, const char *body)
{
	char auth[512], *target = NULL, *req = NULL, *buf = NULL;
	size_t blen = body ? strlen(body) : 0, len = 0, cap = 0;
	struct conn c = {-1, NULL};
	int err;

	if (!resp || !srv || !method || !path)
		return EINVAL;

	memset(resp, 0, sizeof(*resp));

	err = re_sdprintf(&target, "%s%s", srv->prefix, path);
	if (err)
		goto out;

	/* Unsigned requests (POST /v1/login) carry no Authorization. */
	auth[0] = '\0';
	if (srv->secret_id[0]) {
		char sig[480];

		err = sign_authorization(sig, sizeof(sig), srv->secret_id,
					 srv->secret_key, method, target,
					 (uint64_t)time(NULL),
					 (const uint8_t *)body, blen);
		if (err)
			goto out;

		if (re_snprintf(auth, sizeof(auth), "Authorization: %s\r\n",
				sig) < 0)
			err = ENOMEM;
		memset(sig, 0, sizeof(sig));
		if (err)
			goto out;
	}

	err = re_sdprintf(&req, "%s %s HTTP/1.1\r\n"
			  "Host: %s:%s\r\n"
			  "User-Agent: %s\r\n"
			  "Connection: close\r\n"
			  "%s"
			  "%s"
			  "Content-Length: %zu\r\n"
			  "\r\n"
			  "%s",
			  method, target, srv->host, srv->port,
			  srv->agent ? srv->agent : "lianluo", auth,
			  body ? "Content-Type: application/json\r\n" : "",
			  blen, body ? body : "");
	memset(auth, 0, sizeof(auth));
	if (err)
		goto out;

	err = dial(&c.fd, srv);
	if (err)
		goto out;

	/* Nothing is written before the server is verified. */
	if (srv->tls) {
		err = tlsc_connect(&c.tls, c.fd, srv->host, srv->cert_sha256,
				   srv->ca_file, resp->detail,
				   sizeof(resp->detail));
		if (err)
			goto out;
	}

	err = send_all(&c, req, strlen(req));
	if (err)
		goto out;

	for (;;) {
		ssize_t n;

		if (len + 1 >= cap) {
			char *p;

			if (cap >= RESP_MAX) {
				err = EOVERFLOW;
				goto out;
			}
			cap = cap ? 2 * cap : 65536;
			p = realloc(buf, cap);
			if (!p) {
				err = ENOMEM;
				goto out;
			}
			buf = p;
		}

		if (c.tls) {
			size_t got;

			err = tlsc_recv(c.tls, buf + len, cap - len - 1,
					&got);
			if (err)
				goto out;
			n = (ssize_t)got;
		}
		else {
			n = recv(c.fd, buf + len, cap - len - 1, 0);
			if (n < 0) {
				err = errno == EAGAIN ? ETIMEDOUT : errno;
				goto out;
			}
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}

	if (!buf) {
		err = EPROTO;
		goto out;
	}
	buf[len] = '\0';

	err = parse_resp(resp, buf, len);

 out:
	tlsc_close(c.tls);
	if (c.fd >= 0)
		close(c.fd);
	free(buf);
	/* The request may carry a login token: do not leave it in memory. */
	if (req)
		memset(req, 0, strlen(req));
	mem_deref(req);
	mem_deref(target);
	return err;
}
