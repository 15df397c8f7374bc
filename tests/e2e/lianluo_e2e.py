"""End-to-end test harness for lianluo.

The tests in this directory drive real processes on 127.0.0.1: the server
(lianluod), the admin CLI (lianluoctl) and baresip 1.0.0 as the SIP phones
of customers, agents and the trunk.  Audio is checked, not assumed: every
phone plays a WAV with its own sine tone, baresip's sndfile module records
what each phone sent and heard, and the small C tool ll_tonecheck
(tonecheck.c) says whether a tone is in a recording.

A test is a function of one argument, run by run():

    import lianluo_e2e as e2e

    def main(t):
        srv = t.server()
        ...

    if __name__ == '__main__':
        e2e.run(main)

run() gives the test a temporary directory, a deadline and the promise that
every process it started is killed when it ends, passes or fails.  On
failure it prints why, where the logs are and keeps the directory.

Environment: LL_BIN_DIR (build directory with lianluod and lianluoctl),
LL_TONECHECK (the ll_tonecheck binary; when unset the tool is compiled from
tonecheck.c into the test directory), LL_KEEP=1 keeps the directory of a
passing test too.

Only the Python standard library is used, so that Debian's /usr/bin/python3
runs the suite as is.
"""

import atexit
import hashlib
import hmac
import http.client
import json as jsonlib
import os
import random
import re
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
import traceback
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
LOOPBACK = '127.0.0.1'
REALM = 'lianluo'

# A test must finish well inside ctest's 180 s and the 120 s we promise.
DEFAULT_TEST_TIMEOUT = 100


class TestFailure(AssertionError):
    """A check failed; the message says what was expected and what was seen."""


class TestTimeout(TestFailure):
    """The test as a whole ran out of time."""


def fail(msg):
    raise TestFailure(msg)


def check(cond, msg):
    if not cond:
        fail(msg)


def log(msg):
    """Progress lines, so that a failing run shows how far it got."""
    sys.stdout.write('[%7.2f] %s\n' % (time.monotonic() - _T0, msg))
    sys.stdout.flush()


_T0 = time.monotonic()


def wait_until(pred, timeout, what, interval=0.1):
    """Polls pred() until it returns something truthy, which is returned.

    Raises TestFailure naming `what` when the deadline passes; pred may
    itself raise to stop waiting early (a process died, a call failed).
    """
    deadline = time.monotonic() + timeout
    while True:
        value = pred()
        if value:
            return value
        if time.monotonic() >= deadline:
            fail('timed out after %.1f s waiting for %s' % (timeout, what))
        time.sleep(interval)


# --------------------------------------------------------------------------
# Ports
#
# Ports come from the kernel (bind to port 0), so that two test runs or a
# stray daemon do not collide.  A port is handed out once per test process
# even though its probe socket is closed again: the process that will use
# it binds it later.

_given_ports = set()


def free_port():
    """A port free for both UDP and TCP on 127.0.0.1 (SIP listens on both).

    Drawn above Linux's ephemeral range (32768-60999): a port the kernel
    gave us for a port-0 bind could be handed again, between our check and
    the program's bind, to any outgoing connection (lianluoctl's HTTP, a
    SIP TCP connect), and the program then fails with "Address already in
    use".  Below 32768 are the relay's and the SDK's RTP ports.
    """
    for _ in range(200):
        u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        try:
            port = random.randrange(61000, 65536)
            if port in _given_ports:
                continue
            try:
                u.bind((LOOPBACK, port))
                s.bind((LOOPBACK, port))
            except OSError:
                continue
            _given_ports.add(port)
            return port
        finally:
            u.close()
            s.close()
    fail('no free UDP+TCP port on %s' % LOOPBACK)


def free_port_range(count):
    """A run of `count` consecutive free UDP ports (for baresip's rtp_ports).

    The kernel cannot hand out ranges, so random bases below Linux's
    ephemeral range (32768+) are probed; that keeps them clear of the
    ports the kernel gives to port-0 binds meanwhile.
    """
    for _ in range(200):
        base = random.randrange(20000, 32000 - count, 2)
        ports = range(base, base + count)
        if any(p in _given_ports for p in ports):
            continue
        socks = []
        try:
            for p in ports:
                u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
                socks.append(u)
                u.bind((LOOPBACK, p))
        except OSError:
            continue
        finally:
            for u in socks:
                u.close()
        _given_ports.update(ports)
        return base, base + count - 1
    fail('no run of %d free UDP ports' % count)


# --------------------------------------------------------------------------
# Processes

# setpriv makes the kernel kill a child when the test runner dies, even by
# SIGKILL (a ctest timeout), where neither finally nor atexit runs.
_SETPRIV = shutil.which('setpriv')

_live_procs = []


class Process:
    """A child process in its own process group, output to a log file."""

    def __init__(self, name, argv, log_path, cwd=None, env=None,
                 shown_argv=None):
        self.name = name
        self.argv = list(argv)
        # What the log's first line shows: argv unless told otherwise
        # (a command line with a token must not put it in the log).
        self.shown_argv = list(shown_argv) if shown_argv else self.argv
        self.log_path = log_path
        self.cwd = cwd
        self.env = env
        self.popen = None

    def start(self):
        argv = self.argv
        if _SETPRIV:
            argv = [_SETPRIV, '--pdeathsig', 'KILL', '--'] + argv
        with open(self.log_path, 'ab') as logf:
            logf.write(('==== %s: %s\n' % (time.strftime('%H:%M:%S'),
                                          ' '.join(self.shown_argv)))
                       .encode())
            logf.flush()
            self.popen = subprocess.Popen(
                argv, stdin=subprocess.DEVNULL, stdout=logf,
                stderr=subprocess.STDOUT, cwd=self.cwd, env=self.env,
                start_new_session=True)
        _live_procs.append(self)
        return self

    @property
    def pid(self):
        return self.popen.pid if self.popen else None

    def alive(self):
        return self.popen is not None and self.popen.poll() is None

    def returncode(self):
        return self.popen.poll() if self.popen else None

    def _signal_group(self, sig):
        # The child leads its own group; signalling the group also reaches
        # anything it forked.  Only ever our own child's group.
        try:
            os.killpg(self.popen.pid, sig)
        except ProcessLookupError:
            pass

    def wait(self, timeout):
        try:
            return self.popen.wait(timeout)
        except subprocess.TimeoutExpired:
            return None

    def kill9(self):
        if self.popen is None:
            return None
        self._signal_group(signal.SIGKILL)
        rc = self.popen.wait()
        self._forget()
        return rc

    def terminate(self, timeout=5.0):
        """SIGTERM, then SIGKILL if it has not exited after `timeout`."""
        if self.popen is None:
            return None
        if self.popen.poll() is None:
            self._signal_group(signal.SIGTERM)
            if self.wait(timeout) is None:
                log('%s ignored SIGTERM for %.0f s: SIGKILL'
                    % (self.name, timeout))
                return self.kill9()
        self._forget()
        return self.popen.returncode

    def _forget(self):
        if self in _live_procs:
            _live_procs.remove(self)

    def log_text(self):
        return read_text(self.log_path)

    def log_tail(self, lines=30):
        return '\n'.join(self.log_text().splitlines()[-lines:])


def kill_all():
    """Stops every process still running; safe to call more than once."""
    for p in list(_live_procs):
        try:
            p.terminate(timeout=3.0)
        except Exception as e:  # never let cleanup hide the real failure
            sys.stderr.write('cleanup of %s: %s\n' % (p.name, e))


atexit.register(kill_all)


def read_text(path):
    try:
        with open(path, 'rb') as f:
            return f.read().decode('utf-8', 'replace')
    except FileNotFoundError:
        return ''


def bin_path(name):
    bindir = os.environ.get('LL_BIN_DIR')
    if not bindir:
        fail('LL_BIN_DIR is not set (run through ctest, or set it to the '
             'build directory)')
    path = os.path.join(bindir, name)
    if not os.access(path, os.X_OK):
        fail('%s is not built: %s is missing or not executable'
             % (name, path))
    return path


# --------------------------------------------------------------------------
# Tones and recordings

_c_tools = {}


def _c_tool(env, source, workdir):
    """The helper program the environment variable `env` names (ctest
    sets it), else compiled from `source` here into `workdir` (a new
    temporary directory when None)."""
    if env in _c_tools:
        return _c_tools[env]
    path = os.environ.get(env)
    if path:
        check(os.access(path, os.X_OK),
              '%s=%s is not executable' % (env, path))
    else:
        cc = shutil.which('cc') or shutil.which('gcc')
        check(cc, '%s is unset and no C compiler to build it' % env)
        name = os.path.splitext(source)[0]
        path = os.path.join(workdir or
                            tempfile.mkdtemp(prefix='ll-%s-' % name),
                            'll_' + name)
        subprocess.run([cc, '-std=c11', '-O2', '-o', path,
                        os.path.join(HERE, source), '-lm'],
                       check=True)
    _c_tools[env] = path
    return path


