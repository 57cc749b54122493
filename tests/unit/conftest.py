"""Fixtures shared by the unit tests."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from careerready.services.catalog import Role
from careerready.services.roles import RoleResolver

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def authored() -> RoleResolver:
    """A resolver over every role authored under data/roles (titles only)."""
    roles = []
    for path in sorted((REPO / "data" / "roles").glob("*.yaml")):
        for r in yaml.safe_load(path.read_text(encoding="utf-8"))["roles"]:
            roles.append(Role.from_dict({**r, "skills": []}))
    assert len(roles) >= 30
    return RoleResolver(roles)
