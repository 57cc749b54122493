"""Train every model, in order, into ``artifacts/<model>/v<N>/`` (the guide's ``train_all.py``).

Each step runs as its own ``python -m`` subprocess (its own CLI, its own memory) and is skipped when
its artifact already has a manifest AND the step's inputs are those it was last built from (a sha256 over its
command, its data and code inputs and the manifests of the steps before it, kept in ``build/train_state.json``);
``--force`` rebuilds everything. A changed taxonomy file thus rebuilds the catalog and every step after it, and a
changed trainer only its model. A step with no recorded inputs (built before this bookkeeping) is rebuilt.
The four classical trainers, single-threaded and independent of one another once the extraction cache is filled
(by one process per CPU), run side by side, as many at a time as there are CPUs (``Step.parallel``); every step
builds the same bytes as when run alone. Progress goes to stdout; a summary of all held-out metrics against their baselines is written to
``artifacts/REPORT.md``.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from careerready.core.errors import ArtifactIntegrityError
from careerready.core.paths import REPO_ROOT
from careerready.features.text_index import TEXT_INDEX_FILE

from training.artifacts import write_manifest

SEED = 20261126
NER_MAX_STEPS = 300  # size bound of the ner step (steps x batch 8 x 256 tokens), never a clock: CI trains from scratch
REGISTRY = REPO_ROOT / "layers" / "careerready" / "registry.json"
TRAINING = REPO_ROOT / "training"
SERVING = REPO_ROOT / "layers" / "careerready"


def model_versions() -> dict[str, str]:
    """Version each model is trained into: the highest version any stage of the registry pins."""
    versions: dict[str, str] = {}
    if REGISTRY.exists():
        registry = json.loads(REGISTRY.read_text())
        for models in registry.get("stages", registry).values():
            if isinstance(models, dict):
                for model, version in models.items():
                    versions[model] = max(versions.get(model, version), version, key=lambda v: int(v.lstrip("v")))
    return versions


@dataclass
class Step:
    name: str
    done_marker: Path | None
    command: list[str] | None = None
    action: Callable[[], None] | None = None
    outputs: list[Path] = field(default_factory=list)
    #: files/folders the step's result depends on (data, its code, the manifests of earlier steps)
    inputs: list[Path] = field(default_factory=list)
    #: may run at the same time as the parallel steps next to it (a single-threaded command whose inputs are
    #: built by the steps before the group, none of them an input of another)
    parallel: bool = False

    def input_hash(self, extra: str = "") -> str:
        """sha256 over the step's command, ``extra`` and every input file (path and bytes; a missing one as such)."""
        digest = hashlib.sha256(json.dumps([self.name, self.command or [], extra]).encode())
        for root in self.inputs:
            if not root.exists():
                digest.update(f"missing:{root}".encode())
                continue
            digest.update(fingerprint([root]).encode())
        return digest.hexdigest()


class TrainState:
    """``done marker -> input hash`` of every step built, in one JSON file (``build/train_state.json``)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.hashes: dict[str, str] = json.loads(path.read_text()) if path.is_file() else {}

    def current(self, step: Step, extra: str) -> bool:
        """The step's result exists and was built from these inputs."""
        marker = step.done_marker
        return marker is not None and marker.exists() and self.hashes.get(str(marker)) == step.input_hash(extra)

    def record(self, step: Step, input_hash: str) -> None:
        """Remember the inputs ``step`` was built from (hashed BEFORE it ran: an edit during the run counts as new)."""
        if step.done_marker is None:
            return
        self.hashes[str(step.done_marker)] = input_hash
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.path.write_text(json.dumps(self.hashes, indent=1, sort_keys=True) + "\n")


def _prepare(step: Step, label: str, force: bool, state: TrainState | None, extra: str) -> bool:
    """Say whether ``step`` runs; when it does, clear its outputs first (a rebuild starts from nothing)."""
    done = step.done_marker is not None and step.done_marker.exists()
    if not force and done and (state is None or state.current(step, extra)):
        print(f"{label}: up to date ({step.done_marker}), skipped", flush=True)
        return False
    stale = not force and done
    if stale:
        print(f"{label}: its inputs changed since it was built (or were never recorded): rebuilding", flush=True)
    for out in step.outputs:
        if (force or stale) and out.exists():
            shutil.rmtree(out)
    print(f"{label}: running ...", flush=True)
    return True


