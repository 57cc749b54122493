"""Schema-driven fuzzing of the /v1 API in-process (ASGI) with schemathesis: zero 5xx, schema-conformant answers.

``python -m tests.hardening.fuzz_main --max-examples 1000`` (the ``make fuzz`` entry) generates at least
``--max-examples`` cases spread over every operation of ``/v1/openapi.json`` and exits 1 on any 5xx or
schema/content-type violation. ``--models real`` uses the trained ``artifacts/`` (default: fixture models).
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from tests.hardening._support import fixture_app, real_app, real_artifacts_ready


@dataclass
class FuzzReport:
    """What one fuzz run saw."""

    cases: int = 0
    status_counts: Counter[int] = field(default_factory=Counter)
    per_operation: dict[str, int] = field(default_factory=dict)
    failures: list[dict[str, Any]] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def server_errors(self) -> int:
        """Number of 5xx answers."""
        return sum(n for status, n in self.status_counts.items() if status >= 500)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready summary."""
        return {
            "cases": self.cases,
            "server_errors": self.server_errors,
            "status_counts": {str(k): v for k, v in sorted(self.status_counts.items())},
            "per_operation": self.per_operation,
            "failures": self.failures[:20],
            "seconds": round(self.seconds, 1),
        }


def run_fuzz(app: Any, max_examples: int, seed: int = 20261126) -> FuzzReport:
    """Fuzz every operation of ``app``'s OpenAPI with ``ceil(max_examples / n_operations)`` cases each.

    Checks per case: not a server error, response conforms to the documented schema, content type
    matches. Failures are collected (not raised) so the whole run is reported.
    """
    import hypothesis
    import schemathesis
    from hypothesis import HealthCheck, given
    from hypothesis import settings as hsettings
    from schemathesis.checks import not_a_server_error
    from schemathesis.specs.openapi.checks import content_type_conformance, response_schema_conformance

    schema = schemathesis.openapi.from_asgi("/v1/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    modes = list(schemathesis.GenerationMode)  # valid data and schema-violating data
    report = FuzzReport()
    checks = [not_a_server_error, response_schema_conformance, content_type_conformance]
    t0 = time.perf_counter()
    round_no = 0
    # operations without inputs (GET /v1/health) exhaust after one case: repeat rounds until the budget is spent
    while report.cases < max_examples and round_no < 20:
        remaining = max_examples - report.cases
        per_run = max(1, math.ceil(remaining / (len(operations) * len(modes))))
        for op in operations:
            label = f"{op.method.upper()} {op.path}"
            for mode in modes:
                seen = 0

                @given(case=op.as_strategy(generation_mode=mode))
                @hsettings(
                    max_examples=per_run,
                    deadline=None,
                    database=None,
                    suppress_health_check=list(HealthCheck),
                    phases=[hypothesis.Phase.explicit, hypothesis.Phase.generate],
                )
                @hypothesis.seed(seed + round_no)
                def one(case: Any) -> None:
                    nonlocal seen
                    seen += 1
                    try:
                        response = case.call()
                    except Exception as exc:  # the ASGI test transport re-raises what the app did not handle
                        report.status_counts[500] += 1
                        report.failures.append({"operation": label, "status": 500, "error": repr(exc)[:500]})  # noqa: B023 - called within the iteration
                        return
                    report.status_counts[response.status_code] += 1
                    try:
                        case.validate_response(response, checks=checks)
                    except Exception as exc:
                        report.failures.append(
                            {"operation": label, "status": response.status_code, "error": str(exc)[:500]}  # noqa: B023
                        )

                try:
                    one()
                except hypothesis.errors.Unsatisfiable:
                    pass  # nothing to violate (no parameters, no body) in negative mode
                report.per_operation[label] = report.per_operation.get(label, 0) + seen
                report.cases += seen
        round_no += 1
    report.seconds = time.perf_counter() - t0
    return report


def main(argv: list[str] | None = None) -> int:
    """CLI entry: print the JSON report; exit 1 on any 5xx or conformance failure."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max-examples", type=int, default=1000, help="total generated cases (spread over operations)")
    parser.add_argument("--seed", type=int, default=20261126)
    parser.add_argument("--models", choices=("fixture", "real"), default="fixture")
    args = parser.parse_args(argv)
    if args.models == "real" and not real_artifacts_ready():
        print("artifacts/ incomplete: run `make train` or use --models fixture", file=sys.stderr)
        return 2
    from careerready.core.observability import logger

    logger.setLevel("ERROR")  # 4xx warnings would drown the report
    app = real_app() if args.models == "real" else fixture_app(max_upload_bytes=300_000)
    report = run_fuzz(app, args.max_examples, args.seed)
    print(json.dumps(report.as_dict(), indent=1))
    return 1 if report.server_errors or report.failures else 0


if __name__ == "__main__":
    sys.exit(main())
