#!/usr/bin/env python3
"""bench/media_bench.py  Figure 2: concurrent calls with media relayed

Copyright (C) 2026 The lianluo authors

Finds the most concurrent two-way G.711 calls (20 ms, 160-byte payload,
50 packets/s each way) that a relay on one core carries with < 0.1 % RTP
loss and < 5 ms added jitter (the 99th percentile over the streams of RFC
3550's interarrival jitter, measured at the receiving phones), for three
relays in the same run, each pinned to the same core:

  lianluo    the server's relay (src/server/media/relay.c) on one libre
             loop, as lianluod runs it, in bench/relay_host.c;
  rtpengine  Debian's rtpengine-daemon, userspace only (--table=-1), calls
             set up over its ng protocol (bench/ngclient.py);
  bare       bench/bare_relay.c, recvmmsg/sendmmsg only: the ceiling of
             a relay with a socket per leg (it does nothing but the
             system calls).

The load (bench/rtp_load.c) runs on the other core.  Prints the figures,
`ROW|...` lines for bench/run, and a table.  docs/PERFORMANCE.md
tells what the figures mean.

Usage: media_bench.py [--quick] [--bin DIR] [--seconds S] [--start N]
                      [--cap N] [--only NAMES] [--no-rt] [--profile N]
"""
import argparse
import os
import shutil
import signal
import socket
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ngclient  # noqa: E402

LOSS_MAX = 0.001
JITTER_MAX_MS = 5.0
RELAY_CORE = '0'
LOAD_CORE = '1'
SOCKS = 4
WARMUP_S = 0.5      # sent, not counted: rtpengine learns its peers then


def cores():
    return len(os.sched_getaffinity(0))


RT = []         # chrt's arguments when real-time priority is allowed


def pin(core):
    """Pinned to core, and ahead of the machine's other (normal priority)
    processes when we may: on a shared machine a neighbour's burst
    otherwise shows up as jitter that no relay added."""
    if shutil.which('taskset') and cores() > 1:
        return RT + ['taskset', '-c', core]
    return RT


def cpu_times(pid):
    """(utime, stime) of a process, all its threads, in seconds."""
    with open('/proc/%d/stat' % pid) as f:
        fields = f.read().rsplit(')', 1)[1].split()
    tck = os.sysconf('SC_CLK_TCK')
    return int(fields[11]) / tck, int(fields[12]) / tck


def free_udp_base(count, start=10000):
    """A base port with count free UDP ports above it, below the relays'
    ranges (lianluo 16384-32767, rtpengine 40000-59999)."""
    for base in range(start, 16000, 64):
        socks = []
        try:
            for i in range(count):
                s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
                socks.append(s)
                s.bind(('127.0.0.1', base + i))
            return base
        except OSError:
            continue
        finally:
            for s in socks:
                s.close()
    raise RuntimeError('no free UDP ports for the load generator')


class HostRelay:
    """bench/relay_host or bench/bare_relay: commands on stdin."""

    def __init__(self, name, path):
        self.name = name
        self.proc = subprocess.Popen(pin(RELAY_CORE) + [path],
                                     stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, text=True)
        self.pid = self.proc.pid
        self._expect_ok()

    def _expect_ok(self):
        lines = []
        while True:
            line = self.proc.stdout.readline()
            if not line:
                raise RuntimeError('%s exited' % self.name)
            line = line.strip()
            if line == 'ok':
                return lines
            if line.startswith('error'):
                raise RuntimeError('%s: %s' % (self.name, line))
            lines.append(line)

    def _cmd(self, cmd):
        self.proc.stdin.write(cmd + '\n')
        self.proc.stdin.flush()
        return self._expect_ok()

    def setup(self, n, port_a, port_b):
        lines = self._cmd('calls %d %d %d %d' % (n, port_a, port_b, SOCKS))
        return [tuple(int(x) for x in line.split()) for line in lines]

    def teardown(self):
        self._cmd('reset')

    def stop(self):
        try:
            self.proc.stdin.write('quit\n')
            self.proc.stdin.flush()
            self.proc.wait(timeout=10)
        except (OSError, subprocess.TimeoutExpired):
            self.proc.kill()
            self.proc.wait()


