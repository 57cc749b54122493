"""A Lambda function's init phase without the cyclic garbage collector (docs/benchmarks.md, "Issue 15, third pass").

A cold start (imports, pydantic schemas, the 985-role catalog, the models) allocates ~200,000 objects that live as
long as the process. The collector's full passes over that growing heap cost 12-14 % of a cold start's CPU and free
almost nothing (~1,600 unreachable objects at the end of analyze's init). Every ``functions/<name>/app.py`` runs its
module body inside :func:`init_phase`: the collector is off meanwhile; at the end ``gc.freeze()`` moves what init
allocated to the permanent generation (never scanned again, so the collections during requests stay small) and the
collector is on again. An init that fails turns it back on without freezing anything.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["init_phase"]


@contextmanager
def init_phase() -> Iterator[None]:
    """Run the block with the cyclic garbage collector off; then freeze what it allocated and turn it back on."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
        gc.freeze()
    finally:
        if was_enabled:
            gc.enable()
