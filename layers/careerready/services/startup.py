"""Load the models a stage needs, once per process (call at module import in every handler).

``get_models("extract")`` resolves ``{model: version}`` from the registry (+ settings overrides),
fetches each artifact through :class:`ArtifactStore` (local dir, or S3 -> ``/tmp`` cache with sha256
verification) and calls the model module's ``load(dir)``. Per-model download/verify/load times are
logged and kept in ``Models.load_timings``. If anything fails, a clear error is raised and no
partially loaded ``Models`` is cached, with one exception: a model of :data:`OPTIONAL` that is not published
at all (no manifest) and not pinned by sha256 is left out, and ``Models.absent`` / ``Models.versions`` say why.
"""

from __future__ import annotations

import importlib
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from careerready.core.config import Settings, get_settings
from careerready.core.errors import ArtifactError, ArtifactNotFoundError, CareerReadyError
from careerready.core.observability import logger
from careerready.services.artifacts import ArtifactStore
from careerready.services.registry import Registry, load_registry

if TYPE_CHECKING:
    # types only: each model module is imported by its loader, when the stage needs it (cold start)
    from careerready.models.embedder import EmbeddingArtifacts
    from careerready.models.extractor import GazetteerExtractor
    from careerready.models.gap_ranker import GapRanker
    from careerready.models.matcher import Matcher
    from careerready.models.ner import NerModel
    from careerready.models.readiness import ReadinessModel
    from careerready.models.recommender import Recommender
    from careerready.services.catalog import Catalog

__all__ = [
    "DEFERRED",
    "LOADERS",
    "OPTIONAL",
    "ExtractModels",
    "MatchModels",
    "Models",
    "ReadinessModels",
    "RecommendModels",
    "get_models",
    "is_absent",
    "load_models",
    "model_field",
    "prefetch",
    "s3_client",
]

_T = TypeVar("_T")

# model name -> (Models field, "module:callable" of its load(dir) function)
LOADERS: dict[str, tuple[str, str]] = {
    "catalog": ("catalog", "careerready.services.catalog:Catalog.load"),
    "embeddings": ("embeddings", "careerready.models.embedder:load"),
    "extractor": ("extractor", "careerready.models.extractor:load"),
    "ner": ("ner", "careerready.models.ner:load"),
    "matching": ("matcher", "careerready.models.matcher:load"),
    "readiness": ("readiness", "careerready.models.readiness:load"),
    "gap_ranker": ("gap_ranker", "careerready.models.gap_ranker:load"),
    "recommender": ("recommender", "careerready.models.recommender:load"),
}


# model name -> files its loader can fetch on first use (loader takes ``fetch_file``); see Settings.defer_large_files
DEFERRED: dict[str, tuple[str, ...]] = {"embeddings": ("model.onnx",)}
#: model name -> files serving never reads: the fitted training estimators published beside the small serving
#: exports (joblib, for anyone who wants the real model) and the learned tagger's Hugging Face checkpoint (the
#: ``hf/`` folder, ~77 MB; a name ending with ``/`` is a folder); never downloaded nor verified at a cold start
NOT_SERVED: dict[str, tuple[str, ...]] = {
    **dict.fromkeys(("matching", "readiness", "gap_ranker"), ("estimator.joblib",)),
    "ner": ("hf/",),
}
#: files no model's loader reads, left out of every fetch (each was one more GET at a cold start): the training
#: report (plots, README) and the license / notice / metrics texts beside the encoders (published, not served)
NEVER_SERVED: tuple[str, ...] = ("report/", "LICENSE-all-MiniLM-L6-v2.txt", "NOTICE", "metrics.json")
#: stage -> model -> files that stage never reads, left out of its fetch when it runs alone (its own function):
#: extraction reads the catalog's skills only (names, types, aliases), not its 985 roles, their title and text
#: indexes or the resources (~22 MB and ~0.2 s of parsing at a cold start); recommend resolves roles by title but
#: never ranks them by text. A process serving more stages (analyze, ingest) fetches the whole catalog, and a stage
#: takes a fuller copy already loaded (see :func:`_variants`). ``Catalog.load`` skips the files that are absent.
STAGE_NOT_READ: dict[str, dict[str, tuple[str, ...]]] = {
    "extract": {
        "catalog": ("occupations.json", "resources.jsonl", "roles.json", "text_index.npz", "title_index.npz"),
    },
    "recommend": {"catalog": ("text_index.npz",)},
}


