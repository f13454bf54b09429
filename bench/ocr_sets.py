"""OCR of scanned notes (issue 20), measured on scanned sets made from text we have.

    python -m bench.ocr_sets                      # every part; sets and indexes cached in bench/out/ocr
    python -m bench.ocr_sets --only sets,retrieval --msmarco 80
    python -m bench.ocr_sets --only big --fresh   # the 100-page scan again from nothing
    python -m bench.ocr_sets --report             # the saved results as Markdown tables

Parts:

- `sets`: character accuracy of the project's OCR against the drawn text (1 − CER, spaces
  collapsed; and with no spaces at all, since OCR often splits or joins Korean words).
- `retrieval`: hit@1 / hit@5 per mode through NotesLibrary.search, scanned vs text. Seed
  questions (bench/data/devset.jsonl) hit when the result's page holds their section (the same
  pages in the text PDF and the scans); the original Markdown is judged by heading.
- `speed`: pages/min with one Tesseract worker vs one per core (same pages, same process),
  and accuracy/time per rendering resolution; the text-layer sizes behind the scan threshold.
- `big`: a 100-page 300-dpi scan indexed in a child process (bench/lib/ocr_big; the model folder
  made ready first in a process of its own): peak memory of the indexing process and of its
  Tesseract children, also when 10/25/50/100 pages are read; keyword search while the pages are
  read, then a restart.

Using the sets elsewhere (a stable interface; other benchmarks take these as OCR dev sets):

- `dev_sets(n_msm=80) -> list[OcrSet]`: every set as `OcrSet(name, corpus, questions)`, where
  `questions` are `(question, good)` pairs and `good(hit) -> bool` says whether a search hit
  answers it. Names: `seed markdown`, `seed text` (a text-layer PDF), `seed scan1` / `seed scan2`
  (the same pages scanned, light / strong), `msmarco text`, `msmarco scan1`, `msmarco scan2`.
  The first call draws the pictures (≈ 1 min for the seed, ≈ 2 min for 80 msmarco questions);
  later calls read them from bench/out/ocr. Index a set with `library(corpus, name, embedder)`
  (the index is kept under bench/out/ocr/index/<name>, so its OCR is done once).
- To make a set by hand: `make_seed()` draws the seed notes (corpus/) onto A4 pages
  (bench/lib/ocr_draw: `layout(markdown_rows(md))`, `draw(page)`), writes `text/seed.pdf`
  (`text_pdf`), `scan1|scan2/seed.pdf` (`spoil(img, level, seed)` then `image_pdf`) and four
  phone photos `photo/pNN.jpg` (`photograph`), and returns `{"pages": [{"text", "sections"}],
  "photos": [page index]}`. `make_msmarco(n, seed=20)` samples n msmarco-ko questions, draws
  each relevant passage and twice as many others as one picture (`passage_picture`) at both
  strengths (`msm<n>/scan1|scan2/<doc>.jpg`, the text as `msm<n>/text/<doc>.txt`) and returns
  `{"questions": {qid: {"text", "rel"}}, "drawn": {doc: text}}`. Any other text goes the same
  way: rows → layout → draw → spoil/photograph → image_pdf or .jpg files in a folder.
- `accuracy(ocr_text, source_text, spaces=True)`: 1 − character error rate.
"""
from __future__ import annotations

import argparse
import json
import random
import re
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np

from bench.lib import ocr_draw as D
from bench.lib.machine import load_avg, machine
from bench.lib.ocr_big import part_big
from bench.lib.paths import DEVSET, MSMARCO, ROOT, SEED_NOTES
from bench.lib.paths import OUT as BENCH_OUT
from retriever import KiwiTokenizer, NotesLibrary, OcrConfig, make_embedder

OUT = BENCH_OUT / "ocr"
MSM = MSMARCO
MODES = ("keyword", "semantic", "hybrid")


