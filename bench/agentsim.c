/**
 * @file bench/agentsim.c  Many SIP agents in one process
 *
 * Copyright (C) 2026 The lianluo authors
 *
 * Registers M agents and answers every INVITE at once, echoing the
 * caller's RTP back to where it comes from.  Cheap enough for 10,000
 * agents: one libre loop, one SIP UDP socket shared by all agents (each
 * registers its own Contact user on it), one UDP socket per call in
 * progress, no per-agent timer but sipreg's refresh, hand-made SDP.
 *
 * Against lianluod (--api URL --data DIR) each agent logs in as an SDK
 * does: POST /v1/sdk-login-tokens (signed with the application's
 * SecretId/SecretKey from DATA/credentials.json) for a token, then the
 * login storm, measured: POST /v1/login for ephemeral SIP credentials and
 * REGISTER with digest until 200.  --create GROUP first creates the staff
 * members in that skill group through POST /v1/staff (existing ones are
 * kept), and --create-only stops there.  Against a plain registrar
 * (Kamailio, no --api) agents register
 * unauthenticated as PREFIX<i>.
 *
 * Bounded: exits after --duration seconds (or on SIGINT/SIGTERM).  Lines
 * "agentsim phase=... key=value ..." report each phase; "agentsim ready"
 * says every agent is registered.  Loopback only.
 *
 * Usage: agentsim --sip ADDR:PORT --agents M [--prefix P]
 *                 [--api http://ADDR:PORT --data DIR
 *                  [--create GROUP [--create-only]]]
 *                 [--inflight K] [--duration S] [--local-port P] [--tcp]
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <getopt.h>
#include <re.h>
#include "common/sign.h"
#include "benchutil.h"


enum {
	REG_EXPIRES = 3600,
	FIELD_SZ  = 64,
	TICK_MS   = 10,
};

enum phase {
	PH_CREATE,
	PH_TOKEN,
	PH_LOGIN,
	PH_SERVE,
};

struct agent {
	unsigned idx;
	char user[FIELD_SZ];
	char cuser[FIELD_SZ];
	char sipuser[FIELD_SZ];
	char sippass[FIELD_SZ];
	char aor[128];
	char *token;
	struct sipreg *reg;
	struct http_req *req;
	uint64_t t_start;
	bool registered;
};

struct echo_call {
	struct le le;
	struct sipsess *sess;
	struct udp_sock *us;
	struct sa peer;
	bool latched;
};

static struct {
	/* options */
	struct sa sip_addr;
	unsigned nagents;
	char prefix[32];
	char api[128];
	char data[256];
	char group[64];
	unsigned inflight;
	unsigned duration_s;
	bool create_only;        /* stop once the staff exist */
	bool fatal;              /* a phase failed */
	uint16_t local_port;
	bool tcp;                /* SIP over TCP instead of UDP */

	/* application credentials */
	char app_id[FIELD_SZ];
	char secret_id[128];
	char secret_key[128];
	char sip_uri[128];

	/* state */
	struct sip *sip;
	struct sipsess_sock *sock;
	struct sip_lsnr *lsnr;
	struct dnsc *dnsc;
	struct http_cli *http;
	struct agent *agentv;
	struct list calls;
	struct tmr tick;
	struct tmr stop;
	enum phase phase;
	unsigned next;           /* next agent to start in this phase */
	unsigned busy;           /* requests in flight */
	unsigned done;           /* agents through this phase */
	unsigned failed;         /* agents that failed this phase */
	uint64_t t_phase;
	uint32_t *lat_ms;
	unsigned nlat;

	/* serving */
	uint64_t invites;
	uint64_t echoed;
	unsigned ncalls_max;
} g = {
	.nagents  = 10,
	.prefix   = "bench",
	.inflight = 32,
	.duration_s = 60,
};


static void phase_next(void);
static void pump(void);


