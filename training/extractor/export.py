"""Export the fine-tuned token classifier (HF format) to ONNX for serving with onnxruntime.

    python -m training.extractor.export --hf artifacts/ner/v1/hf --out artifacts/ner/v1

Writes ``model.onnx`` (inputs input_ids/attention_mask/token_type_ids int64 [batch, seq]; output ``logits``
[batch, seq, labels]; opset 17, TorchScript exporter), ``tokenizer.json`` (truncation and padding off) and
``labels.json`` (label names and the window geometry serving must use).

The Hugging Face checkpoint every export is derived from is published too, as the ``hf/`` folder of the
``ner`` artifact (:func:`package_hf`; :func:`attach_hf` adds it to an artifact trained before it was), so anyone
can load the real model with ``transformers``; serving never downloads it (``services/startup.NOT_SERVED``).
"""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path
from typing import Any

os.environ.setdefault("HF_HUB_OFFLINE", "1")

OPSET = 17
MODEL_FILE = "model.onnx"
INT8_FILE = "model.int8.onnx"
TOKENIZER_FILE = "tokenizer.json"
LABELS_FILE = "labels.json"
#: The Hugging Face checkpoint folder (config, safetensors, tokenizer), in the training-side dir and in the artifact.
#: Serving never reads it: ``careerready.services.startup.NOT_SERVED["ner"]`` names the same folder.
HF_DIR = "hf"


def export_onnx(
    hf_dir: Path, out_dir: Path, *, window: int = 256, stride: int = 192, int8: bool = True
) -> dict[str, Any]:
    """Export ``hf_dir`` to ``out_dir/{model.onnx, tokenizer.json, labels.json}``; return the check figures.

    The ONNX logits are compared with torch on a probe text (max absolute difference is returned). With
    ``int8`` a per-channel dynamically quantised copy is written too (``model.int8.onnx``).
    """
    import numpy as np
    import onnxruntime as ort
    import torch
    from tokenizers import Tokenizer
    from transformers import AutoModelForTokenClassification

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    model = AutoModelForTokenClassification.from_pretrained(str(hf_dir), attn_implementation="eager")
    model.eval()

    class _Wrap(torch.nn.Module):
        def __init__(self, inner: torch.nn.Module) -> None:
            super().__init__()
            self.inner = inner

        def forward(self, input_ids: Any, attention_mask: Any, token_type_ids: Any) -> Any:
            return self.inner(input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids).logits

    tok = Tokenizer.from_file(str(Path(hf_dir) / TOKENIZER_FILE))
    tok.no_truncation()
    tok.no_padding()
    probe = tok.encode("Skills: Python, Docker, Kubernetes and stakeholder management.\nTools: JIRA")
    ids = torch.tensor([probe.ids], dtype=torch.long)
    mask = torch.ones_like(ids)
    types = torch.zeros_like(ids)
    path = out_dir / MODEL_FILE
    with torch.no_grad():
        ref = model(input_ids=ids, attention_mask=mask, token_type_ids=types).logits.numpy()
        torch.onnx.export(
            _Wrap(model),
            (ids, mask, types),
            str(path),
            dynamo=False,
            opset_version=OPSET,
            input_names=["input_ids", "attention_mask", "token_type_ids"],
            output_names=["logits"],
            dynamic_axes={
                "input_ids": {0: "batch", 1: "sequence"},
                "attention_mask": {0: "batch", 1: "sequence"},
                "token_type_ids": {0: "batch", 1: "sequence"},
                "logits": {0: "batch", 1: "sequence"},
            },
        )
    sess = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    got = sess.run(
        ["logits"], {"input_ids": ids.numpy(), "attention_mask": mask.numpy(), "token_type_ids": types.numpy()}
    )[0]
    max_diff = float(np.abs(got - ref).max())
    figures: dict[str, Any] = {"onnx_max_abs_diff": max_diff, "onnx_bytes": path.stat().st_size}
    if int8:
        from onnxruntime.quantization import QuantType, quantize_dynamic

        quantize_dynamic(str(path), str(out_dir / INT8_FILE), per_channel=True, weight_type=QuantType.QInt8)
        q = ort.InferenceSession(str(out_dir / INT8_FILE), providers=["CPUExecutionProvider"])
        feeds = {"input_ids": ids.numpy(), "attention_mask": mask.numpy(), "token_type_ids": types.numpy()}
        got8 = q.run(["logits"], feeds)[0]
        figures["int8_max_abs_diff"] = float(np.abs(got8 - ref).max())
        figures["int8_argmax_agreement"] = float((got8.argmax(-1) == ref.argmax(-1)).mean())
        figures["int8_bytes"] = (out_dir / INT8_FILE).stat().st_size
    tok.save(str(out_dir / TOKENIZER_FILE))
    id2label = {int(k): v for k, v in model.config.id2label.items()}
    labels = {
        "labels": [id2label[i] for i in range(len(id2label))],
        "window": window,
        "stride": stride,
        "max_length": int(model.config.max_position_embeddings),
        "opset": OPSET,
    }
    (out_dir / LABELS_FILE).write_text(json.dumps(labels, indent=2) + "\n", encoding="utf-8")
    return figures


SERVED_FILES = (TOKENIZER_FILE, LABELS_FILE)