def lev(a: str, b: str) -> int:
    """Edit distance, one numpy row at a time."""
    if not a or not b:
        return len(a) or len(b)
    bb = np.frombuffer(b.encode("utf-32-le"), dtype=np.uint32)
    ar = np.arange(len(b) + 1, dtype=np.int32)
    prev = ar.copy()
    for i, ch in enumerate(a, 1):
        tmp = np.empty_like(prev)
        tmp[0] = i
        tmp[1:] = np.minimum(prev[1:] + 1, prev[:-1] + (bb != ord(ch)))
        prev = np.minimum.accumulate(tmp - ar) + ar
    return int(prev[-1])


def accuracy(ocr: str, src: str, spaces: bool = True) -> float:
    norm = (lambda s: " ".join(s.split())) if spaces else (lambda s: "".join(s.split()))
    a, b = norm(re.sub(r"(?m)^#+ ", "", ocr)), norm(src)
    return max(0.0, 1 - lev(a, b) / max(1, len(b)))


def _cpu_model() -> str:
    """The CPU's model name and the vector flags that matter here (from /proc/cpuinfo)."""
    try:
        info = Path("/proc/cpuinfo").read_text()
    except OSError:
        return "?"
    name = re.search(r"model name\s*:\s*(.*)", info)
    flags = set((re.search(r"flags\s*:\s*(.*)", info) or [None, ""])[1].split())
    return f"{name[1] if name else '?'} ({' '.join(f for f in ('avx2', 'avx512f', 'avx512_vnni', 'amx_tile') if f in flags)})"


# -- the sets ---------------------------------------------------------------------------
def make_seed() -> dict:
    base = OUT / "seed"
    if (base / "layout.json").exists():
        return json.loads((base / "layout.json").read_text(encoding="utf-8"))
    md = next(SEED_NOTES.glob("*.md")).read_text(encoding="utf-8")
    pages = D.layout(D.markdown_rows(md))
    for name in ("text", "scan1", "scan2", "photo"):
        (base / name).mkdir(parents=True, exist_ok=True)
    D.text_pdf(pages, base / "text" / "seed.pdf")
    clean = [D.draw(p) for p in pages]
    for level in (1, 2):
        D.image_pdf([D.spoil(img, level, seed=10 * level + k) for k, img in enumerate(clean)],
                    base / f"scan{level}" / "seed.pdf")
    photos = [1, 4, 7, 10]
    for k in photos:
        D.photograph(clean[k], seed=k).save(base / "photo" / f"p{k + 1:02d}.jpg", quality=80)
    layout = {"pages": [{"text": p.text, "sections": sorted(p.sections)} for p in pages], "photos": photos}
    (base / "layout.json").write_text(json.dumps(layout, ensure_ascii=False), encoding="utf-8")
    return layout


def make_msmarco(n: int, seed: int = 20) -> dict:
    base = OUT / f"msm{n}"
    if (base / "set.json").exists():
        return json.loads((base / "set.json").read_text(encoding="utf-8"))
    docs = {r["_id"]: r["text"] for r in map(json.loads, open(MSM / "corpus.jsonl", encoding="utf-8"))}
    queries = {r["_id"]: r["text"] for r in map(json.loads, open(MSM / "queries.jsonl", encoding="utf-8"))}
    rel: dict[str, list[str]] = {}
    for line in list(open(MSM / "qrels.tsv", encoding="utf-8"))[1:]:
        q, d, _ = line.rstrip("\n").split("\t")
        rel.setdefault(q, []).append(d)
    rng = random.Random(seed)
    qids = rng.sample(sorted(q for q in rel if q in queries), n)
    wanted = {d for q in qids for d in rel[q]}
    wanted |= set(rng.sample(sorted(set(docs) - wanted), 2 * n))  # as many others again, twice
    drawn = {}
    for name in ("text", "scan1", "scan2"):
        (base / name).mkdir(parents=True, exist_ok=True)
    for k, d in enumerate(sorted(wanted)):
        img, drawn[d] = D.passage_picture(docs[d])
        (base / "text" / f"{d}.txt").write_text(docs[d] + "\n", encoding="utf-8")
        for level in (1, 2):
            D.spoil(img, level, seed=k * 3 + level).save(base / f"scan{level}" / f"{d}.jpg",
                                                          quality=D.LEVELS[level]["quality"])
    out = {"questions": {q: {"text": queries[q], "rel": rel[q]} for q in qids}, "drawn": drawn}
    (base / "set.json").write_text(json.dumps(out, ensure_ascii=False), encoding="utf-8")
    return out


