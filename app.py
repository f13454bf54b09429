"""노트 학습 도우미 — the web app's entry point (`python app.py` → http://127.0.0.1:7860).

Wiring only: settings → the application service → the page (`interfaces/web`) → launch.
Environment: see `studyapp/settings.py` and the README's configuration table.
"""
from __future__ import annotations

import sys
import threading
import time

T0 = time.perf_counter()


def say(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def main() -> None:
    from studyapp import Settings, SettingsError, StudyApp

    try:
        settings = Settings.from_env()
        settings.auth_pairs()  # a malformed STUDY_AUTH(_FILE) stops here, before anything starts
    except SettingsError as exc:
        raise SystemExit(str(exc)) from None
    settings.apply_offline_defaults()

    sa = StudyApp(settings)
    say(f"노트: {settings.corpus_dir} · 색인: {settings.index_dir}")
    failure: list[BaseException] = []

    def open_library() -> None:
        try:
            sa.open(warm=False)  # the index files only: Kiwi loads after the page answers
        except BaseException as exc:  # reported below, in the main thread
            failure.append(exc)

    # The index opens in a thread while gradio is imported (a first build reads the notes
    # meanwhile). Whatever holds the GIL (Kiwi's model, the tokenizer) waits until the page
    # answers: the page needs none of it (bench/RESULTS.md, issue 24 restart).
    opener = threading.Thread(target=open_library, name="open-index")
    opener.start()
    from interfaces.web.gradio_fast import app_made_at_launch, import_gradio, wait_until_quiet

    import_gradio()  # without the notebook magic and the .pyi stubs Gradio writes on every import
    from interfaces.web.demo import CSS, build_demo, keep_status_current
    from interfaces.web.login import LOGIN_PAGE_MESSAGE, authenticator

    opener.join()
    if failure:
        raise SystemExit(f"색인을 열 수 없습니다: {type(failure[0]).__name__}: {failure[0]}")
    with app_made_at_launch():  # Gradio would build its FastAPI app here twice, then again at launch
        demo = build_demo(sa)
        demo.queue(max_size=256, default_concurrency_limit=settings.concurrency)
    host, port = settings.host, settings.port
    # logins: accounts in the database (Argon2id), else STUDY_AUTH(_FILE), else none
    auth = authenticator(sa)
    demo.launch(server_name=host, server_port=port, auth=auth, auth_message=LOGIN_PAGE_MESSAGE,
                max_file_size="50mb", css=CSS, footer_links=["api"], show_error=True,
                prevent_thread_lock=True)
    keep_status_current(demo, sa)  # every page load paints the index state as it is now
    # each line names what is ready: the page now, the semantic search once its model is loaded
    say(f"웹 페이지 준비 ({time.perf_counter() - T0:.1f}s): http://{host}:{port} — {sa.readiness()}")
    sa.watch()  # notes edited while the app runs are re-indexed in the background
    sa.follow_index()  # another instance (or `python -m tutor index`) built a new generation: load it
    # Kiwi, the query embedder, then the quiz pool load while the page already answers: the
    # first keyword search waits for Kiwi at most, the first semantic/hybrid query for the
    # query embedder (never torch on an unchanged index), the first quiz for nothing.
    wait_until_quiet(demo)  # a page (or client) connecting now is served before the loads start
    sa.warm_keyword()
    if sa.warm_embedder():
        say(f"의미·하이브리드 검색 준비 완료 ({time.perf_counter() - T0:.1f}s)")
    sa.warm_quizzes()
    try:
        demo.block_thread()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
