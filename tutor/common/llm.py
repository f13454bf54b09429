"""A chat model from `STUDY_LLM=provider:model` through LangChain `init_chat_model`.

Every call runs under a hard deadline (`Settings.llm_timeout`, default 30 s) in a worker
thread, so a server that hangs — before answering or in the middle of a stream — can never
hold the learner longer than that. Every failure (timeout, refused connection, HTTP error,
malformed or empty output, a provider package that is missing) becomes an `LLMError` whose
`notice` is a short Korean sentence the caller shows next to its template fallback.
"""
from __future__ import annotations

import json
import queue
import re
import threading
import time
from dataclasses import dataclass
from typing import Any, Iterator, Sequence

DEFAULT_TIMEOUT = 30.0
FALLBACK = "노트 기반 템플릿 결과를 대신 보여 드립니다."


class LLMError(Exception):
    """An LLM call that failed; `notice` is fit to show the learner."""

    def __init__(self, notice: str, kind: str = "error") -> None:
        super().__init__(notice)
        self.notice = notice
        self.kind = kind  # timeout | connection | http | malformed | config | error

    # The one home of the learner-facing failure messages.
    @classmethod
    def timeout(cls, seconds: float) -> "LLMError":
        return cls(f"LLM 응답이 제한 시간({seconds:g}초)을 넘겼습니다. {FALLBACK}", "timeout")

    @classmethod
    def empty(cls) -> "LLMError":
        return cls(f"LLM이 빈 응답을 보냈습니다. {FALLBACK}", "malformed")

    @classmethod
    def malformed(cls, what: str = "LLM 응답 형식이 올바르지 않습니다.") -> "LLMError":
        return cls(f"{what} {FALLBACK}", "malformed")


def parse_spec(spec: str) -> tuple[str | None, str]:
    """"openai:gpt-4o-mini" → ("openai", "gpt-4o-mini"); "ollama:qwen2.5:7b" keeps the tag."""
    spec = (spec or "").strip()
    if not spec:
        raise LLMError(f"LLM 설정이 비어 있습니다. {FALLBACK}", "config")
    if ":" in spec:
        provider, model = spec.split(":", 1)
        if provider and re.fullmatch(r"[A-Za-z][\w-]*", provider) and model:
            return provider.lower(), model
    return None, spec


def classify(exc: BaseException, timeout: float) -> LLMError:
    """Any exception from a provider client → LLMError with a Korean notice."""
    if isinstance(exc, LLMError):
        return exc
    name = type(exc).__name__
    chain = [exc] + ([exc.__cause__] if exc.__cause__ else []) + ([exc.__context__] if exc.__context__ else [])
    names = " ".join(type(e).__name__ for e in chain)
    if "Timeout" in names or isinstance(exc, TimeoutError):
        return LLMError.timeout(timeout)
    status = getattr(exc, "status_code", None) or getattr(getattr(exc, "response", None), "status_code", None)
    if isinstance(status, int) and status >= 400 and "ResponseValidation" not in name:
        return LLMError(f"LLM 서버가 오류를 돌려주었습니다 (HTTP {status}). {FALLBACK}", "http")
    if "Connect" in names or isinstance(exc, (ConnectionError, OSError)):
        return LLMError(f"LLM 서버에 연결할 수 없습니다. {FALLBACK}", "connection")
    if any(k in names for k in ("JSONDecode", "Validation", "Decode", "Parse", "KeyError", "TypeError",
                                 "AttributeError", "IndexError", "ValueError")):
        return LLMError.malformed()
    if isinstance(exc, ImportError):
        return LLMError(f"LLM 공급자 패키지가 설치되어 있지 않습니다 ({exc.name or exc}). {FALLBACK}", "config")
    return LLMError(f"LLM 호출에 실패했습니다 ({name}). {FALLBACK}", "error")


_DONE = object()


@dataclass(frozen=True)
class _Failure:
    exc: BaseException