@dataclass(frozen=True)
class ExtractModels:
    """The extract stage: catalog and gazetteer required; the learned tagger (hybrid) and embeddings optional."""

    catalog: Catalog
    extractor: GazetteerExtractor
    ner: NerModel | None
    embeddings: EmbeddingArtifacts | None


@dataclass(frozen=True)
class MatchModels:
    """The match stage: the catalog required; embeddings, matcher and gap ranker optional (documented fallbacks)."""

    catalog: Catalog
    embeddings: EmbeddingArtifacts | None
    matcher: Matcher | None
    gap_ranker: GapRanker | None


@dataclass(frozen=True)
class ReadinessModels:
    """The readiness stage: the readiness model."""

    readiness: ReadinessModel


@dataclass(frozen=True)
class RecommendModels:
    """The recommend stage: catalog and readiness model required (the roadmap asks it); recommender optional."""

    catalog: Catalog
    readiness: ReadinessModel
    recommender: Recommender | None
    embeddings: EmbeddingArtifacts | None


# model name -> why a stage may run without it. Only "not published" (no manifest anywhere) counts: a broken
# or tampered artifact still fails the start-up, and so does an absent one whose manifest sha256 is pinned.
OPTIONAL: dict[str, str] = {
    "ner": (
        "learned tagger not published: it is trained only when the dotin-resume-ner dataset is present "
        "(make datasets, then make train); the extract stage serves the gazetteer alone"
    ),
}


@dataclass(frozen=True)
class Models:
    """Everything a stage serves with; fields a stage does not need stay None.

    A stage takes its typed view (:meth:`for_extract`, :meth:`for_match`, :meth:`for_readiness`,
    :meth:`for_recommend`), which raises ``ArtifactNotFoundError`` naming the stage and the model when a
    required one is missing, and tells mypy which models may be None.
    """

    catalog: Catalog | None = None
    embeddings: EmbeddingArtifacts | None = None
    extractor: GazetteerExtractor | None = None
    ner: NerModel | None = None
    matcher: Matcher | None = None
    readiness: ReadinessModel | None = None
    gap_ranker: GapRanker | None = None
    recommender: Recommender | None = None
    versions: dict[str, str] = field(default_factory=dict)
    load_timings: dict[str, dict[str, float]] = field(default_factory=dict)
    stage: str | None = None
    absent: dict[str, str] = field(default_factory=dict)
    """Optional models the registry names that are not published: model -> why the stage runs without them."""

    def for_extract(self) -> ExtractModels:
        """The extract stage's models (catalog and extractor required)."""
        return ExtractModels(
            _need(self.catalog, "catalog", "extract"),
            _need(self.extractor, "extractor", "extract"),
            self.ner,
            self.embeddings,
        )

    def for_match(self) -> MatchModels:
        """The match stage's models (catalog required)."""
        return MatchModels(_need(self.catalog, "catalog", "match"), self.embeddings, self.matcher, self.gap_ranker)

    def for_readiness(self) -> ReadinessModels:
        """The readiness stage's models (the readiness model required)."""
        return ReadinessModels(_need(self.readiness, "readiness", "readiness"))

    def for_recommend(self) -> RecommendModels:
        """The recommend stage's models (catalog and readiness model required)."""
        return RecommendModels(
            _need(self.catalog, "catalog", "recommend"),
            _need(self.readiness, "readiness", "recommend"),
            self.recommender,
            self.embeddings,
        )


def _need(value: _T | None, model: str, stage: str) -> _T:
    if value is None:
        raise ArtifactNotFoundError(f"stage {stage} has no {model} model loaded", stage=stage, model=model)
    return value


