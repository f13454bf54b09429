"""Query vectors made in a forked child while this process goes on (issue 24: `ask` ≤ 3 s).

A one-question command loads the query embedder (the piece table, an ONNX Runtime session:
~0.85 s) and Kiwi (~1.5 s) one after the other, and Kiwi holds the GIL while it loads and
analyses, so a thread cannot overlap them. `EmbedAhead.start(embedder, texts)` forks a child
that loads the embedder, embeds `texts` as queries at once and then answers this process's
`embed_query_vector` / `embed_texts` calls over two pipes; everything else (a build's passages)
stays in this process, and this process never loads the engine for queries. The child computes
with the same code and settings, so the vectors are the same bytes.

Any failure — no `os.fork`, the child gone, a bad reply, an error in the child — sends that call
and every later one to the embedder in this process, as if there were no child. The child is
killed and reaped when the command ends (`close`, also a context manager and at exit); it also
exits by itself when this process's end of the pipe closes.
"""
from __future__ import annotations

import atexit
import json
import os
import signal
import struct
import threading
from typing import Sequence

import numpy as np

_LEN = struct.Struct("<I")  # every frame: its length, then a JSON header (and a reply's float32 rows)


def _read_exact(fd: int, n: int) -> bytes:
    """n bytes from fd, or EOFError when the other end is gone first."""
    parts, got = [], 0
    while got < n:
        part = os.read(fd, min(n - got, 1 << 20))
        if not part:
            raise EOFError("pipe closed")
        parts.append(part)
        got += len(part)
    return b"".join(parts)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def _send(fd: int, header: dict, payload: bytes = b"") -> None:
    head = json.dumps(header, ensure_ascii=False).encode("utf-8")
    _write_all(fd, _LEN.pack(len(head)) + head + payload)


def _receive(fd: int) -> dict:
    (n,) = _LEN.unpack(_read_exact(fd, _LEN.size))
    return json.loads(_read_exact(fd, n).decode("utf-8"))


def _quiet_in_child(embedder) -> None:
    """An engine error in the child must come back as an error (this process then runs the call
    itself, with its own notice and fallback), not as a silent switch to another model."""
    engine = getattr(embedder, "engine", None)
    if engine is not None and hasattr(engine, "fallback"):
        engine.fallback = False


def _serve(embedder, ahead: Sequence[str], requests: int, replies: int) -> None:
    """The child's loop: embed `ahead`, then answer requests until the pipe closes."""
    done: dict[str, np.ndarray] = {}
    for text in ahead:
        try:
            done[text] = embedder.embed_query_vector(text)
        except Exception:  # noqa: BLE001 — asked again below, the error then goes back
            break
    while True:
        try:
            req = _receive(requests)
        except (EOFError, OSError, ValueError):
            return
        try:
            if req["op"] == "query":
                text = req["texts"][0]
                vec = done.pop(text, None)
                rows = (vec if vec is not None else embedder.embed_query_vector(text))[None, :]
            else:
                rows = embedder.embed_texts(req["texts"])
            rows = np.ascontiguousarray(rows, dtype=np.float32)
            _send(replies, {"ok": True, "shape": list(rows.shape)}, rows.tobytes())
        except Exception as exc:  # noqa: BLE001 — reported; this process runs the call itself
            _send(replies, {"ok": False, "error": f"{type(exc).__name__}: {exc}"[:300]})


def can_fork() -> bool:
    """A fork is safe here: POSIX, and no other thread of this process that could hold a lock
    the child would need (a background build, a web server)."""
    return hasattr(os, "fork") and threading.active_count() == 1


class EmbedAhead:
    """An embedder whose query calls go to a forked child; the rest to the embedder itself."""

    def __init__(self, embedder, pid: int, requests: int, replies: int) -> None:
        self.inner = embedder
        self._pid: int | None = pid
        self._requests, self._replies = requests, replies
        self._lock = threading.Lock()
        self.failure = ""  # why the child stopped serving, if it did before `close`
        atexit.register(self.close)

    @classmethod
    def start(cls, embedder, texts: Sequence[str]) -> "EmbedAhead":
        """Fork the child and let it embed `texts` as queries now. Raises OSError when the fork
        or the pipes fail (the caller then uses `embedder` itself)."""
        requests_r, requests_w = os.pipe()
        replies_r, replies_w = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child: never returns, never runs the parent's exit handlers or buffers
            status = 0
            try:
                signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
                os.close(requests_w)
                os.close(replies_r)
                _quiet_in_child(embedder)
                _serve(embedder, list(dict.fromkeys(texts)), requests_r, replies_w)
            except BaseException:  # noqa: BLE001 — the parent sees the pipe close and goes on alone
                status = 1
            finally:
                os._exit(status)
        os.close(requests_r)
        os.close(replies_w)
        return cls(embedder, pid, requests_w, replies_r)

    # -- the two calls the child answers ---------------------------------------------------
    def embed_query_vector(self, text: str) -> np.ndarray:
        rows = self._ask("query", [text])
        return rows[0] if rows is not None else self.inner.embed_query_vector(text)

    def embed_texts(self, texts: Sequence[str]) -> np.ndarray:
        texts = list(texts)
        rows = self._ask("texts", texts) if texts else None
        return rows if rows is not None else self.inner.embed_texts(texts)

    def __getattr__(self, name: str):  # id, dim, embed_passages, describe …: the embedder's own
        return getattr(self.inner, name)

    @property
    def serving(self) -> bool:
        """The child is answering (False after a failure or `close`)."""
        return self._pid is not None

    def _ask(self, op: str, texts: list[str]) -> np.ndarray | None:
        with self._lock:
            if self._pid is None:
                return None
            try:
                _send(self._requests, {"op": op, "texts": texts})
                reply = _receive(self._replies)
                if not reply.get("ok"):
                    raise RuntimeError(reply.get("error", "child error"))
                shape = tuple(reply["shape"])
                data = _read_exact(self._replies, 4 * int(np.prod(shape)))
                return np.frombuffer(data, dtype=np.float32).reshape(shape).copy()
            except Exception as exc:  # noqa: BLE001 — from now on, this process embeds
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
            os.kill(pid, signal.SIGKILL)  # it holds nothing worth finishing: it writes no file
        except ProcessLookupError:
            pass
        try:
            os.waitpid(pid, 0)  # reaped: no zombie
        except ChildProcessError:
            pass

    def close(self) -> None:
        """Stop and reap the child (idempotent)."""
        with self._lock:
            self._stop()
        atexit.unregister(self.close)

    def __enter__(self) -> "EmbedAhead":
        return self

    def __exit__(self, *exc) -> None:
        self.close()
