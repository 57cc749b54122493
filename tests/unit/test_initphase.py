"""The init phase of every function runs without the cyclic garbage collector, then freezes what it allocated."""

from __future__ import annotations

import ast
import gc
from collections.abc import Iterator
from pathlib import Path

import pytest
from careerready.core.initphase import init_phase

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def _restore_gc() -> Iterator[None]:
    yield
    gc.enable()
    gc.unfreeze()


def test_collector_off_inside_then_on_with_the_init_frozen() -> None:
    gc.unfreeze()
    with init_phase():
        assert not gc.isenabled()
        kept = [[i] for i in range(1000)]  # what an init allocates and keeps
    assert gc.isenabled() and gc.get_freeze_count() >= len(kept)


def test_a_failed_init_turns_it_back_on_without_freezing() -> None:
    gc.unfreeze()
    with pytest.raises(RuntimeError), init_phase():
        raise RuntimeError("model load failed")
    assert gc.isenabled() and gc.get_freeze_count() == 0


def test_a_collector_that_was_off_stays_off() -> None:
    gc.disable()
    with init_phase():
        pass
    assert not gc.isenabled()


@pytest.mark.parametrize("name", ["analyze", "extract", "ingest", "match", "readiness", "recommend"])
def test_every_function_defines_its_handler_inside_the_init_phase(name: str) -> None:
    tree = ast.parse((ROOT / "functions" / name / "app.py").read_text())
    blocks = [n for n in tree.body if isinstance(n, ast.With)]
    assert len(blocks) == 1 and ast.unparse(blocks[0].items[0].context_expr) == "init_phase()"
    # nothing but imports, the docstring and the handler itself outside it
    outside = [n for n in tree.body if not isinstance(n, ast.With | ast.Import | ast.ImportFrom | ast.FunctionDef)]
    assert all(isinstance(n, ast.Expr) and isinstance(n.value, ast.Constant) for n in outside)
    inside = ast.unparse(blocks[0])
    assert "lambda_handler = stage_lambda_handler" in inside or "prefetch('analyze')" in inside
