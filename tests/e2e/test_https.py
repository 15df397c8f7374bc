#!/usr/bin/env python3
"""HTTPS for the API and the SDK's login, with the server verified.

- lianluod --https on an empty data directory makes a self-signed
  certificate in DATA/tls/ (key mode 0600) and writes https_url and
  cert_sha256 to credentials.json; the fingerprint is the SHA-256 of the
  certificate the HTTPS port presents.
- Python's ssl, trusting only that certificate (host 127.0.0.1 checked),
  makes a signed API request; the plain http listener still answers.
- lianluoctl over https:// with LIANLUO_CERT_SHA256 lists the staff; with
  a wrong pin it exits non-zero with a one-line error that names both
  fingerprints, and the server logs no request at all (nothing was sent).
- lianluo-agent --server https://... --cert-sha256 logs in and registers;
  with a wrong pin it fails with ll_strerror(LL_ERR_CERTIFICATE) and the
  token never reaches the server (it is still unused afterwards).
- A plain-HTTP request to the HTTPS port gets no HTTP answer and the
  connection is closed; the server keeps serving over HTTPS.
- Configured tls-cert/tls-key files that cannot be read stop lianluod at
  start-up with a clear line, instead of serving without them.
"""

import hashlib
import os
import socket
import ssl
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lianluo_e2e as e2e  # noqa: E402

AGENT_PHONE = '13700002001'


def ctl_env(srv, url, pin):
    env = dict(os.environ)
    env.pop('LIANLUO_CA_FILE', None)
    env.update({'LIANLUO_SERVER': url,
                'LIANLUO_SECRET_ID': srv.credentials['secret_id'],
                'LIANLUO_SECRET_KEY': srv.credentials['secret_key'],
                'LIANLUO_CERT_SHA256': pin})
    return env