def tonecheck_path(workdir=None):
    """ll_tonecheck from LL_TONECHECK, else compiled from tonecheck.c."""
    return _c_tool('LL_TONECHECK', 'tonecheck.c',
                   workdir or tempfile.gettempdir())


def make_tone(path, freq, seconds=90, rate=8000, volume=0.5, channels=1):
    """A PCM16 sine WAV.

    Long on purpose: baresip's aufile source ends the call when the file
    runs out ("menu: audio error (0,end of file)").
    """
    subprocess.run(['sox', '-n', '-r', str(rate), '-c', str(channels),
                    '-b', '16',
                    '-e', 'signed-integer', path, 'synth', str(seconds),
                    'sine', str(freq), 'vol', str(volume)],
                   check=True, stdout=subprocess.DEVNULL)
    return path


def wav_info(path):
    """(sample rate, channels, seconds) of a PCM16 WAV.

    The length comes from the file size, not the header, because baresip
    fills the header in only when the call ends and we also look at files
    still being written.
    """
    with open(path, 'rb') as f:
        head = f.read(4096)
        size = os.fstat(f.fileno()).st_size
    if len(head) < 12 or head[:4] != b'RIFF' or head[8:12] != b'WAVE':
        fail('%s is not a WAV file' % path)
    pos, rate, channels = 12, None, None
    while pos + 8 <= len(head):
        cid, csize = head[pos:pos + 4], struct.unpack('<I',
                                                      head[pos + 4:pos + 8])[0]
        if cid == b'fmt ':
            channels, rate = struct.unpack('<HI', head[pos + 10:pos + 16])
        elif cid == b'data':
            check(rate, '%s: data before fmt' % path)
            frames = (size - pos - 8) // (2 * channels)
            return rate, channels, frames / float(rate)
        pos += 8 + csize + (csize & 1)
    fail('%s: no data chunk in its first 4 KiB' % path)


def wav_seconds(path):
    return wav_info(path)[2]


def tonecheck(path, freq, from_s=None, to_s=None, min_fraction=None,
              absent=False):
    """Runs ll_tonecheck; returns (holds, its output line)."""
    argv = [tonecheck_path(), path, str(freq)]
    if from_s is not None:
        argv += ['--from', '%.2f' % from_s]
    if to_s is not None:
        argv += ['--to', '%.2f' % to_s]
    if min_fraction is not None:
        argv += ['--min-fraction', str(min_fraction)]
    if absent:
        argv.append('--absent')
    r = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    out = (r.stdout + r.stderr).decode().strip()
    if r.returncode not in (0, 1):
        fail('ll_tonecheck failed on %s: %s' % (path, out))
    return r.returncode == 0, out


def middle(path, margin=1.0):
    """(from, to) of a recording without its first and last `margin` s,
    where call set-up and tear-down make audio unreliable."""
    seconds = wav_seconds(path)
    check(seconds >= 2 * margin + 0.5,
          '%s holds only %.1f s of audio' % (path, seconds))
    return margin, seconds - margin


def assert_tone(path, freq, what, from_s=None, to_s=None, min_fraction=0.7):
    """Fails unless `freq` dominates the recording (between from/to)."""
    if from_s is None and to_s is None:
        from_s, to_s = middle(path)
    ok, out = tonecheck(path, freq, from_s, to_s, min_fraction)
    log('%s: %s' % (what, out))
    check(ok, '%s: expected %s Hz in %s [%s..%s s], got: %s'
          % (what, freq, path, from_s, to_s, out))


def assert_no_tone(path, freq, what, from_s=None, to_s=None):
    """Fails when `freq` is in 5 % of the windows or more."""
    if from_s is None and to_s is None:
        from_s, to_s = middle(path)
    ok, out = tonecheck(path, freq, from_s, to_s, absent=True)
    log('%s: %s' % (what, out))
    check(ok, '%s: did not expect %s Hz in %s [%s..%s s], got: %s'
          % (what, freq, path, from_s, to_s, out))


def wavfind_path():
    """ll_wavfind from LL_WAVFIND, else compiled from wavfind.c."""
    return _c_tool('LL_WAVFIND', 'wavfind.c', None)


def wavfind(path, snippet, from_s=None, to_s=None, min_score=0.8):
    """Where `snippet` (a WAV) best matches in recording `path`:
    (found, score, seconds into the recording), by normalized
    cross-correlation (wavfind.c)."""
    argv = [wavfind_path(), path, snippet, '--min-score', str(min_score)]
    if from_s is not None:
        argv += ['--from', '%.3f' % from_s]
    if to_s is not None:
        argv += ['--to', '%.3f' % to_s]
    r = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    out = (r.stdout + r.stderr).decode().strip()
    m = re.match(r'score (-?[\d.]+) at ([\d.]+) s', out)
    if r.returncode not in (0, 1) or not m:
        fail('ll_wavfind failed on %s: %s' % (path, out))
    return r.returncode == 0, float(m.group(1)), float(m.group(2))


# --------------------------------------------------------------------------
# HTTP API

def sign_request(secret_id, secret_key, method, target, body=b'',
                 timestamp=None):
    """The Authorization header value of a signed API request.

    Signature = hex HMAC-SHA256(secret_key, METHOD "\\n" PATH-WITH-QUERY
    "\\n" TIMESTAMP "\\n" hex(SHA256(body))), as in src/common/sign.h.
    """
    if timestamp is None:
        timestamp = int(time.time())
    canon = '%s\n%s\n%d\n%s' % (method, target, timestamp,
                                hashlib.sha256(body).hexdigest())
    sig = hmac.new(secret_key.encode(), canon.encode(),
                   hashlib.sha256).hexdigest()
    return 'LL-HMAC-SHA256 SecretId=%s, Timestamp=%d, Signature=%s' % (
        secret_id, timestamp, sig)


class HttpResult:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers
        self.body = body

    @property
    def json(self):
        try:
            return jsonlib.loads(self.body.decode())
        except ValueError:
            fail('HTTP %d answer is not JSON: %r' % (self.status,
                                                     self.body[:300]))

    def __repr__(self):
        return 'HTTP %d %r' % (self.status, self.body[:300])


def http_request(port, method, target, body=b'', headers=None, timeout=5.0,
                 host=LOOPBACK):
    conn = http.client.HTTPConnection(host, port, timeout=timeout)
    try:
        conn.request(method, target, body=body or None,
                     headers=dict(headers or {}))
        r = conn.getresponse()
        return HttpResult(r.status, dict(r.getheaders()), r.read())
    finally:
        conn.close()


def http_raw(port, data, timeout=5.0):
    """Sends raw bytes and parses the answer, for requests http.client
    will not send (or that the server may cut short: a server answering
    413 before reading a huge body closes while we still send)."""
    s = socket.create_connection((LOOPBACK, port), timeout=timeout)
    try:
        try:
            s.sendall(data)
        except (BrokenPipeError, ConnectionResetError):
            pass
        chunks = []
        try:
            while True:
                b = s.recv(65536)
                if not b:
                    break
                chunks.append(b)
                if _http_complete(b''.join(chunks)):
                    break
        except (ConnectionResetError, socket.timeout):
            pass
    finally:
        s.close()
    raw = b''.join(chunks)
    m = re.match(rb'HTTP/1\.[01] (\d{3})[^\r\n]*\r\n', raw)
    if not m:
        return None
    head, _, body = raw.partition(b'\r\n\r\n')
    headers = {}
    for line in head.split(b'\r\n')[1:]:
        k, _, v = line.partition(b':')
        headers[k.decode().strip().lower()] = v.decode().strip()
    return HttpResult(int(m.group(1)), headers, body)


def _http_complete(raw):
    head, sep, body = raw.partition(b'\r\n\r\n')
    if not sep:
        return False
    m = re.search(rb'(?im)^content-length:\s*(\d+)', head)
    return bool(m) and len(body) >= int(m.group(1))


# --------------------------------------------------------------------------
# Server

