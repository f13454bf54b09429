"""Evaluation sets for `bench/retrieval.py` and the studies: a notes folder plus questions with
their answers.

Two kinds of input:

- a BEIR folder (`corpus.jsonl`, `queries.jsonl`, `qrels.tsv`): every document is written as a
  note file `<doc id>.txt` (a title, when there is one, as its `#` heading) into a folder under
  `bench/out/`, so the project's own loader, chunker and indexer build the index; a question's
  answer is the set of files of its relevant documents (qrels score > 0);
- a notes folder with a JSONL questions file, one `{"question": …}` a line with `"source"`
  (or `"page"`: the file holding the answer, relative to the folder) or `"section"` (a section
  title: a hit counts when its heading path contains it).

A hit's *unit* is what a question is judged on: its file (`source` answers) or its section
(`section` answers, all chunks of one section are one unit).
"""
from __future__ import annotations

import hashlib
import json
import random
import re
from dataclasses import dataclass, field, replace
from pathlib import Path

from bench.lib.paths import (ANSWER_FACTS, DEVSET, MSMARCO, OUT, PAGES, PAGES_QUESTIONS, SECOND_FACTS,
                             SECOND_NOTES, SEED_NOTES)

_SAFE = re.compile(r"[^A-Za-z0-9._-]")


@dataclass(frozen=True)
class Question:
    id: str
    text: str
    relevant: dict[str, int]  # answer unit (file or section title) → graded relevance
    by: str = "source"  # "source" or "section"


@dataclass(frozen=True)
class EvalSet:
    name: str
    corpus: Path
    questions: list[Question]
    notes: dict = field(default_factory=dict)  # how the set was made, for the report

    def sample(self, n: int | None, seed: int) -> "EvalSet":
        """A fixed random slice of `n` questions (same `seed`, same slice); all when n is None."""
        if not n or n >= len(self.questions):
            return self
        picked = sorted(random.Random(seed).sample(range(len(self.questions)), n))
        return replace(self, questions=[self.questions[i] for i in picked],
                       notes={**self.notes, "slice": f"{n} of {len(self.questions)} questions, seed {seed}"})


def unit_of(hit, question: Question) -> str:
    """What the hit stands for when judging `question`: its file, or the answer section its
    heading contains (else its heading path)."""
    if question.by == "section":
        for section in question.relevant:
            if section in hit.heading:
                return section
        return "§" + hit.heading
    return hit.source if hit.page is None else f"{hit.source}#{hit.page}"


def doc_file(doc_id: str) -> str:
    """The note file name of a BEIR document id (ids that are not file-safe get a hash)."""
    safe = _SAFE.sub("_", doc_id)[:80]
    if safe != doc_id:
        safe += "-" + hashlib.sha1(doc_id.encode("utf-8")).hexdigest()[:8]
    return safe + ".txt"


def read_jsonl(path: Path) -> list[dict]:
    """The rows of a JSONL file (blank lines skipped)."""
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def _write_if_changed(path: Path, text: str) -> bool:
    try:
        if path.read_text(encoding="utf-8") == text:
            return False
    except (OSError, UnicodeDecodeError):
        pass
    path.write_text(text, encoding="utf-8")
    return True


def materialise_beir(folder: Path, notes_dir: Path) -> dict[str, str]:
    """Write `folder`'s corpus as one note file per document into `notes_dir`; doc id → file.
    Files of documents no longer in the corpus are removed; unchanged files are left alone."""
    notes_dir.mkdir(parents=True, exist_ok=True)
    files: dict[str, str] = {}
    for row in read_jsonl(folder / "corpus.jsonl"):
        doc_id, title, text = str(row["_id"]), (row.get("title") or "").strip(), row.get("text") or ""
        name = doc_file(doc_id)
        files[doc_id] = name
        _write_if_changed(notes_dir / name, (f"# {title}\n\n{text}" if title else text).strip() + "\n")
    keep = set(files.values())
    for p in notes_dir.glob("*.txt"):
        if p.name not in keep:
            p.unlink()
    return files


def read_qrels(path: Path) -> dict[str, dict[str, int]]:
    qrels: dict[str, dict[str, int]] = {}
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines()):
        parts = line.split("\t")
        if len(parts) < 3 or (n == 0 and not parts[2].strip().lstrip("-").isdigit()):
            continue  # the header, blank lines
        score = int(parts[2])
        if score > 0:
            qrels.setdefault(parts[0], {})[parts[1]] = score
    return qrels


