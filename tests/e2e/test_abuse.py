#!/usr/bin/env python3
"""Abuse: password guessing, floods and over-sized input against a real
lianluod, which must slow the abuser down and keep serving everyone else.

The server runs with small limits (5 failures per address, 8 per user or
SecretId, windows of 6 s, 20 costly SIP requests a second per address, 2
calls per address, 1 outbound call per agent).  Loopback 127.0.0.0/8 gives
each abuser an address of its own (127.0.0.2 ...), while the harness and
the phones stay on 127.0.0.1.

- API: 20 requests signed with an unknown SecretId from one address: 5 get
  401, the other 15 429 TooManyRequests with Retry-After, and so does a
  good request from there; meanwhile good requests from 127.0.0.1 get
  200.  Bad signatures with the real SecretId from 8 addresses block that
  SecretId everywhere (429), until Retry-After has passed.
- SIP digest: 5 wrong passwords from one address, then even the right one
  from there gets 403 "Too Many Failed Attempts" with Retry-After, while
  the right one from 127.0.0.1 registers.  3 more wrong ones from other
  addresses block the user itself.  After Retry-After both are let in.
- Limits: a 40 KB SIP request (TCP) -> 513, 150 header fields -> 400, an
  offer with 10 media lines -> 400 Bad SDP, an
  HTTP request with 100 header fields -> 413, JSON 20 levels deep -> 400;
  a third call from one address -> 503 with Retry-After (not from the
  trunk's address); a second outbound call of an agent -> 403.
- A flood of 3000 REGISTERs in about a second from one address gets 503s
  with Retry-After, while an agent registers from 127.0.0.1 and a customer
  call is answered and ends normally.
- Afterwards: one log line per limit reached (not one per request), a
  normal call still works, the CDRs and the staff are all there.
"""

import http.client
import json
import os
import socket
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lianluo_e2e as e2e  # noqa: E402

CUSTOMER = '13812345678'
AGENT1_PHONE = '13700001001'
AGENT2_PHONE = '13700001002'
AGENT1_PW = 'Ag1-pw-Rt5Kv8'
AGENT2_PW = 'Ag2-pw-Wn3Hq6'
WRONG_PW = 'Not-the-pw-8Jd'
WINDOW_S = 6
ADDR_LIMIT = 5
USER_LIMIT = 8
RATE = 20
FLOOD = 3000
TRUNK_ADDR = '127.0.0.30'


def api_from(srv, src, method, target, body=b'', secret_id=None,
             secret_key=None):
    """A signed API request from the address src."""
    hdrs = {'Authorization': e2e.sign_request(
        secret_id or srv.credentials['secret_id'],
        secret_key or srv.credentials['secret_key'], method, target, body)}
    if body:
        hdrs['Content-Type'] = 'application/json'
    conn = http.client.HTTPConnection(e2e.LOOPBACK, srv.http_port,
                                      timeout=5,
                                      source_address=(src, 0))
    try:
        conn.request(method, target, body=body or None, headers=hdrs)
        r = conn.getresponse()
        return e2e.HttpResult(r.status, dict(r.getheaders()), r.read())
    finally:
        conn.close()


def check_429(r, what):
    e2e.check(r.status == 429, '%s: expected 429, got %r' % (what, r))
    e2e.check(r.json['error']['code'] == 'TooManyRequests',
              '%s: error code %r' % (what, r.json))
    ra = r.headers.get('Retry-After')
    e2e.check(ra and ra.isdigit() and 1 <= int(ra) <= WINDOW_S,
              '%s: Retry-After %r' % (what, ra))
    return int(ra)