def model_field(model: str) -> str:
    """The :class:`Models` attribute that holds ``model`` (``matching`` -> ``matcher``)."""
    return LOADERS[model][0]


def is_absent(model: str, exc: BaseException, pinned: str | None) -> bool:
    """True when ``exc`` only says that the optional ``model`` is not published (and nothing pins it)."""
    return (
        model in OPTIONAL
        and not pinned
        and isinstance(exc, ArtifactNotFoundError)
        and "file" not in exc.details  # a file listed in a manifest but missing is a broken publish, not absence
    )


def _resolve_loader(model: str) -> Callable[[Path], Any]:
    if model not in LOADERS:
        raise ArtifactError(f"no loader registered for model {model!r}; known: {sorted(LOADERS)}", model=model)
    target = LOADERS[model][1]
    module_name, _, attr_path = target.partition(":")
    try:
        obj: Any = importlib.import_module(module_name)
    except ImportError as exc:
        raise ArtifactError(
            f"model {model!r} needs module {module_name}, which cannot be imported: {exc}", model=model
        ) from exc
    for attr in attr_path.split("."):
        if not hasattr(obj, attr):
            raise ArtifactError(f"model {model!r}: {target} does not exist", model=model)
        obj = getattr(obj, attr)
    loader: Callable[[Path], Any] = obj
    return loader