class Server:
    """A lianluod on free ports with its own data directory.

    host: the address its SIP and HTTP listeners bind (127.0.0.1; a test
    with a network namespace uses its veth address).
    """

    def __init__(self, t, name='lianluod', trunk_port=None, args=(),
                 host=LOOPBACK):
        self.t = t
        self.name = name
        self.host = host
        self.data_dir = t.path(name + '-data')
        os.makedirs(self.data_dir, exist_ok=True)
        self.sip_port = free_port()
        self.sip_tls_port = free_port()
        self.http_port = free_port()
        self.https_port = free_port()
        self.trunk_port = trunk_port
        self.extra_args = list(args)
        self.log_path = t.path(name + '.log')
        self.proc = None
        self.credentials = None

    def argv(self):
        # The default, encrypted configuration (SIP over TLS and HTTPS)
        # on free ports, plus plain HTTP for the tests' own requests and
        # plain SIP for the baresip phones.
        argv = [bin_path('lianluod'), '--data', self.data_dir,
                '--sip', '%s:%d' % (self.host, self.sip_port),
                '--sip-tls', '%s:%d' % (self.host, self.sip_tls_port),
                '--https', '%s:%d' % (self.host, self.https_port),
                '--http', '%s:%d' % (self.host, self.http_port)]
        if self.trunk_port:
            argv += ['--trunk', 'sip:%s:%d' % (LOOPBACK, self.trunk_port)]
        return argv + self.extra_args

    @property
    def sip_uri(self):
        return 'sip:%s:%d' % (self.host, self.sip_port)

    def number_uri(self, number):
        return 'sip:%s@%s:%d' % (number, self.host, self.sip_port)

    def start(self, timeout=20.0):
        self.proc = Process(self.name, self.argv(), self.log_path)
        self.t.track(self.proc)
        self.proc.start()
        wait_until(self._ready, timeout, '%s GET /healthz 200' % self.name)
        cred_path = os.path.join(self.data_dir, 'credentials.json')
        with open(cred_path) as f:
            self.credentials = jsonlib.load(f)
        for key in ('sdk_app_id', 'secret_id', 'secret_key', 'http_url',
                    'sip_uri'):
            check(key in self.credentials,
                  '%s has no "%s"' % (cred_path, key))
        mode = os.stat(cred_path).st_mode & 0o777
        check(mode == 0o600, '%s has mode %o, expected 600'
              % (cred_path, mode))
        log('%s ready: sip %d, http %d' % (self.name, self.sip_port,
                                          self.http_port))
        return self

    def run_expect_exit(self, timeout=10.0):
        """Starts a server that must refuse to start; returns its code."""
        self.proc = Process(self.name, self.argv(), self.log_path)
        self.t.track(self.proc)
        self.proc.start()
        rc = self.proc.wait(timeout)
        if rc is None:
            self.proc.kill9()
            fail('%s did not exit within %.0f s' % (self.name, timeout))
        self.proc._forget()
        return rc

    def _ready(self):
        if not self.proc.alive():
            fail('%s exited with %s before it was ready; log tail:\n%s'
                 % (self.name, self.proc.returncode(), self.proc.log_tail()))
        try:
            return http_request(self.http_port, 'GET', '/healthz',
                                timeout=1.0, host=self.host).status == 200
        except OSError:
            return False

    def healthz(self):
        return http_request(self.http_port, 'GET', '/healthz',
                            host=self.host).status

    def check_alive(self, after=''):
        check(self.proc.alive(), '%s died%s; log tail:\n%s'
              % (self.name, ' after ' + after if after else '',
                 self.proc.log_tail()))
        status = self.healthz()
        check(status == 200, '/healthz answers %d%s'
              % (status, ' after ' + after if after else ''))

    def kill9(self):
        log('kill -9 %s' % self.name)
        self.proc.kill9()

    def stop(self, timeout=10.0, check_rc=True):
        """SIGTERM; the server must drain and exit 0."""
        self.proc._signal_group(signal.SIGTERM)
        rc = self.proc.wait(timeout)
        if rc is None:
            self.proc.kill9()
            fail('%s did not stop within %.0f s of SIGTERM'
                 % (self.name, timeout))
        self.proc._forget()
        if check_rc:
            check(rc == 0, '%s exited %d on SIGTERM; log tail:\n%s'
                  % (self.name, rc, self.proc.log_tail()))
        return rc

    def restart(self, timeout=20.0):
        """Same data directory, same ports."""
        if self.proc and self.proc.alive():
            self.stop()
        return self.start(timeout)

    # ---- HTTP API

    def api(self, method, target, body=b'', sign=True, headers=None,
            timestamp=None, secret_id=None, secret_key=None):
        if isinstance(body, (dict, list)):
            body = jsonlib.dumps(body).encode()
        hdrs = {'Content-Type': 'application/json'} if body else {}
        if sign:
            hdrs['Authorization'] = sign_request(
                secret_id or self.credentials['secret_id'],
                secret_key or self.credentials['secret_key'],
                method, target, body, timestamp)
        hdrs.update(headers or {})
        return http_request(self.http_port, method, target, body, hdrs,
                            host=self.host)

    # ---- lianluoctl

    def ctl(self, *args, json=True, check_rc=True):
        """Runs lianluoctl against this server; parsed JSON (or stdout)."""
        argv = [bin_path('lianluoctl'), '--data', self.data_dir]
        argv += [str(a) for a in args]
        if json:
            argv.append('--json')
        r = subprocess.run(argv, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, timeout=15)
        out, err = r.stdout.decode(), r.stderr.decode().strip()
        with open(self.t.path('lianluoctl.log'), 'a') as f:
            f.write('$ %s\n-> %d\n%s%s\n' % (' '.join(argv[1:]),
                                              r.returncode, out, err))
        if check_rc and r.returncode != 0:
            fail('lianluoctl %s exited %d: %s'
                 % (' '.join(str(a) for a in args), r.returncode,
                    err or out.strip()))
        if not json:
            return out.strip()
        try:
            return jsonlib.loads(out)
        except ValueError:
            fail('lianluoctl %s --json printed no JSON: %r'
                 % (' '.join(str(a) for a in args), out[:300]))

    def status(self):
        return self.ctl('status')

    def agent_status(self, user):
        for a in self.status().get('agents', []):
            if a.get('user_id') == user:
                return a.get('status')
        return None

    def wait_agent_status(self, user, wanted, timeout=10.0):
        """Waits until `user` has one of the `wanted` statuses."""
        if isinstance(wanted, str):
            wanted = (wanted,)
        seen = []

        def reached():
            st = self.agent_status(user)
            if not seen or seen[-1] != st:
                seen.append(st)
            return st in wanted
        try:
            wait_until(reached, timeout, '%s to be %s' % (user,
                                                         '/'.join(wanted)),
                       interval=0.2)
        except TestFailure as e:
            fail('%s (statuses seen: %s)' % (e, ' -> '.join(map(str, seen))))
        return seen

    def cdrs(self):
        return self.ctl('cdr', 'list').get('cdrs', [])

    def api_ok(self, method, target, body=b''):
        """A signed API request that must succeed (2xx); its JSON."""
        r = self.api(method, target, body)
        check(200 <= r.status < 300, '%s %s answered %r'
              % (method, target, r))
        return r.json

    def live_status(self):
        """GET /v1/status, without a lianluoctl in between: quick enough
        to poll for a status that lasts a fraction of a second."""
        return self.api_ok('GET', '/v1/status')

    def agent_statuses(self):
        """{user_id: status} from GET /v1/status."""
        return {a['user_id']: a['status']
                for a in self.live_status().get('agents', [])}

    def wait_answered_call(self, known=(), timeout=10.0):
        """Waits for a call in GET /v1/status that is talking to an agent
        and whose session_id is not in `known`; returns (that call, the
        statuses of all agents at that moment)."""
        found = []

        def talking():
            st = self.live_status()
            for c in st.get('calls', []):
                if c.get('state') == 'talking' and c.get('agent') and \
                        c.get('session_id') not in known:
                    found[:] = [c, {a['user_id']: a['status']
                                    for a in st.get('agents', [])}]
                    return True
            return False
        wait_until(talking, timeout, 'a new call to be answered by an '
                   'agent', interval=0.05)
        return found[0], found[1]

    def wait_cdrs(self, count, timeout=10.0):
        """Waits until at least `count` CDR rows exist; returns them."""
        rows = []

        def enough():
            rows[:] = self.cdrs()
            return len(rows) >= count
        wait_until(enough, timeout, '%d CDR row(s) (have %d)'
                   % (count, len(rows)), interval=0.25)
        return rows

    # ---- logs

    def log_files(self):
        """The captured output plus any log file it writes itself."""
        paths = [self.log_path]
        for root, _, files in os.walk(self.data_dir):
            paths += [os.path.join(root, f) for f in files
                      if f.endswith('.log') or '.log.' in f]
        return paths

    def log_text(self):
        return '\n'.join(read_text(p) for p in self.log_files())


# --------------------------------------------------------------------------
# Provisioning shortcuts shared by the tests

def provision(srv, group='support', number='4001', agents=(),
              ring_timeout=None, wrap_up=None, max_wait=None):
    """A skill group, its service number and staff with SIP extensions.

    agents: (user, extension, password, phone) tuples; extension and
    password None for an agent without a SIP extension.
    """
    args = ['skill-group', 'create', '--name', group]
    if ring_timeout is not None:
        args += ['--ring-timeout', ring_timeout]
    if wrap_up is not None:
        args += ['--wrap-up', wrap_up]
    if max_wait is not None:
        args += ['--max-wait', max_wait]
    srv.ctl(*args)
    for user, ext, password, phone in agents:
        # ext None: an agent with no SIP extension (SDK login only)
        sip = ['--extension', ext, '--password', password] if ext else []
        srv.ctl('staff', 'create', '--user', user, '--name', user.title(),
                '--phone', phone, *sip, '--skill-group', group)
    if number:
        srv.ctl('number', 'create', '--number', number, '--skill-group',
                group)


