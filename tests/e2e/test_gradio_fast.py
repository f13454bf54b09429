"""Gradio started for a web server without its notebook magic, `.pyi` stubs and throw-away
app builds (interfaces/web/gradio_fast.py; issue 24 restart): the same page, less start-up;
its sessions without a copy of the page's config until one is needed (gradio_sessions.py).

In a fresh interpreter (gradio is imported once per process), with a launched page."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

CODE = r"""
import sys
from interfaces.web.gradio_fast import app_made_at_launch, import_gradio, _no_stub

gr = import_gradio()
import gradio.component_meta as meta
from gradio.routes import App

print("stubs-off", meta.create_or_modify_pyi is _no_stub)
print("ipython", sys.modules.get("IPython") is None)
print("finder-gone", not any(type(f).__name__ == "_NoStubs" for f in sys.meta_path))
real = App.create_app
with app_made_at_launch():
    with gr.Blocks() as demo:
        box = gr.Textbox(label="질문")
        out = gr.Markdown()
        box.submit(lambda q: q.upper(), box, out, api_name="echo")
    demo.queue(max_size=4)
    print("no-app-inside", demo.app is None)
print("restored", App.create_app == real)
demo.launch(server_name="127.0.0.1", prevent_thread_lock=True, quiet=True)
from gradio_client import Client
print("answer", Client(demo.local_url, verbose=False).predict("ebs", api_name="/echo"))
from gradio.state_holder import SessionState
lazy, real = SessionState(demo), SessionState.__new__(SessionState)
SessionState.__init__.__wrapped__(real, demo)
print("lazy-sessions", type(lazy.config_values).__name__ == "LazyConfigs" and list(lazy.components) == list(real.components))
demo.close()
"""


def test_gradio_starts_without_stubs_and_builds_its_app_once_at_launch():
    out = subprocess.run([sys.executable, "-c", CODE], cwd=ROOT, capture_output=True, text=True, timeout=180)
    assert out.returncode == 0, out.stderr[-2000:]
    lines = dict(line.split(" ", 1) for line in out.stdout.strip().splitlines())
    assert lines["stubs-off"] == "True" and lines["ipython"] == "True" and lines["finder-gone"] == "True"
    assert lines["no-app-inside"] == "True" and lines["restored"] == "True"
    assert lines["answer"] == "EBS"  # the page launched afterwards works: its events answer
    assert lines["lazy-sessions"] == "True"  # a new session's page config: made on demand, the same
