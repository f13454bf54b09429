"""The line at the top of the page while the index is being built: progress and which
search modes already work."""
from __future__ import annotations

from studyapp import StudyApp

from .render import esc_md


def index_state_markdown(sa: StudyApp) -> str:
    st = sa.state
    live = st.live_modes
    if st.error:
        return f"⚠️ 색인을 만들지 못했습니다: {esc_md(st.error)}"
    if not st.building:
        return ""
    done = f"임베딩 {st.embedded:,}/{st.to_embed:,} ({st.fraction:.0%})" if st.to_embed else "노트 읽는 중"
    if "hybrid" in live:
        return f"🔄 바뀐 노트를 색인하는 중 — {done}. 검색은 지금 색인으로 계속됩니다."
    if live:
        return (f"🔄 색인 중 — {done}. 지금은 **키워드 검색**만 됩니다; 의미·하이브리드 검색은 "
                "임베딩이 끝나면 켜집니다.")
    return f"🔄 색인 중 — {done}. 잠시 뒤 검색할 수 있습니다."


def mode_notice(sa: StudyApp, mode: str) -> str:
    """Why a search answered with keyword hits (empty when the mode is live)."""
    st = sa.state
    live = st.live_modes
    if not live or mode in live:
        return ""
    pct = f" ({st.fraction:.0%})" if st.to_embed else ""
    return f"의미·하이브리드 검색은 임베딩이 끝나면 켜집니다{pct} — 지금은 키워드 검색 결과입니다."
