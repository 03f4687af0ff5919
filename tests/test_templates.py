"""Checks every template can be held to without rendering it."""

from pathlib import Path

import pytest

TEMPLATES = sorted((Path(__file__).resolve().parent.parent / "templates").rglob("*.html"))


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda path: str(path.name))
def test_it_closes_each_short_comment_on_its_own_line(template):
    """Django's {# #} comment spans one line; one left open is shown on the page as text ({% comment %} spans more)."""
    for number, line in enumerate(template.read_text().splitlines(), start=1):
        opened = line.find("{#")
        assert opened == -1 or "#}" in line[opened:], f"{template.name}:{number} opens a {{# comment it never closes"
