#!/usr/bin/env python3
"""Ring timeout, notReady after missed offers, and after-call work.

Group g-ring (top-down, ring timeout 2 s, wrap-up 2 s) has two agents:
agent1, first in member order, is a baresip phone that answers only
when the test tells it to and otherwise rings until the server gives up
(lianluo-agent has no such mode: as a bot it answers every call with
--auto-answer or rejects it with --call, and a rejection is not a missed
offer); agent2 is a lianluo-agent bot that auto-answers and hangs up
after 1 s.

- Calls 1-5: agent1 rings for the ring timeout, then agent2 gets the
  call; except call 2, which agent1 answers.  The miss before that
  answer does not count: agent1 stays free after calls 1, 3 and 4 and
  is notReady after call 5, its third miss in a row (GET /v1/status).
- After each call its agent is in after-call work: arrange right after
  the hang-up, free again after the wrap-up time (measured from the
  CDR's end to the status change, and as seen by polling).
- Calls 6-7 (concurrent): agent1 is never rung again.  Call 6 goes
  straight to agent2; call 7 waits in the queue while agent2 talks and
  wraps up, with agent1 notReady, and then goes to agent2.
- Every CDR names the agent that answered: agent1 for call 2, else
  agent2; the calls agent1 missed show the ring time spent on it
  between offer and answer.
- The server's default wrap-up is 5 s, g-ring's own 2 s applies.  A
  second group, g-quick, has a wrap-up of 0: after its call agent2 must
  be free at once.
- A REGISTER refresh of agent1's phone (same contact, Call-ID and next
  CSeq: what every phone does on its own before its registration
  expires) must not end notReady: the agent did not come back.
"""

import os
import re
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lianluo_e2e as e2e  # noqa: E402

CUSTOMER = '13812345678'
CUSTOMER2 = '13912345678'
SLOW = ('agent1', '1001', 'Ag1-pw-Tz4Lm8', '13700001001')
BOT = ('agent2', '13700001002')
RING_S = 2
WRAP_S = 2
TALK_S = 1
CONFIG_WRAP_S = 5   # the server's default, which g-ring overrides
MISSES = 3   # unanswered offers in a row that make an agent notReady
# What agent1 does with the calls offered to it: the answer in between
# starts the count again, so only the last miss is the third in a row.
PLAN = ['miss', 'answer', 'miss', 'miss', 'miss']


def status_of(srv, user):
    """(status, since_ms) of one agent from GET /v1/status."""
    for a in srv.live_status()['agents']:
        if a['user_id'] == user:
            return a['status'], a['since_ms']
    e2e.fail('%s is not in GET /v1/status' % user)


def check_wrap_up(srv, row, user='agent2'):
    """`user` is in after-call work right after the call and free again
    WRAP_S later: by its status's since_ms against the CDR's end, and by
    the time it took to see it."""
    seen_at = time.monotonic()
    st, _ = status_of(srv, user)
    e2e.check(st == 'arrange', '%s is %r right after its call, expected '
              'arrange (wrap-up %d s)' % (user, st, WRAP_S))
    e2e.wait_until(lambda: status_of(srv, user)[0] != 'arrange',
                   WRAP_S + 4, '%s to leave arrange' % user, interval=0.05)
    polled = time.monotonic() - seen_at
    st, since = status_of(srv, user)
    e2e.check(st in ('free', 'busy'), 'after arrange %s is %r' % (user, st))
    if st == 'free':
        wrap = (since - row['ended_ms']) / 1000.0
        e2e.log('%s: after-call work %.2f s by the server\'s clock, '
                'arrange seen for %.2f s' % (user, wrap, polled))
        e2e.check(abs(wrap - WRAP_S) <= 1.5,
                  '%s became free %.2f s after the call ended, wrap-up is '
                  '%d s' % (user, wrap, WRAP_S))
    e2e.check(polled <= WRAP_S + 1.5, '%s was still in arrange %.2f s '
              'after the call, wrap-up is %d s' % (user, polled, WRAP_S))


def last_register(phone):
    """Contact, Call-ID and CSeq number of the phone's last REGISTER,
    from its SIP trace: what its next refresh will reuse."""
    for _, _, _, text in reversed(phone.sip_messages()):
        if not text.startswith('REGISTER '):
            continue
        hdr = {}
        for name in ('contact', 'call-id', 'cseq'):
            m = re.search(r'(?im)^%s\s*:\s*(.+?)\s*$' % name, text)
            e2e.check(m, 'REGISTER of %s without %s' % (phone.name, name))
            hdr[name] = m.group(1)
        contact = re.match(r'<[^>]+>', hdr['contact'])
        e2e.check(contact, 'REGISTER Contact %r' % hdr['contact'])
        return (contact.group(0), hdr['call-id'],
                int(hdr['cseq'].split()[0]))
    e2e.fail('no REGISTER in %s\'s SIP trace' % phone.name)


