"""OnnxEmbedder and the embedding helpers.

Two levels: a tiny hand-built ONNX model + word-level tokenizer (always runs, checks the wrapper's logic),
and the real exported MiniLM under artifacts/embeddings/v1 (skipped with a reason when not exported yet).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from careerready.core.errors import ArtifactIntegrityError, ArtifactNotFoundError, InvalidInputError
from careerready.models.embedder import OnnxEmbedder, load
from careerready.models.vector_index import VectorIndex, embed_skills, nearest

REPO = Path(__file__).resolve().parents[2]
ARTIFACT = REPO / "artifacts" / "embeddings" / "v1"
VOCAB = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "kubernetes", "docker", "python", "excel", "photoshop", "k8s", "sql"]
TINY_DIM = 8
TINY_TABLE = np.random.default_rng(0).normal(size=(len(VOCAB), TINY_DIM)).astype(np.float32)


def _tiny_model(path: Path, *, with_token_types: bool = True) -> None:
    """Embedding lookup + masked mean + L2 normalise, the same contract as the exported MiniLM graph."""
    onnx = pytest.importorskip("onnx")
    from onnx import TensorProto, helper, numpy_helper

    table = TINY_TABLE
    inputs = [
        helper.make_tensor_value_info("input_ids", TensorProto.INT64, ["batch", "seq"]),
        helper.make_tensor_value_info("attention_mask", TensorProto.INT64, ["batch", "seq"]),
    ]
    if with_token_types:
        inputs.append(helper.make_tensor_value_info("token_type_ids", TensorProto.INT64, ["batch", "seq"]))
    nodes = [
        helper.make_node("Gather", ["table", "input_ids"], ["emb"]),
        helper.make_node("Cast", ["attention_mask"], ["maskf"], to=TensorProto.FLOAT),
        helper.make_node("Unsqueeze", ["maskf", "axis2"], ["mask3"]),
        helper.make_node("Mul", ["emb", "mask3"], ["masked"]),
        helper.make_node("ReduceSum", ["masked", "axis1"], ["summed"], keepdims=0),
        helper.make_node("ReduceSum", ["mask3", "axis1"], ["count"], keepdims=0),
        helper.make_node("Div", ["summed", "count"], ["mean"]),
        helper.make_node("LpNormalization", ["mean"], ["sentence_embedding"], axis=1, p=2),
    ]
    graph = helper.make_graph(
        nodes,
        "tiny",
        inputs,
        [helper.make_tensor_value_info("sentence_embedding", TensorProto.FLOAT, ["batch", TINY_DIM])],
        initializer=[
            numpy_helper.from_array(table, "table"),
            numpy_helper.from_array(np.array([2], dtype=np.int64), "axis2"),
            numpy_helper.from_array(np.array([1], dtype=np.int64), "axis1"),
        ],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    onnx.save(model, str(path / "model.onnx"))


def _tiny_tokenizer(path: Path) -> None:
    from tokenizers import Tokenizer, models, pre_tokenizers, processors

    tok = Tokenizer(models.WordLevel({w: i for i, w in enumerate(VOCAB)}, unk_token="[UNK]"))
    tok.pre_tokenizer = pre_tokenizers.Whitespace()
    tok.post_processor = processors.TemplateProcessing(
        single="[CLS] $A [SEP]", special_tokens=[("[CLS]", 2), ("[SEP]", 3)]
    )
    tok.save(str(path / "tokenizer.json"))


@pytest.fixture()
def tiny_dir(tmp_path: Path) -> Path:
    _tiny_model(tmp_path)
    _tiny_tokenizer(tmp_path)
    return tmp_path


TEXTS = ["python", "docker kubernetes", "", "sql excel python", "k8s", "unknownword", "photoshop photoshop"] * 3


# ---- wrapper logic on the tiny model -------------------------------------------------------------
def test_shape_dtype_and_unit_norm(tiny_dir: Path) -> None:
    emb = OnnxEmbedder.from_dir(tiny_dir)
    vecs = emb.embed(TEXTS)
    assert vecs.shape == (len(TEXTS), TINY_DIM) and vecs.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vecs, axis=1), 1.0, atol=1e-6)
    assert emb.dim == TINY_DIM
    assert emb.embed([]).shape == (0, TINY_DIM)


def test_vectors_equal_the_reference_formula(tiny_dir: Path) -> None:
    emb = OnnxEmbedder.from_dir(tiny_dir, cache_size=0)
    texts = ["photoshop photoshop", "python", "docker kubernetes sql", "unknownword", ""]
    vecs = emb.embed(texts, batch_size=8)
    ids = {w: i for i, w in enumerate(VOCAB)}
    for text, vec in zip(texts, vecs, strict=True):
        tokens = [ids["[CLS]"], *(ids.get(w, ids["[UNK]"]) for w in text.split()), ids["[SEP]"]]
        mean = TINY_TABLE[tokens].mean(axis=0)
        np.testing.assert_allclose(vec, mean / np.linalg.norm(mean), atol=1e-6)


def test_deterministic_across_batch_sizes_and_order(tiny_dir: Path) -> None:
    emb = OnnxEmbedder.from_dir(tiny_dir, cache_size=0)
    ref = np.stack([emb.embed([t])[0] for t in TEXTS])
    for batch_size in (1, 2, 3, 16):
        assert np.array_equal(emb.embed(TEXTS, batch_size=batch_size), ref)
    perm = np.random.default_rng(1).permutation(len(TEXTS))
    assert np.array_equal(emb.embed([TEXTS[i] for i in perm], batch_size=4), ref[perm])


def test_model_without_token_type_ids(tmp_path: Path) -> None:
    _tiny_model(tmp_path, with_token_types=False)
    _tiny_tokenizer(tmp_path)
    vecs = OnnxEmbedder.from_dir(tmp_path).embed(["python", "docker"])
    assert vecs.shape == (2, TINY_DIM)


def test_truncation(tiny_dir: Path) -> None:
    emb = OnnxEmbedder.from_dir(tiny_dir, max_length=6)
    long_text = " ".join(["python"] * 50)
    assert emb.count_tokens(long_text) == 6
    assert emb.count_tokens("python docker") == 4
    np.testing.assert_allclose(emb.embed_one(long_text), emb.embed_one("python python python python"), atol=1e-6)


def test_lru_cache_only_short_texts_and_evicts(tiny_dir: Path) -> None:
    emb = OnnxEmbedder.from_dir(tiny_dir, cache_size=2)
    first = emb.embed(["python", "docker"])
    assert emb.cache_len == 2
    emb.embed(["sql"])  # evicts the least recently used ("python")
    assert emb.cache_len == 2
    again = emb.embed(["python", "docker"])
    assert np.array_equal(first, again)
    emb.clear_cache()
    emb.embed(["python " * 40])  # 280 characters: not cached
    assert emb.cache_len == 0


def test_cached_rows_are_copies(tiny_dir: Path) -> None:
    emb = OnnxEmbedder.from_dir(tiny_dir)
    out = emb.embed(["python"])
    out[:] = 0.0
    assert np.linalg.norm(emb.embed(["python"])[0]) == pytest.approx(1.0, abs=1e-6)


def test_invalid_inputs(tiny_dir: Path) -> None:
    emb = OnnxEmbedder.from_dir(tiny_dir)
    with pytest.raises(InvalidInputError):
        emb.embed("python")  # type: ignore[arg-type]
    with pytest.raises(InvalidInputError):
        emb.embed(["python", 3])  # type: ignore[list-item]
    with pytest.raises(InvalidInputError):
        emb.embed(["python"], batch_size=0)


def test_missing_files(tmp_path: Path) -> None:
    with pytest.raises(ArtifactNotFoundError):
        OnnxEmbedder.from_dir(tmp_path)


# ---- nearest / VectorIndex (pure numpy) ----------------------------------------------------------
def test_nearest_orders_by_score_and_breaks_ties_by_index() -> None:
    matrix = np.array([[1, 0], [0, 1], [1, 0], [0.6, 0.8]], dtype=np.float32)
    idx, scores = nearest(np.array([1.0, 0.0]), matrix, k=3)
    assert idx.tolist() == [0, 2, 3]
    np.testing.assert_allclose(scores, [1.0, 1.0, 0.6], atol=1e-6)
    idx2, _ = nearest(np.array([[0.0, 1.0], [1.0, 0.0]]), matrix, k=10)
    assert idx2.shape == (2, 4) and idx2[0].tolist() == [1, 3, 0, 2]


def test_nearest_validates() -> None:
    with pytest.raises(InvalidInputError):
        nearest(np.ones(3), np.ones((4, 2)), k=1)
    with pytest.raises(InvalidInputError):
        nearest(np.ones(2), np.ones((4, 2)), k=0)
    idx, scores = nearest(np.ones(2), np.zeros((0, 2)), k=3)
    assert idx.shape == (0,) and scores.shape == (0,)


def test_nearest_matches_full_sort_on_random_data() -> None:
    rng = np.random.default_rng(7)
    matrix = rng.normal(size=(500, 16)).astype(np.float32)
    queries = rng.normal(size=(20, 16)).astype(np.float32)
    idx, scores = nearest(queries, matrix, k=7)
    expected = np.argsort(-(queries @ matrix.T), axis=1, kind="stable")[:, :7]
    assert np.array_equal(idx, expected)
    assert np.all(np.diff(scores, axis=1) <= 0)


def test_vector_index_from_dir_and_lookup(tiny_dir: Path) -> None:
    emb = OnnxEmbedder.from_dir(tiny_dir)
    names = ["python", "docker", "excel"]
    np.save(tiny_dir / "skill_vectors.npy", embed_skills(emb, names))
    (tiny_dir / "skill_ids.json").write_text(json.dumps(["py", "dock", "xl"]))
    index = VectorIndex.from_dir(tiny_dir, "skill")
    hits = index.lookup(emb, ["  docker ", "excel"], k=2)
    assert [h[0][0] for h in hits] == ["dock", "xl"]
    assert hits[0][0][1] == pytest.approx(1.0, abs=1e-6)
    np.testing.assert_array_equal(index.vector("xl"), index.matrix[2])
    (tiny_dir / "skill_ids.json").write_text(json.dumps(["py", "dock"]))
    with pytest.raises(ArtifactIntegrityError):
        VectorIndex.from_dir(tiny_dir, "skill")
    with pytest.raises(ArtifactNotFoundError):
        VectorIndex.from_dir(tiny_dir, "role")


# ---- the real exported MiniLM --------------------------------------------------------------------
needs_artifact = pytest.mark.skipif(
    not (ARTIFACT / "model.onnx").is_file(),
    reason="artifacts/embeddings/v1 not exported (python -m training.embeddings.export_onnx)",
)


@pytest.fixture(scope="module")
def minilm() -> OnnxEmbedder:
    return OnnxEmbedder.from_dir(ARTIFACT, intra_op_threads=1, cache_size=0)


@needs_artifact
def test_minilm_shape_norm_and_batch_determinism(minilm: OnnxEmbedder) -> None:
    texts = ["Kubernetes", "k8s", "Photoshop", "", "a", "Built data pipelines in Python and SQL for analytics."]
    texts += ["word " * 300, "Développeur logiciel à Montréal", "データサイエンティスト"]
    ref = np.stack([minilm.embed([t])[0] for t in texts])
    assert ref.shape == (len(texts), 384) and ref.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(ref, axis=1), 1.0, atol=1e-5)
    for batch_size in (2, 4, 16):
        assert np.array_equal(minilm.embed(texts, batch_size=batch_size), ref)
    assert np.array_equal(minilm.embed(texts[::-1])[::-1], ref)
    assert minilm.count_tokens("word " * 300) == 256


@needs_artifact
@pytest.mark.parametrize(
    ("query", "related", "unrelated"),
    [
        ("k8s", "Kubernetes", "Photoshop"),
        ("py", "Python", "Photoshop"),
        ("Postgres", "PostgreSQL", "Excel"),
        ("JS", "JavaScript", "Accounting"),
        ("amazon web services", "AWS", "Figma"),
        ("sklearn", "scikit-learn", "Kubernetes"),
        ("team leadership", "Leadership", "Docker"),
    ],
)
def test_minilm_related_skills_are_closer(minilm: OnnxEmbedder, query: str, related: str, unrelated: str) -> None:
    q, r, u = minilm.embed([query, related, unrelated])
    # measured margins are 0.24-0.62; 0.15 leaves room without letting a broken model pass
    assert float(q @ r) > float(q @ u) + 0.15


@needs_artifact
def test_minilm_stored_skill_vectors_align_with_ids() -> None:
    if not (ARTIFACT / "skill_vectors.npy").is_file():
        pytest.skip("skill vectors not built (python -m training.embeddings.build_embeddings)")
    index = VectorIndex.from_dir(ARTIFACT, "skill")
    assert index.matrix.shape[1] == 384 and len(index.ids) == len(set(index.ids))
    np.testing.assert_allclose(np.linalg.norm(index.matrix, axis=1), 1.0, atol=1e-5)
    if "kubernetes" in index.position:
        emb = OnnxEmbedder.from_dir(ARTIFACT)
        top = [sid for sid, _ in index.lookup(emb, ["kubernetes cluster administration"], k=5)[0]]
        assert "kubernetes" in top


def test_load_bundles_embedder_and_vector_indexes(tiny_dir: Path) -> None:
    bundle = load(tiny_dir)
    assert bundle.skills is None and bundle.roles is None and bundle.role_ids is None
    vecs = bundle.embed(["python", "docker"])
    np.save(tiny_dir / "role_vectors.npy", vecs)
    (tiny_dir / "role_ids.json").write_text(json.dumps(["data-analyst", "devops-engineer"]))
    bundle = load(tiny_dir)
    assert bundle.role_ids == ("data-analyst", "devops-engineer")
    assert bundle.roles is not None and bundle.roles.search(bundle.embed(["docker"]), k=1)[0][0][0] == "devops-engineer"
    np.save(tiny_dir / "role_vectors.npy", np.ones((2, TINY_DIM + 1), dtype=np.float32))
    with pytest.raises(ArtifactIntegrityError):
        load(tiny_dir)
