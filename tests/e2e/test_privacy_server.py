#!/usr/bin/env python3
"""Personal information on the server: number masking, erasure, retention.

A customer calls service number 4001 of skill group "vip", which masks
numbers: the agent's phone is offered the call with the display name
138****5678 and an opaque reference as the caller, never the number.  The
agent calls the reference back and the trunk gets the real number; an
unknown reference is refused with 404.  Both CDRs hold the real number
(the operator's records) until `personal-data delete --phone` anonymises
them; the audit log shows the deletion with the number masked, and the
reference no longer works.  Then retention: with 7 days set, the server is
stopped, a CDR that ended 10 days ago is put into lianluo.db, and right
after the start it is gone while the recent ones stay.  The server log
never holds a number in clear.
"""

import json
import os
import re
import sqlite3
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lianluo_e2e as e2e  # noqa: E402

CUSTOMER = '13812345678'
MASKED = '138****5678'
AGENT_PHONE = '13700001002'
AGENT_PW = 'Ag1-pw-Pv3Hx9'
OLD_CALLER = '13900000010'
RECENT_CALLER = '13900000011'
REF = re.compile(r'^r[0-9a-f]{16}$')
DAY_MS = 86400 * 1000


def provision_masked(srv):
    g = srv.ctl('skill-group', 'create', '--name', 'vip', '--wrap-up', 1,
                '--mask-numbers')
    e2e.check(g.get('mask_numbers') is True,
              'skill group created without mask_numbers: %s' % g)
    groups = srv.ctl('skill-group', 'list').get('skill_groups', [])
    e2e.check([x.get('mask_numbers') for x in groups] == [True],
              'skill group list: %s' % groups)
    srv.ctl('staff', 'create', '--user', 'agent1', '--name', 'Agent One',
            '--phone', AGENT_PHONE, '--extension', '1001', '--password',
            AGENT_PW, '--skill-group', 'vip')
    srv.ctl('number', 'create', '--number', '4001', '--skill-group', 'vip')


def inbound_masked(srv, agent, customer):
    """The agent is offered the call masked; returns the reference."""
    customer.dial(srv.number_uri('4001'))
    inc = agent.wait_event('CALL_ESTABLISHED', 10)
    customer.wait_event('CALL_ESTABLISHED', 5)

    ref = agent.uri_user(inc.get('peeruri'))
    e2e.log('the agent sees the call from %s (display name %r)'
            % (inc.get('peeruri'), inc.get('peerdisplayname')))
    e2e.check(ref and REF.match(ref),
              'the agent sees caller %r, expected a reference r + 16 hex'
              % inc.get('peeruri'))
    e2e.check(CUSTOMER not in json.dumps(inc),
              'the agent\'s CALL event holds the number: %s' % inc)
    if 'peerdisplayname' in inc:
        e2e.check(inc['peerdisplayname'] == MASKED,
                  'the agent\'s display name is %r, expected %s'
                  % (inc['peerdisplayname'], MASKED))

    invites = agent.received('INVITE')
    e2e.check(invites, 'the agent\'s SIP trace has no INVITE')
    invite = invites[-1]
    e2e.check(CUSTOMER not in invite,
              'the INVITE to the agent holds the number:\n%s' % invite)
    frm = [ln for ln in invite.split('\n')
           if ln.lower().startswith(('from:', 'f:'))]
    e2e.check(frm and ('"%s"' % MASKED) in frm[0] and
              ('sip:%s@' % ref) in frm[0],
              'the From of the INVITE to the agent is %r, expected "%s" '
              '<sip:%s@...>' % (frm, MASKED, ref))

    # The live status masks too.
    calls = srv.status().get('calls', [])
    e2e.check(calls and CUSTOMER not in json.dumps(calls),
              'GET /v1/status shows the number: %s' % calls)

    agent.wait_audio(2)
    customer.hangup()
    customer.wait_event('CALL_CLOSED', 5)
    agent.wait_event('CALL_CLOSED', 5)
    return ref


def call_back(srv, agent, trunk, ref):
    agent.dial(srv.number_uri(ref))
    trunk.wait_event('CALL_ESTABLISHED', 10)
    agent.wait_event('CALL_ESTABLISHED', 10)
    invites = trunk.received('INVITE')
    first = invites[-1].split('\n')[0] if invites else ''
    e2e.check(('sip:%s@' % CUSTOMER) in first,
              'the trunk INVITE is %r, expected sip:%s@...'
              % (first, CUSTOMER))
    e2e.log('the call-back reached the trunk as the real number')
    agent.wait_audio(2)
    agent.hangup()
    agent.wait_event('CALL_CLOSED', 5)
    trunk.wait_event('CALL_CLOSED', 5)


