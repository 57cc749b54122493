"""The model bag is typed: a stage's view names its required models, and mypy sees a missing one."""

from __future__ import annotations

from pathlib import Path

import pytest
from careerready.core.errors import ArtifactNotFoundError
from careerready.services.catalog import Catalog
from careerready.services.startup import Models

REPO = Path(__file__).resolve().parents[2]
FIXTURE = REPO / "tests" / "fixtures" / "catalog_small"


@pytest.mark.parametrize(
    ("view", "missing"),
    [("for_extract", "extractor"), ("for_readiness", "readiness"), ("for_recommend", "readiness")],
)
def test_a_missing_required_model_is_named(view: str, missing: str) -> None:
    models = Models(catalog=Catalog.load(FIXTURE))
    with pytest.raises(ArtifactNotFoundError) as info:
        getattr(models, view)()
    assert info.value.details["model"] == missing and info.value.details["stage"] == view.removeprefix("for_")


def test_optional_models_stay_optional() -> None:
    m = Models(catalog=Catalog.load(FIXTURE)).for_match()
    assert m.matcher is None and m.gap_ranker is None and m.embeddings is None


@pytest.mark.slow  # one mypy run over the package (~6 s)
def test_mypy_sees_an_unchecked_optional_model(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    mypy_api = pytest.importorskip("mypy.api")
    monkeypatch.setenv("MYPYPATH", str(REPO / "layers"))  # this checkout's package, not an installed one
    probe = tmp_path / "probe.py"
    probe.write_text(
        "from careerready.services.startup import Models\n"
        "def unchecked(m: Models) -> str:\n"
        "    return m.readiness.predict({})[0]\n"
        "def through_the_stage_view(m: Models) -> str:\n"
        "    return m.for_readiness().readiness.predict({})[0]\n"
    )
    out, _, code = mypy_api.run(["--strict", "--ignore-missing-imports", "--cache-dir=/dev/null", str(probe)])
    errors = [line for line in out.splitlines() if ": error:" in line]
    assert code == 1 and len(errors) == 1, out
    assert (
        ":3: error:" in errors[0] and 'Item "None" of "ReadinessModel | None" has no attribute "predict"' in errors[0]
    )