def check_api(srv):
    bad_id = 'AKIDnobody' + 'x' * 10
    statuses = []
    for i in range(20):
        r = api_from(srv, '127.0.0.2', 'GET', '/v1/staff',
                     secret_id=bad_id)
        statuses.append(r.status)
        if r.status == 429:
            check_429(r, 'bad signature %d from 127.0.0.2' % (i + 1))
        ok = srv.api('GET', '/v1/staff')
        e2e.check(ok.status == 200, 'a good request from 127.0.0.1 while '
                  '127.0.0.2 guesses: %r' % ok)
    e2e.check(statuses == [401] * ADDR_LIMIT + [429] * (20 - ADDR_LIMIT),
              'bad signatures from 127.0.0.2: %s' % statuses)
    check_429(api_from(srv, '127.0.0.2', 'GET', '/v1/staff'),
              'a good signature from the blocked 127.0.0.2')
    r = e2e.http_request(srv.http_port, 'GET', '/healthz')
    e2e.check(r.status == 200, '/healthz: %r' % r)
    e2e.log('API: 20 bad signatures from 127.0.0.2 -> %d x 401, then 429;'
            ' 127.0.0.1 served throughout' % ADDR_LIMIT)

    # One SecretId guessed at from many addresses, one guess each.
    for i in range(USER_LIMIT):
        r = api_from(srv, '127.0.0.%d' % (10 + i), 'GET', '/v1/staff',
                     secret_key='not-the-key')
        e2e.check(r.status == 401, 'bad signature %d: %r' % (i + 1, r))
    r = srv.api('GET', '/v1/staff')
    wait = check_429(r, 'a good request once the SecretId is blocked')
    e2e.log('API: %d bad signatures from %d addresses -> the SecretId gets'
            ' 429 for %d s' % (USER_LIMIT, USER_LIMIT, wait))
    time.sleep(wait + 0.2)
    r = srv.api('GET', '/v1/staff')
    e2e.check(r.status == 200, 'after Retry-After: %r' % r)


def register_from(srv, src, user, password, expires=60):
    """REGISTER from src answering one challenge: (first, final)."""
    c = e2e.SipClient(srv.sip_port, user=user, src=src)
    try:
        ruri = 'sip:%s:%d' % (e2e.LOOPBACK, srv.sip_port)
        aor = '<sip:%s@%s:%d>' % (user, e2e.LOOPBACK, srv.sip_port)
        call_id = 'reg-%s-%s@%s' % (user, c.tag, src)
        hdrs = [('From', '%s;tag=%s' % (aor, c.tag)), ('To', aor),
                ('Expires', str(expires))]
        first = c.request('REGISTER', ruri, call_id=call_id, cseq=1,
                          headers=hdrs)
        final = first
        if first is not None and first.status == 401:
            auth = e2e.digest_authorization(
                user, password, 'REGISTER', ruri,
                first.header('WWW-Authenticate'))
            final = c.request('REGISTER', ruri, call_id=call_id, cseq=2,
                              headers=hdrs + [('Authorization', auth)])
        return first, final
    finally:
        c.close()


def check_limited(r, what):
    e2e.check(r is not None and r.status == 403 and
              'Too Many Failed Attempts' in r.first_line,
              '%s: expected 403 Too Many Failed Attempts, got %r'
              % (what, r))
    ra = r.header('Retry-After') or ''
    e2e.check(ra.isdigit() and 1 <= int(ra) <= WINDOW_S,
              '%s: Retry-After %r' % (what, ra))


