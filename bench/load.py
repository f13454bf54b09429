"""Load test: N simulated learners (bench/locustfile.py) against the running app for a bounded time.

    python -m bench.load                                   # 50 learners, 60 s, prints Markdown
    python -m bench.load --users 10 --run-time 15 --json   # the test suite's smaller run
    python -m bench.load --results                         # also add a section to bench/results/load.md
    python -m bench.load --scenario study --users 30       # no think time: quiz → grade each → search/ask/progress

Starts `python app.py` on a free 127.0.0.1 port with a fresh learning record in a temp folder and
one login per learner (STUDY_AUTH_FILE), runs Locust headless against it, stops it, then checks:
no failed request, and no lost attempt — the attempts in the database equal, user by user, the
grades whose result came back. Prints p50/p95 per endpoint.
"""
from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import resource
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.lib.machine import load_avg, pct
from bench.lib.paths import BENCH, ROOT, SEED_NOTES
from bench.lib.results import add_section
from bench.lib.app import app_env, free_port, start_app, stop_app, wait_for_app

LOCUSTFILE = BENCH / "locustfile.py"
ENDPOINTS = ("/ask", "/search", "/quiz", "/grade", "/review", "/progress")


def db_attempts(db: Path) -> dict[str, int]:
    with sqlite3.connect(db) as conn:
        return dict(conn.execute("SELECT user_id, COUNT(*) FROM learning_attempts GROUP BY user_id").fetchall())


