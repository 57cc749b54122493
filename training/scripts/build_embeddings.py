"""The guide's ``build_embeddings.py``: normalized vectors for every taxonomy skill and role.

Thin entry point; the work is in :mod:`training.embeddings.build_embeddings`.
"""

from __future__ import annotations

from training.embeddings.build_embeddings import main

if __name__ == "__main__":
    raise SystemExit(main())