def check_digest(srv):
    for i in range(ADDR_LIMIT):
        first, final = register_from(srv, '127.0.0.2', '1001', WRONG_PW)
        e2e.check(first.status == 401 and final.status == 403 and
                  'Forbidden' in final.first_line,
                  'wrong password %d from 127.0.0.2: %r, %r'
                  % (i + 1, first, final))
    first, final = register_from(srv, '127.0.0.2', '1001', AGENT1_PW)
    check_limited(first, 'REGISTER from the blocked 127.0.0.2')
    e2e.log('SIP: %d wrong passwords from 127.0.0.2, then even the right'
            ' one -> %s' % (ADDR_LIMIT, first.first_line))

    first, final = register_from(srv, e2e.LOOPBACK, '1001', AGENT1_PW)
    e2e.check(final is not None and final.status == 200,
              'the right password from 127.0.0.1: %r' % final)
    register_from(srv, e2e.LOOPBACK, '1001', AGENT1_PW, expires=0)
    e2e.log('SIP: the right password from 127.0.0.1 -> 200')

    # The user itself, guessed at from other addresses.
    for i in range(USER_LIMIT - ADDR_LIMIT):
        first, final = register_from(srv, '127.0.0.%d' % (3 + i), '1001',
                                     WRONG_PW)
        e2e.check(final is not None and final.status == 403,
                  'wrong password from 127.0.0.%d: %r' % (3 + i, final))
    first, final = register_from(srv, '127.0.0.7', '1001', AGENT1_PW)
    check_limited(final, 'REGISTER of the blocked user 1001')
    final_retry = final.header('Retry-After')
    e2e.log('SIP: %d wrong passwords for 1001 -> the user gets %s'
            % (USER_LIMIT, final.first_line))

    # Unknown users count like wrong passwords.
    first, final = register_from(srv, '127.0.0.8', '1999', WRONG_PW)
    e2e.check(final is not None and final.status == 403,
              'unknown user 1999: %r' % final)

    # The blocks end with their window.
    time.sleep(int(final_retry) + 0.2)
    first, final = register_from(srv, '127.0.0.2', '1001', AGENT1_PW)
    e2e.check(final is not None and final.status == 200,
              'the right password from 127.0.0.2 after Retry-After: %r'
              % final)
    register_from(srv, '127.0.0.2', '1001', AGENT1_PW, expires=0)
    e2e.log('SIP: after Retry-After 127.0.0.2 and 1001 are let in again')


def check_sip_limits(srv):
    uri = 'sip:%s:%d' % (e2e.LOOPBACK, srv.sip_port)
    c = e2e.SipClient(srv.sip_port, 'tcp')
    try:
        r = c.request('OPTIONS', uri, headers=[('X-Pad', 'a' * 40000)])
        e2e.check(r is not None and r.status == 513,
                  '40 KB OPTIONS over TCP: %r' % r)
        e2e.log('SIP: 40 KB request -> %s' % r.first_line)
    finally:
        c.close()
    c = e2e.SipClient(srv.sip_port, 'udp')
    try:
        r = c.request('OPTIONS', uri, headers=[
            ('X-H%d' % i, 'v') for i in range(150)])
        e2e.check(r is not None and r.status == 400 and
                  'Too Many Headers' in r.first_line,
                  '150 header fields: %r' % r)
        e2e.log('SIP: 150 header fields -> %s' % r.first_line)
        e2e.check(c.options().status == 200, 'OPTIONS afterwards')

        sdp = e2e.sdp_offer(40000).replace(b'm=audio', b''.join(
            b'm=video %d RTP/AVP 96\r\n' % (5000 + 2 * i)
            for i in range(9)) + b'm=audio')
        call_id = 'abuse-sdp@127.0.0.1'
        r = c.request('INVITE', srv.number_uri('4002'), call_id=call_id,
                      cseq=1, branch=branch_of(call_id), body=sdp)
        e2e.check(r is not None and r.status == 400 and
                  'Bad SDP' in r.first_line, '10 media lines: %r' % r)
        dialog_end(c, srv, '4002', call_id, r)
        e2e.log('SIP: an offer with 10 media lines -> %s' % r.first_line)
    finally:
        c.close()


def check_http_limits(srv):
    hdrs = ''.join('X-H%d: v\r\n' % i for i in range(100))
    r = e2e.http_raw(srv.http_port, ('GET /healthz HTTP/1.1\r\nHost: x\r\n'
                                     '%s\r\n' % hdrs).encode())
    e2e.check(r is not None and r.status == 413 and
              json.loads(r.body)['error']['code'] == 'RequestTooLarge',
              '100 header fields: %r' % r)
    deep = b'{"user_id":' + b'[' * 20 + b']' * 20 + b'}'
    r = srv.api('POST', '/v1/staff', deep)
    e2e.check(r.status == 400 and 'nested' in r.json['error']['message'],
              'JSON 20 levels deep: %r' % r)
    e2e.log('HTTP: 100 header fields -> 413, deep JSON -> 400 "%s"'
            % r.json['error']['message'])


