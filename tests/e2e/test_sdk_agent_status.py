#!/usr/bin/env python3
"""Agent statuses between the SDK and the server, over SIP MESSAGE.

Two lianluo-agent bots (agent mode, auto-answer) in one skill group and
baresip customers calling its number.  agentA is given --status
rest:lunch, free, notReady, rest:nap: the first is asked for after login,
each next one on SIGUSR1 (during a call, reserved for after it).  Checked:

- agentA prints "event status rest lunch", the server's status (lianluoctl
  status) shows it rest, and a customer's call goes to agentB only;
- agentA asks for free: "event status free", and the next call (agentB is
  still busy with the first) is offered to agentA;
- during that call agentA asks for notReady: the request is answered
  (code=0 after-call), agentA prints "status busy ... pending notReady";
  after the customer hangs up and the wrap-up, agentA is notReady (event
  and server);
- a plain status MESSAGE forged to the address agentA registered from:
  no answer (the SDK speaks SIP over TLS only), and agentA shows nothing
  of it;
- rest with a reason the application does not have: the documented error
  (LL_ERR_STATUS_NOT_ALLOWED, code -24) and the status stays notReady;
- hostile MESSAGEs: no credentials (401), wrong password (403), garbage
  and unknown status (400), a wrong content type (415), 2 KB over UDP
  (413), 64 KB over TCP, for an offline agent (480); carol registers a
  contact where nothing listens and rests: answered at once, the status
  that cannot reach her is one log line; the server still answers
  OPTIONS 200 and a third call is answered (by agentB);
- no phone number in clear in the server's log, nor a secret.
"""

import os
import re
import signal
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lianluo_e2e as e2e  # noqa: E402

CT = 'application/vnd.lianluo.agent-status+json'
CUSTOMER1 = '13812345678'
CUSTOMER2 = '13912345679'
PHONE_A, PHONE_B, PHONE_C = '13700001001', '13700001002', '13700001003'
CAROL_EXT, CAROL_PW = '1003', 'carol-secret-pw'
WRAP_UP_S = 3


def pending_of(ev):
    """The status after "pending" in a status line, or None."""
    w = ev['words']
    return w[w.index('pending') + 1] if 'pending' in w[:-1] else None


def wait_status(agent, name, timeout=10.0, pending=None):
    """The next "event status NAME ..." line of the agent (with "pending
    PENDING" when asked)."""
    deadline = time.monotonic() + timeout
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            e2e.fail('%s: no "event status %s%s" within %.0f s; log tail:'
                     '\n%s' % (agent.name, name,
                               ' pending ' + pending if pending else '',
                               timeout, agent.log_tail()))
        ev = agent.wait_event('status', left)
        if ev['words'] and ev['words'][0] == name and \
                (pending is None or pending_of(ev) == pending):
            return ev


def next_status(agent):
    """SIGUSR1: the bot asks for its next --status."""
    os.kill(agent.proc.pid, signal.SIGUSR1)


def agent_row(srv, user):
    for a in srv.status().get('agents', []):
        if a.get('user_id') == user:
            return a
    return {}


def message(client, body, headers=(), auth=None, uri=None, ctype=CT,
            from_uri=None):
    """A MESSAGE to the status user; auth (user, password) answers the
    401 once.  Returns the final response."""
    uri = uri or 'sip:lianluo-status@%s:%d' % client.server
    from_uri = from_uri or 'sip:%s@%s:%d' % (client.user, client.server[0],
                                             client.server[1])

    def send(extra):
        hdrs = [('From', '<%s>;tag=%s' % (from_uri, client.tag))]
        if ctype:
            hdrs.append(('Content-Type', ctype))
        raw = client.build('MESSAGE', uri, headers=hdrs + list(headers) +
                           extra)
        head = raw[:raw.rindex(b'Content-Length: 0\r\n\r\n')]
        raw = head + b'Content-Length: %d\r\n\r\n' % len(body) + body
        if not client.send_raw(raw):
            return None
        return client.recv(3.0)

    resp = send([])
    if resp is not None and resp.status == 401 and auth:
        challenge = resp.header('WWW-Authenticate')
        resp = send([('Authorization', e2e.digest_authorization(
            auth[0], auth[1], 'MESSAGE', uri, challenge))])
    return resp


def expect_status(resp, code, what):
    e2e.check(resp is not None, '%s: no answer' % what)
    e2e.check(resp.status == code, '%s: %s, expected %d'
              % (what, resp.first_line, code))
    e2e.log('%s: %s' % (what, resp.first_line))


