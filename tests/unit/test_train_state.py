"""`make train` rebuilds a step whose inputs changed since it was built, and skips one whose inputs did not."""

from __future__ import annotations

from pathlib import Path

import pytest

from training.scripts.train_all import Step, TrainState, _run, _run_parallel


def _step(tmp_path: Path, runs: list[int], inputs: list[Path]) -> Step:
    out = tmp_path / "out"

    def build() -> None:
        out.mkdir(exist_ok=True)
        (out / "manifest.json").write_text("{}")
        runs.append(1)

    return Step("model", out / "manifest.json", action=build, outputs=[out], inputs=inputs)


def test_a_step_reruns_only_when_its_inputs_change(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    (data / "skills.yaml").write_text("a: 1\n")
    outside = tmp_path / "elsewhere" / "dotin.jsonl"  # an input outside the repository (../shared) hashes too
    outside.parent.mkdir()
    outside.write_text("{}\n")
    runs: list[int] = []
    state = TrainState(tmp_path / "build" / "train_state.json")
    step = _step(tmp_path, runs, [data, outside])

    _run(step, 1, 1, False, state)
    _run(step, 1, 1, False, TrainState(state.path))  # a new process reads the recorded hashes
    assert len(runs) == 1

    (data / "skills.yaml").write_text("a: 2\n")  # a taxonomy edit
    _run(step, 1, 1, False, TrainState(state.path))
    assert len(runs) == 2
    outside.write_text('{"id": 1}\n')
    _run(step, 1, 1, False, TrainState(state.path))
    assert len(runs) == 3
    _run(step, 1, 1, False, TrainState(state.path))
    assert len(runs) == 3

    # the extra text (which public datasets are present) is an input too
    _run(step, 1, 1, False, TrainState(state.path), extra="onet-29.2: MISSING")
    assert len(runs) == 4


def test_a_step_built_before_the_bookkeeping_is_rebuilt_once(tmp_path: Path) -> None:
    runs: list[int] = []
    step = _step(tmp_path, runs, [])
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "stale.bin").write_text("old")
    (tmp_path / "out" / "manifest.json").write_text("{}")
    state = TrainState(tmp_path / "train_state.json")
    _run(step, 1, 1, False, state)
    assert len(runs) == 1 and not (tmp_path / "out" / "stale.bin").exists()  # outputs cleared first
    _run(step, 1, 1, False, TrainState(state.path))
    assert len(runs) == 1


def _waiting_step(tmp_path: Path, name: str, wait_for: str) -> Step:
    """A command step that writes ``<name>.txt`` and then needs ``<wait_for>.txt`` within 60 s (exit 1 otherwise)."""
    code = (
        "import pathlib, sys, time\n"
        f"d = pathlib.Path({str(tmp_path)!r})\n"
        f"(d / {name!r}).mkdir(exist_ok=True)\n"
        f"(d / {name!r} / 'manifest.json').write_text('{{}}')\n"
        f"(d / '{name}.txt').write_text('up')\n"
        "t = time.monotonic()\n"
        f"while not (d / '{wait_for}.txt').exists():\n"
        "    if time.monotonic() - t > 60:\n"
        "        sys.exit(1)\n"
        "    time.sleep(0.05)\n"
    )
    out = tmp_path / name
    return Step(name, out / "manifest.json", ["-c", code], outputs=[out], parallel=True)


def test_parallel_steps_run_side_by_side_and_are_recorded(tmp_path: Path) -> None:
    # Given two steps that each finish only once the other one has started
    a, b = _waiting_step(tmp_path, "a", "b"), _waiting_step(tmp_path, "b", "a")
    state = TrainState(tmp_path / "train_state.json")

    # When they run as a group of two jobs
    timings = _run_parallel([a, b], 1, 2, False, state, "", jobs=2)

    # Then both finished and were recorded, so the next run skips them
    assert set(timings) == {"a", "b"}
    again = _run_parallel([a, b], 1, 2, False, TrainState(state.path), "", jobs=2)
    assert again == {"a": 0.0, "b": 0.0}


def test_a_failed_parallel_step_stops_the_run_and_is_not_recorded(tmp_path: Path) -> None:
    # Given a step that fails (exit 1) and one that succeeds
    bad = Step("bad", tmp_path / "bad" / "manifest.json", ["-c", "raise SystemExit(1)"], parallel=True)
    good = _waiting_step(tmp_path, "good", "good")  # needs only itself
    state = TrainState(tmp_path / "train_state.json")

    # When they run side by side
    with pytest.raises(SystemExit, match="bad: FAILED"):
        _run_parallel([bad, good], 1, 2, False, state, "", jobs=2)

    # Then the good one is recorded and the failed one is not
    assert set(TrainState(state.path).hashes) == {str(good.done_marker)}