def skill_group(srv, name, number=None, **fields):
    """A skill group through POST /v1/skill-groups (fields as the API
    names them: strategy, ring_timeout_s, wrapup_s, max_wait_s), and its
    service number through POST /v1/numbers."""
    body = dict(fields, name=name)
    got = srv.api_ok('POST', '/v1/skill-groups', body)
    for k, v in body.items():
        check(got.get(k) == v, 'POST /v1/skill-groups %s: %s is %r, '
              'expected %r' % (name, k, got.get(k), v))
    if number:
        srv.api_ok('POST', '/v1/numbers', {'number': number,
                                           'skill_group': name})


def staff(srv, user, phone, groups=(), extension=None, password=None):
    """A staff member, member of `groups`: names or (name, level) pairs,
    through lianluoctl's --skill-group GROUP[:LEVEL].  Without an
    extension it is an SDK-only agent."""
    args = ['staff', 'create', '--user', user, '--name', user.title(),
            '--phone', phone]
    if extension:
        args += ['--extension', extension, '--password', password]
    for g in groups:
        args += ['--skill-group', '%s:%d' % g if isinstance(g, tuple)
                 else g]
    srv.ctl(*args)


def sdk_agent(t, srv, user, *extra):
    """lianluo-agent logged in as `user` with a fresh token, options
    `extra` (e.g. '--auto-answer'); returns once the server lists it as
    free.  The token is returned too, for the log checks."""
    token = srv.ctl('token', 'create', '--user', user, json=False)
    check(token and len(token.split()) == 1,
          'token create printed %r' % token)
    ag = t.agent(user, agent_args(srv, user, token, *extra))
    login = ag.wait_event('login', 15)
    check('ok' in login['words'], '%s login: %s' % (user, login['line']))
    srv.wait_agent_status(user, 'free')
    return ag, token


def agent_phone(t, srv, name, user, password, **kw):
    """A baresip phone registered for agent `name` (extension `user`),
    other options as for Phone (tone_hz, answer, ...); returns once the
    server lists the agent as free."""
    ph = t.phone(name, user=user, password=password,
                 registrar=srv.sip_port, **kw)
    ph.wait_registered()
    srv.wait_agent_status(name, 'free')
    return ph


def json_has_value(obj, value):
    """True when `value` is one of the strings anywhere in a JSON value:
    list commands' exact layouts are theirs to choose."""
    if isinstance(obj, dict):
        return any(json_has_value(v, value) for v in obj.values())
    if isinstance(obj, list):
        return any(json_has_value(v, value) for v in obj)
    return obj == value


def assert_cdr_times(row, rang=True):
    """offered <= ringing <= answered <= ended, queued in between if set.
    rang=False for a far end that answered without ringing first (a 200
    with no 180 before it): ringing_ms is then 0, the stage not reached."""
    names = ['offered_ms', 'ringing_ms', 'answered_ms', 'ended_ms']
    if not rang:
        check(row.get('ringing_ms') == 0,
              'CDR ringing_ms is %r for a call that never rang: %s'
              % (row.get('ringing_ms'), row))
        names.remove('ringing_ms')
    for n in names:
        check(isinstance(row.get(n), int) and row[n] > 0,
              'CDR %s is %r, expected a positive ms time: %s'
              % (n, row.get(n), row))
    values = [row[n] for n in names]
    check(values == sorted(values), 'CDR times out of order: %s'
          % ', '.join('%s=%s' % (n, row[n]) for n in names))
    q = row.get('queued_ms')
    if q:
        check(row['offered_ms'] <= q <= row['answered_ms'],
              'CDR queued_ms %s is not between offered and answered: %s'
              % (q, row))


def assert_cdr(row, **expected):
    for key, want in expected.items():
        got = row.get(key)
        if isinstance(want, (set, tuple, list)):
            ok = got in want
        else:
            ok = got == want
        check(ok, 'CDR %s is %r, expected %r; row: %s'
              % (key, got, want, jsonlib.dumps(row)))


def assert_log_clean(srv, numbers=(), secrets=()):
    """Privacy rule 5: no phone number in clear, no secret at all, in any
    log the server wrote."""
    text = srv.log_text()
    for n in numbers:
        idx = text.find(n)
        check(idx < 0, 'phone number %s appears in clear in the server log:'
              ' ...%s...' % (n, text[max(0, idx - 80):idx + 40]))
    for s in secrets:
        check(s not in text, 'a secret (%s...) appears in the server log'
              % s[:3])
    log('server log has none of %d number(s) and %d secret(s)'
        % (len(numbers), len(secrets)))


# --------------------------------------------------------------------------
# Phone: baresip 1.0.0 driven over ctrl_tcp

# A successful REGISTER in baresip's log: "1001@127.0.0.1: {0/UDP/v4}
# 200 OK (lianluo) [1 binding]".
_REG_OK = re.compile(r'\{\d+/(?:UDP|TCP|TLS)/v[46]\} 2\d\d ')
# The same line with a failure code, or a transport error.
_REG_FAIL = re.compile(r'^.*(?:\{\d+/(?:UDP|TCP|TLS)/v[46]\} [3-6]\d\d |'
                       r'reg(?:ister)?: .*(?:failed|[3-6]\d\d )).*$',
                       re.I | re.M)
_ANSI = re.compile(r'\x1b\[[0-9;]*m')
# baresip's SIP trace (-s) frames each message like this.
_TRACE = re.compile(r'\x1b\[36;1m#\n(\S+) (\S+) -> (\S+)\n(.*?)\x1b\[;m',
                    re.S)