static void agent_fail(struct agent *a, const char *what, int err,
		       uint16_t scode)
{
	/* the first few tell why; the count says how many */
	if (g.failed < 5)
		re_fprintf(stderr, "agentsim: %s %s: %m %u\n", a->user, what,
			   err, scode);
	++g.failed;
	++g.done;
	--g.busy;
	pump();
}


static void agent_ok(struct agent *a)
{
	if (g.phase == PH_LOGIN)
		g.lat_ms[g.nlat++] =
			(uint32_t)((bu_now_us() - a->t_start) / 1000);
	++g.done;
	--g.busy;
	pump();
}


/* --- SIP: registration and echo calls ---------------------------------- */

static int auth_handler(char **username, char **password, const char *realm,
			void *arg)
{
	struct agent *a = arg;
	int err;
	(void)realm;

	if (!a->sipuser[0])
		return EAUTH;
	err  = str_dup(username, a->sipuser);
	err |= str_dup(password, a->sippass);

	return err;
}


static void reg_handler(int err, const struct sip_msg *msg, void *arg)
{
	struct agent *a = arg;

	if (a->registered)
		return;          /* a refresh */
	if (err || !msg || msg->scode >= 300) {
		a->reg = mem_deref(a->reg);
		agent_fail(a, "REGISTER", err, msg ? msg->scode : 0);
		return;
	}
	if (msg->scode < 200)
		return;
	a->registered = true;
	agent_ok(a);
}


static int agent_register(struct agent *a)
{
	char reg_uri[128];

	(void)re_snprintf(reg_uri, sizeof(reg_uri), "%s%s",
			  g.sip_uri, g.tcp ? ";transport=tcp" : "");
	if (!a->aor[0])
		(void)re_snprintf(a->aor, sizeof(a->aor), "sip:%s@%J",
				  a->user, &g.sip_addr);

	return sipreg_register(&a->reg, g.sip, reg_uri, a->aor, NULL, a->aor,
			       REG_EXPIRES, a->cuser, NULL, 0, 0, auth_handler,
			       a, false, reg_handler, a, NULL, NULL);
}


static void echo_destructor(void *arg)
{
	struct echo_call *ec = arg;

	list_unlink(&ec->le);
	mem_deref(ec->sess);
	mem_deref(ec->us);
}


/* Symmetric RTP: back to where it came from, unchanged. */
static void echo_recv(const struct sa *src, struct mbuf *mb, void *arg)
{
	struct echo_call *ec = arg;

	if (!ec->latched || !sa_cmp(src, &ec->peer, SA_ALL)) {
		ec->peer = *src;
		ec->latched = true;
	}
	if (udp_send(ec->us, src, mb) == 0)
		++g.echoed;
}


static void echo_close(int err, const struct sip_msg *msg, void *arg)
{
	struct echo_call *ec = arg;
	(void)err;
	(void)msg;

	mem_deref(ec);
}


static int echo_offer(struct mbuf **descp, const struct sip_msg *msg,
		      void *arg)
{
	struct echo_call *ec = arg;
	struct sa laddr;
	(void)msg;

	if (udp_local_get(ec->us, &laddr))
		return EINVAL;

	return bu_sdp_print(descp, sa_port(&laddr));
}


static int echo_answer(const struct sip_msg *msg, void *arg)
{
	(void)msg;
	(void)arg;
	return 0;
}


static void echo_estab(const struct sip_msg *msg, void *arg)
{
	(void)msg;
	(void)arg;
}


static void conn_handler(const struct sip_msg *msg, void *arg)
{
	struct echo_call *ec;
	struct mbuf *sdp = NULL;
	struct sa laddr;
	int err;
	(void)arg;

	++g.invites;
	ec = mem_zalloc(sizeof(*ec), echo_destructor);
	if (!ec)
		goto fail;
	sa_set_str(&laddr, "127.0.0.1", 0);
	err = udp_listen(&ec->us, &laddr, echo_recv, ec);
	if (err)
		goto fail;
	(void)udp_local_get(ec->us, &laddr);
	err = bu_sdp_print(&sdp, sa_port(&laddr));
	if (err)
		goto fail;
	err = sipsess_accept(&ec->sess, g.sock, msg, 200, "OK",
			     "agent",
			     "application/sdp", sdp, NULL, NULL, false,
			     echo_offer, echo_answer, echo_estab, NULL, NULL,
			     echo_close, ec, NULL);
	mem_deref(sdp);
	if (err)
		goto fail;
	list_append(&g.calls, &ec->le, ec);
	if (list_count(&g.calls) > g.ncalls_max)
		g.ncalls_max = list_count(&g.calls);

	return;

 fail:
	mem_deref(ec);
	(void)sip_treply(NULL, g.sip, msg, 500, "Server Error");
}


