#!/usr/bin/env python3
"""The SDK places an outbound call through the trunk, end to end.

lianluo-agent (agent mode, token login) calls 13900139000 with a remark
and user-to-user information; lianluod sends the call to the trunk (a
baresip that answers as the called party, in Opus) with the skill group's
service number 4001 as the caller.  Tones are checked both ways, the agent hangs
up after --hangup-after seconds ("event ended reason=localBye") and exits
0, and the CDR row is outbound with the remark and the uui.  The SDK
runs its default path: SIP over TLS and SRTP to lianluod.

A second call is hung up by the called party: the server's BYE reaches
the SDK down the TLS connection it opened ("event ended
reason=remoteBye"), though the SDK's INVITE named its listening port in
its Contact (lianluod sends a dialog's requests down the connection).
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lianluo_e2e as e2e  # noqa: E402

CALLEE = '13900139000'
AGENT_PHONE = '13700001001'
REMARK = 'order 42'
UUI = 'ticket=7'
TALK_S = 6


def main(t):
    # The SDK offers Opus first; a trunk that takes it (with a 48 kHz
    # tone, as baresip's aufile wants) puts the SDK's Opus on the path.
    trunk = t.phone('trunk', user=CALLEE, register=False, tone_hz=1000,
                    codecs=('opus', 'g711'))
    srv = t.server(trunk_port=trunk.sip_port)
    e2e.provision(srv, group='support', number='4001', wrap_up=1,
                  agents=[('agent1', None, None, AGENT_PHONE)])
    token = srv.ctl('token', 'create', '--user', 'agent1', json=False)

    heard = t.path('agent1-heard.wav')
    agent = t.agent('agent1', e2e.agent_args(
        srv, 'agent1', token, '--call', CALLEE, '--remark', REMARK,
        '--uui', UUI, '--play', t.tone(700), '--record', heard,
        '--hangup-after', TALK_S, '--timeout', 45))
    agent.wait_event('login', 15)

    inc = trunk.wait_event('CALL_ESTABLISHED', 15)
    caller = trunk.uri_user(inc.get('peeruri'))
    e2e.check(caller == '4001',
              'the trunk sees the call from %r (user %r), expected the '
              'service number 4001' % (inc.get('peeruri'), caller))
    invites = trunk.received('INVITE')
    e2e.check(invites and ('sip:%s@' % CALLEE) in invites[0].split('\n')[0],
              'the trunk INVITE is not for sip:%s@...: %r'
              % (CALLEE, invites[0].split('\n')[0] if invites else None))

    ns = agent.wait_event('new-session', 5)
    e2e.check(ns.get('direction') == 'outbound',
              'new-session is not outbound: %s' % ns['line'])
    agent.wait_event('accepted', 10)
    trunk.wait_audio(TALK_S - 2)

    ended = agent.wait_event('ended', TALK_S + 5)
    e2e.check(ended.get('reason') == 'localBye',
              'after --hangup-after the call ended with %s, expected '
              'reason=localBye' % ended['line'])
    trunk.wait_event('CALL_CLOSED', 5)
    rc = agent.wait_exit(10)
    e2e.check(rc == 0, 'lianluo-agent --call exited %d; log tail:\n%s'
              % (rc, agent.log_tail()))

    e2e.assert_tone(heard, 1000, 'agent hears the callee')
    e2e.assert_tone(trunk.recording('dec'), 700, 'callee hears the agent')

    row = srv.wait_cdrs(1)[0]
    e2e.log('CDR: %s' % row)
    e2e.assert_cdr(row, direction='outbound', caller='4001', callee=CALLEE,
                   agent='agent1', end_status='answered',
                   hangup_side='agent', remark=REMARK, uui=UUI)

    # The called party hangs up: the BYE goes back down the TLS flow.
    token2 = srv.ctl('token', 'create', '--user', 'agent1', json=False)
    agent2 = t.agent('agent1-again', e2e.agent_args(
        srv, 'agent1', token2, '--call', CALLEE, '--play', t.tone(700),
        '--timeout', 40))
    agent2.wait_event('login', 15)
    trunk.wait_event('CALL_ESTABLISHED', 15)
    agent2.wait_event('accepted', 10)
    trunk.wait_audio(2)
    trunk.hangup()
    ended = agent2.wait_event('ended', 10)
    e2e.check(ended.get('reason') == 'remoteBye',
              'the called party hung up and the SDK saw %s, expected '
              'reason=remoteBye' % ended['line'])
    e2e.check(agent2.wait_exit(10) == 0, 'the second call\'s agent did '
              'not exit 0')

    e2e.assert_text_clean(agent.log_text(), 'the lianluo-agent log',
                          numbers=[CALLEE, AGENT_PHONE], secrets=[token])
    e2e.assert_log_clean(srv, numbers=[CALLEE, AGENT_PHONE],
                         secrets=[token, srv.credentials['secret_key']])


if __name__ == '__main__':
    e2e.run(main, timeout=90)
