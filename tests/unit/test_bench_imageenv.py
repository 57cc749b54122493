"""bench.imageenv: a cold-start child sees the packages of its function's image, not the whole dev venv."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from bench.imageenv import blocked_modules, stub_dir


def test_blocks_what_the_image_lacks_and_keeps_what_it_installs() -> None:
    analyze = set(blocked_modules("analyze"))
    ingest = set(blocked_modules("ingest"))
    # installed here (the dev venv), in neither image: training stack, test tools
    for name in ("sklearn", "pytest", "moto"):
        assert name in analyze and name in ingest
    # the analyze image serves the API; the ingest image does not install FastAPI
    assert "fastapi" not in analyze and "fastapi" in ingest
    for name in ("numpy", "onnxruntime", "botocore", "careerready", "yaml"):
        assert name not in analyze and name not in ingest


def test_stub_raises_module_not_found_like_the_image(tmp_path: Path) -> None:
    if "sklearn" not in blocked_modules("readiness"):
        pytest.skip("scikit-learn is not installed here")
    stubs = stub_dir("readiness", tmp_path)
    assert stub_dir("readiness", tmp_path) == stubs  # made once per module set
    code = (
        "try:\n    import sklearn\nexcept ModuleNotFoundError as e:\n    print('blocked', e.name)\n"
        "import numpy\nprint('numpy ok')\n"
    )
    out = subprocess.run(  # noqa: S603 - this interpreter
        [sys.executable, "-c", code], env={"PYTHONPATH": str(stubs)}, capture_output=True, text=True, check=True
    ).stdout.split("\n")
    assert out[:2] == ["blocked sklearn", "numpy ok"]
