"""Quiz speed (issue 24): a quiz is a selection from the pool made once per index generation.

    python -m bench.quiz_speed [--runs 40] [--baseline REF] [--http]

In this process, over the seed notes (their index under --index-root, default bench/out/
quiz-speed; the default embedder): `StudyApp.quiz(user, topic, n=10, kinds=all, seed)` with
distinct seeds — the whole server-side work of /quiz: the pool, the topic search, selection,
finishing each item and recording the shown items in the learning record (SQLite) — without
a topic and with one, p50 and p95 in ms; the first quiz of the process (the pool made) on its
own. `--baseline REF` measures the same on that commit's code (git archive, a subprocess, the
same index). `--http` adds the same calls through the launched app's /quiz endpoint
(gradio_client, the whole round trip) for this code. Target: /quiz of 10 items ≤ 150 ms
server time (p50, idle app).
"""
from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

from bench.lib.machine import load_avg, pct
from bench.lib.paths import OUT, ROOT, SEED_NOTES
from bench.lib.same_run import baseline, parser

TOPICS = ("파티션", "Glue FLEX", "Redshift", "EBS 볼륨", "Graviton", "Workgroup", "Data Exchange")


def _ms(xs: list[float]) -> dict:
    return {"p50_ms": round(1000 * pct(xs, 50), 1), "p95_ms": round(1000 * pct(xs, 95), 1), "n": len(xs)}


def measure(name: str, index_root: Path, runs: int) -> dict:
    from studyapp import Settings, StudyApp

    data = Path(tempfile.mkdtemp(prefix="quiz-speed-record-"))
    try:
        settings = Settings.from_env({}, corpus_dir=SEED_NOTES, index_dir=index_root / name, data_dir=data,
                                     model_dir=Path(os.environ["STUDY_MODEL_DIR"]))
        sa = StudyApp(settings)
        sa.open(report=lambda m: None, background=False)
        sa.search("준비", "hybrid", 1)  # the query model loaded: a topic quiz searches
        t0 = time.perf_counter()
        sa.quiz("bench", None, 10, None, seed=10_000)
        first = time.perf_counter() - t0
        plain, topical = [], []
        for i in range(runs):
            t0 = time.perf_counter()
            quiz = sa.quiz("bench", None, 10, None, seed=i)
            plain.append(time.perf_counter() - t0)
            assert len(quiz.items) == 10
            t0 = time.perf_counter()
            sa.quiz("bench", TOPICS[i % len(TOPICS)], 10, None, seed=1000 + i)
            topical.append(time.perf_counter() - t0)
        sa.close()
    finally:
        shutil.rmtree(data, ignore_errors=True)
    return {"first_quiz_ms": round(1000 * first, 1), "no_topic": _ms(plain), "topic": _ms(topical)}


def measure_http(index_root: Path, runs: int) -> dict:
    from bench.lib.app import app_env, free_port, start_app, stop_app, wait_for_app

    work = Path(tempfile.mkdtemp(prefix="quiz-speed-app-"))
    shutil.copytree(SEED_NOTES, work / "corpus")
    shutil.copytree(index_root / "seed", work / "index")
    port = free_port()
    log = work / "app.log"
    proc = start_app(app_env(work / "corpus", work / "index", port), log)
    try:
        client = wait_for_app(proc, f"http://127.0.0.1:{port}/", log)
        client.predict("", 10, "", 10_000, api_name="/quiz")  # the pool, if not yet warm
        plain, topical = [], []
        for i in range(runs):
            t0 = time.perf_counter()
            client.predict("", 10, "", i, api_name="/quiz")
            plain.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            client.predict(TOPICS[i % len(TOPICS)], 10, "", 1000 + i, api_name="/quiz")
            topical.append(time.perf_counter() - t0)
    finally:
        stop_app(proc)
        shutil.rmtree(work, ignore_errors=True)
    return {"http_no_topic": _ms(plain), "http_topic": _ms(topical)}


def main(argv: list[str] | None = None) -> int:
    ap = parser(__doc__)
    ap.add_argument("--runs", type=int, default=40)
    ap.add_argument("--http", action="store_true")
    args = ap.parse_args(argv)
    sys.path.insert(0, str(args.code_root))
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("STUDY_MODEL_DIR", str(ROOT / "data" / "models"))
    index_root = args.index_root or OUT / "quiz-speed"
    before_load = load_avg()
    report = {"after": {"seed": measure("seed", index_root, args.runs)}}
    if args.http:
        report["after"]["seed"].update(measure_http(index_root, args.runs))
    if args.baseline:
        report["before"] = baseline("bench.quiz_speed", args.baseline, index_root, ["seed"])
    report["load"] = f"{before_load} → {load_avg()}"
    if args.json:
        print(json.dumps(report, ensure_ascii=False, indent=1))
    else:
        for side in ("after", "before"):
            for name, fig in report.get(side, {}).items():
                print(f"[{side}] {name}: {json.dumps(fig, ensure_ascii=False)}")
        print(f"load average {report['load']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
