#!/usr/bin/env python3
"""In the background the SDK makes no request of its own (issue 4,
test 5).

A logged-in lianluo-agent reports the app in the background for 12 s
(--background-for 12: ll_set_app_state(LL_APP_BACKGROUND), "event
background", 12 s, "event foreground", ll_set_app_state(FOREGROUND)),
under `strace -f -e trace=network,write`.  Without the suspension the
OPTIONS keepalive (every 10 s) would go out in that time.  Checked:
between the two lines no thread of the process sends a request of its
own (no SIP request, no connect, no new socket) and it writes to nothing
but its log (stdout, stderr).  An answer to a request the server sent
(a "SIP/2.0 ..." response, e.g. to the agent-status note the server
sends after the registration) is not the SDK's own request and is
allowed.  Back in the foreground it registers again at once (a send
follows "event foreground").

The SDK runs with --insecure against a server without SIP over TLS, so
that strace can read what it sends (which requests, not how they are
protected: e2e.capture_encrypted checks that).
"""

import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lianluo_e2e as e2e  # noqa: E402
import test_sdk_privacy_noconsent as st  # noqa: E402

BACKGROUND_S = 12


def main(t):
    srv = t.server(args=['--sip-tls', 'off'])
    e2e.provision(srv, group='support', number='4001',
                  agents=[('agent1', None, None, '13700001001')])
    token = srv.ctl('token', 'create', '--user', 'agent1', json=False)

    trace = t.path('agent1.trace')
    agent = t.agent('agent1', e2e.agent_args(
        srv, 'agent1', token, '--auto-answer',
        '--background-for', BACKGROUND_S, insecure=True),
        wrap=st.strace_wrap(trace, 'network,write'))
    login = agent.wait_event('login', 20)
    e2e.check('ok' in login['words'], 'login: %s' % login['line'])
    agent.wait_event('background', 5)
    agent.wait_event('foreground', BACKGROUND_S + 5)
    time.sleep(1.5)
    srv.wait_agent_status('agent1', 'free')
    agent.proc.terminate(timeout=5)

    entries = st.parse(trace)
    inside, t0, t1 = st.window(entries, 'event background',
                               'event foreground')
    e2e.check(t1 - t0 >= BACKGROUND_S - 0.5,
              'the background lasted only %.2f s' % (t1 - t0))
    def answer(e):
        return e[2] in ('sendto', 'sendmsg') and '"SIP/2.0 ' in e[3]
    bad = [e for e in inside
           if (e[2] in st.NET_CALLS and not answer(e)) or
           (e[2] == 'write' and not e[3].startswith(('write(1,',
                                                     'write(2,')))]
    e2e.check(not bad, 'in the background the SDK sent:\n' + st.show(bad))
    e2e.log('%.2f s in the background: %d traced calls, none sends'
            % (t1 - t0, len(inside)))

    after = [e for e in entries if e[1] and e[1] > t1]
    e2e.check(any(e[2] in ('sendto', 'sendmsg') for e in after),
              'nothing sent after "event foreground": no new REGISTER')


if __name__ == '__main__':
    e2e.run(main, timeout=90)
