"""Quiz export: CSV (UTF-8 with BOM, opens in Excel) and Anki .apkg (genanki)."""
from __future__ import annotations

import csv
import hashlib
import html
import io
import os
import tempfile
from pathlib import Path
from typing import Iterable, Sequence

from retriever.fsutil import atomic_write

from ..common.labels import OPTION_LETTERS, location
from ..common.types import QuizItem

CSV_HEADER = ("kind", "question", "options", "answer", "explanation", "source")
OPTION_SEP = " | "


def source_label(item: QuizItem) -> str:
    """`file.md:12-20 heading` — the item's source in one line."""
    s = item.source
    return f"{location(s.source, s.lines, s.page, s.ocr)} {s.heading}".strip()


def export_csv(items: Iterable[QuizItem], path: str | os.PathLike) -> Path:
    """Write the items as CSV (written whole, then renamed into place)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    buf = io.StringIO(newline="")
    w = csv.writer(buf)
    w.writerow(CSV_HEADER)
    for it in items:
        w.writerow([it.kind, it.question, OPTION_SEP.join(it.options), it.answer, it.explanation,
                    source_label(it)])
    atomic_write(path, buf.getvalue().encode("utf-8-sig"))
    return path


def _stable_id(text: str) -> int:
    """A 31-bit id derived from a name (Anki wants the same id for the same deck/model)."""
    return int(hashlib.sha1(text.encode("utf-8")).hexdigest()[:8], 16) % (1 << 31) or 1


def _model():
    import genanki

    return genanki.Model(
        _stable_id("study-notes-tutor model v1"),
        "Study Notes Tutor",
        fields=[{"name": "Question"}, {"name": "Options"}, {"name": "Answer"},
                {"name": "Explanation"}, {"name": "Source"}, {"name": "Kind"}],
        templates=[{
            "name": "Card 1",
            "qfmt": "<div class=kind>{{Kind}}</div><div>{{Question}}</div>"
                    "{{#Options}}<div class=opts>{{Options}}</div>{{/Options}}",
            "afmt": "{{FrontSide}}<hr id=answer><div><b>{{Answer}}</b></div>"
                    "<div>{{Explanation}}</div><div class=src>{{Source}}</div>",
        }],
        css=".card{font-family:sans-serif;font-size:20px;text-align:left}"
            ".kind,.src{color:#888;font-size:14px}.opts{margin-top:8px}",
    )


def _h(text: str) -> str:
    return html.escape(text).replace("\n", "<br>")


def export_anki(items: Sequence[QuizItem], path: str | os.PathLike, deck_name: str = "학습 노트 퀴즈") -> Path:
    import genanki

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    deck = genanki.Deck(_stable_id(f"deck:{deck_name}"), deck_name)
    model = _model()
    for it in items:
        opts = "<br>".join(f"{OPTION_LETTERS[i]}. {_h(o)}" if it.kind == "mcq" else _h(o)
                           for i, o in enumerate(it.options))
        note = genanki.Note(model=model,
                            fields=[_h(it.question), opts, _h(it.answer), _h(it.explanation),
                                    _h(source_label(it)), it.kind],
                            guid=genanki.guid_for(it.id, it.question))
        deck.add_note(note)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name[:40]}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:  # genanki writes the zip to a path: write beside the target, then rename
        genanki.Package(deck).write_to_file(tmp)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path
