"""Installed size per function image: ``pip install --target`` of its requirements + the careerready package.

Requirements files are complete closures installed with ``--no-deps`` (as the Dockerfiles do).
Third-party installs are cached per requirement-set hash in ``build/bench/footprint.json`` (they are
slow and only change with the pins); the careerready package is installed fresh every run. Sizes are
sums of the regular files' sizes (apparent size, not blocks on disk) in MiB (2^20 bytes). Peak RSS
comes from the cold-start runs.
Also: the torch + sentence-transformers footprint in this venv, for the alternatives section.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.common import BUILD_DIR, PYTHON, REPO_ROOT, Deadline

__all__ = ["dir_size_mb", "function_footprints", "site_packages_mb"]

CACHE_FILE = BUILD_DIR / "footprint.json"
MB = 1024 * 1024


def dir_size_mb(path: Path) -> float:
    """Total size of the regular files under ``path`` (symlinks not followed), in MiB."""
    total = 0
    for p in path.rglob("*"):
        if p.is_file() and not p.is_symlink():
            total += p.stat().st_size
    return round(total / MB, 2)


def _pip(args: list[str], timeout_s: float) -> None:
    proc = subprocess.run(  # noqa: S603 - fixed interpreter
        [PYTHON, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", *args],
        capture_output=True,
        text=True,
        timeout=timeout_s,
        check=False,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"pip install {' '.join(args[-2:])} failed: {proc.stderr[-800:]}")


def _largest(path: Path, k: int = 6) -> dict[str, float]:
    sizes = {p.name: dir_size_mb(p) if p.is_dir() else round(p.stat().st_size / MB, 2) for p in path.iterdir()}
    top = sorted(sizes.items(), key=lambda kv: -kv[1])[:k]
    return dict(top)


def _package_mb(timeout_s: float) -> float:
    with tempfile.TemporaryDirectory(prefix="careerready-bench-pkg-") as tmp:
        _pip(["--no-deps", "--target", tmp, str(REPO_ROOT)], timeout_s)
        return dir_size_mb(Path(tmp))


def function_footprints(
    functions: list[str],
    *,
    use_cache: bool = True,
    timeout_s: float = 300.0,
    stop_at: Deadline | None = None,
    log: Any = print,
) -> dict[str, Any]:
    """``{function: {deps_mb, package_mb, total_mb, largest, cached}}``; failures are reported per function.

    Uncached installs start only while ``stop_at`` has time left; the others are reported as not
    measured (a later run reuses the cache and fills them in).
    """
    cache: dict[str, Any] = {}
    if use_cache and CACHE_FILE.is_file():
        cache = json.loads(CACHE_FILE.read_text(encoding="utf-8"))
    out: dict[str, Any] = {}
    try:
        package_mb = _package_mb(timeout_s)
    except Exception as exc:
        return {"error": f"careerready package install failed: {exc}"}
    for name in functions:
        req = REPO_ROOT / "functions" / name / "requirements.txt"
        if not req.is_file():
            out[name] = {"error": f"{req.relative_to(REPO_ROOT)} missing"}
            continue
        # keyed on the requirement set (comments, blank lines and order ignored): functions with the same
        # closure (extract/match, readiness/recommend) share one install
        reqs = sorted({ln.strip() for ln in req.read_text(encoding="utf-8").splitlines()} - {""})
        pins = "\n".join(ln for ln in reqs if not ln.startswith("#"))
        key = hashlib.sha256(pins.encode() + sys.version.encode()).hexdigest()[:16]
        hit = cache.get(key)
        if hit is None and stop_at is not None and stop_at.expired():
            out[name] = {
                "error": "not measured: run budget spent (uncached pip install skipped; rerun fills the cache)"
            }
            continue
        if hit is None:
            t0 = time.perf_counter()
            try:
                with tempfile.TemporaryDirectory(prefix=f"careerready-bench-{name}-") as tmp:
                    _pip(["--no-deps", "--target", tmp, "-r", str(req)], timeout_s)
                    hit = {
                        "deps_mb": dir_size_mb(Path(tmp)),
                        "largest": _largest(Path(tmp)),
                        "install_s": round(time.perf_counter() - t0, 1),
                        "measured_at": time.strftime("%Y-%m-%dT%H:%M:%S"),
                    }
            except Exception as exc:
                out[name] = {"error": str(exc)[-600:]}
                continue
            cache[key] = hit
            log(f"  footprint {name}: deps {hit['deps_mb']} MiB (pip install {hit['install_s']} s)")
            cached = False
        else:
            cached = True
        out[name] = {
            "deps_mb": hit["deps_mb"],
            "package_mb": package_mb,
            "total_mb": round(hit["deps_mb"] + package_mb, 2),
            "largest": hit["largest"],
            "deps_cached": cached,
            "deps_measured_at": hit.get("measured_at"),
            "requirements_hash": key,
        }
    CACHE_FILE.parent.mkdir(parents=True, exist_ok=True)
    CACHE_FILE.write_text(json.dumps(cache, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    return out


def site_packages_mb(names: list[str]) -> dict[str, Any]:
    """Sizes of top-level packages (+ their dist-info) in this interpreter's site-packages."""
    import sysconfig

    site = Path(sysconfig.get_paths()["purelib"])
    out: dict[str, float] = {}
    for name in names:
        total = 0.0
        for p in site.iterdir():
            stem = p.name.split("-")[0].lower().replace("_", "-")
            if p.name == name or (p.name.endswith(".dist-info") and stem == name.replace("_", "-").lower()):
                total += dir_size_mb(p) if p.is_dir() else p.stat().st_size / MB
        out[name] = round(total, 2)
    return {"site_packages": str(site), "packages_mb": out, "total_mb": round(sum(out.values()), 2)}
