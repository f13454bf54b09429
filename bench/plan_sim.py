"""학습 계획 against plain FSRS review, with simulated learners; plan latency; the FSRS optimizer.

    python -m bench.plan_sim                 # everything, figures as Markdown on stdout
    python -m bench.plan_sim --out /tmp/plan_sim.md
    python -m bench.plan_sim --parts sim --seeds 2

**The simulated learner** — not FSRS itself. Each item i has a difficulty δᵢ ~ lognormal(0, 0.35);
a learner has a skill κ (weak 0.6, average 1.0, strong 1.5). Memory of an item is one number,
its stability S in days, with recall after t days R = 0.9^(t/S): an exponential curve, where
FSRS assumes a power curve (the two agree at t = S and part after: at t = 2S, 0.81 against FSRS's
0.85). The constants make the *average* learner the one FSRS's default parameters (fitted on
many Anki users) describe at the first reviews — S = 2.3 days after the first exposure, ×5 at a
review at 90 % recall, ×4 at the next; weak and strong learners scale both by κ.
- First answer: right with probability min(0.95, 0.6·κ/δ); either way the learner then sees the
  answer and S = 2.3·κ/δ.
- A later answer a day or more after the last: right with probability R. Right: S grows by
  1 + 23.6·κ/δ·(1−R)^0.7·S^−0.15 (more when recall was harder — the spacing effect — and less
  for what is already stable); wrong: S = max(0.3, 0.25·S) (a lapse, relearned from the answer).
- Same-day repeats (FSRS's learning steps) are answered from fresh memory and leave S as it is.
On the exam day (09:00) every item counts its R; an item never studied counts 0.

**Runs** (the real record, SQLite, UTC days): 300 items in 10 sections shown on day 0, the exam
60 days later, 20 items a day. *Plan*: each morning `plan(per_day=20)` and `review(plan=…)`,
every item answered; then the day's learning-step repeats. *Plain FSRS*: each morning
`review(n=k)` — due cards first, then new items, weakest sections first — with k the number of
items the plan run answered that day, so both runs answer the same number of items every day.
"""
from __future__ import annotations

import argparse
import math
import platform
import random
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, datetime, timedelta, timezone
from pathlib import Path


from bench.lib.history import replay_history
from learning import ItemContext, LearningRecord, default_url
from learning.optimize import Review, optimize
from learning.scheduler import FSRS, choose_rating
from tutor.common.types import QuizItem, SourceRef

UTC = timezone.utc
START = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)
DAY = timedelta(days=1)
LEVELS = {"weak": 0.6, "average": 1.0, "strong": 1.5}
USER = "sim"


class Learner:
    """The simulated memory model of the module docstring."""

    def __init__(self, skill: float, n_items: int, seed: int) -> None:
        self.skill, self.rng = skill, random.Random(seed)
        self.delta = [math.exp(self.rng.gauss(0, 0.35)) for _ in range(n_items)]
        self.s: dict[int, float] = {}
        self.last: dict[int, datetime] = {}

    def answer(self, i: int, t: datetime) -> bool:
        k, d = self.skill, self.delta[i]
        if i not in self.s:
            self.s[i], self.last[i] = 2.3 * k / d, t
            return self.rng.random() < min(0.95, 0.6 * k / d)
        days = (t - self.last[i]) / DAY
        r = 0.9 ** (days / self.s[i])
        ok = self.rng.random() < r
        if days < 0.5:
            return ok
        if ok:
            self.s[i] *= 1 + 23.6 * k / d * (1 - r) ** 0.7 * self.s[i] ** -0.15
        else:
            self.s[i] = max(0.3, 0.25 * self.s[i])
        self.last[i] = t
        return ok

    def recall(self, i: int, t: datetime) -> float:
        return 0.0 if i not in self.s else 0.9 ** (((t - self.last[i]) / DAY) / self.s[i])


def items(n: int, sections: int) -> list[ItemContext]:
    out = []
    for k in range(n):
        s = k % sections + 1
        it = QuizItem(f"short-{k:05d}", "short", f"문제 {k}", (), f"정답 {k}", "설명",
                      SourceRef(f"note{s}.md", f"{s}. 섹션", (k + 1, k + 1)))
        out.append(ItemContext.from_text(it, f"{s}. 섹션 {s}", f"원문 {k}"))
    return out


def _index(item_id: str) -> int:
    return int(item_id.split("-")[1])


