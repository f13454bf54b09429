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
            sa.open()
        except BaseException as exc:  # reported below, in the main thread
            failure.append(exc)

    # The index opens in a thread while the (slow) gradio import runs. Only the file reading
    # overlaps: the Kiwi model load and the import both hold the GIL (bench/startup.py).
    opener = threading.Thread(target=open_library, name="open-index")
    opener.start()
    # Gradio imports IPython (~1 s of start-up) only for its notebook magic, when it is
    # installed; a web app has no notebook (bench/RESULTS.md, restart).
    sys.modules.setdefault("IPython", None)  # type: ignore[arg-type]
    import gradio  # noqa: F401

    from interfaces.web.demo import CSS, build_demo, keep_status_current
    from interfaces.web.login import LOGIN_PAGE_MESSAGE, authenticator

    opener.join()
    if failure:
        raise SystemExit(f"색인을 열 수 없습니다: {type(failure[0]).__name__}: {failure[0]}")
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
    # The embedding model, then the quiz pool, load while the page already answers: keyword
    # search at once; the first semantic/hybrid query and the first quiz then wait for nothing.
    if sa.warm_embedder():
        say(f"의미·하이브리드 검색 준비 완료 ({time.perf_counter() - T0:.1f}s)")
    sa.warm_quizzes()
    try:
        demo.block_thread()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