class Phone:
    """A headless baresip with one account.

    user:      the account's user part (an extension, a phone number)
    tone_hz:   what it sends (a sine; or wav=PATH)
    registrar: port of the SIP server the account belongs to; the phone
               registers there when it has a password (register=True)
    answer:    'auto' or 'manual' (then answer())
    host:      the address its SIP and RTP bind, and the registrar's
               (127.0.0.1); ctrl_tcp stays on 127.0.0.1

    Events from ctrl_tcp are dicts like {"type": "CALL_ESTABLISHED",
    "peeruri": "sip:4001@127.0.0.1:5060", "param": ..., "direction":
    "incoming", "id": ...}, plus "time" (time.monotonic() on receipt).
    """

    def __init__(self, t, name, user, tone_hz=None, wav=None,
                 registrar=None, password=None, auth_user=None,
                 register=None, regint=60, answer='auto',
                 codecs=('g711', 'opus'), sip_trace=True,
                 transport='udp', host=LOOPBACK):
        self.t = t
        self.name = name
        self.host = host
        self.user = user
        self.dir = t.path(name)
        self.rec_dir = os.path.join(self.dir, 'rec')
        os.makedirs(self.rec_dir, exist_ok=True)
        self.log_path = t.path(name + '.log')
        if wav is None:
            check(tone_hz, 'Phone %s needs tone_hz or wav' % name)
            # baresip's aufile wants the rate of the codec in use
            wav = t.tone(tone_hz, 48000 if codecs[0] == 'opus' else 8000)
        self.wav = wav
        self.tone_hz = tone_hz
        self.registrar = registrar
        self.password = password
        self.auth_user = auth_user or user
        self.register = password is not None if register is None \
            else register
        self.regint = regint if self.register else 0
        self.answer_mode = answer
        self.codecs = codecs
        self.sip_trace = sip_trace
        self.transport = transport
        self.sip_port = free_port()
        self.ctrl_port = free_port()
        self.rtp_ports = free_port_range(10)
        self.proc = None
        self.events = []
        self._next = {}          # event type -> index of the next to read
        self._responses = {}
        self._cond = threading.Condition()
        self._sock = None
        self._reader = None
        self._token = 0
        self._seen_files = set()  # recordings of calls that have closed
        self._closed_calls = []   # [(event, [files])]

    # ---- configuration

    def aor(self):
        host = self.registrar or self.sip_port
        return 'sip:%s@%s:%d' % (self.user, self.host, host)

    def account_line(self):
        line = '<%s%s>' % (self.aor(), '' if self.transport == 'udp'
                           else ';transport=%s' % self.transport)
        if self.password is not None:
            check(';' not in self.password and '>' not in self.password,
                  'password %r cannot go into a baresip account line'
                  % self.password[:3])
            line += ';auth_user=%s;auth_pass=%s' % (self.auth_user,
                                                    self.password)
        line += ';regint=%d;answermode=%s' % (self.regint, self.answer_mode)
        return line

    def config_text(self):
        modules = ['%s.so' % c for c in self.codecs]
        lines = [
            'poll_method\t\tepoll',
            'sip_listen\t\t%s:%d' % (self.host, self.sip_port),
            # Without it the SDP carries the host's external address.
            'net_interface\t\t%s' % self.host,
            'call_local_timeout\t120',
            'call_max_calls\t\t4',
            'audio_source\t\taufile,%s' % self.wav,
            # A player that never plays: alsa's null device does not
            # block, so its thread spins at 100 % CPU for the whole call.
            # aubridge only runs when a source of the same name exists, and
            # the recordings are made before the player (sndfile filter).
            'audio_player\t\taubridge,nobody-listens',
            'audio_alert\t\taubridge,nobody-rings',
            'audio_level\t\tno',
            'ausrc_format\t\ts16',
            'auplay_format\t\ts16',
            'auenc_format\t\ts16',
            'audec_format\t\ts16',
            'audio_buffer\t\t20-160',
            'rtp_ports\t\t%d-%d' % self.rtp_ports,
            'rtcp_mux\t\tno',
            'jitter_buffer_delay\t5-10',
            'rtp_stats\t\tno',
            'module_path\t\t/usr/lib/baresip/modules',
        ] + ['module\t\t\t%s' % m for m in modules] + [
            'module\t\t\tsndfile.so',
            'module\t\t\taubridge.so',
            'module\t\t\taufile.so',
            'module_tmp\t\taccount.so',
            'module_app\t\tmenu.so',
            'module_app\t\tctrl_tcp.so',
            'ctrl_tcp_listen\t\t%s:%d' % (LOOPBACK, self.ctrl_port),
            'snd_path\t\t%s' % self.rec_dir,
            # menu prints a call-status line ten times a second otherwise
            'statmode_default\toff',
            # no ringback/redial noise
            'ringback_disabled\tyes',
        ]
        return '\n'.join(lines) + '\n'

    # ---- life cycle

    def start(self, timeout=10.0):
        with open(os.path.join(self.dir, 'config'), 'w') as f:
            f.write(self.config_text())
        with open(os.path.join(self.dir, 'accounts'), 'w') as f:
            f.write(self.account_line() + '\n')
        # Without these two baresip writes templates with sample entries.
        open(os.path.join(self.dir, 'contacts'), 'a').close()
        argv = ['baresip', '-f', self.dir]
        if self.sip_trace:
            argv.append('-s')
        self.proc = Process(self.name, argv, self.log_path, cwd=self.dir)
        self.t.track(self.proc, phone=self)
        self.proc.start()
        self._sock = wait_until(self._connect, timeout,
                                '%s ctrl_tcp on port %d'
                                % (self.name, self.ctrl_port))
        self._reader = threading.Thread(target=self._read_loop,
                                        name=self.name, daemon=True)
        self._reader.start()
        log('%s started: %s (sip %d)' % (self.name, self.aor(),
                                          self.sip_port))
        return self

    def _connect(self):
        self._check_running()
        try:
            sock = socket.create_connection((LOOPBACK, self.ctrl_port),
                                            timeout=1.0)
        except OSError:
            return None
        sock.settimeout(None)  # the reader blocks for as long as it takes
        return sock

    def _check_running(self):
        if not self.proc.alive():
            fail('%s (baresip) exited with %s; log tail:\n%s'
                 % (self.name, self.proc.returncode(), self.proc.log_tail()))

    def quit(self, timeout=5.0):
        """Quits baresip so that it closes its recordings properly."""
        self.quit_start()
        self.quit_wait(time.monotonic() + timeout)

    def quit_start(self):
        """Asks baresip to quit; quit_wait() waits for it (so that many
        phones quit at the same time)."""
        if not self.proc or not self.proc.alive():
            return
        try:
            self._send({'command': 'quit'})
        except OSError:
            pass

    def quit_wait(self, deadline):
        if not self.proc:
            return
        if self.proc.alive() and \
                self.proc.wait(max(0.0, deadline - time.monotonic())) is None:
            # e.g. still unregistering from a server that is gone
            log('%s did not quit: terminating' % self.name)
        self.proc.terminate(timeout=2.0)
        if self._sock:
            self._sock.close()

    # ---- ctrl_tcp: netstrings "len:json," both ways

    def _send(self, obj):
        data = jsonlib.dumps(obj).encode()
        self._sock.sendall(b'%d:%s,' % (len(data), data))

    def _read_loop(self):
        buf = b''
        sock = self._sock
        try:
            while True:
                data = sock.recv(65536)
                if not data:
                    break
                buf += data
                while True:
                    colon = buf.find(b':')
                    if colon < 0:
                        break
                    n = int(buf[:colon])
                    if len(buf) < colon + 1 + n + 1:
                        break
                    msg = jsonlib.loads(buf[colon + 1:colon + 1 + n])
                    buf = buf[colon + 2 + n:]
                    self._dispatch(msg)
        except (OSError, ValueError) as e:
            if self.proc.alive():
                log('%s: ctrl_tcp reader stops: %r' % (self.name, e))
        with self._cond:
            self._cond.notify_all()

    def _dispatch(self, msg):
        msg['time'] = time.monotonic()
        with self._cond:
            if msg.get('event') and msg.get('type') == 'CALL_CLOSED':
                # Every file not yet seen belongs to the call that ended.
                files = set(os.listdir(self.rec_dir)) - self._seen_files
                self._seen_files |= files
                self._closed_calls.append((msg, sorted(files)))
            if msg.get('response'):
                self._responses[msg.get('token')] = msg
            elif msg.get('event'):
                self.events.append(msg)
            self._cond.notify_all()

    def command(self, command, params=None, timeout=5.0):
        """Runs a baresip long command; returns its text, fails if not ok."""
        self._check_running()
        self._token += 1
        token = '%s-%d' % (self.name, self._token)
        msg = {'command': command, 'token': token}
        if params is not None:
            msg['params'] = params
        self._send(msg)
        deadline = time.monotonic() + timeout
        with self._cond:
            while token not in self._responses:
                left = deadline - time.monotonic()
                if left <= 0:
                    fail('%s: no answer to "%s" within %.0f s'
                         % (self.name, command, timeout))
                self._cond.wait(min(left, 0.5))
                self._check_running()
            resp = self._responses.pop(token)
        check(resp.get('ok'), '%s: command "%s %s" failed: %s'
              % (self.name, command, params or '', resp.get('data')))
        return resp.get('data', '')

    def dial(self, uri):
        log('%s dials %s' % (self.name, uri))
        return self.command('dial', uri)

    def answer(self):
        log('%s answers' % self.name)
        return self.command('accept')

    def hangup(self):
        log('%s hangs up' % self.name)
        return self.command('hangup')

    def send_dtmf(self, digits):
        return self.command('sndcode', digits)

    # ---- events

    def wait_event(self, etype, timeout=10.0):
        """The next event of this type not yet returned by wait_event.

        Each type has its own cursor, so waiting for CALL_ESTABLISHED and
        then for CALL_CLOSED works whatever order they were read in.
        """
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                start = self._next.get(etype, 0)
                for i in range(start, len(self.events)):
                    if self.events[i].get('type') == etype:
                        self._next[etype] = i + 1
                        ev = self.events[i]
                        log('%s: %s %s %s' % (self.name, etype,
                                              ev.get('peeruri', ''),
                                              ev.get('param', '')))
                        return ev
                left = deadline - time.monotonic()
                if left <= 0:
                    fail('%s: no %s within %.0f s; events so far: %s'
                         % (self.name, etype, timeout,
                            ', '.join(e.get('type', '?')
                                      for e in self.events) or 'none'))
                self._cond.wait(min(left, 0.5))
                self._check_running()

    def has_event(self, etype):
        """Whether an event of this type came that wait_event has not
        returned yet."""
        with self._cond:
            start = self._next.get(etype, 0)
            return any(e.get('type') == etype for e in self.events[start:])

    def count_events(self, etype):
        with self._cond:
            return sum(1 for e in self.events if e.get('type') == etype)

    @staticmethod
    def uri_user(uri):
        """'sip:4001@127.0.0.1:5060' -> '4001'; display names and <>
        are tolerated."""
        m = re.search(r'sips?:([^@;>\s]+)@', uri or '')
        return m.group(1) if m else None

    # ---- registration

    def wait_registered(self, timeout=10.0):
        """Waits for a 2xx to its REGISTER.

        The REGISTER_OK event is usually sent before our ctrl_tcp
        connection exists (baresip registers at start-up, and ctrl_tcp
        drops events while nobody is connected), so the log decides.
        """
        def registered():
            text = self.proc.log_text()
            if _REG_OK.search(text) or any(
                    e.get('type') == 'REGISTER_OK' for e in self.events):
                return True
            m = _REG_FAIL.search(text)
            if m or any(e.get('type') == 'REGISTER_FAIL'
                        for e in self.events):
                fail('%s: registration failed: %s'
                     % (self.name, _ANSI.sub('', m.group(0)).strip()
                        if m else 'REGISTER_FAIL'))
            self._check_running()
            return False
        wait_until(registered, timeout, '%s to register' % self.name)
        log('%s registered' % self.name)

    def registrations(self):
        """How many successful REGISTERs its log shows."""
        return len(_REG_OK.findall(self.proc.log_text()))

    # ---- SIP trace

    def sip_messages(self):
        """[(transport, src, dst, text)] from baresip's SIP trace."""
        return [(m.group(1), m.group(2), m.group(3), m.group(4))
                for m in _TRACE.finditer(self.proc.log_text())]

    def received(self, method_or_status):
        """Messages it received whose first line starts with the given
        method ("BYE") or contains the status ("SIP/2.0 404")."""
        out = []
        local = '%s:%d' % (self.host, self.sip_port)
        for _, _, dst, text in self.sip_messages():
            first = text.split('\n', 1)[0]
            if dst == local and (first.startswith(method_or_status + ' ')
                                 or method_or_status in first):
                out.append(text)
        return out

    # ---- recordings

    def recording(self, kind='dec'):
        """The WAV of the current call or else of the last closed one.

        'dec' is what the phone heard, 'enc' what it sent.
        """
        suffix = '-%s.wav' % kind
        with self._cond:
            current = sorted(f for f in os.listdir(self.rec_dir)
                             if f.endswith(suffix)
                             and f not in self._seen_files)
            if current:
                return os.path.join(self.rec_dir, current[-1])
            for _, files in reversed(self._closed_calls):
                mine = [f for f in files if f.endswith(suffix)]
                if mine:
                    return os.path.join(self.rec_dir, mine[-1])
        fail('%s recorded no %s audio (no media at all?); log tail:\n%s'
             % (self.name, kind, self.proc.log_tail()))

    def recording_seconds(self, kind='dec'):
        """Seconds of audio in the current call's recording so far (0.0
        before there is one); read from the file size, so it is also
        where the next sample will go."""
        return self._current_seconds(kind)

    def _current_seconds(self, kind):
        suffix = '-%s.wav' % kind
        with self._cond:
            current = sorted(f for f in os.listdir(self.rec_dir)
                             if f.endswith(suffix)
                             and f not in self._seen_files)
        if not current:
            return 0.0
        try:
            return wav_seconds(os.path.join(self.rec_dir, current[-1]))
        except TestFailure:
            return 0.0  # header not written yet

    def wait_audio(self, seconds, kind='dec', timeout=None):
        """Waits until the current call has `seconds` of received audio.

        A wait on the recording rather than a sleep: it proves media flows
        and it does not end early on a slow machine.
        """
        if timeout is None:
            timeout = seconds * 2 + 5
        try:
            wait_until(lambda: self._current_seconds(kind) >= seconds,
                       timeout, '%s to hear %.1f s of audio'
                       % (self.name, seconds), interval=0.1)
        except TestFailure:
            fail('%s heard only %.1f s of audio in %.0f s (no RTP reaching '
                 'it?)' % (self.name, self._current_seconds(kind), timeout))
        return self._current_seconds(kind)