def library(corpus: Path, name: str, embedder, ocr: OcrConfig = OcrConfig()) -> tuple[NotesLibrary, dict]:
    lib = NotesLibrary(corpus, OUT / "index" / name, embedder, KiwiTokenizer(), ocr=ocr)
    t0 = time.perf_counter()
    rep = lib.open(report=lambda m: print(f"  [{name}] {m}", file=sys.stderr))
    info = {"seconds": round(time.perf_counter() - t0, 1), "recognised": rep.recognised if rep else 0}
    return lib, info


def page_texts(lib: NotesLibrary, source: str) -> list[str]:
    note = next(n for n in lib.notes() if n.source == source)
    lines, starts = note.text.split("\n"), list(note.pages) + [len(note.text.split("\n")) + 1]
    return ["\n".join(lines[a - 1:b - 1]) for a, b in zip(starts, starts[1:])]


# -- the parts -------------------------------------------------------------------------
def part_sets(emb, n_msm: int) -> dict:
    seed, msm, res = make_seed(), make_msmarco(n_msm), {}
    src = [p["text"] for p in seed["pages"]]
    for name in ("scan1", "scan2"):
        lib, info = library(OUT / "seed" / name, f"seed-{name}", emb)
        got = page_texts(lib, "seed.pdf")
        res[f"seed {name}"] = {**info, "pages": len(got), "acc": np.mean([accuracy(g, s) for g, s in zip(got, src)]),
                               "acc_nospace": np.mean([accuracy(g, s, False) for g, s in zip(got, src)])}
    lib, info = library(OUT / "seed" / "photo", "seed-photo", emb)
    pairs = [(page_texts(lib, f"p{k + 1:02d}.jpg")[0], src[k]) for k in seed["photos"]]
    res["seed photo"] = {**info, "pages": len(pairs), "acc": np.mean([accuracy(g, s) for g, s in pairs]),
                         "acc_nospace": np.mean([accuracy(g, s, False) for g, s in pairs])}
    for name in ("scan1", "scan2"):
        lib, info = library(OUT / f"msm{n_msm}" / name, f"msm{n_msm}-{name}", emb)
        pairs = [(n.text, msm["drawn"][Path(n.source).stem]) for n in lib.notes()]
        res[f"msmarco {name}"] = {**info, "pages": len(pairs), "acc": np.mean([accuracy(g, s) for g, s in pairs]),
                                  "acc_nospace": np.mean([accuracy(g, s, False) for g, s in pairs])}
    return res


def _rank(hits, good) -> int:
    return next((h.rank for h in hits if good(h)), 99)


@dataclass(frozen=True)
class OcrSet:
    """A set to search: its notes folder and its questions, each with what makes a hit right."""

    name: str
    corpus: Path
    questions: list[tuple[str, Callable]]  # (question, good(hit) -> bool)