def refused_404(srv, agent, target, what):
    before = len(agent.received('SIP/2.0 404'))
    agent.dial(srv.number_uri(target))
    agent.wait_event('CALL_CLOSED', 10)
    e2e.wait_until(lambda: len(agent.received('SIP/2.0 404')) > before, 5,
                   '404 for %s' % what)
    e2e.log('%s: 404' % what)


def by_session(rows):
    return {r.get('session_id'): r for r in rows}


def erasure(srv, agent, ref, rows):
    ids = [r['session_id'] for r in rows]

    res = srv.ctl('personal-data', 'delete', '--phone', CUSTOMER)
    e2e.log('personal-data delete --phone: %s' % res)
    for key, want in [('cdrs_anonymised', 2), ('staff_anonymised', 0),
                      ('number_refs_deleted', 1),
                      ('recordings_deleted', 0)]:
        e2e.check(res.get(key) == want, 'delete --phone: %s is %r, '
                  'expected %d: %s' % (key, res.get(key), want, res))
    e2e.check(isinstance(res.get('audit_id'), int),
              'delete --phone: no audit_id: %s' % res)

    after = by_session(srv.cdrs())
    for sid in ids:
        row = after.get(sid)
        e2e.check(row and CUSTOMER not in json.dumps(row),
                  'CDR %s still holds the number: %s' % (sid, row))
    inbound = [after[s] for s in ids if after[s]['direction'] == 'inbound']
    outbound = [after[s] for s in ids
                if after[s]['direction'] == 'outbound']
    e2e.assert_cdr(inbound[0], caller='deleted', callee='4001',
                   agent='agent1')
    e2e.assert_cdr(outbound[0], caller='4001', callee='deleted',
                   agent='agent1')

    audit = srv.ctl('audit', 'list').get('entries', [])
    e2e.check(audit and audit[0].get('id') == res['audit_id'],
              'the audit log does not start with entry %s: %s'
              % (res['audit_id'], audit))
    entry = audit[0]
    e2e.check(entry.get('action') == 'personal-data.delete' and
              entry.get('actor') == srv.credentials['secret_id'] and
              entry.get('detail', {}).get('phone') == MASKED and
              entry['detail'].get('cdrs_anonymised') == 2,
              'unexpected audit entry: %s' % entry)
    e2e.check(CUSTOMER not in json.dumps(audit),
              'the audit log holds the number in clear: %s' % audit)
    table = srv.ctl('audit', 'list', json=False)
    e2e.check(MASKED in table and CUSTOMER not in table,
              'audit list table: %s' % table)

    # Human output masks; a second deletion finds nothing more.
    out = srv.ctl('personal-data', 'delete', '--phone', CUSTOMER,
                  json=False)
    e2e.check(MASKED in out and CUSTOMER not in out and
              '0 CDRs anonymised' in out,
              'personal-data delete prints %r' % out)

    # The reference went with the number.
    refused_404(srv, agent, ref, 'the reference after the deletion')

    # Exactly one of phone and user.
    for target in ['/v1/personal-data', '/v1/personal-data?phone=1&user=a',
                   '/v1/personal-data?phone=12ab',
                   '/v1/personal-data?phone=1&phone=2']:
        r = srv.api('DELETE', target)
        e2e.check(r.status == 400, 'DELETE %s answered %d, expected 400'
                  % (target, r.status))

    res = srv.ctl('personal-data', 'delete', '--user', 'agent1')
    e2e.check(res.get('cdrs_anonymised') == 2 and
              res.get('staff_anonymised') == 1,
              'delete --user agent1: %s' % res)
    for sid, row in by_session(srv.cdrs()).items():
        e2e.check(row.get('agent') == 'deleted',
                  'CDR %s still names the agent: %s' % (sid, row))
    staff = srv.ctl('staff', 'list').get('staff', [])
    e2e.check(staff and staff[0].get('name', '') == '' and
              staff[0].get('phone', '') == '',
              'staff after delete --user: %s' % staff)
    audit = srv.ctl('audit', 'list', '--limit', 1).get('entries', [])
    e2e.check(len(audit) == 1 and
              audit[0].get('detail', {}).get('user') == 'agent1',
              'audit entry of delete --user: %s' % audit)


