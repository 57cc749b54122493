"""Compile the rule-based extractor v1 (gazetteer) and evaluate it on a fixed dotin dev split.

    python -m training.models.train_extractor_v1 --catalog build/catalog --out artifacts/extractor/v1 \
        [--dotin ../shared/data/dotin-resume-ner] [--eval-script ../shared/eval/extraction_eval.py]

Writes ``gazetteer.json``, ``report/README.md`` and ``manifest.json`` (metrics = the shared
metric on the dev split). Nothing is learned from the resumes: the dev split only measures.

Dev split (fixed, documented here so every model uses the same one): a dotin resume is in *dev*
when ``int(sha256("dotin-dev:" + id), 16) % 100 < 20`` (about 20 %); the rest is *train*.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from careerready.core import paths
from careerready.models.extractor import GAZETTEER_FILE, GazetteerExtractor
from careerready.services.artifacts import sha256_file
from careerready.services.catalog import Catalog

from training.artifacts import write_manifest
from training.models.gazetteer import compile_gazetteer

DEV_SALT = "dotin-dev:"
DEV_PERCENT = 20
DEFAULT_DOTIN = paths.SHARED_DATA_DIR / "dotin-resume-ner"
DEFAULT_EVAL = paths.SHARED_DATA_DIR.parent / "eval" / "extraction_eval.py"


def is_dev(resume_id: str) -> bool:
    """True when a dotin resume id belongs to the fixed dev split (~20 %)."""
    digest = hashlib.sha256(f"{DEV_SALT}{resume_id}".encode()).hexdigest()
    return int(digest, 16) % 100 < DEV_PERCENT


def read_dotin(dotin_dir: Path) -> list[dict[str, Any]]:
    """Read ``train.jsonl`` of the dotin resume NER set."""
    with (dotin_dir / "train.jsonl").open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def predict(
    extractor: GazetteerExtractor, docs: Iterable[dict[str, Any]], mode: str = "skills"
) -> list[dict[str, Any]]:
    """Predictions in the shared eval format (negated skills are left out).

    Args:
        mode: ``skills`` = one surface per extracted skill (what the API returns);
            ``mentions`` = every distinct surface of every non-negated mention.
    """
    out = []
    for d in docs:
        skills = extractor.extract(d["text"])
        if mode == "skills":
            strings = [s.text for s in skills if not s.negated]
        else:
            strings = sorted({m.text for s in skills for m in s.mentions if not m.negated})
        out.append({"id": d["id"], "skills": strings})
    return out


def run_shared_eval(eval_script: Path, gold: list[dict[str, Any]], pred: list[dict[str, Any]]) -> dict[str, Any]:
    """Score with the shared metric script (gold/pred written to a temp dir outside the repo)."""
    with tempfile.TemporaryDirectory(prefix="extractor-eval-") as tmp:
        gold_path, pred_path = Path(tmp) / "gold.jsonl", Path(tmp) / "pred.jsonl"
        gold_path.write_text("".join(json.dumps(g) + "\n" for g in gold), encoding="utf-8")
        pred_path.write_text("".join(json.dumps(p) + "\n" for p in pred), encoding="utf-8")
        proc = subprocess.run(
            [sys.executable, str(eval_script), str(gold_path), str(pred_path)],
            capture_output=True,
            text=True,
            check=True,
        )
    result: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    return result


_PLAIN_TOKEN_RE = re.compile(r"[a-z0-9+#.]+")


def plain_gazetteer_baseline(names_csv: Path, docs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The named baseline: every n-gram (n <= 5) of the lower-cased text that equals one of the
    laiser taxonomy's 23,800 skill names, with no aliases, context rules, negation or sections."""
    with names_csv.open(encoding="utf-8", newline="") as fh:
        names = {" ".join(_PLAIN_TOKEN_RE.findall(row["skill_name"].lower())) for row in csv.DictReader(fh)}
    names.discard("")
    out = []
    for d in docs:
        toks = [t.strip(".") for t in _PLAIN_TOKEN_RE.findall(d["text"].lower())]
        found = {" ".join(toks[i : i + n]) for n in range(1, 6) for i in range(len(toks) - n + 1)} & names
        out.append({"id": d["id"], "skills": sorted(found)})
    return out


def evaluate(extractor: GazetteerExtractor, dotin_dir: Path, eval_script: Path) -> dict[str, Any]:
    """Dev/train figures with the shared metric plus latency per resume."""
    docs = read_dotin(dotin_dir)
    dev = [d for d in docs if is_dev(str(d["id"]))]
    train = [d for d in docs if not is_dev(str(d["id"]))]
    timings = []
    for d in dev:
        t0 = time.perf_counter()
        extractor.extract(d["text"])
        timings.append((time.perf_counter() - t0) * 1000)
    words = [len(d["text"].split()) for d in dev]
    metrics: dict[str, Any] = {
        "dev": run_shared_eval(eval_script, dev, predict(extractor, dev)),
        "dev_mentions": run_shared_eval(eval_script, dev, predict(extractor, dev, "mentions")),
        "train": run_shared_eval(eval_script, train, predict(extractor, train)),
        "dev_ms_per_resume": {
            "median": round(statistics.median(timings), 2),
            "max": round(max(timings), 2),
            "median_words": int(statistics.median(words)),
        },
        "split": {"dev": len(dev), "train": len(train), "rule": f"sha256('{DEV_SALT}'+id) % 100 < {DEV_PERCENT}"},
    }
    laiser = dotin_dir.parent / "laiser-skill-taxonomy" / "faiss_skills.csv"
    if laiser.is_file():
        metrics["baseline_plain_gazetteer_dev"] = run_shared_eval(
            eval_script, dev, plain_gazetteer_baseline(laiser, dev)
        )
    return metrics


