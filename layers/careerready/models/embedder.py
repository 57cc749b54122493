"""Sentence embedder served with onnxruntime + tokenizers + numpy only (no torch).

The artifact (``artifacts/embeddings/v<N>/``) holds ``model.onnx`` (all-MiniLM-L6-v2 with mean pooling and
L2 normalisation inside the graph, output ``sentence_embedding``) and ``tokenizer.json``.

Determinism: texts are grouped by their exact token count and run without padding; texts longer than
``SOLO_TOKENS`` run alone and shorter ones in calls of at least two rows (onnxruntime's batch-1 kernels differ
in the last bit). A text's vector is therefore bit-identical whatever else shares the call and whatever
``batch_size`` is (checked in tests/unit/test_embedder.py).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from tokenizers import Tokenizer

from careerready.core.errors import ArtifactIntegrityError, ArtifactNotFoundError, InvalidInputError
from careerready.models.vector_index import VectorIndex

if TYPE_CHECKING:
    import onnxruntime as ort

MODEL_FILE = "model.onnx"
TOKENIZER_FILE = "tokenizer.json"
OUTPUT_NAME = "sentence_embedding"
EMBEDDING_DIM = 384
MAX_LENGTH = 256
DEFAULT_THREADS = 1
DEFAULT_CACHE_SIZE = 8192
CACHE_MAX_CHARS = 64
SOLO_TOKENS = 64

_FEED_NAMES = {"input_ids": "ids", "attention_mask": "attention_mask", "token_type_ids": "type_ids"}


class OnnxEmbedder:
    """L2-normalised sentence embeddings from an ONNX session and a ``tokenizers`` tokenizer."""

    def __init__(
        self,
        session: ort.InferenceSession,
        tokenizer: Tokenizer,
        *,
        max_length: int = MAX_LENGTH,
        cache_size: int = DEFAULT_CACHE_SIZE,
        cache_max_chars: int = CACHE_MAX_CHARS,
    ) -> None:
        """Wrap a loaded session and tokenizer (prefer :meth:`from_dir`).

        Args:
            session: onnxruntime session whose inputs are a subset of input_ids/attention_mask/token_type_ids.
            tokenizer: tokenizer matching the model; truncation is set here, padding is switched off.
            max_length: truncation length in tokens (special tokens included).
            cache_size: entries in the LRU cache of short texts (0 disables it).
            cache_max_chars: only texts up to this many characters are cached (skill names, titles).
        """
        if max_length < 2:
            raise InvalidInputError("max_length must be >= 2", field="max_length")
        self._session = session
        self._tokenizer = tokenizer
        self._tokenizer.no_padding()
        self._tokenizer.enable_truncation(max_length=max_length)
        self.max_length = max_length
        self.solo_tokens = SOLO_TOKENS
        self._input_names = [i.name for i in session.get_inputs()]
        unknown = [n for n in self._input_names if n not in _FEED_NAMES]
        if unknown:
            raise InvalidInputError(f"unsupported model inputs: {unknown}", field="model")
        outputs = [o.name for o in session.get_outputs()]
        self._output_name = OUTPUT_NAME if OUTPUT_NAME in outputs else outputs[0]
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._cache_size = max(0, cache_size)
        self._cache_max_chars = cache_max_chars
        self._lock = threading.Lock()
        self.dim = self._infer_dim()

    @classmethod
    def from_dir(
        cls,
        path: str | Path,
        *,
        model_file: str = MODEL_FILE,
        intra_op_threads: int = DEFAULT_THREADS,
        max_length: int = MAX_LENGTH,
        cache_size: int = DEFAULT_CACHE_SIZE,
    ) -> OnnxEmbedder:
        """Load ``model.onnx`` and ``tokenizer.json`` from an artifact directory.

        Args:
            path: artifact directory (already verified by the artifact store).
            model_file: ONNX file name inside ``path``.
            intra_op_threads: onnxruntime intra-op threads (1 suits a 1-vCPU Lambda; 2 on a 2-core box).
            max_length: truncation length in tokens.
            cache_size: LRU cache entries for short texts.

        Raises:
            ArtifactNotFoundError: the model or tokenizer file is missing.
        """
        root = Path(path)
        model_path, tok_path = root / model_file, root / TOKENIZER_FILE
        for p in (model_path, tok_path):
            if not p.is_file():
                raise ArtifactNotFoundError(f"embedder file missing: {p.name}", path=str(p))
        import onnxruntime as ort  # here, not at import: ~0.1 s of cold start for stages that defer the encoder

        opts = ort.SessionOptions()
        opts.intra_op_num_threads = max(1, int(intra_op_threads))
        opts.inter_op_num_threads = 1
        opts.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        opts.log_severity_level = 3
        session = ort.InferenceSession(str(model_path), sess_options=opts, providers=["CPUExecutionProvider"])
        tokenizer = Tokenizer.from_file(str(tok_path))
        return cls(session, tokenizer, max_length=max_length, cache_size=cache_size)

    def _infer_dim(self) -> int:
        shape = self._session.get_outputs()[0].shape
        if shape and isinstance(shape[-1], int):
            return int(shape[-1])
        return int(self._run([self._tokenizer.encode("")]).shape[1])

    def _run(self, encodings: Sequence[Any]) -> np.ndarray:
        feeds = {
            name: np.asarray([getattr(e, _FEED_NAMES[name]) for e in encodings], dtype=np.int64)
            for name in self._input_names
        }
        out = self._session.run([self._output_name], feeds)[0]
        return np.asarray(out, dtype=np.float32)

    def embed(self, texts: Sequence[str], batch_size: int = 16) -> np.ndarray:
        """Embed texts.

        Args:
            texts: strings to embed (empty strings are allowed; they embed ``[CLS] [SEP]``).
            batch_size: maximum texts per onnxruntime call (keep small for long texts: activations dominate RAM).

        Returns:
            float32 array of shape ``(len(texts), dim)``; every row has unit L2 norm.

        Raises:
            InvalidInputError: ``texts`` is not a sequence of strings or ``batch_size`` < 1.
        """
        if isinstance(texts, str) or not all(isinstance(t, str) for t in texts):
            raise InvalidInputError("texts must be a list of strings", field="texts")
        if batch_size < 1:
            raise InvalidInputError("batch_size must be >= 1", field="batch_size")
        out = np.empty((len(texts), self.dim), dtype=np.float32)
        pending: dict[str, list[int]] = {}
        with self._lock:
            for i, text in enumerate(texts):
                hit = self._cache.get(text) if self._cache_size else None
                if hit is not None:
                    self._cache.move_to_end(text)
                    out[i] = hit
                else:
                    pending.setdefault(text, []).append(i)
        if not pending:
            return out
        unique = list(pending)
        encodings = self._tokenizer.encode_batch(unique, add_special_tokens=True)
        by_length: dict[int, list[int]] = {}
        for j, enc in enumerate(encodings):
            by_length.setdefault(len(enc.ids), []).append(j)
        vectors = np.empty((len(unique), self.dim), dtype=np.float32)
        for length in sorted(by_length):
            group = by_length[length]
            # Long texts run alone (no throughput loss measured); short ones share a call with same-length texts.
            step = 1 if length > self.solo_tokens else batch_size
            for start in range(0, len(group), step):
                chunk = group[start : start + step]
                batch = [encodings[j] for j in chunk]
                if len(batch) == 1 and length <= self.solo_tokens:
                    # onnxruntime takes another kernel path for batch 1 (last-bit differences): always run >= 2 rows.
                    batch = batch * 2
                vectors[chunk] = self._run(batch)[: len(chunk)]
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        vectors /= np.maximum(norms, 1e-12)
        with self._lock:
            for j, text in enumerate(unique):
                out[pending[text]] = vectors[j]
                if self._cache_size and len(text) <= self._cache_max_chars:
                    self._cache[text] = vectors[j].copy()
                    if len(self._cache) > self._cache_size:
                        self._cache.popitem(last=False)
        return out

    def embed_one(self, text: str) -> np.ndarray:
        """Embed one text; returns a float32 vector of shape ``(dim,)``."""
        return np.asarray(self.embed([text])[0])

    def count_tokens(self, text: str) -> int:
        """Token count after truncation (special tokens included)."""
        return len(self._tokenizer.encode(text).ids)

    def clear_cache(self) -> None:
        """Drop every cached vector."""
        with self._lock:
            self._cache.clear()

    @property
    def cache_len(self) -> int:
        """Number of cached texts."""
        return len(self._cache)


class EmbeddingArtifacts:
    """What ``load`` returns: the embedder plus the precomputed skill and role vector indexes.

    The embedder may be deferred: serving needs the ONNX encoder only to embed text that has no
    precomputed vector (a free-text role title no name or alias matches), so ``load`` can leave the
    90 MB model file out of the cold start and have it fetched, verified and loaded on first use.
    """

    def __init__(
        self,
        embedder: OnnxEmbedder | None,
        skills: VectorIndex | None,
        roles: VectorIndex | None,
        *,
        factory: Callable[[], OnnxEmbedder] | None = None,
    ) -> None:
        """Wrap a loaded embedder, or a ``factory`` that builds it on first use (exactly one of the two)."""
        if (embedder is None) == (factory is None):
            raise ValueError("give exactly one of embedder and factory")
        self._embedder = embedder
        self._factory = factory
        self._lock = threading.Lock()
        self.skills = skills
        self.roles = roles

    @property
    def embedder_loaded(self) -> bool:
        """Whether the ONNX encoder is in memory (False until a deferred one is first used)."""
        return self._embedder is not None

    @property
    def embedder(self) -> OnnxEmbedder:
        """The ONNX encoder (built on first access when deferred; thread-safe, built once)."""
        if self._embedder is None:
            with self._lock:
                if self._embedder is None:
                    assert self._factory is not None
                    self._embedder = self._factory()
        return self._embedder

    def embed(self, texts: Sequence[str], batch_size: int = 16) -> np.ndarray:
        """Delegate to :meth:`OnnxEmbedder.embed`."""
        return self.embedder.embed(texts, batch_size=batch_size)

    @property
    def skill_ids(self) -> tuple[str, ...] | None:
        """Row-aligned skill ids (None when the artifact has no skill vectors)."""
        return self.skills.ids if self.skills else None

    @property
    def skill_vectors(self) -> np.ndarray | None:
        """``(n_skills, dim)`` unit vectors, or None."""
        return self.skills.matrix if self.skills else None

    @property
    def role_ids(self) -> tuple[str, ...] | None:
        """Row-aligned role ids (None when the artifact has no role vectors)."""
        return self.roles.ids if self.roles else None

    @property
    def role_vectors(self) -> np.ndarray | None:
        """``(n_roles, dim)`` unit vectors, or None."""
        return self.roles.matrix if self.roles else None


DEFERRABLE_FILES: tuple[str, ...] = (MODEL_FILE,)
"""Files :func:`load` can fetch on first use when given ``fetch_file`` (see :data:`careerready.services.startup.DEFERRED`)."""


def load(
    artifact_dir: Path,
    *,
    intra_op_threads: int = DEFAULT_THREADS,
    fetch_file: Callable[[str], Path] | None = None,
) -> EmbeddingArtifacts:
    """Loader used by ``careerready.services.startup``: the embedder and, when present, the skill/role vectors.

    Args:
        artifact_dir: The verified artifact directory.
        intra_op_threads: onnxruntime intra-op threads.
        fetch_file: When given, ``model.onnx`` is deferred: ``fetch_file("model.onnx")`` fetches and
            verifies it on the first call that needs the encoder (the vectors load now). When None,
            everything loads now.

    Raises:
        ArtifactNotFoundError: model.onnx or tokenizer.json is missing.
        ArtifactIntegrityError: a vector file's rows disagree with its ids or with the model's dimension.
    """
    indexes: dict[str, VectorIndex | None] = {}
    for kind in ("skill", "role"):
        if (Path(artifact_dir) / f"{kind}_vectors.npy").is_file():
            indexes[kind] = VectorIndex.from_dir(artifact_dir, kind)
        else:
            indexes[kind] = None

    def build() -> OnnxEmbedder:
        if fetch_file is not None:
            fetch_file(MODEL_FILE)
        embedder = OnnxEmbedder.from_dir(artifact_dir, intra_op_threads=intra_op_threads)
        for kind, index in indexes.items():
            if index is not None and index.matrix.shape[1] != embedder.dim:
                raise ArtifactIntegrityError(
                    f"{kind} vectors have dimension {index.matrix.shape[1]}, model gives {embedder.dim}"
                )
        return embedder

    if fetch_file is None:
        return EmbeddingArtifacts(build(), indexes["skill"], indexes["role"])
    if not (Path(artifact_dir) / TOKENIZER_FILE).is_file():
        raise ArtifactNotFoundError(f"embedder file missing: {TOKENIZER_FILE}", path=str(artifact_dir))
    dims = {index.matrix.shape[1] for index in indexes.values() if index is not None}
    if len(dims) > 1:
        raise ArtifactIntegrityError(f"skill and role vectors disagree on dimension: {sorted(dims)}")
    return EmbeddingArtifacts(None, indexes["skill"], indexes["role"], factory=build)