def hostile(srv):
    udp = e2e.SipClient(srv.sip_port, 'udp', user=CAROL_EXT)
    good = (CAROL_EXT, CAROL_PW)

    expect_status(message(udp, b'{"status":"free"}'), 401,
                  'MESSAGE without credentials')
    expect_status(message(udp, b'{"status":"free"}',
                          auth=(CAROL_EXT, 'wrong')), 403,
                  'MESSAGE with a wrong password')
    expect_status(message(udp, b'\x00\xff{{{garbage', auth=good), 400,
                  'MESSAGE with a garbage body')
    expect_status(message(udp, b'{"status":"dancing"}', auth=good), 400,
                  'MESSAGE with an unknown status')
    expect_status(message(udp, b'{"status":"rest","reason":{"a":{"b":1}}}',
                          auth=good), 400, 'MESSAGE nested too deep')
    expect_status(message(udp, b'{"status":"free"}', auth=good,
                          ctype='text/plain'), 415,
                  'MESSAGE with another content type')
    expect_status(message(udp, b'{"status":"free","x":"%s"}'
                          % (b'y' * 2048), auth=good), 413,
                  'MESSAGE with a 2 KB body')
    expect_status(message(udp, b'{"status":"free"}', auth=good), 480,
                  'MESSAGE from an agent that is not registered')
    expect_status(message(udp, b'{"status":"free"}', auth=good,
                          uri='sip:someone@%s:%d' % udp.server), 404,
                  'MESSAGE to another user')

    # carol registers a contact where nothing listens: her status goes
    # there and is lost, without holding anything up.
    dead = e2e.free_port()
    reg_uri = 'sip:%s:%d' % udp.server
    aor = '<sip:%s@%s:%d>' % (CAROL_EXT, udp.server[0], udp.server[1])
    hdrs = [('From', aor + ';tag=' + udp.tag), ('To', aor),
            ('Contact', '<sip:%s@127.0.0.1:%d;transport=tcp>'
             % (CAROL_EXT, dead)),
            ('Expires', '60')]
    call_id = 'reg-' + udp.tag
    resp = udp.request('REGISTER', reg_uri, headers=hdrs, call_id=call_id)
    expect_status(resp, 401, 'REGISTER of carol')
    resp = udp.request('REGISTER', reg_uri, call_id=call_id, headers=hdrs +
                       [('Authorization', e2e.digest_authorization(
                           CAROL_EXT, CAROL_PW, 'REGISTER', reg_uri,
                           resp.header('WWW-Authenticate')))])
    expect_status(resp, 200, 'REGISTER of carol (dead contact)')
    t0 = time.monotonic()
    expect_status(message(udp, b'{"status":"rest","reason":"lunch"}',
                          auth=good), 200, 'carol rests')
    e2e.check(time.monotonic() - t0 < 1.0, 'the answer to carol took '
              '%.1f s' % (time.monotonic() - t0))
    srv.wait_agent_status('carol', 'rest')
    udp.close()

    # 64 KB over TCP: refused or the connection dropped, never a crash.
    tcp = e2e.SipClient(srv.sip_port, 'tcp', user=CAROL_EXT)
    resp = message(tcp, b'{"status":"free","x":"%s"}' % (b'z' * 65536))
    e2e.check(resp is None or resp.status in (400, 413),
              '64 KB MESSAGE over TCP answered %s' % resp)
    e2e.log('64 KB MESSAGE over TCP: %s' % (resp.first_line if resp
                                            else 'no answer'))
    tcp.close()

    srv.check_alive('hostile MESSAGEs')
    probe = e2e.SipClient(srv.sip_port, 'udp')
    opt = probe.options()
    e2e.check(opt is not None and opt.status == 200,
              'OPTIONS after the hostile MESSAGEs: %s' % opt)
    e2e.check('MESSAGE' in (opt.header('Allow') or ''),
              'OPTIONS Allow does not list MESSAGE: %s' % opt.header('Allow'))
    probe.close()


