#!/usr/bin/env python3
"""bench/sdk_bench.py  Figure 5: the SDK's weight on the agent's machine

Copyright (C) 2026 The lianluo authors

One lianluod (data directory in /tmp), two skill groups: 4001 rings an
SDK agent (lianluo-agent, liblianluo's bot, file audio driver playing a
WAV, nothing recorded), 4002 rings an agent whose softphone is baresip
(Debian's, headless, same WAV, nothing recorded).  A customer's baresip
calls each number in turn, in Opus, for the same fixed length, and the
agent side's CPU (utime + stime from /proc, all threads, from answer to
hang-up) and resident memory are compared.  The SDK's resident memory
when logged in and idle is measured before its call.

Reuses the end-to-end harness (tests/e2e/lianluo_e2e.py).

Usage: sdk_bench.py [--quick] [--bin DIR] [--seconds S] [--profile]
"""
import argparse
import os
import shutil
import signal
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), 'tests', 'e2e'))
import lianluo_e2e as e2e  # noqa: E402

CUSTOMER = '13812345678'
SDK_PHONE = '13700001001'
SIP_PHONE = '13700001002'
SIP_PW = 'Bench-pw-7Kq2Xm'


def proc_cpu(pid):
    """utime + stime of the process, all threads, in seconds."""
    with open('/proc/%d/stat' % pid) as f:
        fields = f.read().rsplit(')', 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf('SC_CLK_TCK')


def proc_kib(pid, key):
    """A VmRSS / VmHWM line of /proc/PID/status, in KiB."""
    with open('/proc/%d/status' % pid) as f:
        for line in f:
            if line.startswith(key + ':'):
                return int(line.split()[1])
    return 0


# The SDK's Opus encoder: mono, libopus's default complexity (9), in-band
# FEC at 10 % expected loss when the peer asks for it (src/sdk/audio/
# codec.c).  baresip's defaults are stereo and complexity 10: set alike.
BARESIP_OPUS = ['opus_stereo\t\tno', 'opus_sprop_stereo\tno',
                'opus_complexity\t\t9', 'opus_inbandfec\t\tyes',
                'opus_packet_loss\t10']


def proc_switches(pid):
    """Context switches of all the process's threads: how often it
    sleeps and wakes."""
    n = 0
    for tid in os.listdir('/proc/%d/task' % pid):
        try:
            with open('/proc/%d/task/%s/status' % (pid, tid)) as f:
                for line in f:
                    if 'ctxt_switches:' in line:
                        n += int(line.split()[1])
        except FileNotFoundError:
            pass
    return n


class QuietPhone(e2e.Phone):
    """baresip as the harness runs it, but recording nothing and encoding
    Opus as the SDK does: the agent side must do what the SDK agent does,
    no more."""

    def config_text(self):
        lines = [line for line in super().config_text().splitlines()
                 if 'sndfile' not in line and 'snd_path' not in line]
        return '\n'.join(lines + BARESIP_OPUS) + '\n'


def perf_start(pid, name):
    path = '/tmp/sdk_bench-%s-%d.perf' % (name, os.getpid())
    return path, subprocess.Popen(
        ['perf', 'record', '-q', '-e', 'cpu-clock', '-o', path,
         '-p', str(pid)], stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL)


def perf_report(path, proc, name):
    proc.send_signal(signal.SIGINT)
    proc.wait(30)
    out = []
    # cpu-clock in a VM lands kernel samples where interrupts come back
    # on: name the kernel's share, and the user-space functions
    for title, sort in (('by object', 'dso'),
                        ('hottest user-space functions', 'dso,symbol')):
        rep = subprocess.run(['perf', 'report', '-i', path, '--stdio',
                              '--sort', sort, '--percent-limit', '0.7'],
                             capture_output=True, text=True)
        out.append('%s, %s (self):' % (name, title))
        out += ['    ' + line.strip() for line in rep.stdout.splitlines()
                if line.strip() and not line.startswith('#') and
                (sort == 'dso' or '[kernel' not in line)][:12]
    os.unlink(path)
    return '\n'.join(out)


def measure_call(customer, number_uri, pid, seconds, established,
                 profile=None):
    """Dial, wait for the answer, then CPU and memory of pid over
    `seconds` of talk (under perf when profile names the process)."""
    customer.dial(number_uri)
    customer.wait_event('CALL_ESTABLISHED', 15)
    established()
    # what setting up the call cost is not the call's steady weight
    time.sleep(0.5)
    if profile:
        perf = perf_start(pid, profile)
    sw0, cpu0, t0 = proc_switches(pid), proc_cpu(pid), time.monotonic()
    time.sleep(seconds)
    sw1, cpu1, t1 = proc_switches(pid), proc_cpu(pid), time.monotonic()
    threads = len(os.listdir('/proc/%d/task' % pid))
    if profile:
        print(perf_report(perf[0], perf[1], profile))
    rss = proc_kib(pid, 'VmRSS')
    hwm = proc_kib(pid, 'VmHWM')
    customer.hangup()
    customer.wait_event('CALL_CLOSED', 10)
    return {'cpu_s': cpu1 - cpu0, 'wall_s': t1 - t0, 'rss_kib': rss,
            'hwm_kib': hwm, 'switches_per_s': (sw1 - sw0) / (t1 - t0),
            'threads': threads}


def bench(t, seconds, profile=False):
    srv = t.server()
    e2e.provision(srv, group='sdk', number='4001', wrap_up=1,
                  agents=[('agent1', None, None, SDK_PHONE)])
    e2e.provision(srv, group='phone', number='4002', wrap_up=1,
                  agents=[('agent2', '1002', SIP_PW, SIP_PHONE)])
    # mono at 48 kHz: what both agents encode, read as is
    wav = e2e.make_tone(t.path('tone700-48k-mono.wav'), 700, rate=48000,
                        channels=1)

    # The SDK agent, logged in: its idle weight first.
    agent, _ = e2e.sdk_agent(t, srv, 'agent1', '--auto-answer',
                             '--play', wav)
    time.sleep(2.0)
    idle_cpu0 = proc_cpu(agent.proc.pid)
    time.sleep(2.0)
    idle = {'rss_kib': proc_kib(agent.proc.pid, 'VmRSS'),
            'cpu_s': proc_cpu(agent.proc.pid) - idle_cpu0}

    # The baresip agent, registered, auto-answering, Opus only.
    sip = QuietPhone(t, 'agent2', user='1002', password=SIP_PW,
                     registrar=srv.sip_port, wav=wav, codecs=('opus',))
    sip.start()
    sip.wait_registered()
    srv.wait_agent_status('agent2', 'free')
    sip_idle_rss = proc_kib(sip.proc.pid, 'VmRSS')

    customer = t.phone('customer', user=CUSTOMER, registrar=srv.sip_port,
                       register=False, tone_hz=1000, codecs=('opus',))

    sdk = measure_call(customer, srv.number_uri('4001'), agent.proc.pid,
                       seconds, lambda: agent.wait_event('accepted', 10),
                       'lianluo-agent' if profile else None)
    ref = measure_call(customer, srv.number_uri('4002'), sip.proc.pid,
                       seconds,
                       lambda: sip.wait_event('CALL_ESTABLISHED', 10),
                       'baresip' if profile else None)
    e2e.check(srv.log_text().count('connected (opus)') == 2,
              'the two calls were not both relayed in Opus')
    return sdk, ref, idle, sip_idle_rss


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--quick', action='store_true',
                    help='a short smoke run (under 30 s)')
    ap.add_argument('--bin', default=None,
                    help='build directory with lianluod, lianluoctl, '
                    'lianluo-agent')
    ap.add_argument('--seconds', type=float, default=None,
                    help='talk time measured per call')
    ap.add_argument('--profile', action='store_true',
                    help='perf (cpu-clock) on both agents during the '
                    'calls: their hottest functions')
    args = ap.parse_args()
    seconds = args.seconds or (5.0 if args.quick else 30.0)
    root = os.path.dirname(HERE)
    os.environ['LL_BIN_DIR'] = args.bin or os.environ.get(
        'LL_BIN_DIR', os.path.join(root, 'build-bench'))

    t = e2e.Test('sdk_bench')
    ok = False
    try:
        sdk, ref, idle, sip_idle_rss = bench(t, seconds, args.profile)
        ok = True
    except e2e.TestFailure as e:
        print('sdk_bench: %s (logs in %s)' % (e, t.dir), file=sys.stderr)
    finally:
        t.cleanup()
        e2e.kill_all()
    # under LL_SANITIZE a report in lianluod's or the agent's log fails
    bad = t.sanitizer_reports()
    if bad:
        print('sdk_bench: sanitizer report in %s' % bad, file=sys.stderr)
        ok = False
    if not ok:
        return 1
    shutil.rmtree(t.dir, ignore_errors=True)

    def ms_per_min(r):
        return r['cpu_s'] * 1000.0 * 60.0 / r['wall_s']

    print('Figure 5: agent side of one Opus call, %.0f s of talk' % seconds)
    print('%-22s %12s %10s %10s %10s %8s' % (
        'agent', 'CPU ms/min', 'RSS MiB', 'peak MiB', 'switch/s',
        'threads'))
    for name, r in (('lianluo-agent (SDK)', sdk), ('baresip', ref)):
        print('%-22s %12.0f %10.1f %10.1f %10.0f %8d' % (
            name, ms_per_min(r), r['rss_kib'] / 1024.0,
            r['hwm_kib'] / 1024.0, r['switches_per_s'], r['threads']))
    print('SDK logged in, idle: RSS %.1f MiB, CPU %.0f ms over 2 s '
          '(baresip registered, idle: RSS %.1f MiB)' % (
              idle['rss_kib'] / 1024.0, idle['cpu_s'] * 1000.0,
              sip_idle_rss / 1024.0))

    cpu_ratio = ms_per_min(sdk) / ms_per_min(ref) if ref['cpu_s'] else 0.0
    rss_ratio = sdk['rss_kib'] / ref['rss_kib'] if ref['rss_kib'] else 0.0
    print('ROW|5. SDK CPU per call (Opus)|%.0f ms/min|%.0f ms/min baresip|'
          '%.2f|<= 1.0' % (ms_per_min(sdk), ms_per_min(ref), cpu_ratio))
    print('ROW|5. SDK RSS in a call|%.1f MiB|%.1f MiB baresip|%.2f|<= 1.0'
          % (sdk['rss_kib'] / 1024.0, ref['rss_kib'] / 1024.0, rss_ratio))
    print('ROW|5. SDK idle logged-in RSS|%.1f MiB|%.1f MiB baresip '
          'registered|%.2f|-' % (idle['rss_kib'] / 1024.0,
                                 sip_idle_rss / 1024.0,
                                 idle['rss_kib'] / sip_idle_rss
                                 if sip_idle_rss else 0.0))
    return 0


if __name__ == '__main__':
    sys.exit(main())
