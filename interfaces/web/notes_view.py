"""What the 노트 관리 tab shows: the notes table, the index status, upload and re-index results."""
from __future__ import annotations

from studyapp import BuildReport, NoteRow, StudyApp, Upload, index_summary

from .render import esc, esc_md

NO_NOTES = ('<div class="study-empty">노트 폴더에 노트가 없습니다. .md · .txt · .pdf · .docx · .html '
            '파일이나 스캔·사진(.png · .jpg …)을 올리세요.</div>')
BUSY = "⚠️ 이미 재색인 중입니다. 잠시 후 다시 시도하세요."


def notes_html(rows: list[NoteRow]) -> str:
    if not rows:
        return NO_NOTES
    body = "".join(
        f"<tr><td>{esc(r.source)}</td><td class='num'>{r.chunks}</td>"
        f"<td class='num'>{r.size:,}</td><td>{esc(r.status)}</td></tr>" for r in rows)
    return ("<table class='study-notes'><thead><tr><th>파일</th><th>청크</th><th>크기(바이트)</th>"
            f"<th>상태</th></tr></thead><tbody>{body}</tbody></table>")


def status_markdown(sa: StudyApp) -> str:
    st = sa.index_status()
    secs = f"{st['build_seconds']:.1f}초" if isinstance(st["build_seconds"], (int, float)) else "?"
    fresh = freshness(st)
    return (f"**색인 상태**: {fresh}  \n"
            f"파일 **{st['files']}**개 · 청크 **{st['chunks']}**개 · 건너뛴 파일 {st['skipped']}개  \n"
            f"임베더: `{esc_md(st['embedder'])}` ({st['dim']}차원) · 마지막 빌드 {esc_md(st['built_at'])} "
            f"({secs})  \n노트 폴더: `{esc_md(str(sa.corpus_dir))}` · "
            f"색인 폴더: `{esc_md(str(sa.index_dir))}`")


def freshness(st: dict) -> str:
    """Whether the index is behind the notes, and what happens about it."""
    if st.get("scanning"):
        return f"⏳ {st['scanning']} — 인식된 페이지는 바로 검색되고, 이 표와 상태도 저절로 바뀝니다"
    if st.get("building"):
        return "⏳ 바뀐 노트를 색인하는 중입니다 — 끝나면 이 표와 상태가 저절로 바뀝니다"
    if st["up_to_date"]:
        return "✅ 최신"
    if st.get("auto"):
        return "⏳ 노트가 바뀌었습니다 — 몇 초 안에 자동으로 다시 색인합니다"
    return "⚠️ 노트가 바뀌었습니다 — 재색인하세요"


def upload_markdown(uploads: list[Upload]) -> str:
    if not uploads:
        return "올릴 파일을 고르세요 (.md, .txt, .pdf, .docx, .html, 스캔·사진 .png .jpg .tif .webp .bmp)."
    out = "\n\n".join(f"✅ {esc_md(u.saved.message())}" if u.saved else f"❌ {esc_md(u.name)}: {esc_md(u.error)}"
                      for u in uploads)
    if any(u.saved is not None and not u.saved.unchanged for u in uploads):
        out += "\n\n⏳ 색인에 반영하는 중입니다 — 끝나면 아래 표가 저절로 바뀝니다."
    return out


def reindex_markdown(rep: BuildReport | None) -> str:
    if rep is None:
        return BUSY
    out = (f"✅ 재색인 완료: {index_summary(rep)}" if rep.changed
           else f"변경 없음 — 색인이 이미 노트와 같습니다: {index_summary(rep)}")
    for sk in rep.skipped:
        out += f"  \n⚠️ 건너뜀: {esc_md(sk.path)} — {esc_md(sk.reason)}"
    return out