def dev_sets(n_msm: int = 80) -> list[OcrSet]:
    """The seed notes as Markdown, text PDF and two scans; the msmarco-ko subset as text and two
    scans (drawn on the first call, then read from bench/out/ocr)."""
    seed, msm = make_seed(), make_msmarco(n_msm)
    devset = [json.loads(x) for x in open(DEVSET, encoding="utf-8")]
    pages_of: dict[str, set[int]] = {}
    for k, p in enumerate(seed["pages"], start=1):
        for sec in p["sections"]:
            pages_of.setdefault(sec, set()).add(k)
    sets = [OcrSet("seed markdown", SEED_NOTES,
                   [(q["question"], lambda h, q=q: q["section"] in h.heading) for q in devset])]
    for name in ("text", "scan1", "scan2"):
        sets.append(OcrSet(f"seed {name}", OUT / "seed" / name,
                           [(q["question"], lambda h, q=q: h.page in pages_of[q["section"]]) for q in devset]))
    for name in ("text", "scan1", "scan2"):
        sets.append(OcrSet(f"msmarco {name}", OUT / f"msm{n_msm}" / name,
                           [(q["text"], lambda h, q=q: Path(h.source).stem in q["rel"])
                            for q in msm["questions"].values()]))
    return sets


def part_retrieval(emb, n_msm: int) -> dict:
    res = {}
    for st in dev_sets(n_msm):
        lib, _ = library(st.corpus, st.name.replace(" ", "-").replace("msmarco", f"msm{n_msm}"), emb)
        res[st.name] = {m: [_rank(lib.search(q, mode=m, k=5), good) for q, good in st.questions] for m in MODES}
    return {k: {m: {"hit@1": float(np.mean([r == 1 for r in v])), "hit@5": float(np.mean([r <= 5 for r in v])),
                    "n": len(v)} for m, v in modes.items()} for k, modes in res.items()}


def _ocr_pages(pdf: Path, pages: int, config: OcrConfig) -> tuple[float, list]:
    from retriever.loader import FileRef, read_source
    from retriever.ocr.runner import PageJob, recognise_pages
    from retriever.ocr.tesseract import Tesseract

    note, scans = read_source(FileRef(pdf.name, pdf, "", pdf.stat().st_size))
    jobs = [PageJob(pdf.name, pdf, note.sha256, "pdf", s.page, s.key) for s in scans[:pages]]
    t0 = time.perf_counter()
    results = sorted(recognise_pages(jobs, Tesseract.find(config), config), key=lambda r: r.job.page)
    return time.perf_counter() - t0, results


def part_speed(pages: int, dpis: tuple[int, ...] = (150, 200, 300)) -> dict:
    from retriever.ocr.text import page_lines
    from retriever.readers import read_bytes

    seed = make_seed()
    pdf, res = OUT / "seed" / "scan1" / "seed.pdf", {}
    for workers in (1, 0):
        dt, _ = _ocr_pages(pdf, pages, OcrConfig(workers=workers))
        res[f"workers={OcrConfig(workers=workers).worker_count()}"] = {"pages": pages, "pages_per_min": 60 * pages / dt}
    for dpi in dpis:
        dt, results = _ocr_pages(pdf, pages, OcrConfig(dpi=dpi))
        acc = [accuracy("\n".join(page_lines(r.text)), seed["pages"][r.job.page - 1]["text"]) for r in results]
        res[f"dpi={dpi}"] = {"pages": pages, "sec_per_page_2w": dt / pages, "acc": float(np.mean(acc))}
    import resource

    # OCR alone (no embedder in this process): its peak, and the largest Tesseract process
    res["peak_mb"] = {"process": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
                      "largest_tesseract": round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024)}
    import pypdfium2 as pdfium

    counts = []
    for i, page in enumerate(pdfium.PdfDocument(str(OUT / "seed" / "text" / "seed.pdf"))):
        counts.append(len(re.findall(r"\w", page.get_textpage().get_text_range())))
    stamps = ["Scanned with CamScanner", "Scanned by OfficeScan 3000", "FAX 02-123-4567 2024/01/05 14:32 P.003", "- 12 -"]
    res["text layer"] = {"text pages min": min(counts), "median": int(np.median(counts)),
                         "stamps": {s: len(re.findall(r"\w", s)) for s in stamps}}
    assert read_bytes((OUT / "seed" / "scan1" / "seed.pdf").read_bytes(), "x.pdf").scans  # the scans count as scans
    return res


