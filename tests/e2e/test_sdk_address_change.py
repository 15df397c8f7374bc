#!/usr/bin/env python3
"""A call survives a change of the agent host's address, end to end.

lianluo-agent runs in a network namespace of its own, joined to the host
by a veth pair: 10.77.N.1 on the host's side (lianluod and the customer's
baresip bind it), 10.77.N.2 inside.  The customer (1 kHz) calls 4001, the
agent auto-answers and plays 700 Hz.  Then, inside the namespace,
10.77.N.3 is added and 10.77.N.2 deleted: the Wi-Fi to cellular move.
Checked:

- within about 15 s the SDK notices: "event warning" saying the network
  address changed, the server logs a registration from 10.77.N.3, and no
  "event connection-lost" (the server never went away);
- the SDK re-INVITEs from the new address and audio flows both ways
  after the move: 700 Hz at the customer, 1 kHz in the agent's --record,
  both measured on the part recorded after the move;
- then a blip: the host's end of the veth goes down until the SDK
  reports connection-lost (its keepalive timed out; under 10 s), and up
  again: connection-recovery follows, the call is not ended and audio
  flows both ways again;
- the customer hangs up: the agent gets the BYE at its new address
  (remoteBye) and exits 0; the CDR holds one answered call.

Needs root and `ip netns` (iproute2); CI runs as root.  The namespace and
the veth pair are removed whatever happens.
"""

import os
import shutil
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lianluo_e2e as e2e  # noqa: E402

CUSTOMER = '13812345678'
AGENT_PHONE = '13700001001'
# A subnet of its own per run: two runs at once (two build directories)
# must not route into each other's veth pairs.
NET = '10.77.%d' % (os.getpid() % 250 + 1)
HOST_IP = NET + '.1'
OLD_IP = NET + '.2'
NEW_IP = NET + '.3'
PREFIX = 24
# Keepalive every 10 s: the move is noticed at the next tick.
NOTICE_S = 15
AFTER_S = 6          # audio checked over this long after the move
# The blip lasts until the keepalive gives up: the next OPTIONS is due
# about 4 s after it starts, and is given up 5 s later.
BLIP_MAX_S = 12
BACK_S = 4           # audio checked over this long after the recovery


def ip(*args, check_rc=True):
    r = subprocess.run(['ip'] + [str(a) for a in args],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       timeout=10)
    if check_rc and r.returncode != 0:
        e2e.fail('ip %s exited %d: %s' % (' '.join(str(a) for a in args),
                                          r.returncode,
                                          r.stderr.decode().strip()))
    return r


