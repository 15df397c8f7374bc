/**
 * @file bench/relay_bench.c  RTP relay cost against a bare forwarder
 *
 * Copyright (C) 2026 The lianluo authors
 *
 * Sends RTP packets from one loopback "phone" to another through (a) the
 * server's relay (latching, stream continuity rewrite, counters) and (b) a
 * reference forwarder that only receives and sends, on the same loop, in
 * alternating rounds.  The ratio relay/reference is what the relay adds
 * over the unavoidable system calls; absolute times depend on the machine
 * and are printed for information only.  Memory per relay is measured
 * with mallinfo2() over many relays.
 *
 * Usage: relay_bench [packets-per-round] [rounds]
 */
#include <string.h>
#include <stdio.h>
#include <stdlib.h>
#include <malloc.h>
#include <time.h>
#include <re.h>
#include "common/media_sdp.h"
#include "media/media.h"


enum {
	BURST   = 32,
	PAYLOAD = 160,
	RELAYS_FOR_MEMORY = 200,
};

struct phone {
	struct udp_sock *us;
	struct sa addr;
	uint64_t received;
	uint64_t want;
};

/* The floor: two sockets that pass packets across, nothing else. */
struct forwarder {
	struct udp_sock *a, *b;
	struct sa peer_b;
};

static struct phone tx, rx;


static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}


static void rx_handler(const struct sa *src, struct mbuf *mb, void *arg)
{
	(void)src;
	(void)mb;
	(void)arg;

	if (++rx.received >= rx.want)
		re_cancel();
}


static void fwd_a_handler(const struct sa *src, struct mbuf *mb, void *arg)
{
	struct forwarder *f = arg;
	(void)src;

	(void)udp_send(f->b, &f->peer_b, mb);
}


static void fwd_destructor(void *arg)
{
	struct forwarder *f = arg;

	mem_deref(f->a);
	mem_deref(f->b);
}


static int phone_open(struct phone *p, udp_recv_h *h)
{
	struct sa a;
	int err;

	sa_set_str(&a, "127.0.0.1", 0);
	err = udp_listen(&p->us, &a, h, p);
	if (!err)
		err = udp_local_get(p->us, &p->addr);
	if (!err)
		err = udp_sockbuf_set(p->us, 1 << 20);

	return err;
}


static void timeout_handler(void *arg)
{
	(void)arg;
	re_cancel();
}


/* Send n packets to dst in bursts; nanoseconds until all arrived. */
static uint64_t run_round(const struct sa *dst, uint64_t n)
{
	struct mbuf *mb = mbuf_alloc(12 + PAYLOAD);
	struct rtp_header h;
	struct tmr t;
	uint64_t start, sent = 0;

	memset(&h, 0, sizeof(h));
	h.ver = RTP_VERSION;
	h.ssrc = 0x12345678;

	rx.received = 0;
	tmr_init(&t);
	start = now_ns();

	while (sent < n) {
		for (int i = 0; i < BURST && sent < n; i++, sent++) {
			mb->pos = mb->end = 0;
			h.seq = (uint16_t)sent;
			h.ts = (uint32_t)sent * PAYLOAD;
			(void)rtp_hdr_encode(mb, &h);
			(void)mbuf_fill(mb, 0xff, PAYLOAD);
			mb->pos = 0;
			(void)udp_send(tx.us, dst, mb);
		}
		rx.want = sent;
		tmr_start(&t, 2000, timeout_handler, NULL);
		(void)re_main(NULL);
		if (rx.received < sent) {
			fprintf(stderr, "lost packets: %llu of %llu\n",
				(unsigned long long)(sent - rx.received),
				(unsigned long long)sent);
			break;
		}
	}

	tmr_cancel(&t);
	mem_deref(mb);

	return now_ns() - start;
}


static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}


static size_t heap_used(void)
{
	return mallinfo2().uordblks;
}


int main(int argc, char *argv[])
{
	uint64_t n = argc > 1 ? strtoull(argv[1], NULL, 10) : 20000;
	int rounds = argc > 2 ? atoi(argv[2]) : 5;
	uint64_t trelay[16], tref[16];
	struct relay *r = NULL;
	struct relay *many[RELAYS_FOR_MEMORY];
	struct forwarder *f;
	struct sa laddr, ra, fa;
	size_t before;
	int err;

	if (rounds < 1 || rounds > 16 || n < BURST)
		return 2;

	err = libre_init();
	if (err)
		return 1;
	(void)fd_setsize(8192);

	err  = phone_open(&tx, NULL);
	err |= phone_open(&rx, rx_handler);
	if (err)
		goto out;

	sa_set_str(&laddr, "127.0.0.1", 0);

	/* lianluo's relay, bridged, A -> B */
	err = relay_alloc(&r, &laddr);
	if (err)
		goto out;
	relay_set_peer(r, RELAY_B, &rx.addr);
	relay_bridge(r, true);
	ra = laddr;
	sa_set_port(&ra, relay_port(r, RELAY_A));

	/* the reference forwarder */
	f = mem_zalloc(sizeof(*f), fwd_destructor);
	if (!f) {
		err = ENOMEM;
		goto out;
	}
	err = udp_listen(&f->a, &laddr, fwd_a_handler, f);
	if (!err)
		err = udp_listen(&f->b, &laddr, NULL, f);
	if (err)
		goto out;
	(void)udp_sockbuf_set(f->a, 1 << 20);
	f->peer_b = rx.addr;
	(void)udp_local_get(f->a, &fa);

	/* warm up both, then alternate so drift hits both equally */
	(void)run_round(&ra, n / 10);
	(void)run_round(&fa, n / 10);
	for (int i = 0; i < rounds; i++) {
		trelay[i] = run_round(&ra, n);
		tref[i] = run_round(&fa, n);
	}

	qsort(trelay, (size_t)rounds, sizeof(trelay[0]), cmp_u64);
	qsort(tref, (size_t)rounds, sizeof(tref[0]), cmp_u64);

	printf("relay:     %7.0f ns/packet (median of %d rounds of %llu)\n",
	       (double)trelay[rounds / 2] / (double)n, rounds,
	       (unsigned long long)n);
	printf("reference: %7.0f ns/packet (receive + send only)\n",
	       (double)tref[rounds / 2] / (double)n);
	printf("ratio relay/reference: %.2f\n",
	       (double)trelay[rounds / 2] / (double)tref[rounds / 2]);

	/* memory: what one more call's relay costs on the heap */
	before = heap_used();
	for (int i = 0; i < RELAYS_FOR_MEMORY; i++) {
		err = relay_alloc(&many[i], &laddr);
		if (err)
			goto out;
	}
	printf("memory: %zu bytes of heap per relay (%d relays)\n",
	       (heap_used() - before) / RELAYS_FOR_MEMORY,
	       RELAYS_FOR_MEMORY);
	for (int i = 0; i < RELAYS_FOR_MEMORY; i++)
		mem_deref(many[i]);

	mem_deref(f);

 out:
	if (err)
		fprintf(stderr, "relay_bench: %s\n", strerror(err));
	mem_deref(r);
	mem_deref(tx.us);
	mem_deref(rx.us);
	libre_close();

	return err ? 1 : 0;
}
