"""The launched app with several logins (issue 10): every request acts for its login, one user
can never read or change another's record through the API, the API's JSON is the CLI's, a
restart keeps every user's record, queue and progress, and two app instances share one
PostgreSQL record. `python app.py` runs in a subprocess on a free 127.0.0.1 port."""
from __future__ import annotations

import json

import pytest

from bench.lib.app import app_client, app_env, copy_seed, free_port, start_app, stop_app, wait_for_app
from bench.lib.paths import ROOT
from tests.support.cli import run_cli

pytestmark = pytest.mark.slow  # launches the app (and the CLI)

USERS = {"ann": "ann-pw", "bob": "bob-pw"}
AT = "2099-01-01T09:00"  # far ahead: every answered card is due, so review lists them all


@pytest.fixture(scope="module")
def dirs(seed_corpus, seed_index_dir, tmp_path_factory):
    root = tmp_path_factory.mktemp("app-users")
    corpus, index = copy_seed(seed_corpus, seed_index_dir, root)
    users = root / "users.txt"
    users.write_text("# 테스트 학습자\n" + "".join(f"{u}:{p}\n" for u, p in USERS.items()), encoding="utf-8")
    return root, corpus, index, users


class App:
    """One launched app; `client(user)` logs in as that user."""

    def __init__(self, dirs, tag: str, **env: str) -> None:
        root, corpus, index, users = dirs
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/"
        self.log = root / f"{tag}-{self.port}.log"
        self.proc = start_app(app_env(corpus, index, self.port, data_dir=root / "data",
                                      STUDY_AUTH_FILE=str(users), **env), self.log)
        wait_for_app(self.proc, self.url, self.log, auth=("ann", USERS["ann"]))

    def client(self, user: str):
        return app_client(self.url, (user, USERS[user]))

    def stop(self) -> None:
        stop_app(self.proc)


def _state(c) -> dict:
    return {"review": c.predict(50, AT, api_name="/review"), "wrong": c.predict(api_name="/wrong"),
            "progress": c.predict(AT, api_name="/progress")}


def _record_some(ann, bob) -> dict:
    """ann answers two wrong and one right, bob one right; returns the item ids."""
    a_items = ann.predict("Athena", 3, "short", 11, api_name="/quiz")["items"]
    b_items = bob.predict("Kinesis", 2, "short", 12, api_name="/quiz")["items"]
    for it in a_items[:2]:
        assert ann.predict(it["id"], "전혀 모르겠어요", api_name="/grade")["correct"] is False
    assert ann.predict(a_items[2]["id"], a_items[2]["answer"], "easy", api_name="/grade")["rating"] == "easy"
    assert bob.predict(b_items[0]["id"], b_items[0]["answer"], api_name="/grade")["correct"] is True
    return {"ann": [i["id"] for i in a_items], "bob": [i["id"] for i in b_items]}


def _cli(dirs, user: str, *args: str) -> dict:
    root, corpus, index, _ = dirs
    env = app_env(corpus, index, 0, data_dir=root / "data")
    r = run_cli([args[0], "--user", user, "--json", *args[1:]], env, ROOT)
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)


def test_two_logins_are_apart_the_api_is_the_cli_and_a_restart_keeps_everything(dirs):
    app = App(dirs, "first")
    try:
        ann, bob = app.client("ann"), app.client("bob")
        info = ann.view_api(print_info=False, return_format="dict")["named_endpoints"]
        assert {"/grade", "/review", "/wrong", "/progress"} <= set(info)
        for name in ("/grade", "/review", "/wrong", "/progress", "/quiz"):  # no way to name a user
            assert all("user" not in p["parameter_name"] for p in info[name]["parameters"])
        ids = _record_some(ann, bob)
        # bob can neither grade nor see ann's items; ann's answers are not bob's
        with pytest.raises(Exception, match="출제된 적 없는 문제"):
            bob.predict(ids["ann"][0], "몰라", api_name="/grade")
        before = {"ann": _state(ann), "bob": _state(bob)}
    finally:
        app.stop()
    a, b = before["ann"], before["bob"]
    assert a["progress"]["user"] == "ann" and a["progress"]["attempts"] == 3
    assert b["progress"]["user"] == "bob" and b["progress"]["attempts"] == 1
    assert [i["id"] for i in a["wrong"]["items"]] == ids["ann"][1::-1] and b["wrong"]["items"] == []
    assert {i["id"] for i in a["review"]["items"]} == set(ids["ann"])
    assert {i["id"] for i in b["review"]["items"]} == set(ids["bob"])
    # the same JSON as the CLI on the same record
    for user in USERS:
        assert _cli(dirs, user, "wrong") == before[user]["wrong"]
        assert _cli(dirs, user, "progress", "--at", AT) == before[user]["progress"]
        assert _cli(dirs, user, "review", "--n", "50", "--at", AT) == before[user]["review"]
    # a restart keeps every user's record, queue and progress (the charts' data)
    again = App(dirs, "restart")
    try:
        assert {u: _state(again.client(u)) for u in USERS} == before
    finally:
        again.stop()


def test_wrong_password_and_no_login_are_refused(dirs):
    import urllib.error
    import urllib.request

    app = App(dirs, "refuse")
    try:
        with pytest.raises(Exception):
            app_client(app.url, ("ann", USERS["bob"]))
        with pytest.raises(urllib.error.HTTPError) as e:
            urllib.request.urlopen(app.url + "gradio_api/info", timeout=10)
        assert e.value.code in (401, 403)
    finally:
        app.stop()


def test_two_app_instances_share_one_postgresql_record(dirs, postgres_cluster):
    url = postgres_cluster.create_database("app")
    one, two = App(dirs, "pg1", STUDY_DATABASE_URL=url), App(dirs, "pg2", STUDY_DATABASE_URL=url)
    try:
        ann1, bob2 = one.client("ann"), two.client("bob")
        items = ann1.predict("Glue", 2, "short", 21, api_name="/quiz")["items"]
        ann1.predict(items[0]["id"], "전혀 모르겠어요", api_name="/grade")
        ann2 = two.client("ann")  # ann's record through the other instance
        assert [i["id"] for i in ann2.predict(api_name="/wrong")["items"]] == [items[0]["id"]]
        assert ann2.predict(items[1]["id"], items[1]["answer"], api_name="/grade")["correct"] is True
        assert ann1.predict(AT, api_name="/progress")["attempts"] == 2
        assert bob2.predict(api_name="/wrong")["items"] == []
        assert bob2.predict(AT, api_name="/progress")["attempts"] == 0
        with pytest.raises(Exception, match="출제된 적 없는 문제"):
            bob2.predict(items[0]["id"], "몰라", api_name="/grade")
    finally:
        one.stop()
        two.stop()
