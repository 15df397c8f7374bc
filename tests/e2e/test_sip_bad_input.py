#!/usr/bin/env python3
"""Malformed and unwelcome SIP, over UDP and TCP, from raw sockets.

Each bad message must get a 400 (or, where the server cannot even tell
where to answer, nothing), and afterwards an OPTIONS must still get 200 on
both transports: one bad packet must never take the SIP service down.
Then the expected refusals: INVITE to an unknown number -> 404; REGISTER
with a wrong password -> 401 challenge, then 403; REGISTER for an unknown
user -> 403 or 404 (possibly after a challenge).  A REGISTER with the right
password -> 200 first proves the digest code here is right, so the 403s
mean what they say.
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lianluo_e2e as e2e  # noqa: E402

AGENT_PHONE = '13700001001'
AGENT_PW = 'Ag1-pw-Fs9Ud4'
WRONG_PW = 'Not-the-pw-3Yk'
NO_ANSWER_WAIT = 1.0


def options_ok(srv, after):
    for transport in ('udp', 'tcp'):
        c = e2e.SipClient(srv.sip_port, transport)
        try:
            r = c.options()
        finally:
            c.close()
        e2e.check(r is not None and r.status == 200,
                  'OPTIONS over %s after %s: %r'
                  % (transport, after, r))
    e2e.check(srv.proc.alive(), 'lianluod died after %s' % after)


def expect_refused(r, what, allowed=(400,)):
    e2e.check(r is None or r.status in allowed,
              '%s: expected %s or no answer, got %r'
              % (what, '/'.join(map(str, allowed)), r))
    e2e.log('%s -> %s' % (what, r.first_line if r else 'no answer'))


def bad_messages(c, srv):
    """(name, bytes, allowed statuses) for one client."""
    uri = 'sip:%s:%d' % (e2e.LOOPBACK, srv.sip_port)
    pad = 60000 if c.transport == 'udp' else 200000
    return [
        ('garbage bytes', os.urandom(300) + b'\r\n\r\n', (400,)),
        ('a request line only', b'OPTIONS\r\n\r\n', (400,)),
        ('a broken Via', c.build('OPTIONS', uri, headers=[
            ('Via', 'SIP/2.0/' + c.transport.upper())]), (400,)),
        ('no Call-ID', c.build('OPTIONS', uri,
                               headers=[('Call-ID', None)]), (400,)),
        ('a bad CSeq', c.build('OPTIONS', uri,
                               headers=[('CSeq', 'abc OPTIONS')]), (400,)),
        ('a CSeq of another method', c.build(
            'OPTIONS', uri, headers=[('CSeq', '7 INVITE')]), (400,)),
        ('a Content-Length past the end', c.build(
            'OPTIONS', uri, headers=[('Content-Length', '5000')])
         .replace(b'Content-Length: 0\r\n', b''), (400,)),
        ('a %d-byte header' % pad, c.build('OPTIONS', uri, headers=[
            ('X-Pad', 'a' * pad)]), (400, 413, 494, 513)),
    ]


def check_bad_input(srv):
    for transport in ('udp', 'tcp'):
        probe = e2e.SipClient(srv.sip_port, transport)
        names = [m[0] for m in bad_messages(probe, srv)]
        probe.close()
        for i, name in enumerate(names):
            c = e2e.SipClient(srv.sip_port, transport)
            try:
                _, data, allowed = bad_messages(c, srv)[i]
                what = '%s over %s' % (name, transport)
                if c.send_raw(data):
                    expect_refused(c.recv(NO_ANSWER_WAIT), what, allowed)
                else:
                    e2e.log('%s -> connection closed' % what)
            finally:
                c.close()
            options_ok(srv, what)


def check_unknown_number(srv):
    c = e2e.SipClient(srv.sip_port, 'udp', user='13812345678')
    try:
        uri = srv.number_uri('4999')
        call_id, branch = 'unknown-number-call@127.0.0.1', 'z9hG4bKunknown1'
        c.send_raw(c.build('INVITE', uri, call_id=call_id, cseq=1,
                           branch=branch, body=e2e.sdp_offer(40000)))
        r = c.recv(5.0)
        e2e.check(r is not None and r.status == 404,
                  'INVITE to the unknown number 4999: %r' % r)
        e2e.log('INVITE to 4999 -> %s' % r.first_line)
        to_tag = (r.header('To') or '').partition(';tag=')[2].split(';')[0]
        c.send_raw(c.build('ACK', uri, call_id=call_id, cseq=1,
                           branch=branch, to_tag=to_tag or None))
    finally:
        c.close()


def register(srv, user, password, expires=60):
    """REGISTER, answering one digest challenge; returns (first, final)."""
    c = e2e.SipClient(srv.sip_port, 'udp', user=user)
    try:
        ruri = 'sip:%s:%d' % (e2e.LOOPBACK, srv.sip_port)
        aor = '<sip:%s@%s:%d>' % (user, e2e.LOOPBACK, srv.sip_port)
        call_id = 'reg-%s-%s@127.0.0.1' % (user, c.tag)
        hdrs = [('From', '%s;tag=%s' % (aor, c.tag)), ('To', aor),
                ('Expires', str(expires))]
        first = c.request('REGISTER', ruri, call_id=call_id, cseq=1,
                          headers=hdrs)
        final = first
        if first is not None and first.status in (401, 407):
            name = 'WWW-Authenticate' if first.status == 401 \
                else 'Proxy-Authenticate'
            challenge = first.header(name)
            e2e.check(challenge, '%d without %s' % (first.status, name))
            e2e.check(e2e.parse_challenge(challenge).get('realm') ==
                      e2e.REALM, 'challenge realm is not "lianluo": %s'
                      % challenge)
            auth = e2e.digest_authorization(user, password, 'REGISTER',
                                            ruri, challenge)
            hname = 'Authorization' if first.status == 401 \
                else 'Proxy-Authorization'
            final = c.request('REGISTER', ruri, call_id=call_id, cseq=2,
                              headers=hdrs + [(hname, auth)])
        return first, final
    finally:
        c.close()


def check_register(srv):
    first, final = register(srv, '1001', AGENT_PW)
    e2e.check(first is not None and first.status == 401,
              'REGISTER without credentials: expected a 401 challenge, '
              'got %r' % first)
    e2e.check(final is not None and final.status == 200,
              'REGISTER with the right password: %r' % final)
    register(srv, '1001', AGENT_PW, expires=0)
    e2e.log('REGISTER 1001 with its password -> 200')

    first, final = register(srv, '1001', WRONG_PW)
    e2e.check(first is not None and first.status == 401,
              'REGISTER (wrong password to come): expected 401, got %r'
              % first)
    e2e.check(final is not None and final.status == 403,
              'REGISTER with a wrong password: expected 403, got %r'
              % final)
    e2e.log('REGISTER 1001 with a wrong password -> 401, 403')

    first, final = register(srv, '1999', WRONG_PW)
    e2e.check(final is not None and final.status in (403, 404),
              'REGISTER of an unknown user: expected 403/404, got %r '
              '(first answer %r)' % (final, first))
    e2e.log('REGISTER unknown 1999 -> %s' % final.first_line)
    options_ok(srv, 'the REGISTER checks')


def main(t):
    srv = t.server()
    e2e.provision(srv, group='support', number='4001',
                  agents=[('agent1', '1001', AGENT_PW, AGENT_PHONE)])
    options_ok(srv, 'start-up')
    check_bad_input(srv)
    check_unknown_number(srv)
    check_register(srv)
    srv.check_alive('all the bad input')
    e2e.assert_log_clean(srv, numbers=['13812345678', AGENT_PHONE],
                         secrets=[AGENT_PW, WRONG_PW])


if __name__ == '__main__':
    e2e.run(main)