def load_models(
    stage: str | None = None,
    *,
    settings: Settings | None = None,
    store: ArtifactStore | None = None,
    registry: Registry | None = None,
    shared: dict[tuple[str, ...], Any] | None = None,
) -> Models:
    """Fetch, verify and load every model ``stage`` needs (uncached; see :func:`get_models`).

    Artifacts are fetched concurrently and each is loaded as soon as its fetch completes.

    Args:
        stage: ``extract``, ``match``, ``readiness``, ``recommend``, ``analyze`` or ``ingest``
            (None = ``analyze``, i.e. everything).
        settings: Defaults to :func:`get_settings`.
        store: Defaults to ``ArtifactStore.from_settings(settings)``.
        registry: Defaults to the registry file named by the settings, with version overrides.
        shared: Loaded models by (source, cache dir, model, version, pin); models found there are
            reused, new ones added (how :func:`get_models` shares one catalog/embeddings between stages).

    Raises:
        ConfigError: unknown stage or bad registry.
        ArtifactNotFoundError / ArtifactIntegrityError / ArtifactError: a model could not be
            fetched, verified or loaded (the message names model, version and stage).
    """
    stage = stage or "analyze"
    settings = settings or get_settings()
    registry = registry or load_registry(settings.registry_path, settings.version_overrides())
    store = store or _store_for(settings)
    wanted = registry.models_for(stage)
    loaded: dict[str, Any] = {}
    timings: dict[str, dict[str, float]] = {}
    t_start = time.perf_counter()
    todo: dict[str, str] = {}
    absent: dict[str, str] = {}
    for model, version in wanted.items():
        keys = [_share_key(store, model, version, settings, skips) for skips in _variants(model, stage)]
        hit = next((k for k in keys if shared is not None and k in shared), None)
        if shared is not None and hit is not None:
            loaded[model_field(model)] = shared[hit]
            timings[model] = {"download_ms": 0.0, "verify_ms": 0.0, "load_ms": 0.0, "cached": 1.0, "shared": 1.0}
        else:
            todo[model] = version
    if todo:
        # fetch every artifact concurrently (downloads + sha256 are I/O / GIL-free), and load each one as
        # soon as it is there, so the small models load while the big ones are still downloading; a fetch
        # that prefetch() started earlier (during the imports) is taken over, not repeated
        with ThreadPoolExecutor(max_workers=min(len(todo), _FETCH_THREADS), thread_name_prefix="fetch") as pool:
            futures: dict[Future[Any], str] = {}
            skipped: dict[str, tuple[str, ...]] = {}  # model -> the files its loaded copy lacks (its share key)
            for model, version in todo.items():
                fut = None
                for skips in _variants(model, stage):
                    fut = _take_prefetched(_prefetch_key(store, model, version, settings, skips))
                    if fut is not None:
                        skipped[model] = skips
                        break
                if fut is None:
                    skipped[model] = _skips(model, (stage,))
                    fut = pool.submit(_fetch, *_fetch_args(store, model, version, settings, stage, skipped[model]))
                futures[fut] = model
            failures: dict[str, BaseException] = {}
            try:
                for fut in as_completed(futures):
                    model = futures[fut]
                    version = todo[model]
                    exc = fut.exception()
                    if exc is not None and is_absent(model, exc, settings.pinned_manifest_sha256(model)):
                        absent[model] = OPTIONAL[model]
                        logger.warning(
                            "optional model absent", stage=stage, model=model, version=version, reason=absent[model]
                        )
                        continue
                    if exc is not None:
                        failures[model] = exc
                        continue
                    if failures:
                        continue  # something already failed: finish the downloads, load nothing more
                    done = fut.result()
                    if isinstance(done, _Prefetched):  # fetched and loaded in the background by prefetch()
                        fetched, obj, load_ms = done.fetched, done.obj, done.load_ms
                    else:
                        fetched = done
                        t0 = time.perf_counter()
                        obj = _load(model, version, stage, fetched, store if _defer(model, settings) else None)
                        load_ms = (time.perf_counter() - t0) * 1000
                    loaded[model_field(model)] = obj
                    if shared is not None:
                        shared[_share_key(store, model, version, settings, skipped[model])] = obj
                    timings[model] = {
                        "download_ms": round(fetched.download_ms, 2),
                        "verify_ms": round(fetched.verify_ms, 2),
                        "load_ms": round(load_ms, 2),
                        "cached": float(fetched.cached),
                    }
                    logger.info("model loaded", stage=stage, model=model, version=version, timings=timings[model])
            except BaseException:
                for f in futures:
                    f.cancel()
                raise
            if failures:
                # deterministic: report the first failed model in registry order, whatever finished first
                raise failures[next(m for m in todo if m in failures)]
    timings = {m: timings[m] for m in wanted if m not in absent}
    # the versions this stage serves with; an absent optional model says so in place of a version
    versions = {m: (f"absent ({absent[m]})" if m in absent else v) for m, v in wanted.items()}
    logger.info(
        "models ready", stage=stage, versions=versions, total_ms=round((time.perf_counter() - t_start) * 1000, 2)
    )
    return Models(**loaded, versions=versions, load_timings=timings, stage=stage, absent=absent)


_FETCH_THREADS = 8
# prefetch(): (share key + deferred files) -> the running fetch; load_models takes each over once
_PREFETCHED: dict[tuple[Any, ...], Future[Any]] = {}
_PREFETCH_LOCK = threading.Lock()


def _fetch_args(
    store: ArtifactStore, model: str, version: str, settings: Settings, stage: str, skips: tuple[str, ...] = ()
) -> tuple[ArtifactStore, str, str, str | None, str, tuple[str, ...]]:
    return (
        store,
        model,
        version,
        settings.pinned_manifest_sha256(model),
        stage,
        _defer(model, settings) + NOT_SERVED.get(model, ()) + NEVER_SERVED + skips,
    )


def _prefetch_key(
    store: ArtifactStore, model: str, version: str, settings: Settings, skips: tuple[str, ...] = ()
) -> tuple[Any, ...]:
    return (
        *_share_key(store, model, version, settings, skips),
        _fetch_args(store, model, version, settings, "", skips)[5],
    )


def _skips(model: str, stages: tuple[str, ...]) -> tuple[str, ...]:
    """The files of ``model`` that none of ``stages`` reads (:data:`STAGE_NOT_READ`; a stage not listed reads all)."""
    per_stage = [STAGE_NOT_READ.get(stage, {}).get(model, ()) for stage in stages]
    return tuple(rel for rel in per_stage[0] if all(rel in other for other in per_stage[1:])) if per_stage else ()


