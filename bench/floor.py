"""``python -m bench.floor [--reps N] [--rounds N] [--out FILE]``: what this machine cannot go below (issue 15).

Two floors that no change to our own code can cut, measured so that a budget below them is seen to be one:

* **Import floor per function**: a fresh interpreter imports only the packages the brief fixes for that function
  (``FLOOR_IMPORTS``: FastAPI + Mangum for the analyze API, numpy / onnxruntime / tokenizers where a model runs,
  boto3 everywhere, since every function loads its models from S3) and creates the S3 client; nothing of ours, no
  model fetched or loaded, no request answered. Compared with the cold-start budget of the function
  (``COLD_BUDGET_MS``), it is what is left for everything else.
* **Model floor per event-path resume**: CPU of the two served ONNX models alone on the benchmark resume mix that
  ``bench.eventpath`` cycles over (10 short, 10 medium, 10 long; ``bench.resumes``): the learned tagger on the whole
  text, and the encoder on the text-ranking chunk term (``matching._chunks``: the first 360 words in 120-word chunks,
  each run alone, as served; the encoder's cache cleared before each resume). ``1000 / (tagger + encoder)`` is the
  most resumes per CPU-second the event path could reach if everything else cost nothing. The tagger on the medium
  resumes alone is set next to issue 12's warm-extraction budget (60 ms per ~500-word resume).
* **Batching across messages** (issue 15's suggested lever), the same two models as fresh ONNX Runtime sessions with
  the served options (one thread): every resume's tagger windows (each padded to the window) and every resume's
  encoder chunks (padded to the longest chunk) run in batches of ``BATCHES`` rows across resumes, CPU ms per resume.
  If batching lifted the ceiling, it would show here (it changes results, too: the tagger is dynamically quantised).

Both are medians over repetitions in one run; the machine is shared, so the ratios to the budgets are what to read.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import time
from collections.abc import Callable, Sequence
from functools import partial
from pathlib import Path
from typing import Any

from bench.common import PYTHON, REPO_ROOT, machine_info

__all__ = [
    "BATCHES",
    "COLD_BUDGET_MS",
    "EVENT_BUDGET_PER_S",
    "EXTRACT_BUDGET_MS",
    "FLOOR_IMPORTS",
    "batched_floor",
    "import_floor",
    "main",
    "model_floor",
    "render",
]

#: Packages each function cannot run without (the brief's package list; our own additions left out).
FLOOR_IMPORTS: dict[str, tuple[str, ...]] = {
    "analyze": ("fastapi", "mangum", "boto3"),
    "extract": ("numpy", "onnxruntime", "tokenizers", "boto3"),
    "match": ("numpy", "onnxruntime", "tokenizers", "boto3"),
    "readiness": ("numpy", "boto3"),
    "recommend": ("numpy", "boto3"),
    "ingest": ("numpy", "onnxruntime", "tokenizers", "boto3"),
}
#: Issue 15's cold-start budgets (ms, empty /tmp, models from S3).
COLD_BUDGET_MS: dict[str, float] = {
    "analyze": 1000.0,
    "extract": 1000.0,
    "match": 1000.0,
    "readiness": 1000.0,
    "recommend": 1000.0,
    "ingest": 1500.0,
}
#: Issue 15's event-path budget (resumes per CPU-second) and issue 12's warm extraction budget (ms per 500 words).
EVENT_BUDGET_PER_S = 10.0
EXTRACT_BUDGET_MS = 60.0
#: Rows per onnxruntime call in the batching measurement (1 = every window / chunk alone).
BATCHES = (1, 8, 32)

_CHILD = (
    "import time\n"
    "t = time.perf_counter()\n"
    "{imports}\n"
    "boto3.client('s3', region_name='us-east-1')\n"
    "print(round((time.perf_counter() - t) * 1000, 1))\n"
)


def _import_ms(modules: Sequence[str]) -> float:
    code = _CHILD.format(imports="\n".join(f"import {m}" for m in modules))
    out = subprocess.run(  # noqa: S603 - fixed interpreter, code built from FLOOR_IMPORTS
        [PYTHON, "-c", code], cwd=REPO_ROOT, capture_output=True, text=True, check=True, timeout=120
    )
    return float(out.stdout.strip().splitlines()[-1])


def import_floor(reps: int = 7) -> dict[str, dict[str, Any]]:
    """Per function: import + S3-client ms in fresh interpreters (functions interleaved, ``reps`` each)."""
    samples: dict[str, list[float]] = {f: [] for f in FLOOR_IMPORTS}
    for _ in range(reps):
        for function, modules in FLOOR_IMPORTS.items():
            samples[function].append(_import_ms(modules))
    out: dict[str, dict[str, Any]] = {}
    for function, values in samples.items():
        median = statistics.median(values)
        out[function] = {
            "modules": list(FLOOR_IMPORTS[function]),
            "n": len(values),
            "min_ms": round(min(values), 1),
            "median_ms": round(median, 1),
            "budget_ms": COLD_BUDGET_MS[function],
            "share_of_budget": round(median / COLD_BUDGET_MS[function], 2),
        }
    return out


def _cpu_ms(fn: Callable[[], Any]) -> float:
    start = time.process_time()
    fn()
    return (time.process_time() - start) * 1000


def model_floor(artifacts: Path, rounds: int = 3) -> dict[str, Any]:
    """CPU ms per resume of the served tagger and of the encoder's chunk term (mean per round, median of rounds)."""
    from careerready.pipelines.matching import _chunks
    from careerready.services.transport import InProcessTransport

    from bench.resumes import make_resumes

    transport = InProcessTransport.from_artifacts(artifacts)
    ner = transport.models("extract").ner
    embeddings = transport.models("match").embeddings
    if ner is None or embeddings is None:
        raise RuntimeError(f"no learned tagger or encoder under {artifacts}: run `make train` with ../shared beside")
    embedder = embeddings.embedder
    resumes, source = make_resumes(10)

    def encode(text: str) -> None:
        embedder.clear_cache()
        embedder.embed(_chunks(text))

    for r in resumes[:3]:  # first-call costs out of the rounds
        ner.token_probs(r.text)
        encode(r.text)
    tagger: list[float] = []
    encoder: list[float] = []
    tagger_medium: list[float] = []
    for _ in range(rounds):
        tag = [_cpu_ms(partial(ner.token_probs, r.text)) for r in resumes]
        enc = [_cpu_ms(partial(encode, r.text)) for r in resumes]
        tagger.append(statistics.fmean(tag))
        encoder.append(statistics.fmean(enc))
        tagger_medium.append(statistics.median(t for t, r in zip(tag, resumes, strict=True) if r.size == "medium"))
    both = statistics.median(tagger) + statistics.median(encoder)
    return {
        "resumes": len(resumes),
        "source": source,
        "mean_words": round(statistics.fmean(r.words for r in resumes), 1),
        "rounds": rounds,
        "tagger_ms_per_resume": round(statistics.median(tagger), 1),
        "encoder_chunk_term_ms_per_resume": round(statistics.median(encoder), 1),
        "models_ms_per_resume": round(both, 1),
        "ceiling_resumes_per_s_per_core": round(1000.0 / both, 2),
        "event_budget_resumes_per_s_per_core": EVENT_BUDGET_PER_S,
        "tagger_ms_medium_resume": round(statistics.median(tagger_medium), 1),
        "extract_budget_ms": EXTRACT_BUDGET_MS,
        "per_round": {"tagger": [round(x, 1) for x in tagger], "encoder": [round(x, 1) for x in encoder]},
        "batched": batched_floor(artifacts, [r.text for r in resumes], ner.window_spans, ner.model_file),
    }