class ChatLLM:
    """Lazily built LangChain chat model with a deadline on every call."""

    def __init__(self, spec: str, timeout: float = DEFAULT_TIMEOUT, temperature: float = 0.2) -> None:
        self.spec = spec.strip()
        self.timeout = float(timeout) if timeout and timeout > 0 else DEFAULT_TIMEOUT
        self.temperature = temperature
        self._model: Any = None
        self._lock = threading.Lock()

    @property
    def label(self) -> str:
        return f"LLM: {self.spec}"

    @property
    def model(self) -> Any:
        if self._model is None:
            with self._lock:
                if self._model is None:
                    self._model = self._build()
        return self._model

    def _build(self) -> Any:
        provider, name = parse_spec(self.spec)
        try:
            from langchain.chat_models import init_chat_model
        except ImportError as exc:  # pragma: no cover - langchain is a requirement
            raise classify(exc, self.timeout) from None
        base: dict[str, Any] = {"model_provider": provider} if provider else {}
        attempts = [
            {"timeout": self.timeout, "max_retries": 0, "temperature": self.temperature},
            {"timeout": self.timeout, "max_retries": 0},
            {},
        ]
        last: BaseException | None = None
        for extra in attempts:  # providers differ in which of these keywords they accept
            try:
                return init_chat_model(name, **base, **extra)
            except ImportError as exc:
                raise classify(exc, self.timeout) from None
            except Exception as exc:
                last = exc
        raise LLMError(f"LLM 설정({self.spec})을 사용할 수 없습니다: {type(last).__name__}. {FALLBACK}",
                       "config")

    # -- calls ---------------------------------------------------------------------------
    def stream(self, messages: Sequence[tuple[str, str]]) -> Iterator[str]:
        """Text deltas; raises LLMError on any failure, including an empty answer."""
        model = self.model
        q: queue.Queue = queue.Queue()

        def work() -> None:
            try:
                for chunk in model.stream(list(messages)):
                    text = _text_of(chunk)
                    if text:
                        q.put(text)
                q.put(_DONE)
            except BaseException as exc:  # noqa: BLE001 - handed to the caller's thread
                q.put(_Failure(exc))

        threading.Thread(target=work, name="llm-stream", daemon=True).start()
        deadline = time.monotonic() + self.timeout
        got = False
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise LLMError.timeout(self.timeout)
            try:
                item = q.get(timeout=left)
            except queue.Empty:
                continue
            if item is _DONE:
                break
            if isinstance(item, _Failure):
                raise classify(item.exc, self.timeout)
            got = got or bool(item.strip())
            yield item
        if not got:
            raise LLMError.empty()

    def complete(self, messages: Sequence[tuple[str, str]]) -> str:
        """The whole reply (not streamed), under the same deadline."""
        model = self.model
        box: dict[str, Any] = {}

        def work() -> None:
            try:
                box["reply"] = model.invoke(list(messages))
            except BaseException as exc:  # noqa: BLE001
                box["error"] = exc

        t = threading.Thread(target=work, name="llm-call", daemon=True)
        t.start()
        t.join(self.timeout)
        if t.is_alive():
            raise LLMError.timeout(self.timeout)
        if "error" in box:
            raise classify(box["error"], self.timeout)
        text = _text_of(box.get("reply"))
        if not text.strip():
            raise LLMError.empty()
        return text


def _text_of(message: Any) -> str:
    """Text content of an AIMessage/AIMessageChunk (string or list-of-parts content)."""
    if message is None:
        return ""
    content = getattr(message, "content", message)
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        parts = []
        for p in content:
            if isinstance(p, str):
                parts.append(p)
            elif isinstance(p, dict) and p.get("type") in (None, "text"):
                parts.append(str(p.get("text", "")))
        return "".join(parts)
    return str(content) if content else ""


def extract_json(text: str) -> Any:
    """The first JSON object or array in a reply (code fences and chatter around it allowed)."""
    text = text.strip()
    fenced = re.search(r"```(?:json)?\s*(.+?)```", text, re.S)
    if fenced:
        text = fenced.group(1).strip()
    for opener in ("{", "["):
        start = text.find(opener)
        if start < 0:
            continue
        try:
            obj, _ = json.JSONDecoder().raw_decode(text[start:])
            return obj
        except json.JSONDecodeError:
            continue
    raise LLMError.malformed("LLM 응답에서 JSON을 찾을 수 없습니다.")
