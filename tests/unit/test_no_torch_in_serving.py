"""Serving code (layers/, functions/) must never import torch, transformers, sentence-transformers or training."""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
FORBIDDEN = ("torch", "transformers", "sentence_transformers", "training")
SERVING_DIRS = (REPO / "layers", REPO / "functions")


def forbidden_imports(source: str) -> list[str]:
    """Top-level module names from FORBIDDEN imported anywhere in ``source`` (absolute imports only)."""
    found: list[str] = []
    for node in ast.walk(ast.parse(source)):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        found += [n for n in names if n.split(".")[0] in FORBIDDEN]
    return found


def test_detector_catches_forbidden_imports() -> None:
    assert forbidden_imports("import torch\nfrom transformers import AutoModel") == ["torch", "transformers"]
    assert forbidden_imports("def f():\n    import sentence_transformers.models") == ["sentence_transformers.models"]
    assert forbidden_imports("from training.embeddings import verify") == ["training.embeddings"]
    assert forbidden_imports("import torchvision_like\nfrom .training import x\nimport numpy") == []


def test_no_serving_file_imports_training_stack() -> None:
    files = [p for d in SERVING_DIRS if d.is_dir() for p in d.rglob("*.py") if ".venv" not in p.parts]
    assert len(files) > 5
    offenders = {
        str(p.relative_to(REPO)): bad for p in files if (bad := forbidden_imports(p.read_text(encoding="utf-8")))
    }
    assert offenders == {}


_PROBE = """
import importlib, json, pkgutil, sys
import careerready
errors = {}
for info in pkgutil.walk_packages(careerready.__path__, "careerready."):
    try:
        importlib.import_module(info.name)
    except Exception as exc:  # report, do not hide
        errors[info.name] = f"{type(exc).__name__}: {exc}"
loaded = sorted({m.split(".")[0] for m in sys.modules} & set(%r))
print(json.dumps({"loaded": loaded, "errors": errors, "n": len([m for m in sys.modules if m.startswith("careerready")])}))
"""


def test_importing_every_careerready_module_does_not_load_torch() -> None:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO / "layers"), os.environ.get("PYTHONPATH", "")])}
    proc = subprocess.run(
        [sys.executable, "-c", _PROBE % (FORBIDDEN,)],
        capture_output=True,
        text=True,
        env=env,
        cwd=str(REPO / "layers"),
        timeout=120,
        check=True,
    )
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    assert result["n"] > 5
    assert result["errors"] == {}
    assert result["loaded"] == []