class Netns:
    """A namespace with one end of a veth pair, the other end here."""

    def __init__(self):
        tag = '%d' % (os.getpid() % 100000)
        self.name = 'lladdr' + tag
        self.outer = 'llva' + tag
        self.inner = 'llvb' + tag

    def create(self):
        ip('netns', 'add', self.name)
        ip('link', 'add', self.outer, 'type', 'veth', 'peer', 'name',
           self.inner)
        ip('link', 'set', self.inner, 'netns', self.name)
        ip('addr', 'add', '%s/%d' % (HOST_IP, PREFIX), 'dev', self.outer)
        ip('link', 'set', self.outer, 'up')
        ip('-n', self.name, 'link', 'set', 'lo', 'up')
        ip('-n', self.name, 'addr', 'add', '%s/%d' % (OLD_IP, PREFIX),
           'dev', self.inner)
        ip('-n', self.name, 'link', 'set', self.inner, 'up')
        # Deleting the primary address would take the secondary (the new
        # one, same subnet) with it unless secondaries are promoted.
        self.sysctl('net.ipv4.conf.%s.promote_secondaries=1' % self.inner)
        e2e.log('namespace %s: %s here, %s inside'
                % (self.name, HOST_IP, OLD_IP))

    def sysctl(self, setting):
        r = subprocess.run(['ip', 'netns', 'exec', self.name, 'sysctl',
                            '-qw', setting], stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, timeout=10)
        if r.returncode != 0:
            e2e.fail('sysctl %s in %s: %s' % (setting, self.name,
                                              r.stderr.decode().strip()))

    def move(self):
        """Wi-Fi to cellular: the new address comes, the old one goes."""
        ip('-n', self.name, 'addr', 'add', '%s/%d' % (NEW_IP, PREFIX),
           'dev', self.inner)
        ip('-n', self.name, 'addr', 'del', '%s/%d' % (OLD_IP, PREFIX),
           'dev', self.inner)
        out = ip('-n', self.name, '-4', 'addr', 'show', 'dev',
                 self.inner).stdout.decode()
        e2e.check(NEW_IP in out and OLD_IP not in out,
                  'the namespace did not move to %s:\n%s' % (NEW_IP, out))

    def reaches(self, port):
        """Whether a TCP connection from inside to HOST_IP:port works."""
        r = subprocess.run(
            ['ip', 'netns', 'exec', self.name, sys.executable, '-c',
             'import socket, sys\n'
             'socket.create_connection((sys.argv[1], int(sys.argv[2])),'
             ' 1).close()\n', HOST_IP, str(port)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            timeout=10)
        return r.returncode == 0

    def destroy(self):
        ip('netns', 'del', self.name, check_rc=False)
        # The pair goes with the namespace; make sure of our end.
        ip('link', 'del', self.outer, check_rc=False)


def preflight():
    e2e.check(os.geteuid() == 0,
              'this test needs root: it makes a network namespace '
              '(CI runs it as root)')
    e2e.check(shutil.which('ip') is not None,
              'this test needs iproute2 (`ip`): scripts/install-deps.sh')
    r = subprocess.run(['ip', 'netns', 'list'], stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, timeout=10)
    e2e.check(r.returncode == 0, '`ip netns` is not available: %s'
              % r.stderr.decode().strip())


def position(phone, ev):
    """The phone's recording position when the agent printed `ev`."""
    return phone.recording_seconds() - (time.monotonic() - ev['time'])


def run_call(t, ns):
    srv = t.server(host=HOST_IP)
    e2e.provision(srv, group='support', number='4001', wrap_up=1,
                  agents=[('agent1', None, None, AGENT_PHONE)])
    token = srv.ctl('token', 'create', '--user', 'agent1', json=False)
    # A new veth pair takes a moment to carry traffic.
    e2e.wait_until(lambda: ns.reaches(srv.http_port), 10,
                   'the namespace reaches %s:%d' % (HOST_IP, srv.http_port))

    heard = t.path('agent1-heard.wav')
    agent = t.agent('agent1', e2e.agent_args(
        srv, 'agent1', token, '--auto-answer', '--calls', 1,
        '--play', t.tone(700), '--record', heard, '--timeout', 50),
        wrap=['ip', 'netns', 'exec', ns.name])
    agent.wait_event('login', 15)
    srv.wait_agent_status('agent1', 'free')
    e2e.check('registered from %s:' % OLD_IP in srv.log_text(),
              'the server did not log a registration from %s' % OLD_IP)

    customer = t.phone('customer', user=CUSTOMER, registrar=srv.sip_port,
                       register=False, tone_hz=1000, host=HOST_IP)
    customer.dial(srv.number_uri('4001'))
    customer.wait_event('CALL_ESTABLISHED', 10)
    agent.wait_event('new-session', 10)
    accepted = agent.wait_event('accepted', 10)
    start = position(customer, accepted)
    customer.wait_audio(start + 2.5)
    e2e.assert_tone(customer.recording('dec'), 700,
                    'customer hears the agent before the move',
                    from_s=start + 0.5, to_s=start + 2.5)

    ns.move()
    moved = time.monotonic()
    warning = agent.wait_event('warning', NOTICE_S)
    e2e.log('warning %.1f s after the move' % (warning['time'] - moved))
    e2e.check('address changed' in warning.get('msg', ''),
              'unexpected warning: %s' % warning['line'])
    e2e.wait_until(lambda: 'registered from %s:' % NEW_IP
                   in srv.log_text(), 5,
                   'lianluod logs a registration from %s' % NEW_IP)
    after = position(customer, warning)
    heard_at = e2e.wav_seconds(heard) - (time.monotonic()
                                         - warning['time'])

    customer.wait_audio(after + AFTER_S, timeout=AFTER_S + 5)
    e2e.assert_tone(customer.recording('dec'), 700,
                    'customer hears the agent after the move',
                    from_s=after + 1.5, to_s=after + AFTER_S)
    e2e.check(agent.count_events('connection-lost') == 0,
              'the SDK reported connection-lost for an address change; '
              'log tail:\n%s' % agent.log_tail())

    # A blip: the network goes away until the keepalive gives up, then
    # comes back; same addresses.
    ip('link', 'set', ns.outer, 'down')
    down = time.monotonic()
    agent.wait_event('connection-lost', BLIP_MAX_S)
    ip('link', 'set', ns.outer, 'up')
    e2e.log('blip of %.1f s' % (time.monotonic() - down))
    back = agent.wait_event('connection-recovery', 10)
    e2e.check(agent.count_events('ended') == 0,
              'the call ended during the blip; log tail:\n%s'
              % agent.log_tail())
    after_blip = position(customer, back)
    heard_blip = e2e.wav_seconds(heard) - (time.monotonic() - back['time'])
    customer.wait_audio(after_blip + BACK_S, timeout=BACK_S + 5)
    e2e.assert_tone(customer.recording('dec'), 700,
                    'customer hears the agent after the blip',
                    from_s=after_blip + 1.0, to_s=after_blip + BACK_S)

    customer.hangup()
    customer.wait_event('CALL_CLOSED', 5)
    ended = agent.wait_event('ended', 5)
    e2e.check(ended.get('reason') == 'remoteBye',
              'the call ended with %s' % ended['line'])
    rc = agent.wait_exit(10)
    e2e.check(rc == 0, 'lianluo-agent exited %d; log tail:\n%s'
              % (rc, agent.log_tail()))

    # The agent's recording: after the move (before the blip) and after
    # the recovery.
    total = e2e.wav_seconds(heard)
    e2e.check(total >= heard_blip + BACK_S - 0.5,
              'the agent recorded %.1f s, only %.1f s after the blip'
              % (total, total - heard_blip))
    e2e.assert_tone(heard, 1000, 'agent hears the customer after the move',
                    from_s=heard_at + 1.5, to_s=heard_at + AFTER_S)
    e2e.assert_tone(heard, 1000, 'agent hears the customer after the blip',
                    from_s=heard_blip + 1.0, to_s=total - 0.2)

    rows = srv.wait_cdrs(1)
    time.sleep(0.5)
    rows = srv.cdrs()
    e2e.check(len(rows) == 1, 'expected one CDR, got %d: %s'
              % (len(rows), rows))
    e2e.assert_cdr(rows[0], direction='inbound', caller=CUSTOMER,
                   agent='agent1', end_status='answered')
    e2e.assert_text_clean(agent.log_text(), 'the lianluo-agent log',
                          numbers=[CUSTOMER, AGENT_PHONE], secrets=[token])
    for addr in (OLD_IP, NEW_IP):
        e2e.check(addr not in agent.log_text(),
                  'the lianluo-agent log names the address %s' % addr)


def main(t):
    preflight()
    ns = Netns()
    ns.destroy()     # a leftover of a killed run
    try:
        ns.create()
        run_call(t, ns)
    finally:
        # Processes first: a process in it keeps the namespace alive.
        try:
            t.cleanup()
        finally:
            ns.destroy()


if __name__ == '__main__':
    e2e.run(main, timeout=60)
