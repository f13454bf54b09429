"""A class on one machine (issue 23): item analysis at class size, and Locust through nginx in
front of `python -m tutor serve --instances N` on a throwaway PostgreSQL.

    python -m bench.class_load items                     # 300 learners × 200 items × 10k answers
    python -m bench.class_load load --instances 1 2      # 100 learners, 120 s each, same load
    python -m bench.class_load load --instances 1 2 2 --kill-at 60   # … and a third run that loses instance 1
    python -m bench.class_load load --users 20 --run-time 30 --json    # small

`load` per instance count: a fresh database, the roster imported with `python -m tutor users
import` (Argon2id), `serve` started (nginx as a plain process), every instance warmed up, then
Locust's `Classmate` (login, quiz, grade, review, progress; 0.5–2.5 s of thinking) on nginx's
port. With `--kill-at S` instance 1 gets SIGKILL S seconds in; its learners log in again on the
other. Checks: every acknowledged grade is a row in PostgreSQL (per learner), failures
before/after the kill, requests per instance from nginx's access log (`upstream=`), p50/p95
per endpoint.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from datetime import datetime, timezone
from pathlib import Path

from bench.lib.app import app_env, free_port
from bench.lib.machine import load_avg, machine, pct
from bench.lib.paths import BENCH, ROOT, SEED_NOTES
from bench.lib.results import add_section
from bench.lib.pg_cluster import PostgresCluster

ENDPOINTS = ("/quiz", "/grade", "/review", "/progress", "/search", "/ask")


def items_figure(backends: list[str], learners: int, items: int, answers: int, runs: int = 3) -> list[dict]:
    from learning import LearningRecord, default_url

    from bench.lib.classroom import fill_class

    now = datetime(2026, 12, 1, 9, tzinfo=timezone.utc)
    out = []
    pg = PostgresCluster().start() if "postgresql" in backends else None
    try:
        with tempfile.TemporaryDirectory(prefix="items-") as tmp:
            for name in backends:
                url = default_url(Path(tmp) / "data") if name == "sqlite" else pg.create_database("items")
                with LearningRecord.open(url, tz=timezone.utc, fuzz=False) as rec:
                    fill_class(rec, learners, items, answers, now)
                    times, ia = [], None
                    for _ in range(runs):
                        t0, c0 = time.perf_counter(), time.process_time()
                        ia = rec.item_analysis(at=now)
                        times.append((time.perf_counter() - t0, time.process_time() - c0))
                out.append({"backend": name, "learners": ia.learners, "items": len(ia.items), "fewer": ia.fewer,
                            "flagged": sum(bool(r.stat.flags) for r in ia.items),
                            "wall_s": [round(w, 3) for w, _ in times], "cpu_s": [round(c, 3) for _, c in times]})
    finally:
        if pg is not None:
            pg.stop()
    return out


class ClassRun:
    """One `serve` with N instances on a fresh database, and Locust against it."""

    def __init__(self, work: Path, pg: PostgresCluster, instances: int, users: int, index: Path, tag: str = "") -> None:
        self.work, self.instances, self.users = work, instances, users
        self.tag = f"{tag}{instances}"  # run folder, logs and Locust files of this run
        self.db = pg.create_database(f"class{instances}")
        self.env = app_env(work / "corpus", index, 0, data_dir=work / "data", STUDY_DATABASE_URL=self.db)
        self.run_dir, self.port = work / f"run-{self.tag}", free_port()
        self.learners = work / "learners.txt"

    def accounts(self) -> None:
        roster = self.work / "roster.csv"
        rows = [(f"learner{k:03d}", f"class-pw-{k:03d}") for k in range(1, self.users + 1)]
        roster.write_text("".join(f"{u},{p}\n" for u, p in rows), encoding="utf-8")
        self.learners.write_text("".join(f"{u}:{p}\n" for u, p in rows), encoding="utf-8")
        r = subprocess.run([sys.executable, "-m", "tutor", "users", "import", str(roster)], cwd=str(ROOT),
                           env=self.env, capture_output=True, text=True, timeout=600)
        roster.unlink()
        if r.returncode != 0:
            raise SystemExit(f"users import failed: {r.stderr}")

    def start(self) -> None:
        self.log = self.work / f"serve-{self.tag}.log"
        self.proc = subprocess.Popen([sys.executable, "-m", "tutor", "serve", "--instances", str(self.instances),
                                      "--port", str(self.port), "--run-dir", str(self.run_dir)], cwd=str(ROOT),
                                     env=self.env, stdout=open(self.log, "wb"), stderr=subprocess.STDOUT,
                                     start_new_session=True)
        deadline = time.monotonic() + 1800
        while "준비 완료: http" not in self.log.read_text(errors="replace"):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"serve did not start:\n{self.log.read_text(errors='replace')[-3000:]}")
            time.sleep(0.5)
        self.state = json.loads((self.run_dir / "instances.json").read_text())
        from gradio_client import Client

        for inst in self.state["instances"]:  # steady state: Kiwi, the query model and the quiz pool loaded
            c = Client(f"http://127.0.0.1:{inst['port']}/", auth=("learner001", "class-pw-001"), verbose=False)
            c.predict("파티션", "hybrid", 1, "", api_name="/search")
            c.predict("파티션", 1, "", 0, api_name="/quiz")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        self.proc.wait(timeout=120)


def locust(host: str, users: int, run_time: int, learners: Path, acks: Path, prefix: Path, log: Path,
           user_class: str = "Classmate") -> int:
    cmd = [sys.executable, "-m", "locust", "-f", str(BENCH / "locustfile.py"), user_class, "--headless",
           "--host", host, "-u", str(users), "-r", "10", "-t", f"{run_time}s", "--stop-timeout", "60",
           "--csv", str(prefix), "--only-summary", "--learners-file", str(learners), "--ack-file", str(acks),
           "--loglevel", "WARNING"]
    with open(log, "wb") as out:
        return subprocess.run(cmd, cwd=str(ROOT), stdout=out, stderr=subprocess.STDOUT,
                              timeout=run_time + 300).returncode


def db_attempts(url: str) -> dict[str, int]:
    import sqlalchemy as sa

    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            return dict(conn.execute(sa.text("SELECT user_id, count(*) FROM learning_attempts GROUP BY user_id")).all())
    finally:
        engine.dispose()


def upstream_counts(access_log: Path) -> dict[str, int]:
    """API calls per instance (nginx's `upstream=` of every /gradio_api/call request)."""
    counts: Counter = Counter()
    for line in access_log.read_text(errors="replace").splitlines():
        if "/gradio_api/call/" in line and "upstream=" in line:
            # "upstream=A, B" when A did not answer and nginx passed the request on to B
            counts[line.split("upstream=", 1)[1].split(" rt=")[0].split(",")[-1].strip()] += 1
    return dict(counts)


def load_figure(run: ClassRun, run_time: int, kill_at: float | None, user_class: str = "Classmate") -> dict:
    run.accounts()
    run.start()
    killed: dict = {}

    def kill() -> None:
        victim = run.state["instances"][0]
        killed.update(at=time.time(), pid=victim["pid"], port=victim["port"])
        os.kill(victim["pid"], signal.SIGKILL)

    timer = threading.Timer(kill_at, kill) if kill_at and run.instances > 1 else None
    load_before, acks_file = load_avg(), run.work / f"acks-{run.tag}.json"
    try:
        if timer:
            timer.start()
        t0 = time.time()
        code = locust(f"http://127.0.0.1:{run.port}", run.users, run_time, run.learners, acks_file,
                      run.work / f"locust-{run.tag}", run.work / f"locust-{run.tag}.log", user_class)
    finally:
        if timer:
            timer.cancel()
        run.stop()
    seen = json.loads(acks_file.read_text()) if acks_file.exists() else {}
    acks, times, fail_log = seen.get("acks", {}), seen.get("times", {}), seen.get("fail_log", [])
    in_db = db_attempts(run.db)
    lost = sum(max(0, n - in_db.get(u, 0)) for u, n in acks.items())
    at_kill = [f for f in fail_log if killed and f[0] >= killed["at"]]
    # after the kill: a 401 is a learner's next call on the other instance (their login lived in
    # the dead one: they log in again); anything else was in flight to the dead instance
    relogin = [f[0] - killed["at"] for f in at_kill if "401" in f[2]]
    in_flight = [f[0] - killed["at"] for f in at_kill if "401" not in f[2]]
    return {"instances": run.instances, "users": run.users, "run_time_s": run_time, "locust_exit": code,
            "endpoints": {n: {"calls": len(times[n]), "p50_ms": round(pct(times[n], 50)), "p95_ms": round(pct(times[n], 95))}
                          for n in ENDPOINTS if times.get(n)},
            "failures_before_kill": len(fail_log) - len(at_kill), "failures_after_kill": len(at_kill),
            "after_kill_401": len(relogin), "after_kill_other": len(in_flight),
            "other_within_s": round(max(in_flight), 1) if in_flight else None,
            "last_401_s": round(max(relogin), 1) if relogin else None,
            "failure_kinds": Counter(f[2].split(":")[0] + ":" + f[2].split(":")[1][:40] if ":" in f[2] else f[2]
                                     for f in fail_log).most_common(6),
            "relogins": sum(seen.get("relogins", {}).values()), "killed": bool(killed),
            "kill_at_s": round(killed["at"] - t0, 1) if killed else None,
            "grades_acknowledged": sum(acks.values()), "attempts_in_db": sum(in_db.values()), "lost_grades": lost,
            "per_instance": upstream_counts(run.run_dir / "nginx-access.log"),
            "load_before": load_before, "load_after": load_avg()}


def cpu_line() -> str:
    """The CPU model and the flags that decide the embedding path (AMX, AVX-512)."""
    try:
        info = Path("/proc/cpuinfo").read_text()
    except OSError:
        return machine()
    model = next((ln.split(":", 1)[1].strip() for ln in info.splitlines() if ln.startswith("model name")), "?")
    flags = next((ln.split(":", 1)[1].split() for ln in info.splitlines() if ln.startswith("flags")), [])
    wanted = [f for f in ("avx2", "avx512f", "avx512_vnni", "avx512_bf16", "amx_bf16", "amx_int8") if f in flags]
    return f"{model} ({' '.join(wanted)}), {machine()}"


def markdown(items: list[dict], loads: list[dict], command: str) -> str:
    when = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    out = [f"## A class (issue 23): item analysis, N instances behind nginx on PostgreSQL — {when}", "",
           f"`{command}` · {cpu_line()} · 1-min load {load_avg().split()[0]} at the end", ""]
    for r in items:
        out.append(f"- item analysis, {r['backend']}: {r['learners']} learners, {r['items']} items analysed "
                   f"({r['flagged']} flagged, {r['fewer']} with < 10 answers): wall {r['wall_s']} s, CPU {r['cpu_s']} s "
                   "per call (three calls)")
    if loads:
        out += ["", "| instances | endpoint | calls | p50 (ms) | p95 (ms) |", "|---|---|---|---|---|"]
        for r in loads:
            for name, e in r["endpoints"].items():
                out.append(f"| {r['instances']} | {name} | {e['calls']} | {e['p50_ms']} | {e['p95_ms']} |")
        out.append("")
        for r in loads:
            kill = (f"instance 1 SIGKILLed at {r['kill_at_s']} s; failed calls after it {r['failures_after_kill']}: "
                    f"{r['after_kill_other']} in flight to it (all within {r['other_within_s']} s of the kill) and "
                    f"{r['after_kill_401']} learners' next call answered 401 by the other instance (the last "
                    f"{r['last_401_s']} s after the kill; each then logged in again: {r['relogins']} logins); "
                    if r["killed"] else "")
            out.append(f"- {r['instances']} instance(s), {r['users']} learners, {r['run_time_s']} s (1-min load "
                       f"{r['load_before'].split()[0]} → {r['load_after'].split()[0]}): {kill}failed calls "
                       f"before any kill **{r['failures_before_kill']}**; grades acknowledged "
                       f"{r['grades_acknowledged']}, rows in PostgreSQL {r['attempts_in_db']}, lost **{r['lost_grades']}**; "
                       f"API calls per instance (nginx log) {r['per_instance']}; failure kinds {r['failure_kinds']}")
    return "\n".join(out) + "\n"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("part", choices=("items", "load", "all"))
    ap.add_argument("--instances", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--users", type=int, default=100)
    ap.add_argument("--run-time", type=int, default=120)
    ap.add_argument("--kill-at", type=float, default=None,
                    help="SIGKILL instance 1 this many seconds into the last run (which needs ≥ 2 instances)")
    ap.add_argument("--index", type=Path, default=None, help="an index of the notes to copy (else built once)")
    ap.add_argument("--backends", nargs="+", default=["sqlite", "postgresql"])
    ap.add_argument("--learner", choices=("Classmate", "Studier"), default="Classmate",
                    help="Classmate: 0.5–2.5 s of thinking; Studier: none (issue 24's 30 learners)")
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--save", type=Path, default=None, help="also write the figures as JSON to this file")
    ap.add_argument("--results", action="store_true", help="add the section to bench/results/class_load.md (newest first)")
    args = ap.parse_args()
    items = items_figure(args.backends, 300, 200, 10_000) if args.part in ("items", "all") else []
    loads = []
    if args.part in ("load", "all"):
        with tempfile.TemporaryDirectory(prefix="class-") as tmp:
            work = Path(tmp)
            shutil.copytree(SEED_NOTES, work / "corpus")
            index = work / "index"
            if args.index:
                shutil.copytree(args.index, index)
            pg = PostgresCluster().start()
            try:
                for k, n in enumerate(args.instances):
                    kill = args.kill_at if k == len(args.instances) - 1 else None
                    loads.append(load_figure(ClassRun(work, pg, n, args.users, index, tag=f"{k}-"), args.run_time,
                                             kill, args.learner))
            finally:
                pg.stop()
    command = "python -m bench.class_load " + " ".join(a for a in sys.argv[1:] if a != "--results")
    if args.save:
        args.save.write_text(json.dumps({"items": items, "loads": loads}, ensure_ascii=False), encoding="utf-8")
    print(json.dumps({"items": items, "loads": loads}, ensure_ascii=False) if args.json
          else markdown(items, loads, command))
    if args.results:
        add_section("class_load", markdown(items, loads, command))
    return 0 if all(r["lost_grades"] == 0 and r["failures_before_kill"] == 0 for r in loads) else 1


if __name__ == "__main__":
    sys.exit(main())
