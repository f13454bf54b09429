"""What the notes say about a question: the sections retrieval finds, the units of the best
section scored against the question, and whether the notes cover the question at all.

Units are scored by Kiwi-term IDF overlap with the question and by embedder cosine.
"Not in the notes" is calibrated in bench/tutor_eval.py (it prints the features of the dev
questions and of off-topic ones): a question is answered when enough of its IDF-weighted
terms occur in the notes at all (`known`), or its best BM25 score is high, or its nearest
chunk stands out from all the others by cosine (`z`, in standard deviations).
"""
from __future__ import annotations

import threading
from dataclasses import dataclass

import numpy as np

from retriever import Hit, NotesLibrary

from .followup import dedup
from retriever.structure import Section, Unit

RETRIEVE_K = 8
FOUND_KNOWN = 0.32
FOUND_BM25 = 2.3
FOUND_Z = 2.45


@dataclass(frozen=True)
class ScoredUnit:
    unit: Unit
    score: float
    lex: float
    cos: float


@dataclass(frozen=True)
class Retrieval:
    query: str
    hits: tuple[Hit, ...]
    sections: tuple[Section, ...]  # best first, distinct
    scored: tuple[ScoredUnit, ...]  # units of sections[0], best first
    found: bool
    lex: float  # best unit's lexical coverage
    cos: float  # best unit's cosine
    known: float = 0.0  # share of the query's IDF weight made of terms found in the notes
    bm25: float = 0.0  # best raw BM25 score
    z: float = 0.0  # (best chunk cosine - mean) / std over all chunks


def unit_context(u: Unit) -> str:
    """What a unit is matched on: its sub-section title and its text, plainly."""
    body = u.plain if u.kind != "code" else u.text
    return f"{u.sub}: {body}" if u.sub else body


class EvidenceFinder:
    """Finds and scores the evidence for questions over one library; thread-safe."""

    def __init__(self, library: NotesLibrary) -> None:
        self.library = library
        self._vecs: dict[str, np.ndarray] = {}  # unit text → vector (units are few; kept)
        self._vec_lock = threading.Lock()

    def retrieve(self, query: str) -> Retrieval:
        lib = self.library
        hits = tuple(lib.search(query, k=RETRIEVE_K))
        struct = lib.structure()
        sections: list[Section] = []
        for h in hits:
            sec = struct.section(h.section)
            if sec is not None and sec not in sections:
                sections.append(sec)
        if not sections:
            return Retrieval(query, hits, (), (), False, 0.0, 0.0)
        scored = self.score_units(query, sections[0])
        lex = max((s.lex for s in scored), default=0.0)
        cos = max((s.cos for s in scored), default=0.0)
        known, bm25, z = self.coverage(query)
        # the cosine outlier alone is trusted only when some question term is in the notes
        found = known >= FOUND_KNOWN or bm25 >= FOUND_BM25 or (z >= FOUND_Z and known > 0)
        return Retrieval(query, hits, tuple(sections), tuple(scored), found, lex, cos, known, bm25, z)

    def coverage(self, query: str) -> tuple[float, float, float]:
        """(known share of IDF weight, best BM25 score, cosine outlier z) of a question."""
        lib = self.library
        tw = lib.term_stats()
        terms = dedup(lib.query_terms(query))
        total = sum(tw(t) for t in terms)
        known = sum(tw(t) for t in terms if t in tw) / total if total else 0.0
        bm = lib.keyword_scores(terms)
        bm25 = float(bm.max()) if bm.size else 0.0
        sims = lib.similarities(query)
        z = float((sims.max() - sims.mean()) / sims.std()) if sims.size > 2 and sims.std() > 0 else 0.0
        return known, bm25, z

    def score_units(self, query: str, sec: Section) -> list[ScoredUnit]:
        tok = self.library.tokenizer
        tw = self.library.term_stats()
        qw = {t: tw(t) for t in dedup(tok(query))}
        total = sum(qw.values()) or 1.0
        units = list(sec.units)
        contexts = [unit_context(u) for u in units]
        lex = [sum(w for t, w in qw.items() if t in ts) / total
               for ts in (set(t) for t in tok.tokenize_many(contexts))]
        dense_ix = [i for i, u in enumerate(units) if u.kind != "code"]
        cos = [0.0] * len(units)
        if dense_ix:
            sims = self._unit_vectors([contexts[i] for i in dense_ix]) @ self.library.query_vector(query)
            for j, i in enumerate(dense_ix):
                cos[i] = float(sims[j])
        lo = min((cos[i] for i in dense_ix), default=0.0)
        hi = max((cos[i] for i in dense_ix), default=0.0)
        out = []
        for i, u in enumerate(units):
            dn = (cos[i] - lo) / (hi - lo) if hi - lo > 1e-6 and u.kind != "code" else 0.0
            score = 0.6 * lex[i] if u.kind == "code" else 0.55 * lex[i] + 0.45 * dn
            out.append(ScoredUnit(u, score, lex[i], cos[i]))
        out.sort(key=lambda s: (-s.score, s.unit.line))
        return out

    def _unit_vectors(self, texts: list[str]) -> np.ndarray:
        with self._vec_lock:
            missing = [t for t in dict.fromkeys(texts) if t not in self._vecs]
        if missing:
            vecs = self.library.embedder.embed_texts(missing)
            with self._vec_lock:
                for t, v in zip(missing, vecs):
                    self._vecs[t] = v
        with self._vec_lock:
            return np.stack([self._vecs[t] for t in texts])
