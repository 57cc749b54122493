"""Lists of strings as ``.npz``-friendly arrays (no pickles): the precomputed indexes saved beside the catalog."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

__all__ = ["pack_strings", "unpack_strings"]


def pack_strings(strings: Sequence[str]) -> np.ndarray:
    """A list of strings (no newlines) as one UTF-8 byte array: fixed-width unicode arrays are 4 bytes x the longest."""
    return np.frombuffer("\n".join(strings).encode("utf-8"), dtype=np.uint8)


def unpack_strings(packed: np.ndarray) -> list[str]:
    """The list :func:`pack_strings` packed."""
    return packed.tobytes().decode("utf-8").split("\n") if packed.size else []
