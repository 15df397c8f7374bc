/**
 * @file bench/callgen.c  SIP call generator with G.711 RTP
 *
 * Copyright (C) 2026 The lianluo authors
 *
 * A SIP UAC that places calls to one number (or to USER0..USERn-1) at a
 * fixed rate or keeping a fixed number in progress, sends PCMU RTP (20 ms,
 * 160 bytes) once a call is answered, hangs up after a fixed length and
 * reports:
 *
 *   attempted / answered / failed calls; a call counts as good when it
 *   was answered, our own RTP came back (the far end echoes; packets
 *   carry a per-call tag in their first payload bytes: through
 *   lianluod that proves queue, ACD, agent and bridge), and it lasted its
 *   length without a BYE from the far end;
 *   setup time (INVITE to 200) and bridge time (INVITE to the first
 *   echoed packet) percentiles;
 *   RTP loss: received packets against the sequence span per stream.
 *
 * Bounded: stops after --calls calls or --duration seconds of starting
 * calls, whichever comes first, then waits for the calls in progress at
 * most --length + --setup-timeout + 2 s.  Loopback only.  The last line
 * printed is the machine-readable summary, "callgen key=value ...".
 *
 * Usage: callgen --server 127.0.0.1:5060 --to 4001 [--users N]
 *                (--rate CPS | --concurrent N) [--calls N]
 *                [--duration S] [--length MS] [--setup-timeout MS]
 *                [--local-port P] [--tcp] [--quiet]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <getopt.h>
#include <re.h>
#include "benchutil.h"


enum {
	TICK_MS    = 5,
	PTIME_US   = 20000,
	PAYLOAD    = 160,
	RTP_HDR    = 12,
	MAX_STREAM = 4,
};

struct stream {
	uint32_t ssrc;
	uint32_t first;          /* extended sequence numbers */
	uint32_t max;
	uint32_t recv;
};

struct call {
	struct le le;
	struct sipsess *sess;
	struct udp_sock *us;
	struct mbuf *pkt;
	struct sa dst;
	bool have_dst;
	bool answered;
	bool echoed;
	uint32_t ssrc;
	uint16_t seq;
	uint32_t ts;
	uint64_t t_invite;
	uint64_t t_answer;
	uint64_t t_next_rtp;
	uint64_t t_end;
	struct stream strv[MAX_STREAM];
	unsigned strc;
};

static struct {
	/* options */
	struct sa server;
	char to[64];
	unsigned users;
	double rate;
	unsigned concurrent;
	unsigned calls;
	unsigned duration_ms;
	unsigned length_ms;
	unsigned setup_timeout_ms;
	uint16_t local_port;
	bool tcp;                /* SIP over TCP instead of UDP */
	bool quiet;

	/* state */
	struct sip *sip;
	struct sipsess_sock *sock;
	struct tmr tick;
	struct list active;
	uint64_t t0;
	uint64_t t_last_start;
	uint64_t deadline;

	/* results */
	unsigned started;
	unsigned answered;
	unsigned good;
	unsigned fail_setup;
	unsigned fail_echo;
	unsigned fail_drop;
	unsigned fail_other;
	uint16_t last_scode;
	uint32_t *setup_ms;
	uint32_t *bridge_ms;
	unsigned nsetup;
	unsigned nbridge;
	uint64_t rtp_sent;
	uint64_t rtp_recv;
	uint64_t rtp_lost;
	unsigned calls_with_loss;
	unsigned max_loss_pm;    /* per mille of one call */
} g = {
	.users = 0,
	.calls = 100,
	.duration_ms = 10000,
	.length_ms = 2000,
	.setup_timeout_ms = 8000,
};


static void call_end(struct call *c, bool good);


static void stream_count(struct call *c, uint32_t ssrc, uint16_t seq)
{
	struct stream *s = NULL;
	unsigned i;
	int16_t delta;

	for (i = 0; i < c->strc; i++) {
		if (c->strv[i].ssrc == ssrc) {
			s = &c->strv[i];
			break;
		}
	}
	if (!s) {
		if (c->strc == MAX_STREAM)
			return;
		s = &c->strv[c->strc++];
		s->ssrc = ssrc;
		s->first = s->max = 0x10000u + seq;
		s->recv = 1;
		return;
	}

	delta = (int16_t)(seq - (uint16_t)s->max);
	if (delta > 0)
		s->max += (uint32_t)delta;
	++s->recv;
}


