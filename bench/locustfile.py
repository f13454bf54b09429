"""Locust scenario: simulated learners using the running app's API over plain HTTP.

Each simulated learner logs in as their own user (POST /login; the app runs with
STUDY_AUTH_FILE listing learner01…learnerNN) and mixes ask, search, quiz, grade, review and
progress. Every call is Gradio's HTTP API: POST /gradio_api/call/<name> {"data": [...]} gives
an event id, GET /gradio_api/call/<name>/<id> streams the result (SSE) and ends with
`event: complete` (or `event: error`). Each call is reported once under its endpoint name
("/grade" …) with the time of both steps (queueing included); any HTTP error, `event: error`
or malformed result is a failure. Grades whose result came back are counted per user and
written to --ack-file when the run stops, with every call's time per endpoint (bench/load.py
compares the grades with the database and takes p50/p95 from these times).

Two kinds of learner: `Learner` (the default) mixes the calls with 0.5–2.5 s of thinking
between them; `Studier` (issue 24) never pauses and studies in rounds — a 10-item quiz, every
item graded, then a search, a question and the progress page.

Run by bench/load.py (headless, 127.0.0.1, bounded in time); by hand:
    locust -f bench/locustfile.py --headless -u 10 -r 5 -t 15s --host http://127.0.0.1:7860 \
        --learners-file users.txt --ack-file acks.json
"""
from __future__ import annotations

import itertools
import json
import random
import time
from collections import Counter

from locust import HttpUser, between, constant, events, task

QUESTIONS = ["Athena 파티션 프로젝션은 왜 쓰나요?", "Glue FLEX 실행 클래스는 언제 쓰나요?",
             "Redshift Data Sharing 의 장점은?", "Graviton 인스턴스로 EMR 비용을 줄이는 방법은?",
             "AWS Data Exchange 로 서드파티 데이터를 통합하려면?"]
QUERIES = ["파티션", "Redshift 클러스터", "Graviton", "Athena Workgroup", "EBS 볼륨", "데이터 공유"]
TOPICS = ["Athena", "Glue", "Redshift", "EMR", "Data Exchange", "EC2"]

ACKS: Counter = Counter()  # user → grades whose result came back
TIMES: dict[str, list[float]] = {}  # endpoint → ms of every finished call (failed ones included)
FAILS: Counter = Counter()  # endpoint → failed calls
FAIL_LOG: list[tuple[float, str, str]] = []  # (unix time, endpoint, what) of every failed call
RELOGINS: Counter = Counter()  # user → logins after the first (a `Classmate` whose instance died)
_LEARNERS: list[tuple[str, str]] = []
_NEXT = itertools.count()


@events.init_command_line_parser.add_listener
def _options(parser) -> None:
    parser.add_argument("--learners-file", default="", help="user:password per line")
    parser.add_argument("--ack-file", default="", help="where to write the acknowledged grades (JSON)")


@events.test_start.add_listener
def _load_learners(environment, **_kw) -> None:
    path = environment.parsed_options.learners_file
    with open(path, encoding="utf-8") as f:
        _LEARNERS[:] = [tuple(line.strip().split(":", 1)) for line in f if ":" in line]


@events.test_stop.add_listener
def _write_acks(environment, **_kw) -> None:
    if environment.parsed_options.ack_file:
        with open(environment.parsed_options.ack_file, "w", encoding="utf-8") as f:
            json.dump({"acks": dict(ACKS), "times": TIMES, "failures": dict(FAILS), "fail_log": FAIL_LOG,
                       "relogins": dict(RELOGINS)}, f)


class _Api(HttpUser):
    """A logged-in learner calling the API (no tasks of its own)."""

    abstract = True

    def on_start(self) -> None:
        self.user, self.password = _LEARNERS[next(_NEXT) % len(_LEARNERS)]
        self.pending: list[dict] = []  # quiz items shown to this learner, not yet answered
        self.login()

    def login(self) -> None:
        r = self.client.post("/login", data={"username": self.user, "password": self.password}, name="/login")
        if r.status_code != 200:
            raise RuntimeError(f"login failed for {self.user}: {r.status_code}")

    def call(self, name: str, *data, check=lambda out: True):
        """One API call (join + result stream) reported as `/name`; the result or None. A result
        that fails `check` is a failure of the call."""
        t0 = time.perf_counter()
        exc: Exception | None = None
        out: list | None = None
        try:
            join = self.client.post(f"/gradio_api/call/{name}", json={"data": list(data)}, name=f"(join) /{name}")
            join.raise_for_status()
            event_id = join.json()["event_id"]
            res = self.client.get(f"/gradio_api/call/{name}/{event_id}", name=f"(result) /{name}")
            res.raise_for_status()
            out = _complete(res.text)
            if not check(out[0]):
                raise AssertionError(f"/{name}: unexpected result {str(out)[:200]}")
        except Exception as e:  # reported as this endpoint's failure
            exc = e
            FAIL_LOG.append((time.time(), f"/{name}", f"{type(e).__name__}: {str(e)[:160]}"))
        ms = (time.perf_counter() - t0) * 1000
        TIMES.setdefault(f"/{name}", []).append(ms)
        FAILS[f"/{name}"] += exc is not None
        events.request.fire(request_type="API", name=f"/{name}", response_time=ms, response_length=0,
                            exception=exc, context={})
        return None if exc is not None else out


