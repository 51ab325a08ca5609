"""Run a real program in a pseudo-terminal, type into it, time what it writes back.

Uses only the standard `pty` module and public OS calls: no Textual internals, no
Pilot. A keystroke's latency is the time from writing its bytes to the last byte
of the burst of output it caused (the stream then stays quiet for `quiet` s).
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import pty
import select
import signal
import struct
import termios
import time
from collections.abc import Sequence


class Terminal:
    def __init__(self, argv: Sequence[str], size: tuple[int, int], env: dict[str, str]) -> None:
        columns, rows = size
        self.started = time.perf_counter()
        pid, fd = pty.fork()
        if pid == 0:  # child: the program under test
            os.execvpe(argv[0], list(argv), env)
        self.pid, self.fd = pid, fd
        fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))
        os.kill(pid, signal.SIGWINCH)
        self.output = bytearray()

    def _read(self, timeout: float) -> bytes:
        ready, _, _ = select.select([self.fd], [], [], timeout)
        if not ready:
            return b""
        try:
            return os.read(self.fd, 65536)
        except OSError:
            return b""

    def wait_for(self, text: bytes, timeout: float = 30.0, quiet: float = 0.15) -> float:
        """Seconds from start until `text` appeared and the screen finished drawing."""
        deadline = time.perf_counter() + timeout
        seen = False
        last = time.perf_counter()
        while time.perf_counter() < deadline:
            chunk = self._read(quiet if seen else 0.05)
            if chunk:
                self.output += chunk
                last = time.perf_counter()
                if not seen and text in self.output:
                    seen = True
            elif seen:
                return last - self.started
        raise TimeoutError(f"{text!r} never appeared; last output: {bytes(self.output[-400:])!r}")

    def settle(self, quiet: float = 0.3, limit: float = 2.0) -> None:
        """Read until quiet for `quiet` s (a blinking cursor never is: stop after `limit`)."""
        deadline = time.perf_counter() + limit
        while self._read(quiet) and time.perf_counter() < deadline:
            pass

    def key(self, data: bytes, quiet: float = 0.05, timeout: float = 5.0) -> tuple[float, int]:
        """(seconds to the end of the output burst the key caused, bytes written)."""
        self.settle(0.02)
        sent = time.perf_counter()
        os.write(self.fd, data)
        received = 0
        last = sent
        deadline = sent + timeout
        while time.perf_counter() < deadline:
            chunk = self._read(quiet if received else timeout)
            if not chunk:
                break
            received += len(chunk)
            last = time.perf_counter()
        return last - sent, received

    def close(self) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.kill(self.pid, signal.SIGTERM)
        deadline = time.perf_counter() + 5
        while time.perf_counter() < deadline:
            self._read(0.05)
            done, _ = os.waitpid(self.pid, os.WNOHANG)
            if done:
                break
        else:
            os.kill(self.pid, signal.SIGKILL)
            os.waitpid(self.pid, 0)
        os.close(self.fd)