static void pkt_recv(const struct sa *src, struct mbuf *mb, void *arg)
{
	struct call *c = arg;
	const uint8_t *p = mbuf_buf(mb);
	uint32_t ssrc;
	uint16_t seq;
	(void)src;

	if (mbuf_get_left(mb) < RTP_HDR || (p[0] >> 6) != 2)
		return;
	seq  = (uint16_t)(p[2] << 8 | p[3]);
	ssrc = (uint32_t)p[8] << 24 | (uint32_t)p[9] << 16 |
		(uint32_t)p[10] << 8 | p[11];
	++g.rtp_recv;
	stream_count(c, ssrc, seq);

	/* the relay may rewrite SSRC and sequence numbers, not payload */
	if (!c->echoed && mbuf_get_left(mb) >= RTP_HDR + 4 &&
	    !memcmp(p + RTP_HDR, c->pkt->buf + RTP_HDR, 4)) {
		c->echoed = true;
		if (g.nbridge < g.started)
			g.bridge_ms[g.nbridge++] =
				(uint32_t)((bu_now_us() - c->t_invite) / 1000);
	}
}


static void pkt_send(struct call *c)
{
	uint8_t *p = c->pkt->buf;

	p[2] = (uint8_t)(c->seq >> 8);
	p[3] = (uint8_t)c->seq;
	p[4] = (uint8_t)(c->ts >> 24);
	p[5] = (uint8_t)(c->ts >> 16);
	p[6] = (uint8_t)(c->ts >> 8);
	p[7] = (uint8_t)c->ts;
	c->pkt->pos = 0;
	if (udp_send(c->us, &c->dst, c->pkt) == 0)
		++g.rtp_sent;
	++c->seq;
	c->ts += PAYLOAD;
}


static int answer_handler(const struct sip_msg *msg, void *arg)
{
	struct call *c = arg;

	if (bu_sdp_peer(&c->dst, msg->mb) == 0)
		c->have_dst = true;

	return 0;
}


static int offer_handler(struct mbuf **descp, const struct sip_msg *msg,
			 void *arg)
{
	struct call *c = arg;
	struct sa laddr;

	if (bu_sdp_peer(&c->dst, msg->mb) == 0)
		c->have_dst = true;
	if (udp_local_get(c->us, &laddr))
		return EINVAL;

	return bu_sdp_print(descp, sa_port(&laddr));
}


static void estab_handler(const struct sip_msg *msg, void *arg)
{
	struct call *c = arg;
	uint64_t now = bu_now_us();
	(void)msg;

	if (c->answered)
		return;
	c->answered = true;
	c->t_answer = now;
	c->t_next_rtp = now;
	c->t_end = now + (uint64_t)g.length_ms * 1000;
	++g.answered;
	g.setup_ms[g.nsetup++] = (uint32_t)((now - c->t_invite) / 1000);
}


static void close_handler(int err, const struct sip_msg *msg, void *arg)
{
	struct call *c = arg;

	if (!c->answered) {
		++g.fail_setup;
		if (msg && msg->scode)
			g.last_scode = msg->scode;
		if (!g.quiet && g.fail_setup <= 3)
			re_fprintf(stderr, "callgen: call failed: %m %u %r\n",
				   err, msg ? msg->scode : 0,
				   msg ? &msg->reason : NULL);
	}
	else {
		++g.fail_drop;
	}
	c->sess = mem_deref(c->sess);
	call_end(c, false);
}


static void call_destructor(void *arg)
{
	struct call *c = arg;

	list_unlink(&c->le);
	mem_deref(c->sess);
	mem_deref(c->us);
	mem_deref(c->pkt);
}