/* lianluod tells agents their status in MESSAGEs; OPTIONS are pings */
static bool req_handler(const struct sip_msg *msg, void *arg)
{
	(void)arg;

	if (!pl_strcmp(&msg->met, "MESSAGE") ||
	    !pl_strcmp(&msg->met, "OPTIONS") ||
	    !pl_strcmp(&msg->met, "NOTIFY")) {
		(void)sip_treply(NULL, g.sip, msg, 200, "OK");
		return true;
	}

	return false;
}


/* --- HTTP: staff, tokens, login --------------------------------------- */

static int api_post(struct agent *a, const char *path, bool sign,
		    http_resp_h *resph, const char *fmt, ...)
{
	char body[512], url[256], auth[512] = "";
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = re_vsnprintf(body, sizeof(body), fmt, ap);
	va_end(ap);
	if (n < 0)
		return ENOMEM;
	if (sign) {
		char hdr[400];
		int err = sign_authorization(hdr, sizeof(hdr), g.secret_id,
					     g.secret_key, "POST", path,
					     (uint64_t)time(NULL),
					     (const uint8_t *)body,
					     strlen(body));
		if (err)
			return err;
		(void)re_snprintf(auth, sizeof(auth),
				  "Authorization: %s\r\n", hdr);
	}
	(void)re_snprintf(url, sizeof(url), "%s%s", g.api, path);

	return http_request(&a->req, g.http, "POST", url, resph, NULL, a,
			    "%s"
			    "Content-Type: application/json\r\n"
			    "Content-Length: %zu\r\n"
			    "\r\n"
			    "%s", auth, strlen(body), body);
}


static struct odict *reply_json(const struct http_msg *msg)
{
	struct odict *od = NULL;

	if (!msg || !msg->mb)
		return NULL;
	if (json_decode_odict(&od, 8, (const char *)mbuf_buf(msg->mb),
			      mbuf_get_left(msg->mb), 4))
		return NULL;

	return od;
}


static void create_handler(int err, const struct http_msg *msg, void *arg)
{
	struct agent *a = arg;

	/* 409: created by an earlier run, which is fine */
	if (err || !msg || (msg->scode != 201 && msg->scode != 409)) {
		agent_fail(a, "POST /v1/staff", err, msg ? msg->scode : 0);
		return;
	}
	agent_ok(a);
}


static void token_handler(int err, const struct http_msg *msg, void *arg)
{
	struct agent *a = arg;
	struct odict *od;
	const char *tok;

	if (err || !msg || msg->scode != 201) {
		agent_fail(a, "POST /v1/sdk-login-tokens", err,
			   msg ? msg->scode : 0);
		return;
	}
	od = reply_json(msg);
	tok = od ? odict_string(od, "token") : NULL;
	if (!tok || str_dup(&a->token, tok)) {
		mem_deref(od);
		agent_fail(a, "token reply", EBADMSG, 0);
		return;
	}
	mem_deref(od);
	agent_ok(a);
}


