"""The mention forms the compose page hands to JavaScript are the core's own: the browser's pattern, read with
its bracket rule, finds exactly the mentions `parse_mentions` finds (the highlighting shows what is sent)."""

from __future__ import annotations

import json
import re

import pytest

from seedance_studio.seedance import Reference, parse_mentions
from seedance_studio.seedance.mentions import mention_syntax, name_table

PROMPTS = [
    "@image1 walks into @video2 with @audio3",
    "@Image_1 and @VIDEO_12",
    "用@图片1的风格，配@音频1",
    "【@图片1】 then 【@视频2】",
    "【@图片1 without its closing half",
    "@图片1】 with a stray closing half",
    "write to me@image1.example, not @image1",
    "@removed:image2 and @image2",
    "no mention here, just @someone",
]


def _browser_spans(prompt: str, pattern: str | None = None, flags: str | None = None) -> list[tuple[int, int]]:
    """What static/js/mentions.js does with the syntax (by default the numbered one): compile the JavaScript
    pattern, then keep a bracket only with its pair."""
    syntax = json.loads(json.dumps(mention_syntax()))  # as the page sends it
    pattern = syntax["pattern"] if pattern is None else pattern
    flags = syntax["flags"] if flags is None else flags
    compiled = re.compile(pattern.replace("(?<", "(?P<").replace("(?P<!", "(?<!"), re.IGNORECASE if "i" in flags else 0)
    spans = []
    for match in compiled.finditer(prompt):
        start, end = match.span()
        if match.group("open") and not match.group("close"):
            start += 1
        if match.group("close") and not match.group("open"):
            end -= 1
        spans.append((start, end))
    return spans


@pytest.mark.parametrize("prompt", PROMPTS)
def test_the_browser_finds_the_mentions_the_core_reads(prompt):
    assert _browser_spans(prompt) == [(mention.start, mention.end) for mention in parse_mentions(prompt)]


def test_the_pattern_is_in_javascript_syntax():
    pattern = mention_syntax()["pattern"]
    assert "(?P<" not in pattern and "(?(" not in pattern  # no Python-only named or conditional groups
    assert {"open", "removed", "word", "number", "close"} <= set(re.findall(r"\(\?<(\w+)>", pattern))


def test_the_words_name_their_kinds():
    syntax = mention_syntax()
    assert syntax["kinds"] == {
        "image": "image",
        "video": "video",
        "audio": "audio",
        "图片": "image",
        "视频": "video",
        "音频": "audio",
    }
    assert syntax["chinese"] == {"image": "图片", "video": "视频", "audio": "音频"}


NAMED_PROMPTS = [
    "@hero walks down @Street past @image2",
    "【@hero】 and @hero_2 and @heroic and me@hero.example",
    "@removed:hero and @removed:image1 and @everyone",
    "让@hero走到@street",
]


@pytest.mark.parametrize("prompt", NAMED_PROMPTS)
def test_the_browser_finds_named_mentions_as_the_core_reads_them(prompt):
    """mentions.js puts the chips' names, longest first, where `names_slot` is."""
    table = name_table([_named("a", "hero"), _named("b", "street"), _named("c", "hero_2")])
    syntax = json.loads(json.dumps(mention_syntax()))
    names = "|".join(sorted((name for name, _, _ in table), key=lambda n: -len(n)))
    spans = _browser_spans(prompt, syntax["named_pattern"].replace(syntax["names_slot"], names), "i")
    assert spans == [(mention.start, mention.end) for mention in parse_mentions(prompt, table)]
    assert "(?P<" not in syntax["named_pattern"] and "(?(" not in syntax["named_pattern"]


def _named(ref_id: str, name: str) -> Reference:
    return Reference(ref_id, "image", mention_name=name)