def _env() -> dict[str, str]:
    # OpenMP threads (torch, xgboost) sleep while they wait instead of spinning: on a busy 2-core box spinning
    # made the tagger's steps 3x slower; models do not depend on it
    return {**os.environ, "OMP_WAIT_POLICY": os.environ.get("OMP_WAIT_POLICY", "PASSIVE")}


def _run(step: Step, index: int, total: int, force: bool, state: TrainState | None = None, extra: str = "") -> float:
    label = f"[{index}/{total}] {step.name}"
    if not _prepare(step, label, force, state, extra):
        return 0.0
    input_hash = step.input_hash(extra)
    started = time.perf_counter()
    if step.command is not None:
        proc = subprocess.run([sys.executable, *step.command], cwd=REPO_ROOT, check=False, env=_env())
        if proc.returncode != 0:
            raise SystemExit(f"{label}: FAILED (exit {proc.returncode}): {' '.join(step.command)}")
    elif step.action is not None:
        step.action()
    return _finish(step, label, input_hash, started, state)


def _finish(step: Step, label: str, input_hash: str, started: float, state: TrainState | None) -> float:
    """Record a step that succeeded and say how long it took."""
    elapsed = time.perf_counter() - started
    if state is not None:
        state.record(step, input_hash)
    print(f"{label}: done in {elapsed:.1f} s", flush=True)
    return elapsed


def _run_parallel(
    steps: list[Step], first: int, total: int, force: bool, state: TrainState | None, extra: str, jobs: int
) -> dict[str, float]:
    """Run command steps ``jobs`` at a time, in list order (longest first pays off); their output interleaves.

    Each step is checked, cleared, hashed and recorded exactly as :func:`_run` does; a failure stops the run after
    the steps already started have finished (their results are kept and recorded).
    """
    timings: dict[str, float] = {}
    waiting = list(enumerate(steps, first))
    running: dict[int, tuple[Step, str, str, float, subprocess.Popen[bytes]]] = {}
    failed: list[str] = []
    while waiting or running:
        while waiting and len(running) < max(1, jobs) and not failed:
            index, step = waiting.pop(0)
            label = f"[{index}/{total}] {step.name}"
            if step.command is None:
                raise ValueError(f"{label}: a parallel step needs a command")
            if not _prepare(step, label, force, state, extra):
                timings[step.name] = 0.0
                continue
            input_hash = step.input_hash(extra)
            proc = subprocess.Popen([sys.executable, *step.command], cwd=REPO_ROOT, env=_env())
            running[proc.pid] = (step, label, input_hash, time.perf_counter(), proc)
        if failed:
            waiting.clear()
        if not running:
            break
        finished = [pid for pid, (*_, proc) in running.items() if proc.poll() is not None]
        if not finished:
            time.sleep(0.2)
            continue
        step, label, input_hash, started, proc = running.pop(finished[0])
        if proc.returncode != 0:
            failed.append(f"{label}: FAILED (exit {proc.returncode}): {' '.join(step.command or [])}")
            continue
        timings[step.name] = _finish(step, label, input_hash, started, state)
    if failed:
        raise SystemExit("\n".join(failed))
    return timings


def publish_catalog_artifact(catalog_dir: Path, out_dir: Path, version: str) -> None:
    """Package the compiled catalog (skills, roles, resources) as the versioned ``catalog`` artifact."""
    out_dir.mkdir(parents=True, exist_ok=True)
    for src in sorted(catalog_dir.iterdir()):
        if src.is_file():
            shutil.copy2(src, out_dir / src.name)
    meta_path = catalog_dir / "catalog_manifest.json"
    meta = json.loads(meta_path.read_text()) if meta_path.exists() else {}
    counts = {
        "skills": sum(1 for _ in (catalog_dir / "skills.jsonl").open()),
        "roles": len(json.loads((catalog_dir / "roles.json").read_text())),
        "resources": sum(1 for _ in (catalog_dir / "resources.jsonl").open()),
    }
    occupations = catalog_dir / "occupations.json"
    counts["occupations"] = len(json.loads(occupations.read_text())) if occupations.is_file() else 0
    stale = out_dir / "occupations.json"
    if not occupations.is_file() and stale.is_file():
        stale.unlink()  # a catalog rebuilt without O*NET must not keep serving old occupations
    write_manifest(out_dir, "catalog", version, metrics=counts, extra={"catalog": meta})


