"""What the before/after benches share: options, an index folder, and the same measurement
run on the code of an earlier commit (`git archive REF` imported in a subprocess).

    report = run(__doc__, "bench.<name>", measure, argv)   # measure(set name, index root, verbose) -> dict
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tarfile
import tempfile
from io import BytesIO
from pathlib import Path
from typing import Callable

from bench.lib.paths import ROOT


def parser(doc: str) -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sets", default="seed,second")
    ap.add_argument("--baseline", default=None, help="git ref to measure in the same run")
    ap.add_argument("--code-root", type=Path, default=ROOT, help="import retriever/tutor from here")
    ap.add_argument("--index-root", type=Path, default=None, help="index folders (default: temporary)")
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--verbose", "-v", action="store_true")
    return ap


def baseline(module: str, ref: str, index_root: Path, sets: list[str]) -> dict:
    """The figures of `python -m <module>` (this tree's bench) on the code of commit `ref` (the
    index folder is shared: the retrieval library reads the same index)."""
    with tempfile.TemporaryDirectory(prefix="bench-baseline-") as tmp:
        tar = subprocess.run(["git", "-C", str(ROOT), "archive", ref], check=True, capture_output=True).stdout
        with tarfile.open(fileobj=BytesIO(tar)) as tf:
            tf.extractall(tmp, filter="data")
        cmd = [sys.executable, "-m", module, "--code-root", tmp, "--json", "--index-root", str(index_root),
               "--sets", ",".join(sets)]
        return json.loads(subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, check=True).stdout)["after"]


def run(doc: str, module: str, measure: Callable[[str, Path, bool], dict], argv: list[str] | None) -> int:
    args = parser(doc).parse_args(argv)
    sys.path.insert(0, str(args.code_root))
    sets = [s for s in args.sets.split(",") if s]
    with tempfile.TemporaryDirectory(prefix="bench-index-") as tmp:
        index_root = args.index_root or Path(tmp)
        report = {"after": {name: measure(name, index_root, args.verbose) for name in sets}}
        if args.baseline:
            report["before"] = baseline(module, args.baseline, index_root, sets)
    if args.json:
        print(json.dumps(report, ensure_ascii=False, indent=1))
    else:
        for side, res in report.items():
            for name, fig in res.items():
                print(f"[{side}] {name}: " + ", ".join(f"{k}={v}" for k, v in fig.items()))
    return 0
