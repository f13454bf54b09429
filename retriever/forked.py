"""A helper process forked from this one, answering requests over two pipes: start, call, stop.

Used by a one-shot command to load a slow model (Kiwi, the query embedder) beside its own work
(issue 24: `ask` ≤ 3 s; Kiwi holds the GIL, so a thread cannot overlap it). A frame is its
length, a JSON header and `header["bytes"]` raw bytes. The child ignores Ctrl-C (the parent
handles it), exits when the parent's end of the pipe closes and never runs the parent's exit
handlers or flushes its buffers (`os._exit`). `call` returns None once the child has failed
or stopped — the caller then does the work itself — and the child is killed and reaped then
and at `close` (also at exit): no zombie.
"""
from __future__ import annotations

import atexit
import json
import os
import signal
import struct
import threading
from typing import Callable

_LEN = struct.Struct("<I")


def can_fork() -> bool:
    """A fork is clean here: POSIX, and no other thread of this process that could hold a lock
    the child would need (a background build, a web server, a test runner's)."""
    return hasattr(os, "fork") and threading.active_count() == 1


def _read_exact(fd: int, n: int) -> bytes:
    parts, got = [], 0
    while got < n:
        part = os.read(fd, min(n - got, 1 << 20))
        if not part:
            raise EOFError("pipe closed")
        parts.append(part)
        got += len(part)
    return b"".join(parts)


def send(fd: int, header: dict, payload: bytes = b"") -> None:
    head = json.dumps({**header, "bytes": len(payload)}, ensure_ascii=False).encode("utf-8")
    view = memoryview(_LEN.pack(len(head)) + head + payload)
    while view:
        view = view[os.write(fd, view):]


def receive(fd: int) -> tuple[dict, bytes]:
    """(header, payload) of the next frame; EOFError when the other end is gone."""
    (n,) = _LEN.unpack(_read_exact(fd, _LEN.size))
    header = json.loads(_read_exact(fd, n).decode("utf-8"))
    return header, _read_exact(fd, int(header.get("bytes", 0)))


def serve_forever(requests: int, replies: int, answer: Callable[[dict, bytes], tuple[dict, bytes]]) -> None:
    """The child's loop: each request's answer, or {"error"} when it raised; ends at EOF."""
    while True:
        try:
            header, payload = receive(requests)
        except (EOFError, OSError, ValueError):
            return
        try:
            out, data = answer(header, payload)
        except Exception as exc:  # noqa: BLE001 — the parent then does this call itself
            out, data = {"error": f"{type(exc).__name__}: {exc}"[:300]}, b""
        send(replies, out, data)


class Forked:
    """The parent's handle on one forked helper."""

    def __init__(self, pid: int, requests: int, replies: int) -> None:
        self._pid: int | None = pid
        self._requests, self._replies = requests, replies
        self._lock = threading.Lock()
        self.failure = ""  # why the helper stopped answering, if it did before `close`
        atexit.register(self.close)

    @classmethod
    def start(cls, child: Callable[[int, int], None]) -> "Forked":
        """Fork; the child runs `child(requests_fd, replies_fd)` and exits. Raises OSError when
        the pipes or the fork fail."""
        requests_r, requests_w = os.pipe()
        replies_r, replies_w = os.pipe()
        pid = os.fork()
        if pid == 0:
            status = 0
            try:
                signal.signal(signal.SIGINT, signal.SIG_IGN)
                os.close(requests_w)
                os.close(replies_r)
                child(requests_r, replies_w)
            except BaseException:  # noqa: BLE001 — the parent sees the pipe close and goes on alone
                status = 1
            finally:
                os._exit(status)
        os.close(requests_r)
        os.close(replies_w)
        return cls(pid, requests_w, replies_r)

    @property
    def pid(self) -> int | None:
        return self._pid

    @property
    def serving(self) -> bool:
        """The helper answers (False after a failure or `close`)."""
        return self._pid is not None

    def call(self, header: dict, payload: bytes = b"") -> tuple[dict, bytes] | None:
        """The helper's answer, or None (the helper failed now or before; it is stopped)."""
        with self._lock:
            if self._pid is None:
                return None
            try:
                send(self._requests, header, payload)
                out, data = receive(self._replies)
                if "error" in out:
                    raise RuntimeError(out["error"])
                return out, data
            except Exception as exc:  # noqa: BLE001 — from now on, the caller does the work
                self.failure = f"{type(exc).__name__}: {exc}"
                self._stop()
                return None

    def _stop(self) -> None:
        pid, self._pid = self._pid, None
        if pid is None:
            return
        for fd in (self._requests, self._replies):
            try:
                os.close(fd)
            except OSError:
                pass
        try:
            os.kill(pid, signal.SIGKILL)  # a helper holds nothing worth finishing: it writes no file
        except ProcessLookupError:
            pass
        try:
            os.waitpid(pid, 0)
        except ChildProcessError:
            pass

    def close(self) -> None:
        """Stop and reap the helper (idempotent)."""
        with self._lock:
            self._stop()
        atexit.unregister(self.close)
