"""`ChoiceSteps`: the engine's path choice — its cache key, the cached or measured choice,
settling one an upgrade left missing, and freeing what the choice does not run (a mixin of
`engine.Engine`, whose state it uses: `_lock`, `_choosing`, `_choice`, `_runners`)."""
from __future__ import annotations

import logging
from importlib.metadata import PackageNotFoundError, version
from importlib.util import find_spec

from .choose import CHOICE_VERSION, Choice, ChoiceCache
from .cpu import cpu_info
from .probe import load_probe

log = logging.getLogger(__name__)
CHOICES_FILE = "choices.json"


class ChoiceSteps:
    def settle(self) -> bool:
        """Measure this CPU's path choice now when the model folder exists but holds no choice
        for this CPU and these versions — after an upgrade that changed the way of choosing
        (`CHOICE_VERSION`): until then questions run on q4 (~3× int8q's time here) and only the
        next build would measure. Measured in a child process with no lock held, so questions go
        on meanwhile; a failure is one warning (the next build tries again). True if it measured."""
        from .materialize import existing_folder

        if (self._nano is not None or self._choice is not None or self.requested != "auto"
                or self.queries != "auto" or existing_folder(self.model_dir) is None
                or self._cached_choice() is not None or find_spec("torch") is None):
            return False
        with self._choosing:
            if self._choice is not None:
                return False
            try:
                choice, measured = self._chosen()
            except Exception as exc:  # noqa: BLE001 — best effort; a build measures again
                log.warning("임베딩 경로를 측정하지 못했습니다 (path measurement failed): %s", exc)
                return False
            with self._lock:
                self._choice = choice
                if measured:
                    self._release(keep={choice.path, choice.query_path})
        return measured

    def _choice_key(self) -> str:
        from .materialize import FORMAT

        def ver(pkg: str) -> str:
            try:
                return version(pkg)
            except PackageNotFoundError:
                return "-"
        return (f"{cpu_info().key}-torch{ver('torch')}-ort{ver('onnxruntime')}"
                f"-probe{load_probe(self.probe_file).version}-f{FORMAT}-c{CHOICE_VERSION}")

    def _cached_choice(self) -> Choice | None:
        """This CPU's cached choice, if the folder exists already (materialises nothing)."""
        from .materialize import existing_folder

        folder = self._folder or existing_folder(self.model_dir)
        return None if folder is None else \
            ChoiceCache(self._choices_file or folder / CHOICES_FILE).get(self._choice_key())

    def _chosen(self) -> tuple[Choice, bool]:
        """(the cached choice for this CPU — or every path measured now and the result cached —,
        whether it was measured now); loads nothing here (the caller releases what it does not run)."""
        cache = self._cache()
        key = self._choice_key()
        cached = cache.get(key)
        if cached is not None:
            return cached, False
        self.notice("이 CPU에서 가장 빠른 임베딩 경로를 한 번 측정합니다 "
                    "(measuring the embedding paths once on this CPU)…")
        from .first_choice import measure_in_child

        choice = measure_in_child(self, key)  # every path loaded there, given back when it exits
        cache.put(choice)
        self.notice(f"임베딩 경로: {choice.path} (embedding path {choice.reason})")
        return choice, True

    def _cache(self) -> ChoiceCache:
        return ChoiceCache(self._choices_file or self.folder() / CHOICES_FILE)

    def _release(self, keep: set[str]) -> None:
        """Free the runners (and the ONNX graphs) the choice does not use."""
        from .heap import trim_heap
        from .onnx_graph import drop_graphs
        from .runners import ORT_PATHS
        for path in [p for p in self._runners if p not in keep]:
            self._runners.pop(path).close()
        drop_graphs(self.folder(), {ORT_PATHS[p] for p in keep if p in ORT_PATHS})
        trim_heap()