def _variants(model: str, stage: str) -> tuple[tuple[str, ...], ...]:
    """The copies of ``model`` that ``stage`` can take ready made (as the files each lacks): the whole artifact first
    (what a multi-stage process loads), then the stage's own subset (:data:`STAGE_NOT_READ`)."""
    skips = _skips(model, (stage,))
    return ((), skips) if skips else ((),)


@dataclass(frozen=True)
class _Prefetched:
    """A model that prefetch() fetched and loaded in a background thread."""

    fetched: Any
    obj: Any
    load_ms: float


def _fetch_and_load(
    deferred: tuple[str, ...],
    titles: bool,
    store: ArtifactStore,
    model: str,
    version: str,
    pin: str | None,
    stage: str,
    defer: tuple[str, ...],
) -> _Prefetched:
    # loading here too overlaps what loaders do without the GIL (ONNX Runtime sessions, file reads) with the
    # imports on the main thread; the import graph has no cycles, so concurrent imports cannot deadlock
    fetched = _fetch(store, model, version, pin, stage, defer)
    t0 = time.perf_counter()
    obj = _load(model, version, stage, fetched, store if deferred else None)
    if model == "catalog" and titles:
        # the first request resolving a title reads the catalog's title index: read it here, in the background
        from careerready.services.roles import preload_title_index

        try:
            preload_title_index(obj)
        except Exception as exc:  # the resolver reads it again on first use and reports any error there
            logger.warning("title index not preloaded", error=type(exc).__name__)
    return _Prefetched(fetched, obj, (time.perf_counter() - t0) * 1000)


def _take_prefetched(key: tuple[Any, ...]) -> Future[Any] | None:
    with _PREFETCH_LOCK:
        return _PREFETCHED.pop(key, None)


def prefetch(*stages: str, settings: Settings | None = None) -> int:
    """Start fetching (download + sha256 verify) every artifact ``stages`` need, in background threads.

    Returns at once; call it first thing in a handler module, so the downloads run while the rest of the
    code is imported. Each model is loaded in its thread as soon as it is fetched. :func:`load_models` /
    :func:`get_models` then take over the running jobs (same store, version, pin and deferred files), so
    nothing is fetched or loaded twice; a job that failed fails the load with the usual error. Returns the
    number of jobs started.
    """
    settings = settings or get_settings()
    registry = load_registry(settings.registry_path, settings.version_overrides())
    wanted: dict[str, str] = {}
    for stage in stages or ("analyze",):
        wanted.update(registry.models_for(stage))
    store = _store_for(settings)
    # stages that resolve role titles (the API, match, recommend; the extract and readiness stages never do)
    titles = bool(set(stages or ("analyze",)) - {"extract", "readiness"})
    pool = ThreadPoolExecutor(max_workers=min(len(wanted), _FETCH_THREADS) or 1, thread_name_prefix="prefetch")
    started = 0
    with _PREFETCH_LOCK:
        for model, version in sorted(wanted.items()):
            skips = _skips(model, stages or ("analyze",))
            key = _prefetch_key(store, model, version, settings, skips)
            if key in _PREFETCHED or _share_key(store, model, version, settings, skips) in _SHARED:
                continue
            args = _fetch_args(store, model, version, settings, stages[0] if stages else "analyze", skips)
            _PREFETCHED[key] = pool.submit(_fetch_and_load, _defer(model, settings), titles, *args)
            started += 1
    pool.shutdown(wait=False)
    return started


# (source, cache dir, model, version, manifest pin) -> loaded wrapper, shared by get_models across stages
_SHARED: dict[tuple[str, ...], Any] = {}
# id(settings) -> (settings, store): one store (one S3 client, ~0.2 s to create) per settings object, shared by
# prefetch() and every load_models() call that is not given a store; holding the settings keeps ids unique
_STORES: dict[int, tuple[Settings, ArtifactStore]] = {}