def invite(c, srv, number, call_id):
    return c.request('INVITE', srv.number_uri(number), call_id=call_id,
                     cseq=1, branch=branch_of(call_id),
                     body=e2e.sdp_offer(40000), timeout=5)


def branch_of(call_id):
    return 'z9hG4bK' + call_id.split('@')[0].replace('-', '')


def dialog_end(c, srv, number, call_id, r):
    """ACK (a non-2xx in the INVITE's transaction), then BYE if answered."""
    to_tag = (r.header('To') or '').partition(';tag=')[2].split(';')[0]
    branch = None if r.status == 200 else branch_of(call_id)
    c.send_raw(c.build('ACK', srv.number_uri(number), call_id=call_id,
                       cseq=1, to_tag=to_tag, branch=branch))
    if r.status == 200:
        c.request('BYE', srv.number_uri(number), call_id=call_id, cseq=2,
                  to_tag=to_tag)


def check_call_limits(srv, trunk):
    # Calls per source address: the queue of 4002 has nobody logged in.
    c = e2e.SipClient(srv.sip_port, user=CUSTOMER, src='127.0.0.9')
    try:
        calls = []
        for i in range(3):
            call_id = 'abuse-call-%d@127.0.0.9' % i
            calls.append((call_id, invite(c, srv, '4002', call_id)))
        got = [r.status if r else None for _, r in calls]
        e2e.check(got == [200, 200, 503], 'three calls from 127.0.0.9: %s'
                  % got)
        ra = calls[2][1].header('Retry-After') or ''
        e2e.check(ra.isdigit(), '503 without Retry-After: %r' % calls[2][1])
        for call_id, r in calls:
            dialog_end(c, srv, '4002', call_id, r)
        e2e.log('SIP: a third call from 127.0.0.9 -> %s'
                % calls[2][1].first_line)
    finally:
        c.close()

    # The trunk's address is not limited.
    c = e2e.SipClient(srv.sip_port, user=CUSTOMER, src=TRUNK_ADDR)
    try:
        calls = []
        for i in range(3):
            call_id = 'trunk-call-%d@%s' % (i, TRUNK_ADDR)
            calls.append((call_id, invite(c, srv, '4002', call_id)))
        got = [r.status if r else None for _, r in calls]
        e2e.check(got == [200, 200, 200], 'three calls from the trunk: %s'
                  % got)
        for call_id, r in calls:
            dialog_end(c, srv, '4002', call_id, r)
        e2e.log('SIP: three calls from the trunk\'s address -> 200')
    finally:
        c.close()

    # Outbound calls per agent: the trunk takes the first and never
    # answers; the agent's second gets 403.
    c = e2e.SipClient(srv.sip_port, user='1002', src='127.0.0.3')
    try:
        ruri = 'sip:13900000000@%s:%d' % (e2e.LOOPBACK, srv.sip_port)
        results = []
        for i in range(2):
            call_id = 'abuse-out-%d@127.0.0.3' % i
            branch = 'z9hG4bKout%d' % i
            r = c.request('INVITE', ruri, call_id=call_id, cseq=1,
                          branch=branch, body=e2e.sdp_offer(40002))
            e2e.check(r is not None and r.status == 407,
                      'outbound INVITE %d: expected 407, got %r' % (i, r))
            to_tag = (r.header('To') or '').partition(';tag=')[2]
            c.send_raw(c.build('ACK', ruri, call_id=call_id, cseq=1,
                               branch=branch, to_tag=to_tag))
            auth = e2e.digest_authorization(
                '1002', AGENT2_PW, 'INVITE', ruri,
                r.header('Proxy-Authenticate'))
            branch2 = 'z9hG4bKout%da' % i
            c.send_raw(c.build('INVITE', ruri, call_id=call_id, cseq=2,
                               branch=branch2, body=e2e.sdp_offer(40002),
                               headers=[('Proxy-Authorization', auth)]))
            r = c.recv(5.0, provisional=True)
            results.append((call_id, branch2, r))
            if i == 0:
                e2e.check(r is not None and r.status in (100, 183),
                          'first outbound call: %r' % r)
                trunk.settimeout(5)
                data, _ = trunk.recvfrom(65535)
                e2e.check(data.startswith(b'INVITE '),
                          'the trunk got %r' % data[:40])
        r = results[1][2]
        while r is not None and r.status < 200:
            r = c.recv(5.0)
        e2e.check(r is not None and r.status == 403 and
                  'Too Many Calls' in r.first_line,
                  'second outbound call: %r' % r)
        e2e.log('SIP: a second outbound call of agent2 -> %s'
                % r.first_line)
        to_tag = (r.header('To') or '').partition(';tag=')[2]
        c.send_raw(c.build('ACK', ruri, call_id=results[1][0], cseq=2,
                           branch=results[1][1], to_tag=to_tag))
        # Cancel the first.
        call_id, branch, _ = results[0]
        c.send_raw(c.build('CANCEL', ruri, call_id=call_id, cseq=2,
                           branch=branch))
        deadline = time.monotonic() + 5
        final = None
        while time.monotonic() < deadline and final is None:
            m = c.recv(1.0)
            if m is not None and m.header('CSeq') == '2 INVITE':
                final = m
        e2e.check(final is not None and final.status == 487,
                  'the cancelled outbound call: %r' % final)
        c.send_raw(c.build('ACK', ruri, call_id=call_id, cseq=2,
                           branch=branch, to_tag=(final.header('To') or '')
                           .partition(';tag=')[2]))
    finally:
        c.close()


