#!/usr/bin/env python3
"""A hostile client against one real lianluod, which must refuse it all
and lose nothing.

What test_sip_bad_input, test_api_bad_input and test_abuse leave out:

- SIP streams: a TCP connection that sends half a request and stalls (kept
  open to the end), one that sends 70 KB of garbage (the server closes
  it), absurd Content-Lengths (-1, 1e3, 2^64, 4294967295, 99999999999)
  over UDP and TCP -> 400 or, for a length TCP must wait for, nothing; a
  datagram cut short, NUL bytes in a header.
- Out-of-dialog requests over UDP and TCP: BYE, CANCEL, INFO and a
  re-INVITE with an unknown Call-ID and To tag -> 481, ACK -> nothing;
  the same with the Call-ID of a live call and a wrong To tag -> 481, and
  the call lives on.
- An INVITE flood from 127.0.0.21 -> mostly 503 with Retry-After, at most
  sip-max-calls-per-address answered; meanwhile an INVITE from
  127.0.0.22 is answered and a customer's baresip on 127.0.0.1 reaches
  the agent's, tones checked both ways.
- Bad digests (wrong response, realm, uri; a right answer for another
  URI; missing fields; a 4 KB nonce; a bad nc; Basic) -> 400/401/403,
  never 200.  Replays: a REGISTER's Authorization from a real
  registration sent again, verbatim and from elsewhere -> 401 stale,
  while the client's own next count is taken; a qop-less answer works
  once; an agent's INVITE Proxy-Authorization replayed -> 407 stale, and
  the (always busy) trunk saw one call.
- HTTP: signatures of another body, method or with garbled fields, huge
  headers and request lines, a stalled request; every route with a path
  parameter (read from the route tables in src/server/api) with path
  traversal, NUL and encoded slashes -> 400/404, nothing read or written
  outside the data; SQL metacharacters and odd Unicode in every string
  field -> 400, or stored and read back byte-exact (passwords: a phone
  registers with them).
- REGISTER with Expires -1, 2^32, 1e3 or 10^20 -> still bound.
- An agent's outbound calls with SQL and Unicode in X-Lianluo-Remark and
  X-Lianluo-UUI -> the CDRs hold them byte-exact.
- Afterwards: OPTIONS and /healthz, a real call from a customer's baresip
  to an agent's baresip with tones checked both ways, everything created
  before the attack unchanged, the log clean.
"""

import json
import os
import re
import socket
import sys
import threading
import time
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lianluo_e2e as e2e  # noqa: E402

CUSTOMER = '13812345678'
AGENT1_PHONE = '13700001001'
AGENT2_PHONE = '13700001002'
AGENT1_PW = 'Ag1-pw-Hs4Tq9'
AGENT2_PW = 'Ag2-pw-Lc7Vb2'
FLOOD = 1000
CALLS_PER_ADDR = 50       # sip-max-calls-per-address, default
TRUNK_ADDR = '127.0.0.30'
SRC = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))

# Strings that break naive SQL, LIKE patterns, escaping or Unicode
# handling.
NASTY = [
    "'; DROP TABLE staff;--",
    '" OR 1=1 --',
    "' OR '1'='1",
    "x' UNION SELECT secret_key FROM apps--",
    '%',
    '_',
    '%_%',
    '\\',
    "\\'; DELETE FROM cdrs; --",
    '张伟 客服组',
    'Ünïcødé ☎ 😀',
    '\u202egpj.exe',
    'a\u00a0b\u200bc',
    '$(touch /tmp/x)`id`',
]


class Trunk:
    """A SIP trunk on its own address that is always busy: 486 to every
    INVITE, 200 to CANCEL and BYE; counts the INVITEs."""

    def __init__(self, addr=TRUNK_ADDR):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind((addr, 0))
        self.sock.settimeout(0.3)
        self.uri = 'sip:%s:%d' % self.sock.getsockname()
        self.invites = []
        self.stop = False
        self.th = threading.Thread(target=self._run, daemon=True)
        self.th.start()

    def _run(self):
        while not self.stop:
            try:
                data, peer = self.sock.recvfrom(65535)
            except socket.timeout:
                continue
            except OSError:
                return
            method = data.split(b' ', 1)[0]
            if method == b'INVITE':
                cid = e2e.SipMessage(data).header('Call-ID')
                if cid not in self.invites:
                    self.invites.append(cid)
                self._reply(data, peer, '486 Busy Here')
            elif method in (b'CANCEL', b'BYE'):
                self._reply(data, peer, '200 OK')

    def _reply(self, data, peer, status):
        m = e2e.SipMessage(data)
        to = m.header('To') or ''
        if ';tag=' not in to:
            to += ';tag=trunk'
        lines = ['SIP/2.0 %s' % status]
        lines += ['Via: %s' % v for k, v in m.headers if k in ('via', 'v')]
        lines += ['From: %s' % m.header('From'), 'To: %s' % to,
                  'Call-ID: %s' % m.header('Call-ID'),
                  'CSeq: %s' % m.header('CSeq'), 'Content-Length: 0']
        self.sock.sendto(('\r\n'.join(lines) + '\r\n\r\n').encode(),
                         peer)

    def close(self):
        self.stop = True
        self.th.join(2)
        self.sock.close()


def to_tag_of(r):
    return (r.header('To') or '').partition(';tag=')[2].split(';')[0]


def options_ok(srv, after):
    for transport in ('udp', 'tcp'):
        c = e2e.SipClient(srv.sip_port, transport)
        try:
            r = c.options(timeout=5)
        finally:
            c.close()
        e2e.check(r is not None and r.status == 200,
                  'OPTIONS over %s after %s: %r' % (transport, after, r))
    e2e.check(srv.proc.alive(), 'lianluod died after %s' % after)


def closed_by_server(sock, timeout=5.0):
    """True when the peer closes (or resets) within timeout."""
    sock.settimeout(timeout)
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            if not sock.recv(65536):
                return True
    except ConnectionResetError:
        return True
    except socket.timeout:
        return False
    return False


# --------------------------------------------------------------------------
# SIP

