#!/usr/bin/env python3
"""Credentials with a role, through lianluoctl and HTTP.

The application's own credentials (lianluoctl --data) create supervisor
credentials and agent credentials bound to agent1.  lianluoctl run with
only LIANLUO_SERVER, LIANLUO_SECRET_ID and LIANLUO_SECRET_KEY of the
supervisor reads the agents' metrics and sets agent1 (registered with a
real baresip) to notReady, which GET /v1/status then shows; creating
staff is refused with a one-line 403 error.  The agent's credentials read
agent1's own status and set it back to free, and get 403 on agent2 and on
/v1/staff.  Once deleted, the agent's credentials get 401.  No key ever
appears in the server log.
"""

import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lianluo_e2e as e2e  # noqa: E402

AGENT_PW = 'Ag1-pw-Rl7Qz2'


def ctl_as(t, srv, cred, *args):
    """lianluoctl with role credentials from the environment: (exit
    status, stdout, stderr)."""
    env = dict(os.environ)
    env.pop('LIANLUO_CERT_SHA256', None)
    env.update(LIANLUO_SERVER=srv.credentials['http_url'],
               LIANLUO_SECRET_ID=cred['secret_id'],
               LIANLUO_SECRET_KEY=cred['secret_key'])
    argv = [e2e.bin_path('lianluoctl')] + [str(a) for a in args]
    r = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       env=env, timeout=15)
    out, err = r.stdout.decode(), r.stderr.decode().strip()
    with open(t.path('lianluoctl.log'), 'a') as f:
        f.write('$ (%s) %s\n-> %d\n%s%s\n' % (cred['role'], ' '.join(args),
                                             r.returncode, out, err))
    return r.returncode, out, err


def expect_forbidden(rc, err, what):
    e2e.check(rc == 1, '%s: exit status %d, expected 1' % (what, rc))
    e2e.check(len(err.splitlines()) == 1 and 'Forbidden' in err
              and '403' in err,
              '%s: expected a one-line 403 Forbidden error, got %r'
              % (what, err))
    e2e.log('%s -> %s' % (what, err))


def api_as(srv, cred, method, target, body=b''):
    return srv.api(method, target, body, secret_id=cred['secret_id'],
                   secret_key=cred['secret_key'])


def main(t):
    srv = t.server()
    e2e.provision(srv, group='support', number='4001',
                  agents=[('agent1', '1001', AGENT_PW, '13700001001'),
                          ('agent2', None, None, '13700001002')])
    e2e.agent_phone(t, srv, 'agent1', '1001', AGENT_PW, tone_hz=700)

    sup = srv.ctl('credentials', 'create', '--role', 'supervisor')
    agent = srv.ctl('credentials', 'create', '--role', 'agent',
                    '--user', 'agent1')
    for c in (sup, agent):
        e2e.check(c.get('secret_id', '').startswith('AKID')
                  and len(c.get('secret_key', '')) == 40,
                  'credentials create: %r' % {k: v for k, v in c.items()
                                              if k != 'secret_key'})
    listed = srv.ctl('credentials', 'list').get('credentials', [])
    e2e.check(sorted(c.get('role') for c in listed) == ['agent',
                                                        'supervisor']
              and not any('secret_key' in c for c in listed),
              'credentials list: %s' % listed)

    # The supervisor: metrics and an agent's status yes, staff no
    rc, out, err = ctl_as(t, srv, sup, 'metrics', 'agents', '--json')
    e2e.check(rc == 0 and 'agent1' in out,
              'supervisor metrics agents: %d %s %s' % (rc, out, err))
    rc, out, err = ctl_as(t, srv, sup, 'agent', 'status', '--user',
                          'agent1', '--set', 'notReady')
    e2e.check(rc == 0, 'supervisor agent status: %d %s' % (rc, err))
    srv.wait_agent_status('agent1', 'notReady')
    rc, out, err = ctl_as(t, srv, sup, 'staff', 'create', '--user', 'eve')
    expect_forbidden(rc, err, 'supervisor staff create')
    rc, out, err = ctl_as(t, srv, sup, 'credentials', 'list')
    expect_forbidden(rc, err, 'supervisor credentials list')
    e2e.check(not any(s.get('user_id') == 'eve' for s in
                      srv.ctl('staff', 'list').get('staff', [])),
              'the refused staff create created eve')

    # The agent: itself yes, another agent and staff no
    r = api_as(srv, agent, 'GET', '/v1/agents/agent1/status')
    e2e.check(r.status == 200 and r.json.get('status') == 'notReady',
              'agent reads its own status: %r' % r)
    rc, out, err = ctl_as(t, srv, agent, 'agent', 'status', '--user',
                          'agent1', '--set', 'free')
    e2e.check(rc == 0, 'agent sets its own status: %d %s' % (rc, err))
    srv.wait_agent_status('agent1', 'free')
    for target in ('/v1/agents/agent2', '/v1/agents/agent2/status',
                   '/v1/staff', '/v1/status'):
        r = api_as(srv, agent, 'GET', target)
        e2e.check(r.status == 403
                  and r.json.get('error', {}).get('code') == 'Forbidden',
                  'agent GET %s: %r' % (target, r))
    rc, out, err = ctl_as(t, srv, agent, 'agent', 'status', '--user',
                          'agent2', '--set', 'free')
    expect_forbidden(rc, err, "agent sets another agent's status")
    rc, out, err = ctl_as(t, srv, agent, 'cdr', 'list', '--json')
    e2e.check(rc == 0, 'agent cdr list: %d %s' % (rc, err))

    # Deleted: 401
    srv.ctl('credentials', 'delete', '--secret-id', agent['secret_id'])
    r = api_as(srv, agent, 'GET', '/v1/agents/agent1')
    e2e.check(r.status == 401, 'deleted agent credentials: %r' % r)
    rc, out, err = ctl_as(t, srv, sup, 'status', '--json')
    e2e.check(rc == 0, 'supervisor status after: %d %s' % (rc, err))

    audit = srv.ctl('audit', 'list').get('entries', [])
    actions = [a.get('action') for a in audit]
    e2e.check(actions.count('credentials.create') == 2
              and actions.count('credentials.delete') == 1,
              'audit log: %s' % actions)

    srv.check_alive('after the role requests')
    e2e.assert_log_clean(srv, numbers=('13700001001', '13700001002'),
                         secrets=(sup['secret_key'], agent['secret_key'],
                                  srv.credentials['secret_key']))


if __name__ == '__main__':
    e2e.run(main)