def attach_ner_hf(train_dir: Path, artifact_dir: Path) -> None:
    """Publish the tagger's HF checkpoint inside ``artifact_dir`` when it was trained before that was done.

    A fresh ``train_ner`` run writes ``hf/`` itself, so this only acts on older artifacts; it never fails the run
    (serving does not need the folder): without the matching training-side dir it says what to do instead.
    """
    from training.extractor.export import attach_hf

    if not (artifact_dir / "manifest.json").is_file():
        return
    if not (train_dir / "manifest.json").is_file():
        print(
            f"  note: {artifact_dir} has no hf/ folder and {train_dir} is gone; `make train-ner` retrains the tagger "
            "and publishes both",
            flush=True,
        )
        return
    try:
        result = attach_hf(train_dir, artifact_dir)
    except (ValueError, OSError, ArtifactIntegrityError) as exc:
        print(f"  note: hf/ not added to {artifact_dir}: {exc}", flush=True)
        return
    print(f"  {artifact_dir}/hf: {result}", flush=True)


def _fmt(value: object) -> str:
    return f"{value:.4f}" if isinstance(value, float) else str(value)


def write_summary(artifacts: Path, versions: dict[str, str], timings: dict[str, float]) -> Path:
    """Collect every manifest's metrics into one Markdown page."""
    lines = ["# Training summary", "", "Held-out metrics of every model, from each artifact's manifest.json.", ""]
    for model in sorted(versions):
        manifest_path = artifacts / model / versions[model] / "manifest.json"
        if not manifest_path.exists():
            continue
        manifest = json.loads(manifest_path.read_text())
        lines += [f"## {model} {versions[model]}", ""]
        metrics = manifest.get("metrics", {})
        flat = _flatten(metrics)
        if flat:
            lines += ["| metric | value |", "|---|---|"] + [f"| {k} | {_fmt(v)} |" for k, v in flat.items()]
        lines.append("")
    lines += ["## Step timings (s)", "", "| step | seconds |", "|---|---|"]
    lines += [f"| {k} | {v:.1f} |" for k, v in timings.items()]
    path = artifacts / "REPORT.md"
    path.write_text("\n".join(lines) + "\n")
    return path


def _flatten(d: dict[str, object], prefix: str = "") -> dict[str, object]:
    out: dict[str, object] = {}
    for key, value in d.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            out.update(_flatten(value, name + "."))
        elif isinstance(value, int | float | str | bool):
            out[name] = value
    return out


def data_report(external: Path | None) -> list[str]:
    """One line per public dataset of ``training/datasets/sources.py``: there and verified, there but other bytes,
    or missing and what that costs (which steps are skipped or poorer, and the quality figure it costs)."""
    from training.datasets.fetch import sha256_of
    from training.datasets.sources import DATASETS

    lines = []
    for ds in DATASETS:
        folder = external / ds.name if external is not None else None
        have = [f for f in ds.files if folder is not None and (folder / f.path).is_file()]
        if folder is not None and len(have) == len(ds.files):
            changed = [f.path for f in ds.files if sha256_of(folder / f.path) != f.sha256]
            state = f"other bytes than pinned in {', '.join(changed)}: figures may differ" if changed else "ok"
            lines.append(f"  {ds.name}: {state}")
        else:
            lines.append(f"  {ds.name}: MISSING ({ds.used_by}). Without it: {ds.missing_cost}")
    return lines


