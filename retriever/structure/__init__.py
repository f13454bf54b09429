"""The notes' own structure: sections of quotable units (문제 시나리오, 정답, 시험 포인트, ✅/❌
bullets, definitions, table rows, code), parsed with the chunker's line patterns so that every
chunk and every section share one id (`section_id`)."""
from .parse import parse_note, parse_notes
from ..types import section_id
from .sections import HANGUL_RE, NotesStructure, Section, Unit, UnitKind, plain, table_cells

__all__ = ["HANGUL_RE", "NotesStructure", "Section", "Unit", "UnitKind", "parse_note", "parse_notes", "plain",
           "section_id", "table_cells"]
