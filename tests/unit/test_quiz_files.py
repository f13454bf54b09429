"""CSV (UTF-8 BOM) and Anki .apkg exports of a real quiz."""
from __future__ import annotations

import csv
import sqlite3
import zipfile

from tutor.quizzes.files import CSV_HEADER, export_anki, export_csv
from tutor.quizzes.make import make_quiz


def test_csv_round_trip_with_bom(seed_library, tmp_path):
    quiz = make_quiz(seed_library, n=12, seed=1)
    path = export_csv(quiz.items, tmp_path / "quiz.csv")
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    with path.open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))
    assert tuple(rows[0]) == CSV_HEADER
    assert len(rows) == 1 + len(quiz.items) == 13
    for row, it in zip(rows[1:], quiz.items):
        assert row[0] == it.kind and row[1] == it.question and row[3] == it.answer
        if it.kind == "mcq":
            assert row[2].split(" | ") == list(it.options)
        assert it.source.source in row[5]


def test_anki_package_holds_one_note_per_item(seed_library, tmp_path):
    quiz = make_quiz(seed_library, n=9, seed=2)
    path = export_anki(quiz.items, tmp_path / "quiz.apkg", deck_name="테스트 덱")
    assert zipfile.is_zipfile(path)
    with zipfile.ZipFile(path) as z:
        name = next(n for n in z.namelist() if n.startswith("collection.anki2"))
        z.extract(name, tmp_path / "x")
    con = sqlite3.connect(tmp_path / "x" / name)
    try:
        (count,) = con.execute("select count(*) from notes").fetchone()
        flds = [r[0] for r in con.execute("select flds from notes")]
    finally:
        con.close()
    assert count == 9
    assert all("0910-aws-data-engineering.md" in f for f in flds)  # the source field