def fingerprint(paths: list[Path]) -> str:
    """Hash of the sources that determine the artifacts (recorded in ``artifacts/.complete``)."""
    digest = hashlib.sha256()
    for root in paths:
        files = (
            [root]
            if root.is_file()
            else sorted(p for p in root.rglob("*") if p.is_file() and "__pycache__" not in p.parts)
        )
        for p in files:
            digest.update(str(p.relative_to(root.parent)).encode())  # a path outside the repo (../shared) works too
            digest.update(p.read_bytes())
    return digest.hexdigest()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--artifacts", type=Path, default=REPO_ROOT / "artifacts")
    parser.add_argument("--build", type=Path, default=REPO_ROOT / "build")
    parser.add_argument("--external", type=Path, default=None, help="external public data dir (../shared/data)")
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--force", action="store_true", help="rebuild every step")
    parser.add_argument("--dry-run", action="store_true", help="only say which steps are up to date")
    args = parser.parse_args(argv)

    artifacts: Path = args.artifacts.resolve()
    build: Path = args.build.resolve()
    catalog, datasets = build / "catalog", build / "datasets"
    v = {
        "catalog": "v1",
        "embeddings": "v1",
        "extractor": "v1",
        "ner": "v1",
        "matching": "v1",
        "readiness": "v1",
        "gap_ranker": "v1",
        "recommender": "v1",
    }
    v.update(model_versions())

    def art(model: str) -> Path:
        return artifacts / model / v[model]

    external = ["--external", str(args.external)] if args.external and args.external.exists() else []
    report = data_report(args.external if external else None)
    print("public datasets (" + (str(args.external) if external else "no --external data directory") + "):")
    print("\n".join(report), flush=True)
    if any("MISSING" in line for line in report):
        print(
            "  -> `make datasets` fetches them (sha256-pinned) into ../shared/data, or EXTERNAL=<dir>; "
            "`make datasets FROM=<dir>` takes them from a copy. Then `make retrain`.",
            flush=True,
        )
    dev_split = ["--dotin", str(args.external / "dotin-resume-ner")] if external else []
    dotin_dir = args.external / "dotin-resume-ner" if external else REPO_ROOT / "no-dotin"
    catalog_manifest = catalog / "catalog_manifest.json"
    steps = [
        Step(
            "catalog: compile data/*.yaml",
            catalog / TEXT_INDEX_FILE,  # the newest file of the build: a catalog built before it existed is rebuilt
            ["-m", "training.catalog.build", "--data", "data", "--out", str(catalog), *external],
            outputs=[catalog],
            # the importers build the occupations; the saved title index is written by the serving resolver
            inputs=[
                REPO_ROOT / "data",
                TRAINING / "catalog",
                TRAINING / "importers",
                SERVING / "services" / "roles.py",
            ],
        ),
        Step(
            "synthetic datasets",
            datasets / "resumes" / "v1" / "manifest.json",
            [
                "-m",
                "training.synth.generate",
                "--catalog",
                str(catalog),
                "--out",
                str(datasets),
                "--seed",
                str(args.seed),
            ],
            outputs=[datasets],
            inputs=[catalog_manifest, TRAINING / "synth"],
        ),
        Step(
            "catalog artifact",
            art("catalog") / TEXT_INDEX_FILE,
            action=lambda: publish_catalog_artifact(catalog, art("catalog"), v["catalog"]),
            outputs=[art("catalog")],
            inputs=[catalog_manifest],
        ),
        Step(
            "embeddings: export all-MiniLM-L6-v2 to ONNX",
            art("embeddings") / "model.onnx",
            ["-m", "training.embeddings.export_onnx", "--out", str(art("embeddings"))],
            outputs=[art("embeddings")],
            inputs=[TRAINING / "embeddings" / "export_onnx.py", TRAINING / "embeddings" / "quantize.py"],
        ),
        Step(
            "embeddings: skill and role vectors",
            art("embeddings") / "role_vectors.npy",
            [
                "-m",
                "training.embeddings.build_embeddings",
                "--catalog",
                str(catalog),
                "--model",
                str(art("embeddings")),
            ],
            inputs=[
                catalog_manifest,
                TRAINING / "embeddings" / "build_embeddings.py",
                TRAINING / "embeddings" / "texts.py",
            ],
        ),
        Step(
            "extractor v1: gazetteer",
            art("extractor") / "manifest.json",
            [
                "-m",
                "training.models.train_extractor_v1",
                "--catalog",
                str(catalog),
                "--out",
                str(art("extractor")),
                *dev_split,
            ],
            outputs=[art("extractor")],
            inputs=[
                catalog_manifest,
                *(TRAINING / "models" / f for f in ("train_extractor_v1.py", "gazetteer.py", "common.py")),
            ],
        ),
    ]
    if dev_split:
        steps.append(
            Step(
                f"ner: learned skill tagger (MiniLM token classifier, {NER_MAX_STEPS} steps)",
                art("ner") / "manifest.json",
                [
                    "-m",
                    "training.extractor.train_ner",
                    "--out",
                    str(art("ner")),
                    "--hf-out",
                    str(build / "ner-hf" / v["ner"]),
                    *dev_split,
                    "--catalog",
                    str(catalog),
                    "--extractor",
                    str(art("extractor")),
                    "--embeddings",
                    str(art("embeddings")),
                    "--max-steps",
                    str(NER_MAX_STEPS),
                    "--seed",
                    str(args.seed),
                ],
                outputs=[art("ner"), build / "ner-hf" / v["ner"]],
                inputs=[
                    catalog_manifest,
                    art("extractor") / "manifest.json",
                    TRAINING / "extractor",
                    REPO_ROOT / "data" / "extraction",  # the hybrid's committed thresholds and trusted skills
                    dotin_dir,
                ],
            )
        )
        steps.append(
            Step(
                "ner: its Hugging Face checkpoint in the artifact (hf/; for a tagger trained before it was published)",
                art("ner") / "hf" / "config.json",
                action=lambda: attach_ner_hf(build / "ner-hf" / v["ner"], art("ner")),
            )
        )
    else:
        print(
            "note: no dotin-resume-ner under --external: the ner step (learned skill tagger) is skipped; the "
            f"extract stage then serves the gazetteer extractor/{v['extractor']} alone (see /v1/health)",
            flush=True,
        )
    steps.append(
        Step(
            "extraction cache: hybrid extraction of the synthetic resumes (one process per CPU)",
            None,  # always runs: it finds what is cached in seconds
            [
                "-m",
                "training.models.extract_cache",
                "--catalog",
                str(catalog),
                "--datasets",
                str(datasets),
                *dev_split,  # the readiness step's real people too
            ],  # the trainers' own default artifacts and cache, so that they find its rows
        )
    )
    # single-threaded trainers that only read what the steps above built: they run side by side, longest first
    for model, module in [
        ("readiness", "train_readiness"),
        ("recommender", "train_recommender"),
        ("gap_ranker", "train_gaps"),
        ("matching", "train_matching"),
    ]:
        steps.append(
            Step(
                f"{model}",
                art(model) / "manifest.json",
                [
                    "-m",
                    f"training.models.{module}",
                    "--catalog",
                    str(catalog),
                    "--datasets",
                    str(datasets),
                    "--out",
                    str(art(model)),
                    *(dev_split if model == "readiness" else []),  # the real check picks the feature set
                ],
                outputs=[art(model)],
                inputs=[
                    catalog_manifest,
                    *(
                        datasets / d / "v1" / "manifest.json"
                        for d in ("resumes", "matching", "readiness", "gaps", "interactions")
                    ),
                    art("extractor") / "manifest.json",
                    art("ner") / "manifest.json",
                    *(TRAINING / "models" / f for f in (f"{module}.py", "common.py", "export_numeric.py")),
                    *([TRAINING / "eval"] if model == "readiness" and dev_split else []),  # its real people
                    SERVING / "features",
                    SERVING / "pipelines",
                ],
                parallel=True,
            )
        )

    started = time.perf_counter()
    timings: dict[str, float] = {}
    state = TrainState(build / "train_state.json")
    if args.dry_run:
        for i, step in enumerate(steps, 1):
            up = not args.force and state.current(step, "\n".join(report))
            print(f"[{i}/{len(steps)}] {step.name}: {'up to date' if up else 'would rebuild'}", flush=True)
        return 0
    jobs = len(os.sched_getaffinity(0))
    i = 0
    while i < len(steps):
        group = [steps[i]]
        while group[-1].parallel and i + len(group) < len(steps) and steps[i + len(group)].parallel:
            group.append(steps[i + len(group)])
        if len(group) > 1:
            timings |= _run_parallel(group, i + 1, len(steps), args.force, state, "\n".join(report), jobs)
        else:
            timings[steps[i].name] = _run(steps[i], i + 1, len(steps), args.force, state, extra="\n".join(report))
        i += len(group)
    report = write_summary(artifacts, v, timings)
    (artifacts / ".complete").write_text(
        json.dumps({"fingerprint": fingerprint([REPO_ROOT / "data", REPO_ROOT / "training"]), "versions": v}, indent=2)
    )
    print(f"all models trained in {time.perf_counter() - started:.1f} s; summary: {report}", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