class Run:
    """One simulated learner studying toward the exam with the record."""

    def __init__(self, url: str, learner: Learner, n_items: int, days: int, per_day: int) -> None:
        self.rec = LearningRecord.open(url, tz=UTC)
        self.learner, self.days, self.per_day = learner, days, per_day
        self.exam = (START + days * DAY).date()
        self.rec.show(USER, items(n_items, 10), at=START - timedelta(hours=1))
        self.first: dict[int, date] = {}
        self.answered: list[int] = []
        self.plan_max = 0
        self.infeasible_days = 0

    def _answer(self, entries, t: datetime) -> int:
        for k, e in enumerate(entries):
            i, when = _index(e.item.id), t + timedelta(seconds=30 * k)
            ok = self.learner.answer(i, when)
            self.first.setdefault(i, when.date())
            self.rec.record_attempt(USER, e.item.id, "답", ok, at=when)
        return len(entries)

    def _repeats(self, t: datetime, today: set[str]) -> None:
        for minutes in (15, 30, 45):  # FSRS's learning steps later that morning (free: same items)
            when = t + timedelta(minutes=minutes)
            q = self.rec.review(USER, n=500, at=when)
            self._answer([e for e in q.items if e.reason == "due" and e.item.id in today], when)

    def day(self, d: int, quota: int | None) -> int:
        t = START + d * DAY
        if quota is None:
            plan = self.rec.plan(USER, exam=self.exam, per_day=self.per_day, at=t)
            self.plan_max = max(self.plan_max, max((x.total for x in plan.days), default=0))
            self.infeasible_days += not plan.feasible
            q = self.rec.review(USER, n=500, at=t, plan=plan)
        else:
            q = self.rec.review(USER, n=quota, at=t) if quota else None
        entries = list(q.items) if q else []
        n = self._answer(entries, t)
        self._repeats(t + timedelta(seconds=30 * n), {e.item.id for e in entries})
        return n

    def finish(self, n_items: int) -> dict:
        exam_at = datetime.combine(self.exam, datetime.min.time(), UTC) + timedelta(hours=9)
        recall = [self.learner.recall(i, exam_at) for i in range(n_items)]
        late = sum(1 for i in range(n_items) if self.first.get(i, self.exam) > self.exam - timedelta(days=7))
        attempts = self.rec.progress(USER, at=exam_at).attempts
        self.rec.close()
        return {"recall": statistics.mean(recall), "late": late, "attempts": attempts}


def simulate(level: str, seed: int, n_items: int, days: int, per_day: int, workdir: Path) -> dict:
    random.seed(seed)  # py-fsrs's fuzz draws from the global generator
    plan_run = Run(default_url(workdir / f"plan-{level}-{seed}"), Learner(LEVELS[level], n_items, seed), n_items,
                   days, per_day)
    per = [plan_run.day(d, None) for d in range(days)]
    plan = plan_run.finish(n_items) | {"max_day": max(per), "plan_max": plan_run.plan_max,
                                        "infeasible_days": plan_run.infeasible_days}
    random.seed(seed)
    base_run = Run(default_url(workdir / f"base-{level}-{seed}"), Learner(LEVELS[level], n_items, seed), n_items,
                   days, per_day)
    base_per = [base_run.day(d, per[d]) for d in range(days)]
    base = base_run.finish(n_items) | {"max_day": max(base_per)}
    return {"level": level, "seed": seed, "items_answered": sum(per), "base_items_answered": sum(base_per),
            "plan": plan, "base": base}


def seed_history(rec: LearningRecord, n_cards: int, n_attempts: int, now: datetime) -> None:
    """2,000 items shown 60 days ago and 10,000 answers replayed through FSRS (one transaction)."""
    replay_history(rec, USER, items(n_cards, 40), n_attempts, now, 0.8)


def time_plan(workdir: Path, repeats: int) -> list[str]:
    now = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)
    rec = LearningRecord.open(default_url(workdir / "latency"), tz=UTC)
    try:
        seed_history(rec, 2000, 10_000, now)
        lines = []
        for per_day in (20, 120):
            times, cpu, plan = [], [], None
            for _ in range(repeats):
                t, c = time.perf_counter(), time.process_time()
                plan = rec.plan(USER, exam=(now + 60 * DAY).date(), per_day=per_day, at=now)
                times.append(time.perf_counter() - t)
                cpu.append(time.process_time() - c)
            lines.append(f"| plan, 2,000 items, 10,000 answers, {per_day}/day | {repeats} | "
                         f"{statistics.median(times) * 1000:.0f} | {max(times) * 1000:.0f} | "
                         f"{statistics.median(cpu) * 1000:.0f} | feasible {plan.feasible}, needed "
                         f"{plan.needed_per_day} | {'PASS' if statistics.median(cpu) < 1 else 'FAIL'} (< 1 s CPU); "
                         f"wall {'under' if statistics.median(times) < 1 else 'over'} 1 s at this load |")
        return lines
    finally:
        rec.close()


def optimizer_history(n_reviews: int, seed: int = 11) -> list[Review]:
    """Reviews of the simulated average learner, scheduled by FSRS's defaults, until n_reviews."""
    rng, fsrs, learner = random.Random(seed), FSRS(fuzz=True), Learner(1.0, 400, seed)
    random.seed(seed)
    out: list[Review] = []
    for i in range(400):
        state, t = FSRS.new_state(START), START + timedelta(days=rng.randint(0, 60), minutes=i % 50)
        for _ in range(12):
            ok = learner.answer(i, t)
            r = choose_rating(ok, None)
            out.append(Review(f"short-{i:05d}", t, int(r)))
            state = fsrs.review(i + 1, state, r, t)
            t = max(state.due, t + DAY)
        if len(out) >= n_reviews:
            break
    return out[:n_reviews]


