#!/usr/bin/env python3
"""Nothing before consent, proven with strace (issue 4, test 1).

ll_privacy_noconsent (tests/e2e/privacy_noconsent.c, linked against
liblianluo.so) calls every public function without consent and checks
that each returned LL_ERR_CONSENT_REQUIRED (the disclosure and version
functions excepted).  Under `strace -f -e trace=network,file,process`:
no socket, connect, bind or send; no file opened for writing, created,
removed or renamed; no clone, fork or second execve; and nothing opened
under /proc, /sys or /etc except what the dynamic loader reads.

This file also holds the strace helpers of the other
test_sdk_privacy_*.py tests.
"""

import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lianluo_e2e as e2e  # noqa: E402

STRACE = '/usr/bin/strace'

NET_CALLS = ('socket', 'socketpair', 'connect', 'bind', 'listen', 'accept',
             'accept4', 'sendto', 'sendmsg', 'sendmmsg', 'send')
WRITE_FILE_CALLS = ('mkdir', 'mkdirat', 'unlink', 'unlinkat', 'rename',
                    'renameat', 'renameat2', 'truncate', 'creat', 'rmdir',
                    'symlink', 'symlinkat', 'link', 'linkat', 'chmod',
                    'fchmodat')
THREAD_CALLS = ('clone', 'clone3', 'fork', 'vfork')

_LINE = re.compile(r'^(\d+)\s+(?:(\d+\.\d+)\s+)?(.*)$')
_CALL = re.compile(r'^(?:<\.\.\. )?([a-z_0-9]+)[( ]')


def strace_wrap(trace_path, classes):
    """argv prefix that runs a program under strace -f into trace_path."""
    if not os.access(STRACE, os.X_OK):
        e2e.fail('strace is missing (scripts/install-deps.sh installs it)')
    # LeakSanitizer cannot run under ptrace: off for the traced program
    # only (the server keeps it).
    asan = os.environ.get('ASAN_OPTIONS', '')
    return ['env', 'ASAN_OPTIONS=%s%sdetect_leaks=0'
            % (asan, ':' if asan else ''),
            STRACE, '-f', '-ttt', '-s', '96', '-o', trace_path,
            '-e', 'trace=' + classes]


def parse(trace_path):
    """The trace as (pid, time or None, syscall name, whole text)."""
    out = []
    with open(trace_path, errors='replace') as f:
        for raw in f:
            m = _LINE.match(raw.rstrip('\n'))
            if not m:
                continue
            text = m.group(3)
            c = _CALL.match(text)
            if not c:
                continue          # +++ exited, --- SIG ---
            out.append((int(m.group(1)),
                        float(m.group(2)) if m.group(2) else None,
                        c.group(1), text))
    return out


def opens_for_writing(call, text):
    if call not in ('open', 'openat', 'openat2', 'creat'):
        return False
    return call == 'creat' or bool(re.search(r'O_WRONLY|O_RDWR|O_CREAT|'
                                             r'O_TRUNC|O_APPEND', text))


def writes_files(entries):
    return [e for e in entries
            if opens_for_writing(e[2], e[3]) or e[2] in WRITE_FILE_CALLS]


def network(entries):
    return [e for e in entries if e[2] in NET_CALLS]


def window(entries, start_marker, end_marker):
    """The entries strictly between the write() of two agent event lines
    (e.g. 'event background'), and the two times."""
    start = end = None
    for i, e in enumerate(entries):
        if e[2] == 'write' and start is None and start_marker in e[3]:
            start = i
        elif e[2] == 'write' and start is not None and end_marker in e[3]:
            end = i
            break
    e2e.check(start is not None and end is not None,
              'no "%s" ... "%s" writes in the trace' % (start_marker,
                                                        end_marker))
    return entries[start + 1:end], entries[start][1], entries[end][1]


def show(entries, limit=15):
    return '\n'.join(e[3] for e in entries[:limit])


def main(t):
    prog = e2e.bin_path(os.path.join('tests', 'll_privacy_noconsent'))
    trace = t.path('noconsent.trace')
    env = dict(os.environ)
    # LeakSanitizer stops the world with a clone() at exit.
    env['ASAN_OPTIONS'] = env.get('ASAN_OPTIONS', '') + ':detect_leaks=0'
    argv = strace_wrap(trace, 'network,file,process') + [prog]
    r = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       env=env, timeout=60)
    out = r.stdout.decode(errors='replace')
    e2e.log('ll_privacy_noconsent: %s' % out.strip())
    e2e.check(r.returncode == 0, 'll_privacy_noconsent failed (%d):\n%s'
              % (r.returncode, out))
    e2e.check(re.search(r'calls \d+', out), 'no call count: %s' % out)

    entries = parse(trace)
    e2e.check(len(entries) > 3, 'empty trace %s' % trace)
    asan = any('libasan' in e[3] for e in entries)

    bad = network(entries)
    e2e.check(not bad, 'network system calls before consent:\n' + show(bad))
    bad = writes_files(entries)
    e2e.check(not bad, 'files written before consent:\n' + show(bad))
    bad = [e for e in entries if e[2] in THREAD_CALLS]
    e2e.check(not bad, 'a thread or process started before consent:\n'
              + show(bad))
    bad = [e for e in entries if e[2] == 'execve'][1:]
    e2e.check(not bad, 'a program was executed:\n' + show(bad))

    def loader(text):
        return ('/etc/ld.so' in text or re.search(r'\.so[".0-9]', text)
                or (asan and '/proc/self/' in text))

    bad = [e for e in entries
           if re.search(r'"/(proc|sys|etc)/', e[3]) and not loader(e[3])]
    e2e.check(not bad, '/proc, /sys or /etc read before consent:\n'
              + show(bad))
    e2e.log('%d system calls traced: no socket, no file written, no thread'
            % len(entries))


if __name__ == '__main__':
    e2e.run(main, timeout=90)
