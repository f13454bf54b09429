"""The line at the top of the page while the index is being built: progress and which
search modes already work — right from the first paint of every page load.

Gradio paints a page from the config it made at launch, so a value computed then would greet
every later visitor (a "색인 중" line long after the index was ready, until the first timer
tick). `keep_current` rewrites the line's value in that config whenever the index state
changes; the timer on the page keeps an open page current.
"""
from __future__ import annotations

import threading
from typing import Any, Callable

from studyapp import StudyApp

from .render import esc_md

FOLLOW_SECONDS = 0.5
# How often an open page asks the server whether the index state or the notes changed. Each
# ask is a round trip through Gradio's queue and a redraw in the browser, for every open page of a
# class: fast only while a build runs. (Measured on an idle app with one page: 2.56 s of app CPU per
# 30 s with two 2-s timers, 2.13 s paced; most of the rest is Gradio's own queue loop.)
BUSY_SECONDS = 2.0
IDLE_SECONDS = 10.0  # a ready index: how late a page may notice a re-index someone else began


def poll_seconds(sa: StudyApp) -> float:
    return BUSY_SECONDS if sa.state.building else IDLE_SECONDS


def paced(gr, sa: StudyApp, pace: float) -> tuple[float, Any]:
    """(the pace to keep, the timer's update): a new interval only when it changes."""
    now = poll_seconds(sa)
    return now, (gr.skip() if now == pace else gr.Timer(now))


def index_state_markdown(sa: StudyApp) -> str:
    st = sa.state
    live = st.live_modes
    if st.error:
        return f"⚠️ 색인을 만들지 못했습니다: {esc_md(st.error)}"
    if not st.building:
        return ""
    if st.ocr_running:  # the text notes are in; scanned pages join as they are read
        modes = "" if "hybrid" in live else " 지금은 **키워드 검색**만 됩니다."
        return f"🔄 {st.ocr_progress} — 인식된 페이지는 재시작 없이 바로 검색됩니다.{modes}"
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


def _set_config_value(config: dict, elem_id: str, value: Any) -> bool:
    for comp in config.get("components", []):
        props = comp.get("props") or {}
        if props.get("elem_id") == elem_id:
            props["value"] = value
            return True
    return False


def keep_current(demo: Any, elem_id: str, value_of: Callable[[], str],
                 interval: float = FOLLOW_SECONDS) -> threading.Thread:
    """Keep the launch config's value of component `elem_id` equal to `value_of()` (checked
    every `interval` seconds), so each new page load paints what is true now."""
    stop = threading.Event()

    def run() -> None:
        last = None
        while not stop.wait(interval if last is not None else 0):
            try:
                value = value_of()
                config = getattr(demo, "config", None)
                if value != last and config and _set_config_value(config, elem_id, value):
                    last = value
            except Exception:  # a page-load nicety: never let it take the app down
                continue

    t = threading.Thread(target=run, name=f"config-{elem_id}", daemon=True)
    t.stop = stop  # type: ignore[attr-defined]
    t.start()
    return t