# --------------------------------------------------------------------------
# Agent: lianluo-agent, the SDK's bot

def mask_digits(text):
    """Runs of 7+ digits with only their ends kept (13812345678 ->
    138****5678), as lianluo masks phone numbers."""
    def one(m):
        d = m.group(0)
        n = len(d)
        head = 3 if n >= 11 else 2 if n >= 9 else 1
        tail = 4 if n >= 11 else 2
        return d[:head] + '*' * (n - head - tail) + d[n - tail:]
    return re.sub(r'(?<![A-Za-z0-9])\d{7,}(?![A-Za-z0-9])', one, text)


def assert_text_clean(text, what, numbers=(), secrets=()):
    """Privacy rule 5 on any text (an SDK app's log): no phone number in
    clear, no secret at all."""
    for n in numbers:
        idx = text.find(n)
        check(idx < 0, 'phone number %s appears in clear in %s: ...%s...'
              % (n, what, text[max(0, idx - 80):idx + 40]))
    for sec in secrets:
        check(sec not in text, 'a secret (%s...) appears in %s'
              % (sec[:3], what))
    log('%s has none of %d number(s) and %d secret(s)'
        % (what, len(numbers), len(secrets)))


def sdk_library():
    """Path of the liblianluo shared library in LL_BIN_DIR."""
    bindir = os.environ.get('LL_BIN_DIR')
    check(bindir, 'LL_BIN_DIR is not set')
    found = []
    for root, _, files in os.walk(bindir):
        found += [os.path.join(root, f) for f in files
                  if re.match(r'liblianluo\.so(\.\d+)*$', f)]
    check(found, 'liblianluo is not built: no liblianluo.so under %s'
          % bindir)
    return sorted(found, key=len)[0]


_STRERROR_PY = (
    'import ctypes, sys\n'
    'lib = ctypes.CDLL(sys.argv[1])\n'
    'lib.ll_strerror.restype = ctypes.c_char_p\n'
    'lib.ll_strerror.argtypes = [ctypes.c_int]\n'
    'sys.stdout.write(lib.ll_strerror(int(sys.argv[2])).decode())\n')


def sdk_strerror(code):
    """ll_strerror(code) of the built library, through ctypes: the text
    lianluo-agent must print for that code.

    It runs in a child Python, so that a library built with sanitizers
    can be loaded: their runtimes must come first (LD_PRELOAD)."""
    lib = sdk_library()
    env = dict(os.environ)
    ldd = subprocess.run(['ldd', lib], stdout=subprocess.PIPE,
                         stderr=subprocess.DEVNULL).stdout.decode()
    runtimes = re.findall(r'=>\s+(\S*lib(?:asan|ubsan)\.so\S*)', ldd)
    if runtimes:
        env['LD_PRELOAD'] = ' '.join(runtimes)
        env['ASAN_OPTIONS'] = 'detect_leaks=0'
    r = subprocess.run([sys.executable, '-c', _STRERROR_PY, lib,
                        str(code)], stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, env=env, timeout=10)
    check(r.returncode == 0 and r.stdout,
          'cannot call ll_strerror(%d) in %s: %s'
          % (code, lib, r.stderr.decode().strip()[-300:]))
    return r.stdout.decode()


# The SDK's error codes the tests name (include/lianluo/lianluo.h).
LL_ERR_CONSENT_REQUIRED = -1
LL_ERR_AUTH_FAILED = -13
LL_ERR_TOKEN_USED = -15
LL_ERR_CERTIFICATE = -25

_EVENT_LINE = re.compile(r'^event (\S+)(.*)$')
_EVENT_ARG = re.compile(r'([\w-]+)=("([^"]*)"|\S*)|(\S+)')


def parse_event(line):
    """'event ended reason=remoteBye code=200 msg="x y"' -> {'type':
    'ended', 'reason': 'remoteBye', 'code': '200', 'msg': 'x y',
    'words': [], 'line': ...}."""
    m = _EVENT_LINE.match(line)
    if not m:
        return None
    ev = {'type': m.group(1), 'words': [], 'line': line}
    for a in _EVENT_ARG.finditer(m.group(2)):
        if a.group(1):
            ev[a.group(1)] = a.group(3) if a.group(3) is not None \
                else a.group(2)
        else:
            ev['words'].append(a.group(4))
    return ev


