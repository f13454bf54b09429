"""The class in the web app in-process (SQLite, the fake embedder): the login the page uses
(accounts first, a Korean line for a wrong password and for a locked name, STUDY_AUTH when the
database has no accounts), the teacher's verbs refused for a learner, uploads and re-index for
teachers only once accounts exist, and what the 교사 tab draws (heat map cells, the line saying
what the numbers mean, flagged items)."""
from __future__ import annotations

from datetime import datetime, timezone

import anyio
import pytest
from fastapi import HTTPException

from learning import ItemStat
from studyapp import ClassProgress, ItemAnalysis, ItemRow, LearnerSummary, NotTeacher
from tests.support.apps import make_app
from interfaces.web.class_views import HEAT_HELP, heatmap_html, item_rows, items_summary
from interfaces.web.login import authenticator

PW = {"kim": "teacher-pw-01", "ann": "ann-secret-02", "bob": "bob-secret-03"}


@pytest.fixture
def sa(seed_corpus, seed_index_dir, tmp_path, embedder):
    app = make_app(seed_corpus, seed_index_dir, tmp_path / "data", embedder)
    yield app
    app.close()


def _class(sa) -> None:
    sa.add_user("kim", PW["kim"], "teacher")
    sa.import_users(f"ann,{PW['ann']}\nbob,{PW['bob']},learner\n")


def _login(auth, name: str, password: str) -> str:
    """'ok', or the refusal's Korean line."""
    try:
        assert anyio.run(auth, name, password) is True
        return "ok"
    except HTTPException as exc:
        assert exc.status_code == 400
        return exc.detail


def test_the_page_login_checks_accounts_and_says_when_a_name_is_locked(sa):
    assert authenticator(sa) is None  # no accounts, no STUDY_AUTH: no login page
    _class(sa)
    auth = authenticator(sa)
    assert _login(auth, "ann", PW["ann"]) == "ok"
    lines = [_login(auth, "ann", "wrong-password") for _ in range(5)]
    assert lines[0] == "이름 또는 비밀번호가 틀렸습니다."
    assert "1번 더 틀리면" in lines[3] and "로그인할 수 없습니다" in lines[4] and "'ann'" in lines[4]
    assert "로그인할 수 없습니다" in _login(auth, "ann", PW["ann"])  # the right password, but locked
    assert _login(auth, "bob", PW["bob"]) == "ok"  # another name is not locked


def test_without_accounts_study_auth_is_the_login(seed_corpus, seed_index_dir, tmp_path, embedder):
    app = make_app(seed_corpus, seed_index_dir, tmp_path / "data", embedder, auth="ann:ann-pw,bob:bob-pw")
    try:
        auth = authenticator(app)
        assert _login(auth, "ann", "ann-pw") == "ok" and _login(auth, "ann", "bob-pw") != "ok"
        assert not app.is_teacher("ann") and app.may_manage_notes("ann")
        app.add_user("kim", PW["kim"], "teacher")  # accounts now: they win over STUDY_AUTH
        assert _login(auth, "ann", "ann-pw") != "ok" and _login(auth, "kim", PW["kim"]) == "ok"
    finally:
        app.close()


def test_every_teacher_verb_refuses_a_learner_and_notes_admin_is_for_teachers(sa, tmp_path):
    assert sa.may_manage_notes("ann")  # no accounts yet: everyone manages the notes
    _class(sa)
    for call in (lambda: sa.class_progress("ann"), lambda: sa.item_stats("ann"),
                 lambda: sa.retire_item("ann", "short-x"), lambda: sa.export_class("ann", "items"),
                 lambda: sa.class_progress("nobody")):
        with pytest.raises(NotTeacher, match="교사만"):
            call()
    note = tmp_path / "new.md"
    note.write_text("# 새 노트\n\n내용\n", encoding="utf-8")
    with pytest.raises(NotTeacher):
        sa.upload_as("ann", [str(note)])
    with pytest.raises(NotTeacher):
        sa.reindex_as("bob")
    assert not (sa.settings.corpus_dir / "new.md").exists()
    assert sa.is_teacher("kim") and [s.user for s in sa.class_progress("kim").learners] == ["ann", "bob"]


def test_retiring_through_the_app_takes_an_item_out_of_quizzes_and_reviews(sa):
    _class(sa)
    first = sa.quiz("ann", "", 4, "short", seed=3)
    gone = first.items[0].id
    sa.grade("ann", gone, "모름")
    later = datetime(2099, 1, 1, tzinfo=timezone.utc)
    assert gone in [e.item.id for e in sa.review("ann", n=50, at=later).items]
    assert sa.retire_item("kim", gone) is True and sa.retire_item("kim", gone) is False
    assert gone not in [e.item.id for e in sa.review("ann", n=50, at=later).items]
    for seed in range(3):
        assert gone not in [it.id for it in sa.quiz("bob", "", 4, "short", seed=seed).items]
    assert sa.progress("ann").attempts == 1  # its history is kept
    assert sa.retire_item("kim", gone, retired=False) is True


def test_the_teacher_tab_draws_the_heat_map_and_flags():
    at = datetime(2026, 12, 1, 9, tzinfo=timezone.utc)
    cp = ClassProgress(at, ("1. 가", "2. 나"), (
        LearnerSummary("ann<b>", (0.0, 1.0), 3, 9, at, False), LearnerSummary("bob", (0.5, 0.25), 0, 0, None, True)))
    html = heatmap_html(cp)
    assert "hsl(0, 70%, 80%)" in html and "hsl(120, 70%, 80%)" in html and "hsl(60, 70%, 80%)" in html
    assert "ann&lt;b&gt;" in html and "<b>" not in html and "💤" in html
    assert "숙달도" in HEAT_HELP and "0으로 셉니다" in HEAT_HELP
    stat = ItemStat("short-1", 12, 12, 1.0, None, ("too_easy",))
    ia = ItemAnalysis(at, 10, (ItemRow("short-1", "short", "무엇인가?\n둘째 줄", "1. 가", "a.md", True, stat),), 2, 12)
    assert item_rows(ia) == [["short-1", "1. 가", "무엇인가?", 12, "1.00", "-", "너무 쉬움", "뺌"]]
    assert "표시 1개" in items_summary(ia) and "2개" in items_summary(ia)


def test_an_instance_loads_the_generation_another_one_built(seed_corpus, seed_index_copy, tmp_path, embedder,
                                                             tokenizer):
    """Two instances share one index folder: when one re-indexes edited notes, the other's
    follower sees `CURRENT` change and serves the new generation (nothing of its own rebuilt)."""
    import shutil

    from studyapp.watch import GenerationWatcher
    from tests.support.libraries import open_library

    corpus = tmp_path / "corpus"
    shutil.copytree(seed_corpus, corpus)
    one = open_library(corpus, seed_index_copy, embedder, tokenizer)
    two = open_library(corpus, seed_index_copy, embedder, tokenizer)
    follower = GenerationWatcher(two, interval=60)
    assert two.generation is not None and follower.check() is False  # nothing new yet
    (corpus / "extra.md").write_text("# 추가 노트\n\n따라잡기확인용어 는 두 번째 인스턴스가 찾아야 합니다.\n", encoding="utf-8")
    one.refresh()
    assert one.generation != two.generation
    assert follower.check() is True and two.generation == one.generation
    assert any("extra.md" in h.source for h in two.search("따라잡기확인용어", mode="keyword", k=3))
