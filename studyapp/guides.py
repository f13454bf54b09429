"""The 단원 요약 (study guide) verbs of `StudyApp`: the guide of the notes (or of the sections a
text names), with a learner's 오답 노트 joined in, as records, Markdown, HTML or an A4 PDF."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

from tutor.guide import Guide, Missed, attach_missed, build_guide
from tutor.guide.pdf import write_pdf
from tutor.guide.render import to_html, to_markdown

GUIDE_FORMATS = ("md", "html", "pdf")


class GuideError(ValueError):
    """A guide could not be made as asked (an unknown format, an unwritable file): one line."""


def _check_format(fmt: str) -> str:
    f = (fmt or "md").lower().lstrip(".")
    f = "md" if f == "markdown" else f
    if f not in GUIDE_FORMATS:
        raise GuideError(f"형식은 {', '.join(GUIDE_FORMATS)} 중 하나여야 합니다: {fmt}")
    return f


class GuideVerbs:
    """Mixed into `StudyApp` (uses its library, record, settings and download folder)."""

    def guide(self, user: str | None = None, section: str | None = None) -> Guide:
        """The guide of the notes (`section`: only the sections whose title holds it —
        `UnknownSection` lists them when none does); `user`: join in their 오답 노트."""
        guide = build_guide(self._library.structure(), section)
        if not user:
            return guide
        missed = [Missed(e.item.id, e.item.question, e.item.answer, e.wrong_count, e.section, e.item.source)
                  for e in self._record.wrong(user).items]
        return attach_missed(guide, missed, user)

    @staticmethod
    def guide_text(guide: Guide, fmt: str = "md") -> str:
        """The guide as Markdown (`md`) or a whole HTML page (`html`)."""
        f = _check_format(fmt)
        if f == "pdf":
            raise GuideError("PDF는 글이 아니라 파일입니다: write_guide를 쓰세요.")
        return to_markdown(guide) if f == "md" else to_html(guide)

    @staticmethod
    def guide_html(guide: Guide) -> str:
        """The guide as an HTML fragment for a page (every note text escaped)."""
        return to_html(guide, page=False)

    def write_guide(self, guide: Guide, fmt: str = "md", out: Path | None = None) -> Path:
        """Writes the guide to `out` (atomically: a whole file or none), or to a new file in
        the download folder; its path. An unwritable place is a `GuideError`."""
        f = _check_format(fmt)
        if out is None:
            return self._downloads.write_with(lambda p: self._write(guide, f, p), "guide", f".{f}")
        return self._write(guide, f, Path(out))

    def _write(self, guide: Guide, fmt: str, out: Path) -> Path:
        folder = out.parent if str(out.parent) else Path(".")
        if out.is_dir():
            raise GuideError(f"출력 경로가 폴더입니다: {out}")
        try:
            fd, tmp = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".tmp", dir=folder)
        except OSError as exc:
            raise GuideError(f"출력 파일을 쓸 수 없습니다: {out} ({exc.strerror or exc})") from None
        os.close(fd)
        try:
            if fmt == "pdf":
                write_pdf(guide, Path(tmp), self.settings.guide_font or None)
            else:
                Path(tmp).write_text(self.guide_text(guide, fmt), encoding="utf-8")
            os.replace(tmp, out)
        except OSError as exc:
            raise GuideError(f"출력 파일을 쓸 수 없습니다: {out} ({exc.strerror or exc})") from None
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
        return out
