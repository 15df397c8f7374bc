#!/usr/bin/env python3
"""lianluo-agent refuses clearly: no consent, a reused token, a made-up
token.

- Without --consent granted it does not start: exit status non-zero and
  the SDK's own text for LL_ERR_CONSENT_REQUIRED.
- A token already exchanged (POST /v1/login) is refused by the server;
  lianluo-agent exits non-zero with ll_strerror(LL_ERR_TOKEN_USED).
- A made-up token: exit non-zero with ll_strerror(LL_ERR_AUTH_FAILED).

The texts are taken from the built library through ctypes, so the test
checks that the tool prints what the SDK documents, whatever the wording.
None of the logs may hold a token.
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lianluo_e2e as e2e  # noqa: E402

AGENT_PHONE = '13700001001'
MADE_UP = 'djF8bWFkZS11cA.bm90LWEtcmVhbC1zaWduYXR1cmU'


def refused(t, name, args, code, what):
    """Runs lianluo-agent, which must exit non-zero within 20 s printing
    ll_strerror(code) and the code."""
    agent = t.agent(name, args)
    rc = agent.wait_exit(20)
    text = e2e.sdk_strerror(code)
    log = agent.log_text()
    e2e.log('%s: exit %d, expected the text "%s"' % (what, rc, text))
    e2e.check(rc != 0, '%s: lianluo-agent exited 0; log:\n%s' % (what, log))
    e2e.check(text in log and '(%d)' % code in log,
              '%s: lianluo-agent did not print "%s" (%d); log:\n%s'
              % (what, text, code, log))
    e2e.check(agent.count_events('login') == 0,
              '%s: yet lianluo-agent printed a login event' % what)
    return agent


def main(t):
    srv = t.server()
    e2e.provision(srv, group='support', number='4001',
                  agents=[('agent1', None, None, AGENT_PHONE)])

    # No consent: the SDK is not even asked to log in.
    token = srv.ctl('token', 'create', '--user', 'agent1', json=False)
    no_consent = refused(
        t, 'no-consent',
        e2e.agent_args(srv, 'agent1', token, '--auto-answer',
                       consent=False),
        e2e.LL_ERR_CONSENT_REQUIRED, 'without consent')
    e2e.check('--consent granted' in no_consent.log_text(),
              'the refusal does not say how to give consent')

    # A token used once already.
    r = srv.api('POST', '/v1/login',
                {'sdk_app_id': srv.credentials['sdk_app_id'],
                 'user_id': 'agent1', 'token': token}, sign=False)
    e2e.check(r.status == 200, 'POST /v1/login with a fresh token: %r' % r)
    used = refused(t, 'reused-token',
                   e2e.agent_args(srv, 'agent1', token, '--auto-answer'),
                   e2e.LL_ERR_TOKEN_USED, 'reused token')

    # A token the server never made.
    made_up = refused(t, 'made-up-token',
                      e2e.agent_args(srv, 'agent1', MADE_UP,
                                     '--auto-answer'),
                      e2e.LL_ERR_AUTH_FAILED, 'made-up token')

    e2e.check(srv.agent_status('agent1') in (None, 'offline'),
              'agent1 is %s after refused logins'
              % srv.agent_status('agent1'))
    for ag in (no_consent, used, made_up):
        e2e.assert_text_clean(ag.log_text(), 'the %s log' % ag.name,
                              numbers=[AGENT_PHONE],
                              secrets=[token, MADE_UP])
    e2e.assert_log_clean(srv, numbers=[AGENT_PHONE],
                         secrets=[token, MADE_UP,
                                  srv.credentials['secret_key']])


if __name__ == '__main__':
    e2e.run(main, timeout=90)