static void call_loss(struct call *c)
{
	uint32_t exp = 0, recv = 0, lost;
	unsigned i;

	for (i = 0; i < c->strc; i++) {
		exp  += c->strv[i].max - c->strv[i].first + 1;
		recv += c->strv[i].recv;
	}
	lost = exp > recv ? exp - recv : 0;
	g.rtp_lost += lost;
	if (lost) {
		unsigned pm = (unsigned)(1000ULL * lost / exp);

		++g.calls_with_loss;
		if (pm > g.max_loss_pm)
			g.max_loss_pm = pm;
	}
}


static void call_end(struct call *c, bool good)
{
	call_loss(c);
	if (good)
		++g.good;
	mem_deref(c);
}


static int call_start(void)
{
	struct call *c;
	struct sa laddr;
	struct mbuf *sdp = NULL;
	char uri[128], from[96];
	unsigned idx = g.started;
	int err;

	c = mem_zalloc(sizeof(*c), call_destructor);
	if (!c)
		return ENOMEM;

	sa_set_str(&laddr, "127.0.0.1", 0);
	err = udp_listen(&c->us, &laddr, pkt_recv, c);
	if (err)
		goto out;
	(void)udp_local_get(c->us, &laddr);

	c->pkt = mbuf_alloc(RTP_HDR + PAYLOAD);
	if (!c->pkt) {
		err = ENOMEM;
		goto out;
	}
	c->ssrc = rand_u32();
	c->seq = (uint16_t)rand_u16();
	c->ts = rand_u32();
	(void)mbuf_write_u8(c->pkt, 0x80);
	(void)mbuf_write_u8(c->pkt, 0);      /* PCMU */
	(void)mbuf_fill(c->pkt, 0, 6);
	(void)mbuf_write_u32(c->pkt, htonl(c->ssrc));
	/* a tag that tells our echo from the server's tones, then silence */
	(void)mbuf_write_u32(c->pkt, htonl(c->ssrc));
	(void)mbuf_fill(c->pkt, 0xff, PAYLOAD - 4);

	err = bu_sdp_print(&sdp, sa_port(&laddr));
	if (err)
		goto out;

	if (g.users)
		(void)re_snprintf(uri, sizeof(uri), "sip:%s%u@%J%s", g.to,
				  idx % g.users, &g.server,
				  g.tcp ? ";transport=tcp" : "");
	else
		(void)re_snprintf(uri, sizeof(uri), "sip:%s@%J%s", g.to,
				  &g.server, g.tcp ? ";transport=tcp" : "");
	(void)re_snprintf(from, sizeof(from), "sip:139%08u@127.0.0.1",
			  idx % 100000000u);

	list_append(&g.active, &c->le, c);
	c->t_invite = bu_now_us();
	err = sipsess_connect(&c->sess, g.sock, uri, NULL, from, "callgen",
			      NULL, 0, "application/sdp", sdp, NULL, NULL,
			      false, offer_handler, answer_handler, NULL,
			      estab_handler, NULL, NULL, close_handler, c,
			      NULL);
 out:
	mem_deref(sdp);
	++g.started;
	if (err) {
		++g.fail_other;
		mem_deref(c);
	}

	return err;
}


