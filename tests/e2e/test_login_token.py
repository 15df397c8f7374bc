#!/usr/bin/env python3
"""SDK-style login: token -> ephemeral SIP credentials -> calls.

The app backend's part is `lianluoctl token create --user agent1`, which
prints a one-time login token.  POST /v1/login {sdk_app_id, user_id, token}
exchanges it for ephemeral SIP credentials; the same token a second time
is refused with 401.  A SIP phone registered with the ephemeral
credentials then takes a call to 4001, audio checked.  Neither the token
nor the SIP password may show up in the server log.
"""

import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lianluo_e2e as e2e  # noqa: E402

CUSTOMER = '13812345678'
AGENT_PHONE = '13700001001'
AGENT_PW = 'Ag1-pw-Bv2Qe5'


def main(t):
    srv = t.server()
    e2e.provision(srv, group='support', number='4001', wrap_up=1,
                  agents=[('agent1', '1001', AGENT_PW, AGENT_PHONE)])

    token = srv.ctl('token', 'create', '--user', 'agent1', json=False)
    e2e.check(token and len(token.split()) == 1 and len(token) >= 16,
              'token create printed %r, expected one token' % token)

    login = {'sdk_app_id': srv.credentials['sdk_app_id'],
             'user_id': 'agent1', 'token': token}
    r = srv.api('POST', '/v1/login', login, sign=False)
    e2e.check(r.status == 200, 'POST /v1/login: %r' % r)
    creds = r.json
    for key in ('sip_username', 'sip_password', 'sip_uri'):
        e2e.check(creds.get(key), '/v1/login answer lacks %s: %s'
                  % (key, creds))
    e2e.log('ephemeral SIP user %s at %s' % (creds['sip_username'],
                                            creds['sip_uri']))

    again = srv.api('POST', '/v1/login', login, sign=False)
    e2e.check(again.status == 401,
              'the same token was accepted twice: %r' % again)

    # The SDK is sent to SIP over TLS; the ephemeral credentials also
    # work on the plain port, where the baresip agent below registers.
    m = re.match(r'sips?:(?:[^@]*@)?\[?([0-9.]+)\]?:(\d+);transport=tls$',
                 creds['sip_uri'])
    e2e.check(m and m.group(1) == e2e.LOOPBACK,
              'cannot use sip_uri %r' % creds['sip_uri'])
    e2e.check(int(m.group(2)) == srv.sip_tls_port,
              'sip_uri %s is not the server\'s SIP TLS port %d'
              % (creds['sip_uri'], srv.sip_tls_port))
    port = srv.sip_port

    agent = t.phone('agent1', user=creds['sip_username'],
                    password=creds['sip_password'], registrar=port,
                    tone_hz=700)
    agent.wait_registered()
    srv.wait_agent_status('agent1', 'free')

    customer = t.phone('customer', user=CUSTOMER, registrar=srv.sip_port,
                       register=False, tone_hz=1000)
    customer.dial(srv.number_uri('4001'))
    agent.wait_event('CALL_ESTABLISHED', 10)
    customer.wait_event('CALL_ESTABLISHED', 5)
    agent.wait_audio(3)
    customer.wait_audio(3)
    customer.hangup()
    customer.wait_event('CALL_CLOSED', 5)
    agent.wait_event('CALL_CLOSED', 5)
    e2e.assert_tone(agent.recording('dec'), 1000, 'agent hears customer')
    e2e.assert_tone(customer.recording('dec'), 700, 'customer hears agent')

    row = srv.wait_cdrs(1)[0]
    e2e.assert_cdr(row, direction='inbound', agent='agent1',
                   end_status='answered')

    e2e.assert_log_clean(srv, numbers=[CUSTOMER, AGENT_PHONE],
                         secrets=[token, creds['sip_password'], AGENT_PW,
                                  srv.credentials['secret_key']])


if __name__ == '__main__':
    e2e.run(main)
