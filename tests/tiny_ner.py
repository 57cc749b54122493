"""A tiny hand-built ``ner`` artifact for serving tests (no training, no torch).

``model.onnx`` is one Gather over a [vocab, 3] table: each word piece of a small WordPiece vocabulary gets fixed
BIO logits, so the spans the tagger returns are known exactly. ``tokenizer.json`` and ``labels.json`` complete it,
so :func:`careerready.models.ner.load` (and the startup loader) serve it like the real artifact.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

# word piece -> tag (0 = O, 1 = B, 2 = I)
TAGS = {
    "python": 1,
    "docker": 1,
    "kube": 1,
    "##rnetes": 2,
    "machine": 1,
    "learning": 2,
    "##ling": 1,
    "café": 1,
    "asp": 1,
    "net": 1,
    "c": 1,
}
VOCAB = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "and", "i", "use", "skills", ":", ",", ".", "model", "the", "—", *TAGS]


def build_tiny_ner(root: Path, *, window: int = 16, stride: int = 10, threshold: float | None = None) -> Path:
    """Write ``model.onnx`` + ``tokenizer.json`` + ``labels.json`` into ``root`` and return it."""
    import onnx
    from careerready.models import ner as ner_mod
    from onnx import TensorProto, helper, numpy_helper
    from tokenizers import Tokenizer, models, normalizers, pre_tokenizers

    vocab = {tok: i for i, tok in enumerate(VOCAB)}
    tok = Tokenizer(models.WordPiece(vocab, unk_token="[UNK]"))
    tok.normalizer = normalizers.BertNormalizer(lowercase=True, strip_accents=False)
    tok.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    table = np.zeros((len(VOCAB), 3), dtype=np.float32)
    table[:, 0] = 4.0
    for piece, tag in TAGS.items():
        table[vocab[piece]] = 0.0
        table[vocab[piece], tag] = 4.0
    graph = helper.make_graph(
        [helper.make_node("Gather", ["table", "input_ids"], ["logits"], axis=0)],
        "tiny_ner",
        [helper.make_tensor_value_info("input_ids", TensorProto.INT64, ["batch", "sequence"])],
        [helper.make_tensor_value_info("logits", TensorProto.FLOAT, ["batch", "sequence", 3])],
        [numpy_helper.from_array(table, "table")],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    root.mkdir(parents=True, exist_ok=True)
    onnx.save(model, str(root / ner_mod.MODEL_FILE))
    tok.save(str(root / ner_mod.TOKENIZER_FILE))
    labels: dict[str, object] = {"labels": ["O", "B-SKILL", "I-SKILL"], "window": window, "stride": stride}
    if threshold is not None:
        labels["threshold"] = threshold
    (root / ner_mod.LABELS_FILE).write_text(json.dumps(labels), encoding="utf-8")
    return root


def tagger_artifact(real: Path, fallback: Path) -> Path:
    """``real`` when it is a trained ``ner`` artifact (has a manifest); else the tiny tagger written to ``fallback``
    with a manifest, for tests that need *a* tagger loaded on a checkout trained without the dotin dataset."""
    from training.artifacts import write_manifest

    if (real / "manifest.json").is_file():
        return real
    if not (fallback / "manifest.json").is_file():
        write_manifest(build_tiny_ner(fallback), "ner", fallback.name, metrics={"note": "tiny test tagger"})
    return fallback


#: One taxonomy skill: the smallest catalog the extract stage can serve.
PYTHON_SKILL = {
    "id": "python",
    "name": "Python",
    "aliases": [],
    "type": "language",
    "category": "pl",
    "prerequisites": [],
    "learning_hours": 80,
    "demand": 0.9,
}


def extract_stage_artifacts(root: Path, *, ner: bool) -> dict[str, Path]:
    """Write the extract stage's artifacts under ``root`` (``<model>/v1``): a one-skill catalog, its gazetteer
    and, with ``ner``, the tiny tagger; each with its manifest. Returns model -> version folder."""
    from training.artifacts import write_manifest
    from training.models.gazetteer import compile_gazetteer

    cat = root / "catalog" / "v1"
    cat.mkdir(parents=True)
    (cat / "skills.jsonl").write_text(json.dumps(PYTHON_SKILL) + "\n")
    write_manifest(cat, "catalog", "v1", metrics={})
    ext = root / "extractor" / "v1"
    ext.mkdir(parents=True)
    (ext / "gazetteer.json").write_text(json.dumps(compile_gazetteer([PYTHON_SKILL])))
    write_manifest(ext, "extractor", "v1", metrics={})
    out = {"catalog": cat, "extractor": ext}
    if ner:
        out["ner"] = build_tiny_ner(root / "ner" / "v1")
        write_manifest(out["ner"], "ner", "v1", metrics={})
    return out
