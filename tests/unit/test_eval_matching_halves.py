"""The evaluation's fixed selection/report split of the labelled resumes."""

from __future__ import annotations

from training.eval.eval_matching import EvalResult, Example, is_selection


def test_split_is_fixed_and_metrics_are_given_per_half() -> None:
    ids = [f"r{i}" for i in range(200)]
    flags = [is_selection(i) for i in ids]
    assert flags == [is_selection(i) for i in ids]  # a pure function of the id
    assert 80 <= sum(flags) <= 120  # about half
    sel, rep = next(i for i in ids if is_selection(i)), next(i for i in ids if not is_selection(i))
    examples = [Example(sel, "", "a", "A", "title"), Example(rep, "", "b", "B", "title")]
    result = EvalResult(examples, [], {"sys": [["a", "b"], ["a", "b"]]}, {"a": "f", "b": "f"})
    halves = result.metrics()["systems"]["sys"]["halves"]
    assert halves["selection"] == {"n": 1, "top1": 1.0, "top3": 1.0, "mrr": 1.0}
    assert halves["report"] == {"n": 1, "top1": 0.0, "top3": 1.0, "mrr": 0.5}
