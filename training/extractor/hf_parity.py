"""Parity check: the tagger's published Hugging Face checkpoint against the ONNX files derived from it.

    python -m training.extractor.hf_parity [--artifact artifacts/ner/v1] [--threads 2]

transformers, loading the artifact's ``hf/`` folder, is the reference. Training's own export
(:func:`training.extractor.export.export_onnx`) re-derives the fp32 and int8 ONNX and the tokenizer from that folder
into a temporary dir. The same serving windows (``careerready.models.ner.NerModel``'s windowing and batching on the
served tokenizer) then go through four models: transformers, the re-derived fp32 ONNX, the served ONNX file, and the
re-derived int8 ONNX. The report compares their logits, their argmax labels, the labels and spans serving decodes
(threshold + B/I rule of ``NerModel.decode``), and the tokenizers. Texts: the repo's sample resumes
(``data/samples``: nurse, teacher, paralegal, chef, sales, accountant, software, ...), hand-written, not a dataset.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np
from careerready.core import paths

from training.extractor.export import HF_DIR, MODEL_FILE, export_onnx

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

SAMPLES_DIR = paths.REPO_ROOT / "data" / "samples"
#: fp32 ONNX vs transformers: largest logit difference allowed (measured 4.3e-6 on the sample texts)
FP32_MAX_ABS = 1e-4
#: served int8 vs transformers: share of tokens whose served label (threshold + B/I, what serving decodes) agrees
INT8_MIN_LABEL_AGREEMENT = 0.99
#: served int8 vs transformers: share of tokens with the same argmax label (int8 rounding moves near-ties)
INT8_MIN_ARGMAX_AGREEMENT = 0.98
#: served file vs the int8 re-derived from the checkpoint: largest logit difference (0 when byte-identical)
REDERIVED_MAX_ABS = 1e-4


def sample_texts(samples_dir: Path = SAMPLES_DIR) -> list[str]:
    """The sample resumes, sorted by file name, plus their first four joined (several windows) and a short line."""
    texts = [p.read_text(encoding="utf-8") for p in sorted(Path(samples_dir).glob("*.txt"))]
    if not texts:
        raise FileNotFoundError(f"no sample resumes (*.txt) in {samples_dir}")
    return [*texts, "\n\n".join(texts[:4]), "Skills: Excel, patient care, IV therapy, Python."]


class RecordingSession:
    """An onnxruntime-like session (``get_inputs`` / ``run``) that keeps each batch's attention mask and logits."""

    def __init__(self, run: Callable[[dict[str, np.ndarray]], np.ndarray]) -> None:
        self._run = run
        self.calls: list[tuple[np.ndarray, np.ndarray]] = []

    def get_inputs(self) -> list[Any]:
        """The three BERT inputs, by name (what ``NerModel`` feeds)."""
        return [SimpleNamespace(name=n) for n in ("input_ids", "attention_mask", "token_type_ids")]

    def run(self, _names: Any, feeds: dict[str, np.ndarray]) -> list[np.ndarray]:
        """Run the wrapped model on one batch of windows; record and return its logits."""
        logits = np.asarray(self._run(feeds), dtype=np.float32)
        self.calls.append((feeds["attention_mask"].astype(bool), logits))
        return [logits]

    def token_logits(self) -> np.ndarray:
        """Logits of every real token (``[CLS]``/``[SEP]`` included) of every recorded window, in call order."""
        return np.concatenate([logits[mask] for mask, logits in self.calls])


def onnx_session(path: Path, threads: int = 2) -> RecordingSession:
    """An onnxruntime CPU session of ``path``, recorded."""
    import onnxruntime as ort

    opts = ort.SessionOptions()
    opts.intra_op_num_threads = threads
    sess = ort.InferenceSession(str(path), opts, providers=["CPUExecutionProvider"])
    return RecordingSession(lambda feeds: sess.run(["logits"], feeds)[0])


def transformers_session(hf_dir: Path) -> RecordingSession:
    """``AutoModelForTokenClassification.from_pretrained(hf_dir)`` in eval mode, recorded."""
    import torch
    from transformers import AutoModelForTokenClassification

    model = AutoModelForTokenClassification.from_pretrained(str(hf_dir), attn_implementation="eager").eval()

    def run(feeds: dict[str, np.ndarray]) -> np.ndarray:
        with torch.no_grad():
            out = model(**{k: torch.from_numpy(v) for k, v in feeds.items()}).logits
        return np.asarray(out.numpy())

    return RecordingSession(run)


def _served_labels(probs: np.ndarray, threshold: float) -> np.ndarray:
    """The label serving decodes per token (``NerModel.decode``): 0 outside, 1 begins, 2 continues a span."""
    skill = 1.0 - probs[:, 0]
    return np.where(skill >= threshold, np.where(probs[:, 1] >= probs[:, 2], 1, 2), 0)


def _run(artifact: Path, session: RecordingSession, texts: list[str]) -> dict[str, Any]:
    from careerready.models.ner import LABELS_FILE, TOKENIZER_FILE, NerModel
    from tokenizers import Tokenizer

    labels = json.loads((artifact / LABELS_FILE).read_text(encoding="utf-8"))
    model = NerModel(
        session,  # type: ignore[arg-type]  # duck-typed: NerModel only calls get_inputs() and run()
        Tokenizer.from_file(str(artifact / TOKENIZER_FILE)),
        labels["labels"],
        window=labels["window"],
        stride=labels["stride"],
        threshold=float(labels.get("threshold", 0.5)),
    )
    served: list[np.ndarray] = []
    spans: list[set[tuple[int, int]]] = []
    for text in texts:
        offsets, probs = model.token_probs(text)
        served.append(_served_labels(probs, model.threshold))
        spans.append({(s, e) for s, e, _ in model.decode(text, offsets, probs).spans})
    return {"logits": session.token_logits(), "labels": np.concatenate(served), "spans": spans}