static void login_handler(int err, const struct http_msg *msg, void *arg)
{
	struct agent *a = arg;
	struct odict *od;
	const char *u, *p, *aor;

	if (err || !msg || msg->scode != 200) {
		agent_fail(a, "POST /v1/login", err, msg ? msg->scode : 0);
		return;
	}
	od = reply_json(msg);
	u   = od ? odict_string(od, "sip_username") : NULL;
	p   = od ? odict_string(od, "sip_password") : NULL;
	aor = od ? odict_string(od, "aor") : NULL;
	if (!u || !p || !aor) {
		mem_deref(od);
		agent_fail(a, "login reply", EBADMSG, 0);
		return;
	}
	str_ncpy(a->sipuser, u, sizeof(a->sipuser));
	str_ncpy(a->sippass, p, sizeof(a->sippass));
	str_ncpy(a->aor, aor, sizeof(a->aor));
	mem_deref(od);
	a->token = mem_deref(a->token);

	err = agent_register(a);
	if (err)
		agent_fail(a, "REGISTER", err, 0);
}


/* --- phases ------------------------------------------------------------ */

static int agent_start(struct agent *a)
{
	a->t_start = bu_now_us();

	switch (g.phase) {

	case PH_CREATE:
		return api_post(a, "/v1/staff", true, create_handler,
				"{\"user_id\":\"%s\",\"skill_groups\":"
				"[{\"name\":\"%s\"}]}", a->user, g.group);
	case PH_TOKEN:
		return api_post(a, "/v1/sdk-login-tokens", true,
				token_handler, "{\"user_id\":\"%s\"}",
				a->user);
	case PH_LOGIN:
		if (!g.api[0])
			return agent_register(a);
		if (!a->token)
			return ENOENT;   /* its token failed */
		return api_post(a, "/v1/login", false, login_handler,
				"{\"sdk_app_id\":\"%s\",\"user_id\":\"%s\","
				"\"token\":\"%s\"}", g.app_id, a->user,
				a->token);
	default:
		return EINVAL;
	}
}


static void pump(void)
{
	while (g.phase != PH_SERVE && g.busy < g.inflight &&
	       g.next < g.nagents) {
		struct agent *a = &g.agentv[g.next++];
		int err;

		++g.busy;
		err = agent_start(a);
		if (err) {
			if (g.failed < 5)
				re_fprintf(stderr, "agentsim: %s: %m\n",
					   a->user, err);
			++g.failed;
			++g.done;
			--g.busy;
		}
	}

	if (g.phase != PH_SERVE && g.done == g.nagents && !g.busy)
		tmr_start(&g.tick, 0, (tmr_h *)phase_next, NULL);
}


static const char *phase_name(enum phase ph)
{
	switch (ph) {

	case PH_CREATE: return "create";
	case PH_TOKEN:  return "token";
	case PH_LOGIN:  return "login";
	default:        return "serve";
	}
}


static void phase_report(void)
{
	double secs = (double)(bu_now_us() - g.t_phase) / 1e6;
	unsigned ok = g.done - g.failed;
	uint32_t p50, p99, pmax;

	p50  = bu_percentile(g.lat_ms, g.nlat, 50);
	p99  = bu_percentile(g.lat_ms, g.nlat, 99);
	pmax = bu_percentile(g.lat_ms, g.nlat, 100);
	re_printf("agentsim phase=%s agents=%u ok=%u failed=%u "
		  "elapsed_s=%.3f per_s=%.1f",
		  phase_name(g.phase), g.nagents, ok, g.failed, secs,
		  secs > 0 ? ok / secs : 0.0);
	if (g.phase == PH_LOGIN)
		re_printf(" p50_ms=%u p99_ms=%u max_ms=%u inflight=%u",
			  p50, p99, pmax, g.inflight);
	re_printf("\n");
	(void)fflush(stdout);
}


static void phase_begin(enum phase ph)
{
	g.phase = ph;
	g.next = g.busy = g.done = g.failed = 0;
	g.nlat = 0;
	g.t_phase = bu_now_us();
	pump();
}


static void phase_next(void)
{
	bool failed = g.failed > 0;

	phase_report();
	if (failed && g.phase != PH_LOGIN) {
		re_fprintf(stderr, "agentsim: phase %s failed\n",
			   phase_name(g.phase));
		g.fatal = true;
		re_cancel();
		return;
	}
	switch (g.phase) {

	case PH_CREATE:
		if (g.create_only) {
			re_cancel();
			break;
		}
		phase_begin(PH_TOKEN);
		break;
	case PH_TOKEN:
		phase_begin(PH_LOGIN);
		break;
	default:
		g.phase = PH_SERVE;
		re_printf("agentsim ready registered=%u\n",
			  g.nagents - g.failed);
		(void)fflush(stdout);
		break;
	}
}


