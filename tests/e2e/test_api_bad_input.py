#!/usr/bin/env python3
"""Bad requests to the HTTP API.

Against a real lianluod: a request without Authorization, with a wrong
signature, an unknown SecretId or a timestamp an hour off -> 401 with a
JSON body {"error": {"code": ...}}; a body over 1 MiB -> 413; malformed
JSON -> 400.  After each, /healthz still answers 200.  A correctly signed
request first proves the signing code here is right (and that the
endpoint exists), so the 401s mean what they say.

The signature: Authorization: LL-HMAC-SHA256 SecretId=<id>,
Timestamp=<unix s>, Signature=hex(HMAC-SHA256(secret_key, METHOD "\\n"
PATH_WITH_QUERY "\\n" TIMESTAMP "\\n" hex(SHA256(body)))).
"""

import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lianluo_e2e as e2e  # noqa: E402

# A signed read-only endpoint (src/common/sign.c's example) and the login
# endpoint, which takes a JSON body and no signature.
SIGNED_GET = '/v1/cdrs?limit=5'
LOGIN = '/v1/login'
MIB = 1024 * 1024


def expect_error(r, status, what):
    e2e.check(r is not None, '%s: no HTTP answer' % what)
    e2e.check(r.status == status, '%s: expected %d, got %r'
              % (what, status, r))
    try:
        body = json.loads(r.body.decode())
    except ValueError:
        body = None
    e2e.check(isinstance(body, dict) and isinstance(body.get('error'), dict)
              and 'code' in body['error'],
              '%s: expected a JSON body {"error": {"code": ...}}, got %r'
              % (what, r.body[:200]))
    e2e.log('%s -> %d %s' % (what, r.status, r.body[:120].decode('utf-8',
                                                                'replace')))


def main(t):
    srv = t.server()
    creds = srv.credentials

    ok = srv.api('GET', SIGNED_GET)
    e2e.check(ok.status == 200, 'a correctly signed GET %s: %r (is the '
              'signing here right, is the endpoint there?)'
              % (SIGNED_GET, ok))
    ok.json

    cases = [
        ('no Authorization', lambda: srv.api('GET', SIGNED_GET, sign=False)),
        ('a wrong signature', lambda: srv.api(
            'GET', SIGNED_GET, secret_key=creds['secret_key'] + 'x')),
        ('a signature of another path', lambda: e2e.http_request(
            srv.http_port, 'GET', SIGNED_GET, headers={
                'Authorization': e2e.sign_request(
                    creds['secret_id'], creds['secret_key'], 'GET',
                    '/v1/cdrs?limit=6')})),
        ('an unknown SecretId', lambda: srv.api(
            'GET', SIGNED_GET, secret_id='AKIDunknown0000000000')),
        ('a timestamp an hour old', lambda: srv.api(
            'GET', SIGNED_GET, timestamp=int(time.time()) - 3600)),
        ('a timestamp an hour ahead', lambda: srv.api(
            'GET', SIGNED_GET, timestamp=int(time.time()) + 3600)),
        ('a garbled Authorization', lambda: srv.api(
            'GET', SIGNED_GET, sign=False,
            headers={'Authorization': 'LL-HMAC-SHA256 SecretId='})),
    ]
    for what, call in cases:
        expect_error(call(), 401, what)
        e2e.check(srv.healthz() == 200, '/healthz after %s' % what)

    # Too big: announced and sent; the server may answer before reading it
    # all, so this goes over a raw socket.
    body = b'{"pad":"' + b'a' * (MIB + 16) + b'"}'
    head = ('POST %s HTTP/1.1\r\nHost: 127.0.0.1:%d\r\n'
            'Content-Type: application/json\r\nContent-Length: %d\r\n'
            'Connection: close\r\n\r\n' % (LOGIN, srv.http_port, len(body)))
    r = e2e.http_raw(srv.http_port, head.encode() + body, timeout=10)
    expect_error(r, 413, 'a body over 1 MiB')
    e2e.check(srv.healthz() == 200, '/healthz after a body over 1 MiB')

    for what, data in [('truncated JSON', b'{"sdk_app_id": "1", "user_'),
                       ('malformed JSON', b'{sdk_app_id: 1,, }'),
                       ('a bare word', b'login')]:
        r = srv.api('POST', LOGIN, body=data, sign=False)
        expect_error(r, 400, '%s to %s' % (what, LOGIN))
        e2e.check(srv.healthz() == 200, '/healthz after %s' % what)

    r = srv.api('POST', LOGIN, sign=False, body={
        'sdk_app_id': creds['sdk_app_id'], 'user_id': 'nobody',
        'token': 'not-a-token'})
    expect_error(r, 401, 'a login with a made-up token')

    srv.check_alive('the bad requests')
    e2e.assert_log_clean(srv, secrets=[creds['secret_key']])


if __name__ == '__main__':
    e2e.run(main)
