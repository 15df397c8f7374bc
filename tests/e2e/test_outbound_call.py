#!/usr/bin/env python3
"""An outbound call, end to end.

The agent's registered SIP phone calls 13900139000 through lianluod, which
sends the call to the trunk (--trunk, here a baresip that auto-answers as
the called party) with the agent's skill-group number 4001 as the caller.
Audio is checked both ways, the agent hangs up, and the CDR row must say
outbound, caller 4001, hangup by the agent.
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lianluo_e2e as e2e  # noqa: E402

CALLEE = '13900139000'
AGENT_PHONE = '13700001001'
AGENT_PW = 'Ag1-pw-Zr4Tn8'


def main(t):
    # The trunk first: the server is told where it is.
    trunk = t.phone('trunk', user=CALLEE, register=False, tone_hz=1000)
    srv = t.server(trunk_port=trunk.sip_port)
    e2e.provision(srv, group='support', number='4001', wrap_up=1,
                  agents=[('agent1', '1001', AGENT_PW, AGENT_PHONE)])

    agent = e2e.agent_phone(t, srv, 'agent1', '1001', AGENT_PW, tone_hz=700)

    agent.dial(srv.number_uri(CALLEE))
    # An auto-answering baresip reports CALL_ESTABLISHED, not INCOMING.
    inc = trunk.wait_event('CALL_ESTABLISHED', 10)
    caller = trunk.uri_user(inc.get('peeruri'))
    e2e.check(caller == '4001',
              'the trunk sees the call from %r (user %r), expected the '
              'service number 4001' % (inc.get('peeruri'), caller))
    invites = trunk.received('INVITE')
    e2e.check(invites and ('sip:%s@' % CALLEE) in invites[0].split('\n')[0],
              'the trunk INVITE is not for sip:%s@...: %r'
              % (CALLEE, invites[0].split('\n')[0] if invites else None))
    agent.wait_event('CALL_ESTABLISHED', 10)

    agent.wait_audio(4)
    trunk.wait_audio(4)
    agent.hangup()
    agent.wait_event('CALL_CLOSED', 5)
    trunk.wait_event('CALL_CLOSED', 5)

    e2e.assert_tone(agent.recording('dec'), 1000, 'agent hears the callee')
    e2e.assert_tone(trunk.recording('dec'), 700, 'callee hears the agent')

    row = srv.wait_cdrs(1)[0]
    e2e.log('CDR: %s' % row)
    e2e.assert_cdr(row, direction='outbound', caller='4001', callee=CALLEE,
                   agent='agent1', end_status='answered',
                   hangup_side='agent')
    # The trunk phone answers at once, without a 180.
    e2e.assert_cdr_times(row, rang=False)
    e2e.check(row.get('duration_s', 0) >= 2,
              'CDR duration_s is %r, expected >= 2' % row.get('duration_s'))

    srv.wait_agent_status('agent1', 'free', timeout=10)
    e2e.assert_log_clean(srv, numbers=[CALLEE, AGENT_PHONE],
                         secrets=[AGENT_PW, srv.credentials['secret_key']])


if __name__ == '__main__':
    e2e.run(main)
