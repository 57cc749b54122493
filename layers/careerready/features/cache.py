"""One per-object build cache for the structures the stages reuse across requests (text index, skill space,
role resolver, role vectors)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

_T = TypeVar("_T")


# (kind, ids of the key objects) -> (the key objects, value); holding the objects keeps their ids unique
_BUILT: dict[tuple[str, tuple[int, ...]], tuple[tuple[Any, ...], Any]] = {}


def built_once(kind: str, build: Callable[[], _T], *objs: Any) -> _T:
    """``build()`` once per identity of ``objs`` (a catalog, an embeddings artifact, ...), then the same value.

    The per-catalog structures the stages reuse across requests (text index, skill space, role resolver,
    role vectors) are built through this one cache.
    """
    key = (kind, tuple(id(o) for o in objs))
    hit = _BUILT.get(key)
    if hit is not None and all(a is b for a, b in zip(hit[0], objs, strict=True)):
        value: _T = hit[1]
        return value
    value = build()
    _BUILT[key] = (objs, value)
    return value
