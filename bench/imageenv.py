"""Make a cold-start child see the packages of the function's image, not the whole dev venv.

Each image installs exactly ``functions/<name>/requirements.txt`` (``pip install --no-deps``) plus the
careerready package. The dev venv holds much more (training, moto, SAM CLI, ...), and some of it changes what
serving code imports: with pyOpenSSL installed, ``botocore.httpsession`` imports ``urllib3.contrib.pyopenssl``,
i.e. OpenSSL + cryptography, ~0.1-0.15 s of every cold start that no image pays. :func:`stub_dir` writes one
stub module per top-level module of every installed distribution the image does not have; each stub raises
``ModuleNotFoundError`` as the image would. Put the directory first on ``PYTHONPATH`` of the child.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
from functools import cache
from importlib import metadata
from pathlib import Path

from bench.common import BUILD_DIR, REPO_ROOT

__all__ = ["blocked_modules", "stub_dir"]

#: distributions every image has besides its requirements file (the package itself, the base image's installer)
_ALWAYS = frozenset({"careerready", "pip", "setuptools", "wheel"})


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _requirements(function: str) -> frozenset[str]:
    path = REPO_ROOT / "functions" / function / "requirements.txt"
    names = set()
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            names.add(_norm(re.split(r"[=<>!~\[; ]", line, maxsplit=1)[0]))
    return frozenset(names)


@cache
def _distributions() -> dict[str, frozenset[str]]:
    return {top: frozenset(_norm(d) for d in dists) for top, dists in metadata.packages_distributions().items()}


def blocked_modules(function: str) -> list[str]:
    """Top-level modules installed here that only distributions outside ``function``'s image provide."""
    allowed = _requirements(function) | _ALWAYS
    return sorted(
        top
        for top, dists in _distributions().items()
        if top.isidentifier() and not top.startswith("__") and not dists & allowed
    )


def stub_dir(function: str, root: Path = BUILD_DIR / "image-stubs") -> Path:
    """A directory of one raising stub per module of :func:`blocked_modules` (made once per module set)."""
    names = blocked_modules(function)
    out = root / f"{function}-{hashlib.sha256(' '.join(names).encode()).hexdigest()[:12]}"
    if not out.is_dir():
        tmp = root / f".{out.name}.{os.getpid()}"
        tmp.mkdir(parents=True, exist_ok=True)
        for name in names:
            message = f"No module named {name!r} (not in the {function} image)"
            (tmp / f"{name}.py").write_text(
                f"raise ModuleNotFoundError({message!r}, name={name!r})\n", encoding="utf-8"
            )
        try:
            tmp.rename(out)
        except OSError:  # made meanwhile by another process
            shutil.rmtree(tmp, ignore_errors=True)
    return out
