#!/usr/bin/env python3
"""Nothing in clear between the SDK and lianluod, as seen on the wire.

tcpdump records the loopback interface while lianluo-agent, with the SDK's
defaults (HTTPS with the server's certificate pinned, then SIP over TLS
and SRTP), logs in and takes a call from a baresip customer: G.711, the
customer sends 1 kHz, the agent 700 Hz, both checked in the recordings.
The capture is then read (pcap, parsed here) and every packet to or from
one of the agent's sockets, or to the server's HTTPS and SIP-TLS ports,
is judged:

- SIP in clear: a SIP start line or "SIP/2.0" in a datagram or in a TCP
  stream (streams reassembled by sequence number);
- HTTP in clear: an HTTP request line, or the login token anywhere in
  the capture;
- RTP in clear: an RTP packet whose payload, decoded as G.711 mu-law,
  holds the 700 Hz or 1 kHz tone (Goertzel); and every RTP packet of the
  agent must carry the 10-byte SRTP authentication tag (12 + 160 + 10).

The default run must have none of them, with enough SRTP packets seen to
know the call was on the wire.  The same analysis of a second run with
`--insecure` (plain HTTP login, a server without SIP over TLS) must find
each of them: an analysis that cannot see plain traffic cannot pass.
"""

import os
import signal
import struct
import subprocess
import sys
import time
import math

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lianluo_e2e as e2e  # noqa: E402

CUSTOMER = '13812345678'
AGENT_PHONE = '13700001001'
CALL_S = 4
TONES = (700, 1000)
# The server on an address of its own: the capture takes its traffic
# only, whatever else runs on lo (two test runs, a benchmark).
SERVER_HOST = '127.0.0.2'


# ---- capture ------------------------------------------------------------

class Capture:
    """tcpdump on lo into a pcap file, until stop()."""

    def __init__(self, t, name, host):
        self.host = host
        self.path = t.path(name + '.pcap')
        self.log_path = t.path(name + '-tcpdump.log')
        self.proc = None

    def start(self):
        e2e.check(os.geteuid() == 0, 'capturing on lo needs root')
        self.logf = open(self.log_path, 'wb')
        self.proc = subprocess.Popen(
            ['tcpdump', '-i', 'lo', '-n', '-U', '-s', '0', '-Z', 'root',
             '-B', '8192', '-w', self.path,
             '(tcp or udp) and host %s' % self.host],
            stdout=self.logf, stderr=subprocess.STDOUT,
            start_new_session=True)
        e2e.wait_until(lambda: b'listening on' in
                       open(self.log_path, 'rb').read(), 10,
                       'tcpdump listening')
        return self

    def stop(self):
        time.sleep(0.5)
        self.proc.send_signal(signal.SIGINT)
        self.proc.wait(10)
        self.logf.close()
        text = open(self.log_path).read()
        dropped = [ln for ln in text.splitlines()
                   if 'dropped by kernel' in ln]
        e2e.check(dropped and dropped[0].split()[0] == '0',
                  'the capture lost packets: %s' % text)


def pcap_packets(path):
    """(src_port, dst_port, proto, payload, tcp_seq) of each IPv4 TCP
    or UDP packet on 127.0.0.0/8."""
    data = open(path, 'rb').read()
    e2e.check(len(data) >= 24, 'empty capture %s' % path)
    magic = struct.unpack('<I', data[:4])[0]
    e2e.check(magic in (0xa1b2c3d4, 0xa1b23c4d), 'not a pcap file')
    linktype = struct.unpack('<I', data[20:24])[0]
    link_len = {1: 14, 113: 16, 0: 4}.get(linktype)
    e2e.check(link_len is not None, 'unknown link type %d' % linktype)
    pos = 24
    while pos + 16 <= len(data):
        incl = struct.unpack('<I', data[pos + 8:pos + 12])[0]
        frame = data[pos + 16:pos + 16 + incl]
        pos += 16 + incl
        ip = frame[link_len:]
        if len(ip) < 20 or ip[0] >> 4 != 4:
            continue
        ihl = (ip[0] & 15) * 4
        total = struct.unpack('>H', ip[2:4])[0]
        proto = ip[9]
        l4 = ip[ihl:total]
        if proto == 17 and len(l4) >= 8:
            sport, dport = struct.unpack('>HH', l4[:4])
            yield sport, dport, 'udp', l4[8:], 0
        elif proto == 6 and len(l4) >= 20:
            sport, dport, seq = struct.unpack('>HHI', l4[:8])
            off = (l4[12] >> 4) * 4
            yield sport, dport, 'tcp', l4[off:], seq


