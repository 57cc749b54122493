"""Publish local artifacts to S3 (immutable versions; the manifest is uploaded last).

    python -m training.publish --artifacts artifacts [--bucket B] [--prefix models]
        [--endpoint URL | --aws] [--registry-only] [--keep-running]

Where it publishes:
1. ``--endpoint URL`` (or ``AWS_ENDPOINT_URL_S3`` / ``AWS_ENDPOINT_URL`` in the environment);
2. else the standalone local server recorded by ``python -m infra.local.moto_server`` (state file);
3. else real AWS when ``--aws`` is given (credentials from the usual boto3 chain);
4. else an in-process moto server on 127.0.0.1 is started and the bucket created. Its contents
   live only as long as this process: the run verifies every version by fetching it back into a
   temp cache; ``--keep-running`` keeps serving (and records the state file) until Ctrl-C.

A version already in S3 with identical file hashes is skipped ("already published"); different
bytes under the same version fail with ArtifactImmutableError (exit code 3).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import threading
from pathlib import Path
from typing import Any

from careerready.core import paths
from careerready.core.errors import ArtifactImmutableError, CareerReadyError
from careerready.services.artifacts import ArtifactStore, S3Source
from careerready.services.registry import load_registry
from careerready.services.s3 import make_s3_client

from training.artifacts import PublishResult, iter_local_artifacts, publish
from training.local_s3 import ensure_bucket, read_state, start_moto

DEFAULT_BUCKET = os.environ.get("CAREERREADY_ARTIFACT_BUCKET") or "careerready-models"


def select_versions(artifacts_dir: Path, registry_only: bool) -> list[tuple[str, str, Path]]:
    """Every ``<model>/<version>/`` with a manifest, or only those the registry names."""
    found = list(iter_local_artifacts(artifacts_dir))
    if not registry_only:
        return found
    wanted = set(load_registry().all_models().items())
    return [(m, v, d) for m, v, d in found if (m, v) in wanted]


def publish_all(versions: list[tuple[str, str, Path]], client: Any, bucket: str, prefix: str) -> list[PublishResult]:
    """Publish each version; stops at the first immutability violation (raised)."""
    return [publish(d, m, v, client, bucket, prefix) for m, v, d in versions]


def verify_round_trip(versions: list[tuple[str, str, Path]], client: Any, bucket: str, prefix: str) -> None:
    """Fetch every published version into a fresh temp cache (sha256-verified)."""
    with tempfile.TemporaryDirectory(prefix="careerready-verify-") as tmp:
        store = ArtifactStore(S3Source(bucket, prefix, client), cache_dir=Path(tmp))
        for model, version, _ in versions:
            info = store.fetch_with_info(model, version)
            print(
                f"  verified {model}/{version}: {len(info.manifest['files'])} files, "
                f"download {info.download_ms:.0f} ms, verify {info.verify_ms:.0f} ms"
            )


def resolve_endpoint(args: argparse.Namespace) -> tuple[str | None, str]:
    """Return ``(endpoint_url, kind)`` with kind in endpoint | state | aws | inprocess."""
    endpoint = args.endpoint or os.environ.get("AWS_ENDPOINT_URL_S3") or os.environ.get("AWS_ENDPOINT_URL")
    if endpoint:
        return endpoint, "endpoint"
    state = read_state(args.state_file)
    if state and not args.aws:
        return str(state["url"]), "state"
    if args.aws:
        return None, "aws"
    return None, "inprocess"


def main(argv: list[str] | None = None) -> int:
    """CLI entry point."""
    ap = argparse.ArgumentParser(
        prog="python -m training.publish", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--artifacts", type=Path, default=paths.ARTIFACTS_DIR)
    ap.add_argument("--bucket", default=DEFAULT_BUCKET)
    ap.add_argument("--prefix", default="models")
    ap.add_argument("--endpoint", default=None, help="S3 endpoint URL (moto/localstack)")
    ap.add_argument("--aws", action="store_true", help="publish to real AWS (no endpoint override)")
    ap.add_argument("--registry-only", action="store_true", help="only the versions registry.json names")
    ap.add_argument("--state-file", type=Path, default=paths.STATE_DIR / "moto.json")
    ap.add_argument("--keep-running", action="store_true", help="in-process moto: keep serving until Ctrl-C")
    args = ap.parse_args(argv)

    versions = select_versions(args.artifacts, args.registry_only)
    if not versions:
        print(f"error: no artifacts with a manifest.json under {args.artifacts}", file=sys.stderr)
        return 2
    endpoint, kind = resolve_endpoint(args)
    server = None
    if kind == "inprocess":
        for key, value in (("AWS_ACCESS_KEY_ID", "testing"), ("AWS_SECRET_ACCESS_KEY", "testing")):
            os.environ.setdefault(key, value)
        server, endpoint = start_moto(0)
    elif kind in ("endpoint", "state"):
        for key, value in (("AWS_ACCESS_KEY_ID", "testing"), ("AWS_SECRET_ACCESS_KEY", "testing")):
            os.environ.setdefault(key, value)
    print(
        f"publishing {len(versions)} version(s) to s3://{args.bucket}/{args.prefix} via {kind} "
        f"{endpoint or '(AWS default endpoint)'}"
    )
    try:
        client = make_s3_client(endpoint)
        if kind != "aws":
            ensure_bucket(client, args.bucket)
        try:
            results = publish_all(versions, client, args.bucket, args.prefix)
        except ArtifactImmutableError as exc:
            print(f"error: {exc.message}", file=sys.stderr)
            return 3
        for r in results:
            print(f"  {r.model}/{r.version}: {r.status} ({r.files} files, {r.bytes} bytes) -> {r.uri}")
        verify_round_trip(versions, client, args.bucket, args.prefix)
        if server is not None and args.keep_running:
            args.state_file.parent.mkdir(parents=True, exist_ok=True)
            args.state_file.write_text(json.dumps({"url": endpoint, "pid": os.getpid(), "bucket": args.bucket}) + "\n")
            print(f"serving {endpoint} until Ctrl-C (state: {args.state_file})", flush=True)
            try:
                threading.Event().wait()
            except KeyboardInterrupt:
                pass
            finally:
                args.state_file.unlink(missing_ok=True)
    except CareerReadyError as exc:
        print(f"error: {exc.message}", file=sys.stderr)
        return 1
    finally:
        if server is not None:
            server.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