class _Practice(_Api):
    """The practising a learner does with think time: quiz, grade each item, review, progress
    (Locust gives a subclass its base classes' tasks)."""

    abstract = True
    wait_time = between(0.5, 2.5)

    @task(2)
    def quiz(self) -> None:
        r = self.call("quiz", random.choice(TOPICS), 3, "", random.randrange(10_000), check=lambda q: bool(q["items"]))
        if r is not None:
            self.pending.extend(r[0]["items"])

    @task(4)
    def grade(self) -> None:
        if not self.pending:
            return self.quiz()
        item = self.pending.pop(0)
        answer = item["answer"] if random.random() < 0.6 else "모르겠어요"
        r = self.call("grade", item["id"], answer, "", check=lambda g: g["user"] == self.user and "correct" in g)
        if r is not None:
            ACKS[self.user] += 1

    @task(2)
    def review(self) -> None:
        self.call("review", 5, "", check=lambda r: r["user"] == self.user)

    @task(2)
    def progress(self) -> None:
        self.call("progress", "", check=lambda p: p["user"] == self.user and len(p["sections"]) > 0)


class Learner(_Practice):
    """A learner of one deployment: the practice above, plus questions and keyword searches."""

    @task(1)
    def ask(self) -> None:
        self.call("ask", random.choice(QUESTIONS), check=lambda md: "[1]" in md)

    @task(3)
    def search(self) -> None:
        self.call("search", random.choice(QUERIES), "keyword", 5, "", check=lambda r: bool(r["hits"]))


class Studier(_Api):
    """No think time: quiz (10 items) → grade each item → search → ask → progress, again and again."""

    wait_time = constant(0)

    @task
    def study_round(self) -> None:
        r = self.call("quiz", random.choice(TOPICS), 10, "", random.randrange(100_000),
                      check=lambda q: bool(q["items"]))
        for item in (r[0]["items"] if r is not None else []):
            answer = item["answer"] if random.random() < 0.6 else "모르겠어요"
            g = self.call("grade", item["id"], answer, "", check=lambda g: g["user"] == self.user and "correct" in g)
            if g is not None:
                ACKS[self.user] += 1
        self.call("search", random.choice(QUERIES), "keyword", 5, "", check=lambda r: bool(r["hits"]))
        self.call("ask", random.choice(QUESTIONS), check=lambda md: "[1]" in md)
        self.call("progress", "", check=lambda p: p["user"] == self.user and len(p["sections"]) > 0)


class Classmate(_Practice):
    """A learner of a class (issue 23): quiz, grade, review, progress with 0.5–2.5 s of thinking.
    When a call fails because the instance that knew this browser's login is gone (nginx sent
    it to another, which answers 401), the learner logs in again — as a person would on the
    login page — and goes on."""

    wait_time = between(0.5, 2.5)

    def call(self, name: str, *data, check=lambda out: True):
        out = super().call(name, *data, check=check)
        if out is None and FAIL_LOG and ("401" in FAIL_LOG[-1][2] or "403" in FAIL_LOG[-1][2]
                                         or "Connection" in FAIL_LOG[-1][2]):
            RELOGINS[self.user] += 1
            self.login()
        return out

def _complete(stream: str) -> list:
    """The data of the stream's `event: complete`; an exception for `event: error` or none."""
    event = None
    for line in stream.splitlines():
        if line.startswith("event:"):
            event = line.split(":", 1)[1].strip()
        elif line.startswith("data:") and event in ("complete", "error"):
            data = json.loads(line.split(":", 1)[1])
            if event == "error":
                raise RuntimeError(f"event: error {str(data)[:200]}")
            return data
    raise RuntimeError(f"no result in the stream: {stream[:200]!r}")