def ctl(srv, url, pin, *args):
    argv = [e2e.bin_path('lianluoctl')] + list(args)
    r = subprocess.run(argv, env=ctl_env(srv, url, pin), timeout=15,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    return r.returncode, r.stdout.decode(), r.stderr.decode().strip()


def api_lines(srv):
    return [ln for ln in srv.log_text().splitlines() if ' api: ' in ln and
            ' -> ' in ln]


def https_get(port, ctx, target, headers):
    with socket.create_connection((e2e.LOOPBACK, port), timeout=5) as raw:
        with ctx.wrap_socket(raw, server_hostname=e2e.LOOPBACK) as s:
            der = s.getpeercert(binary_form=True)
            req = 'GET %s HTTP/1.1\r\nHost: %s:%d\r\nConnection: close\r\n' \
                % (target, e2e.LOOPBACK, port)
            for k, v in headers.items():
                req += '%s: %s\r\n' % (k, v)
            s.sendall((req + '\r\n').encode())
            data = b''
            while True:
                chunk = s.recv(65536)
                if not chunk:
                    break
                data += chunk
    return der, data


def main(t):
    https_port = e2e.free_port()
    srv = t.server(args=['--https', '%s:%d' % (e2e.LOOPBACK, https_port)])
    cred = srv.credentials
    url = 'https://%s:%d' % (e2e.LOOPBACK, https_port)
    e2e.check(cred.get('https_url') == url,
              'credentials.json https_url is %r, expected %r'
              % (cred.get('https_url'), url))
    pin = cred.get('cert_sha256', '')
    e2e.check(len(pin) == 64 and all(c in '0123456789abcdef' for c in pin),
              'credentials.json cert_sha256 is %r' % pin)

    cert = os.path.join(srv.data_dir, 'tls', 'cert.pem')
    key = os.path.join(srv.data_dir, 'tls', 'key.pem')
    mode = os.stat(key).st_mode & 0o777
    e2e.check(mode == 0o600, '%s has mode %o, expected 600' % (key, mode))
    e2e.check(pin in srv.log_text(),
              'the server did not log its certificate fingerprint')

    # Python trusts that certificate only, with the host name checked;
    # the fingerprint of what it got is the pinned one.
    ctx = ssl.create_default_context(cafile=cert)
    target = '/v1/staff'
    auth = e2e.sign_request(cred['secret_id'], cred['secret_key'], 'GET',
                            target, b'')
    der, data = https_get(https_port, ctx, target, {'Authorization': auth})
    e2e.check(hashlib.sha256(der).hexdigest() == pin,
              'the HTTPS port presents another certificate than '
              'cert_sha256 says')
    e2e.check(data.startswith(b'HTTP/1.1 200 '),
              'signed GET /v1/staff over HTTPS: %r' % data[:200])
    e2e.log('Python ssl (CA = the server certificate): GET /v1/staff 200')
    e2e.check(srv.healthz() == 200, 'the plain http listener stopped '
              'answering')

    e2e.provision(srv, group='support', number='4001',
                  agents=[('agent1', None, None, AGENT_PHONE)])

    # lianluoctl, pinned.
    rc, out, err = ctl(srv, url, pin, 'staff', 'list', '--json')
    e2e.check(rc == 0 and 'agent1' in out,
              'lianluoctl staff list over https: rc %d, %s %s'
              % (rc, out[:200], err))
    e2e.check(api_lines(srv)[-1].endswith('GET /v1/staff -> 200 (https)'),
              'lianluoctl did not come over https: %s' % api_lines(srv)[-1])
    e2e.log('lianluoctl over https with the pin lists agent1')

    # --data: credentials.json's https_url and cert_sha256.
    got = srv.ctl('staff', 'list')
    e2e.check(any(s.get('user_id') == 'agent1' for s in
                  (got if isinstance(got, list) else got.get('staff', []))),
              'lianluoctl --data staff list: %r' % got)
    e2e.check(api_lines(srv)[-1].endswith('GET /v1/staff -> 200 (https)'),
              'lianluoctl --data did not use https_url: %s'
              % api_lines(srv)[-1])

    # A wrong pin: refused before anything is sent.
    before = len(api_lines(srv))
    wrong = hashlib.sha256(b'not the certificate').hexdigest()
    rc, out, err = ctl(srv, url, wrong, 'staff', 'list')
    e2e.check(rc != 0, 'lianluoctl with a wrong pin exited 0: %s' % out)
    e2e.check('does not match' in err and wrong in err and pin in err and
              '\n' not in err,
              'lianluoctl with a wrong pin: unclear error %r' % err)
    e2e.check(not out, 'lianluoctl with a wrong pin printed %r' % out)
    e2e.check(len(api_lines(srv)) == before,
              'a request reached the API despite the wrong pin: %s'
              % api_lines(srv)[before:])
    e2e.log('wrong pin: "%s", no request logged' % err)
    e2e.wait_until(lambda: 'TLS handshake' in srv.log_text(), 5,
                   'the server logs the handshake the client aborted')

    # The SDK with a wrong pin: LL_ERR_CERTIFICATE, the token not spent.
    token = srv.ctl('token', 'create', '--user', 'agent1', json=False)
    args = ['--server', url, '--app', cred['sdk_app_id'], '--user',
            'agent1', '--token', token, '--consent', 'granted',
            '--auto-answer']
    bad = t.agent('agent-wrong-pin', args + ['--cert-sha256', wrong])
    rc = bad.wait_exit(20)
    text = e2e.sdk_strerror(e2e.LL_ERR_CERTIFICATE)
    e2e.check(rc != 0 and text in bad.log_text() and
              '(%d)' % e2e.LL_ERR_CERTIFICATE in bad.log_text(),
              'lianluo-agent with a wrong pin: rc %d, log:\n%s'
              % (rc, bad.log_text()))
    e2e.check(len(api_lines(srv)) == before + 1,   # the token create
              'the SDK reached the API despite the wrong pin: %s'
              % api_lines(srv)[before:])

    # The same token, pinned right: login over HTTPS and registration.
    ag = t.agent('agent1', args + ['--cert-sha256', pin])
    login = ag.wait_event('login', 15)
    e2e.check('ok' in login['words'], 'agent1 login over https: %s'
              % login['line'])
    srv.wait_agent_status('agent1', 'free')
    e2e.check(any('POST /v1/login -> 200 (https)' in ln
                  for ln in api_lines(srv)),
              'no POST /v1/login over https in the server log')
    e2e.log('lianluo-agent over https with --cert-sha256: logged in, free')

    # Plain HTTP to the HTTPS port: no HTTP answer, connection closed.
    with socket.create_connection((e2e.LOOPBACK, https_port),
                                  timeout=5) as s:
        s.sendall(b'GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n')
        got = b''
        try:
            while True:
                chunk = s.recv(4096)
                if not chunk:
                    break
                got += chunk
        except ConnectionResetError:
            pass
    e2e.check(b'HTTP/' not in got and b'status' not in got,
              'plain HTTP on the HTTPS port got %r' % got[:200])
    e2e.wait_until(lambda: srv.log_text().count('TLS handshake') >= 3, 5,
                   'the refused plain-HTTP connection logged')
    der, data = https_get(https_port, ctx, '/healthz', {})
    e2e.check(data.startswith(b'HTTP/1.1 200 '),
              'HTTPS after a plain-HTTP attempt: %r' % data[:200])
    srv.check_alive('a plain-HTTP request on the HTTPS port')
    e2e.log('plain HTTP on the HTTPS port: closed, still serving')

    # A configured certificate that is not there: no start.
    bad_srv = t.server(start=False, args=[
        '--https', '%s:%d' % (e2e.LOOPBACK, e2e.free_port()),
        '--tls-cert', t.path('missing-cert.pem'),
        '--tls-key', t.path('missing-key.pem')])
    rc = bad_srv.run_expect_exit()
    e2e.check(rc != 0 and 'cannot read the certificate' in
              bad_srv.log_text(),
              'lianluod with a missing tls-cert: exit %d, log:\n%s'
              % (rc, bad_srv.log_text()[-600:]))
    e2e.check(not os.path.exists(os.path.join(bad_srv.data_dir, 'tls')),
              'lianluod made a certificate although one was configured')
    e2e.log('missing tls-cert: lianluod exits %d with a clear line' % rc)

    e2e.assert_log_clean(srv, numbers=[AGENT_PHONE],
                         secrets=[token, cred['secret_key']])
    e2e.assert_text_clean(ag.log_text(), 'the agent log',
                          numbers=[AGENT_PHONE], secrets=[token])


if __name__ == '__main__':
    e2e.run(main, timeout=45)
