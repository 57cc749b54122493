"""The embeddings artifact's ONNX encoder is left out of the cold start and fetched, verified, loaded on first use."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
from careerready.core.errors import ArtifactIntegrityError
from careerready.models import embedder as embedder_mod
from careerready.services.artifacts import ArtifactStore, S3Source

from training.artifacts import publish

pytestmark = pytest.mark.integration

REPO = Path(__file__).resolve().parents[2]
EMBEDDINGS = REPO / "artifacts" / "embeddings" / "v1"


@pytest.fixture(scope="module")
def local_embeddings() -> Any:
    if not (EMBEDDINGS / "manifest.json").is_file():
        pytest.skip("artifacts/embeddings/v1 missing: run `make train`")
    return embedder_mod.load(EMBEDDINGS)


@pytest.fixture
def published(local_embeddings: Any, s3_client: Any, s3_bucket: str, tmp_path: Path) -> ArtifactStore:
    """embeddings/v1 published to a fresh moto bucket; a store over it with an empty cache."""
    publish(EMBEDDINGS, "embeddings", "v1", s3_client, s3_bucket, "models")
    return ArtifactStore(S3Source(s3_bucket, "models", s3_client), cache_dir=tmp_path / "cache")


def test_encoder_is_fetched_on_first_use_from_s3(local_embeddings: Any, published: ArtifactStore) -> None:
    store = published
    # Given a fetch that defers model.onnx / Then the cold start downloads everything else, not the encoder
    fetched = store.fetch_with_info("embeddings", "v1", defer=("model.onnx",))
    assert not (fetched.path / "model.onnx").exists()
    assert (fetched.path / "skill_vectors.npy").is_file() and (fetched.path / "tokenizer.json").is_file()
    calls: list[str] = []

    def fetch_file(rel: str) -> Path:
        calls.append(rel)
        return store.fetch_deferred(fetched, rel)

    emb = embedder_mod.load(fetched.path, fetch_file=fetch_file)
    assert not emb.embedder_loaded and calls == []
    # vectors are usable without the encoder
    assert emb.skill_vectors is not None and emb.skill_vectors.shape == local_embeddings.skill_vectors.shape

    # When a text must be embedded / Then the encoder is fetched once, verified, and gives the same vectors
    texts = ["ML Ops engineer", "Sr. SDE"]
    got = emb.embed(texts)
    assert emb.embedder_loaded and calls == ["model.onnx"]
    assert (fetched.path / "model.onnx").stat().st_size == (EMBEDDINGS / "model.onnx").stat().st_size
    np.testing.assert_array_equal(got, local_embeddings.embed(texts))
    emb.embed(["data engineer"])
    assert calls == ["model.onnx"]  # built once

    # a fresh process reusing the cache finds the deferred file there, verified
    again = store.fetch_with_info("embeddings", "v1", defer=("model.onnx",))
    assert again.cached
    assert store.fetch_deferred(again, "model.onnx") == fetched.path / "model.onnx"


def test_tampered_deferred_file_is_refused_then_recovers(
    local_embeddings: Any, published: ArtifactStore, s3_client: Any, s3_bucket: str
) -> None:
    store = published
    fetched = store.fetch_with_info("embeddings", "v1", defer=("model.onnx",))
    emb = embedder_mod.load(fetched.path, fetch_file=lambda rel: store.fetch_deferred(fetched, rel))

    # Given the encoder object in S3 altered after the cold start (same size, one byte flipped)
    original = (EMBEDDINGS / "model.onnx").read_bytes()
    key = "models/embeddings/v1/model.onnx"
    s3_client.put_object(Bucket=s3_bucket, Key=key, Body=original[:-1] + bytes([original[-1] ^ 0xFF]))
    # When the encoder is first needed / Then it is refused, naming the file, and nothing is left in the cache
    with pytest.raises(ArtifactIntegrityError, match="model.onnx"):
        emb.embed(["python developer"])
    assert not emb.embedder_loaded
    assert not (fetched.path / "model.onnx").exists()
    assert [p.name for p in fetched.path.iterdir() if p.name.startswith(".deferred-")] == []

    # When the object is restored / Then the next use succeeds (failures are not cached)
    s3_client.put_object(Bucket=s3_bucket, Key=key, Body=original)
    np.testing.assert_array_equal(emb.embed(["python developer"]), local_embeddings.embed(["python developer"]))


def test_load_models_defers_the_encoder_unless_told_not_to(local_embeddings: Any) -> None:
    from careerready.core.config import load_settings
    from careerready.services.startup import load_models

    deferred = load_models("match", settings=load_settings(artifact_source="local", artifacts_dir=REPO / "artifacts"))
    assert deferred.embeddings is not None and not deferred.embeddings.embedder_loaded
    eager = load_models(
        "match",
        settings=load_settings(artifact_source="local", artifacts_dir=REPO / "artifacts", defer_large_files=False),
    )
    assert eager.embeddings.embedder_loaded
    # the role resolver's embedding fallback works through the deferred encoder
    from careerready.core.errors import RoleNotFoundError
    from careerready.services.stages import resolver_for

    try:  # no name, alias or fuzzy match: only the encoder can place this title
        resolver_for(deferred.catalog, deferred.embeddings).resolve("person who builds ml pipelines in prod")
    except RoleNotFoundError:
        pass  # below the embedding threshold is fine; what matters is that the encoder was consulted
    assert deferred.embeddings.embedder_loaded