static void finish(void)
{
	uint64_t now = bu_now_us();
	double secs = (double)(now - g.t0) / 1e6;
	double start_secs = (double)(g.t_last_start - g.t0) / 1e6;
	unsigned failed, in_progress = 0;
	struct le *le;
	uint32_t s50, s95, s99, b50, b99;
	double loss_pct;

	/* calls still in progress at the deadline are failures */
	le = g.active.head;
	while (le) {
		struct call *c = le->data;

		le = le->next;
		++in_progress;
		if (!c->answered)
			++g.fail_setup;
		else
			++g.fail_drop;
		call_end(c, false);
	}
	failed = g.fail_setup + g.fail_echo + g.fail_drop + g.fail_other;

	s50 = bu_percentile(g.setup_ms, g.nsetup, 50);
	s95 = bu_percentile(g.setup_ms, g.nsetup, 95);
	s99 = bu_percentile(g.setup_ms, g.nsetup, 99);
	b50 = bu_percentile(g.bridge_ms, g.nbridge, 50);
	b99 = bu_percentile(g.bridge_ms, g.nbridge, 99);
	loss_pct = g.rtp_recv + g.rtp_lost ?
		100.0 * (double)g.rtp_lost /
		(double)(g.rtp_recv + g.rtp_lost) : 0.0;

	if (!g.quiet)
		re_printf("callgen: %u calls in %.1f s (%.1f/s started): "
			  "%u answered, %u good, %u failed (setup %u, "
			  "no echo %u, dropped %u, other %u, last status %u), "
			  "setup "
			  "p50/p95/p99 %u/%u/%u ms, bridge p50/p99 %u/%u ms,"
			  " RTP loss %.3f %% (%u calls with loss)\n",
			  g.started, secs,
			  start_secs > 0 ? g.started / start_secs : 0.0,
			  g.answered, g.good, failed, g.fail_setup,
			  g.fail_echo, g.fail_drop, g.fail_other,
			  g.last_scode, s50, s95, s99, b50, b99, loss_pct,
			  g.calls_with_loss);
	re_printf("callgen attempted=%u answered=%u good=%u failed=%u "
		  "fail_setup=%u fail_echo=%u fail_drop=%u fail_other=%u "
		  "last_scode=%u in_progress_at_end=%u "
		  "start_rate=%.1f elapsed_s=%.2f "
		  "setup_p50_ms=%u setup_p95_ms=%u setup_p99_ms=%u "
		  "bridge_p50_ms=%u bridge_p99_ms=%u "
		  "rtp_sent=%llu rtp_recv=%llu rtp_lost=%llu "
		  "loss_pct=%.4f calls_with_loss=%u max_call_loss_pm=%u\n",
		  g.started, g.answered, g.good, failed,
		  g.fail_setup, g.fail_echo, g.fail_drop, g.fail_other,
		  g.last_scode, in_progress,
		  start_secs > 0 ? g.started / start_secs : 0.0, secs,
		  s50, s95, s99, b50, b99,
		  (unsigned long long)g.rtp_sent,
		  (unsigned long long)g.rtp_recv,
		  (unsigned long long)g.rtp_lost, loss_pct,
		  g.calls_with_loss, g.max_loss_pm);
	re_cancel();
}


static void tick_handler(void *arg)
{
	uint64_t now = bu_now_us();
	uint64_t stop_start = g.t0 + (uint64_t)g.duration_ms * 1000;
	struct le *le;
	(void)arg;

	/* new calls */
	while (g.started < g.calls && now < stop_start) {
		if (g.rate > 0) {
			uint64_t due = g.t0 +
				(uint64_t)((double)g.started * 1e6 / g.rate);

			if (due > now)
				break;
		}
		else if (list_count(&g.active) >= g.concurrent) {
			break;
		}
		g.t_last_start = now;
		(void)call_start();
	}

	/* calls in progress: media, hang up, setup timeout */
	le = g.active.head;
	while (le) {
		struct call *c = le->data;

		le = le->next;
		if (!c->answered) {
			if (now > c->t_invite +
			    (uint64_t)g.setup_timeout_ms * 1000) {
				++g.fail_setup;
				call_end(c, false);
			}
			continue;
		}
		if (now >= c->t_end) {
			if (!c->echoed)
				++g.fail_echo;
			/* mem_deref of the session sends the BYE */
			call_end(c, c->echoed);
			continue;
		}
		if (c->have_dst && now >= c->t_next_rtp) {
			pkt_send(c);
			c->t_next_rtp += PTIME_US;
			if (c->t_next_rtp + 5 * PTIME_US < now)
				c->t_next_rtp = now + PTIME_US;
		}
	}

	if ((g.started >= g.calls || now >= stop_start) &&
	    list_isempty(&g.active)) {
		finish();
		return;
	}
	if (!g.deadline && (g.started >= g.calls || now >= stop_start))
		g.deadline = now + (uint64_t)(g.length_ms +
					      g.setup_timeout_ms + 2000) * 1000;
	if (g.deadline && now >= g.deadline) {
		finish();
		return;
	}

	tmr_start(&g.tick, TICK_MS, tick_handler, NULL);
}


static void conn_handler(const struct sip_msg *msg, void *arg)
{
	(void)arg;
	(void)sip_treply(NULL, g.sip, msg, 603, "Decline");
}


