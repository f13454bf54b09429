"""Label-free calibration of the hybrid fusion on one corpus (issue 21).

When an index is built, the notes ask themselves questions whose source is known: from a
fixed, hash-chosen sample of chunks, one sentence each with its rarest term cut out (a
cloze: the keyword side loses the one term that would give the answer away). Both sides
and the fusion rule's candidate ranges then search for each probe's own unit (its page, or
its section), and the range under which hybrid finds its own source best on *this* corpus
is stored in the index manifest. Deterministic: the same chunks give the same probes and
the same choice. Pure logic except `calibrate`, which runs the probes through a searcher.
"""
from __future__ import annotations

import hashlib
import time
from dataclasses import asdict, dataclass, replace
from typing import Callable, Sequence

import numpy as np

from .fusion import FusionConfig, fuse
from .search import Searcher
from .store import LoadedIndex
from .types import Chunk

VERSION = 4  # 2: the range from the dense side's deficit on the probes
MIN_CHUNKS = 30  # fewer chunks: too few probes to tell the ranges apart; the defaults serve
# (flat-keyword-side weight, clear-winner weight) pairs the calibration chooses among
RANGES: tuple[tuple[float, float], ...] = tuple(
    (lo, hi) for lo in (0.1, 0.25, 0.4, 0.55, 0.7) for hi in (0.95,)) + ((0.85, 1.0),)
# range_for: the dense side's deficit on the probes (keyword hit@1 − semantic hit@1) from which
# the keyword weight of a flat keyword side rises, where it reaches WEAK_DENSE_WEIGHT
DEFICIT_LOW, DEFICIT_HIGH, WEAK_DENSE_WEIGHT = 0.15, 0.30, 0.55
CUT, KEEP = 1, 0  # a probe's rarest terms cut out; at most this many terms kept (0: all)
RECALIBRATE_SHARE = 0.2  # recalibrate when this share of chunks is new or gone since the last one


@dataclass(frozen=True)
class Probe:
    """A pseudo-question: `text` was cut from chunk `chunk`; it should find unit `unit`."""

    text: str
    chunk: int
    unit: str


@dataclass(frozen=True)
class Calibration:
    """What the calibration measured on one corpus, and the range it chose."""

    keyword_weight: float
    max_keyword_weight: float
    probes: int
    keyword_hit1: float  # the probes' own unit first, keyword side alone
    semantic_hit1: float
    hybrid_hit1: float  # with the chosen range
    default_hit1: float  # with the default range
    seconds: float
    chunks: int
    version: int = VERSION

    def to_dict(self) -> dict:
        d = asdict(self)
        return {k: round(v, 4) if isinstance(v, float) else v for k, v in d.items()}

    @classmethod
    def from_dict(cls, d: dict | None) -> "Calibration | None":
        if not d or d.get("version") != VERSION:
            return None
        try:
            return cls(**{k: d[k] for k in cls.__dataclass_fields__})
        except (KeyError, TypeError):
            return None

    def apply(self, f: FusionConfig) -> FusionConfig:
        """`f` with this corpus's range (source "corpus")."""
        return replace(f, keyword_weight=self.keyword_weight, max_keyword_weight=self.max_keyword_weight,
                       source="corpus")


def unit_of(c: Chunk) -> str:
    """What a probe must find: its page when the note has pages, else its section, else itself."""
    if c.page is not None:
        return f"{c.source}#{c.page}"
    return f"{c.source}§{c.section}" if c.section else c.id


def _rank_key(chunk_id: str, salt: str) -> str:
    return hashlib.sha1(f"{salt}:{chunk_id}".encode("utf-8")).hexdigest()