def _report(out: Path, gazetteer: dict[str, Any], metrics: dict[str, Any], command: str) -> None:
    lines = [
        "# Extractor v1 (gazetteer)",
        "",
        f"Command: `{command}`",
        "",
        "## Gazetteer",
        "",
        *(f"- {k}: {v}" for k, v in gazetteer["stats"].items()),
        "",
    ]
    if "dev" in metrics:
        lines += [
            "## Shared metric (relaxed set match per resume, micro over resumes)",
            "",
            "| split | resumes | precision | recall | F1 | predicted strings | gold strings |",
            "|---|---|---|---|---|---|---|",
        ]
        for name in ("dev", "dev_mentions", "train", "baseline_plain_gazetteer_dev"):
            if name not in metrics:
                continue
            m = metrics[name]
            lines.append(
                f"| {name} | {m['resumes']} | {m['precision']:.4f} | {m['recall']:.4f} | {m['f1']:.4f} "
                f"| {m['pred_strings']} | {m['gold_strings']} |"
            )
        t = metrics["dev_ms_per_resume"]
        lines += [
            "",
            "`dev` scores one surface per skill (what the API returns); `dev_mentions` every distinct",
            "non-negated mention surface. Negated skills are excluded from predictions.",
            "",
            f"Split rule: `{metrics['split']['rule']}`. Latency on dev: median {t['median']} ms, "
            f"max {t['max']} ms per resume (median {t['median_words']} words).",
            "",
        ]
    else:
        lines += ["No evaluation: the dotin data or the eval script was not found.", ""]
    (out / "report").mkdir(parents=True, exist_ok=True)
    (out / "report" / "README.md").write_text("\n".join(lines), encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    """CLI entry point."""
    ap = argparse.ArgumentParser(prog="python -m training.models.train_extractor_v1", description=__doc__)
    ap.add_argument("--catalog", type=Path, default=paths.CATALOG_BUILD_DIR)
    ap.add_argument("--out", type=Path, default=paths.ARTIFACTS_DIR / "extractor" / "v1")
    ap.add_argument("--dotin", type=Path, default=DEFAULT_DOTIN, help="dotin-resume-ner dir (skip eval if absent)")
    ap.add_argument("--eval-script", type=Path, default=DEFAULT_EVAL)
    ap.add_argument("--force", action="store_true", help="overwrite an existing local version dir")
    args = ap.parse_args(argv)

    out: Path = args.out
    if (out / "manifest.json").exists() and not args.force:
        print(f"error: {out} already holds a version; pass --force or pick a new vN", file=sys.stderr)
        return 2
    catalog = Catalog.load(args.catalog)
    catalog_meta = {
        "data_version": catalog.version,
        "catalog_sha256": catalog.manifest.get("catalog_sha256", sha256_file(Path(args.catalog) / "skills.jsonl")),
    }
    gazetteer = compile_gazetteer(catalog.skills.values(), extra_meta={"catalog": catalog_meta})
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    (out / GAZETTEER_FILE).write_text(
        json.dumps(gazetteer, sort_keys=True, ensure_ascii=False, separators=(",", ":")) + "\n", encoding="utf-8"
    )
    extractor = GazetteerExtractor.from_gazetteer(gazetteer)
    print(f"gazetteer: {gazetteer['stats']}")

    metrics: dict[str, Any] = {}
    datasets: dict[str, Any] = {
        "catalog": {"version": catalog_meta["data_version"], "sha256": catalog_meta["catalog_sha256"]}
    }
    if (args.dotin / "train.jsonl").is_file() and args.eval_script.is_file():
        metrics = evaluate(extractor, args.dotin, args.eval_script)
        datasets["dotin-resume-ner"] = {"version": "train.jsonl", "sha256": sha256_file(args.dotin / "train.jsonl")}
        for name in ("dev", "dev_mentions", "train", "baseline_plain_gazetteer_dev"):
            if name not in metrics:
                continue
            m = metrics[name]
            print(f"{name:13} P={m['precision']:.4f} R={m['recall']:.4f} F1={m['f1']:.4f} (resumes={m['resumes']})")
        print(f"latency dev: {metrics['dev_ms_per_resume']}")
    else:
        print(f"note: no evaluation ({args.dotin}/train.jsonl or {args.eval_script} missing)")
    command = "python -m training.models.train_extractor_v1 " + " ".join(argv if argv is not None else sys.argv[1:])
    _report(out, gazetteer, metrics, command.strip())
    write_manifest(out, "extractor", out.name, metrics=metrics, datasets=datasets)
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
