/**
 * @file bench/relay_host.c  lianluod's RTP relay, alone in a process
 *
 * Copyright (C) 2026 The lianluo authors
 *
 * Runs the server's relay (src/server/media/relay.c, linked as it is) on
 * one libre loop, the way lianluod runs it, without SIP: calls are set up
 * from commands on stdin so that a load generator can measure the relay
 * alone, beside other relays driven the same way (bench/media_bench.py).
 *
 * Commands, one per line; each answer ends with a line "ok":
 *   calls N PORT_A PORT_B K   N bridged relays; call i's peers are
 *                             127.0.0.1:PORT_A + i % K and PORT_B + i % K;
 *                             answers one line per call, "PORT_A PORT_B",
 *                             the relay's ports each side sends to
 *   reset                     frees every relay
 *   stats                     "received FORWARDED" over all relays
 *   quit
 */
#include <string.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/resource.h>
#include <re.h>
#include "common/media_sdp.h"
#include "media/media.h"


static struct relay **relayv;
static size_t nrelays;
static char line[256];
static size_t linelen;


static void relays_free(void)
{
	for (size_t i = 0; i < nrelays; i++)
		mem_deref(relayv[i]);

	relayv = mem_deref(relayv);
	nrelays = 0;
}


static int calls_alloc(unsigned n, unsigned pa, unsigned pb, unsigned k)
{
	struct sa laddr, peer;
	int err = 0;

	relays_free();
	if (!n || !k || pa + k > 65535 || pb + k > 65535)
		return EINVAL;

	relayv = mem_zalloc(n * sizeof(*relayv), NULL);
	if (!relayv)
		return ENOMEM;

	sa_set_str(&laddr, "127.0.0.1", 0);
	for (unsigned i = 0; i < n; i++) {
		struct relay *r;

		err = relay_alloc(&r, &laddr);
		if (err)
			break;
		relayv[nrelays++] = r;

		sa_set_str(&peer, "127.0.0.1", (uint16_t)(pa + i % k));
		relay_set_peer(r, RELAY_A, &peer);
		sa_set_str(&peer, "127.0.0.1", (uint16_t)(pb + i % k));
		relay_set_peer(r, RELAY_B, &peer);
		relay_bridge(r, true);

		printf("%u %u\n", relay_port(r, RELAY_A),
		       relay_port(r, RELAY_B));
	}

	return err;
}


static void command(const char *cmd)
{
	unsigned n, pa, pb, k;
	int err = 0;

	if (4 == sscanf(cmd, "calls %u %u %u %u", &n, &pa, &pb, &k)) {
		err = calls_alloc(n, pa, pb, k);
	}
	else if (!strcmp(cmd, "reset")) {
		relays_free();
	}
	else if (!strcmp(cmd, "stats")) {
		uint64_t rx = 0, fwd = 0;

		for (size_t i = 0; i < nrelays; i++) {
			struct relay_stats st;

			relay_stats(relayv[i], &st);
			rx += st.pkts[0] + st.pkts[1];
			fwd += st.fwd[0] + st.fwd[1];
		}
		printf("%llu %llu\n", (unsigned long long)rx,
		       (unsigned long long)fwd);
	}
	else if (!strcmp(cmd, "quit")) {
		re_cancel();
		return;
	}
	else {
		err = EINVAL;
	}

	if (err)
		printf("error %s\n", strerror(err));
	else
		printf("ok\n");
	fflush(stdout);
}


static void stdin_handler(int flags, void *arg)
{
	ssize_t n;
	char c;
	(void)flags;
	(void)arg;

	/* commands are rare: a byte at a time keeps the parsing trivial */
	n = read(STDIN_FILENO, &c, 1);
	if (n <= 0) {
		re_cancel();
		return;
	}

	if (c != '\n') {
		if (linelen < sizeof(line) - 1)
			line[linelen++] = c;
		return;
	}

	line[linelen] = '\0';
	linelen = 0;
	command(line);
}


int main(void)
{
	struct rlimit rl;
	int err;

	/* four sockets per call */
	if (0 == getrlimit(RLIMIT_NOFILE, &rl)) {
		rl.rlim_cur = rl.rlim_max;
		(void)setrlimit(RLIMIT_NOFILE, &rl);
	}

	err = libre_init();
	if (err)
		return 1;
	(void)fd_setsize(65536);

	err = fd_listen(STDIN_FILENO, FD_READ, stdin_handler, NULL);
	if (err)
		goto out;

	printf("ok\n");
	fflush(stdout);
	err = re_main(NULL);

 out:
	fd_close(STDIN_FILENO);
	relays_free();
	libre_close();

	return err ? 1 : 0;
}
