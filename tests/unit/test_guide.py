"""단원 요약 (issue 19): the guide's JSON for the seed and the second notes, built from their
structure with no LLM; plain notes still get one; a PDF with a text layer holding every
section title; 자주 틀린 문항 for a learner with misses and none for another; bad input."""
from __future__ import annotations

import pytest

from retriever.structure import parse_notes
from tests.support.apps import make_app
from tests.support.services import unavailable
from tutor.guide import UnknownSection, build_guide
from tutor.guide.render import to_html, to_markdown

KEYS = {"section", "source", "scenario", "answer", "terms", "points", "use", "avoid", "numbers", "missed"}


def _structure(corpus, tokenizer):
    notes = [(p.name, p.read_text(encoding="utf-8")) for p in sorted(corpus.glob("*.md"))]
    return parse_notes(notes, splitter=tokenizer.split_sentences)


def _texts(xs) -> str:
    return " ".join(x["text"] for x in xs)


def test_seed_guide_json_per_section(seed_corpus, tokenizer):
    d = build_guide(_structure(seed_corpus, tokenizer)).to_dict()
    secs = d["sections"]
    assert len(secs) == 7 and all(set(s) == KEYS for s in secs)
    flex = next(s for s in secs if "Glue FLEX" in s["section"])
    assert "특정 시간에 실행하거나 완료할 필요 없음" in flex["scenario"]["text"]
    assert "FLEX 실행 클래스 선택" in flex["answer"]["text"]
    terms = {t["term"]: t["definition"] for t in flex["terms"]}
    assert terms["FLEX 클래스"] == "지연된 실행, 비용 최적화 우선"
    assert "50% 절약" in _texts(flex["points"])
    assert "배치 ETL 작업" in _texts(flex["use"]) and "실시간 처리" in _texts(flex["avoid"])
    amounts = " | ".join(n["amount"] for n in flex["numbers"])
    assert "$0.22/DPU-hour" in amounts and "$0.44/DPU-hour" in amounts and "50%" in amounts
    assert flex["missed"] == []
    for s in secs:  # every line says where it comes from
        lines = [s["scenario"], s["answer"], *s["points"], *s["use"], *s["avoid"], *s["terms"], *s["numbers"]]
        for x in filter(None, lines):
            src = x["source"]
            assert src["source"].endswith(".md") and 1 <= src["lines"][0] <= src["lines"][1] and src["heading"]
            lo, hi = s["source"]["lines"]
            assert lo <= src["lines"][0] <= hi
    ec2 = next(s for s in secs if "EC2" in s["section"])
    assert any("인스턴스 스토어" in a["text"] for a in ec2["avoid"])  # the wrong option's traps


def test_second_notes_guide_json(second_corpus, tokenizer):
    secs = build_guide(_structure(second_corpus, tokenizer)).to_dict()["sections"]
    assert len(secs) >= 5
    assert all(s["points"] or s["terms"] or s["numbers"] for s in secs)  # never an empty page
    tcp = [s for s in secs if "TCP" in s["section"]]
    assert tcp and any(t["term"] for s in tcp for t in s["terms"])
    assert any(n["amount"] for s in secs for n in s["numbers"])


def test_plain_notes_get_headings_defining_sentences_and_numbers(tokenizer):
    text = ("# 캐시 기초\n\n캐시는 자주 쓰는 데이터를 빠른 저장소에 두는 기법이다. 적중률이 높을수록 평균 지연이 줄어든다.\n"
            "적중률이 95%이면 평균 접근 시간은 약 6ms이다.\n\n"
            "# 교체 정책\n\nLRU는 가장 오래 쓰지 않은 항목을 내보낸다. LFU는 가장 적게 쓴 항목을 내보낸다.\n")
    g = build_guide(parse_notes([("plain.md", text)], splitter=tokenizer.split_sentences))
    assert [s.section for s in g.sections] == ["캐시 기초", "교체 정책"]
    cache = g.sections[0]
    assert cache.points and cache.points[0].text.startswith("캐시는 자주 쓰는 데이터를")
    assert any("95%" in n.amount for n in cache.numbers)
    assert all(s.points for s in g.sections)
    md = to_markdown(g)
    assert "## 1. 캐시 기초" in md and "plain.md · 캐시 기초" in md


