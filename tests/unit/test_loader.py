import hashlib
import os

from retriever.loader import load_corpus
from retriever.readers.text import decode_bytes


def _tree_state(root):
    out = {}
    for dirpath, _, files in os.walk(root):
        for f in files:
            p = os.path.join(dirpath, f)
            out[p] = (os.stat(p).st_mtime_ns, hashlib.sha256(open(p, "rb").read()).hexdigest())
    return out


def test_encodings_binary_empty_hidden_and_nested(tmp_path):
    (tmp_path / "sub" / "deeper").mkdir(parents=True)
    (tmp_path / "utf8.md").write_text("# 제목\n파티션 프로젝션", encoding="utf-8")
    (tmp_path / "bom.txt").write_bytes("\ufeff레드시프트 데이터 공유".encode("utf-8"))
    (tmp_path / "sub" / "windows.txt").write_bytes("윈도우에서 저장한 노트: 그래비톤 인스턴스".encode("cp949"))
    (tmp_path / "sub" / "deeper" / "n.markdown").write_text("깊은 폴더의 노트", encoding="utf-8")
    (tmp_path / "empty.md").write_bytes(b"")
    (tmp_path / "image.md").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    (tmp_path / ".hidden.md").write_text("숨김", encoding="utf-8")
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "x.md").write_text("숨김 폴더", encoding="utf-8")
    (tmp_path / "ignored.xlsx").write_bytes(b"PK\x03\x04")  # not a notes format
    (tmp_path / "broken.pdf").write_bytes(b"%PDF")  # a notes format, but no real PDF
    before = _tree_state(tmp_path)

    notes, skipped = load_corpus(tmp_path)

    by = {n.source: n for n in notes}
    assert set(by) == {"utf8.md", "bom.txt", "sub/windows.txt", "sub/deeper/n.markdown"}
    assert by["bom.txt"].text.startswith("레드시프트")  # BOM stripped
    assert by["bom.txt"].encoding == "utf-8-sig"
    assert "그래비톤" in by["sub/windows.txt"].text
    assert by["sub/windows.txt"].encoding.lower().replace("_", "") in {"cp949", "euckr", "uhc"}
    reasons = {s.path: s.reason for s in skipped}
    assert set(reasons) == {"empty.md", "image.md", "broken.pdf"}
    assert "binary" in reasons["image.md"] and "PDF" in reasons["broken.pdf"]
    assert _tree_state(tmp_path) == before  # the corpus is never written


def test_decode_prefers_utf8_and_rejects_nul():
    assert decode_bytes("한글".encode("utf-8")) == ("한글", "utf-8")
    assert decode_bytes(b"abc\x00def") is None
    text, enc = decode_bytes("시험 포인트: 파티션 인덱스".encode("euc-kr"))
    assert text == "시험 포인트: 파티션 인덱스"


def test_unreadable_file_is_skipped_with_reason(tmp_path):
    (tmp_path / "ok.md").write_text("정상 노트", encoding="utf-8")
    bad = tmp_path / "locked.md"
    bad.write_text("잠긴 노트", encoding="utf-8")
    bad.chmod(0)
    try:
        notes, skipped = load_corpus(tmp_path)
    finally:
        bad.chmod(0o644)
    if os.geteuid() == 0:  # root reads anything: then it simply loads
        assert {n.source for n in notes} == {"ok.md", "locked.md"}
    else:
        assert [s.path for s in skipped] == ["locked.md"]
