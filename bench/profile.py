"""`--profile`: py-spy samples the server during a measured phase; the summary says where its time went.

py-spy (a sampling profiler, `pip install py-spy`) writes collapsed stacks (`--format raw`: one line per
distinct stack, `frame;frame;... count`); `summary` folds them into the share of samples each function
is on the stack for (inclusive) and at the top of (self), for the main thread where the event loop runs.
"""
from __future__ import annotations

import re
import shutil
import signal
import subprocess
import sys
from collections import Counter
from pathlib import Path

FRAME = re.compile(r'^(?P<name>.+?) \((?P<file>[^()]*?):?\d*\)$')
# the event loop and thread plumbing every stack starts with
OUTER = {'<module>', 'main', 'run', 'Server.run', 'asyncio_run', 'Runner.run', 'BaseEventLoop.run_until_complete',
         'BaseEventLoop.run_forever', 'BaseEventLoop._run_once', 'Handle._run', 'Thread.run', 'Thread._bootstrap',
         'Thread._bootstrap_inner', '_worker', '_run_code', '_run_module_as_main'}


class Recorder:
    """py-spy record on a PID for `seconds`, non-blocking (the server is not paused), GIL holders only."""

    def __init__(self, pid: int, seconds: float | None, out: Path) -> None:
        """Sample for `seconds`, or (None) until `wait(stop=True)`."""
        self.out = out
        exe = shutil.which('py-spy') or str(Path(sys.executable).with_name('py-spy'))
        duration = ['--duration', str(max(1, round(seconds)))] if seconds else []
        self.process = subprocess.Popen(
            [exe, 'record', '--pid', str(pid), *duration, '--format', 'raw', '--rate', '200', '--gil',
             '--nonblocking', '--output', str(out)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)

    def wait(self, stop: bool = False) -> str:
        """The summary, or why there is none (py-spy needs ptrace permission); `stop`: end the sampling now."""
        if stop:
            self.process.send_signal(signal.SIGINT)
        try:
            _, err = self.process.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            self.process.kill()
            return 'py-spy did not finish'
        if not self.out.exists():
            return f'no profile: {err.decode(errors="replace").strip()[-300:]}'
        return summary(self.out)


def _short(frame: str) -> str:
    m = FRAME.match(frame.strip())
    if not m:
        return frame.strip()
    path = m.group('file')
    for marker in ('site-packages/', 'python3.11/', '/work/'):
        if marker in path:
            path = path.split(marker, 1)[1]
    return f'{m.group("name")} ({path})'


def summary(path: Path, top: int = 18) -> str:
    inclusive: Counter[str] = Counter()
    own: Counter[str] = Counter()
    total = 0
    for line in path.read_text(errors='replace').splitlines():
        stack, _, count = line.rpartition(' ')
        if not count.isdigit():
            continue
        n = int(count)
        frames = [_short(f) for f in stack.split(';') if f]
        if frames and frames[0].startswith('process '):
            frames = frames[1:]
        if frames and frames[0].startswith('thread '):
            frames = frames[1:]
        if not frames:
            continue
        total += n
        for f in set(frames):
            inclusive[f] += n
        own[frames[-1]] += n
    if not total:
        return 'no samples'
    lines = [f'{total} samples holding the GIL; share of them with the function on the stack (incl) / on top (self):']
    for name, n in [(k, v) for k, v in inclusive.most_common() if k.split(' (')[0] not in OUTER][:top]:
        lines.append(f'  {100 * n / total:5.1f}% incl {100 * own[name] / total:5.1f}% self  {name}')
    lines.append('  top self:')
    for name, n in own.most_common(10):
        lines.append(f'  {100 * n / total:5.1f}% self  {name}')
    return '\n'.join(lines)