class Rtpengine:
    """rtpengine-daemon in the foreground, userspace forwarding only."""

    def __init__(self, path, ng_port, log_path):
        self.name = 'rtpengine'
        self.log_path = log_path
        self.log = open(log_path, 'w')
        argv = pin(RELAY_CORE) + [
            path, '--config-file=none', '--table=-1', '--foreground',
            '--log-stderr', '--interface=127.0.0.1',
            '--listen-ng=127.0.0.1:%d' % ng_port,
            '--port-min=40000', '--port-max=59999',
            '--num-threads=1', '--delete-delay=0', '--log-level=4']
        self.proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL,
                                     stdout=self.log, stderr=self.log)
        self.pid = self.proc.pid
        self.ng = ngclient.NgClient(ng_port, timeout=1.0)
        self.calls = []
        deadline = time.time() + 10
        while True:
            try:
                self.ng.ping()
                break
            except (OSError, RuntimeError):
                if self.proc.poll() is not None or time.time() > deadline:
                    raise RuntimeError('rtpengine did not start, see %s'
                                       % log_path)
                time.sleep(0.1)
        self.ng.sock.settimeout(5.0)

    def setup(self, n, port_a, port_b):
        ports = []
        for i in range(n):
            cid = 'bench-%d-%d' % (len(self.calls), i)
            ports.append(self.ng.call(cid, port_a + i % SOCKS,
                                      port_b + i % SOCKS))
            self.calls.append(cid)
        return ports

    def teardown(self):
        for cid in self.calls:
            self.ng.delete(cid)
        self.calls = []

    def stop(self):
        self.ng.close()
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.log.close()
        os.unlink(self.log_path)


def run_step(relay, rtp_load, n, seconds, port_a, port_b):
    """n calls through relay for seconds: a dict of the load's figures."""
    ports = relay.setup(n, port_a, port_b)
    calls = ''.join('%d %d\n' % p for p in ports)
    u0, s0 = cpu_times(relay.pid)
    r = subprocess.run(pin(LOAD_CORE) + [
        rtp_load, '-a', str(port_a), '-b', str(port_b), '-k', str(SOCKS),
        '-s', str(seconds), '-w', str(WARMUP_S)], input=calls,
        capture_output=True, text=True, timeout=seconds + 60)
    u1, s1 = cpu_times(relay.pid)
    cpu0, cpu1 = u0 + s0, u1 + s1
    relay.teardown()
    if r.returncode != 0:
        raise RuntimeError('rtp_load failed: %s' % r.stderr.strip())
    res = {}
    for kv in r.stdout.split():
        k, _, v = kv.partition('=')
        res[k] = float(v)
    # the CPU time spans the warm-up too, whose packets are not counted
    total = seconds + WARMUP_S
    relayed = res['received'] * total / seconds
    res['cpu_us_per_pkt'] = ((cpu1 - cpu0) * 1e6 / relayed
                             if relayed else 0.0)
    res['cpu_share'] = (cpu1 - cpu0) / total
    res['sys_share'] = (s1 - s0) / (cpu1 - cpu0) if cpu1 > cpu0 else 0.0
    res['ok'] = (res['loss'] < LOSS_MAX and
                 res['jitter_p99_ms'] < JITTER_MAX_MS)
    return res


class Search:
    """The largest call count that passes for one relay: grow until a
    step fails, then bisect.  Steps of all relays are interleaved by the
    caller, so that the machine's drift hits them alike."""

    def __init__(self, relay, args):
        self.relay = relay
        self.args = args
        self.lo, self.hi = 0, None
        self.best, self.best_res = 0, None
        self.steps = 0
        self.n = args.start
        self.first = None       # the figures of the first step

    def done(self):
        if self.steps >= self.args.max_steps:
            return True
        if self.hi is None:
            return self.lo >= self.args.cap
        return self.hi - self.lo <= max(self.lo * 0.04, 10)

    def next(self):
        if self.hi is None:
            return self.n
        return (self.lo + self.hi) // 2

    def record(self, n, res):
        self.steps += 1
        if self.first is None:
            self.first = res
        if res['ok']:
            self.lo, self.best, self.best_res = n, n, res
            if self.hi is None:
                self.n = min(int(n * self.args.growth), self.args.cap)
        else:
            self.hi = n


