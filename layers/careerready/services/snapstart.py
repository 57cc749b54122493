"""Lambda SnapStart runtime hooks: finish the cold start before the snapshot (docs/benchmarks.md, "SnapStart").

With SnapStart (template.yaml parameter ``SnapStart=On``), Lambda runs a function's init once when a version is
published, snapshots the initialised sandbox (memory and ``/tmp``) and resumes new sandboxes from it. Init is
then paid once per version, not per sandbox, so it should do everything a first request would otherwise do:
:func:`prepare_for_snapshot` loads every model the function serves with (fetched and sha256-verified, the
deferred 90 MB encoder included) and builds the per-catalog structures (text index, role vectors).

The hooks come from ``snapshot_restore_py``, which Lambda's Python 3.12+ base images ship; anywhere else
(tests, local runs) :func:`register` finds no such module and registers nothing.
"""

from __future__ import annotations

import importlib
import time
from collections.abc import Sequence

from careerready.core.observability import logger
from careerready.services.startup import get_models

__all__ = ["HOOKS_MODULE", "prepare_for_snapshot", "register"]

HOOKS_MODULE = "snapshot_restore_py"


def prepare_for_snapshot(stages: Sequence[str]) -> dict[str, float]:
    """Load and verify every model of ``stages`` (deferred files too) and build what first requests build.

    Returns:
        Milliseconds per stage (logged too).
    """
    # here, not at module import: handlers import this module before their downloads start (startup.prefetch)
    from careerready.pipelines.matching import prepare_text_ranking

    took: dict[str, float] = {}
    for stage in stages:
        t0 = time.perf_counter()
        models = get_models(stage)
        if models.catalog is not None:
            prepare_text_ranking(models.catalog, models.embeddings)
        took[stage] = round((time.perf_counter() - t0) * 1000, 2)
    logger.info("ready for the SnapStart snapshot", stages=list(stages), ms=took)
    return took


def _after_restore() -> None:
    logger.info("resumed from a SnapStart snapshot")


def register(stages: Sequence[str]) -> bool:
    """Register :func:`prepare_for_snapshot` (``stages``) to run before Lambda takes the snapshot.

    Returns:
        True when the hooks were registered; False without ``snapshot_restore_py`` (not on Lambda).
    """
    try:
        hooks = importlib.import_module(HOOKS_MODULE)
    except ImportError:
        return False
    hooks.register_before_snapshot(prepare_for_snapshot, tuple(stages))
    hooks.register_after_restore(_after_restore)
    return True
