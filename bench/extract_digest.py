"""``python -m bench.extract_digest [--artifacts DIR] [--out FILE]``: one digest of the extract stage's output.

For speed work on extraction, whose output must not change: the extract stage (``stages.handle``, in-process, the
served models) runs on every dotin resume (train and dev, ``../shared``), the benchmark resumes and
``data/samples``; each answer without its ``stage_ms`` is serialised (sorted keys) and one sha256 over all of them
is printed with the count. Run it on two trees with the same artifacts: equal digests mean the same skills, spans,
confidences, sections, years and evidence on every text. ``--out`` keeps the answers for a diff.
"""

from __future__ import annotations

import argparse
import hashlib
import json
from pathlib import Path
from typing import Any

from bench.common import REPO_ROOT

DOTIN = REPO_ROOT.parent / "shared" / "data" / "dotin-resume-ner" / "train.jsonl"


def texts(dotin: Path = DOTIN) -> dict[str, str]:
    """Name -> text of every input (dotin when ``dotin`` is there, the bench resumes, the samples)."""
    from bench.resumes import make_resumes

    out: dict[str, str] = {}
    if dotin.is_file():
        with dotin.open(encoding="utf-8") as fh:
            for line in fh:
                if line.strip():
                    row = json.loads(line)
                    out[f"dotin-{row['id']}"] = row["text"]
    for r in make_resumes(10)[0]:
        out[f"bench-{r.id}"] = r.text
    for p in sorted((REPO_ROOT / "data" / "samples").glob("*.txt")):
        out[f"sample-{p.name}"] = p.read_text(encoding="utf-8")
    return out


def main(argv: list[str] | None = None) -> int:
    """CLI entry point: prints ``<count> texts <sha256>``."""
    ap = argparse.ArgumentParser(prog="python -m bench.extract_digest", description=__doc__.split("\n\n")[0])
    ap.add_argument("--artifacts", type=Path, default=REPO_ROOT / "artifacts")
    ap.add_argument("--out", type=Path, default=None, help="write every answer here (JSON)")
    ap.add_argument("--dotin", type=Path, default=DOTIN, help="dotin's train.jsonl (default: ../shared, this tree's)")
    args = ap.parse_args(argv)
    from careerready.services.transport import InProcessTransport

    client = InProcessTransport.from_artifacts(args.artifacts)
    answers: dict[str, Any] = {}
    for name, text in texts(args.dotin).items():
        try:
            answer = client.call("extract", {"text": text})
            answer.pop("stage_ms", None)
        except Exception as exc:  # noqa: BLE001 - a refusal is an answer too (same error on both trees)
            answer = {"error": type(exc).__name__, "message": str(exc)}
        answers[name] = answer
    blob = json.dumps(answers, sort_keys=True)
    if args.out:
        args.out.write_text(blob, encoding="utf-8")
    print(f"{len(answers)} texts {hashlib.sha256(blob.encode()).hexdigest()}")  # noqa: T201 - CLI output
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