def probe_count(chunks: int) -> int:
    """How many probes a corpus of `chunks` chunks asks: a quarter of them, 40..120 (120 keep a
    700-page build's calibration under a tenth of its time; the deficit's standard error ≈ 0.03)."""
    return max(40, min(120, chunks // 4))


def make_probes(chunks: Sequence[Chunk], spans: Callable[[str], list], sentences: Callable[[str], list],
                idf: Callable[[str], float], n: int, salt: str = "probe",
                cut: int = CUT, keep: int = KEEP) -> list[Probe]:
    """Up to `n` probes from chunks picked by a hash of their id (the same chunks give the
    same probes, whatever their order): per chunk, its sentence with the most distinct
    terms, its `cut` rarest terms cut out wherever they occur, at most `keep` terms kept
    (the words around the middle of what is left)."""
    order = sorted(range(len(chunks)), key=lambda i: _rank_key(chunks[i].id, salt))
    out: list[Probe] = []
    for i in order:
        if len(out) >= n:
            break
        text = _cloze(chunks[i].text, spans, sentences, idf, cut, keep)
        if text:
            out.append(Probe(text, i, unit_of(chunks[i])))
    return out


def _best_sentence(text: str, sentences: Callable[[str], list]) -> str:
    """The sentence with the most distinct words (15–200 characters; the first of equals)."""
    best, best_words = "", 0
    for a, b in sentences(text):
        s = " ".join(text[a:b].split())
        n = len(set(s.split()))
        if 15 <= len(s) <= 200 and n > best_words:
            best, best_words = s, n
    return best


def _cloze(text: str, spans: Callable[[str], list], sentences: Callable[[str], list],
           idf: Callable[[str], float], cut: int, keep: int) -> str:
    best = _best_sentence(text, sentences)
    found = spans(best) if best else []
    if len({sp.term for sp in found}) < cut + 3:
        return ""
    keys = set(sorted({sp.term for sp in found}, key=lambda t: (-idf(t), t))[:cut])
    rest = [sp for sp in found if sp.term not in keys]
    if keep and len(rest) > keep:  # a window of `keep` terms around the middle
        a = (len(rest) - keep) // 2
        rest = rest[a:a + keep]
    lo, hi = rest[0].start, rest[-1].end
    pieces, at = [], lo
    for sp in found:
        if sp.term in keys and lo <= sp.start < hi:
            pieces.append(best[at:sp.start])
            at = sp.end
    pieces.append(best[at:hi])
    return " ".join("".join(pieces).split())


@dataclass(frozen=True)
class ProbeScores:
    """One probe's candidates (the union of both sides' top-N) with their scores."""

    units: list[str]  # the candidates' units
    kw: np.ndarray
    dense: np.ndarray
    target: str


def _top_unit(units: list[str], scores: np.ndarray) -> str:
    return units[int(np.argmax(scores))] if len(units) else ""


def range_for(deficit: float, base: FusionConfig) -> tuple[float, float]:
    """The adaptive rule's range for a corpus whose dense side misses `deficit` more of the
    probes' own units than the keyword side does: the default range while the deficit is at most
    DEFICIT_LOW, a keyword weight rising to WEAK_DENSE_WEIGHT at DEFICIT_HIGH and beyond (steps
    of 0.05). Fitted on the dev sets (bench/studies/calibration_study.md): cloze probes always
    favour the keyword side a little (their words are the page's), so only a clear deficit
    means the dense side is weak on these notes."""
    lo = base.keyword_weight
    if deficit > DEFICIT_LOW:
        share = min(1.0, (deficit - DEFICIT_LOW) / (DEFICIT_HIGH - DEFICIT_LOW))
        lo = max(lo, round(20 * (base.keyword_weight + share * (WEAK_DENSE_WEIGHT - base.keyword_weight))) / 20)
    return lo, max(lo, base.top)


def _hit1(rows: Sequence[ProbeScores], lo: float, hi: float, base: FusionConfig) -> float:
    f = FusionConfig(keyword_weight=lo, max_keyword_weight=hi, normalise=base.normalise)
    return sum(_top_unit(r.units, fuse(r.kw, r.dense, f)) == r.target for r in rows) / max(1, len(rows))


def choose(rows: Sequence[ProbeScores], base: FusionConfig, ranges=RANGES) -> dict:
    """Each side's hit@1 on the probes, the range `range_for` their difference gives, and the
    probes' hybrid hit@1 with it, with the default range and with every range of `ranges`
    (reported, not chosen from: the probes' own hybrid figures favour keyword)."""
    n = max(1, len(rows))
    kw1 = sum(_top_unit(r.units, np.where(r.kw > 0, r.kw, -1.0)) == r.target and (r.kw > 0).any()
              for r in rows) / n
    de1 = sum(_top_unit(r.units, r.dense) == r.target for r in rows) / n
    chosen = range_for(kw1 - de1, base)
    default = (base.keyword_weight, base.top)
    scored = {(lo, hi): _hit1(rows, lo, hi, base) for lo, hi in dict.fromkeys((default, chosen, *ranges))}
    return {"keyword": kw1, "semantic": de1, "ranges": scored, "chosen": chosen, "default": scored[default]}


def calibrate(searcher, base: FusionConfig, salt: str = "probe", **probe_kw) -> Calibration | None:
    """Run the corpus's probes through `searcher`'s two sides (dense side exact, not through
    the ANN); None for a corpus too small (or not embedded) to calibrate."""
    index = searcher.index
    chunks = index.chunks
    if len(chunks) < MIN_CHUNKS or index.vectors is None:
        return None
    t0 = time.perf_counter()
    # measured against the defaults, whatever a setting says (the setting wins at search time anyway)
    base = replace(base, keyword_weight=FusionConfig.keyword_weight, max_keyword_weight=FusionConfig.max_keyword_weight)
    tok = searcher.tokenizer
    stats = index.term_stats()
    probes = make_probes(chunks, tok.spans, tok.split_sentences, stats, probe_count(len(chunks)), salt, **probe_kw)
    if len(probes) < MIN_CHUNKS // 2:
        return None
    vectors = searcher.embedder.embed_batch([p.text for p in probes], is_query=True)
    units = [unit_of(c) for c in chunks]
    rows = []
    for p, qv in zip(probes, vectors):
        qv = qv / max(1e-12, float(np.linalg.norm(qv)))
        cand, kw, dense, _, _ = searcher.candidates(p.text, qv.astype(np.float32), base.pool, exact=True)
        rows.append(ProbeScores([units[i] for i in cand], kw, dense, p.unit))
    got = choose(rows, base)
    lo, hi = got["chosen"]
    return Calibration(lo, hi, len(probes), got["keyword"], got["semantic"], got["ranges"][(lo, hi)],
                       got["default"], time.perf_counter() - t0, len(chunks))


def needs_recalibration(previous: dict | None, chunk_ids: Sequence[str]) -> bool:
    """Whether the corpus changed enough since the calibration in `previous` (a manifest's
    "calibration" entry with the chunk ids it saw) to measure again: no calibration, another
    version, or more than RECALIBRATE_SHARE of the chunks new or gone."""
    if not previous or previous.get("version") != VERSION or "chunk_ids" not in previous:
        return True
    before, now = set(previous["chunk_ids"]), set(chunk_ids)
    changed = len(before ^ now)
    return changed > RECALIBRATE_SHARE * max(len(before), len(now), 1)


def uncalibrated(manifest: dict) -> bool:
    """An index from before the calibration (or of another calibration version): the next
    update measures it, reusing everything else."""
    return needs_recalibration(manifest.get("calibration"), manifest.get("chunk_ids", []))


def build_entry(previous_manifest: dict | None, generation: LoadedIndex, embedder, tokenizer, base: FusionConfig,
                say: Callable[[str], None]) -> dict:
    """The manifest's "calibration" entry for a generation about to be written (`generation`:
    it in memory, with its vectors; `previous_manifest`: the index it updates, None when
    nothing of it is reused): the previous entry when the chunks changed little since it was
    measured (`needs_recalibration`), else a new measurement. The entry keeps the chunk ids
    it was measured on, and `"reused": true` when carried over."""
    previous = (previous_manifest or {}).get("calibration")
    chunk_ids = [c.id for c in generation.chunks]
    if not needs_recalibration(previous, chunk_ids):
        return {**previous, "reused": True}
    say("검색 가중치를 이 노트에 맞춥니다 (calibrating hybrid search on these notes)…")
    t0 = time.perf_counter()
    cal = calibrate(Searcher(generation, embedder, tokenizer, base), base)
    if cal is not None:  # the time includes making the searcher's bigram field
        cal = replace(cal, seconds=time.perf_counter() - t0)
    entry = cal.to_dict() if cal else {"version": VERSION, "skipped": f"fewer than {MIN_CHUNKS} chunks"}
    return {**entry, "reused": False, "chunk_ids": chunk_ids}
