"""The shape of the code holds: the layer contract (import-linter) and small modules.

Layers, bottom to top: e5fast (the embedding engine) ← retriever ← tutor ← learning ← studyapp ← interfaces (cli, web); each
may import only those below it, the interfaces reach the rest only through `studyapp` and never
import each other, and only `learning` imports SQLAlchemy and fsrs (pyproject.toml). No import
cycle, not even one hidden inside a function. bench/ never imports tests/, and tests import bench
only through its helper package `bench.lib`.
"""
from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
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
    assert "Contracts: 4 kept, 0 broken" in out.stdout


@pytest.mark.parametrize("module, line, broken", [
    ("retriever/_forbidden.py", "import tutor.answers.tutor\n", "retriever is not allowed to import tutor"),
    ("tutor/_forbidden.py", "from studyapp import settings\n", "tutor is not allowed to import studyapp"),
    ("interfaces/cli/_forbidden.py", "import interfaces.web.render\n", "interfaces.cli is not allowed to import interfaces.web"),
    ("learning/_forbidden.py", "import studyapp.settings\n", "learning is not allowed to import studyapp"),
    ("studyapp/_forbidden.py", "import sqlalchemy\n", "studyapp is not allowed to import sqlalchemy"),
    ("e5fast/_forbidden.py", "from retriever.embeddings import Embedder\n", "e5fast is not allowed to import retriever"),
    ("interfaces/web/_forbidden.py", "from tutor.quizzes import grade\n", "interfaces is not allowed to import tutor"),
    ("interfaces/cli/_forbidden.py", "import learning\n", "interfaces is not allowed to import learning"),
    ("interfaces/_forbidden.py", "from retriever.highlight import mark\n", "interfaces is not allowed to import retriever"),
])
def test_import_contract_fails_on_a_forbidden_import(tmp_path, module, line, broken):
    for pkg in PACKAGES:
        shutil.copytree(ROOT / pkg, tmp_path / pkg, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    (tmp_path / module).write_text(line, encoding="utf-8")
    out = _lint(tmp_path)
    assert out.returncode != 0
    assert broken in out.stdout, out.stdout


def import_cycles(packages: tuple[str, ...]) -> list[list[str]]:
    """Groups of modules that import each other round in a circle (Tarjan's strongly connected
    components of the import graph; grimp reads every import, those inside functions too, but
    not those under `if TYPE_CHECKING:`, which never run)."""
    import grimp

    graph = grimp.build_graph(*packages, cache_dir=None, exclude_type_checking_imports=True)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    cycles: list[list[str]] = []

    def visit(v: str) -> None:  # recursive: the import graph is a few hundred modules deep at most
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in graph.find_modules_directly_imported_by(v):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                cycles.append(sorted(group))

    for module in sorted(graph.modules):
        if module not in index:
            visit(module)
    return cycles


def test_no_import_cycle_in_product_code():
    assert import_cycles(PACKAGES) == []


def test_the_cycle_check_finds_a_cycle_hidden_in_a_function(tmp_path, monkeypatch):
    pkg = tmp_path / "cyclepkg"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "a.py").write_text("from . import b\n")
    (pkg / "b.py").write_text("def f():\n    from . import a\n    return a\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    assert import_cycles(("cyclepkg",)) == [["cyclepkg.a", "cyclepkg.b"]]


def _sources() -> list[Path]:
    files = [ROOT / "app.py"]
    for pkg in PACKAGES:
        files += sorted((ROOT / pkg).rglob("*.py"))
    return files


def test_starting_a_command_loads_no_model_runtime_and_no_web_or_llm_stack():
    """No work at import time: the CLI's entry imports none of the heavy stacks; each is
    imported by the code that uses it (a `progress` never pays for torch, Gradio or LangChain)."""
    heavy = ["torch", "onnxruntime", "kiwipiepy", "faiss", "gradio", "langchain_core", "fastapi"]
    # and `ask` (its parser and the app) loads no learning record and no bm25s (issue 24)
    record = ["sqlalchemy", "learning.record", "bm25s", "scipy"]
    code = (f"import sys; from interfaces.cli.main import build_parser; "
            f"print([x for x in {heavy!r} if x in sys.modules]); build_parser('ask'); from studyapp import StudyApp; "
            f"print([x for x in {record!r} if x in sys.modules])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["[]", "[]"]


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
                elif n <= MAX_FUNCTION_LINES and LONG_OK in body:
                    too_long.append(f"{rel}:{node.lineno} {node.name}() is marked long but has {n} lines")
    assert not too_long, "\n".join(too_long)


def test_only_the_settings_read_the_environment():
    readers = []
    for path in _sources():
        text = path.read_text(encoding="utf-8")
        if ("os.environ" in text or "getenv" in text) and path != ROOT / "studyapp" / "settings.py":
            readers.append(str(path.relative_to(ROOT)))
    assert readers == [], readers


# --- bench/ in lanes: bench never imports tests; tests import bench only through bench.lib ---

def _imported(path: Path) -> list[str]:
    """Every module a file imports (`from a import b` counts as a and a.b)."""
    names = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names += [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names += [node.module] + [f"{node.module}.{a.name}" for a in node.names]
    return names


def _lane_violations(bench_dir: Path, tests_dir: Path) -> list[str]:
    bad = []
    for path in sorted(bench_dir.rglob("*.py")):
        bad += [f"{path.name} imports {m}" for m in _imported(path) if m == "tests" or m.startswith("tests.")]
    for path in sorted(tests_dir.rglob("*.py")):
        for m in _imported(path):
            if (m == "bench" or m.startswith("bench.")) and m != "bench" and not m.startswith("bench.lib"):
                bad.append(f"{path.name} imports {m}")
    return bad


def test_bench_and_tests_keep_their_lanes():
    assert _lane_violations(ROOT / "bench", ROOT / "tests") == []


@pytest.mark.parametrize("where, line", [
    ("bench", "from tests.conftest import ROOT\n"),
    ("tests", "from bench.retrieval import main\n"),
    ("tests", "import bench.studies.fusion_study\n"),
    ("tests", "from bench import speed\n"),
])
def test_lane_check_fails_on_a_crossing_import(tmp_path, where, line):
    for d in ("bench", "tests"):
        (tmp_path / d).mkdir()
    (tmp_path / "tests" / "test_ok.py").write_text("from bench.lib.metrics import mean\n", encoding="utf-8")
    (tmp_path / where / "crossing.py").write_text(line, encoding="utf-8")
    bad = _lane_violations(tmp_path / "bench", tmp_path / "tests")
    assert bad and all(b.startswith("crossing.py imports ") for b in bad), bad  # test_ok.py is fine
