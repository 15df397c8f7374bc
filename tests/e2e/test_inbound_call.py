#!/usr/bin/env python3
"""An inbound call, end to end.

A customer's phone calls the service number 4001; lianluod routes it to
the only free agent of skill group "support", whose SIP phone (registered
with extension and password) answers.  Both directions of audio are
checked by tone, then the customer hangs up and the CDR row and the
agent's status are checked, and the server log must not show the numbers
or the password.
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lianluo_e2e as e2e  # noqa: E402

CUSTOMER = '13812345678'
AGENT_PHONE = '13700001001'
AGENT_PW = 'Ag1-pw-Xq7Lm2'


def main(t):
    srv = t.server()
    e2e.provision(srv, group='support', number='4001', wrap_up=2,
                  agents=[('agent1', '1001', AGENT_PW, AGENT_PHONE)])

    agent = e2e.agent_phone(t, srv, 'agent1', '1001', AGENT_PW, tone_hz=700)

    customer = t.phone('customer', user=CUSTOMER, registrar=srv.sip_port,
                       register=False, tone_hz=1000)
    customer.dial(srv.number_uri('4001'))
    # An auto-answering baresip reports CALL_ESTABLISHED, not INCOMING.
    inc = agent.wait_event('CALL_ESTABLISHED', 10)
    customer.wait_event('CALL_ESTABLISHED', 10)
    e2e.log('the agent sees the call from %s' % inc.get('peeruri'))
    srv.wait_agent_status('agent1', 'busy', timeout=5)

    agent.wait_audio(4)
    customer.wait_audio(4)

    # RFC 4733 telephone-event crosses the relay both ways untouched.
    customer.send_dtmf('12#')
    digits = ''.join(agent.wait_event('CALL_DTMF_START', 5)['param']
                     for _ in range(3))
    e2e.check(digits == '12#', 'the agent got DTMF %r, expected 12#' % digits)
    agent.send_dtmf('9*')
    digits = ''.join(customer.wait_event('CALL_DTMF_START', 5)['param']
                     for _ in range(2))
    e2e.check(digits == '9*', 'the customer got DTMF %r, expected 9*'
              % digits)
    e2e.log('DTMF passed both ways')

    customer.hangup()
    customer.wait_event('CALL_CLOSED', 5)
    agent.wait_event('CALL_CLOSED', 5)

    e2e.assert_tone(agent.recording('dec'), 1000, 'agent hears customer')
    e2e.assert_tone(customer.recording('dec'), 700, 'customer hears agent')
    e2e.assert_no_tone(agent.recording('dec'), 700,
                       'agent does not hear himself')

    row = srv.wait_cdrs(1)[0]
    e2e.log('CDR: %s' % row)
    e2e.assert_cdr(row, direction='inbound', caller=CUSTOMER, callee='4001',
                   group='support', agent='agent1', end_status='answered',
                   hangup_side='caller')
    e2e.assert_cdr_times(row)
    e2e.check(isinstance(row.get('duration_s'), (int, float)) and
              row['duration_s'] >= 2,
              'CDR duration_s is %r, expected >= 2' % row.get('duration_s'))

    # after-call work (2 s for this group), then free again
    seen = srv.wait_agent_status('agent1', 'free', timeout=15)
    e2e.log('agent1 after the call: %s' % ' -> '.join(map(str, seen)))
    e2e.check(set(seen) <= {'busy', 'arrange', 'free'},
              'unexpected agent1 statuses after the call: %s' % seen)

    e2e.assert_log_clean(srv, numbers=[CUSTOMER, AGENT_PHONE],
                         secrets=[AGENT_PW, srv.credentials['secret_key']])


if __name__ == '__main__':
    e2e.run(main)