def insert_cdr(db_path, app, sid, caller, ended_ms):
    con = sqlite3.connect(db_path)
    try:
        con.execute(
            'INSERT INTO cdrs (session_id, app, direction, caller, callee,'
            ' grp, agent, offered_ms, queued_ms, ringing_ms, answered_ms,'
            ' ended_ms, start_ms, end_status, hangup_side, end_scode, uui,'
            ' remark, duration_s) VALUES (?, ?, 0, ?, ?, ?, ?, ?, ?, ?, ?,'
            ' ?, ?, ?, ?, ?, ?, ?, ?)',
            (sid, app, caller, '4001', 'vip', 'agent1', ended_ms - 60000,
             ended_ms - 59000, ended_ms - 58000, ended_ms - 50000,
             ended_ms, ended_ms - 60000, 'answered', 'caller', 0, '', '',
             50))
        con.commit()
    finally:
        con.close()


def retention(srv):
    s = srv.ctl('settings', 'get')
    e2e.check(s.get('cdr_retention_days') == 0,
              'default retention is %s, expected 0' % s)
    s = srv.ctl('settings', 'set', '--cdr-retention-days', 7)
    e2e.check(s.get('cdr_retention_days') == 7, 'settings set: %s' % s)
    r = srv.api('PUT', '/v1/settings', {'cdr_retention_days': 3651})
    e2e.check(r.status == 400, 'retention 3651 answered %d' % r.status)
    e2e.check(srv.ctl('settings', 'get').get('cdr_retention_days') == 7,
              'retention changed by a refused request')

    kept = sorted(r['session_id'] for r in srv.cdrs())
    srv.stop()

    now_ms = int(time.time() * 1000)
    db_path = os.path.join(srv.data_dir, 'lianluo.db')
    app = srv.credentials['sdk_app_id']
    insert_cdr(db_path, app, 'old-10d', OLD_CALLER, now_ms - 10 * DAY_MS)
    insert_cdr(db_path, app, 'recent-6d', RECENT_CALLER,
               now_ms - 6 * DAY_MS)

    srv.start()
    rows = sorted(r['session_id'] for r in srv.cdrs())
    e2e.check(rows == sorted(kept + ['recent-6d']),
              'right after the start the CDRs are %s, expected %s'
              % (rows, sorted(kept + ['recent-6d'])))
    e2e.check('1 expired CDRs deleted' in srv.log_text(),
              'the server did not log the retention deletion')
    e2e.log('retention deleted the 10-day-old CDR at start-up')


def main(t):
    trunk = t.phone('trunk', user=CUSTOMER, register=False, tone_hz=1000)
    srv = t.server(trunk_port=trunk.sip_port)
    provision_masked(srv)

    agent = e2e.agent_phone(t, srv, 'agent1', '1001', AGENT_PW, tone_hz=700)
    customer = t.phone('customer', user=CUSTOMER, registrar=srv.sip_port,
                       register=False, tone_hz=1000)

    ref = inbound_masked(srv, agent, customer)
    call_back(srv, agent, trunk, ref)
    refused_404(srv, agent, 'r0123456789abcdef', 'an unknown reference')

    rows = srv.wait_cdrs(2)
    e2e.check(len(rows) == 2, 'expected 2 CDRs, got %s' % rows)
    inbound = [r for r in rows if r.get('direction') == 'inbound']
    outbound = [r for r in rows if r.get('direction') == 'outbound']
    e2e.check(inbound and outbound, 'CDR directions: %s' % rows)
    e2e.assert_cdr(inbound[0], caller=CUSTOMER, callee='4001', group='vip',
                   agent='agent1', end_status='answered')
    e2e.assert_cdr(outbound[0], caller='4001', callee=CUSTOMER,
                   agent='agent1', end_status='answered')

    erasure(srv, agent, ref, rows)
    retention(srv)

    e2e.assert_log_clean(srv, numbers=[CUSTOMER, AGENT_PHONE, OLD_CALLER,
                                       RECENT_CALLER],
                         secrets=[AGENT_PW, srv.credentials['secret_key']])


if __name__ == '__main__':
    e2e.run(main)
