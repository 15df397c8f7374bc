/**
 * @file bench/rtp_load.c  Two-way G.711 streams through a relay, measured
 *
 * Copyright (C) 2026 The lianluo authors
 *
 * Plays both phones of N calls at once: every call sends one 160-byte
 * PCMU packet every 20 ms each way (50 packets/s per direction) to the
 * relay ports read from stdin, and counts what comes back.  The calls are
 * spread over the 20 ms period (call i sends in millisecond i % 20) so the
 * load is even, as it is with real phones.  The phones of all calls share
 * a few sockets (a relay tells the calls apart by its own ports) so that
 * this generator stays far cheaper than the relay it measures.
 *
 * Every packet carries its send time; the kernel stamps its arrival
 * (SO_TIMESTAMPNS).  Loss is counted per stream and the jitter is RFC 3550
 * 6.4.1's interarrival jitter, but on send times instead of RTP
 * timestamps: it is what the path (kernel and relay) adds, not the
 * generator's own scheduling.
 *
 * The first WARMUP seconds (default 1) are sent but not counted: a relay
 * may still be learning its peers' addresses then.
 *
 * Usage: rtp_load -a PORT -b PORT [-k SOCKETS] [-s SECONDS] [-w WARMUP]
 *   stdin: one line per call, "RELAY_PORT_FOR_A RELAY_PORT_FOR_B"
 *   (all on 127.0.0.1); the phones of side A use ports PORT..PORT+K-1,
 *   those of side B the same above their own base; call i uses socket
 *   i % K on both sides.
 *   stdout: one line of key=value results.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/timerfd.h>


enum {
	PAYLOAD   = 160,
	PKT       = 12 + PAYLOAD,
	PTIME_MS  = 20,
	BATCH     = 64,
	MAX_SOCKS = 64,
	MAX_CALLS = 100000,
	DRAIN_MS  = 300,
	SOCKBUF   = 8 << 20,
};

struct stream {
	uint16_t seq;
	uint64_t sent;
	uint64_t received;
	int64_t prev_transit;   /* ns, 0 before the first packet */
	double jitter;          /* ns, RFC 3550 estimator */
};

struct call {
	struct sockaddr_in dst[2];  /* relay port for side A, side B */
};

static struct call *callv;
static struct stream *streamv;  /* 2 per call: A->B, B->A */
static size_t ncalls;
static int sockv[2][MAX_SOCKS];
static int nsocks = 4;
static int64_t count_from;      /* packets sent before: warm-up, not
				   counted (a relay may still be learning
				   its peers) */


static int64_t realtime_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}


static int sock_open(uint16_t port)
{
	struct sockaddr_in a;
	int fd, on = 1, sz = SOCKBUF;

	fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -1;

	/* beyond rmem_max when we may, else as much as allowed */
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &sz, sizeof(sz)))
		(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz));
	if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &sz, sizeof(sz)))
		(void)setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sz, sizeof(sz));
	(void)setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, &on, sizeof(on));

	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_port = htons(port);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(fd, (struct sockaddr *)&a, sizeof(a))) {
		close(fd);
		return -1;
	}

	return fd;
}


static int read_calls(void)
{
	size_t cap = 1024;
	unsigned pa, pb;

	callv = calloc(cap, sizeof(*callv));
	if (!callv)
		return ENOMEM;

	while (2 == scanf("%u %u", &pa, &pb)) {
		struct call *c;

		if (pa > 65535 || pb > 65535 || ncalls >= MAX_CALLS)
			return EINVAL;
		if (ncalls == cap) {
			struct call *n = realloc(callv, 2 * cap * sizeof(*n));

			if (!n)
				return ENOMEM;
			callv = n;
			cap *= 2;
		}

		c = &callv[ncalls++];
		memset(c, 0, sizeof(*c));
		for (int d = 0; d < 2; d++) {
			c->dst[d].sin_family = AF_INET;
			c->dst[d].sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		}
		c->dst[0].sin_port = htons((uint16_t)pa);
		c->dst[1].sin_port = htons((uint16_t)pb);
	}

	streamv = calloc(2 * ncalls + 1, sizeof(*streamv));

	return streamv ? 0 : ENOMEM;
}