/* --- set-up ------------------------------------------------------------ */

static int read_credentials(void)
{
	char path[300];
	struct odict *od = NULL;
	const char *v;
	FILE *f;
	char buf[4096];
	size_t n;
	int err = 0;

	(void)re_snprintf(path, sizeof(path), "%s/credentials.json", g.data);
	f = fopen(path, "r");
	if (!f)
		return errno;
	n = fread(buf, 1, sizeof(buf), f);
	(void)fclose(f);
	err = json_decode_odict(&od, 8, buf, n, 4);
	if (err)
		goto out;

	v = odict_string(od, "sdk_app_id");
	if (v)
		str_ncpy(g.app_id, v, sizeof(g.app_id));
	v = odict_string(od, "secret_id");
	if (v)
		str_ncpy(g.secret_id, v, sizeof(g.secret_id));
	v = odict_string(od, "secret_key");
	if (v)
		str_ncpy(g.secret_key, v, sizeof(g.secret_key));
	if (!g.app_id[0] || !g.secret_id[0] || !g.secret_key[0])
		err = EBADMSG;
 out:
	mem_deref(od);

	return err;
}


static int agents_alloc(void)
{
	unsigned i;

	g.agentv = mem_zalloc(g.nagents * sizeof(*g.agentv), NULL);
	g.lat_ms = mem_zalloc(g.nagents * sizeof(uint32_t), NULL);
	if (!g.agentv || !g.lat_ms)
		return ENOMEM;
	for (i = 0; i < g.nagents; i++) {
		struct agent *a = &g.agentv[i];

		a->idx = i;
		(void)re_snprintf(a->user, sizeof(a->user), "%s%u",
				  g.prefix, i);
		/* distinct Contact users on the one shared socket */
		(void)re_snprintf(a->cuser, sizeof(a->cuser), "%s", a->user);
	}

	return 0;
}


static void agents_free(void)
{
	unsigned i;

	for (i = 0; g.agentv && i < g.nagents; i++) {
		g.agentv[i].req = mem_deref(g.agentv[i].req);
		g.agentv[i].reg = mem_deref(g.agentv[i].reg);
		g.agentv[i].token = mem_deref(g.agentv[i].token);
	}
	g.agentv = mem_deref(g.agentv);
	g.lat_ms = mem_deref(g.lat_ms);
}


static void stop_handler(void *arg)
{
	(void)arg;
	re_cancel();
}


static void signal_handler(int sig)
{
	(void)sig;
	re_cancel();
}


static void exit_handler(void *arg)
{
	(void)arg;
}