def time_optimizer(n_reviews: int) -> list[str]:
    h = optimizer_history(n_reviews)
    t, c = time.perf_counter(), time.process_time()
    res = optimize(USER, h)
    took, cpu = time.perf_counter() - t, time.process_time() - c
    ratio = res.logloss_fitted / res.logloss_default if res.logloss_fitted else float("nan")
    verdict = "PASS" if res.fitted and res.logloss_fitted < res.logloss_default else "FAIL"
    return [f"| {len(h):,} | {res.counted} | {res.held_out} | {res.logloss_default:.4f} | "
            f"{res.logloss_fitted:.4f} | {ratio:.3f} | {took:.1f} ({cpu:.1f} CPU) | {verdict} |"]


def machine() -> str:
    out = subprocess.run(["lscpu"], capture_output=True, text=True).stdout
    info = dict(line.split(":", 1) for line in out.splitlines() if ":" in line)
    flags = info.get("Flags", "").split()
    wanted = [f for f in flags if f in {"avx", "avx2", "avx512f", "avx512_bf16", "amx_bf16", "fma", "sse4_2"}]
    load = Path("/proc/loadavg").read_text().split()[:3] if Path("/proc/loadavg").exists() else ["?"]
    return (f"{info.get('Model name', '?').strip()}, {info.get('CPU(s)', '?').strip()} CPUs, flags "
            f"{' '.join(wanted)}; Python {platform.python_version()}; load average {' '.join(load)} "
            f"(a shared machine: wall times include waiting for the CPU)")


def sim_table(results: list[dict]) -> list[str]:
    lines = ["| learner | seed | items/day (both) | plan: max day | plan: exam recall | plan: introduced after D-7 "
             "| plan: days infeasible | plain FSRS: exam recall | plain: not introduced by D-7 | ratio |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    for r in results:
        p, b = r["plan"], r["base"]
        lines.append(f"| {r['level']} | {r['seed']} | {r['items_answered'] / 60:.1f} | {p['max_day']} (plan ≤ {p['plan_max']}) "
                     f"| {p['recall']:.3f} | {p['late']} | {p['infeasible_days']} | {b['recall']:.3f} | {b['late']} "
                     f"| {p['recall'] / b['recall']:.3f} |")
    return lines


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--parts", default="sim,latency,optimizer")
    ap.add_argument("--seeds", type=int, default=1)
    ap.add_argument("--levels", default=",".join(LEVELS))
    ap.add_argument("--items", type=int, default=300)
    ap.add_argument("--days", type=int, default=60)
    ap.add_argument("--per-day", type=int, default=20)
    ap.add_argument("--reviews", type=int, default=2000, help="optimizer history length")
    ap.add_argument("--out", help="also write the figures to this Markdown file")
    ap.add_argument("--append", action="store_true", help="add to --out instead of replacing it")
    args = ap.parse_args()
    parts = set(args.parts.split(","))
    lines = [f"`python -m bench.plan_sim {' '.join(sys.argv[1:])}`".replace(" `", "`"),
             f"{datetime.now().astimezone():%Y-%m-%d %H:%M %Z} · {machine()}", ""]
    with tempfile.TemporaryDirectory() as tmp:
        if "sim" in parts:
            t = time.perf_counter()
            results = [simulate(level, seed, args.items, args.days, args.per_day, Path(tmp))
                       for seed in range(1, args.seeds + 1) for level in args.levels.split(",")]
            lines += [f"### {args.items} items, {args.days} days, {args.per_day}/day "
                      f"({time.perf_counter() - t:.0f} s)", ""] + sim_table(results) + [""]
        if "latency" in parts:
            lines += ["### plan latency (the record's `plan`, SQLite, warm)", "",
                      "| call | runs | median (ms) | max (ms) | median CPU (ms) | result | target |",
                      "|---|---|---|---|---|---|---|"] + time_plan(Path(tmp), 5) + [""]
        if "optimizer" in parts:
            lines += ["### optimizer (py-fsrs Optimizer, simulated average learner)", "",
                      "| reviews | learned from (80 %) | scored (20 %) | log loss default | log loss fitted "
                      "| fitted/default | seconds | target |", "|---|---|---|---|---|---|---|---|"]
            lines += time_optimizer(args.reviews) + [""]
    text = "\n".join(lines)
    print(text)
    if args.out:
        old = Path(args.out).read_text(encoding="utf-8") + "\n" if args.append and Path(args.out).exists() else ""
        Path(args.out).write_text(old + text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
