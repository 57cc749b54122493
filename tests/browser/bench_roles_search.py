"""Latency of the roles type-ahead search on a catalog the size O*NET brings (not a test: timings vary).

    python -m tests.browser.bench_roles_search

1,000 synthetic roles with 60 alternate titles each (random words, seed 0); median of 20 runs per query.
"""

from __future__ import annotations

import random
import statistics
import time
from types import SimpleNamespace
from typing import Any

from careerready.api.routes.roles import _search


def main() -> None:
    rng = random.Random(0)
    words = [f"w{i:04d}" for i in range(3000)] + ["nurse", "registered", "teacher", "engineer", "manager", "analyst"]
    roles: list[Any] = [
        SimpleNamespace(
            id=f"r{i}",
            title=" ".join(rng.sample(words, 3)).title(),
            alt_titles=[" ".join(rng.sample(words, 3)) for _ in range(60)],
        )
        for i in range(1000)
    ]
    roles.sort(key=lambda r: (r.title.lower(), r.id))
    for query in ("reg", "registered nurse", "engineer", "zzz"):
        times = []
        for _ in range(20):
            start = time.perf_counter()
            found = _search(roles, query)
            times.append(time.perf_counter() - start)
        print(f"q={query!r}: {len(found)} matches, median {statistics.median(times) * 1000:.1f} ms")


if __name__ == "__main__":
    main()