def proc_cpu(pid: int) -> float:
    """User + system CPU seconds of a running process (/proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def children_cpu() -> float:
    """User + system CPU seconds of this process's finished children (Locust, once it exits)."""
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def read_stats(prefix: Path) -> list[dict]:
    with open(f"{prefix}_stats.csv", encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


SCENARIOS = {"mixed": "Learner", "study": "Studier"}  # --scenario → the locustfile's user class


def run_locust(host: str, users: int, spawn_rate: float, run_time: int, learners: Path, acks: Path,
               prefix: Path, log: Path, scenario: str = "mixed") -> int:
    cmd = [sys.executable, "-m", "locust", "-f", str(LOCUSTFILE), SCENARIOS[scenario], "--headless", "--host", host,
           "-u", str(users), "-r", str(spawn_rate), "-t", f"{run_time}s", "--stop-timeout", "120",
           "--csv", str(prefix), "--only-summary", "--learners-file", str(learners),
           "--ack-file", str(acks), "--loglevel", "WARNING"]
    with open(log, "wb") as out:
        # bounded: the run, the users' last calls (stop-timeout) and a margin
        return subprocess.run(cmd, cwd=str(ROOT), stdout=out, stderr=subprocess.STDOUT,
                              timeout=run_time + 300).returncode


def run(users: int, run_time: int, spawn_rate: float, corpus: Path, index: Path | None, work: Path,
        scenario: str = "mixed") -> dict:
    shutil.copytree(corpus, work / "corpus")
    if index is not None:
        shutil.copytree(index, work / "index")
    learners = work / "learners.txt"
    learners.write_text("".join(f"learner{k:02d}:pw-{k:02d}\n" for k in range(1, users + 1)), encoding="utf-8")
    port = free_port()
    log = work / "app.log"
    proc = start_app(app_env(work / "corpus", work / "index", port, data_dir=work / "data",
                             STUDY_AUTH_FILE=str(learners)), log)
    load_before = load_avg()
    try:
        client = wait_for_app(proc, f"http://127.0.0.1:{port}/", log, timeout=600, auth=("learner01", "pw-01"))
        # one warm-up call of each kind first: the figures are the app's steady state, not its
        # first seconds (the query model, Kiwi and the quiz pool loading: bench/startup.py)
        client.predict("파티션", "hybrid", 1, "", api_name="/search")
        client.predict("파티션", 1, "", 0, api_name="/quiz")
        t0, app0, locust0 = time.perf_counter(), proc_cpu(proc.pid), children_cpu()
        code = run_locust(f"http://127.0.0.1:{port}", users, spawn_rate, run_time, learners,
                          work / "acks.json", work / "locust", work / "locust.log", scenario)
        wall = time.perf_counter() - t0
        # who used the 2 cores: the app (one Python process) and Locust itself (same machine)
        app_cpu, locust_cpu = proc_cpu(proc.pid) - app0, children_cpu() - locust0
    finally:
        stop_app(proc)
    seen = json.loads((work / "acks.json").read_text()) if (work / "acks.json").exists() else {}
    acks, times, own_fails = seen.get("acks", {}), seen.get("times", {}), seen.get("failures", {})
    in_db = db_attempts(work / "data" / "study.db")
    stats = read_stats(work / "locust")
    failed = Path(f"{work / 'locust'}_failures.csv")
    failure_lines = failed.read_text(encoding="utf-8").splitlines()[1:] if failed.exists() else []
    per_endpoint = {name: {"requests": len(times[name]), "failures": int(own_fails.get(name, 0)),
                           "p50_ms": round(pct(times[name], 50), 1), "p95_ms": round(pct(times[name], 95), 1),
                           "max_ms": round(max(times[name]), 1)}
                    for name in ENDPOINTS if times.get(name)}
    failures = max(sum(int(r["Failure Count"]) for r in stats if r["Name"] != "Aggregated"), sum(own_fails.values()))
    users_all = set(acks) | set(in_db)
    lost = sum(max(0, acks.get(u, 0) - in_db.get(u, 0)) for u in users_all)
    unacked = sum(max(0, in_db.get(u, 0) - acks.get(u, 0)) for u in users_all)
    return {"users": users, "run_time_s": run_time, "scenario": scenario, "wall_s": round(wall, 1), "locust_exit": code,
            "failures": failures, "requests": sum(int(r["Request Count"]) for r in stats if r["Name"] != "Aggregated"),
            "grades_acknowledged": sum(acks.values()), "attempts_in_db": sum(in_db.values()),
            "lost_attempts": lost, "unacknowledged_attempts": unacked, "endpoints": per_endpoint,
            "app_cpu_s": round(app_cpu, 1), "locust_cpu_s": round(locust_cpu, 1),
            "load_before": load_before, "load_after": load_avg(), "failure_kinds": failure_lines[:20], "locust_log": (work / "locust.log").read_text()[-3000:]}


def markdown(res: dict, command: str) -> str:
    when = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    lines = [f"## Load: {res['users']} simulated learners for {res['run_time_s']} s against the app ({when})", "",
             f"`{command}` · {platform.machine()}, {os.cpu_count()} CPU (shared with other engineers' jobs: "
             f"1-min load {res['load_before'].split()[0]} before, {res['load_after'].split()[0]} after — "
             f"`/proc/loadavg` {res['load_before']} → {res['load_after']}), Python {platform.python_version()}, "
             "SQLite record, template mode (no LLM), STUDY_CONCURRENCY 4, Locust 2.47 in one process on the "
             "same machine. " + (
                 "Each learner logs in as its own user and studies in rounds with no pause at all: a 10-item "
                 "/quiz, a /grade for every item, then /search, /ask and /progress"
                 if res.get("scenario") == "study" else
                 "Each learner logs in as its own user and waits 0.5–2.5 s between tasks "
                 "(weights: ask 1, search 3, quiz 2, grade 4, review 2, progress 2)")
             + "; a figure is the whole call (POST /gradio_api/call/… + the SSE result), queueing included.", "",
             "| endpoint | calls | failures | p50 (ms) | p95 (ms) | max (ms) |", "|---|---|---|---|---|---|"]
    for name, e in res["endpoints"].items():
        lines.append(f"| {name} | {e['requests']} | {e['failures']} | {e['p50_ms']:.0f} | {e['p95_ms']:.0f} "
                     f"| {e['max_ms']:.0f} |")
    lines += ["", f"HTTP requests (logins and both steps of each call): {res['requests']}, "
              f"failed: **{res['failures']}**. Grades acknowledged: {res['grades_acknowledged']}; attempts in the "
              f"database: {res['attempts_in_db']}; lost attempts: **{res['lost_attempts']}** "
              f"(recorded but unacknowledged: {res['unacknowledged_attempts']}). CPU over the {res['wall_s']} s run: "
              f"the app {res['app_cpu_s']} s, Locust {res['locust_cpu_s']} s.", ""]
    return "\n".join(lines)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--users", type=int, default=50)
    ap.add_argument("--run-time", type=int, default=60, help="seconds")
    ap.add_argument("--spawn-rate", type=float, default=10)
    ap.add_argument("--corpus", type=Path, default=SEED_NOTES)
    ap.add_argument("--index", type=Path, default=None, help="an index of the corpus to copy (else built)")
    ap.add_argument("--scenario", choices=tuple(SCENARIOS), default="mixed",
                    help="mixed: think time and weighted tasks; study: no think time, quiz → grade each → search/ask/progress")
    ap.add_argument("--json", action="store_true", help="print the figures as JSON")
    ap.add_argument("--results", action="store_true", help="add the section to bench/results/load.md (newest first)")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="load-") as tmp:
        res = run(args.users, args.run_time, args.spawn_rate, args.corpus, args.index, Path(tmp), args.scenario)
    command = "python -m bench.load " + " ".join(sys.argv[1:])
    if args.json:
        print(json.dumps(res, ensure_ascii=False))
    else:
        print(markdown(res, command.strip()))
    if args.results:
        add_section("load", markdown(res, command.replace(" --results", "").strip()))
    return 0 if res["failures"] == 0 and res["lost_attempts"] == 0 and res["locust_exit"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
