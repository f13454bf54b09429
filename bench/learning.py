"""Latency of the learning record: grade / review / progress with 10k attempts on 2k cards.

    python -m bench.learning                       # SQLite and a throwaway PostgreSQL server
    python -m bench.learning --backends sqlite
    python -m bench.learning --pg-url postgresql+psycopg://user@/db?host=/run/postgresql

The history is seeded by replaying 10,000 answers (60 days, ~70 % right) through the record's
own FSRS scheduler in one transaction; then every call is timed on the warm record as the CLI
and app make it: `record_attempt` (one committed transaction, SQLite synchronous=FULL),
`review(n=20)` and `progress()` (with an exam date: the forecast is computed too). Figures print as Markdown for bench/results/learning.md.
"""
from __future__ import annotations

import argparse
import os
import platform
import random
import statistics
import subprocess
import tempfile
import time
from datetime import datetime, timedelta, timezone

from bench.lib.history import replay_history
from bench.lib.machine import pct
from learning import ItemContext, LearningRecord, default_url
from tutor.common.types import QuizItem, SourceRef

USER = "bench"
NOW = datetime(2026, 6, 1, 9, 0, tzinfo=timezone.utc)


def items(n_cards: int, n_sections: int) -> list[ItemContext]:
    out = []
    for k in range(n_cards):
        s = k % n_sections + 1
        it = QuizItem(f"short-{k:05d}", "short", f"문제 {k}: 이 서비스는 무엇인가?", (), f"정답 {k}",
                      f"설명 {k}", SourceRef(f"note{s % 7}.md", f"{s}. 섹션 제목", (k + 1, k + 3)))
        out.append(ItemContext.from_text(it, f"{s}. 섹션 {s} - 서비스 이름", f"원문 {k}"))
    return out


def seed(rec: LearningRecord, n_cards: int, n_attempts: int, n_sections: int) -> None:
    """Show the cards 60 days ago, then replay answers in time order through FSRS (~70 % right)."""
    replay_history(rec, USER, items(n_cards, n_sections), n_attempts, NOW, 0.7, lambda rng: rng.uniform(3, 40))


def timed(fn, n: int) -> list[float]:
    out = []
    for k in range(n):
        t = time.perf_counter()
        fn(k)
        out.append((time.perf_counter() - t) * 1000)
    return out


def run_backend(name: str, url: str, args) -> list[str]:
    t = time.perf_counter()
    rec = LearningRecord.open(url, tz=timezone.utc, default_exam_date=(NOW + timedelta(days=30)).date())
    try:
        seed(rec, args.cards, args.attempts, args.sections)
        seeded = time.perf_counter() - t
        p = rec.progress(USER, at=NOW)
        assert p.attempts == args.attempts and sum(s.cards for s in p.sections) == args.cards
        assert p.exam is not None and len(p.exam.predicted_retention) == args.sections
        rng = random.Random(11)
        ids = [f"short-{k:05d}" for k in range(args.cards)]
        results = {
            "grade": timed(lambda k: rec.record_attempt(USER, rng.choice(ids), "정답", rng.random() < 0.7,
                                                        seconds=10.0, at=NOW + timedelta(seconds=k)), args.n),
            "review (n=20)": timed(lambda k: rec.review(USER, n=20, at=NOW + timedelta(hours=1)), args.n),
            # at the seeding's start nothing is due yet: the queue is filled from never-answered
            # items of the weakest sections (reads every card and computes mastery)
            "review (n=20, 0 due → weakest sections)": timed(
                lambda k: rec.review(USER, n=20, at=NOW - timedelta(days=60)), args.n),
            "progress": timed(lambda k: rec.progress(USER, at=NOW + timedelta(hours=1)), args.n),
            "wrong": timed(lambda k: rec.wrong(USER, at=NOW + timedelta(hours=1)), max(5, args.n // 4)),
        }
        due = rec.progress(USER, at=NOW + timedelta(hours=1)).due_now
    finally:
        rec.close()
    lines = [f"| {name} | {op} | {len(xs)} | {statistics.median(xs):.1f} | {pct(xs, 95):.1f} | {max(xs):.1f} |"
             for op, xs in results.items()]
    lines.append(f"| {name} | (seeding {args.attempts:,} attempts / {args.cards:,} cards, {due} due) | 1 "
                 f"| {seeded:.1f} s | | |")
    prog = results["progress"]
    verdict = "PASS" if pct(prog, 95) < 100 else "FAIL"
    lines.append(f"| {name} | progress p95 < 100 ms | | | **{verdict}** | |")
    return lines


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--backends", default="sqlite,postgresql")
    ap.add_argument("--pg-url", help="an existing PostgreSQL database (default: a throwaway server)")
    ap.add_argument("--cards", type=int, default=2000)
    ap.add_argument("--attempts", type=int, default=10_000)
    ap.add_argument("--sections", type=int, default=40)
    ap.add_argument("--n", type=int, default=100, help="timed calls per operation")
    args = ap.parse_args()
    load = subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()
    print(f"`python -m bench.learning --backends {args.backends} --n {args.n}` · "
          f"{platform.machine()}, {os.cpu_count()} CPU, Python {platform.python_version()} · before: {load}\n")
    print("| backend | operation | calls | p50 (ms) | p95 (ms) | max (ms) |\n|---|---|---|---|---|---|")
    for backend in args.backends.split(","):
        if backend == "sqlite":
            with tempfile.TemporaryDirectory() as d:
                lines = run_backend("SQLite", default_url(d), args)
        elif args.pg_url:
            lines = run_backend("PostgreSQL", args.pg_url, args)
        else:
            from bench.lib.pg_cluster import PostgresCluster

            cluster = PostgresCluster().start()
            try:
                lines = run_backend("PostgreSQL 15", cluster.create_database("bench"), args)
            finally:
                cluster.stop()
        print("\n".join(lines), flush=True)
    load = subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()
    print(f"\nafter: {load}")


if __name__ == "__main__":
    main()