def main(t):
    srv = t.server()
    e2e.provision(srv, group='support', number='4001', wrap_up=WRAP_UP_S,
                  agents=[('agentA', None, None, PHONE_A),
                          ('agentB', None, None, PHONE_B),
                          ('carol', CAROL_EXT, CAROL_PW, PHONE_C)])
    tok_a = srv.ctl('token', 'create', '--user', 'agentA', json=False)
    tok_b = srv.ctl('token', 'create', '--user', 'agentB', json=False)

    a = t.agent('agentA', e2e.agent_args(
        srv, 'agentA', tok_a, '--auto-answer', '--timeout', 80,
        '--status', 'rest:lunch', '--status', 'free',
        '--status', 'notReady', '--status', 'rest:nap'))
    b = t.agent('agentB', e2e.agent_args(
        srv, 'agentB', tok_b, '--auto-answer', '--timeout', 80,
        '--hangup-after', 8))
    a.wait_event('login', 15)
    b.wait_event('login', 15)

    # rest:lunch right after login
    req = a.wait_event('status-request', 10)
    e2e.check(req.get('code') == '0', 'rest:lunch refused: %s'
              % req['line'])
    ev = wait_status(a, 'rest')
    e2e.check(ev['words'][1:2] == ['lunch'], 'status line without the '
              'reason: %s' % ev['line'])
    srv.wait_agent_status('agentA', 'rest')
    srv.wait_agent_status('agentB', 'free')
    row = agent_row(srv, 'agentA')
    e2e.log('server: %s' % row)
    if 'reason' in row:
        e2e.check(row['reason'] == 'lunch', 'server shows reason %r'
                  % row['reason'])

    # A call while agentA rests: agentB only.
    c1 = t.phone('customer1', user=CUSTOMER1, registrar=srv.sip_port,
                 register=False, tone_hz=1000)
    c1.dial(srv.number_uri('4001'))
    b.wait_event('new-session', 10)
    b.wait_event('accepted', 10)
    c1.wait_event('CALL_ESTABLISHED', 10)
    e2e.check(a.count_events('new-session') == 0,
              'agentA was offered a call while resting')

    # free: offered again (agentB is busy with the first call)
    next_status(a)
    req = a.wait_event('status-request', 10)
    e2e.check(req.get('code') == '0', 'free refused: %s' % req['line'])
    wait_status(a, 'free')
    srv.wait_agent_status('agentA', 'free')

    c2 = t.phone('customer2', user=CUSTOMER2, registrar=srv.sip_port,
                 register=False, tone_hz=700)
    c2.dial(srv.number_uri('4001'))
    ns = a.wait_event('new-session', 10)
    e2e.check(ns.get('direction') == 'inbound', 'agentA: %s' % ns['line'])
    a.wait_event('accepted', 10)
    c2.wait_event('CALL_ESTABLISHED', 10)
    srv.wait_agent_status('agentA', 'busy', timeout=5)

    # notReady during the call: reserved for after it
    next_status(a)
    req = a.wait_event('status-request', 10)
    e2e.check(req.get('code') == '0' and 'after-call' in req['words'],
              'notReady during the call: %s' % req['line'])
    wait_status(a, 'busy', pending='notReady')
    e2e.check(agent_row(srv, 'agentA').get('status') == 'busy',
              'the reservation changed the status during the call')

    c2.hangup()
    c2.wait_event('CALL_CLOSED', 5)
    a.wait_event('ended', 5)
    t0 = time.monotonic()
    wait_status(a, 'notReady', WRAP_UP_S + 8)
    e2e.log('agentA notReady %.1f s after the hang-up (wrap-up %d s)'
            % (time.monotonic() - t0, WRAP_UP_S))
    srv.wait_agent_status('agentA', 'notReady')

    # A status MESSAGE that does not come from the server: agentA talks
    # SIP over TLS only (the SDK's default), so a forged plain MESSAGE
    # to the address it registered from reaches nothing, and the app is
    # told nothing.
    m = re.search(r'agent agentA registered from 127\.0\.0\.1:(\d+) over '
                  r'TLS', srv.log_text())
    e2e.check(m, 'no registration of agentA over TLS in the server log')
    forger = e2e.SipClient(int(m.group(1)), 'udp')
    resp = message(forger, b'{"status":"rest","reason":"forged"}',
                   uri='sip:agentA@127.0.0.1:%s' % m.group(1),
                   from_uri='sip:lianluo-status@127.0.0.1:%d'
                   % srv.sip_port)
    e2e.check(resp is None, 'a forged plain MESSAGE to agentA was'
              ' answered: %s' % resp)
    forger.close()

    # A rest reason the application does not have
    next_status(a)
    req = a.wait_event('status-request', 10)
    e2e.check(req.get('code') == '-24', 'rest:nap answered %s, expected '
              'code=-24 (LL_ERR_STATUS_NOT_ALLOWED)' % req['line'])
    e2e.check(req.get('text') == e2e.sdk_strerror(-24),
              'rest:nap text %r' % req.get('text'))
    time.sleep(0.5)
    e2e.check(agent_row(srv, 'agentA').get('status') == 'notReady',
              'a refused rest changed the status')

    hostile(srv)

    # The first call ends (agentB hangs up), agentB is free again after
    # the wrap-up, and a third call still works: agentA is notReady.
    b.wait_event('ended', 15)
    c1.wait_event('CALL_CLOSED', 5)
    srv.wait_agent_status('agentB', 'free', timeout=WRAP_UP_S + 8)
    c1.dial(srv.number_uri('4001'))
    b.wait_event('new-session', 10)
    b.wait_event('accepted', 10)
    c1.wait_event('CALL_ESTABLISHED', 10)
    c1.hangup()
    b.wait_event('ended', 10)
    e2e.check(a.count_events('new-session') == 1,
              'agentA (notReady) was offered the third call')

    srv.check_alive('the test')
    e2e.check('forged' not in a.log_text(), 'agentA took the forged status')
    text = srv.log_text()
    e2e.check('status for agent carol not delivered' in text or
              'status for agent carol refused' in text,
              'no log line for the status carol could not get')
    e2e.assert_log_clean(srv, numbers=[CUSTOMER1, CUSTOMER2, PHONE_A,
                                       PHONE_B, PHONE_C],
                         secrets=[tok_a, tok_b, CAROL_PW,
                                  srv.credentials['secret_key']])


if __name__ == '__main__':
    e2e.run(main, timeout=120)
