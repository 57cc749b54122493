"""Span repair of the learned tagger's decoder: one decoded span over several list items becomes one span per
item (``careerready.models.ner._split_list``), so each item is linked on its own."""

from __future__ import annotations

import pytest
from careerready.models.ner import _split_list


def _parts(text: str) -> list[str]:
    return [text[a:b] for a, b in _split_list(text, 0, len(text))]


@pytest.mark.parametrize(
    ("text", "parts"),
    [
        ("Python, Java; C++ | C#", ["Python", "Java", "C++", "C#"]),
        ("IBM WebSphere\n\nDatabases", ["IBM WebSphere", "Databases"]),
        ("Wound care \u2022 IV therapy", ["Wound care", "IV therapy"]),
        ("machine\nlearning", ["machine\nlearning"]),  # a phrase wrapped onto the next line stays one span
        ("CI/CD", ["CI/CD"]),  # slashes are left to the gazetteer overlap rule ("TCP/IP", "PL/SQL")
        ("1,000 users", ["1,000 users"]),  # a digit group is not a list
        ("Python, ", ["Python"]),
    ],
)
def test_split_list(text: str, parts: list[str]) -> None:
    assert _parts(text) == parts


def test_split_parts_index_the_text_inside_the_span() -> None:
    text = "Skills: Python, Java and Go.\n"
    start, end = 8, 27
    for a, b in _split_list(text, start, end):
        assert start <= a < b <= end
        assert text[a:b].strip() == text[a:b]