def flood(srv, src, count, seconds, replies):
    """count REGISTERs without credentials from src within seconds."""
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((src, 0))
    port = s.getsockname()[1]
    ruri = 'sip:%s:%d' % (e2e.LOOPBACK, srv.sip_port)
    aor = '<sip:1002@%s:%d>' % (e2e.LOOPBACK, srv.sip_port)

    reader = e2e.DatagramReader(s, timeout=0.5)
    start = time.monotonic()
    for i in range(count):
        msg = ('REGISTER %s SIP/2.0\r\n'
               'Via: SIP/2.0/UDP %s:%d;branch=z9hG4bKfl%d;rport\r\n'
               'Max-Forwards: 70\r\nFrom: %s;tag=fl%d\r\nTo: %s\r\n'
               'Call-ID: flood-%d@%s\r\nCSeq: 1 REGISTER\r\n'
               'Contact: <sip:1002@%s:%d>\r\nExpires: 60\r\n'
               'Content-Length: 0\r\n\r\n'
               % (ruri, src, port, i, aor, i, aor, i, src, src, port))
        s.sendto(msg.encode(), (e2e.LOOPBACK, srv.sip_port))
        if i % 100 == 99:
            lag = start + seconds * (i + 1) / count - time.monotonic()
            if lag > 0:
                time.sleep(lag)
    time.sleep(1.0)
    reader.stop()
    replies.extend(reader.replies)
    s.close()