static int parse_args(int argc, char *argv[])
{
	static const struct option lopts[] = {
		{"sip",        required_argument, NULL, 's'},
		{"agents",     required_argument, NULL, 'n'},
		{"prefix",     required_argument, NULL, 'P'},
		{"api",        required_argument, NULL, 'a'},
		{"data",       required_argument, NULL, 'D'},
		{"create",     required_argument, NULL, 'c'},
		{"create-only", no_argument,      NULL, 'o'},
		{"inflight",   required_argument, NULL, 'k'},
		{"duration",   required_argument, NULL, 'd'},
		{"local-port", required_argument, NULL, 'p'},
		{"tcp",        no_argument,       NULL, 'C'},
		{NULL, 0, NULL, 0}
	};
	int ch;

	while ((ch = getopt_long(argc, argv, "", lopts, NULL)) != -1) {
		switch (ch) {

		case 's':
			if (sa_decode(&g.sip_addr, optarg, strlen(optarg)))
				return EINVAL;
			break;
		case 'n': g.nagents = (unsigned)atoi(optarg); break;
		case 'P': str_ncpy(g.prefix, optarg, sizeof(g.prefix)); break;
		case 'a': str_ncpy(g.api, optarg, sizeof(g.api)); break;
		case 'D': str_ncpy(g.data, optarg, sizeof(g.data)); break;
		case 'c': str_ncpy(g.group, optarg, sizeof(g.group)); break;
		case 'o': g.create_only = true; break;
		case 'k': g.inflight = (unsigned)atoi(optarg); break;
		case 'd': g.duration_s = (unsigned)atoi(optarg); break;
		case 'p': g.local_port = (uint16_t)atoi(optarg); break;
		case 'C': g.tcp = true; break;
		default: return EINVAL;
		}
	}

	if (!sa_isset(&g.sip_addr, SA_ALL) || !g.nagents || !g.inflight)
		return EINVAL;
	if (!sa_is_loopback(&g.sip_addr) ||
	    (g.api[0] && strncmp(g.api, "http://127.", 11))) {
		re_fprintf(stderr, "agentsim: loopback only\n");
		return EINVAL;
	}
	if (g.api[0] && !g.data[0])
		return EINVAL;

	return 0;
}


int main(int argc, char *argv[])
{
	struct sa laddr, ns;
	int err;

	if (parse_args(argc, argv)) {
		(void)re_fprintf(stderr,
			"usage: agentsim --sip ADDR:PORT --agents M"
			" [--prefix P]\n"
			"                [--api http://ADDR:PORT --data DIR"
			" [--create GROUP [--create-only]]]\n"
			"                [--inflight K] [--duration S]"
			" [--local-port P] [--tcp]\n");
		return 2;
	}

	err = libre_init();
	if (err)
		return 1;
	bu_raise_nofile();
	tmr_init(&g.tick);
	tmr_init(&g.stop);

	err = agents_alloc();
	if (err)
		goto out;
	if (g.api[0]) {
		err = read_credentials();
		if (err) {
			re_fprintf(stderr, "agentsim: %s/credentials.json: "
				   "%m\n", g.data, err);
			goto out;
		}
		/* libre's HTTP client wants a resolver even for IPs */
		sa_set_str(&ns, "127.0.0.1", 53);
		err = dnsc_alloc(&g.dnsc, NULL, &ns, 1);
		if (err)
			goto out;
		err = http_client_alloc(&g.http, g.dnsc);
		if (err)
			goto out;
	}

	err = bu_sip_start(&g.sip, &g.sock, "lianluo-agentsim", 8192,
			   g.local_port, g.tcp, exit_handler, conn_handler,
			   &g.sip_addr, &laddr, "agentsim");
	if (err)
		goto out;
	err = sip_listen(&g.lsnr, g.sip, true, req_handler, NULL);
	if (err)
		goto out;

	(void)re_snprintf(g.sip_uri, sizeof(g.sip_uri), "sip:%J", &g.sip_addr);
	tmr_start(&g.stop, (uint64_t)g.duration_s * 1000, stop_handler,
		  NULL);
	if (g.api[0] && g.group[0])
		phase_begin(PH_CREATE);
	else if (g.api[0])
		phase_begin(PH_TOKEN);
	else
		phase_begin(PH_LOGIN);

	err = re_main(signal_handler);
	re_printf("agentsim invites=%llu max_calls=%u echoed=%llu\n",
		  (unsigned long long)g.invites, g.ncalls_max,
		  (unsigned long long)g.echoed);

 out:
	if (err)
		re_fprintf(stderr, "agentsim: %m\n", err);
	tmr_cancel(&g.tick);
	tmr_cancel(&g.stop);
	list_flush(&g.calls);
	agents_free();
	g.sock = mem_deref(g.sock);
	g.lsnr = mem_deref(g.lsnr);
	if (g.sip)
		sip_close(g.sip, true);
	g.sip = mem_deref(g.sip);
	g.http = mem_deref(g.http);
	g.dnsc = mem_deref(g.dnsc);
	libre_close();

	return err || g.fatal ? 1 : 0;
}