def sip_streams(srv):
    """Malformed and truncated SIP; returns the stalled connection."""
    uri = 'sip:%s:%d' % (e2e.LOOPBACK, srv.sip_port)

    # Half a request, then nothing: it must not hold anyone else up.
    stalled = e2e.SipClient(srv.sip_port, 'tcp')
    stalled.send_raw(stalled.build('INVITE', srv.number_uri('4001'),
                                   body=e2e.sdp_offer(40000))[:120])

    for transport in ('udp', 'tcp'):
        for clen in ('-1', '1e3', '18446744073709551616', '+5', '0x10'):
            c = e2e.SipClient(srv.sip_port, transport)
            try:
                data = c.build('OPTIONS', uri).replace(
                    b'Content-Length: 0', b'Content-Length: '
                    + clen.encode()) + b'hello'
                c.send_raw(data)
                r = c.recv(3.0)
                e2e.check(r is not None and r.status == 400,
                          'Content-Length %s over %s: expected 400, got %r'
                          % (clen, transport, r))
            finally:
                c.close()
        e2e.log('SIP over %s: Content-Length -1, 1e3, 2^64, +5, 0x10 -> '
                '400' % transport)

    for clen in ('4294967295', '99999999999'):
        c = e2e.SipClient(srv.sip_port, 'udp')
        try:
            c.send_raw(c.build('OPTIONS', uri).replace(
                b'Content-Length: 0', b'Content-Length: ' + clen.encode()))
            r = c.recv(3.0)
            e2e.check(r is not None and r.status == 400,
                      'Content-Length %s over UDP: %r' % (clen, r))
        finally:
            c.close()
        # Over TCP the server waits for the body; 70 KB later (libre
        # reads 64 KiB at most) it gives up on the connection.
        c = e2e.SipClient(srv.sip_port, 'tcp')
        try:
            c.send_raw(c.build('OPTIONS', uri).replace(
                b'Content-Length: 0', b'Content-Length: ' + clen.encode()))
            r = c.recv(1.0)
            e2e.check(r is None or r.status == 400,
                      'Content-Length %s over TCP: %r' % (clen, r))
            c.send_raw(b'x' * 70000)
            e2e.check(closed_by_server(c.sock),
                      'TCP connection with Content-Length %s and 70 KB '
                      'after it is still open' % clen)
        finally:
            c.close()
    e2e.log('SIP: Content-Length 4294967295, 99999999999 -> 400 (UDP), '
            'connection closed past 64 KiB (TCP)')

    # A stream of garbage without a message end.
    c = e2e.SipClient(srv.sip_port, 'tcp')
    try:
        c.send_raw(os.urandom(70000))
        e2e.check(closed_by_server(c.sock),
                  'TCP connection sending 70 KB of garbage is still open')
    finally:
        c.close()
    e2e.log('SIP: 70 KB of garbage over TCP -> connection closed')

    # A datagram cut short, and NUL bytes in a header.
    c = e2e.SipClient(srv.sip_port, 'udp')
    try:
        full = c.build('OPTIONS', uri)
        c.send_raw(full[:len(full) // 2])
        nul = full.replace(b'User-Agent: lianluo-e2e',
                           b'User-Agent: lianluo\x00e2e\x00\x00')
        c.send_raw(nul)
        r = c.recv(2.0)
        e2e.check(r is not None and r.status == 400,
                  'NUL bytes in a header: %r' % r)
        e2e.log('SIP: a datagram cut short -> nothing; NUL bytes in a '
                'header -> %s' % (r.first_line if r else 'nothing'))
    finally:
        c.close()

    options_ok(srv, 'the malformed streams')
    return stalled


def invite_call(c, srv, number, call_id, cseq=1):
    """An INVITE to a service number; the final answer."""
    return c.request('INVITE', srv.number_uri(number), call_id=call_id,
                     cseq=cseq, branch='z9hG4bK' + re.sub(
                         r'[^0-9a-z]', '', call_id.lower()),
                     body=e2e.sdp_offer(40000), timeout=10)


def end_call(c, srv, number, call_id, r):
    """ACK the final answer; BYE if it was a 200."""
    uri = srv.number_uri(number)
    if r.status == 200:
        c.send_raw(c.build('ACK', uri, call_id=call_id, cseq=1,
                           to_tag=to_tag_of(r)))
        return c.request('BYE', uri, call_id=call_id, cseq=2,
                         to_tag=to_tag_of(r), timeout=5)
    c.send_raw(c.build('ACK', uri, call_id=call_id, cseq=1,
                       to_tag=to_tag_of(r),
                       branch='z9hG4bK' + re.sub(r'[^0-9a-z]', '',
                                                 call_id.lower())))
    return None


def out_of_dialog(srv):
    uri = srv.number_uri('4002')
    for transport in ('udp', 'tcp'):
        c = e2e.SipClient(srv.sip_port, transport)
        try:
            for method in ('BYE', 'CANCEL', 'INFO', 'INVITE'):
                body = e2e.sdp_offer(40000) if method == 'INVITE' else b''
                r = c.request(method, uri, to_tag='nosuchtag', body=body,
                              call_id='nosuchcall-%s@x' % method)
                e2e.check(r is not None and r.status == 481,
                          'out-of-dialog %s over %s: expected 481, got %r'
                          % (method, transport, r))
            # An ACK is never answered: the next answer is the OPTIONS'.
            c.send_raw(c.build('ACK', uri, to_tag='nosuchtag',
                               call_id='nosuchcall-ACK@x'))
            r = c.options()
            e2e.check(r is not None and r.status == 200 and
                      'OPTIONS' in (r.header('CSeq') or ''),
                      'after an out-of-dialog ACK over %s: %r'
                      % (transport, r))
        finally:
            c.close()
    e2e.log('SIP: out-of-dialog BYE, CANCEL, INFO, re-INVITE -> 481, ACK '
            '-> nothing (UDP and TCP)')

    # The Call-ID of a live call with a To tag of our own.
    c = e2e.SipClient(srv.sip_port, 'udp', user=CUSTOMER)
    try:
        call_id = 'live-call@127.0.0.1'
        r = invite_call(c, srv, '4002', call_id)
        e2e.check(r is not None and r.status == 200,
                  'a call to 4002: %r' % r)
        c.send_raw(c.build('ACK', uri, call_id=call_id, cseq=1,
                           to_tag=to_tag_of(r)))
        for method in ('BYE', 'INFO', 'INVITE'):
            body = e2e.sdp_offer(40000) if method == 'INVITE' else b''
            r2 = c.request(method, uri, call_id=call_id, cseq=5,
                           to_tag='not-the-tag', body=body)
            e2e.check(r2 is not None and r2.status == 481,
                      '%s with the live Call-ID and a wrong To tag: %r'
                      % (method, r2))
        calls = srv.live_status().get('calls', [])
        e2e.check(len(calls) == 1, 'the live call after the wrong '
                  'To tags: %s' % calls)
        r2 = c.request('BYE', uri, call_id=call_id, cseq=9,
                       to_tag=to_tag_of(r))
        e2e.check(r2 is not None and r2.status == 200,
                  'the real BYE: %r' % r2)
    finally:
        c.close()
    e2e.log('SIP: BYE, INFO, re-INVITE with a live Call-ID and a wrong '
            'To tag -> 481; the call went on until its own BYE')


def flood(srv, src, result):
    """FLOOD INVITEs to 4002 from src within about a second; then the
    answered ones are hung up.  result gets the final answers."""
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((src, 0))
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
    port = s.getsockname()[1]
    uri = srv.number_uri('4002')

    def send(text):
        s.sendto(text.encode(), (e2e.LOOPBACK, srv.sip_port))

    reader = e2e.DatagramReader(s)
    replies = reader.replies
    sdp = e2e.sdp_offer(40000).decode()
    start = time.monotonic()
    for i in range(FLOOD):
        send('INVITE %s SIP/2.0\r\n'
             'Via: SIP/2.0/UDP %s:%d;branch=z9hG4bKfl%d;rport\r\n'
             'Max-Forwards: 70\r\nFrom: <sip:%s@%s>;tag=fl%d\r\n'
             'To: <%s>\r\nCall-ID: flood-%d@%s\r\nCSeq: 1 INVITE\r\n'
             'Contact: <sip:%s@%s:%d>\r\n'
             'Content-Type: application/sdp\r\nContent-Length: %d\r\n'
             '\r\n%s' % (uri, src, port, i, CUSTOMER, src, i, uri, i, src,
                         CUSTOMER, src, port, len(sdp), sdp))
        if i % 50 == 49:
            lag = start + 1.0 * (i + 1) / FLOOD - time.monotonic()
            if lag > 0:
                time.sleep(lag)
    time.sleep(1.0)

    # ACK every final answer (a 2xx in a transaction of its own, the
    # rest in the INVITE's), and hang up what was answered.
    final = {}
    for data in replies:
        m = e2e.SipMessage(data)
        cid = m.header('Call-ID')
        if m.status and m.status >= 200 and cid not in final:
            final[cid] = m
    for cid, m in final.items():
        i = cid.split('@')[0].split('-')[1]
        head = ('Max-Forwards: 70\r\nFrom: %s\r\nTo: %s\r\n'
                'Call-ID: %s\r\n' % (m.header('From'), m.header('To'), cid))
        send('ACK %s SIP/2.0\r\nVia: SIP/2.0/UDP %s:%d;branch=z9hG4bK%s%s;'
             'rport\r\n%sCSeq: 1 ACK\r\nContent-Length: 0\r\n\r\n'
             % (uri, src, port, 'ack' if m.status == 200 else 'fl', i,
                head))
        if m.status == 200:
            send('BYE %s SIP/2.0\r\nVia: SIP/2.0/UDP %s:%d;branch='
                 'z9hG4bKbye%s;rport\r\n%sCSeq: 2 BYE\r\n'
                 'Content-Length: 0\r\n\r\n' % (uri, src, port, i, head))
    time.sleep(0.5)
    reader.stop()
    s.close()
    result[:] = list(final.values())


def invite_flood(srv, agent, customer):
    """The flood from 127.0.0.21; meanwhile a raw INVITE from 127.0.0.22
    is answered and a customer's call from 127.0.0.1 reaches the agent,
    audio both ways."""
    final = []
    th = threading.Thread(target=flood, args=(srv, '127.0.0.21', final),
                          daemon=True)
    th.start()
    time.sleep(0.3)
    c = e2e.SipClient(srv.sip_port, user=CUSTOMER, src='127.0.0.22')
    try:
        r = invite_call(c, srv, '4002', 'bystander@127.0.0.22')
        e2e.check(r is not None and r.status == 200,
                  'an INVITE from 127.0.0.22 during the flood: %r' % r)
        r = end_call(c, srv, '4002', 'bystander@127.0.0.22', r)
        e2e.check(r is not None and r.status == 200,
                  'its BYE: %r' % r)
    finally:
        c.close()
    e2e.log('SIP: an INVITE from 127.0.0.22 during the flood -> 200')
    call_with_tones(srv, agent, customer, 'during the flood')
    th.join(30)
    e2e.check(not th.is_alive(), 'the flood did not end')

    codes = {}
    for m in final:
        codes[m.status] = codes.get(m.status, 0) + 1
        if m.status == 503:
            e2e.check(m.header('Retry-After'),
                      '503 without Retry-After: %r' % m.raw[:300])
    e2e.log('SIP: a flood of %d INVITEs from 127.0.0.21 -> %s'
            % (FLOOD, codes))
    # A busy machine drops datagrams: judge the answers that came.
    e2e.check(codes.get(503, 0) >= 100 and
              codes.get(503, 0) > 2 * codes.get(200, 0),
              'the flood got %s: expected mostly 503' % codes)
    e2e.check(codes.get(200, 0) <= CALLS_PER_ADDR,
              'the flood had %d calls answered, more than %d'
              % (codes.get(200, 0), CALLS_PER_ADDR))
    e2e.check(set(codes) <= {200, 503},
              'the flood got answers other than 200 and 503: %s' % codes)
    # A 200 lost on the way is retransmitted and then given up (32 s).
    e2e.wait_until(lambda: not srv.live_status().get('calls'), 40,
                   'the flood\'s calls to end')
    options_ok(srv, 'the INVITE flood')


def call_with_tones(srv, agent, customer, when):
    """The customer calls 4001, the agent answers; tones both ways."""
    srv.wait_agent_status('agent1', 'free', timeout=15)
    customer.dial(srv.number_uri('4001'))
    agent.wait_event('CALL_ESTABLISHED', 15)
    customer.wait_event('CALL_ESTABLISHED', 15)
    agent.wait_audio(3)
    customer.wait_audio(3)
    customer.hangup()
    customer.wait_event('CALL_CLOSED', 10)
    agent.wait_event('CALL_CLOSED', 10)
    e2e.assert_tone(agent.recording('dec'), 1000,
                    'agent hears customer %s' % when)
    e2e.assert_tone(customer.recording('dec'), 700,
                    'customer hears agent %s' % when)


def challenge(c, srv, user, hdrs, call_id):
    ruri = 'sip:%s:%d' % (e2e.LOOPBACK, srv.sip_port)
    r = c.request('REGISTER', ruri, call_id=call_id, cseq=1, headers=hdrs)
    e2e.check(r is not None and r.status == 401,
              'REGISTER without credentials: %r' % r)
    return r.header('WWW-Authenticate')


def digest(user, password, method, uri, nonce, realm=e2e.REALM, nc=1,
           cnonce='0a4f113b', qop=True, resp_uri=None):
    """The fields of an Authorization; resp_uri: the uri the response is
    computed over, when it is not the one in the field."""
    ha1 = e2e.md5_hex('%s:%s:%s' % (user, realm, password))
    ha2 = e2e.md5_hex('%s:%s' % (method, resp_uri or uri))
    fields = {'username': '"%s"' % user, 'realm': '"%s"' % realm,
              'nonce': '"%s"' % nonce, 'uri': '"%s"' % uri,
              'algorithm': 'MD5'}
    if qop:
        ncs = '%08x' % nc if isinstance(nc, int) else nc
        fields['response'] = '"%s"' % e2e.md5_hex(':'.join(
            [ha1, nonce, ncs, cnonce, 'auth', ha2]))
        fields.update(qop='auth', nc=ncs, cnonce='"%s"' % cnonce)
    else:
        fields['response'] = '"%s"' % e2e.md5_hex(':'.join(
            [ha1, nonce, ha2]))
    return fields


def auth_value(fields):
    return 'Digest ' + ', '.join('%s=%s' % kv for kv in fields.items())


def bad_digests(srv):
    ruri = 'sip:%s:%d' % (e2e.LOOPBACK, srv.sip_port)
    other_uri = 'sip:evil@%s:%d' % (e2e.LOOPBACK, srv.sip_port)

    def without(f, key):
        f = dict(f)
        del f[key]
        return f

    def changed(f, **kw):
        f = dict(f)
        f.update(kw)
        return f

    cases = [
        ('a wrong response', lambda n: auth_value(changed(
            digest('1002', AGENT2_PW, 'REGISTER', ruri, n),
            response='"%s"' % ('0' * 32)))),
        ('a wrong password', lambda n: auth_value(
            digest('1002', 'guess', 'REGISTER', ruri, n))),
        ('a wrong realm', lambda n: auth_value(
            digest('1002', AGENT2_PW, 'REGISTER', ruri, n, realm='evil'))),
        ('a right answer for another uri', lambda n: auth_value(
            digest('1002', AGENT2_PW, 'REGISTER', other_uri, n))),
        ('a uri changed after the answer', lambda n: auth_value(
            digest('1002', AGENT2_PW, 'REGISTER', other_uri, n,
                   resp_uri=ruri))),
        ('no response', lambda n: auth_value(without(
            digest('1002', AGENT2_PW, 'REGISTER', ruri, n), 'response'))),
        ('no nonce', lambda n: auth_value(without(
            digest('1002', AGENT2_PW, 'REGISTER', ruri, n), 'nonce'))),
        ('no username', lambda n: auth_value(without(
            digest('1002', AGENT2_PW, 'REGISTER', ruri, n), 'username'))),
        ('no nc', lambda n: auth_value(without(
            digest('1002', AGENT2_PW, 'REGISTER', ruri, n), 'nc'))),
        ('an nc of letters', lambda n: auth_value(
            digest('1002', AGENT2_PW, 'REGISTER', ruri, n,
                   nc='zzzzzzzz'))),
        ('an nc of 0', lambda n: auth_value(
            digest('1002', AGENT2_PW, 'REGISTER', ruri, n, nc=0))),
        ('a 4 KB nonce of our own', lambda n: auth_value(
            digest('1002', AGENT2_PW, 'REGISTER', ruri, 'f' * 4000))),
        ('the other agent\'s user', lambda n: auth_value(
            digest('1001', AGENT2_PW, 'REGISTER', ruri, n))),
        ('Basic', lambda n: 'Basic MTAwMjpBZzItcHctTGM3VmIy'),
        ('an empty Digest', lambda n: 'Digest'),
        ('200 empty parameters', lambda n: 'Digest ' + ','.join(
            ['x='] * 200)),
    ]
    got = []
    for i, (what, make) in enumerate(cases):
        src = '127.0.0.%d' % (40 + i)
        c = e2e.SipClient(srv.sip_port, user='1002', src=src)
        try:
            aor = '<sip:1002@%s:%d>' % (e2e.LOOPBACK, srv.sip_port)
            hdrs = [('From', '%s;tag=%s' % (aor, c.tag)), ('To', aor),
                    ('Expires', '60')]
            call_id = 'bad-digest-%d@%s' % (i, src)
            ch = challenge(c, srv, '1002', hdrs, call_id)
            nonce = e2e.parse_challenge(ch)['nonce']
            r = c.request('REGISTER', ruri, call_id=call_id, cseq=2,
                          headers=hdrs + [('Authorization', make(nonce))])
            e2e.check(r is not None and r.status in (400, 401, 403),
                      'REGISTER with %s: expected 400/401/403, got %r'
                      % (what, r))
            got.append('%s %d' % (what, r.status))
        finally:
            c.close()
    e2e.log('SIP digest: %s' % '; '.join(got))


def replays(srv, trunk):
    ruri = 'sip:%s:%d' % (e2e.LOOPBACK, srv.sip_port)
    aor = '<sip:1002@%s:%d>' % (e2e.LOOPBACK, srv.sip_port)

    # A real registration, computed here with the staff password.
    c = e2e.SipClient(srv.sip_port, 'udp', user='1002')
    hdrs = [('From', '%s;tag=%s' % (aor, c.tag)), ('To', aor),
            ('Expires', '60')]
    call_id = 'replay-reg@127.0.0.1'
    nonce = e2e.parse_challenge(challenge(c, srv, '1002', hdrs,
                                          call_id))['nonce']
    auth = auth_value(digest('1002', AGENT2_PW, 'REGISTER', ruri, nonce,
                             cnonce='c0ffee01'))
    captured = c.build('REGISTER', ruri, call_id=call_id, cseq=2,
                       headers=hdrs + [('Authorization', auth)])
    c.send_raw(captured)
    r = c.recv(5.0)
    e2e.check(r is not None and r.status == 200,
              'the real REGISTER of 1002: %r' % r)

    # The same bytes again, from the same socket and from elsewhere.
    c.send_raw(captured)
    r = c.recv(5.0)
    e2e.check(r is not None and r.status == 401 and 'stale=true' in
              (r.header('WWW-Authenticate') or ''),
              'the REGISTER replayed verbatim: expected 401 stale, got %r'
              % r)
    thief = e2e.SipClient(srv.sip_port, user='1002', src='127.0.0.70')
    try:
        thief.send_raw(captured.replace(c.local[0].encode() + b':%d'
                                        % c.local[1], b'127.0.0.70:%d'
                                        % thief.local[1]))
        r2 = thief.recv(5.0)
        e2e.check(r2 is not None and r2.status == 401,
                  'the REGISTER replayed from 127.0.0.70: %r' % r2)
    finally:
        thief.close()

    # The client itself goes on with the next count; an old one is no
    # good any more, nor one without qop for a counted nonce.
    for nc, want in ((2, 200), (2, 401), (1, 401), (5, 200), (3, 401)):
        a = auth_value(digest('1002', AGENT2_PW, 'REGISTER', ruri, nonce,
                              nc=nc, cnonce='c0ffee%02d' % nc))
        r = c.request('REGISTER', ruri, call_id=call_id, cseq=10 + nc,
                      headers=hdrs + [('Authorization', a)])
        e2e.check(r is not None and r.status == want,
                  'REGISTER with nc %d: expected %d, got %r'
                  % (nc, want, r))

    # Without qop a nonce serves once.
    nonce = e2e.parse_challenge(challenge(c, srv, '1002', hdrs,
                                          call_id))['nonce']
    a = auth_value(digest('1002', AGENT2_PW, 'REGISTER', ruri, nonce,
                          qop=False))
    got = [c.request('REGISTER', ruri, call_id=call_id, cseq=30 + i,
                     headers=hdrs + [('Authorization', a)])
           for i in range(2)]
    e2e.check([r.status if r else None for r in got] == [200, 401],
              'a qop-less answer twice: %r' % got)
    e2e.sip_register(srv, '1002', AGENT2_PW, expires=0)
    c.close()
    e2e.log('SIP digest replay: a captured REGISTER again -> 401 stale '
            '(same address and another); counts 2, 5 taken, 2, 1, 3 '
            'refused; a qop-less answer works once')

    # An agent's outbound INVITE: a right answer reaches the (busy) trunk;
    # the same credentials in a new transaction get a new challenge.
    c = e2e.SipClient(srv.sip_port, user='1002', src='127.0.0.71')
    try:
        call_id = 'replay-invite@127.0.0.71'
        r, pa = agent_invite(c, srv, trunk, call_id)
        e2e.check(r is not None and r.status == 486 and
                  len(trunk.invites) == 1,
                  'the agent\'s INVITE with its credentials: %r (the trunk '
                  'got %s)' % (r, trunk.invites))
        target = 'sip:13900000000@%s:%d' % (e2e.LOOPBACK, srv.sip_port)
        r = c.request('INVITE', target, call_id=call_id, cseq=3,
                      branch='z9hG4bKri3', body=e2e.sdp_offer(40002),
                      headers=[('Proxy-Authorization', pa)])
        e2e.check(r is not None and r.status == 407 and
                  'stale=true' in (r.header('Proxy-Authenticate') or ''),
                  'the same Proxy-Authorization again: expected 407 '
                  'stale, got %r' % r)
        c.send_raw(c.build('ACK', target, call_id=call_id, cseq=3,
                           branch='z9hG4bKri3', to_tag=to_tag_of(r)))
        e2e.check(len(trunk.invites) == 1, 'the replay reached the '
                  'trunk: %s' % trunk.invites)
        e2e.log('SIP digest replay: an INVITE\'s Proxy-Authorization '
                'again -> %s; the trunk saw one call' % r.first_line)
    finally:
        c.close()


def agent_invite(c, srv, trunk, call_id, headers=()):
    """agent2 calls out: 407, then the INVITE with its credentials;
    returns (final answer, the Proxy-Authorization sent)."""
    target = 'sip:13900000000@%s:%d' % (e2e.LOOPBACK, srv.sip_port)
    r = c.request('INVITE', target, call_id=call_id, cseq=1,
                  branch='z9hG4bKa' + call_id.split('@')[0].replace('-', ''),
                  body=e2e.sdp_offer(40002))
    e2e.check(r is not None and r.status == 407,
              'an agent\'s INVITE: expected 407, got %r' % r)
    c.send_raw(c.build('ACK', target, call_id=call_id, cseq=1,
                       branch='z9hG4bKa' + call_id.split('@')[0]
                       .replace('-', ''), to_tag=to_tag_of(r)))
    n = e2e.parse_challenge(r.header('Proxy-Authenticate'))['nonce']
    pa = auth_value(digest('1002', AGENT2_PW, 'INVITE', target, n))
    branch = 'z9hG4bKb' + call_id.split('@')[0].replace('-', '')
    r = c.request('INVITE', target, call_id=call_id, cseq=2, branch=branch,
                  body=e2e.sdp_offer(40002), timeout=10,
                  headers=[('Proxy-Authorization', pa)] + list(headers))
    if r is not None:
        c.send_raw(c.build('ACK', target, call_id=call_id, cseq=2,
                           branch=branch, to_tag=to_tag_of(r)))
    return r, pa


def remarks(srv, trunk):
    """The UUI and remark an agent's INVITE carries land in the CDR as
    they were sent."""
    c = e2e.SipClient(srv.sip_port, user='1002', src='127.0.0.72')
    try:
        for i, s in enumerate(NASTY):
            r, _ = agent_invite(c, srv, trunk, 'remark-%d@127.0.0.72' % i,
                                headers=[('X-Lianluo-Remark', s),
                                         ('X-Lianluo-UUI', s[::-1])])
            e2e.check(r is not None and r.status == 486,
                      'an outbound call with remark %r: %r' % (s, r))
    finally:
        c.close()
    want = {(s, s[::-1]) for s in NASTY}
    got = set()

    def written():
        got.clear()
        got.update((r.get('remark'), r.get('uui')) for r in srv.api_ok(
            'GET', '/v1/cdrs?limit=1000')['cdrs']
            if r.get('direction') == 'outbound')
        return want <= got
    try:
        e2e.wait_until(written, 10, 'the CDRs of the calls with remarks')
    except e2e.TestFailure:
        e2e.fail('CDRs without the remark and uui sent: %s; outbound CDRs '
                 'have %s' % (sorted(want - got), sorted(got)))
    e2e.log('SIP: %d outbound calls with SQL, escape and Unicode in '
            'X-Lianluo-Remark and -UUI -> CDRs hold them byte-exact'
            % len(NASTY))


def odd_expires(srv):
    """Malformed Expires values must not remove a binding."""
    for value in ('-1', '4294967296', '1e3', '99999999999999999999'):
        r = e2e.sip_register(srv, '1002', AGENT2_PW, expires=value)
        m = re.search(r';expires=(\d+)', r.header('Contact') or '')
        e2e.check(m and int(m.group(1)) > 0,
                  'REGISTER with Expires: %s: %r, Contact %r'
                  % (value, r, r.header('Contact')))
        e2e.check(srv.agent_statuses().get('agent2') == 'free',
                  'agent2 after a REGISTER with Expires: %s: %s'
                  % (value, srv.agent_statuses()))
    e2e.sip_register(srv, '1002', AGENT2_PW, expires=0)
    e2e.check(srv.agent_statuses().get('agent2') == 'offline',
              'agent2 after Expires: 0: %s' % srv.agent_statuses())
    e2e.log('SIP: REGISTER with Expires -1, 2^32, 1e3, 10^20 -> bound for '
            'the longest time allowed, not removed')


# --------------------------------------------------------------------------
# HTTP

def http_from(srv, src, method, target, body=b'', headers=None, sign=True,
              secret_id=None, secret_key=None, sign_method=None,
              sign_body=None, timeout=5.0):
    """A request from the address src over a raw socket (http.client
    refuses some of what is sent here)."""
    if isinstance(body, (dict, list)):
        body = json.dumps(body).encode()
    hdrs = {'Host': '127.0.0.1:%d' % srv.http_port,
            'Connection': 'close'}
    if body:
        hdrs['Content-Type'] = 'application/json'
    hdrs['Content-Length'] = str(len(body))
    if sign:
        hdrs['Authorization'] = e2e.sign_request(
            secret_id or srv.credentials['secret_id'],
            secret_key or srv.credentials['secret_key'],
            sign_method or method, target,
            body if sign_body is None else sign_body)
    hdrs.update(headers or {})
    head = '%s %s HTTP/1.1\r\n' % (method, target)
    head += ''.join('%s: %s\r\n' % kv for kv in hdrs.items()) + '\r\n'
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.settimeout(timeout)
    s.bind((src, 0))
    s.connect((e2e.LOOPBACK, srv.http_port))
    chunks = []
    try:
        try:
            s.sendall(head.encode('utf-8', 'surrogateescape') + body)
        except (BrokenPipeError, ConnectionResetError):
            pass
        try:
            while True:
                b = s.recv(65536)
                if not b:
                    break
                chunks.append(b)
        except (ConnectionResetError, socket.timeout):
            pass
    finally:
        s.close()
    raw = b''.join(chunks)
    m = re.match(rb'HTTP/1\.[01] (\d{3})', raw)
    e2e.check(m, '%s %s: no HTTP answer (%r)' % (method, target[:80],
                                                 raw[:100]))
    head, _, rbody = raw.partition(b'\r\n\r\n')
    return e2e.HttpResult(int(m.group(1)), {}, rbody)


def expect(r, statuses, what):
    e2e.check(r.status in statuses, '%s: expected %s, got %r'
              % (what, '/'.join(map(str, statuses)), r))
    e2e.check(b'root:' not in r.body, '%s: the answer has /etc/passwd in '
              'it: %r' % (what, r.body[:200]))
    return r


def http_signatures(srv):
    src = '127.0.0.60'
    cases = [
        ('a body other than the one signed', dict(
            method='POST', target='/v1/staff', body={'user_id': 'mallory'},
            sign_body=b'{"user_id":"harmless"}')),
        ('a method other than the one signed', dict(
            method='DELETE', target='/v1/staff/agent1', sign_method='GET')),
        ('a SecretId with SQL in it', dict(
            method='GET', target='/v1/staff',
            secret_id="AKID' OR '1'='1")),
        ('a signature in upper case', dict(
            method='GET', target='/v1/staff', headers={
                'Authorization': e2e.sign_request(
                    srv.credentials['secret_id'],
                    srv.credentials['secret_key'], 'GET', '/v1/staff')
                .upper()})),
        ('a timestamp of 30 digits', dict(
            method='GET', target='/v1/staff', headers={
                'Authorization': 'LL-HMAC-SHA256 SecretId=%s, Timestamp=%s,'
                ' Signature=%s' % (srv.credentials['secret_id'], '9' * 30,
                                   '0' * 64)})),
        ('a 15 KB Authorization', dict(
            method='GET', target='/v1/staff', headers={
                'Authorization': 'LL-HMAC-SHA256 SecretId=' + 'A' * 15000})),
    ]
    for i, (what, kw) in enumerate(cases):
        r = http_from(srv, '127.0.0.%d' % (60 + i), **kw)
        expect(r, (401,), what)
    staff = [s['user_id'] for s in srv.api_ok('GET', '/v1/staff')['staff']]
    e2e.check('mallory' not in staff and 'agent1' in staff,
              'a refused request changed the staff: %s' % staff)
    e2e.log('HTTP: %d more kinds of bad signature -> 401, nothing changed'
            % len(cases))

    # Huge request lines and headers, unsigned (no 401 to count).
    for what, head in [
            ('a 20 KB header', 'GET /healthz HTTP/1.1\r\nHost: x\r\n'
             'X-Pad: %s\r\n\r\n' % ('a' * 20000)),
            ('a 20 KB request line', 'GET /v1/staff/%s HTTP/1.1\r\n'
             'Host: x\r\n\r\n' % ('a' * 20000)),
            ('a header without a colon', 'GET /healthz HTTP/1.1\r\n'
             'Host: x\r\nno colon here\r\n\r\n'),
            ('a NUL in a header', 'GET /healthz HTTP/1.1\r\nHost: x\r\n'
             'X-A: a\x00b\r\n\r\n'),
            ('binary without an end', '\x16\x03\x01\x02\x00\x01\x00\x01'
             '\xfc\x03\x03' + 'a' * 200),
            ('a Content-Length of 2^64', 'POST /v1/login HTTP/1.1\r\n'
             'Host: x\r\nContent-Length: 18446744073709551616\r\n\r\n{}'),
            ('a Content-Length of -1', 'POST /v1/login HTTP/1.1\r\n'
             'Host: x\r\nContent-Length: -1\r\n\r\n{}')]:
        r = e2e.http_raw(srv.http_port, head.encode(), timeout=5)
        e2e.check(r is None or r.status in (400, 413, 414, 431),
                  'HTTP with %s: %r' % (what, r))
        # No end will come: the answer must not wait for one.
        e2e.check(r is not None or 'without an end' not in what,
                  'HTTP with %s: no answer' % what)
        e2e.log('HTTP: %s -> %s' % (what, r.status if r else 'closed'))
        e2e.check(srv.healthz() == 200, '/healthz after %s' % what)

    # Request lines without an end yet, just under 8 KiB, growing: each
    # piece used to cost a parse of the whole line so far, about a second
    # of the loop's time at this length.
    conns = []
    for i in range(48):
        conns.append(socket.create_connection((e2e.LOOPBACK,
                                               srv.http_port)))
    for piece in (b'GET /v1/staff/' + b'a' * 8000, b'a' * 100, b'a' * 50):
        for s in conns:
            s.sendall(piece)
        time.sleep(0.05)
    e2e.check(srv.healthz() == 200, '/healthz while 48 connections send '
              'request lines of 8 KB in pieces')
    for s in conns:
        s.sendall(b'a' * 1000)
        e2e.check(closed_by_server(s), 'a request line past 8 KiB: the '
                  'connection is still open')
        s.close()
    e2e.log('HTTP: request lines sent in pieces up to 8 KiB cost nothing; '
            'past it -> 414, closed')


def routes_with_parameter():
    """(method, path) of every route with a path parameter, from the
    route tables themselves, so that a new route is tried too."""
    found = []
    for name in ('routes.c', 'ivr.c'):
        with open(os.path.join(SRC, 'src', 'server', 'api', name)) as f:
            text = f.read()
        found += re.findall(r'\{"(GET|PUT|POST|DELETE)",\s*"([^"]*\{\}'
                            r'[^"]*)"', text)
    e2e.check(len(found) >= 10, 'routes with a path parameter: %s' % found)
    return found


TRAVERSAL = [
    '..%2f..%2f..%2fetc%2fpasswd', '..%2F..%2Fetc%2Fpasswd',
    '%2e%2e%2f%2e%2e%2fetc%2fpasswd', '%2e%2e', '%2E', '..', '.',
    '%00', 'agent1%00', 'x%00.wav', '%2fetc%2fpasswd', '%252e%252e%252f',
    '..%5c..%5cetc%5cpasswd', '%c0%ae%c0%ae%c0%af', '%ff%fe', '%', '%2',
    '%zz', 'a' * 300,
]


def path_traversal(srv):
    data_before = sorted(os.listdir(srv.data_dir))
    bodies = {
        '/v1/skill-groups/{}': {'wrapup_s': 1},
        '/v1/agents/{}/status': {'status': 'free'},
        '/v1/ivr-menus/{}': {'prompt': 'welcome',
                             'options': {'1': {'hangup': True}}},
    }
    routes = routes_with_parameter()
    n = 0
    for method, path in routes:
        for seg in TRAVERSAL:
            target = path.replace('{}', seg)
            body = bodies.get(path, {}) if method in ('PUT', 'POST') \
                else b''
            r = srv.api(method, target, body)
            allowed = (400, 404)
            if method == 'PUT' and path == '/v1/ivr-menus/{}':
                # PUT makes a menu: a segment that decodes to a valid
                # name ("..\\..\\etc\\passwd", "%2e%2e%2f") is a name
                # like any other, stored and read back as it was.
                allowed = (201, 400)
            expect(r, allowed, '%s %s' % (method, target[:80]))
            if r.status == 201:
                name = urllib.parse.unquote(seg)
                got = srv.api_ok('GET', target)
                e2e.check(got['name'] == name, 'IVR menu %r read back as '
                          '%r' % (name, got['name']))
                srv.api_ok('DELETE', target)
            n += 1
    # Unencoded, the slashes are the path's own: no route matches.
    for target in ('/v1/staff/../../etc/passwd', '/v1/ivr-menus/../../..'
                   '/etc/passwd', '/v1/skill-groups/..//..//etc/passwd',
                   '/v1/agents/agent1/../../../etc/passwd/status'):
        expect(srv.api('GET', target), (404,), 'GET %s' % target)
        expect(srv.api('DELETE', target), (404,), 'DELETE %s' % target)
        n += 2
    e2e.check(sorted(os.listdir(srv.data_dir)) == data_before,
              'the data directory changed: %s -> %s'
              % (data_before, sorted(os.listdir(srv.data_dir))))
    e2e.log('HTTP: %d routes with a path parameter x %d traversal, NUL and '
            'encoding tricks (%d requests) -> 400/404'
            % (len(routes), len(TRAVERSAL), n))


def seg(s):
    return urllib.parse.quote(s, safe='')


def sql_strings(srv):
    """Every string field: 400, or stored and read back byte-exact."""
    stored = 0
    refused = 0

    def create(method, target, body, ok, what):
        nonlocal stored, refused
        r = srv.api(method, target, body)
        e2e.check(r.status in (400, 404) + ok, '%s: expected 400 or %s, '
                  'got %r' % (what, ok, r))
        if r.status in ok:
            stored += 1
        else:
            refused += 1
            err = r.json.get('error', {})
            e2e.check(err.get('code') and err.get('message'),
                      '%s: an error without code and message: %r'
                      % (what, r))
        return r

    reasons = srv.api_ok('GET', '/v1/settings')['rest_reasons']
    for i, s in enumerate(NASTY):
        # Staff: the display name is free text, the rest is checked.
        uid = 'sql%d' % i
        r = create('POST', '/v1/staff', {'user_id': uid, 'name': s},
                   (201,), 'staff name %r' % s)
        e2e.check(r.status == 201, 'staff name %r refused: %r' % (s, r))
        got = [x for x in srv.api_ok('GET', '/v1/staff')['staff']
               if x['user_id'] == uid]
        e2e.check(len(got) == 1 and got[0]['name'] == s,
                  'staff name %r read back as %r' % (s, got))
        srv.api_ok('DELETE', '/v1/staff/' + uid)
        for field in ('user_id', 'phone', 'extension'):
            body = {'user_id': 'sqlf%d' % i, field: s}
            if field == 'extension':
                body['password'] = 'pw'
            r = create('POST', '/v1/staff', body, (201,),
                       'staff %s %r' % (field, s))
            if r.status == 201:
                # Only '_' is a valid user id among them.
                e2e.check(field == 'user_id' and s == '_',
                          'staff %s %r was taken' % (field, s))
                srv.api_ok('DELETE', '/v1/staff/' + seg(s))
        create('POST', '/v1/staff', {'user_id': 'sqlg%d' % i,
                                     'skill_groups': [{'name': s}]},
               (), 'a staff member in skill group %r' % s)

        # Skill groups: the name is free text and a path segment.
        for field in ('strategy', 'overflow_group'):
            create('POST', '/v1/skill-groups', {'name': 'sqlx%d' % i,
                                                field: s}, (),
                   'skill group %s %r' % (field, s))
        r = create('POST', '/v1/skill-groups', {'name': s}, (201,),
                   'skill group %r' % s)
        if '/' in s:
            e2e.check(r.status == 400, 'skill group %r: %r' % (s, r))
            continue
        e2e.check(r.status == 201, 'skill group %r refused: %r' % (s, r))
        got = [g for g in srv.api_ok('GET', '/v1/skill-groups')
               ['skill_groups'] if g['name'] == s]
        e2e.check(len(got) == 1, 'skill group %r read back: %s' % (s, got))
        got = srv.api_ok('PUT', '/v1/skill-groups/' + seg(s),
                         {'wrapup_s': 7})
        e2e.check(got['name'] == s and got['wrapup_s'] == 7,
                  'PUT skill group %r: %s' % (s, got))

        # Numbers: digits only; the references must exist.
        create('POST', '/v1/numbers', {'number': s, 'skill_group': s},
               (), 'number %r' % s)
        create('POST', '/v1/numbers', {'number': '49%02d' % i,
                                       'skill_group': 'support',
                                       'ivr': s}, (), 'number ivr %r' % s)

        # IVR menus: the name is free text, prompts are not.
        spec = {'prompt': 'welcome', 'options': {'1': {'group': s}}}
        r = create('PUT', '/v1/ivr-menus/' + seg(s), spec, (201,),
                   'IVR menu %r' % s)
        e2e.check(r.status == 201, 'IVR menu %r refused: %r' % (s, r))
        got = srv.api_ok('GET', '/v1/ivr-menus/' + seg(s))
        e2e.check(got['name'] == s and
                  got['spec']['options']['1']['group'] == s,
                  'IVR menu %r read back as %s' % (s, got))
        srv.api_ok('DELETE', '/v1/ivr-menus/' + seg(s))
        srv.api_ok('DELETE', '/v1/skill-groups/' + seg(s))
        for field in ('prompt', 'invalid_prompt'):
            create('PUT', '/v1/ivr-menus/sqlm', dict(spec, **{field: s}),
                   (), 'IVR %s %r' % (field, s))

        # Rest reasons, and an agent asking for one.
        r = create('PUT', '/v1/settings', {'rest_reasons': [s, 'break']},
                   (200,), 'rest reason %r' % s)
        if r.status == 200:
            e2e.check(r.json['rest_reasons'][0] == s,
                      'rest reason %r read back as %r'
                      % (s, r.json['rest_reasons']))
        # agent2 is not registered: 409 AgentOffline is the answer.
        expect(srv.api('PUT', '/v1/agents/agent2/status',
                       {'status': 'rest', 'reason': s}),
               (400, 409, 422), 'rest with %r' % s)

        # Tokens, credentials, login.
        create('POST', '/v1/sdk-login-tokens', {'user_id': s}, (),
               'a token for %r' % s)
        create('POST', '/v1/credentials', {'role': s}, (),
               'credentials of role %r' % s)
        create('POST', '/v1/credentials', {'role': 'agent', 'user_id': s},
               (), 'credentials for %r' % s)
        # From an address of its own: 401s count against the address.
        r = http_from(srv, '127.0.0.%d' % (80 + i), 'POST', '/v1/login',
                      {'sdk_app_id': s, 'user_id': s, 'token': s},
                      sign=False)
        expect(r, (400, 401), 'login with %r' % s)

        # Query strings.
        for target in ('/v1/cdrs?limit=%s', '/v1/audit-log?limit=%s',
                       '/v1/metrics/queues?window=%s',
                       '/v1/agents/agent1/status-history?from_ms=%s',
                       '/v1/personal-data?phone=%s'):
            method = 'DELETE' if 'personal' in target else 'GET'
            create(method, target % seg(s), b'', (), '%s' % (
                target % s))
        r = create('DELETE', '/v1/personal-data?user=' + seg(s), b'',
                   (200,), 'personal data of %r' % s)
        if r.status == 200:
            j = r.json
            e2e.check(j['cdrs_anonymised'] == 0 and
                      j['staff_anonymised'] == 0,
                      'personal data of %r: %s (a pattern matched?)'
                      % (s, j))
    srv.api_ok('PUT', '/v1/settings', {'rest_reasons': reasons})

    # Passwords are kept as a digest of their bytes: a phone registers
    # with them as they were given.
    for i, s in enumerate(NASTY[:3] + NASTY[9:11]):
        ext = '19%02d' % i
        srv.api_ok('POST', '/v1/staff', {'user_id': 'sqlpw%d' % i,
                                         'extension': ext, 'password': s})
        e2e.sip_register(srv, ext, s)
        e2e.sip_register(srv, ext, s, expires=0)
        srv.api_ok('DELETE', '/v1/staff/sqlpw%d' % i)
        stored += 1

    # A NUL inside a JSON string, and names that are path steps.
    for what, body in [('NUL', {'user_id': 'nul', 'name': 'a\u0000b'}),
                       ('a C1 control', {'user_id': 'c1',
                                         'name': 'a\u0085b'})]:
        r = srv.api('POST', '/v1/staff', body)
        e2e.check(r.status in (201, 400), 'a name with %s: %r' % (what, r))
        if r.status == 201:
            got = [x for x in srv.api_ok('GET', '/v1/staff')['staff']
                   if x['user_id'] == body['user_id']]
            e2e.check(got and got[0]['name'] == body['name'],
                      'a name with %s read back as %r' % (what, got))
            srv.api_ok('DELETE', '/v1/staff/' + body['user_id'])
    for name in ('.', '..'):
        expect(srv.api('POST', '/v1/skill-groups', {'name': name}), (400,),
               'skill group %r' % name)
    e2e.log('HTTP: %d strings with SQL, LIKE, escape and Unicode tricks in '
            'every string field: %d stored and read back exactly, %d '
            'refused with 400/404' % (len(NASTY), stored, refused))


# --------------------------------------------------------------------------

def snapshot(srv):
    return {
        'staff': srv.api_ok('GET', '/v1/staff')['staff'],
        'groups': srv.api_ok('GET', '/v1/skill-groups')['skill_groups'],
        'numbers': srv.api_ok('GET', '/v1/numbers')['numbers'],
        'ivr': srv.api_ok('GET', '/v1/ivr-menus')['ivr_menus'],
        'settings': srv.api_ok('GET', '/v1/settings'),
        'cdrs': srv.api_ok('GET', '/v1/cdrs?limit=1000')['cdrs'],
    }


def main(t):
    trunk = Trunk()
    srv = t.server(args=['--trunk', trunk.uri])
    e2e.provision(srv, group='support', number='4001', wrap_up=0,
                  agents=[('agent1', '1001', AGENT1_PW, AGENT1_PHONE)])
    # agent2's calls out go from this group's number.
    e2e.skill_group(srv, 'backoffice', number='4003')
    e2e.staff(srv, 'agent2', AGENT2_PHONE, groups=['backoffice'],
              extension='1002', password=AGENT2_PW)
    e2e.skill_group(srv, 'empty', number='4002')
    srv.api_ok('PUT', '/v1/ivr-menus/main', {
        'prompt': 'welcome', 'options': {'1': {'group': 'support'}}})

    # A CDR from before the attack.
    c = e2e.SipClient(srv.sip_port, 'udp', user=CUSTOMER)
    try:
        r = invite_call(c, srv, '4002', 'before@127.0.0.1')
        e2e.check(r is not None and r.status == 200, 'a call to 4002: %r'
                  % r)
        end_call(c, srv, '4002', 'before@127.0.0.1', r)
    finally:
        c.close()
    srv.wait_cdrs(1)
    before = snapshot(srv)
    agent = e2e.agent_phone(t, srv, 'agent1', '1001', AGENT1_PW,
                            tone_hz=700)
    customer = t.phone('customer', user=CUSTOMER, registrar=srv.sip_port,
                       register=False, tone_hz=1000)

    started = time.monotonic()
    stalled_sip = sip_streams(srv)
    stalled_http = socket.create_connection((e2e.LOOPBACK, srv.http_port))
    stalled_http.sendall(b'POST /v1/staff HTTP/1.1\r\nHost: x\r\nConte')
    out_of_dialog(srv)
    invite_flood(srv, agent, customer)
    bad_digests(srv)
    replays(srv, trunk)
    odd_expires(srv)
    remarks(srv, trunk)
    http_signatures(srv)
    path_traversal(srv)
    sql_strings(srv)
    e2e.log('the attack took %.1f s' % (time.monotonic() - started))

    # Afterwards: still serving, and nothing lost.
    options_ok(srv, 'the attack')
    srv.check_alive('the attack')
    after = snapshot(srv)
    for key in ('staff', 'groups', 'numbers', 'ivr', 'settings'):
        e2e.check(after[key] == before[key], '%s changed:\nbefore %s\n'
                  'after  %s' % (key, before[key], after[key]))
    old = {r['session_id']: r for r in after['cdrs']}
    for row in before['cdrs']:
        e2e.check(old.get(row['session_id']) == row,
                  'CDR %s changed or lost: %s' % (row['session_id'],
                                                  old.get(row['session_id'])))
    e2e.log('staff, skill groups, numbers, IVR menus, settings and the '
            '%d CDR(s) from before are unchanged' % len(before['cdrs']))

    call_with_tones(srv, agent, customer, 'after the attack')

    def answered():
        return [r for r in srv.api_ok('GET', '/v1/cdrs?limit=1000')['cdrs']
                if r.get('end_status') == 'answered']
    e2e.wait_until(lambda: len(answered()) == 2, 10,
                   'the CDRs of the two calls to the agent')
    for row in answered():
        e2e.assert_cdr(row, direction='inbound', caller=CUSTOMER,
                       callee='4001', agent='agent1', group='support')

    stalled_sip.close()
    stalled_http.close()
    srv.check_alive('the call after the attack')
    trunk.close()
    # The phones unregister while the server still answers.
    agent.quit()
    customer.quit()
    # A clean stop (exit 0), after which a sanitizer build has written
    # any report it has.
    srv.stop()
    e2e.check(not t.sanitizer_reports(), 'sanitizer reports in %s'
              % t.sanitizer_reports())
    e2e.assert_log_clean(srv, numbers=[CUSTOMER, AGENT1_PHONE,
                                       AGENT2_PHONE],
                         secrets=[AGENT1_PW, AGENT2_PW,
                                  srv.credentials['secret_key']])


if __name__ == '__main__':
    e2e.run(main)
