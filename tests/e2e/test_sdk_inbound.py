#!/usr/bin/env python3
"""The SDK answers an inbound call, end to end.

agent1 has no SIP extension: lianluo-agent (liblianluo, agent mode) logs
in with a token from `lianluoctl token create` and auto-answers.  A
customer's baresip (1 kHz) calls the service number 4001; the agent plays
700 Hz from a WAV and records what it hears.  Checked:

- tones both ways: the agent's --record holds 1 kHz, the customer hears
  700 Hz;
- DTMF both ways: the agent's --dtmf 159# reaches baresip as RFC 4733
  events, the customer's digits come out as "event dtmf digit=..." lines;
- mute: --mute-after 2 --unmute-after 4 silences what the customer hears
  from the agent while muted (no 700 Hz from 0.5 s after the mute to
  0.5 s before the unmute) and the tone is back after the unmute;
- the customer hangs up: "event ended reason=remoteBye", and with
  --calls 1 lianluo-agent logs out and exits 0;
- the CDR row names agent1, and neither lianluo-agent's log nor the
  server's holds the token or a phone number in clear.
"""

import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lianluo_e2e as e2e  # noqa: E402

CUSTOMER = '13812345678'
AGENT_PHONE = '13700001001'
AGENT_DTMF = '159#'
CUSTOMER_DTMF = '27*'
MUTE_S, UNMUTE_S = 2, 4


def event_position(phone, ev):
    """Where the phone's current recording was when the agent printed
    `ev`: its length now, less the time since the line appeared."""
    return phone.recording_seconds() - (time.monotonic() - ev['time'])


def main(t):
    srv = t.server()
    e2e.provision(srv, group='support', number='4001', wrap_up=1,
                  agents=[('agent1', None, None, AGENT_PHONE)])
    token = srv.ctl('token', 'create', '--user', 'agent1', json=False)
    e2e.check(token and len(token.split()) == 1,
              'token create printed %r' % token)

    heard = t.path('agent1-heard.wav')
    agent = t.agent('agent1', e2e.agent_args(
        srv, 'agent1', token, '--auto-answer', '--calls', 1,
        '--play', t.tone(700), '--record', heard,
        '--dtmf', AGENT_DTMF,
        '--mute-after', MUTE_S, '--unmute-after', UNMUTE_S,
        '--timeout', 50))
    login = agent.wait_event('login', 15)
    e2e.check('ok' in login['words'], 'login: %s' % login['line'])
    srv.wait_agent_status('agent1', 'free')

    customer = t.phone('customer', user=CUSTOMER, registrar=srv.sip_port,
                       register=False, tone_hz=1000)
    customer.dial(srv.number_uri('4001'))
    customer.wait_event('CALL_ESTABLISHED', 10)

    ns = agent.wait_event('new-session', 10)
    e2e.check(ns.get('direction') == 'inbound',
              'new-session is not inbound: %s' % ns['line'])
    e2e.check(ns.get('from') == e2e.mask_digits(CUSTOMER),
              'new-session from=%r, expected the masked caller %s'
              % (ns.get('from'), e2e.mask_digits(CUSTOMER)))
    accepted = agent.wait_event('accepted', 10)
    srv.wait_agent_status('agent1', 'busy', timeout=5)

    # The agent's digits, one every 250 ms from 0.5 s after the answer.
    digits = ''.join(customer.wait_event('CALL_DTMF_START', 5)['param']
                     for _ in AGENT_DTMF)
    e2e.check(digits == AGENT_DTMF, 'the customer got DTMF %r, expected %r'
              % (digits, AGENT_DTMF))
    e2e.log('the agent\'s DTMF reached the customer')

    customer.send_dtmf(CUSTOMER_DTMF)
    digits = ''.join(agent.wait_event('dtmf', 5).get('digit', '?')
                     for _ in CUSTOMER_DTMF)
    e2e.check(digits == CUSTOMER_DTMF, 'lianluo-agent got DTMF %r, '
              'expected %r' % (digits, CUSTOMER_DTMF))
    e2e.log('the customer\'s DTMF reached the agent')

    muted = agent.wait_event('muted', MUTE_S + 3)
    pos_mute = event_position(customer, muted)
    unmuted = agent.wait_event('unmuted', UNMUTE_S - MUTE_S + 3)
    pos_unmute = event_position(customer, unmuted)
    for what, ev, want in (('mute', muted, MUTE_S),
                           ('unmute', unmuted, UNMUTE_S)):
        late = ev['time'] - accepted['time']
        e2e.check(want - 0.3 <= late <= want + 0.6,
                  'the %s came %.2f s after the answer, expected %d s'
                  % (what, late, want))
    e2e.log('customer recording: mute at %.2f s, unmute at %.2f s'
            % (pos_mute, pos_unmute))
    e2e.check(pos_unmute - pos_mute >= 1.5,
              'the customer received only %.2f s of audio while the '
              'agent was muted for %d s (no RTP while muted?)'
              % (pos_unmute - pos_mute, UNMUTE_S - MUTE_S))

    customer.wait_audio(pos_unmute + 3.0, timeout=10)
    rec = customer.recording('dec')
    e2e.assert_no_tone(rec, 700, 'customer hears nothing while muted',
                       from_s=pos_mute + 0.5, to_s=pos_unmute - 0.5)
    e2e.assert_tone(rec, 700, 'customer hears the agent after unmute',
                    from_s=pos_unmute + 0.5, to_s=pos_unmute + 2.5)

    customer.hangup()
    customer.wait_event('CALL_CLOSED', 5)
    ended = agent.wait_event('ended', 5)
    e2e.check(ended.get('reason') == 'remoteBye',
              'the agent saw the call end with %s' % ended['line'])
    rc = agent.wait_exit(10)
    e2e.check(rc == 0, 'lianluo-agent --calls 1 exited %d; log tail:\n%s'
              % (rc, agent.log_tail()))
    e2e.check(agent.count_events('logout') == 1,
              'lianluo-agent did not log out: no "event logout"')

    e2e.assert_tone(heard, 1000, 'agent hears the customer')
    e2e.assert_no_tone(heard, 700, 'agent does not hear himself')

    row = srv.wait_cdrs(1)[0]
    e2e.log('CDR: %s' % row)
    e2e.assert_cdr(row, direction='inbound', caller=CUSTOMER, callee='4001',
                   group='support', agent='agent1', end_status='answered',
                   hangup_side='caller')

    e2e.assert_text_clean(agent.log_text(), 'the lianluo-agent log',
                          numbers=[CUSTOMER, AGENT_PHONE], secrets=[token])
    e2e.assert_log_clean(srv, numbers=[CUSTOMER, AGENT_PHONE],
                         secrets=[token, srv.credentials['secret_key']])


if __name__ == '__main__':
    e2e.run(main, timeout=90)
