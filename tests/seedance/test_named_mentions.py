"""Named references: @hero binds like @image1, every provider receives the numbered form in its own style,
renames and removals rewrite the prompt, and the names a creative may choose."""

from __future__ import annotations

import dataclasses

import pytest

from seedance_studio.seedance import name_problem, parse_mentions, renumber_mentions, shot_order
from seedance_studio.seedance.mentions import name_table

from .builders import errors, image, run, video, warnings


def named(reference, name: str):
    return dataclasses.replace(reference, mention_name=name)


HERO, STREET = named(image("hero-file"), "hero"), named(image("street-file"), "street")
CLIP = named(video("clip-file"), "clip")


@pytest.mark.parametrize(
    ("provider", "sent"),
    [
        pytest.param("piapi", "@image1 walks down @image2, like @video1", id="000:393-395"),
        pytest.param("goapi", "@image1 walks down @image2, like @video1", id="001:358-360"),
        pytest.param("seedance2", "@image1 walks down @image2, like @video1", id="seedance2"),
        pytest.param("hiapi", "@image1 walks down @image2, like @video1", id="hiapi"),
        pytest.param("evolink", "image 1 walks down image 2, like video 1", id="004:21"),
        pytest.param("local_preview", "@hero walks down @Street, like @clip", id="preview-as-typed"),
    ],
)
def test_it_sends_names_as_the_providers_numbered_form(provider, sent):
    result = run(provider, HERO, STREET, CLIP, prompt="@hero walks down @Street, like @clip", mode="omni_reference")
    assert not errors(result), result.findings
    assert result.sent_prompt == sent
    body = result.request_body
    prompts = [value for key, value in _walk(body) if key == "prompt"]
    assert prompts == [sent]  # the body carries exactly the prompt the panel shows


def _walk(value, key=None):
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _walk(v, k)
    elif isinstance(value, list):
        for item in value:
            yield from _walk(item, key)
    else:
        yield key, value


def test_it_writes_a_name_in_the_chinese_form_of_a_chinese_prompt():
    result = run("goapi", HERO, STREET, prompt="让@hero走到@street", mode="omni_reference")
    assert result.sent_prompt == "让【@图片1】走到【@图片2】"  # 001:361
    assert run("evolink", HERO, STREET, prompt="让@hero走到@street", mode="omni_reference").sent_prompt == (
        "让图片1走到图片2"
    )


def test_it_binds_names_and_numbers_to_the_same_reference():
    result = run("piapi", HERO, STREET, prompt="@hero then @image2", mode="omni_reference")
    assert "reference.unmentioned" not in warnings(result)
    assert "mention.unknown" not in errors(result)


def test_a_name_nobody_carries_is_plain_text():
    assert parse_mentions("@everyone look at @hero", name_table([STREET])) == ()
    result = run("piapi", STREET, prompt="@everyone look at @street", mode="omni_reference")
    assert result.sent_prompt == "@everyone look at @image1"


def test_the_longest_name_wins():
    table = name_table([named(image("a"), "hero"), named(image("b"), "hero_2")])
    assert [(m.name, m.number) for m in parse_mentions("@hero_2 and @hero and @heroic", table)] == [
        ("hero_2", 2),
        ("hero", 1),
    ]


def test_renaming_rewrites_the_old_name_and_keeps_the_rest():
    renamed = [named(HERO, "lead"), STREET]
    prompt = "@Hero walks, 【@hero】 waits, @image1 stays, @street too"
    expected = "@lead walks, 【@lead】 waits, @image1 stays, @street too"
    assert renumber_mentions(prompt, [HERO, STREET], renamed) == expected


def test_clearing_a_name_writes_the_number_it_stood_for():
    assert renumber_mentions("@street at night", [HERO, STREET], [HERO, named(STREET, "")]) == "@image2 at night"


def test_reordering_keeps_names_and_renumbers_numbers():
    assert renumber_mentions("@hero and @image2", [HERO, STREET], [STREET, HERO]) == "@hero and @image1"


def test_removing_a_named_reference_marks_its_mentions_removed():
    prompt = renumber_mentions("@hero walks down @street", [HERO, STREET], [STREET])
    assert prompt == "@removed:hero walks down @street"
    result = run("piapi", STREET, prompt=prompt, mode="omni_reference")
    assert "mention.removed" in errors(result)
    assert any("@removed:hero pointed at a reference you removed" in f.message for f in result.findings)


def test_the_shot_order_follows_the_prompt_then_the_rest():
    third = image("third")
    assert shot_order("@image2 then @hero", [HERO, STREET, third]) == ["street-file", "hero-file", "third"]
    assert shot_order("@street, @street again, @image1", [HERO, STREET]) == ["street-file", "hero-file"]


@pytest.mark.parametrize(
    ("name", "problem"),
    [
        ("hero", None),
        ("street_2", None),
        ("", None),
        ("image2", "reads as a numbered mention"),
        ("Video_1", "reads as a numbered mention"),
        ("audio12", "reads as a numbered mention"),
        ("removed", "marks the mentions of removed references"),
        ("2x", "letters, digits and _ only"),
        ("hero cat", "letters, digits and _ only"),
        ("héros", "letters, digits and _ only"),
        ("英雄", "letters, digits and _ only"),
        ("x" * 33, "at most 32"),
        ("HERO", "already named"),
    ],
)
def test_the_names_a_reference_may_take(name, problem):
    found = name_problem(name, ["hero", ""] if name == "HERO" else [])
    assert found is None if problem is None else problem in found
