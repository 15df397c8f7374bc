#!/usr/bin/env python3
"""What the login request carries (issue 4, test 3).

A stand-in for lianluod's POST /v1/login on loopback records the bodies
lianluo-agent sends and refuses them (401).  With device details off (the
default) the body has the SDK version, the OS name and the machine type
(the required items) and no device details; with --privacy-on
device_details it has the OS release and kernel version too.  The token
is in the body (it is the credential) and nowhere in the agent's log.
"""

import json
import os
import socket
import sys
import threading

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lianluo_e2e as e2e  # noqa: E402

TOKEN = 'tok-privacy-login-test'
DETAILS = ('os_release', 'os_version')


class FakeLogin:
    def __init__(self):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(('127.0.0.1', 0))
        self.sock.listen(4)
        self.port = self.sock.getsockname()[1]
        self.bodies = []
        self.thread = threading.Thread(target=self.serve, daemon=True)
        self.thread.start()

    def serve(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            with conn:
                conn.settimeout(5)
                data = b''
                while b'\r\n\r\n' not in data:
                    chunk = conn.recv(4096)
                    if not chunk:
                        break
                    data += chunk
                head, _, body = data.partition(b'\r\n\r\n')
                length = 0
                for line in head.split(b'\r\n'):
                    if line.lower().startswith(b'content-length:'):
                        length = int(line.split(b':')[1])
                while len(body) < length:
                    chunk = conn.recv(4096)
                    if not chunk:
                        break
                    body += chunk
                self.bodies.append(json.loads(body.decode()))
                reply = (b'{"error":{"code":"AuthFailure",'
                         b'"message":"test"}}')
                conn.sendall(b'HTTP/1.1 401 Unauthorized\r\n'
                             b'Content-Type: application/json\r\n'
                             b'Content-Length: %d\r\n'
                             b'Connection: close\r\n\r\n' % len(reply)
                             + reply)


def login_body(t, fake, name, *extra):
    args = ['--server', 'http://127.0.0.1:%d' % fake.port, '--app', 'app1',
            '--user', 'agent1', '--token', TOKEN, '--consent', 'granted',
            '--auto-answer', '--insecure'] + list(extra)
    n = len(fake.bodies)
    agent = t.agent(name, args)
    rc = agent.wait_exit(15)
    e2e.check(rc == 1, '%s: the refused login exited %d' % (name, rc))
    e2e.check(len(fake.bodies) == n + 1, '%s: no login request' % name)
    e2e.assert_text_clean(agent.log_text(), name + "'s log",
                          secrets=[TOKEN])
    return fake.bodies[-1]


def main(t):
    fake = FakeLogin()

    body = login_body(t, fake, 'agent-default')
    e2e.log('login body members: %s, client: %s'
            % (sorted(body), body.get('client')))
    client = body.get('client', {})
    e2e.check(body.get('token') == TOKEN, 'the token is not in the body')
    e2e.check(client.get('sdk', '').startswith('liblianluo/'),
              'no SDK version: %s' % body)
    e2e.check(client.get('os') and client.get('model'),
              'no OS or device model: %s' % body)
    e2e.check(not any(k in client for k in DETAILS),
              'device details sent with the switch off: %s' % client)
    e2e.check(set(body) == {'sdk_app_id', 'user_id', 'token', 'client'},
              'unexpected members in the login body: %s' % sorted(body))

    body = login_body(t, fake, 'agent-details', '--privacy-on',
                      'device_details')
    client = body.get('client', {})
    e2e.check(all(client.get(k) for k in DETAILS),
              'device details missing with the switch on: %s' % client)
    e2e.log('with device_details on: %s' % sorted(client))


if __name__ == '__main__':
    e2e.run(main, timeout=60)