def step(relay, rtp_load, n, args, port_a, port_b):
    """One step; a failed one is tried once more, since a neighbour's
    burst on this shared machine can fail a step that the relay
    carries."""
    for attempt in (1, 2):
        res = run_step(relay, rtp_load, n, args.seconds, port_a, port_b)
        print('  %-9s %5d calls: loss %.4f %%, jitter p99 %.2f ms, '
              'max %.2f ms, relay CPU %.0f %% (%.0f %% kernel), '
              '%.2f us/packet%s' % (
                  relay.name, n, res['loss'] * 100, res['jitter_p99_ms'],
                  res['jitter_max_ms'], res['cpu_share'] * 100,
                  res['sys_share'] * 100, res['cpu_us_per_pkt'],
                  '' if res['ok'] else '  FAIL'),
              flush=True)
        if res['ok'] or args.quick:
            break
    return res


def profile(relay, rtp_load, args, port_a, port_b):
    """One step under `perf record -e cpu-clock` (hardware counters are
    often missing in VMs): the relay's hottest functions, self time."""
    data = '/tmp/media_bench-%s-%d.perf' % (relay.name, os.getpid())
    perf = subprocess.Popen(['perf', 'record', '-q', '-e', 'cpu-clock',
                             '-o', data, '-p', str(relay.pid)],
                            stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    time.sleep(0.5)
    step(relay, rtp_load, args.profile, args, port_a, port_b)
    perf.send_signal(2)
    perf.wait(30)
    for title, sort in (('hottest functions', 'symbol'),
                        ('by object', 'dso')):
        rep = subprocess.run(['perf', 'report', '-i', data, '--stdio',
                              '--sort', sort, '--percent-limit', '1.5'],
                             capture_output=True, text=True)
        print('  %s, %s (self):' % (relay.name, title))
        for line in rep.stdout.splitlines()[:40]:
            if line.strip() and not line.startswith('#'):
                print('    ' + line.strip())
    os.unlink(data)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--quick', action='store_true',
                    help='a short smoke run (under 30 s)')
    ap.add_argument('--bin', default=None,
                    help='directory of relay_host, bare_relay, rtp_load')
    ap.add_argument('--seconds', type=float, default=None)
    ap.add_argument('--start', type=int, default=None)
    ap.add_argument('--cap', type=int, default=None)
    ap.add_argument('--profile', type=int, default=None, metavar='N',
                    help='instead of the search: one step of N calls per '
                    'relay under perf (cpu-clock), its hottest functions')
    ap.add_argument('--no-rt', action='store_true',
                    help='run relays and load at normal priority')
    ap.add_argument('--only', default=None,
                    help='comma-separated subset: lianluo,rtpengine,bare')
    args = ap.parse_args()

    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    bindir = args.bin or os.path.join(root, 'build-bench')
    if args.quick:
        args.seconds = args.seconds or 1.0
        args.start = args.start or 250
        args.cap = args.cap or 1000
        args.growth, args.max_steps = 2.0, 3
    else:
        args.seconds = args.seconds or 5.0
        args.start = args.start or 400
        args.cap = args.cap or 4000
        args.growth, args.max_steps = 1.5, 10

    tools = {}
    for name in ('relay_host', 'bare_relay', 'rtp_load'):
        tools[name] = os.path.join(bindir, name)
        if not os.access(tools[name], os.X_OK):
            print('media_bench: %s not built (cmake -DLL_BUILD_BENCH=ON)'
                  % tools[name], file=sys.stderr)
            return 1

    if not args.no_rt and shutil.which('chrt') and subprocess.run(
            ['chrt', '-f', '10', 'true'], capture_output=True).returncode == 0:
        RT[:] = ['chrt', '-f', '10']
    signal.signal(signal.SIGTERM, lambda *a: sys.exit('terminated'))

    only = set((args.only or 'lianluo,rtpengine,bare').split(','))
    rtpengine = shutil.which('rtpengine')
    skipped = 'rtpengine' in only and not rtpengine
    if skipped:
        print('media_bench: rtpengine is not installed (Debian package '
              'rtpengine-daemon): the reference is skipped')
        only.discard('rtpengine')

    base = free_udp_base(2 * 64)
    port_a, port_b = base, base + 64
    print('Figure 2: concurrent two-way G.711 calls relayed on core %s '
          '(load on core %s%s), pass: loss < %.1f %%, jitter p99 < %.0f ms, '
          '%.1f s per step' % (RELAY_CORE, LOAD_CORE,
                               ', SCHED_FIFO' if RT else '',
                               LOSS_MAX * 100, JITTER_MAX_MS, args.seconds),
          flush=True)
    if cores() < 2:
        print('media_bench: one core only: relay and load share it')

    relays = []
    try:
        for name in ('lianluo', 'rtpengine', 'bare'):
            if name not in only:
                continue
            if name == 'lianluo':
                relays.append(HostRelay('lianluo', tools['relay_host']))
            elif name == 'bare':
                relays.append(HostRelay('bare', tools['bare_relay']))
            else:
                ng_port = free_udp_base(1, port_b + 64)
                relays.append(Rtpengine(
                    rtpengine, ng_port, os.path.join(
                        '/tmp', 'media_bench-rtpengine-%d.log'
                        % os.getpid())))
        if args.profile:
            for r in relays:
                profile(r, tools['rtp_load'], args, port_a, port_b)
            return 0
        searches = [Search(r, args) for r in relays]
        while True:
            active = [s for s in searches if not s.done()]
            if not active:
                break
            for s in active:
                n = s.next()
                s.record(n, step(s.relay, tools['rtp_load'], n, args,
                                 port_a, port_b))
    finally:
        for r in relays:
            r.stop()

    results = {s.relay.name: (s.best, s.best_res) for s in searches}
    cost = {s.relay.name: s.first['cpu_us_per_pkt'] for s in searches
            if s.first and s.first['cpu_us_per_pkt']}
    print()
    print('%-10s %14s %12s %14s %14s' % ('relay', 'max calls', 'packets/s',
                                         'CPU us/packet', 'jitter p99 ms'))
    for name, (n, res) in results.items():
        print('%-10s %14d %12d %14s %14s' % (
            name, n, n * 100,
            '%.2f' % res['cpu_us_per_pkt'] if res else '-',
            '%.2f' % res['jitter_p99_ms'] if res else '-'))
    if args.quick:
        print('(quick: coarse steps; a max equal to the cap means "at '
              'least")')

    # CPU per packet at the first step's load: less sensitive to the
    # neighbours' bursts than the pass/fail search (1 s / cost is the
    # packets per second a core could relay were CPU the only limit).
    print()
    print('CPU per relayed packet at %d calls (relay process, user + '
          'system):' % args.start)
    for name, us in cost.items():
        print('  %-9s %6.2f us  -> %6.0f calls per core if CPU-bound' % (
            name, us, 1e6 / us / 100))

    ll = results.get('lianluo', (0, None))[0]
    if 'lianluo' not in results:
        pass                        # --only without lianluo: no ratio
    elif 'rtpengine' in results:
        ref = results['rtpengine'][0]
        print('ROW|2. concurrent relayed calls|%d|%d rtpengine|%s|>= 1.0' % (
            ll, ref, '%.2f' % (ll / ref) if ref else 'n/a'))
    elif skipped:
        print('ROW|2. concurrent relayed calls|%d|n/a (rtpengine not '
              'installed)|n/a|>= 1.0' % ll)
    if 'lianluo' in cost and 'rtpengine' in cost:
        print('ROW|2. relay CPU per packet|%.2f us|%.2f us rtpengine|%.2f|'
              '>= 1.0 (rtpengine/lianluo)' % (
                  cost['lianluo'], cost['rtpengine'],
                  cost['rtpengine'] / cost['lianluo']))
    if 'bare' in results and 'lianluo' in results:
        ref = results['bare'][0]
        print('ROW|2. relayed calls, ceiling|%d|%d bare recvmmsg relay|%s|'
              '(ceiling)' % (ll, ref, '%.2f' % (ll / ref) if ref else 'n/a'))
    return 0


if __name__ == '__main__':
    sys.exit(main())