def main(t):
    srv = t.server(args=['--wrap-up', str(CONFIG_WRAP_S)])
    e2e.skill_group(srv, 'g-ring', '4001', strategy='top-down',
                    ring_timeout_s=RING_S, wrapup_s=WRAP_S)
    e2e.skill_group(srv, 'g-quick', '4002', wrapup_s=0)
    user, ext, pw, phone = SLOW
    e2e.staff(srv, user, phone, ['g-ring'], extension=ext, password=pw)
    e2e.staff(srv, BOT[0], BOT[1], ['g-ring', 'g-quick'])

    slow = e2e.agent_phone(t, srv, 'agent1', ext, pw, tone_hz=700,
                           answer='manual')
    bot, token = e2e.sdk_agent(t, srv, 'agent2', '--auto-answer',
                               '--hangup-after', TALK_S)

    customer = t.phone('customer', user=CUSTOMER, registrar=srv.sip_port,
                       register=False, tone_hz=1000)
    customer2 = t.phone('customer2', user=CUSTOMER2, registrar=srv.sip_port,
                        register=False, tone_hz=1200)
    known = set()
    rows = []

    def answered_by_bot(what):
        call, st = srv.wait_answered_call(known, timeout=RING_S + 12)
        known.add(call['session_id'])
        e2e.check(call['agent'] == 'agent2', '%s was answered by %s'
                  % (what, call['agent']))
        ev = bot.wait_event('accepted', 5)
        e2e.check(ev.get('id') == call['session_id'],
                  'agent2 accepted call %s, the server says %s'
                  % (ev.get('id'), call['session_id']))
        return call, st

    def cdr(call, **expected):
        row = [r for r in srv.api_ok('GET', '/v1/cdrs')['cdrs']
               if r['session_id'] == call['session_id']]
        e2e.check(row, 'no CDR for call %s' % call['session_id'])
        row = row[0]
        e2e.assert_cdr(row, direction='inbound', end_status='answered',
                       **expected)
        e2e.assert_cdr_times(row)
        rows.append(row)
        return row

    def ended(phone, call, number='4001', group='g-ring'):
        phone.wait_event('CALL_CLOSED', TALK_S + 8)
        bot.wait_event('ended', 5)
        return cdr(call, callee=number, group=group, agent='agent2',
                   hangup_side='agent',
                   caller=CUSTOMER2 if phone is customer2 else CUSTOMER)

    # ---- calls 1-5: agent1 misses, answers, then misses three in a row
    in_a_row = 0
    for n, what in enumerate(PLAN, 1):
        customer.dial(srv.number_uri('4001'))
        customer.wait_event('CALL_ESTABLISHED', 10)
        rang = slow.wait_event('CALL_INCOMING', 10)
        if what == 'answer':
            slow.answer()
            call, st = srv.wait_answered_call(known, timeout=5)
            known.add(call['session_id'])
            e2e.check(call['agent'] == 'agent1', 'call %d was answered by '
                      '%s, agent1 took it' % (n, call['agent']))
            customer.hangup()
            customer.wait_event('CALL_CLOSED', 5)
            slow.wait_event('CALL_CLOSED', 5)
            row = cdr(call, callee='4001', group='g-ring', agent='agent1',
                      hangup_side='caller', caller=CUSTOMER)
            in_a_row = 0
            check_wrap_up(srv, row, 'agent1')
            continue

        stopped = slow.wait_event('CALL_CLOSED', RING_S + 8)
        rang_for = stopped['time'] - rang['time']
        e2e.log('call %d: agent1 rang for %.1f s' % (n, rang_for))
        e2e.check(RING_S - 0.5 <= rang_for <= RING_S + 2.0,
                  'agent1 rang for %.1f s with a %d s ring timeout'
                  % (rang_for, RING_S))
        in_a_row += 1
        call, st = answered_by_bot('call %d' % n)
        want = 'notReady' if in_a_row == MISSES else 'free'
        e2e.check(st.get('agent1') == want,
                  'after %d missed offer(s) in a row (%d in all) agent1 is '
                  '%r, expected %s' % (in_a_row, PLAN[:n].count('miss'),
                                       st.get('agent1'), want))
        row = ended(customer, call)
        gap = row['answered_ms'] - row['offered_ms']
        e2e.check(gap >= (RING_S - 0.5) * 1000,
                  'call %d was answered %d ms after the offer, but rang '
                  '%d s at agent1 first' % (n, gap, RING_S))
        check_wrap_up(srv, row)

    e2e.check(slow.count_events('CALL_INCOMING') == len(PLAN),
              'agent1 rang %d times' % slow.count_events('CALL_INCOMING'))

    # ---- calls 6-7: agent1 is notReady and never rings again
    customer.dial(srv.number_uri('4001'))
    customer.wait_event('CALL_ESTABLISHED', 10)
    call6, _ = answered_by_bot('call 6')
    customer2.dial(srv.number_uri('4001'))
    customer2.wait_event('CALL_ESTABLISHED', 10)

    def queued():
        return [c for c in srv.live_status()['calls']
                if c['state'] == 'queued']
    waiting = e2e.wait_until(queued, 5, 'call 7 to wait in the queue')[0]
    row6 = ended(customer, call6)
    e2e.check(row6['answered_ms'] - row6['offered_ms'] < RING_S * 1000,
              'call 6 took %d ms to be answered: did it ring agent1?'
              % (row6['answered_ms'] - row6['offered_ms']))
    st, _ = status_of(srv, 'agent2')
    e2e.check(st == 'arrange', 'agent2 is %r after call 6' % st)
    state = {c['session_id']: c['state']
             for c in srv.live_status()['calls']}
    e2e.check(state.get(waiting['session_id']) == 'queued',
              'call 7 is %r while agent2 wraps up and agent1 is notReady, '
              'expected queued' % state.get(waiting['session_id']))
    call7, _ = answered_by_bot('call 7')
    e2e.check(call7['session_id'] == waiting['session_id'],
              'agent2 answered %s, not the waiting call'
              % call7['session_id'])
    row7 = ended(customer2, call7)
    waited = row7['answered_ms'] - row7['queued_ms']
    e2e.check(waited >= (TALK_S + WRAP_S - 1) * 1000,
              'call 7 waited %d ms; agent2 was busy and in arrange for '
              '%d s' % (waited, TALK_S + WRAP_S))
    e2e.check(slow.count_events('CALL_INCOMING') == len(PLAN),
              'agent1 (notReady) rang again: %d offers in all'
              % slow.count_events('CALL_INCOMING'))
    st, _ = status_of(srv, 'agent1')
    e2e.check(st == 'notReady', 'agent1 is %r after calls 6 and 7' % st)
    e2e.check(len(srv.cdrs()) == len(rows) == 7,
              '%d CDRs for 7 calls' % len(srv.cdrs()))

    # ---- a group whose wrap-up is 0 on a server whose default is not
    e2e.wait_until(lambda: status_of(srv, 'agent2')[0] == 'free',
                   WRAP_S + 3, 'agent2 to be free after call 7')
    customer.dial(srv.number_uri('4002'))
    customer.wait_event('CALL_ESTABLISHED', 10)
    call8, _ = answered_by_bot('call 8 (g-quick)')
    ended(customer, call8, '4002', 'g-quick')
    st, _ = status_of(srv, 'agent2')
    e2e.check(st == 'free',
                  'after a call in g-quick (wrapup_s 0, server default %d '
                  's) agent2 is %r, expected free at once'
                  % (CONFIG_WRAP_S, st))

    # ---- a REGISTER refresh of agent1's phone, same contact
    contact, call_id, cseq = last_register(slow)
    e2e.sip_register(srv, ext, pw, contact=contact, call_id=call_id,
                     cseq=cseq + 1)
    time.sleep(0.3)
    st, _ = status_of(srv, 'agent1')
    e2e.check(st == 'notReady',
                  'a REGISTER refresh of agent1\'s phone made it %r; '
                  'expected it to stay notReady' % st)

    numbers = [CUSTOMER, CUSTOMER2, SLOW[3], BOT[1]]
    e2e.assert_text_clean(bot.log_text(), 'the log of agent2',
                          numbers=numbers, secrets=[token])
    e2e.assert_log_clean(srv, numbers=numbers,
                         secrets=[pw, token, srv.credentials['secret_key']])


if __name__ == '__main__':
    e2e.run(main, timeout=100)