def beir_set(folder: Path, name: str | None = None, work: Path | None = None) -> EvalSet:
    """A BEIR folder as an evaluation set; its note files go to `work/notes` (default
    bench/out/beir/<name>), its index beside them."""
    folder = Path(folder)
    name = name or folder.name
    work = work or OUT / "beir" / name
    files = materialise_beir(folder, work / "notes")
    qrels = read_qrels(folder / "qrels.tsv")
    questions, dropped = [], 0
    for row in read_jsonl(folder / "queries.jsonl"):
        rel = {files[d]: s for d, s in qrels.get(str(row["_id"]), {}).items() if d in files}
        if rel and (row.get("text") or "").strip():
            questions.append(Question(str(row["_id"]), row["text"], rel))
        else:
            dropped += 1
    return EvalSet(name, work / "notes", questions,
                   {"source": str(folder), "documents": len(files), "questions without an answer": dropped})


def questions_set(corpus: Path, questions_file: Path, name: str | None = None) -> EvalSet:
    """A notes folder with a JSONL questions file ({"question", "source"|"page"|"section"})."""
    questions = []
    for n, row in enumerate(read_jsonl(Path(questions_file)), start=1):
        text = row.get("question") or row.get("text")
        answer = row.get("section") or row.get("source") or row.get("page")
        if not text or not answer:
            raise ValueError(f"{questions_file}:{n}: need 'question' and 'source', 'page' or 'section'")
        answers = answer if isinstance(answer, list) else [answer]
        by = "section" if row.get("section") else "source"
        questions.append(Question(str(row.get("id") or n), text, {str(a): 1 for a in answers}, by))
    return EvalSet(name or Path(corpus).name, Path(corpus), questions, {"questions file": str(questions_file)})


BUILTIN = {
    "msmarco": lambda out: beir_set(MSMARCO, "msmarco-ko", out / "beir" / "msmarco-ko"),
    "pages": lambda out: questions_set(PAGES, PAGES_QUESTIONS, "pages"),
    "seed": lambda out: questions_set(SEED_NOTES, DEVSET, "seed"),
    "facts": lambda out: questions_set(SEED_NOTES, ANSWER_FACTS, "seed-facts"),
    "second": lambda out: questions_set(SECOND_NOTES, SECOND_FACTS, "second-facts"),
}


OCR_SET = re.compile(r"pages-ocr(\d)(?:s(\d+))?$")


def ocr_pages_set(level: int, seed: int = 1) -> EvalSet:
    """The pages stand-in with OCR-like errors (bench/lib/ocr_noise.py) at `level`, clean questions.
    The noised pages are written to a folder under the system temp dir, never into the repo."""
    import tempfile

    from bench.lib.ocr_noise import LEVELS, corrupt_folder

    folder = Path(tempfile.gettempdir()) / "study-pages-ocr" / f"ocr{level}-s{seed}"
    corrupt_folder(PAGES, folder, level, seed)
    ev = questions_set(folder, PAGES_QUESTIONS, f"pages-ocr{level}s{seed}")
    return replace(ev, notes={**ev.notes, "noise": str(LEVELS[level]), "seed": seed, "folder": str(folder)})


def load_set(spec: str, out: Path = OUT) -> EvalSet:
    """A built-in set by name (msmarco, pages, seed, facts, second), `pages-ocr<level>[s<seed>]`
    (the pages with OCR-like noise, level 1–3, seed 1 by default), `ocr-seed|msm-text|scan1|scan2|photo`, `ocr-msm-scan3`
    (real OCR'd dev sets, `ocr_dev_set`), a BEIR folder (its note files
    go under `out`/beir), or `NOTES_DIR:QUESTIONS.jsonl`."""
    if spec in BUILTIN:
        return BUILTIN[spec](out)
    m = OCR_SET.match(spec)
    if m:
        return ocr_pages_set(int(m.group(1)), int(m.group(2) or 1))
    m = OCR_DEV.match(spec)
    if m:
        return ocr_dev_set(m.group(1), m.group(2))
    folder, sep, qfile = spec.partition(":")
    if sep:
        return questions_set(Path(folder), Path(qfile))
    if (Path(spec) / "corpus.jsonl").exists():
        return beir_set(Path(spec), work=out / "beir" / Path(spec).name)
    raise ValueError(f"unknown set {spec!r}: {', '.join(BUILTIN)}, a BEIR folder or NOTES_DIR:QUESTIONS.jsonl")