static void exit_handler(void *arg)
{
	(void)arg;
}


static void signal_handler(int sig)
{
	(void)sig;
	finish();
}


static void usage(void)
{
	(void)re_fprintf(stderr,
		"usage: callgen --server ADDR:PORT --to USER [--users N]\n"
		"               (--rate CPS | --concurrent N) [--calls N]\n"
		"               [--duration S] [--length MS]\n"
		"               [--setup-timeout MS] [--local-port P]"
		" [--tcp] [--quiet]\n");
}


static int parse_args(int argc, char *argv[])
{
	static const struct option lopts[] = {
		{"server",        required_argument, NULL, 's'},
		{"to",            required_argument, NULL, 't'},
		{"users",         required_argument, NULL, 'u'},
		{"rate",          required_argument, NULL, 'r'},
		{"concurrent",    required_argument, NULL, 'c'},
		{"calls",         required_argument, NULL, 'n'},
		{"duration",      required_argument, NULL, 'd'},
		{"length",        required_argument, NULL, 'l'},
		{"setup-timeout", required_argument, NULL, 'T'},
		{"local-port",    required_argument, NULL, 'p'},
		{"tcp",           no_argument,       NULL, 'C'},
		{"quiet",         no_argument,       NULL, 'q'},
		{NULL, 0, NULL, 0}
	};
	int ch;

	while ((ch = getopt_long(argc, argv, "", lopts, NULL)) != -1) {
		switch (ch) {

		case 's':
			if (sa_decode(&g.server, optarg, strlen(optarg)))
				return EINVAL;
			break;
		case 't': str_ncpy(g.to, optarg, sizeof(g.to)); break;
		case 'u': g.users = (unsigned)atoi(optarg); break;
		case 'r': g.rate = atof(optarg); break;
		case 'c': g.concurrent = (unsigned)atoi(optarg); break;
		case 'n': g.calls = (unsigned)atoi(optarg); break;
		case 'd':
			g.duration_ms = (unsigned)(atof(optarg) * 1000);
			break;
		case 'l': g.length_ms = (unsigned)atoi(optarg); break;
		case 'T': g.setup_timeout_ms = (unsigned)atoi(optarg); break;
		case 'p': g.local_port = (uint16_t)atoi(optarg); break;
		case 'C': g.tcp = true; break;
		case 'q': g.quiet = true; break;
		default: return EINVAL;
		}
	}

	if (!sa_isset(&g.server, SA_ALL) || !g.to[0] ||
	    (g.rate <= 0) == (g.concurrent == 0) || !g.calls)
		return EINVAL;
	if (!sa_is_loopback(&g.server)) {
		(void)re_fprintf(stderr, "callgen: loopback only\n");
		return EINVAL;
	}

	return 0;
}


int main(int argc, char *argv[])
{
	struct sa laddr;
	int err;

	if (parse_args(argc, argv)) {
		usage();
		return 2;
	}

	err = libre_init();
	if (err)
		return 1;
	bu_raise_nofile();

	g.setup_ms  = mem_zalloc(g.calls * sizeof(uint32_t), NULL);
	g.bridge_ms = mem_zalloc(g.calls * sizeof(uint32_t), NULL);
	if (!g.setup_ms || !g.bridge_ms) {
		err = ENOMEM;
		goto out;
	}

	err = bu_sip_start(&g.sip, &g.sock, "lianluo-callgen", 4096,
			   g.local_port, g.tcp, exit_handler, conn_handler,
			   &g.server, &laddr, "callgen");
	if (err)
		goto out;

	g.t0 = bu_now_us();
	tmr_init(&g.tick);
	tmr_start(&g.tick, 0, tick_handler, NULL);
	err = re_main(signal_handler);

 out:
	if (err)
		re_fprintf(stderr, "callgen: %m\n", err);
	tmr_cancel(&g.tick);
	list_flush(&g.active);
	g.sock = mem_deref(g.sock);
	sip_close(g.sip, true);
	g.sip = mem_deref(g.sip);
	mem_deref(g.setup_ms);
	mem_deref(g.bridge_ms);
	libre_close();

	if (err)
		return 1;
	return g.good == g.started ? 0 : 3;
}