def _store_for(settings: Settings) -> ArtifactStore:
    with _PREFETCH_LOCK:
        hit = _STORES.get(id(settings))
        if hit is None or hit[0] is not settings:
            hit = (settings, ArtifactStore.from_settings(settings))
            _STORES[id(settings)] = hit
        return hit[1]


def s3_client(settings: Settings | None = None) -> Any:
    """The process's S3 client: the artifact store's when models come from S3 (one client creation less at a cold
    start, ~0.1 s), else a new one (botocore, no managed transfers)."""
    settings = settings or get_settings()
    source = _store_for(settings).source if settings.artifact_source == "s3" else None
    client = getattr(source, "client", None)
    if client is not None:
        return client
    from careerready.services.s3 import make_s3_client

    return make_s3_client(settings.s3_endpoint_url, settings.aws_region, transfers=False)


def _share_key(
    store: ArtifactStore, model: str, version: str, settings: Settings, skips: tuple[str, ...] = ()
) -> tuple[str, ...]:
    source = getattr(store, "source", None)
    describe = getattr(source, "describe", None)
    where = describe() if callable(describe) else repr(source)
    pin = settings.pinned_manifest_sha256(model) or ""
    # a model loaded without some files (a stage's subset) is a different object than the whole one
    return (where, str(getattr(store, "cache_dir", "")), model, version, pin) + ((",".join(skips),) if skips else ())


def _defer(model: str, settings: Settings) -> tuple[str, ...]:
    return DEFERRED.get(model, ()) if settings.defer_large_files else ()


def _fetch(
    store: ArtifactStore, model: str, version: str, pin: str | None, stage: str, defer: tuple[str, ...] = ()
) -> Any:
    try:
        _resolve_loader(model)  # fail fast on an unknown model, before downloading
        return store.fetch_with_info(model, version, manifest_sha256=pin, defer=defer)
    except Exception as exc:
        if is_absent(model, exc, pin):
            raise  # not an error: load_models leaves the optional model out and logs a warning
        raise _load_error(exc, model, version, stage) from exc


def _load(model: str, version: str, stage: str, fetched: Any, store: ArtifactStore | None = None) -> Any:
    """Run the model's loader; with ``store``, deferred files are fetched through it on first use."""
    try:
        loader: Any = _resolve_loader(model)
        if store is None:
            return loader(fetched.path)

        def fetch_file(rel: str) -> Path:
            t0 = time.perf_counter()
            try:
                path = store.fetch_deferred(fetched, rel)
            except Exception as exc:
                raise _load_error(exc, model, version, stage) from exc
            logger.info(
                "deferred file ready",
                model=model,
                version=version,
                file=rel,
                ms=round((time.perf_counter() - t0) * 1000, 2),
            )
            return path

        return loader(fetched.path, fetch_file=fetch_file)
    except Exception as exc:
        raise _load_error(exc, model, version, stage) from exc


def _load_error(exc: Exception, model: str, version: str, stage: str) -> Exception:
    """The error a failed fetch/load surfaces as: same class for domain errors, ArtifactError otherwise."""
    if isinstance(exc, CareerReadyError):
        if "cold start of stage" in exc.message:
            return exc
        logger.error("model load failed", stage=stage, model=model, version=version, error=exc.code)
        return type(exc)(
            f"cold start of stage {stage!r}: {model}/{version}: {exc.message}",
            **{**exc.details, "model": model, "version": version, "stage": stage},
        )
    logger.error("model load failed", stage=stage, model=model, version=version, error=type(exc).__name__)
    return ArtifactError(
        f"cold start of stage {stage!r}: loading {model}/{version} failed: {type(exc).__name__}: {exc}",
        model=model,
        version=version,
        stage=stage,
    )


@cache
def get_models(stage: str | None = None) -> Models:
    """The models for ``stage``, loaded once per process (failures are not cached).

    Stages of one process share each loaded model (the analyze/ingest functions serve every stage
    in-process: one catalog and one ONNX session, not one per stage).
    """
    return load_models(stage, shared=_SHARED)
