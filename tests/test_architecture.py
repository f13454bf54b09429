"""The shape of the code holds: the layer contract (import-linter) and small modules.

Layers, bottom to top: e5fast (the embedding engine) ← retriever ← tutor ← learning ← studyapp ← interfaces (cli, web); each
may import only those below it, the interfaces never import each other, and only `learning`
imports SQLAlchemy and fsrs (pyproject.toml).
"""
from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("e5fast", "retriever", "tutor", "learning", "studyapp", "interfaces")
MAX_MODULE_LINES = 350
MAX_FUNCTION_LINES = 60
LONG_OK = "# long:"  # a function may be longer when this comment in it says why


def _lint(cwd: Path) -> subprocess.CompletedProcess:
    exe = Path(sys.executable).with_name("lint-imports")
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-m", "importlinter.cli"]
    return subprocess.run(cmd + ["--no-cache"], cwd=cwd, capture_output=True, text=True, timeout=120)


def test_import_contract_is_kept():
    out = _lint(ROOT)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "Contracts: 3 kept, 0 broken" in out.stdout


@pytest.mark.parametrize("module, line, broken", [
    ("retriever/_forbidden.py", "import tutor.answers.tutor\n", "retriever is not allowed to import tutor"),
    ("tutor/_forbidden.py", "from studyapp import settings\n", "tutor is not allowed to import studyapp"),
    ("interfaces/cli/_forbidden.py", "import interfaces.web.render\n", "interfaces.cli is not allowed to import interfaces.web"),
    ("learning/_forbidden.py", "import studyapp.settings\n", "learning is not allowed to import studyapp"),
    ("studyapp/_forbidden.py", "import sqlalchemy\n", "studyapp is not allowed to import sqlalchemy"),
    ("e5fast/_forbidden.py", "from retriever.embeddings import Embedder\n", "e5fast is not allowed to import retriever"),
])
def test_import_contract_fails_on_a_forbidden_import(tmp_path, module, line, broken):
    for pkg in PACKAGES:
        shutil.copytree(ROOT / pkg, tmp_path / pkg, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    (tmp_path / module).write_text(line, encoding="utf-8")
    out = _lint(tmp_path)
    assert out.returncode != 0
    assert broken in out.stdout, out.stdout


def _sources() -> list[Path]:
    files = [ROOT / "app.py"]
    for pkg in PACKAGES:
        files += sorted((ROOT / pkg).rglob("*.py"))
    return files


def test_modules_and_functions_stay_small():
    too_long = []
    for path in _sources():
        text = path.read_text(encoding="utf-8")
        rel = path.relative_to(ROOT)
        if text.count("\n") > MAX_MODULE_LINES:
            too_long.append(f"{rel}: {text.count(chr(10))} lines")
        lines = text.split("\n")
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                n = node.end_lineno - node.lineno + 1
                body = "\n".join(lines[node.lineno - 1:node.end_lineno])
                if n > MAX_FUNCTION_LINES and LONG_OK not in body:
                    too_long.append(f"{rel}:{node.lineno} {node.name}() {n} lines")
    assert not too_long, "\n".join(too_long)


def test_only_the_settings_read_the_environment():
    readers = []
    for path in _sources():
        text = path.read_text(encoding="utf-8")
        if ("os.environ" in text or "getenv" in text) and path != ROOT / "studyapp" / "settings.py":
            readers.append(str(path.relative_to(ROOT)))
    assert readers == [], readers
