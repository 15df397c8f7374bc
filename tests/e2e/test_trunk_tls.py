#!/usr/bin/env python3
"""A trunk over TLS, its certificate verified.

The trunk is `sip:127.0.0.1:PORT;transport=tls` with `trunk-cert-sha256`
pinning its certificate; a TLS SIP listener in this test plays it (it
answers 486 Busy Here to every INVITE, copying what RFC 3261 8.2.6.2
asks).  An SDK agent calls out (its own leg SIP over TLS and SRTP):

- with the right pin the INVITE arrives at the trunk over TLS, for the
  dialled number, from the group's service number; the 486 comes back to
  the agent ("event ended ... code=486") and into the CDR;
- with a wrong pin lianluod aborts the handshake: the trunk receives no
  INVITE at all, the agent's call fails, and the server keeps serving.
"""

import os
import re
import socket
import ssl
import sys
import threading

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lianluo_e2e as e2e  # noqa: E402

CALLEE = '13900139000'
AGENT_PHONE = '13700001001'
WRONG_PIN = '00' * 31 + '01'


class TlsTrunk:
    """A TLS listener that answers every INVITE with 486."""

    def __init__(self, cert, key):
        self.ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self.ctx.load_cert_chain(cert, key)
        self.sock = socket.socket()
        self.sock.bind((e2e.LOOPBACK, 0))
        self.sock.listen(4)
        self.sock.settimeout(0.5)
        self.port = self.sock.getsockname()[1]
        self.invites = []
        self.handshakes_failed = 0
        self.stop = False
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def run(self):
        while not self.stop:
            try:
                raw, _ = self.sock.accept()
            except OSError:
                continue
            threading.Thread(target=self.serve, args=(raw,),
                             daemon=True).start()

    def serve(self, raw):
        raw.settimeout(10)
        try:
            conn = self.ctx.wrap_socket(raw, server_side=True)
        except (ssl.SSLError, OSError):
            self.handshakes_failed += 1
            raw.close()
            return
        buf = b''
        try:
            while not self.stop:
                data = conn.recv(65536)
                if not data:
                    break
                buf += data
                while b'\r\n\r\n' in buf:
                    head, rest = buf.split(b'\r\n\r\n', 1)
                    m = re.search(rb'(?im)^(?:content-length|l):\s*(\d+)',
                                  head)
                    n = int(m.group(1)) if m else 0
                    if len(rest) < n:
                        break
                    buf = rest[n:]
                    self.request(conn, head.decode('utf-8', 'replace'))
        except (ssl.SSLError, OSError):
            pass
        conn.close()

    def request(self, conn, head):
        lines = head.split('\r\n')
        if not lines[0].startswith('INVITE '):
            return
        self.invites.append(head)
        keep = [ln for ln in lines[1:] if re.match(
            r'(?i)(via|v|from|f|call-id|i|cseq):', ln)]
        to = [ln for ln in lines[1:] if re.match(r'(?i)(to|t):', ln)]
        reply = ['SIP/2.0 486 Busy Here'] + keep + \
            [to[0] + ';tag=trunk1', 'Content-Length: 0', '', '']
        conn.sendall('\r\n'.join(reply).encode())

    def close(self):
        self.stop = True
        self.sock.close()


def call(t, srv, name):
    token = srv.ctl('token', 'create', '--user', 'agent1', json=False)
    agent = t.agent(name, e2e.agent_args(
        srv, 'agent1', token, '--call', CALLEE, '--timeout', 30))
    agent.wait_event('login', 15)
    ended = agent.wait_event('ended', 20)
    agent.wait_exit(10)
    return ended


def main(t):
    srv = t.server()
    e2e.provision(srv, group='support', number='4001', wrap_up=1,
                  agents=[('agent1', None, None, AGENT_PHONE)])
    tls_dir = os.path.join(srv.data_dir, 'tls')
    trunk = TlsTrunk(os.path.join(tls_dir, 'cert.pem'),
                     os.path.join(tls_dir, 'key.pem'))
    pin = srv.credentials['cert_sha256']
    uri = 'sip:%s:%d;transport=tls' % (e2e.LOOPBACK, trunk.port)

    srv.extra_args += ['--trunk', uri, '--trunk-cert-sha256', pin]
    srv.restart()
    e2e.check('trunk over TLS, verified by its pinned certificate'
              in srv.log_text(), 'lianluod does not say how it verifies'
              ' the trunk')

    ended = call(t, srv, 'agent-right-pin')
    e2e.check(len(trunk.invites) == 1, 'the trunk got %d INVITEs over TLS'
              % len(trunk.invites))
    first = trunk.invites[0].split('\r\n')[0]
    e2e.check(first.startswith('INVITE sip:%s@' % CALLEE),
              'the trunk\'s INVITE: %r' % first)
    e2e.check(re.search(r'(?im)^(from|f):.*sip:4001@', trunk.invites[0]),
              'the trunk\'s INVITE is not from the service number 4001')
    e2e.check(ended.get('code') == '486',
              'the agent saw %s, expected code=486' % ended['line'])
    row = srv.wait_cdrs(1)[0]
    e2e.assert_cdr(row, direction='outbound', callee=CALLEE,
                   agent='agent1')
    e2e.check(row.get('end_scode') == 486,
              'CDR end_scode %r, expected 486' % row.get('end_scode'))
    e2e.log('right pin: INVITE over TLS, 486 back to the agent')

    # A trunk whose certificate is not the pinned one gets nothing.
    srv.stop()
    args = srv.extra_args
    args[args.index('--trunk-cert-sha256') + 1] = WRONG_PIN
    srv.start()
    failed_before = trunk.handshakes_failed
    ended = call(t, srv, 'agent-wrong-pin')
    e2e.check(len(trunk.invites) == 1, 'the trunk got an INVITE despite'
              ' the wrong pin')
    e2e.check(trunk.handshakes_failed > failed_before,
              'no handshake was aborted with the wrong pin')
    e2e.check(ended.get('reason') != 'remoteBye' and
              ended.get('code') not in ('0', '200'),
              'with the wrong pin the call ended %s' % ended['line'])
    srv.check_alive('a trunk with a wrong certificate')
    e2e.log('wrong pin: handshake aborted, no INVITE, %s' % ended['line'])
    trunk.close()

    e2e.assert_log_clean(srv, numbers=[CALLEE, AGENT_PHONE],
                         secrets=[srv.credentials['secret_key']])


if __name__ == '__main__':
    e2e.run(main, timeout=120)