def test_section_filter_and_unknown_section_lists_the_sections(seed_corpus, tokenizer):
    struct = _structure(seed_corpus, tokenizer)
    assert [s.section for s in build_guide(struct, "glue flex").sections] == ["6. AWS Glue FLEX 실행 클래스 - 비용 최적화"]
    assert len(build_guide(struct, "6").sections) == 1
    with pytest.raises(UnknownSection) as e:
        build_guide(struct, "쿠버네티스")
    assert "단원:" in str(e.value) and "Glue FLEX" in str(e.value) and len(e.value.sections) == 7


def test_markdown_and_html_escape_note_text(tokenizer):
    text = "# 보안 <script>alert(1)</script>\n\n- **XSS**: <img src=x onerror=alert(1)> 입력을 그대로 출력\n"
    g = build_guide(parse_notes([("x.md", text)], splitter=tokenizer.split_sentences))
    html = to_html(g)
    assert "<script>" not in html and "<img" not in html and "&lt;img" in html


@pytest.fixture(scope="module")
def sa(seed_corpus, seed_index_dir, tmp_path_factory, embedder):
    app = make_app(seed_corpus, seed_index_dir, tmp_path_factory.mktemp("guide-data"), embedder)
    yield app
    app.close()


def test_missed_items_join_their_section_for_that_learner_only(sa):
    s = sa.quiz_session("ann", "Glue FLEX", 2, ["short"], seed=3)
    while s.current is not None:
        s = sa.submit("ann", s, "전혀 모르겠어요")
        s = s.advance()
    wrong = sa.wrong("ann").items
    assert wrong
    g = sa.guide("ann")
    missed = [m for sec in g.sections for m in sec.missed]
    assert sorted(m.item_id for m in missed) == sorted(e.item.id for e in wrong)
    for sec in g.sections:
        for m in sec.missed:  # under the section that holds the item's source line
            assert sec.source.lines[0] <= m.source.lines[0] <= sec.source.lines[1]
    assert "자주 틀린 문항" in sa.guide_text(g, "md") and wrong[0].item.question.split("\n")[0][:20] in sa.guide_text(g)
    other = sa.guide("bob")
    assert all(not sec.missed for sec in other.sections)
    assert "자주 틀린 문항" not in sa.guide_text(other, "md")


def test_pdf_has_a_text_layer_with_every_section_title(sa, tmp_path):
    from tutor.guide.pdf import FontMissing, find_font

    try:
        find_font()
    except FontMissing as exc:
        unavailable("fonts-nanum", str(exc))
    import pypdfium2 as pdfium

    g = sa.guide("bob")
    out = sa.write_guide(g, "pdf", tmp_path / "요약.pdf")
    pdf = pdfium.PdfDocument(str(out))
    try:
        pages = [pdf[i].get_textpage().get_text_range() for i in range(len(pdf))]
        w, h = pdf[0].get_size()
    finally:
        pdf.close()
    assert (round(w), round(h)) == (595, 842)  # A4 in points
    assert len(pages) >= 1 + len(g.sections)  # the contents, then one page start per section
    for sec in g.sections:
        assert any(p.lstrip().startswith(sec.section) or f"\n{sec.section}" in p for p in pages[1:]), sec.section
        assert sec.section in pages[0]  # the table of contents
    assert not list(tmp_path.glob(".*.tmp"))


def test_unwritable_out_is_one_line_and_leaves_nothing(sa, tmp_path):
    from studyapp import GuideError

    g = sa.guide("bob", "Glue FLEX")
    with pytest.raises(GuideError) as e:
        sa.write_guide(g, "md", tmp_path / "no-such-dir" / "g.md")
    assert "쓸 수 없습니다" in str(e.value) and "\n" not in str(e.value)
    with pytest.raises(GuideError):
        sa.write_guide(g, "md", tmp_path)  # a folder
    with pytest.raises(GuideError):
        sa.write_guide(g, "docx", tmp_path / "g.docx")
    out = sa.write_guide(g, "md", tmp_path / "g.md")
    assert out.read_text(encoding="utf-8").startswith("# 단원 요약")
