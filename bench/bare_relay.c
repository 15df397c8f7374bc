/**
 * @file bench/bare_relay.c  The ceiling: a relay that only moves packets
 *
 * Copyright (C) 2026 The lianluo authors
 *
 * Two UDP sockets per call and an epoll loop; whatever one socket
 * receives (in batches, recvmmsg) goes out of the other (sendmmsg) to the
 * latched peer.  No RTP is looked at, no RTCP port is bound, nothing is
 * allocated per packet: what is left is the system calls a userspace
 * relay cannot avoid, so no relay on one core can do much better.
 *
 * It speaks bench/relay_host.c's commands on stdin (calls, reset, quit).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>


enum {
	BATCH = 32,
	MTU   = 1500,
};

struct side {
	int fd;
	struct sockaddr_in peer;    /* where this side's packets go */
	struct side *other;
};

struct bcall {
	struct side s[2];
};

static struct bcall *callv;
static size_t ncalls;
static int ep;


static void calls_free(void)
{
	for (size_t i = 0; i < ncalls; i++) {
		close(callv[i].s[0].fd);
		close(callv[i].s[1].fd);
	}

	free(callv);
	callv = NULL;
	ncalls = 0;
}


static int side_open(struct side *sd, uint16_t peer_port)
{
	struct sockaddr_in a;
	struct epoll_event ev;
	socklen_t len = sizeof(a);
	int sz = 256 * 1024;

	sd->fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
	if (sd->fd < 0)
		return -1;
	(void)setsockopt(sd->fd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz));

	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(sd->fd, (struct sockaddr *)&a, sizeof(a)) ||
	    getsockname(sd->fd, (struct sockaddr *)&a, &len))
		return -1;

	sd->peer = a;
	sd->peer.sin_port = htons(peer_port);

	ev.events = EPOLLIN;
	ev.data.ptr = sd;

	return epoll_ctl(ep, EPOLL_CTL_ADD, sd->fd, &ev) ? -1 :
		ntohs(a.sin_port);
}


static int calls_alloc(unsigned n, unsigned pa, unsigned pb, unsigned k)
{
	calls_free();
	if (!n || !k || pa + k > 65535 || pb + k > 65535)
		return EINVAL;

	callv = calloc(n, sizeof(*callv));
	if (!callv)
		return ENOMEM;

	for (unsigned i = 0; i < n; i++) {
		struct bcall *c = &callv[i];
		int porta, portb;

		c->s[0].fd = c->s[1].fd = -1;
		++ncalls;
		porta = side_open(&c->s[0], (uint16_t)(pa + i % k));
		portb = side_open(&c->s[1], (uint16_t)(pb + i % k));
		if (porta < 0 || portb < 0)
			return errno ? errno : EINVAL;
		c->s[0].other = &c->s[1];
		c->s[1].other = &c->s[0];
		printf("%d %d\n", porta, portb);
	}

	return 0;
}


/* Move what side sd received to the other side's peer. */
static void relay(struct side *sd)
{
	static uint8_t bufv[BATCH][MTU];
	struct sockaddr_in srcv[BATCH];
	struct mmsghdr msgv[BATCH];
	struct iovec iov[BATCH];
	struct side *out = sd->other;
	int n;

	do {
		for (int i = 0; i < BATCH; i++) {
			iov[i].iov_base = bufv[i];
			iov[i].iov_len = MTU;
			memset(&msgv[i], 0, sizeof(msgv[i]));
			msgv[i].msg_hdr.msg_iov = &iov[i];
			msgv[i].msg_hdr.msg_iovlen = 1;
			msgv[i].msg_hdr.msg_name = &srcv[i];
			msgv[i].msg_hdr.msg_namelen = sizeof(srcv[i]);
		}

		n = recvmmsg(sd->fd, msgv, BATCH, MSG_DONTWAIT, NULL);
		if (n <= 0)
			return;

		/* latch: answer where the peer really sends from */
		sd->peer = srcv[n - 1];

		for (int i = 0; i < n; i++) {
			iov[i].iov_len = msgv[i].msg_len;
			msgv[i].msg_hdr.msg_name = &out->peer;
			msgv[i].msg_hdr.msg_namelen = sizeof(out->peer);
		}
		(void)sendmmsg(out->fd, msgv, (unsigned)n, 0);
	} while (n == BATCH);
}


static int command(const char *cmd)
{
	unsigned n, pa, pb, k;
	int err = 0;

	if (4 == sscanf(cmd, "calls %u %u %u %u", &n, &pa, &pb, &k))
		err = calls_alloc(n, pa, pb, k);
	else if (!strcmp(cmd, "reset"))
		calls_free();
	else if (!strcmp(cmd, "stats"))
		printf("0 0\n");
	else if (!strcmp(cmd, "quit"))
		return 1;
	else
		err = EINVAL;

	if (err)
		printf("error %s\n", strerror(err));
	else
		printf("ok\n");
	fflush(stdout);

	return 0;
}


int main(void)
{
	struct epoll_event ev;
	struct rlimit rl;
	char line[256];
	size_t linelen = 0;

	if (0 == getrlimit(RLIMIT_NOFILE, &rl)) {
		rl.rlim_cur = rl.rlim_max;
		(void)setrlimit(RLIMIT_NOFILE, &rl);
	}

	ep = epoll_create1(0);
	if (ep < 0)
		return 1;

	ev.events = EPOLLIN;
	ev.data.ptr = NULL;         /* stdin */
	if (epoll_ctl(ep, EPOLL_CTL_ADD, STDIN_FILENO, &ev))
		return 1;

	printf("ok\n");
	fflush(stdout);

	for (;;) {
		struct epoll_event evv[256];
		int n = epoll_wait(ep, evv, 256, -1);

		for (int i = 0; i < n; i++) {
			char c;

			if (evv[i].data.ptr) {
				relay(evv[i].data.ptr);
				continue;
			}

			if (read(STDIN_FILENO, &c, 1) != 1)
				goto out;
			if (c != '\n') {
				if (linelen < sizeof(line) - 1)
					line[linelen++] = c;
				continue;
			}
			line[linelen] = '\0';
			linelen = 0;
			if (command(line))
				goto out;

			/* the sockets just freed may be in this batch */
			break;
		}
	}

 out:
	calls_free();
	close(ep);

	return 0;
}
