"""Start Gradio for a web server without the work a running web app never uses.

Three things Gradio does on every start that the app never uses (bench/RESULTS.md, issue 24
restart): at import, about 45 % of `import gradio` —
- it imports IPython (when installed) only to register its notebook magic;
- every component class it defines re-reads its own source file, parses it with `ast` and
  rewrites the `.pyi` type stub beside it (`gradio.component_meta.create_or_modify_pyi`,
  called by `ComponentMeta.__new__`): type hints for an editor, nothing at run time.
`import_gradio()` skips both and then imports Gradio as usual; the components, events and
pages are the same. Call it before anything else imports gradio (app.py does, first thing).
- and while the page is built: `Blocks.__exit__` and `Blocks.queue()` each build the whole
  FastAPI app (every route, its pydantic models, the page config) that `launch()` then builds
  again and keeps. `app_made_at_launch()` lets only launch's build happen.
Every API call's new session skips a copy of the page's config (`gradio_sessions`, applied by
`import_gradio()`). After launch, `wait_until_quiet(demo)` lets the app's model loads (Kiwi, the tokenizer: they
hold the GIL for seconds) wait until a page being fetched has been served.
"""
from __future__ import annotations

import importlib.abc
import importlib.machinery
import sys
import time
from contextlib import contextmanager
from types import ModuleType
from typing import Iterator

_META = "gradio.component_meta"


class _NoStubs(importlib.abc.MetaPathFinder):
    """Finds gradio.component_meta as usual and, once it has run, makes its stub writer a no-op
    (before any component class exists: they are defined in modules that import it)."""

    def find_spec(self, name, path, target=None):
        if name != _META:
            return None
        spec = importlib.machinery.PathFinder.find_spec(name, path)
        if spec is None or spec.loader is None:
            return spec
        run = spec.loader.exec_module

        def exec_module(module: ModuleType) -> None:
            run(module)
            if hasattr(module, "create_or_modify_pyi"):  # an unknown Gradio version: leave it be
                module.create_or_modify_pyi = _no_stub

        spec.loader.exec_module = exec_module  # type: ignore[method-assign]
        return spec


def _no_stub(*_args, **_kwargs) -> None:
    """Stands in for Gradio's `.pyi` writer: nothing to write for a running server."""


def import_gradio() -> ModuleType:
    """`import gradio`, without the notebook magic and the `.pyi` stubs (see the module doc),
    its sessions made without a copy of the page's config (`gradio_sessions`)."""
    from .gradio_sessions import lazy_session_configs

    if "gradio" in sys.modules:  # already imported the usual way: only the sessions to change
        lazy_session_configs()
        return sys.modules["gradio"]
    sys.modules.setdefault("IPython", None)  # type: ignore[arg-type]
    finder = _NoStubs()
    sys.meta_path.insert(0, finder)
    try:
        import gradio
    finally:
        sys.meta_path.remove(finder)
    lazy_session_configs()
    return gradio


@contextmanager
def app_made_at_launch() -> Iterator[None]:
    """Inside: build the page and set up its queue; the FastAPI app is built once, by
    `launch()` afterwards (Gradio would build it three times; the first two are replaced
    unused — `Blocks.app` is None until launch)."""
    from gradio.routes import App

    real = App.__dict__["create_app"]
    App.create_app = staticmethod(_no_app)  # type: ignore[method-assign]
    try:
        yield
    finally:
        App.create_app = real  # type: ignore[method-assign]


def _no_app(*_args, **_kwargs) -> None:
    """Stands in for `App.create_app` until launch."""


def wait_until_quiet(demo, quiet: float = 0.3, limit: float = 5.0) -> None:
    """Return once the launched server has had no new request for `quiet` seconds (at most
    `limit` seconds in all). Loading Kiwi or the tokenizer holds the GIL for about a second at
    a time, so a page (or an API client) connecting right after launch would wait behind the
    warm-ups; after this, loads start between visits (bench/RESULTS.md, issue 24 restart).
    Long-lived requests (the page's heartbeat stream) count once, when they start."""
    state = getattr(getattr(demo, "server", None), "server_state", None)
    if state is None:  # not launched by uvicorn here: nothing to wait for
        return
    start = time.monotonic()
    seen, since = state.total_requests, start
    while time.monotonic() - start < limit:
        time.sleep(0.05)  # polling the server's request counter; it has no event to wait on
        now, n = time.monotonic(), state.total_requests
        if n != seen:
            seen, since = n, now
        elif now - since >= quiet:
            return
