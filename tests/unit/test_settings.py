"""Settings: each default written once, one variable per setting, and the web app's logins
from STUDY_AUTH / STUDY_AUTH_FILE."""
from __future__ import annotations

from pathlib import Path

import pytest

from studyapp.settings import Settings, SettingsError


def test_auth_pairs_from_study_auth_and_study_auth_file(tmp_path):
    assert Settings.from_env({}).auth_pairs() is None
    assert Settings.from_env({"STUDY_AUTH": "ann:pw1, bob:p:w2"}).auth_pairs() == [("ann", "pw1"), ("bob", "p:w2")]
    f = tmp_path / "users.txt"
    f.write_text("# 반 학생들\nann:pw,1\n\n 김민지 : 비번 \n", encoding="utf-8")
    assert Settings.from_env({"STUDY_AUTH_FILE": str(f)}).auth_pairs() == [("ann", "pw,1"), ("김민지", " 비번")]
    for env, msg in [({"STUDY_AUTH": "ann"}, "형식"), ({"STUDY_AUTH": "ann:pw,:x"}, "2번째"),
                     ({"STUDY_AUTH": "ann:a,ann:b"}, "두 번"),
                     ({"STUDY_AUTH": "a:b", "STUDY_AUTH_FILE": str(f)}, "하나만"),
                     ({"STUDY_AUTH_FILE": str(tmp_path / "none.txt")}, "읽을 수 없습니다")]:
        with pytest.raises(SettingsError, match=msg) as e:
            Settings.from_env(env).auth_pairs()
        assert "\n" not in str(e.value) and "pw" not in str(e.value)
    f.write_text("# 아무도 없음\n", encoding="utf-8")
    with pytest.raises(SettingsError, match="없습니다"):
        Settings.from_env({"STUDY_AUTH_FILE": str(f)}).auth_pairs()


def test_every_setting_has_one_default_and_one_variable():
    """Defaults are written once, on the fields: an empty environment gives them unchanged, and
    every field is read from exactly one variable."""
    from dataclasses import fields

    from studyapp.settings import ENV

    assert Settings.from_env({}) == Settings()
    assert set(ENV) == {f.name for f in fields(Settings)}
    assert len({key for key, _ in ENV.values()}) == len(ENV)
    s = Settings.from_env({"STUDY_CONCURRENCY": "0", "STUDY_WATCH_SECONDS": "-2", "STUDY_DEBUG": "1",
                           "STUDY_DATA_DIR": " d ", "GRADIO_SERVER_PORT": "8080"})
    assert (s.concurrency, s.watch_seconds, s.debug, s.data_dir, s.port) == (1, 0.0, True, Path("d"), 8080)
    assert s.models_dir == Path("d") / "models"
    with pytest.raises(SettingsError):
        Settings.from_env({"STUDY_LLM_TIMEOUT": "soon"})