static void pkt_build(uint8_t *p, uint32_t ssrc, uint16_t seq, int64_t now)
{
	uint32_t ts = (uint32_t)seq * PAYLOAD;

	p[0] = 0x80;
	p[1] = 0;               /* PCMU */
	p[2] = (uint8_t)(seq >> 8);
	p[3] = (uint8_t)seq;
	for (int i = 0; i < 4; i++) {
		p[4 + i] = (uint8_t)(ts >> (24 - 8 * i));
		p[8 + i] = (uint8_t)(ssrc >> (24 - 8 * i));
	}
	memcpy(p + 12, &now, sizeof(now));
	memset(p + 12 + sizeof(now), 0xff, PAYLOAD - sizeof(now));
}


/* Send the packets of the calls whose turn is millisecond slot. */
static void send_slot(unsigned slot)
{
	static uint8_t bufv[BATCH][PKT];
	struct mmsghdr msgv[BATCH];
	struct iovec iov[BATCH];

	for (int d = 0; d < 2; d++) {
		for (int s = 0; s < nsocks; s++) {
			unsigned n = 0;
			int64_t now = realtime_ns();

			for (size_t i = slot; i < ncalls; i += PTIME_MS) {
				struct stream *st = &streamv[2 * i + d];

				if ((int)(i % (size_t)nsocks) != s)
					continue;

				pkt_build(bufv[n], (uint32_t)(2 * i + d + 1),
					  st->seq++, now);
				if (now >= count_from)
					++st->sent;
				iov[n].iov_base = bufv[n];
				iov[n].iov_len = PKT;
				memset(&msgv[n], 0, sizeof(msgv[n]));
				msgv[n].msg_hdr.msg_iov = &iov[n];
				msgv[n].msg_hdr.msg_iovlen = 1;
				msgv[n].msg_hdr.msg_name = &callv[i].dst[d];
				msgv[n].msg_hdr.msg_namelen =
					sizeof(callv[i].dst[d]);
				if (++n == BATCH) {
					(void)sendmmsg(sockv[d][s], msgv, n, 0);
					n = 0;
				}
			}
			if (n)
				(void)sendmmsg(sockv[d][s], msgv, n, 0);
		}
	}
}


static void on_packet(const uint8_t *p, size_t len, int64_t rx)
{
	struct stream *st;
	uint32_t ssrc;
	int64_t tx, transit;

	if (len < 12 + sizeof(tx))
		return;

	ssrc = (uint32_t)p[8] << 24 | (uint32_t)p[9] << 16 |
		(uint32_t)p[10] << 8 | p[11];
	if (ssrc < 1 || ssrc > 2 * ncalls)
		return;

	st = &streamv[ssrc - 1];
	memcpy(&tx, p + 12, sizeof(tx));
	if (tx < count_from)
		return;
	transit = rx - tx;
	if (st->received++) {
		double dd = fabs((double)(transit - st->prev_transit));

		st->jitter += (dd - st->jitter) / 16.0;
	}
	st->prev_transit = transit;
}


static void drain(int fd)
{
	static uint8_t bufv[BATCH][PKT + 64];
	static char ctlv[BATCH][64];
	struct mmsghdr msgv[BATCH];
	struct iovec iov[BATCH];
	int n;

	do {
		for (int i = 0; i < BATCH; i++) {
			iov[i].iov_base = bufv[i];
			iov[i].iov_len = sizeof(bufv[i]);
			memset(&msgv[i], 0, sizeof(msgv[i]));
			msgv[i].msg_hdr.msg_iov = &iov[i];
			msgv[i].msg_hdr.msg_iovlen = 1;
			msgv[i].msg_hdr.msg_control = ctlv[i];
			msgv[i].msg_hdr.msg_controllen = sizeof(ctlv[i]);
		}

		n = recvmmsg(fd, msgv, BATCH, MSG_DONTWAIT, NULL);
		for (int i = 0; i < n; i++) {
			struct msghdr *mh = &msgv[i].msg_hdr;
			struct cmsghdr *cm;
			int64_t rx = 0;

			for (cm = CMSG_FIRSTHDR(mh); cm;
			     cm = CMSG_NXTHDR(mh, cm)) {
				struct timespec ts;

				if (cm->cmsg_level != SOL_SOCKET ||
				    cm->cmsg_type != SCM_TIMESTAMPNS)
					continue;
				memcpy(&ts, CMSG_DATA(cm), sizeof(ts));
				rx = (int64_t)ts.tv_sec * 1000000000LL +
					ts.tv_nsec;
			}
			if (!rx)
				rx = realtime_ns();
			on_packet(bufv[i], msgv[i].msg_len, rx);
		}
	} while (n == BATCH);
}


static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}


