#!/usr/bin/env python3
"""Crash and restart: what is stored survives kill -9.

After one answered call, lianluod is killed with SIGKILL and started again
on the same data directory and ports.  Staff, skill groups, numbers and the
CDR must still be listed, and the agent's phone, which is not restarted and
does not register again (its registration has not expired), gets a second
call: registrations are stored too.  Then there are two CDR rows.
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lianluo_e2e as e2e  # noqa: E402

CUSTOMER = '13812345678'
AGENT_PHONE = '13700001001'
AGENT_PW = 'Ag1-pw-Mc6Gs1'


def one_call(srv, customer, agent, label):
    customer.dial(srv.number_uri('4001'))
    agent.wait_event('CALL_ESTABLISHED', 10)
    customer.wait_event('CALL_ESTABLISHED', 5)
    agent.wait_audio(3)
    customer.hangup()
    customer.wait_event('CALL_CLOSED', 5)
    agent.wait_event('CALL_CLOSED', 5)
    e2e.assert_tone(agent.recording('dec'), 1000,
                    'agent hears customer (%s)' % label)
    e2e.assert_tone(customer.recording('dec'), 700,
                    'customer hears agent (%s)' % label)


def main(t):
    srv = t.server()
    e2e.provision(srv, group='support', number='4001', wrap_up=1,
                  agents=[('agent1', '1001', AGENT_PW, AGENT_PHONE)])

    # regint 600: baresip refreshes well before expiry, and this test must
    # be over long before a refresh could hide a lost registration.
    agent = e2e.agent_phone(t, srv, 'agent1', '1001', AGENT_PW, tone_hz=700,
                            regint=600)
    customer = t.phone('customer', user=CUSTOMER, registrar=srv.sip_port,
                       register=False, tone_hz=1000)

    one_call(srv, customer, agent, 'before the crash')
    first = srv.wait_cdrs(1)[0]
    srv.wait_agent_status('agent1', 'free', timeout=10)

    srv.kill9()
    srv.restart()

    for what, args, value in [('staff', ('staff', 'list'), 'agent1'),
                              ('skill group', ('skill-group', 'list'),
                               'support'),
                              ('number', ('number', 'list'), '4001')]:
        listing = srv.ctl(*args)
        e2e.check(e2e.json_has_value(listing, value),
                  '%s %s is gone after the restart: %s'
                  % (what, value, listing))
    rows = srv.cdrs()
    e2e.check([r.get('session_id') for r in rows] ==
              [first.get('session_id')],
              'after the restart the CDRs are %s, expected the one row %s'
              % (rows, first))

    srv.wait_agent_status('agent1', 'free', timeout=10)
    one_call(srv, customer, agent, 'after the restart')
    e2e.check(agent.registrations() == 1,
              'the agent registered %d times; the test needs it to keep '
              'its first registration' % agent.registrations())

    rows = srv.wait_cdrs(2)
    e2e.check(len(rows) == 2, 'expected 2 CDR rows, got %d: %s'
              % (len(rows), rows))
    for row in rows:
        e2e.assert_cdr(row, direction='inbound', caller=CUSTOMER,
                       agent='agent1', end_status='answered')
    e2e.check(rows[0].get('session_id') != rows[1].get('session_id'),
              'both CDR rows have session_id %s' % rows[0].get('session_id'))

    e2e.assert_log_clean(srv, numbers=[CUSTOMER, AGENT_PHONE],
                         secrets=[AGENT_PW, srv.credentials['secret_key']])


if __name__ == '__main__':
    e2e.run(main)
