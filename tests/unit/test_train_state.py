"""`make train` rebuilds a step whose inputs changed since it was built, and skips one whose inputs did not."""

from __future__ import annotations

from pathlib import Path

from training.scripts.train_all import Step, TrainState, _run


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