def report() -> str:
    """The saved results (bench/out/ocr/results) as Markdown tables, for bench/results/ocr_sets.md."""
    r = {f.stem: json.loads(f.read_text(encoding="utf-8")) for f in sorted((OUT / "results").glob("*.json"))}
    out = []
    if "sets" in r:
        out += ["| set | pages | characters right | ignoring spaces |", "|---|---|---|---|"]
        out += [f"| {k} | {v['pages']} | {v['acc']:.3f} | {v['acc_nospace']:.3f} |" for k, v in r["sets"].items()]
    if "retrieval" in r:
        out += ["", "| set | keyword hit@1 / hit@5 | semantic | hybrid | questions |", "|---|---|---|---|---|"]
        out += [f"| {k} | " + " | ".join(f"{v[m]['hit@1']:.3f} / {v[m]['hit@5']:.3f}" for m in MODES)
                + f" | {v['hybrid']['n']} |" for k, v in r["retrieval"].items()]
    if "speed" in r:
        out += ["", "| run | figures |", "|---|---|"]
        out += [f"| {k} | {json.dumps(v, ensure_ascii=False)} |" for k, v in r["speed"].items()]
    if "big" in r:
        out += ["", "| 100-page scan | |", "|---|---|"]
        out += [f"| {k} | {json.dumps(v, ensure_ascii=False)} |" for k, v in r["big"].items()]
    return "\n".join(out)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--only", default="sets,retrieval,speed,big")
    ap.add_argument("--msmarco", type=int, default=80, help="msmarco-ko questions in the subset")
    ap.add_argument("--speed-pages", type=int, default=6)
    ap.add_argument("--dpis", default="150,200,300", help="resolutions the speed part compares ('' for none)")
    ap.add_argument("--fresh", action="store_true", help="the 100-page scan's index from nothing")
    ap.add_argument("--big-pages", type=int, default=100, help="pages of the long scan (big)")
    ap.add_argument("--big-embedder", default="e5fast", help="embedder of the long scan's index (big); none: no model (OCR, Kiwi and the index only)")
    ap.add_argument("--report", action="store_true", help="print the saved results as Markdown tables")
    args = ap.parse_args()
    if args.report:
        return print(report())
    parts, results = args.only.split(","), {}
    emb = make_embedder("e5fast", cache_dir=OUT.parent / "e5fast-model") if {"sets", "retrieval"} & set(parts) else None
    for part in parts:
        t0 = time.perf_counter()
        meta = {"date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), "machine": machine(),
                "cpu": _cpu_model(), "load_before": load_avg(), "command": " ".join(sys.argv)}
        results[part] = {"sets": lambda: part_sets(emb, args.msmarco), "retrieval": lambda: part_retrieval(emb, args.msmarco),
                         "speed": lambda: part_speed(args.speed_pages, tuple(int(x) for x in args.dpis.split(",") if x)), "big": lambda: part_big(OUT, ROOT, MSM, SEED_NOTES, args.fresh, args.big_pages, args.big_embedder)}[part]()
        print(f"## {part} ({time.perf_counter() - t0:.0f} s)\n{json.dumps(results[part], ensure_ascii=False, indent=1, default=float)}",
              flush=True)
        (OUT / "results").mkdir(parents=True, exist_ok=True)
        meta.update(load_after=load_avg(), seconds=round(time.perf_counter() - t0))
        (OUT / "results" / f"{part}.meta.json").write_text(json.dumps(meta, ensure_ascii=False, indent=1),
                                                          encoding="utf-8")
        (OUT / "results" / f"{part}.json").write_text(json.dumps(results[part], ensure_ascii=False, indent=1, default=float),
                                                     encoding="utf-8")


if __name__ == "__main__":
    main()