def main(t):
    # The trunk on an address of its own: its address is exempt from the
    # per-address limits, and 127.0.0.1 (the phones) must not be.
    trunk = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    trunk.bind((TRUNK_ADDR, 0))
    srv = t.server(args=[
        '--trunk', 'sip:%s:%d' % (TRUNK_ADDR, trunk.getsockname()[1]),
        '--auth-fail-limit-address', str(ADDR_LIMIT),
        '--auth-fail-limit-user', str(USER_LIMIT),
        '--auth-fail-window', str(WINDOW_S),
        '--sip-request-rate', str(RATE),
        '--sip-max-calls-per-address', '2',
        '--sip-max-outbound-calls-per-agent', '1'])
    e2e.provision(srv, group='support', number='4001',
                  agents=[('agent1', '1001', AGENT1_PW, AGENT1_PHONE),
                          ('agent2', '1002', AGENT2_PW, AGENT2_PHONE)])
    e2e.provision(srv, group='empty', number='4002')
    staff_before = sorted(s['user_id'] for s in
                          srv.api_ok('GET', '/v1/staff')['staff'])

    check_api(srv)
    check_digest(srv)
    check_sip_limits(srv)
    check_http_limits(srv)
    check_call_limits(srv, trunk)

    # The flood, and meanwhile a registration and a call from 127.0.0.1.
    replies = []
    th = threading.Thread(target=flood, args=(srv, '127.0.0.20', FLOOD,
                                              1.2, replies), daemon=True)
    th.start()
    time.sleep(0.2)
    e2e.sip_register(srv, '1002', AGENT2_PW)
    agent = t.phone('agent2', user='1002', password=AGENT2_PW,
                    registrar=srv.sip_port, tone_hz=700)
    agent.wait_registered()
    th.join(10)
    codes = {}
    for data in replies:
        first = data.split(b'\r\n', 1)[0].decode(errors='replace')
        code = first.split(' ')[1] if ' ' in first else '?'
        codes[code] = codes.get(code, 0) + 1
        if code == '503':
            e2e.check(b'\r\nRetry-After: ' in data,
                      '503 without Retry-After: %r' % data[:300])
    e2e.log('flood of %d REGISTERs from 127.0.0.20 -> %s'
            % (FLOOD, codes))
    e2e.check(codes.get('503', 0) > FLOOD // 2,
              'the flood got %s: expected mostly 503' % codes)
    e2e.check(codes.get('401', 0) <= RATE * 3,
              'the flood got %d challenges at %d a second'
              % (codes.get('401', 0), RATE))
    srv.wait_agent_status('agent2', 'free')

    customer = t.phone('customer', user=CUSTOMER, registrar=srv.sip_port,
                       register=False, tone_hz=1000)
    customer.dial(srv.number_uri('4001'))
    agent.wait_event('CALL_ESTABLISHED', 10)
    customer.wait_event('CALL_ESTABLISHED', 10)
    agent.wait_audio(4)
    customer.hangup()
    customer.wait_event('CALL_CLOSED', 5)
    agent.wait_event('CALL_CLOSED', 5)
    e2e.assert_tone(agent.recording('dec'), 1000, 'agent hears customer')

    srv.check_alive('the abuse')
    rows = srv.wait_cdrs(7)
    answered = [r for r in rows if r.get('end_status') == 'answered']
    e2e.check(len(rows) == 7 and len(answered) == 1,
              'CDRs: expected 2 calls from 127.0.0.9, 3 from the trunk, 1 '
              'outbound, 1 answered; got %s' % rows)
    staff_after = sorted(s['user_id'] for s in
                         srv.api_ok('GET', '/v1/staff')['staff'])
    e2e.check(staff_after == staff_before, 'staff %s, expected %s'
              % (staff_after, staff_before))

    text = srv.log_text()
    for line, n in (('failed authentications from 127.0.0.2 ', 2),
                    ("failed authentications of user '1001'", 1),
                    ('failed signatures with the SecretId', 1),
                    ('requests a second from 127.0.0.20', 1)):
        got = text.count(line)
        e2e.check(got == n, 'log lines with %r: %d, expected %d'
                  % (line, got, n))
    e2e.assert_log_clean(srv, numbers=[CUSTOMER, AGENT1_PHONE,
                                       AGENT2_PHONE],
                         secrets=[AGENT1_PW, AGENT2_PW, WRONG_PW,
                                  srv.credentials['secret_key']])
    trunk.close()


if __name__ == '__main__':
    e2e.run(main)
