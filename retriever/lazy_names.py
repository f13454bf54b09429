"""A package's exported names imported from their modules on first use (PEP 562).

`retriever`, `learning` and `studyapp` export their names this way, so importing a package
loads none of its heavy modules: `ask` never imports SQLAlchemy, bm25s or a model it does not use.
"""
from __future__ import annotations

import importlib
import sys
from typing import Callable


def lazy_names(package: str, exports: dict[str, tuple[str, ...]]) -> tuple[Callable, Callable]:
    """The package's `__getattr__` and `__dir__` for `exports` (relative module → names): a name
    is imported on first use and kept in the package's namespace."""
    where = {name: module for module, names in exports.items() for name in names}
    namespace = sys.modules[package].__dict__

    def __getattr__(name: str):
        module = where.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(module, package), name)
        namespace[name] = value
        return value

    def __dir__() -> list[str]:
        return sorted(set(namespace) | set(where))

    return __getattr__, __dir__
