"""API calls without a copy of the whole page's config each (issue 24: 30 learners, no think time).

Gradio gives every call through `/gradio_api/call/<name>` that brings no session of its own a
new session, and `SessionState.__init__` builds the config of every block of the page for it
(`config_for_block` → each component's `get_config`, which calls `inspect.signature`): on this
app's page about 2/3 of the server's CPU per API call (~40 of ~60 ms, py-spy), where the
handlers themselves take 1–16 ms — the queue in front of 30 learners was mostly this.

`lazy_session_configs()` makes that config a mapping filled on demand: an entry is made the
first time it is read (Gradio's own `_update_value_in_config` already makes missing entries
itself), and all of them, in page order, when something walks the whole mapping (a page
reload's `SessionState.components`). The same configs, made only when used; a session that
only answers an API call never makes them.
"""
from __future__ import annotations

from typing import Any, Callable, Iterable

_MARK = "_study_lazy_configs"


class LazyConfigs(dict):
    """`SessionState.config_values`: block id → config, each made by `make(id)` on first use."""

    def __init__(self, make: Callable[[int], dict], ids: Iterable[int]) -> None:
        super().__init__()
        self._make = make
        self._ids = list(ids)  # page order
        self._pending = set(self._ids)

    def _one(self, key: int) -> None:
        if key in self._pending:
            self._pending.discard(key)
            if not dict.__contains__(self, key):
                dict.__setitem__(self, key, self._make(key))

    def _all(self) -> None:
        if self._pending:
            made = {k: dict.get(self, k) if dict.__contains__(self, k) else self._make(k) for k in self._ids}
            rest = {k: v for k, v in dict.items(self) if k not in made}
            self._pending.clear()
            dict.clear(self)
            dict.update(self, made)
            dict.update(self, rest)

    def __getitem__(self, key: int) -> dict:
        self._one(key)
        return dict.__getitem__(self, key)

    def __setitem__(self, key: int, value: dict) -> None:
        self._pending.discard(key)
        dict.__setitem__(self, key, value)

    def __contains__(self, key: object) -> bool:
        return key in self._pending or dict.__contains__(self, key)

    def get(self, key: int, default: Any = None) -> Any:
        return self[key] if key in self else default

    def __iter__(self):
        self._all()
        return dict.__iter__(self)

    def __len__(self) -> int:
        return len(self._pending) + dict.__len__(self)

    def keys(self):
        self._all()
        return dict.keys(self)

    def values(self):
        self._all()
        return dict.values(self)

    def items(self):
        self._all()
        return dict.items(self)


class _NoBlocks:
    """The Blocks as `SessionState.__init__` sees it: the same, with no block to make a config for."""

    blocks: dict = {}

    def __init__(self, real) -> None:
        self._real = real

    def __getattr__(self, name: str) -> Any:
        return getattr(self._real, name)


def lazy_session_configs() -> bool:
    """Make Gradio's new sessions fill their page config on demand (once per process); False
    when this Gradio has no `SessionState` of the expected shape (then nothing changes)."""
    try:
        from gradio.state_holder import SessionState
    except ImportError:
        return False
    init = SessionState.__init__
    if getattr(init, _MARK, False):
        return True
    code = getattr(init, "__code__", None)
    if code is None or "config_values" not in code.co_names:  # not the shape we know: leave it be
        return False

    def __init__(self, blocks) -> None:
        init(self, _NoBlocks(blocks))  # everything but the configs, exactly as Gradio does it
        config = self.blocks_config
        self.config_values = LazyConfigs(lambda k: config.config_for_block(k, [], config.blocks[k]),
                                         [k for k in config.blocks if k in blocks.blocks])

    setattr(__init__, _MARK, True)
    __init__.__wrapped__ = init  # type: ignore[attr-defined]
    SessionState.__init__ = __init__  # type: ignore[method-assign]
    return True
