"""What the 교사 tab shows, as text and HTML (pure): the class's mastery heat map (learners ×
sections) with a line saying what the numbers mean, the summary line, and the item analysis
table with its flags."""
from __future__ import annotations

from studyapp import FLAG_WORDS, MIN_ANSWERS, ClassProgress, ItemAnalysis

from .render import esc, esc_md

HEAT_HELP = ("ℹ️ **숫자의 뜻** — 칸마다 그 학습자의 **단원별 숙달도**(%)입니다: 기준일(시험일, 없으면 7일 뒤)에 "
             "기억하고 있을 것으로 예상되는 그 단원 문제의 비율이며, 마지막 답이 틀렸거나 아직 풀지 않은 문제는 "
             "0으로 셉니다. 색이 붉을수록 낮고 초록일수록 높습니다. **7일 답**: 최근 7일 동안 낸 답의 수.")
ITEM_HELP = (f"ℹ️ **문항 분석** — 학습자 {MIN_ANSWERS}명 이상이 처음 답한 문항만 셉니다 (한 사람의 첫 답 하나). "
             "**정답률**(난이도): 첫 답이 맞은 학습자의 비율. **변별도**: 이 문항의 정오와 그 학습자의 "
             "다른 문항 정답률 사이의 상관(수정 점이연 상관) — 잘하는 학습자가 맞히는 문항일수록 높습니다. "
             "**표시**: 정답률 0.95 초과(너무 쉬움), 0.20 미만(너무 어려움), 변별도 0.15 미만(변별도 낮음) — "
             "다시 볼 만한 문항입니다. 뺀 문항은 누구에게도 다시 나오지 않고, 답한 기록은 남습니다.")
ITEM_HEADERS = ["문항 id", "단원", "문항", "답 수", "정답률", "변별도", "표시", "상태"]


def _cell_colour(m: float) -> str:
    """Red (0%) → yellow → green (100%), light enough for dark text."""
    hue = int(round(120 * max(0.0, min(1.0, m))))
    return f"hsl({hue}, 70%, 80%)"


def class_summary(cp: ClassProgress) -> str:
    inactive = ", ".join(esc_md(u) for u in cp.inactive) or "없음"
    answers = sum(s.attempts_7d for s in cp.learners)
    return (f"👥 학습자 **{len(cp.learners)}명** · 최근 7일 답 **{answers:,}개** · "
            f"7일 동안 공부하지 않은 학습자: {inactive}")


def heatmap_html(cp: ClassProgress) -> str:
    """Learners × sections mastery as a coloured table (section names in the column titles)."""
    if not cp.learners:
        return "<p>아직 학습 기록이 있는 학습자가 없습니다.</p>"
    head = "".join(f'<th title="{esc(s)}">{k}</th>' for k, s in enumerate(cp.sections, start=1))
    rows = []
    for s in cp.learners:
        cells = "".join(f'<td class="num" style="background:{_cell_colour(m)};color:#111" '
                        f'title="{esc(sec)}: {m:.0%}">{m:.0%}</td>' for sec, m in zip(cp.sections, s.mastery))
        last = s.last_at.strftime("%m-%d %H:%M") if s.last_at else "-"
        mark = " 💤" if s.inactive else ""
        rows.append(f"<tr><th>{esc(s.user)}{mark}</th>{cells}<td class=\"num\">{s.attempts_7d}</td>"
                    f"<td>{last}</td></tr>")
    legend = "".join(f"<li>{esc(s)}</li>" for s in cp.sections)  # the titles carry their numbers
    return (f'<table class="study-notes study-heat" id="class-heat"><thead><tr><th>학습자</th>{head}'
            f"<th>7일 답</th><th>마지막 답</th></tr></thead><tbody>{''.join(rows)}</tbody></table>"
            f'<ol class="study-heading" style="list-style:none;padding:0">{legend}</ol>')


def _num(x: float | None, fmt: str) -> str:
    return "-" if x is None else format(x, fmt)


def item_rows(ia: ItemAnalysis) -> list[list]:
    """The item analysis as table rows (flagged first, as the record orders them)."""
    out = []
    for r in ia.items:
        s = r.stat
        flags = ", ".join(FLAG_WORDS[f] for f in s.flags) or "-"
        out.append([r.item_id, r.section, r.question.splitlines()[0][:80] if r.question else "", s.answers,
                    _num(s.facility, ".2f"), _num(s.discrimination, "+.2f"), flags, "뺌" if r.retired else "사용"])
    return out


def items_summary(ia: ItemAnalysis) -> str:
    flagged = sum(bool(r.stat.flags) for r in ia.items)
    return (f"📊 분석한 문항 **{len(ia.items)}개** (표시 {flagged}개) · 학습자 {ia.learners}명 · "
            f"답이 {MIN_ANSWERS}개보다 적어 빼놓은 문항 {ia.fewer}개")