class Agent:
    """A lianluo-agent process (bot mode), logged in with a token.

    Its stdout and stderr go to NAME.log; a reader thread follows the log
    and notes the time (time.monotonic()) at which each "event ..." line
    appeared, so that a test can relate an event to a recording.  The log
    file's header shows the command line with the token and the SIP
    password replaced by *** and numbers masked.
    """

    SECRET_FLAGS = ('--token', '--password')

    def __init__(self, t, name, args, wrap=()):
        self.t = t
        self.name = name
        self.args = [str(a) for a in args]
        # A command it runs under, e.g. ip netns exec NS (which execs it:
        # the process stays the same).
        self.wrap = [str(a) for a in wrap]
        self.log_path = t.path(name + '.log')
        self.proc = None
        self.events = []
        self._next = {}
        self._cond = threading.Condition()
        self._pos = 0
        self._partial = b''
        self._stop = False
        self._reader = None

    def shown_args(self):
        out, hide = [], False
        for a in self.args:
            out.append('***' if hide else mask_digits(a))
            hide = a in self.SECRET_FLAGS
        return out

    def start(self):
        exe = bin_path('lianluo-agent')
        self.proc = Process(self.name, self.wrap + [exe] + self.args,
                            self.log_path,
                            shown_argv=self.wrap + [exe] + self.shown_args())
        self.t.track(self.proc)
        self.proc.start()
        self._reader = threading.Thread(target=self._follow,
                                        name=self.name, daemon=True)
        self._reader.start()
        log('%s started: lianluo-agent %s' % (self.name,
                                              ' '.join(self.shown_args())))
        return self

    def _read_new(self):
        try:
            with open(self.log_path, 'rb') as f:
                f.seek(self._pos)
                data = f.read()
        except FileNotFoundError:
            return
        if not data:
            return
        self._pos += len(data)
        now = time.monotonic()
        lines = (self._partial + data).split(b'\n')
        self._partial = lines.pop()
        new = []
        for raw in lines:
            ev = parse_event(raw.decode('utf-8', 'replace').rstrip('\r'))
            if ev:
                ev['time'] = now
                new.append(ev)
        if new:
            with self._cond:
                self.events += new
                self._cond.notify_all()

    def _follow(self):
        while True:
            self._read_new()
            if self._stop or not self.proc.alive():
                self._read_new()
                break
            time.sleep(0.02)
        with self._cond:
            self._cond.notify_all()

    def alive(self):
        return self.proc is not None and self.proc.alive()

    def wait_event(self, etype, timeout=10.0):
        """The next "event ETYPE ..." line not yet returned, as a dict
        (see parse_event) with 'time'.  Fails when the agent exits or
        the time runs out."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                start = self._next.get(etype, 0)
                for i in range(start, len(self.events)):
                    if self.events[i]['type'] == etype:
                        self._next[etype] = i + 1
                        ev = self.events[i]
                        log('%s: %s' % (self.name, ev['line']))
                        return ev
                if not self.proc.alive() and not self._reader.is_alive():
                    fail('%s exited with %s before "event %s"; log tail:'
                         '\n%s' % (self.name, self.proc.returncode(), etype,
                                   self.proc.log_tail()))
                left = deadline - time.monotonic()
                if left <= 0:
                    fail('%s: no "event %s" within %.0f s; log tail:\n%s'
                         % (self.name, etype, timeout,
                            self.proc.log_tail()))
                self._cond.wait(min(left, 0.2))

    def count_events(self, etype):
        with self._cond:
            return sum(1 for e in self.events if e['type'] == etype)

    def wait_exit(self, timeout=10.0):
        """Its exit status; fails if it is still running after timeout."""
        rc = self.proc.wait(timeout)
        if rc is None:
            fail('%s did not exit within %.0f s; log tail:\n%s'
                 % (self.name, timeout, self.proc.log_tail()))
        self._reader.join(2.0)
        self.proc._forget()
        log('%s exited with %d' % (self.name, rc))
        return rc

    def log_text(self):
        return self.proc.log_text()

    def log_tail(self, lines=30):
        return self.proc.log_tail(lines)


def agent_args(srv, user, token, *extra, consent=True, insecure=False):
    """lianluo-agent's agent-mode login options for `user` on `srv`: the
    SDK's default, encrypted path (HTTPS with the certificate pinned, then
    SIP over TLS and SRTP).  insecure: plain HTTP, and plain SIP and RTP
    with a server started with --sip-tls off, for the tests that read
    what the SDK sends (strace)."""
    if insecure:
        args = ['--server', srv.credentials['http_url'], '--insecure']
    else:
        args = ['--server', srv.credentials['https_url'],
                '--cert-sha256', srv.credentials['cert_sha256']]
    args += ['--app', srv.credentials['sdk_app_id'],
             '--user', user, '--token', token]
    if consent:
        args += ['--consent', 'granted']
    return args + [str(a) for a in extra]


# --------------------------------------------------------------------------
# Raw SIP, for the malformed-input tests and digest checks

def md5_hex(s):
    return hashlib.md5(s.encode()).hexdigest()


def parse_challenge(value):
    """'Digest realm="x", nonce="y", qop="auth"' -> dict."""
    value = re.sub(r'^\s*Digest\s+', '', value, flags=re.I)
    return {k.lower(): v1 if v1 else v2 for k, v1, v2 in
            re.findall(r'(\w+)\s*=\s*(?:"([^"]*)"|([^\s,]+))', value)}


def digest_authorization(user, password, method, uri, challenge,
                         cnonce=None):
    """The Authorization header value answering a WWW-Authenticate
    challenge (RFC 2617/8760, MD5; qop=auth when offered)."""
    ch = parse_challenge(challenge)
    realm, nonce = ch.get('realm', ''), ch.get('nonce', '')
    ha1 = md5_hex('%s:%s:%s' % (user, realm, password))
    ha2 = md5_hex('%s:%s' % (method, uri))
    parts = ['username="%s"' % user, 'realm="%s"' % realm,
             'nonce="%s"' % nonce, 'uri="%s"' % uri]
    qops = [q.strip() for q in ch.get('qop', '').split(',') if q.strip()]
    if 'auth' in qops:
        cnonce = cnonce or uuid.uuid4().hex[:16]
        nc = '00000001'
        resp = md5_hex(':'.join([ha1, nonce, nc, cnonce, 'auth', ha2]))
        parts += ['response="%s"' % resp, 'algorithm=MD5',
                  'cnonce="%s"' % cnonce, 'qop=auth', 'nc=%s' % nc]
    else:
        resp = md5_hex(':'.join([ha1, nonce, ha2]))
        parts += ['response="%s"' % resp, 'algorithm=MD5']
    if 'opaque' in ch:
        parts.append('opaque="%s"' % ch['opaque'])
    return 'Digest ' + ', '.join(parts)


class SipMessage:
    def __init__(self, raw):
        self.raw = raw
        text = raw.decode('utf-8', 'replace')
        head, _, self.body = text.partition('\r\n\r\n')
        lines = head.split('\r\n')
        self.first_line = lines[0]
        m = re.match(r'SIP/2\.0 (\d{3}) ?(.*)', self.first_line)
        self.status = int(m.group(1)) if m else None
        self.reason = m.group(2) if m else None
        self.headers = []
        for line in lines[1:]:
            k, _, v = line.partition(':')
            self.headers.append((k.strip().lower(), v.strip()))

    def header(self, name):
        name = name.lower()
        compact = {'via': 'v', 'from': 'f', 'to': 't', 'call-id': 'i',
                   'contact': 'm', 'content-length': 'l'}.get(name)
        for k, v in self.headers:
            if k == name or k == compact:
                return v
        return None

    def __repr__(self):
        return '<%s>' % self.first_line


class DatagramReader:
    """Collects every datagram a socket receives, on a thread of its own,
    until stop(): the answers to a flood sent from the same socket."""

    def __init__(self, sock, timeout=0.3):
        self.sock = sock
        self.replies = []
        self._stop = False
        sock.settimeout(timeout)
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self):
        while not self._stop:
            try:
                data, _ = self.sock.recvfrom(65535)
            except socket.timeout:
                continue
            except OSError:
                return
            self.replies.append(data)

    def stop(self):
        self._stop = True
        self._thread.join(2)


class SipClient:
    """A bare UDP or TCP SIP endpoint on loopback that sends what it is
    told, well-formed or not, and reads responses.  src: the loopback
    address it sends from (127.0.0.x), to be another client."""

    def __init__(self, server_port, transport='udp', user='probe',
                 src=LOOPBACK):
        self.server = (LOOPBACK, server_port)
        self.transport = transport
        self.user = user
        self.src = src
        self.tag = uuid.uuid4().hex[:10]
        self.cseq = 1
        self._buf = b''
        self._connect()

    def _connect(self):
        if self.transport == 'udp':
            self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            self.sock.bind((self.src, 0))
        else:
            self.sock = socket.create_connection(
                self.server, timeout=5, source_address=(self.src, 0))
        self.local = self.sock.getsockname()
        self._buf = b''

    def reconnect(self):
        self.close()
        self._connect()

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass

    def send_raw(self, data):
        try:
            if self.transport == 'udp':
                self.sock.sendto(data, self.server)
            else:
                self.sock.sendall(data)
            return True
        except (BrokenPipeError, ConnectionResetError):
            return False

    def build(self, method, uri, headers=(), body=b'', call_id=None,
              cseq=None, branch=None, to_tag=None, via=None):
        """A well-formed request; `headers` are (name, value) added or,
        with value None, removed."""
        if cseq is None:
            cseq = self.cseq
            self.cseq += 1
        branch = branch or 'z9hG4bK' + uuid.uuid4().hex[:16]
        host, port = self.local
        std = [
            ('Via', via or 'SIP/2.0/%s %s:%d;branch=%s;rport'
             % (self.transport.upper(), host, port, branch)),
            ('Max-Forwards', '70'),
            ('From', '<sip:%s@%s:%d>;tag=%s' % (self.user, host, port,
                                                self.tag)),
            ('To', '<%s>%s' % (uri, ';tag=' + to_tag if to_tag else '')),
            ('Call-ID', call_id or uuid.uuid4().hex + '@' + host),
            ('CSeq', '%d %s' % (cseq, method)),
            ('Contact', '<sip:%s@%s:%d;transport=%s>'
             % (self.user, host, port, self.transport)),
            ('User-Agent', 'lianluo-e2e'),
        ]
        names = {k.lower() for k, _ in headers}
        lines = [(k, v) for k, v in std if k.lower() not in names]
        lines += [(k, v) for k, v in headers if v is not None]
        if body:
            lines.append(('Content-Type', 'application/sdp'))
        lines.append(('Content-Length', str(len(body))))
        text = '%s %s SIP/2.0\r\n' % (method, uri)
        text += ''.join('%s: %s\r\n' % kv for kv in lines) + '\r\n'
        return text.encode() + body

    def recv(self, timeout=2.0, provisional=False):
        """The next response (skipping 1xx unless asked), or None."""
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            raw = self._recv_one(left)
            if raw is None:
                return None
            msg = SipMessage(raw)
            if msg.status is None:
                continue  # a request from the server: not ours to test
            if msg.status >= 200 or provisional:
                return msg

    def _recv_one(self, timeout):
        self.sock.settimeout(timeout)
        try:
            if self.transport == 'udp':
                data, _ = self.sock.recvfrom(65535)
                return data
            while True:
                msg = self._take_tcp()
                if msg is not None:
                    return msg
                data = self.sock.recv(65536)
                if not data:
                    return None
                self._buf += data
        except (socket.timeout, ConnectionResetError):
            return None

    def _take_tcp(self):
        while self._buf.startswith(b'\r\n'):  # keep-alives
            self._buf = self._buf[2:]
        head, sep, rest = self._buf.partition(b'\r\n\r\n')
        if not sep:
            return None
        m = re.search(rb'(?im)^(?:content-length|l)\s*:\s*(\d+)', head)
        n = int(m.group(1)) if m else 0
        if len(rest) < n:
            return None
        self._buf = rest[n:]
        return head + b'\r\n\r\n' + rest[:n]

    def request(self, method, uri, timeout=3.0, **kw):
        if not self.send_raw(self.build(method, uri, **kw)):
            return None
        return self.recv(timeout)

    def options(self, timeout=3.0):
        return self.request('OPTIONS', 'sip:%s:%d' % self.server,
                            timeout=timeout)


def sip_register(srv, user, password, expires=60, contact=None,
                 call_id=None, cseq=1):
    """REGISTER `user` at `srv`, answering one digest challenge; returns
    the final response.  contact, call_id, cseq: a phone's own, for a
    refresh on its behalf; else the client's address and a new Call-ID.
    """
    c = SipClient(srv.sip_port, 'udp', user=user)
    try:
        ruri = 'sip:%s:%d' % (srv.host, srv.sip_port)
        aor = '<sip:%s@%s:%d>' % (user, srv.host, srv.sip_port)
        call_id = call_id or 'reg-%s-%s@%s' % (user, c.tag, LOOPBACK)
        hdrs = [('From', '%s;tag=%s' % (aor, c.tag)), ('To', aor),
                ('Expires', str(expires))]
        if contact:
            hdrs.append(('Contact', contact))
        r = c.request('REGISTER', ruri, call_id=call_id, cseq=cseq,
                      headers=hdrs)
        if r is not None and r.status == 401:
            auth = digest_authorization(user, password, 'REGISTER', ruri,
                                        r.header('WWW-Authenticate'))
            r = c.request('REGISTER', ruri, call_id=call_id, cseq=cseq + 1,
                          headers=hdrs + [('Authorization', auth)])
        check(r is not None and r.status == 200,
              'REGISTER %s: %r' % (user, r))
        return r
    finally:
        c.close()


def sdp_offer(rtp_port, session_id=None):
    sid = session_id or random.randrange(1, 1 << 30)
    return ('v=0\r\no=- %d 1 IN IP4 %s\r\ns=-\r\nc=IN IP4 %s\r\nt=0 0\r\n'
            'm=audio %d RTP/AVP 0 8 101\r\na=rtpmap:0 PCMU/8000\r\n'
            'a=rtpmap:8 PCMA/8000\r\na=rtpmap:101 telephone-event/8000\r\n'
            'a=sendrecv\r\n' % (sid, LOOPBACK, LOOPBACK,
                                rtp_port)).encode()


# --------------------------------------------------------------------------
# The test run

class Test:
    """What run() hands to a test: its directory, processes and tools."""

    def __init__(self, name):
        self.name = name
        self.dir = tempfile.mkdtemp(prefix='ll-e2e-%s-' % name)
        self.procs = []
        self.phones = []
        self.servers = []
        self.agents = []
        self._tones = {}
        tonecheck_path(self.dir)

    def path(self, *parts):
        return os.path.join(self.dir, *parts)

    def track(self, proc, phone=None):
        self.procs.append(proc)
        if phone is not None and phone not in self.phones:
            self.phones.append(phone)

    def tone(self, freq, rate=8000):
        """A long WAV of one sine, made once per test: mono at 8 kHz for
        G.711, stereo at 48 kHz for Opus (what baresip's aufile wants)."""
        if (freq, rate) not in self._tones:
            self._tones[freq, rate] = make_tone(
                self.path('tone%d-%d.wav' % (freq, rate)), freq, rate=rate,
                channels=1 if rate == 8000 else 2)
        return self._tones[freq, rate]

    def server(self, start=True, **kw):
        srv = Server(self, name='lianluod' if not self.servers
                     else 'lianluod%d' % len(self.servers), **kw)
        self.servers.append(srv)
        return srv.start() if start else srv

    def phone(self, name, start=True, **kw):
        ph = Phone(self, name, **kw)
        return ph.start() if start else ph

    def agent(self, name, args, start=True, wrap=()):
        """A lianluo-agent with these command-line arguments (see
        agent_args() for the login part), run under `wrap` if given."""
        ag = Agent(self, name, args, wrap=wrap)
        self.agents.append(ag)
        return ag.start() if start else ag

    def spawn(self, name, argv, **kw):
        proc = Process(name, argv, self.path(name + '.log'), **kw)
        self.track(proc)
        return proc.start()

    def cleanup(self):
        # Phones first, politely, so that their recordings are complete;
        # then everything else.
        # All at once: each may take a moment to unregister.
        for ph in self.phones:
            try:
                ph.quit_start()
            except Exception as e:
                sys.stderr.write('quitting %s: %s\n' % (ph.name, e))
        deadline = time.monotonic() + 3.0
        for ph in self.phones:
            try:
                ph.quit_wait(deadline)
            except Exception as e:
                sys.stderr.write('quitting %s: %s\n' % (ph.name, e))
        live = [p for p in self.procs if p.popen and p.alive()]
        for p in live:
            p._signal_group(signal.SIGTERM)
        deadline = time.monotonic() + 3.0
        for p in live:
            p.terminate(timeout=max(0.1, deadline - time.monotonic()))
        kill_all()

    def sanitizer_reports(self):
        """Server and lianluo-agent logs that hold an ASan, LSan or UBSan
        report."""
        pat = re.compile(r'ERROR: (Address|Leak)Sanitizer|runtime error:')
        paths = [srv.log_path for srv in self.servers]
        paths += [ag.log_path for ag in self.agents]
        return [p for p in paths if pat.search(read_text(p))]

    def server_log_tail(self, lines=40):
        out = []
        for srv in self.servers:
            out.append('---- %s (%s), last %d lines:\n%s'
                       % (srv.name, srv.log_path, lines,
                          '\n'.join(read_text(srv.log_path)
                                    .splitlines()[-lines:])))
        return '\n'.join(out)


def _on_alarm(signum, frame):
    raise TestTimeout('the test did not finish within its time limit')


def _on_term(signum, frame):
    raise SystemExit('terminated by signal %d' % signum)


def run(fn, timeout=DEFAULT_TEST_TIMEOUT, name=None):
    """Runs test function fn(t) and exits 0 (pass) or 1 (fail)."""
    name = name or re.sub(r'^test_', '', os.path.splitext(
        os.path.basename(sys.argv[0]))[0])
    signal.signal(signal.SIGTERM, _on_term)
    signal.signal(signal.SIGALRM, _on_alarm)
    t = None
    ok = False
    try:
        t = Test(name)
        log('%s: work directory %s' % (name, t.dir))
        signal.alarm(int(timeout))
        fn(t)
        ok = True
    except TestFailure as e:
        sys.stdout.write('FAIL: %s\n' % e)
    except SystemExit as e:
        sys.stdout.write('FAIL: %s\n' % (e.code,))
    except BaseException:
        sys.stdout.write('FAIL: unexpected error\n%s' % traceback.format_exc())
    finally:
        signal.alarm(0)
        if t is not None:
            try:
                t.cleanup()
            except BaseException:
                sys.stdout.write('cleanup: %s' % traceback.format_exc())
        kill_all()
    # Under LL_SANITIZE=1 a report in a server log fails the test, even
    # when everything the test asked for worked (a leak shows at exit).
    if ok and t is not None:
        bad = t.sanitizer_reports()
        if bad:
            sys.stdout.write('FAIL: sanitizer report in %s\n' % bad)
            ok = False
    if not ok:
        if t is not None:
            tail = t.server_log_tail()
            if tail:
                sys.stdout.write(tail + '\n')
            sys.stdout.write('logs and recordings kept in %s\n' % t.dir)
        sys.stdout.flush()
        os._exit(1)
    if os.environ.get('LL_KEEP'):
        log('kept %s' % t.dir)
    else:
        shutil.rmtree(t.dir, ignore_errors=True)
    log('PASS %s' % name)
    sys.stdout.flush()
    os._exit(0)
