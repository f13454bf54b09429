"""Passages embedded in a child process: torch and the passage model leave with it.

    python -m e5fast.apart '{"model_dir": …, "path": "auto", …}'   # the child (started by `Apart`)

A build that reads scanned pages keeps the passage model out of its process while Tesseract runs
(issue 20: the 100-page scan's whole tree under 1 GB). Inside the process that is not possible:
torch, once imported, stays, and releasing the runner gave back ≈ 45 of its ≈ 245 MiB. So the
passages of such a build are embedded in a child (`python -m`, spawned, not forked: the app has
threads), which is gone — every byte of it — before the first page is read and comes back once
they all are. The parent keeps its query session (questions are still answered).

Each request is one JSON line on the child's stdin (`{"texts", "background"}`); each answer a
JSON header line (`{"shape"}` or `{"error"}`) and the vectors as float32 bytes. The first line
the child writes is its choice (`{"choice"}`), once its passage path is loaded. The same code
embeds the same batches there, so the vectors are the ones this process would make. Any failure
(the child cannot start, dies, answers an error) sends that call and every later one back to
the engine in this process, with one notice.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np

from .choose import Choice
from .nano import DIM


class Apart:
    """The parent's side: the child started on first use, closed (and reaped) by `close`."""

    def __init__(self, engine) -> None:
        self.engine = engine
        self._proc: subprocess.Popen | None = None
        self.failed = ""  # why passages went back to this process, once they did

    def start(self) -> bool:
        """Start the child and wait until its passage path is loaded; False: embed here."""
        if self._proc is not None or self.failed:
            return not self.failed
        e = self.engine
        args = {"model_dir": str(Path(e.model_dir).resolve()), "path": e.requested, "queries": e.queries,
                "num_threads": e.num_threads, "probe_file": str(Path(e.probe_file).resolve()),
                "choices_file": str(Path(e._choices_file).resolve()) if e._choices_file else None}
        try:
            self._proc = subprocess.Popen([sys.executable, "-m", "e5fast.apart", json.dumps(args)],
                                          stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                          cwd=Path(__file__).resolve().parents[1])
            hello = self._header()
            e.adopt(Choice.from_dict(hello["choice"]))
            return True
        except (OSError, ValueError, KeyError, TypeError) as exc:
            self._fail(exc)
            return False

    def embed(self, texts: list[str], background: bool) -> np.ndarray | None:
        """The passages' vectors from the child; None: it failed (embed them here)."""
        if not self.start():
            return None
        try:
            self._proc.stdin.write((json.dumps({"texts": texts, "background": background},
                                               ensure_ascii=False) + "\n").encode("utf-8"))
            self._proc.stdin.flush()
            head = self._header()
            n, d = head["shape"]
            data = self._proc.stdout.read(4 * n * d)
            if len(data) != 4 * n * d:
                raise EOFError("the passage child stopped mid-answer")
            return np.frombuffer(data, dtype=np.float32).reshape(n, d).copy()
        except (OSError, ValueError, KeyError, TypeError, EOFError) as exc:
            self._fail(exc)
            return None

    def _header(self) -> dict:
        line = self._proc.stdout.readline()
        if not line:
            raise EOFError(f"the passage child exited (code {self._proc.poll()})")
        head = json.loads(line)
        if "error" in head:
            raise ValueError(head["error"])
        return head

    def _fail(self, exc: BaseException) -> None:
        self.failed = f"{type(exc).__name__}: {exc}".splitlines()[0][:300]
        self.engine.notice(f"임베딩 자식 프로세스를 쓸 수 없어 이 프로세스에서 임베딩합니다 "
                           f"(passage child unavailable, embedding here): {self.failed}")
        self.close()

    def close(self) -> None:
        proc, self._proc = self._proc, None
        if proc is None:
            return
        try:
            proc.stdin.close()  # the child ends at EOF
            proc.wait(timeout=30)
        except (OSError, subprocess.TimeoutExpired):
            proc.kill()
            proc.wait()
        finally:
            proc.stdout.close()


def _reply(out, head: dict, payload: bytes = b"") -> None:
    out.write((json.dumps(head, ensure_ascii=False) + "\n").encode("utf-8") + payload)
    out.flush()


def main() -> None:
    """The child: load the passage path, say which, then embed each request until stdin ends."""
    from .engine import Engine

    args = json.loads(sys.argv[1])
    out = os.fdopen(os.dup(1), "wb")  # the answers' own pipe: anything printed goes to stderr
    os.dup2(2, 1)
    try:
        kw = {"choices_file": Path(args["choices_file"])} if args.get("choices_file") else {}
        engine = Engine(args["model_dir"], path=args["path"], queries=args["queries"],
                        num_threads=args["num_threads"], probe_file=Path(args["probe_file"]),
                        fallback=False, **kw).load(queries=False, passages=True)
        _reply(out, {"choice": engine.choice.to_dict()})
    except Exception as exc:  # noqa: BLE001 — the parent embeds in its own process then
        _reply(out, {"error": f"{type(exc).__name__}: {exc}"[:300]})
        return
    for line in sys.stdin.buffer:
        try:
            req = json.loads(line)
            rows = np.ascontiguousarray(engine.embed(req["texts"], False, background=req["background"]),
                                        dtype=np.float32).reshape(-1, DIM)
            _reply(out, {"shape": list(rows.shape)}, rows.tobytes())
        except Exception as exc:  # noqa: BLE001
            _reply(out, {"error": f"{type(exc).__name__}: {exc}"[:300]})


if __name__ == "__main__":
    main()
