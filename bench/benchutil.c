/**
 * @file bench/benchutil.c  What the load tools share
 *
 * Copyright (C) 2026 The lianluo authors
 *
 * Clock, socket buffers, percentiles and a G.711 SDP of our own: the load
 * tools build and read SDP by hand because a full sdp_session per call
 * costs more than the calls they measure.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <re.h>
#include "benchutil.h"


uint64_t bu_now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000ULL + (uint64_t)ts.tv_nsec / 1000;
}


/*
 * libre 1.1.0 gives no access to the UDP socket of a SIP transport, so
 * the descriptor is found by the port it is bound to.  Under load the
 * default 208 KiB receive buffer overflows in bursts and every loss
 * there is a retransmission 500 ms later.
 */
int bu_sockbuf_by_port(uint16_t port, int size)
{
	int fd, n = 0;

	for (fd = 3; fd < 1024; fd++) {
		struct sockaddr_in sin;
		socklen_t len = sizeof(sin);
		int type;
		socklen_t tlen = sizeof(type);

		if (getsockname(fd, (struct sockaddr *)&sin, &len) != 0)
			continue;
		if (sin.sin_family != AF_INET || ntohs(sin.sin_port) != port)
			continue;
		if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &tlen) != 0 ||
		    type != SOCK_DGRAM)
			continue;
		/* FORCE passes rmem_max when we may; else the capped one */
		if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size,
			       sizeof(size)) != 0)
			(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size,
					 sizeof(size));
		if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &size,
			       sizeof(size)) != 0)
			(void)setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size,
					 sizeof(size));
		++n;
	}

	return n ? 0 : ENOENT;
}


/* One RTP socket per call: thousands of descriptors. */
void bu_raise_nofile(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
		return;
	rl.rlim_cur = rl.rlim_max;
	(void)setrlimit(RLIMIT_NOFILE, &rl);
	(void)fd_setsize((int)(rl.rlim_cur < 65536 ? rl.rlim_cur : 65536));
}


static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return (x > y) - (x < y);
}


/* Nearest-rank percentile; sorts v. */
uint32_t bu_percentile(uint32_t *v, size_t n, unsigned pct)
{
	size_t rank;

	if (!n)
		return 0;
	qsort(v, n, sizeof(*v), cmp_u32);
	rank = (n * pct + 99) / 100;
	if (rank == 0)
		rank = 1;

	return v[rank - 1];
}


/* Where to send RTP: the c= address and the first m=audio port. */
int bu_sdp_peer(struct sa *dst, const struct mbuf *sdp)
{
	struct pl addr, port;
	const char *p = (const char *)mbuf_buf(sdp);
	size_t n = mbuf_get_left(sdp);

	if (re_regex(p, n, "c=IN IP4 [0-9.]+", &addr))
		return EBADMSG;
	if (re_regex(p, n, "m=audio [0-9]+ ", &port))
		return EBADMSG;

	return sa_set(dst, &addr, pl_u32(&port));
}


int bu_sdp_print(struct mbuf **mbp, uint16_t port)
{
	struct mbuf *mb = mbuf_alloc(256);
	int err;

	if (!mb)
		return ENOMEM;
	err = mbuf_printf(mb,
			  "v=0\r\n"
			  "o=- %u 1 IN IP4 127.0.0.1\r\n"
			  "s=-\r\n"
			  "c=IN IP4 127.0.0.1\r\n"
			  "t=0 0\r\n"
			  "m=audio %u RTP/AVP 0\r\n"
			  "a=rtpmap:0 PCMU/8000\r\n"
			  "a=ptime:20\r\n"
			  "a=sendrecv\r\n", rand_u32(), port);
	if (err) {
		mem_deref(mb);
		return err;
	}
	mb->pos = 0;
	*mbp = mb;

	return 0;
}


/**
 * The SIP stack of a load tool: UDP (and TCP) on 127.0.0.1:port, large
 * socket buffers, a session socket for incoming INVITEs.
 *
 * @param dst    The server, to pick the local address towards it
 * @param laddr  Returned UDP address (the port chosen with port 0)
 * @param tool   Name for the warning when no buffer could be set
 *
 * @return 0 if success, otherwise errorcode
 */
int bu_sip_start(struct sip **sipp, struct sipsess_sock **sockp,
		 const char *ua, uint32_t hsize, uint16_t port, bool tcp,
		 sip_exit_h *exith, sipsess_conn_h *connh,
		 const struct sa *dst, struct sa *laddr, const char *tool)
{
	struct sa a;
	int err;

	err = sip_alloc(sipp, NULL, hsize, hsize, hsize, ua, exith, NULL);
	if (err)
		return err;

	sa_set_str(&a, "127.0.0.1", port);
	err = sip_transp_add(*sipp, SIP_TRANSP_UDP, &a);
	if (!err && tcp)
		err = sip_transp_add(*sipp, SIP_TRANSP_TCP, &a);
	if (err)
		return err;

	(void)sip_transp_laddr(*sipp, laddr, SIP_TRANSP_UDP, dst);
	if (bu_sockbuf_by_port(sa_port(laddr), BU_SOCKBUF))
		re_fprintf(stderr, "%s: no socket buffers set\n", tool);

	return sipsess_listen(sockp, *sipp, hsize, connh, NULL);
}