# ---- judging ------------------------------------------------------------

def ulaw_decode(b):
    b = ~b & 0xff
    sign, exp, mant = b & 0x80, (b >> 4) & 7, b & 15
    v = ((mant << 3) + 0x84) << exp
    v -= 0x84
    return -v if sign else v


ULAW = [ulaw_decode(i) for i in range(256)]


def tone_share(payload, freq, rate=8000):
    """The share of the payload's power (as mu-law samples) at freq."""
    x = [ULAW[b] for b in payload]
    total = sum(v * v for v in x)
    if total == 0:
        return 0.0
    k = 2 * math.cos(2 * math.pi * freq / rate)
    s1 = s2 = 0.0
    for v in x:
        s1, s2 = v + k * s1 - s2, s1
    power = s1 * s1 + s2 * s2 - k * s1 * s2
    return 2 * power / (len(x) * total)


SIP_MARKS = (b'SIP/2.0', b'REGISTER sip:', b'INVITE sip:', b'OPTIONS sip:')
HTTP_MARKS = (b'POST /v1/', b'GET /v1/', b'HTTP/1.1 ')
SDK_AGENT = b'liblianluo/'        # the SDK's User-Agent, HTTP and SIP


def judge(path, sdk_ports, server_ports, secrets):
    """Count what travelled in clear between the SDK and the server."""
    found = {'sip': 0, 'http': 0, 'secret': 0, 'rtp_plain': 0,
             'rtp_untagged': 0, 'srtp': 0, 'tls_bytes': 0}
    streams = {}
    raw = open(path, 'rb').read()
    found['secret'] = sum(raw.count(s.encode()) for s in secrets if s)

    for sport, dport, proto, payload, seq in pcap_packets(path):
        ours = sport in sdk_ports or dport in sdk_ports
        theirs = sport in server_ports or dport in server_ports
        if not payload:
            continue
        if proto == 'tcp':
            streams.setdefault((sport, dport), {})[seq] = payload
            continue
        if not (ours or theirs):
            continue
        if any(m in payload for m in SIP_MARKS):
            found['sip'] += 1
            continue
        if not ours or len(payload) < 12 or payload[0] >> 6 != 2 or \
                200 <= payload[1] <= 204:      # RTCP
            continue
        pt = payload[1] & 0x7f
        if pt != 0:
            continue
        body = payload[12:]
        if len(body) == 160:
            found['rtp_untagged'] += 1
            found.setdefault('untagged_at', set()).add((sport, dport))
        elif len(body) == 170:
            found['srtp'] += 1
        if max(tone_share(body[:160], f) for f in TONES) > 0.3:
            found['rtp_plain'] += 1

    for (sport, dport), segs in streams.items():
        data = b''.join(segs[s] for s in sorted(segs))
        # The SDK's: to or from the server's TLS ports, or any stream
        # where its User-Agent shows (plain HTTP or SIP).  Not by its
        # own port: once it exits, the test's own HTTP requests may get
        # the same ephemeral port.
        if not (sport in server_ports or dport in server_ports or
                SDK_AGENT in data):
            continue
        if any(m in data for m in SIP_MARKS):
            found['sip'] += 1
        if any(m in data for m in HTTP_MARKS):
            found['http'] += 1
        if data[:1] in (b'\x16', b'\x17', b'\x14', b'\x15'):
            found['tls_bytes'] += len(data)
    return found