def _span_f1(ref: list[set[tuple[int, int]]], got: list[set[tuple[int, int]]]) -> dict[str, float | int]:
    common = sum(len(a & b) for a, b in zip(ref, got, strict=True))
    n_ref, n_got = sum(map(len, ref)), sum(map(len, got))
    return {
        "spans_reference": n_ref,
        "spans": n_got,
        "spans_identical": common,
        "span_f1": round(2 * common / max(1, n_ref + n_got), 4),
    }


def _sha256(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def parity_report(
    artifact: Path, *, threads: int = 2, texts: list[str] | None = None, workdir: Path | None = None
) -> dict[str, Any]:
    """Compare the artifact's ``hf/`` checkpoint (transformers) with the ONNX files derived from it.

    Args:
        artifact: A ``ner`` artifact dir with ``hf/``, ``labels.json`` (``serve`` names its ONNX file) and
            ``tokenizer.json``.
        threads: torch and onnxruntime intra-op threads.
        texts: Default :func:`sample_texts`.
        workdir: Where the re-derived ONNX files go (default a temporary dir, removed afterwards).

    Returns:
        Figures (see the keys) and ``passed`` against the module's bounds.
    """
    import torch
    from careerready.models.ner import LABELS_FILE, TOKENIZER_FILE
    from tokenizers import Tokenizer
    from transformers import AutoConfig, AutoTokenizer

    torch.set_num_threads(threads)
    artifact = Path(artifact)
    hf_dir = artifact / HF_DIR
    texts = sample_texts() if texts is None else texts
    labels = json.loads((artifact / LABELS_FILE).read_text(encoding="utf-8"))
    served_file = str(labels.get("serve", MODEL_FILE))
    config = AutoConfig.from_pretrained(str(hf_dir))
    hf_tok = AutoTokenizer.from_pretrained(str(hf_dir))
    served_tok = Tokenizer.from_file(str(artifact / TOKENIZER_FILE))
    with tempfile.TemporaryDirectory(prefix="ner-hf-parity-") as tmp:
        out = Path(workdir or tmp)
        export_onnx(hf_dir, out, window=labels["window"], stride=labels["stride"])
        ref = _run(artifact, transformers_session(hf_dir), texts)
        fp32 = _run(artifact, onnx_session(out / MODEL_FILE, threads), texts)
        served = _run(artifact, onnx_session(artifact / served_file, threads), texts)
        rederived = _run(artifact, onnx_session(out / served_file, threads), texts)  # the export names it the same
        same_file = _sha256(out / served_file) == _sha256(artifact / served_file)
        same_tokenizer = (out / TOKENIZER_FILE).read_bytes() == (artifact / TOKENIZER_FILE).read_bytes()
    r_log, r_arg = ref["logits"], ref["logits"].argmax(-1)
    skill = r_arg != 0
    report: dict[str, Any] = {
        "texts": len(texts),
        "tokens": int(len(r_log)),
        "skill_tokens_reference": int(skill.sum()),
        "labels_match_config": [config.id2label[i] for i in range(config.num_labels)] == labels["labels"],
        "hf_tokenizer_matches_served": all(
            hf_tok(t, add_special_tokens=False)["input_ids"] == served_tok.encode(t, add_special_tokens=False).ids
            for t in texts
        ),
        "served_tokenizer_rederived_identical": same_tokenizer,
        "fp32_max_abs_diff": float(np.abs(fp32["logits"] - r_log).max()),
        "fp32_argmax_agreement": float((fp32["logits"].argmax(-1) == r_arg).mean()),
        "served_file": served_file,
        "served_max_abs_diff": float(np.abs(served["logits"] - r_log).max()),
        "served_argmax_agreement": float((served["logits"].argmax(-1) == r_arg).mean()),
        "served_argmax_agreement_on_skill_tokens": float((served["logits"].argmax(-1)[skill] == r_arg[skill]).mean()),
        "served_label_agreement": float((served["labels"] == ref["labels"]).mean()),
        "served_spans_vs_reference": _span_f1(ref["spans"], served["spans"]),
        "served_vs_rederived_max_abs_diff": float(np.abs(served["logits"] - rederived["logits"]).max()),
        "served_file_rederived_byte_identical": same_file,
    }
    report["passed"] = bool(
        report["labels_match_config"]
        and report["hf_tokenizer_matches_served"]
        and same_tokenizer
        and report["fp32_max_abs_diff"] < FP32_MAX_ABS
        and report["fp32_argmax_agreement"] == 1.0
        and report["served_label_agreement"] >= INT8_MIN_LABEL_AGREEMENT
        and report["served_argmax_agreement"] >= INT8_MIN_ARGMAX_AGREEMENT
        and report["served_vs_rederived_max_abs_diff"] < REDERIVED_MAX_ABS
    )
    return report


def main(argv: list[str] | None = None) -> int:
    """CLI entry point: print the report as JSON; exit 1 when it did not pass."""
    ap = argparse.ArgumentParser(prog="python -m training.extractor.hf_parity", description=__doc__)
    ap.add_argument("--artifact", type=Path, default=paths.ARTIFACTS_DIR / "ner" / "v1")
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args(argv)
    report = parity_report(args.artifact, threads=args.threads)
    print(json.dumps(report, indent=2))
    return 0 if report["passed"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
