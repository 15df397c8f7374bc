#!/usr/bin/env python3
"""The SDK refuses a server whose certificate changed under it.

lianluo-agent logs in with the server's certificate pinned (the SDK's
default path: HTTPS, then SIP over TLS).  lianluod is killed, its
certificate deleted, and started again on the same ports and data: it
makes a new certificate, which is not the pinned one (as if someone
stood in between).  The agent must report the connection lost, then
"event warning code=-25" (LL_ERR_CERTIFICATE) and never recover; the
server lists it offline (a registration over TLS is bound to its
connection and not restored at a restart), so no call is offered to it.  Put back
the old certificate and restarted, the server gets the agent back
without a new login.
"""

import os
import shutil
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lianluo_e2e as e2e  # noqa: E402

AGENT_PHONE = '13700001001'


def main(t):
    srv = t.server()
    e2e.provision(srv, group='support', number='4001',
                  agents=[('agent1', None, None, AGENT_PHONE)])
    token = srv.ctl('token', 'create', '--user', 'agent1', json=False)
    agent = t.agent('agent1', e2e.agent_args(srv, 'agent1', token,
                                             '--auto-answer'))
    agent.wait_event('login', 15)
    srv.wait_agent_status('agent1', 'free')

    tls_dir = os.path.join(srv.data_dir, 'tls')
    kept = t.path('tls-kept')
    shutil.copytree(tls_dir, kept)
    old_pin = srv.credentials['cert_sha256']

    srv.kill9()
    shutil.rmtree(tls_dir)
    srv.start()
    e2e.check(srv.credentials['cert_sha256'] != old_pin,
              'the restarted server kept its certificate')

    agent.wait_event('connection-lost', 25)
    warn = agent.wait_event('warning', 30)
    e2e.check(warn.get('code') == str(e2e.LL_ERR_CERTIFICATE),
              'the agent warned %s, expected code=%d (LL_ERR_CERTIFICATE)'
              % (warn['line'], e2e.LL_ERR_CERTIFICATE))
    time.sleep(3)
    e2e.check(not agent.count_events('connection-recovery'),
              'the agent reconnected to a server with another certificate')
    e2e.check(agent.alive(), 'lianluo-agent exited; log tail:\n%s'
              % agent.log_tail())
    status = srv.agent_status('agent1')
    e2e.check(status == 'offline', 'the server lists agent1 %s after the'
              ' refused handshakes, expected offline' % status)
    e2e.log('new certificate: %s, agent1 is %s on the server'
            % (warn['line'], status))

    # The pinned certificate back: the SDK recovers by itself.
    srv.stop()
    shutil.rmtree(tls_dir)
    shutil.copytree(kept, tls_dir)
    srv.start()
    agent.wait_event('connection-recovery', 40)
    srv.wait_agent_status('agent1', 'free', timeout=10)
    e2e.check(agent.count_events('login') == 1,
              'the agent logged in again instead of recovering')

    e2e.assert_log_clean(srv, numbers=[AGENT_PHONE],
                         secrets=[token, srv.credentials['secret_key']])
    e2e.assert_text_clean(agent.log_text(), "the agent's log",
                          numbers=[AGENT_PHONE], secrets=[token])


if __name__ == '__main__':
    e2e.run(main, timeout=150)