def _session(path: Path) -> Any:
    import onnxruntime as ort

    opts = ort.SessionOptions()
    opts.intra_op_num_threads = 1
    opts.inter_op_num_threads = 1
    opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    return ort.InferenceSession(str(path), sess_options=opts, providers=["CPUExecutionProvider"])


def _rows(session: Any, rows: list[list[int]], width: int, batch: int) -> None:
    """Run ``rows`` (token ids) padded to ``width`` through ``session``, ``batch`` rows per call."""
    import numpy as np

    names = {i.name for i in session.get_inputs()}
    for b in range(0, len(rows), batch):
        group = rows[b : b + batch]
        ids = np.zeros((len(group), width), dtype=np.int64)
        mask = np.zeros_like(ids)
        for r, row in enumerate(group):
            ids[r, : len(row)] = row
            mask[r, : len(row)] = 1
        feeds = {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
        session.run(None, {k: v for k, v in feeds.items() if k in names})


def batched_floor(
    artifacts: Path, texts: Sequence[str], window_spans: Callable[[int], list[tuple[int, int]]], ner_file: str
) -> dict[str, dict[str, float]]:
    """CPU ms per resume of both models with windows / chunks batched across resumes (``BATCHES`` rows per call)."""
    from careerready.pipelines.matching import _chunks
    from tokenizers import Tokenizer

    ner_dir, emb_dir = artifacts / "ner" / "v1", artifacts / "embeddings" / "v1"
    tagger, encoder = _session(ner_dir / ner_file), _session(emb_dir / "model.onnx")
    tok = Tokenizer.from_file(str(ner_dir / "tokenizer.json"))
    tok.no_truncation()
    tok.no_padding()
    cls, sep = tok.token_to_id("[CLS]") or 0, tok.token_to_id("[SEP]") or 0
    windows: list[list[int]] = []
    for text in texts:
        ids = tok.encode(text, add_special_tokens=False).ids
        windows += [[cls, *ids[s : s + k], sep] for s, k in window_spans(len(ids))]
    enc_tok = Tokenizer.from_file(str(emb_dir / "tokenizer.json"))
    chunks = [e.ids for e in enc_tok.encode_batch([c for t in texts for c in _chunks(t)])]
    win_width, chunk_width = max(map(len, windows)), max(map(len, chunks))
    out: dict[str, dict[str, float]] = {}
    for batch in BATCHES:
        tag = _cpu_ms(partial(_rows, tagger, windows, win_width, batch)) / len(texts)
        enc = _cpu_ms(partial(_rows, encoder, chunks, chunk_width, batch)) / len(texts)
        out[str(batch)] = {
            "tagger_ms": round(tag, 1),
            "encoder_ms": round(enc, 1),
            "ceiling_resumes_per_s_per_core": round(1000.0 / (tag + enc), 2),
        }
    return out


def render(result: dict[str, Any]) -> str:
    """The floors as markdown tables."""
    lines = [
        "| function | imports (+ S3 client) | n | min ms | median ms | cold budget ms | median / budget |",
        "|---|---|---:|---:|---:|---:|---:|",
    ]
    for function, row in result["imports"].items():
        lines.append(
            f"| {function} | {', '.join(row['modules'])} | {row['n']} | {row['min_ms']:,.1f} | {row['median_ms']:,.1f} "
            f"| {row['budget_ms']:,.0f} | {row['share_of_budget']:.2f} |"
        )
    models = result.get("models")
    if models:
        lines += [
            "",
            f"Served models, CPU ms per resume ({models['resumes']} bench resumes, mean {models['mean_words']} words, "
            f"median of {models['rounds']} rounds): tagger {models['tagger_ms_per_resume']}, encoder chunk term "
            f"{models['encoder_chunk_term_ms_per_resume']}, both {models['models_ms_per_resume']} -> at most "
            f"**{models['ceiling_resumes_per_s_per_core']} resumes/s per core** if nothing else cost anything "
            f"(budget {models['event_budget_resumes_per_s_per_core']:.0f}). Tagger alone on the medium resumes: "
            f"{models['tagger_ms_medium_resume']} ms (whole-extraction budget {models['extract_budget_ms']:.0f} ms).",
            "",
            "| rows per call, across resumes | tagger ms / resume | encoder ms / resume | ceiling resumes/s per core |",
            "|---:|---:|---:|---:|",
        ]
        lines += [
            f"| {b} | {row['tagger_ms']} | {row['encoder_ms']} | {row['ceiling_resumes_per_s_per_core']} |"
            for b, row in models["batched"].items()
        ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Measure both floors, print them as markdown, write the JSON."""
    ap = argparse.ArgumentParser(prog="python -m bench.floor", description=__doc__.splitlines()[0])
    ap.add_argument("--reps", type=int, default=7, help="fresh interpreters per function (import floor)")
    ap.add_argument("--rounds", type=int, default=3, help="passes over the bench resumes (model floor)")
    ap.add_argument("--artifacts", type=Path, default=REPO_ROOT / "artifacts")
    ap.add_argument("--out", type=Path, default=REPO_ROOT / "build" / "bench" / "floor.json")
    args = ap.parse_args(argv)
    result: dict[str, Any] = {"machine": machine_info(), "imports": import_floor(args.reps)}
    try:
        result["models"] = model_floor(args.artifacts, args.rounds)
    except Exception as exc:  # no artifacts (no ../shared): the import floor still stands
        result["models_not_measured"] = f"{type(exc).__name__}: {exc}"
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(render(result))  # noqa: T201 - CLI output
    if "models_not_measured" in result:
        print(f"\nmodel floor not measured: {result['models_not_measured']}")  # noqa: T201
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
