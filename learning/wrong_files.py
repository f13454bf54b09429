"""오답 노트 export: CSV (UTF-8 with BOM, opens in Excel) and Anki .apkg (genanki).

Unlike the quiz export in `tutor/export.py`, these carry the learner's last answer and how often
the item was missed.
"""
from __future__ import annotations

import csv
import hashlib
import html
import os
from pathlib import Path

from tutor.common.labels import location

from .results import WrongNotes

CSV_HEADER = ("id", "kind", "question", "options", "answer", "last_answer", "wrong_count",
              "explanation", "section", "source", "last_wrong_at")
OPTION_SEP = " | "


def _source_label(entry) -> str:
    """Where the item is from, as the quiz export says it (`file.md:3-5`, `file.pdf p. 3 · 스캔`)."""
    s = entry.item.source
    return f"{location(s.source, s.lines, s.page, s.ocr)} {s.heading}".strip()


def export_wrong_csv(notes: WrongNotes, path: str | os.PathLike) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8-sig", newline="") as f:
        w = csv.writer(f)
        w.writerow(CSV_HEADER)
        for e in notes.items:
            it = e.item
            w.writerow([it.id, it.kind, it.question, OPTION_SEP.join(it.options), it.answer,
                        e.last_answer, e.wrong_count, it.explanation, e.section, _source_label(e),
                        e.last_wrong_at.isoformat(timespec="seconds")])
    return path


def _stable_id(text: str) -> int:
    return int(hashlib.sha1(text.encode("utf-8")).hexdigest()[:8], 16) % (1 << 31) or 1


def _h(text: str) -> str:
    return html.escape(text).replace("\n", "<br>")


def _model():
    import genanki

    return genanki.Model(
        _stable_id("study-notes learning record wrong-answer model v1"), "오답 노트",
        fields=[{"name": "Question"}, {"name": "Options"}, {"name": "Answer"}, {"name": "LastAnswer"},
                {"name": "WrongCount"}, {"name": "Explanation"}, {"name": "Source"}],
        templates=[{
            "name": "Card 1",
            "qfmt": "<div>{{Question}}</div>{{#Options}}<div class=opts>{{Options}}</div>{{/Options}}",
            "afmt": "{{FrontSide}}<hr id=answer><div><b>{{Answer}}</b></div>"
                    "<div class=mine>내 답: {{LastAnswer}} (틀린 횟수 {{WrongCount}})</div>"
                    "<div>{{Explanation}}</div><div class=src>{{Source}}</div>",
        }],
        css=".card{font-family:sans-serif;font-size:20px;text-align:left}"
            ".src,.mine{color:#888;font-size:14px}.opts{margin-top:8px}",
    )


def export_wrong_anki(notes: WrongNotes, path: str | os.PathLike, deck_name: str | None = None) -> Path:
    import genanki

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    name = deck_name or f"오답 노트 ({notes.user})"
    deck = genanki.Deck(_stable_id(f"wrong-deck:{name}"), name)
    model = _model()
    for e in notes.items:
        it = e.item
        opts = "<br>".join(f"{'ABCD'[k]}. {_h(o)}" if it.kind == "mcq" and k < 4 else _h(o)
                           for k, o in enumerate(it.options))
        deck.add_note(genanki.Note(model=model, guid=genanki.guid_for("wrong", it.id), fields=[
            _h(it.question), opts, _h(it.answer), _h(e.last_answer), str(e.wrong_count),
            _h(it.explanation), _h(_source_label(e))]))
    genanki.Package(deck).write_to_file(str(path))
    return path
