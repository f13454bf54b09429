"""The teacher's verbs (mixed into `StudyApp`): the class's progress, the item analysis, retiring
or restoring an item for everyone, CSV files of both tables, and the notes administration that
accounts reserve for teachers. Every verb takes the acting user and checks their role here, so
the CLI, the page and the API are refused alike."""
from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Sequence

from learning import ClassProgress, ItemAnalysis, class_progress_csv, item_analysis_csv
from retriever import BuildReport
from tutor.quizzes import section_titles

from .accounts import AccountVerbs
from .downloads import DownloadFolder
from .record import NotesRecord

CLASS_TABLES = ("progress", "items")


class TeacherVerbs(AccountVerbs):
    _record: NotesRecord
    _downloads: DownloadFolder

    def class_progress(self, user: str, at: datetime | None = None) -> ClassProgress:
        """Learners × sections mastery, answers in the last 7 days, who has not studied for 7."""
        self.require_teacher(user)
        self._record.refresh_stale()
        return self._record.record.class_progress(at=at, sections=section_titles(self._record.library))

    def item_stats(self, user: str) -> ItemAnalysis:
        """Facility, discrimination and flags of every item with at least 10 first answers."""
        self.require_teacher(user)
        return self._record.record.item_analysis()

    def retire_item(self, user: str, item_id: str, retired: bool = True) -> bool:
        """Retire an item for everyone (never scheduled again; answers kept) or restore it; True
        when it changed."""
        self.require_teacher(user)
        return self._record.record.retire_item(item_id, retired=retired, by=user)

    def export_class(self, user: str, table: str) -> Path:
        """The class progress (`progress`) or the item analysis (`items`) as a CSV file."""
        if table not in CLASS_TABLES:
            raise ValueError(f"알 수 없는 표: {table} ({', '.join(CLASS_TABLES)})")
        if table == "progress":
            data = self.class_progress(user)
            return self._downloads.write_with(lambda p: class_progress_csv(data, p), "class-progress", ".csv")
        stats = self.item_stats(user)
        return self._downloads.write_with(lambda p: item_analysis_csv(stats, p), "item-analysis", ".csv")

    # -- notes administration: teachers only when the class has accounts ----------------------
    def upload_as(self, user: str, files: Sequence[str | Path] | str | Path | None, overwrite: bool = False):
        """`upload` for `user` (refused for a learner when accounts exist)."""
        if not self.may_manage_notes(user):
            self.require_teacher(user)
        return self.upload(files, overwrite)  # type: ignore[attr-defined]

    def reindex_as(self, user: str, rebuild: bool = False, **kw) -> BuildReport | None:
        """`reindex` for `user` (refused for a learner when accounts exist)."""
        if not self.may_manage_notes(user):
            self.require_teacher(user)
        return self.reindex(rebuild, **kw)  # type: ignore[attr-defined]
