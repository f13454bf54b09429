"""The application in-process for tests, on any embedder (the unit lane's fake)."""
from __future__ import annotations

from pathlib import Path


def make_app(corpus: Path, index: Path, data: Path, embedder, **settings):
    """A `StudyApp` over `corpus`/`index` with its record in `data`, opened (nothing re-embedded
    when the index was built with the same embedder)."""
    from studyapp import Settings, StudyApp
    from studyapp.wiring import wire

    app = StudyApp(wire(Settings.from_env({}, corpus_dir=corpus, index_dir=index, data_dir=data, **settings),
                        embedder=embedder))
    app.open(report=lambda m: None)
    return app