static void report(double late_max_ms)
{
	uint64_t sent = 0, received = 0;
	size_t n = 2 * ncalls;
	double *jv = calloc(n + 1, sizeof(*jv));
	double sum = 0.0;

	if (!jv)
		return;

	for (size_t i = 0; i < n; i++) {
		sent += streamv[i].sent;
		received += streamv[i].received;
		jv[i] = streamv[i].jitter / 1e6;
		sum += jv[i];
	}
	qsort(jv, n, sizeof(*jv), cmp_double);

	printf("calls=%zu sent=%llu received=%llu loss=%.6f "
	       "jitter_mean_ms=%.3f jitter_p99_ms=%.3f jitter_max_ms=%.3f "
	       "sender_late_max_ms=%.3f\n",
	       ncalls, (unsigned long long)sent,
	       (unsigned long long)received,
	       sent ? 1.0 - (double)received / (double)sent : 0.0,
	       n ? sum / (double)n : 0.0,
	       n ? jv[(n * 99) / 100 < n ? (n * 99) / 100 : n - 1] : 0.0,
	       n ? jv[n - 1] : 0.0, late_max_ms);
	free(jv);
}


int main(int argc, char *argv[])
{
	struct itimerspec its;
	struct epoll_event ev;
	unsigned a_port = 0, b_port = 0;
	double seconds = 5.0, warmup = 1.0, late_max_ms = 0.0;
	uint64_t ticks_total, tick = 0, drain_ticks = 0;
	int opt, ep, tfd;

	while ((opt = getopt(argc, argv, "a:b:k:s:w:")) != -1) {
		switch (opt) {

		case 'a': a_port = (unsigned)atoi(optarg); break;
		case 'b': b_port = (unsigned)atoi(optarg); break;
		case 'k': nsocks = atoi(optarg); break;
		case 's': seconds = atof(optarg); break;
		case 'w': warmup = atof(optarg); break;
		default:  return 2;
		}
	}
	if (!a_port || !b_port || nsocks < 1 || nsocks > MAX_SOCKS ||
	    seconds <= 0.0 || warmup < 0.0 || a_port + nsocks > 65535 ||
	    b_port + nsocks > 65535)
		return 2;

	if (read_calls()) {
		fprintf(stderr, "rtp_load: bad call list\n");
		return 2;
	}

	ep = epoll_create1(0);
	tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK);
	if (ep < 0 || tfd < 0)
		return 1;

	for (int d = 0; d < 2; d++) {
		for (int s = 0; s < nsocks; s++) {
			unsigned base = d ? b_port : a_port;

			sockv[d][s] = sock_open((uint16_t)(base + s));
			if (sockv[d][s] < 0) {
				fprintf(stderr, "rtp_load: bind %u: %s\n",
					base + s, strerror(errno));
				return 1;
			}
			ev.events = EPOLLIN;
			ev.data.fd = sockv[d][s];
			(void)epoll_ctl(ep, EPOLL_CTL_ADD, sockv[d][s], &ev);
		}
	}

	memset(&its, 0, sizeof(its));
	its.it_interval.tv_nsec = 1000000;
	its.it_value.tv_nsec = 1000000;
	(void)timerfd_settime(tfd, 0, &its, NULL);
	ev.events = EPOLLIN;
	ev.data.fd = tfd;
	(void)epoll_ctl(ep, EPOLL_CTL_ADD, tfd, &ev);

	ticks_total = (uint64_t)((warmup + seconds) * 1000.0);
	count_from = realtime_ns() + (int64_t)(warmup * 1e9);

	while (drain_ticks < DRAIN_MS) {
		struct epoll_event evv[MAX_SOCKS * 2 + 1];
		int n = epoll_wait(ep, evv, MAX_SOCKS * 2 + 1, 100);

		for (int i = 0; i < n; i++) {
			uint64_t exp = 0;

			if (evv[i].data.fd != tfd) {
				drain(evv[i].data.fd);
				continue;
			}

			if (read(tfd, &exp, sizeof(exp)) != sizeof(exp))
				continue;

			/* more than one expiry: the sender ran late */
			if (exp > 1 && (double)(exp - 1) > late_max_ms)
				late_max_ms = (double)(exp - 1);

			for (; exp; exp--) {
				if (tick < ticks_total)
					send_slot((unsigned)(tick++ %
							     PTIME_MS));
				else
					++drain_ticks;
			}
		}
	}

	report(late_max_ms);

	return 0;
}