def package_serving(train_dir: Path, out_dir: Path, *, serve: str = "int8") -> str:
    """Copy what serving needs from the training-side export into the artifact dir; return the ONNX file name.

    The artifact gets one ONNX file (``model.int8.onnx`` for ``serve="int8"``, else ``model.onnx``),
    ``tokenizer.json`` and ``labels.json`` (with ``serve`` naming that file). The HF checkpoint and the other
    ONNX file stay in ``train_dir``.
    """
    import shutil

    name = INT8_FILE if serve == "int8" else MODEL_FILE
    train_dir, out_dir = Path(train_dir), Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(train_dir / name, out_dir / name)
    shutil.copyfile(train_dir / TOKENIZER_FILE, out_dir / TOKENIZER_FILE)
    labels = json.loads((train_dir / LABELS_FILE).read_text(encoding="utf-8"))
    labels["serve"] = name
    (out_dir / LABELS_FILE).write_text(json.dumps(labels, indent=2) + "\n", encoding="utf-8")
    return name


def package_hf(train_dir: Path, out_dir: Path) -> dict[str, int]:
    """Copy the Hugging Face checkpoint ``train_dir/hf`` into the artifact as ``out_dir/hf`` (replacing any).

    Returns:
        ``{"files": n, "bytes": total}`` of the copied folder.

    Raises:
        FileNotFoundError: ``train_dir/hf`` has no ``config.json`` or no ``model.safetensors``.
    """
    import shutil

    src, dst = Path(train_dir) / HF_DIR, Path(out_dir) / HF_DIR
    for name in ("config.json", "model.safetensors"):
        if not (src / name).is_file():
            raise FileNotFoundError(f"{src} is not a Hugging Face checkpoint: {name} is missing")
    if dst.exists():
        shutil.rmtree(dst)
    dst.mkdir(parents=True)
    files = sorted(p for p in src.iterdir() if p.is_file())
    for path in files:
        shutil.copyfile(path, dst / path.name)  # plain 0644 copies (save_pretrained may write 0600 files)
    return {"files": len(files), "bytes": sum(p.stat().st_size for p in files)}


def attach_hf(train_dir: Path, artifact_dir: Path) -> dict[str, Any]:
    """Add the ``hf/`` checkpoint to a ``ner`` artifact trained before the artifact published it.

    Only when ``train_dir`` (``build/ner-hf/v<N>``) is the training side of that very artifact: its files verify
    against its own manifest and the ONNX file the artifact serves is byte-identical (same sha256) to the one
    ``train_dir`` exported from its ``hf/`` folder. The artifact's manifest keeps its provenance (created_at,
    git_commit, metrics, datasets); its ``files`` gain ``hf/*`` and ``hf_folder`` records the addition.

    Returns:
        ``{"status": "present" | "attached", ...}``.

    Raises:
        FileNotFoundError: no artifact manifest, no training-side manifest or no checkpoint.
        ValueError: ``train_dir`` did not produce the served ONNX file (retrain: ``make train-ner``).
        ArtifactIntegrityError: a training-side file differs from its manifest.
    """
    import datetime as dt

    from careerready.services.artifacts import MANIFEST_NAME, verify_dir

    from training.artifacts import git_commit, hash_files, manifest_bytes

    train_dir, artifact_dir = Path(train_dir), Path(artifact_dir)
    manifest = json.loads((artifact_dir / MANIFEST_NAME).read_text(encoding="utf-8"))
    if any(rel.startswith(HF_DIR + "/") for rel in manifest["files"]):
        return {"status": "present"}
    train_manifest = json.loads((train_dir / MANIFEST_NAME).read_text(encoding="utf-8"))
    labels = json.loads((artifact_dir / LABELS_FILE).read_text(encoding="utf-8"))
    served = str(labels.get("serve", MODEL_FILE))
    ours, theirs = manifest["files"].get(served), train_manifest["files"].get(served)
    if ours is None or theirs is None or ours["sha256"] != theirs["sha256"]:
        raise ValueError(
            f"{train_dir} did not export the {served} that {artifact_dir} serves: its hf/ checkpoint is not this "
            "artifact's model; retrain the tagger (make train-ner) to publish both together"
        )
    verify_dir(train_dir, train_manifest)
    copied = package_hf(train_dir, artifact_dir)
    manifest["files"] = hash_files(artifact_dir)
    manifest["hf_folder"] = {
        "added_at": dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z"),
        "added_by_commit": git_commit(),
        "source": f"{'/'.join(train_dir.parts[-2:])}, the training side that exported the served {served}",
        **copied,
    }
    (artifact_dir / MANIFEST_NAME).write_bytes(manifest_bytes(manifest))
    return {"status": "attached", "served": served, **copied}


def main(argv: list[str] | None = None) -> int:
    """CLI entry point."""
    ap = argparse.ArgumentParser(prog="python -m training.extractor.export", description=__doc__)
    ap.add_argument("--hf", type=Path, required=True)
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--window", type=int, default=256)
    ap.add_argument("--stride", type=int, default=192)
    ap.add_argument("--no-int8", action="store_true")
    args = ap.parse_args(argv)
    print(json.dumps(export_onnx(args.hf, args.out, window=args.window, stride=args.stride, int8=not args.no_int8)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
