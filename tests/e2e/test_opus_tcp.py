#!/usr/bin/env python3
"""Opus relayed end to end, with the agent's phone on SIP over TCP.

The agent's phone registers over TCP and knows only Opus; the customer
offers Opus first.  lianluod answers the customer with Opus, plays the
queue tone in Opus, offers the agent Opus with the customer's payload
type, and relays the packets untouched.  Tones are checked both ways on
the 48 kHz recordings, and the server log must name the codec.
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lianluo_e2e as e2e  # noqa: E402

CUSTOMER = '13812345678'
AGENT_PHONE = '13700001001'
AGENT_PW = 'Op-pw-Tc9Kd4'


def main(t):
    srv = t.server()
    e2e.provision(srv, group='support', number='4001',
                  agents=[('agent1', '1001', AGENT_PW, AGENT_PHONE)])

    agent = e2e.agent_phone(t, srv, 'agent1', '1001', AGENT_PW, tone_hz=700,
                            codecs=('opus',), transport='tcp')
    e2e.check('over TCP' in srv.log_text(),
              'the server did not see the agent register over TCP')

    customer = t.phone('customer', user=CUSTOMER, registrar=srv.sip_port,
                       register=False, tone_hz=1000,
                       codecs=('opus', 'g711'))
    customer.dial(srv.number_uri('4001'))
    agent.wait_event('CALL_ESTABLISHED', 10)
    customer.wait_event('CALL_ESTABLISHED', 10)

    agent.wait_audio(4)
    customer.wait_audio(4)
    customer.hangup()
    customer.wait_event('CALL_CLOSED', 5)
    agent.wait_event('CALL_CLOSED', 5)

    e2e.check('connected (opus)' in srv.log_text(),
              'the call was not relayed in Opus')
    e2e.assert_tone(agent.recording('dec'), 1000, 'agent hears customer')
    e2e.assert_tone(customer.recording('dec'), 700, 'customer hears agent')

    row = srv.wait_cdrs(1)[0]
    e2e.assert_cdr(row, direction='inbound', caller=CUSTOMER, callee='4001',
                   agent='agent1', end_status='answered',
                   hangup_side='caller')

    e2e.assert_log_clean(srv, numbers=[CUSTOMER, AGENT_PHONE],
                         secrets=[AGENT_PW, srv.credentials['secret_key']])


if __name__ == '__main__':
    e2e.run(main)
