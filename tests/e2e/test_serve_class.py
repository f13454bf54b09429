"""A class on one machine (issue 23): `python -m tutor users import` and `python -m tutor serve
--instances 2` on a real PostgreSQL with a real nginx in front, then everything through HTTP —
nginx's routing cookie keeps a browser on one instance and spreads new browsers; the lockout
holds across the two instances; a learner reads only their own record and is refused every
teacher endpoint while the teacher reads the class; retiring an item takes it out of every
learner's queue; only Argon2id hashes are stored and no password is in any log; a SIGKILLed
instance loses no committed grade and its browsers land on the other; SIGTERM stops it all."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
import sqlalchemy as sa

from bench.lib.app import app_client, app_env, copy_seed, free_port
from bench.lib.paths import ROOT
from tests.support.cli import run_cli
from tests.support.services import need_program

pytestmark = pytest.mark.slow  # builds nothing, but starts nginx and two apps

PW = {"kim": "teacher-pw-01", "ann": "ann-secret-02", "bob": "bob-secret-03", "cho": "cho-secret-04"}
AT = "2099-01-01T09:00"
ROUTE = "study_route"


def _wait(predicate, timeout: float, what: str, proc=None, log: Path | None = None):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise AssertionError(f"{what}: exited {proc.returncode}\n{log.read_text(errors='replace')[-3000:] if log else ''}")
        value = predicate()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"{what}: not within {timeout:.0f}s\n{log.read_text(errors='replace')[-3000:] if log else ''}")


class Served:
    def __init__(self, root: Path, env: dict) -> None:
        self.root, self.env, self.port = root, env, free_port()
        self.run = root / "run"
        self.url = f"http://127.0.0.1:{self.port}/"
        self.log = root / "serve.log"
        self.proc = subprocess.Popen([sys.executable, "-m", "tutor", "serve", "--instances", "2", "--port",
                                      str(self.port), "--run-dir", str(self.run)], cwd=str(ROOT), env=env,
                                     stdout=open(self.log, "wb"), stderr=subprocess.STDOUT, start_new_session=True)
        _wait(lambda: "준비 완료: http" in self.log.read_text(errors="replace"), 600, "serve", self.proc, self.log)
        self.state = json.loads((self.run / "instances.json").read_text())

    def app_url(self, k: int) -> str:
        return f"http://127.0.0.1:{self.state['instances'][k]['port']}/"

    def client(self, user: str, k: int):
        return app_client(self.app_url(k), (user, PW[user]))

    def stop(self) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        return self.proc.wait(timeout=60)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return Path(f"/proc/{pid}").exists() and "zombie" not in Path(f"/proc/{pid}/status").read_text().lower()


@pytest.fixture(scope="module")
def served(seed_corpus, seed_index_dir, postgres_cluster, tmp_path_factory):
    if not Path("/usr/sbin/nginx").exists():
        need_program("nginx", "nginx")  # skipped with the reason here, a failure in CI
    root = tmp_path_factory.mktemp("class")
    corpus, index = copy_seed(seed_corpus, seed_index_dir, root)
    url = postgres_cluster.create_database("class")
    env = app_env(corpus, index, 0, data_dir=root / "data", STUDY_DATABASE_URL=url, STUDY_WATCH_SECONDS="1")
    roster = root / "roster.csv"
    roster.write_text("name,password,role\n" + "".join(f"{u},{p},{'teacher' if u == 'kim' else 'learner'}\n"
                                                        for u, p in PW.items()), encoding="utf-8")
    imp = run_cli(["users", "import", str(roster)], env, ROOT)
    assert imp.returncode == 0 and "4개 계정" in imp.stderr, imp.stderr
    roster.unlink()  # the clear passwords leave with the roster file
    s = Served(root, env)
    s.db_url, s.cli_output = url, imp.stdout + imp.stderr
    yield s
    s.stop()


def test_the_routing_cookie_keeps_a_browser_on_one_instance_and_spreads_new_ones(served):
    ports = {str(i["port"]) for i in served.state["instances"]}
    first = set()
    for _ in range(12):
        browser = requests.Session()
        r = browser.get(served.url, timeout=30)
        assert r.status_code == 200 and ROUTE in browser.cookies
        upstream = r.headers["X-Study-Upstream"]
        first.add(upstream.rsplit(":", 1)[1])
        for _ in range(4):  # the same browser again: the same instance
            assert browser.get(served.url + "config", timeout=30).headers["X-Study-Upstream"] == upstream
    assert first == ports  # twelve new browsers reached both instances
    access = (served.run / "nginx-access.log").read_text()
    assert all(f"upstream=127.0.0.1:{p}" in access for p in ports)


def test_the_lockout_holds_across_both_instances(served):
    a, b = served.app_url(0), served.app_url(1)
    for k, url in enumerate((a, b, a, b, a)):
        r = requests.post(url + "login", data={"username": "cho", "password": f"wrong-{k}"}, timeout=30)
        assert r.status_code == 400
    for url in (a, b):
        r = requests.post(url + "login", data={"username": "cho", "password": PW["cho"]}, timeout=30)
        assert r.status_code == 400 and "로그인할 수 없습니다" in r.json()["detail"], r.text
    assert requests.post(b + "login", data={"username": "bob", "password": PW["bob"]}, timeout=30).status_code == 200


def test_learners_are_apart_teachers_read_the_class_and_a_retired_item_leaves_every_queue(served):
    ann, bob, kim = served.client("ann", 0), served.client("bob", 1), served.client("kim", 1)
    items = ann.predict("", 3, "short", 5, api_name="/quiz")["items"]
    ids = [it["id"] for it in items]
    bob.predict("", 3, "short", 5, api_name="/quiz")  # the same seed: the same items for bob
    for it in items:
        ann.predict(it["id"], "전혀 모르겠어요", api_name="/grade")
    assert ann.predict(AT, api_name="/progress")["attempts"] == 3
    assert bob.predict(AT, api_name="/progress")["attempts"] == 0 and bob.predict(api_name="/wrong")["items"] == []
    for name, args in (("/class_progress", ()), ("/item_stats", ()), ("/retire_item", (ids[0], False)),
                       ("/teacher_tab", ())):
        with pytest.raises(Exception, match="교사만"):
            ann.predict(*args, api_name=name)
    cp = kim.predict(api_name="/class_progress")
    learners = {s["user"]: s for s in cp["learners"]}
    assert set(learners) == {"ann", "bob", "cho"} and learners["ann"]["attempts_7d"] == 3
    assert "bob" in cp["inactive"] and "ann" not in cp["inactive"]
    assert kim.predict(api_name="/item_stats")["min_answers"] == 10
    before = {u: [e["id"] for e in c.predict(50, AT, api_name="/review")["items"]] for u, c in (("ann", ann), ("bob", bob))}
    assert all(ids[0] in q for q in before.values())
    assert kim.predict(ids[0], False, api_name="/retire_item") == {"id": ids[0], "retired": True, "changed": True}
    for c in (ann, bob, served.client("ann", 1)):
        assert ids[0] not in [e["id"] for e in c.predict(50, AT, api_name="/review")["items"]]
    assert ann.predict(AT, api_name="/progress")["attempts"] == 3  # its history is kept


def test_only_argon2id_hashes_are_stored_and_no_password_is_logged(served):
    engine = sa.create_engine(served.db_url)
    try:
        with engine.connect() as conn:
            hashes = dict(conn.execute(sa.text("SELECT name, password_hash FROM learning_users")).all())
            everything = "\n".join(repr(tuple(r)) for t in sa.inspect(conn).get_table_names()
                                   for r in conn.execute(sa.text(f'SELECT * FROM "{t}"')))
    finally:
        engine.dispose()
    assert set(hashes) == set(PW) and all(h.startswith("$argon2id$") for h in hashes.values())
    logs = [p.read_text(errors="replace") for p in served.run.glob("*.log")] + [served.log.read_text(errors="replace"),
                                                                                served.cli_output]
    for pw in PW.values():
        assert pw not in everything and not any(pw in text for text in logs)


def test_a_killed_instance_loses_no_committed_grade_and_its_browsers_move(served):
    """Last in the module: it kills instance 1."""
    victim = served.state["instances"][0]
    doomed = served.client("ann", 0)
    before = doomed.predict(AT, api_name="/progress")["attempts"]  # earlier tests' answers, if they ran
    items = doomed.predict("", 4, "short", 9, api_name="/quiz")["items"]
    acknowledged = [doomed.predict(it["id"], it["answer"], api_name="/grade") for it in items]
    assert all(g["correct"] for g in acknowledged)
    browser = requests.Session()  # a browser that nginx sends to the victim
    for _ in range(40):
        browser.cookies.clear()
        if browser.get(served.url, timeout=30).headers["X-Study-Upstream"].endswith(f":{victim['port']}"):
            break
    else:
        pytest.fail("no new browser was routed to instance 1 in 40 tries")
    os.kill(victim["pid"], signal.SIGKILL)
    _wait(lambda: not _alive(victim["pid"]), 30, "SIGKILLed instance")
    r = browser.get(served.url, timeout=30)  # its next click: the other instance answers
    assert r.status_code == 200 and not r.headers["X-Study-Upstream"].endswith(f":{victim['port']}")
    again = served.client("ann", 1)  # the learner logs in again there
    engine = sa.create_engine(served.db_url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(sa.text("SELECT count(*) FROM learning_attempts WHERE user_id='ann' AND correct "
                                        "AND item_id = ANY(:ids)"), {"ids": [it["id"] for it in items]}).scalar()
    finally:
        engine.dispose()
    assert rows == len(acknowledged)
    assert again.predict(AT, api_name="/progress")["attempts"] == before + len(acknowledged)
    _wait(lambda: "app-1 이(가) 멈췄습니다" in served.log.read_text(errors="replace"), 30, "serve's notice")


def test_sigterm_stops_everything_it_started(served):
    pids = [i["pid"] for i in served.state["instances"]] + [served.state["nginx_pid"]]
    assert served.stop() == 0
    assert not any(_alive(p) for p in pids)
    assert not list(served.run.glob("app-*.pid"))