def sdk_ports(pid):
    """Local ports of the process's sockets (TCP and UDP, IPv4)."""
    inodes = set()
    fd_dir = '/proc/%d/fd' % pid
    for fd in os.listdir(fd_dir):
        try:
            link = os.readlink(os.path.join(fd_dir, fd))
        except OSError:
            continue
        if link.startswith('socket:['):
            inodes.add(link[8:-1])
    ports = set()
    for table in ('/proc/net/tcp', '/proc/net/udp'):
        with open(table) as f:
            next(f)
            for line in f:
                cols = line.split()
                if cols[9] in inodes:
                    ports.add(int(cols[1].split(':')[1], 16))
    return ports


# ---- one run ------------------------------------------------------------

def call_run(t, name, insecure):
    """A login and an answered call under capture; returns the verdict."""
    args = ['--sip-tls', 'off'] if insecure else []
    srv = t.server(args=args, host=SERVER_HOST)
    e2e.provision(srv, group='support', number='4001', wrap_up=1,
                  agents=[('agent1', None, None, AGENT_PHONE)])
    token = srv.ctl('token', 'create', '--user', 'agent1', json=False)

    cap = Capture(t, name, SERVER_HOST).start()
    if insecure:
        login = ['--server', srv.credentials['http_url'], '--insecure',
                 '--app', srv.credentials['sdk_app_id'],
                 '--user', 'agent1', '--token', token,
                 '--consent', 'granted']
    else:
        login = e2e.agent_args(srv, 'agent1', token)
    heard = t.path(name + '-agent-heard.wav')
    agent = t.agent(name + '-agent', login + [
        '--auto-answer', '--calls', 1, '--play', t.tone(700),
        '--record', heard, '--timeout', 40])
    ev = agent.wait_event('login', 15)
    e2e.check('ok' in ev['words'], 'login: %s' % ev['line'])
    srv.wait_agent_status('agent1', 'free')

    customer = t.phone(name + '-customer', user=CUSTOMER,
                       registrar=srv.sip_port, register=False,
                       tone_hz=1000, codecs=('g711',))
    customer.dial(srv.number_uri('4001'))
    customer.wait_event('CALL_ESTABLISHED', 10)
    agent.wait_event('accepted', 10)
    ports = sdk_ports(agent.proc.pid)
    customer.wait_audio(CALL_S)
    customer.hangup()
    customer.wait_event('CALL_CLOSED', 5)
    e2e.check(agent.wait_exit(15) == 0, 'lianluo-agent did not end well')
    cap.stop()

    e2e.assert_tone(heard, 1000, '%s: the agent hears the customer' % name)
    e2e.assert_tone(customer.recording('dec'), 700,
                    '%s: the customer hears the agent' % name)

    server_ports = {srv.sip_tls_port, srv.https_port}
    verdict = judge(cap.path, ports, server_ports, [token])
    e2e.log('%s: SDK ports %s: %s' % (name, sorted(ports), verdict))
    srv.stop()
    return verdict


def main(t):
    enc = call_run(t, 'default', insecure=False)
    for key in ('sip', 'http', 'secret', 'rtp_plain', 'rtp_untagged'):
        e2e.check(enc[key] == 0, 'default configuration: %d packets or'
                  ' streams with %s in clear: %s' % (enc[key], key, enc))
    e2e.check(enc['srtp'] >= 25 * CALL_S,
              'only %d SRTP packets of the agent on the wire' % enc['srtp'])
    e2e.check(enc['tls_bytes'] > 2000, 'no TLS streams seen: %s' % enc)

    plain = call_run(t, 'insecure', insecure=True)
    for key in ('sip', 'http', 'secret', 'rtp_plain', 'rtp_untagged'):
        e2e.check(plain[key] > 0, 'the --insecure run shows no %s in'
                  ' clear: the analysis is blind (%s)' % (key, plain))
    e2e.log('default: nothing in clear; --insecure: all of it seen')


if __name__ == '__main__':
    e2e.run(main)