# -- the real OCR dev sets (bench/ocr_sets.py: text drawn, spoiled, read by the project's OCR) --
OCR_DEV = re.compile(r"ocr-(seed|msm)-(text|scan1|scan2|photo|scan3)$")
PHOTO_QUESTIONS = 40  # the photographed msmarco subset: this many questions, as many other passages


def photo_msmarco(n_msm: int = 80, kind: str = "photo") -> tuple[Path, dict]:
    """The first PHOTO_QUESTIONS questions of the msmarco OCR subset with their passages and as
    many others, each passage picture photographed (ocr_draw.photograph: angle, uneven light,
    blur, colour JPEG) or, `kind` "scan3", spoiled past what Tesseract reads reliably (ocr_draw
    LEVELS[3]); drawn once into bench/out/ocr/msm<n>/<kind>. Returns the folder and the
    questions {qid: {"text", "rel"}}."""
    from bench import ocr_sets
    from bench.lib import ocr_draw as D

    msm = ocr_sets.make_msmarco(n_msm)
    qids = sorted(msm["questions"])[:PHOTO_QUESTIONS]
    wanted = sorted({d for q in qids for d in msm["questions"][q]["rel"] if d in msm["drawn"]})
    others = sorted(set(msm["drawn"]) - set(wanted))
    docs = wanted + random.Random(7).sample(others, min(len(others), len(wanted)))
    folder = ocr_sets.OUT / f"msm{n_msm}" / kind
    folder.mkdir(parents=True, exist_ok=True)
    texts = {r["_id"]: r["text"] for r in read_jsonl(MSMARCO / "corpus.jsonl") if r["_id"] in set(docs)}
    for k, d in enumerate(sorted(docs)):
        path = folder / f"{d}.jpg"
        if not path.exists():
            img, _ = D.passage_picture(texts[d])
            if kind == "scan3":
                D.spoil(img, 3, seed=3000 + k).save(path, quality=D.LEVELS[3]["quality"])
            else:
                D.photograph(img, seed=1000 + k).save(path, quality=80)
    return folder, {q: msm["questions"][q] for q in qids}


def ocr_dev_set(kind: str, strength: str, n_msm: int = 80) -> EvalSet:
    """An OCR dev set of bench/ocr_sets.py as an EvalSet: `seed` (the seed notes on 14 A4 pages:
    `text` PDF, `scan1` light, `scan2` strong; a question's answer is every page holding its
    section) or `msm` (80 msmarco-ko questions over 243 passage pictures: `text`, `scan1`,
    `scan2`; `photo`: 40 questions over their passages and as many others, photographed; `scan3`:
    the same 82 passages spoiled past what Tesseract reads reliably, msm only).
    Its index lives in bench/out/ocr/index/<name>, so each page is read by OCR once."""
    from bench import ocr_sets

    name = f"ocr-{kind}-{strength}"
    if kind == "seed":
        seed = ocr_sets.make_seed()
        pages_of: dict[str, set[int]] = {}
        for k, p in enumerate(seed["pages"], start=1):
            for sec in p["sections"]:
                pages_of.setdefault(sec, set()).add(k)
        questions = [Question(str(n), q["question"], {f"seed.pdf#{k}": 1 for k in pages_of.get(q["section"], ())})
                     for n, q in enumerate(read_jsonl(DEVSET), start=1)]
        return EvalSet(name, ocr_sets.OUT / "seed" / strength, questions, {"pages": len(seed["pages"])})
    if strength in ("photo", "scan3"):
        folder, qs = photo_msmarco(n_msm, strength)
    else:
        folder, qs = ocr_sets.OUT / f"msm{n_msm}" / strength, ocr_sets.make_msmarco(n_msm)["questions"]
    unit = "{}.txt" if strength == "text" else "{}.jpg#1"  # a picture is a one-page note
    questions = [Question(q, v["text"], {unit.format(d): 1 for d in v["rel"]}) for q, v in sorted(qs.items())]
    return EvalSet(name, folder, questions, {"notes": len(list(folder.iterdir()))})
