"""SnapStart hooks: registered only where Lambda's snapshot_restore_py exists; the hook finishes the cold start."""

from __future__ import annotations

import sys
import types
from typing import Any

import pytest
from careerready.services import snapstart
from careerready.services.startup import Models


def test_register_without_the_hooks_module_registers_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, snapstart.HOOKS_MODULE, None)  # import fails, as outside Lambda
    assert snapstart.register(["extract"]) is False


def test_register_hands_prepare_for_snapshot_to_the_runtime(monkeypatch: pytest.MonkeyPatch) -> None:
    # Given a runtime that records the hooks it is given
    before: list[tuple[Any, tuple[Any, ...]]] = []
    after: list[Any] = []
    fake = types.ModuleType(snapstart.HOOKS_MODULE)
    fake.register_before_snapshot = lambda fn, *args: before.append((fn, args))  # type: ignore[attr-defined]
    fake.register_after_restore = lambda fn, *args: after.append(fn)  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, snapstart.HOOKS_MODULE, fake)
    # When a function registers its stages
    assert snapstart.register(["extract", "match"]) is True
    # Then the before-snapshot hook is prepare_for_snapshot with those stages, and an after-restore hook exists
    assert before == [(snapstart.prepare_for_snapshot, (("extract", "match"),))]
    assert len(after) == 1


def test_prepare_for_snapshot_loads_each_stage_and_builds_text_ranking(monkeypatch: pytest.MonkeyPatch) -> None:
    catalog, embeddings = object(), object()
    models = {"match": Models(catalog=catalog, embeddings=embeddings), "readiness": Models()}  # type: ignore[arg-type]
    loaded: list[str] = []
    prepared: list[tuple[object, object]] = []

    def get_models(stage: str) -> Models:
        loaded.append(stage)
        return models[stage]

    monkeypatch.setattr(snapstart, "get_models", get_models)
    import careerready.pipelines.matching as matching

    monkeypatch.setattr(matching, "prepare_text_ranking", lambda c, e: prepared.append((c, e)))
    took = snapstart.prepare_for_snapshot(("match", "readiness"))
    assert loaded == ["match", "readiness"] and set(took) == {"match", "readiness"}
    assert prepared == [(catalog, embeddings)]  # readiness has no catalog: nothing to build
