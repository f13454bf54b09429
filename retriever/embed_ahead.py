"""Query vectors made in a forked helper while this process goes on (issue 24: `ask` ≤ 3 s).

A one-question command loads the query embedder (the piece table, an ONNX Runtime session:
~0.85 s) beside Kiwi (~1.5 s, holding the GIL). `EmbedAhead.start(embedder, texts)` forks a
helper (`forked.Forked`) that loads the embedder, embeds `texts` as queries at once and then
answers this process's `embed_query_vector` / `embed_texts` calls; everything else (a build's
passages) stays here, and this process never loads the engine for queries. The helper computes
with the same code and settings, so the vectors are the same bytes. Any failure — the helper
gone, a bad reply, an error in it — sends that call and every later one to the embedder here.
"""
from __future__ import annotations

from typing import Sequence

import numpy as np

from .forked import Forked, serve_forever


def _quiet_in_child(embedder) -> None:
    """An engine error in the helper must come back as an error (this process then runs the call
    itself, with its own notice and fallback), not as a silent switch to another model."""
    engine = getattr(embedder, "engine", None)
    if engine is not None and hasattr(engine, "fallback"):
        engine.fallback = False


def _child(embedder, ahead: list[str]):
    def run(requests: int, replies: int) -> None:
        _quiet_in_child(embedder)
        done: dict[str, np.ndarray] = {}
        for text in ahead:
            try:
                done[text] = embedder.embed_query_vector(text)
            except Exception:  # noqa: BLE001 — asked again below, the error then goes back
                break

        def answer(header: dict, _: bytes) -> tuple[dict, bytes]:
            texts = header["texts"]
            if header["op"] == "query":
                vec = done.pop(texts[0], None)
                rows = (vec if vec is not None else embedder.embed_query_vector(texts[0]))[None, :]
            else:
                rows = embedder.embed_texts(texts)
            rows = np.ascontiguousarray(rows, dtype=np.float32)
            return {"shape": list(rows.shape)}, rows.tobytes()

        serve_forever(requests, replies, answer)

    return run


class EmbedAhead:
    """An embedder whose query calls go to a forked helper; the rest to the embedder itself."""

    def __init__(self, embedder, helper: Forked) -> None:
        self.inner = embedder
        self.helper = helper

    @classmethod
    def start(cls, embedder, texts: Sequence[str]) -> "EmbedAhead":
        """Fork the helper and let it embed `texts` as queries now (OSError: no fork here)."""
        return cls(embedder, Forked.start(_child(embedder, list(dict.fromkeys(texts)))))

    def embed_query_vector(self, text: str) -> np.ndarray:
        rows = self._ask("query", [text])
        return rows[0] if rows is not None else self.inner.embed_query_vector(text)

    def query_job(self, text: str):
        """The helper's answer in the call (waiting on its pipe holds no GIL)."""
        return lambda: self.embed_query_vector(text)

    def embed_texts(self, texts: Sequence[str]) -> np.ndarray:
        texts = list(texts)
        rows = self._ask("texts", texts) if texts else None
        return rows if rows is not None else self.inner.embed_texts(texts)

    def __getattr__(self, name: str):  # id, dim, embed_passages, describe …: the embedder's own
        return getattr(self.inner, name)

    @property
    def serving(self) -> bool:
        return self.helper.serving

    @property
    def failure(self) -> str:
        return self.helper.failure

    def _ask(self, op: str, texts: list[str]) -> np.ndarray | None:
        got = self.helper.call({"op": op, "texts": texts})
        if got is None:
            return None
        header, data = got
        shape = tuple(header["shape"])
        if len(data) != 4 * int(np.prod(shape)):
            self.helper.failure = "short reply"
            self.helper.close()
            return None
        return np.frombuffer(data, dtype=np.float32).reshape(shape).copy()

    def close(self) -> None:
        self.helper.close()

    def __enter__(self) -> "EmbedAhead":
        return self

    def __exit__(self, *exc) -> None:
        self.close()
