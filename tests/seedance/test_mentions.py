"""Mentions: parsing every documented form, binding, renumbering, and the form written for each provider."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from seedance_studio.seedance import Kind, MentionStyle, parse_mentions, renumber_mentions, write_mentions
from seedance_studio.seedance.mentions import resolve_mentions

from .builders import audio, comp, errors, image, run, video, warnings


@pytest.mark.parametrize(
    ("prompt", "expected"),
    [
        pytest.param("The cat in @image1 walks", [("image", 1)], id="000:402-single-image"),
        pytest.param(
            "Apply @image1 style with @video1 motion and @audio1 soundtrack",
            [("image", 1), ("video", 1), ("audio", 1)],
            id="000:406-image-video-audio",
        ),
        pytest.param("@image1 transforms into @image2", [("image", 1), ("image", 2)], id="000:410-morphing"),
        pytest.param("@Image1 and @VIDEO2 and @AuDiO3", [("image", 1), ("video", 2), ("audio", 3)], id="any-case"),
        pytest.param(
            "猫在@图片1里，@视频1的动作，@音频1的音乐", [("image", 1), ("video", 1), ("audio", 1)], id="000:396-chinese"
        ),
        pytest.param(
            "@图片_1 和 @视频_2 和 @音频_3", [("image", 1), ("video", 2), ("audio", 3)], id="000:396-chinese-underscore"
        ),
        pytest.param(
            "【@图片1】【@视频1】【@音频1】", [("image", 1), ("video", 1), ("audio", 1)], id="001:361-goapi-brackets"
        ),
        pytest.param("@image_2 then @image12", [("image", 2), ("image", 12)], id="english-underscore-and-two-digits"),
        pytest.param("@image1's hat, (@video1).", [("image", 1), ("video", 1)], id="punctuation-around"),
        pytest.param("mail me@image1.com or @picture1 or @image", [], id="not-mentions"),
    ],
)
def test_it_parses_every_documented_form(prompt, expected):
    assert [(m.kind.value, m.number) for m in parse_mentions(prompt)] == expected


def test_it_keeps_the_exact_text_and_position():
    prompt = "x 【@图片_2】 y"
    (mention,) = parse_mentions(prompt)
    assert (mention.text, prompt[mention.start : mention.end]) == ("【@图片_2】", "【@图片_2】")
    assert mention.bracketed and mention.separator == "_" and mention.label == "@image2"


def test_it_resolves_numbers_per_kind_in_reference_order():
    refs = [video("v1"), image("i1"), audio("a1"), image("i2"), video("v2")]
    resolved = resolve_mentions("@image2 @video2 @audio1 @image1 @video1 @audio2", refs)
    assert [ref_id for _, ref_id in resolved] == ["i2", "v2", "a1", "i1", "v1", None]


@pytest.mark.parametrize("provider", ["piapi", "goapi", "seedance2", "hiapi", "evolink", "local_preview"])
def test_it_refuses_a_mention_of_a_missing_reference(provider):
    # 000:414 / 001:379: "@image3 but only 2 images supplied" is rejected.
    evaluation = run(
        provider, image("i1"), image("i2"), mode="omni_reference", prompt="@image1 and @image2 meet @image3"
    )
    (finding,) = [f for f in evaluation.findings if f.code == "mention.unknown"]
    assert finding.severity == "error" and "@image3" in finding.message and finding.field == "prompt"


@pytest.mark.parametrize("provider", ["piapi", "goapi", "seedance2", "hiapi", "evolink", "local_preview"])
def test_it_warns_about_a_reference_never_mentioned(provider):
    evaluation = run(provider, image("i1"), video("v1"), prompt="Only @image1 is named")
    (finding,) = [f for f in evaluation.findings if f.code == "reference.unmentioned"]
    assert (finding.severity, finding.reference, finding.reference_id) == ("warning", "@video1", "v1")


def test_it_reports_the_same_missing_mention_once():
    evaluation = run("piapi", image("i1"), prompt="@image1 @image2 and again @image2")
    assert [f.code for f in evaluation.findings].count("mention.unknown") == 1


# Renumbering ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("prompt", "old", "new", "expected"),
    [
        pytest.param("@image1 chases @image2", ["a", "b"], ["b", "a"], "@image2 chases @image1", id="swap"),
        pytest.param(
            "@image1, @image2, @image3",
            ["a", "b", "c"],
            ["a", "c"],
            "@image1, @removed:image2, @image2",
            id="remove-middle-marks-it",
        ),
        pytest.param("【@图片_2】 和 @Image1", ["a", "b"], ["b", "a"], "【@图片_1】 和 @Image2", id="keeps-spelling"),
        pytest.param("@image3 stays", ["a", "b"], ["b", "a"], "@image3 stays", id="already-dangling-left-alone"),
        pytest.param("@removed:image1 @image2", ["a", "b"], ["b"], "@removed:image1 @image1", id="marks-survive"),
    ],
)
def test_it_renumbers_images(prompt, old, new, expected):
    as_images = lambda ids: [(i, "image") for i in ids]  # noqa: E731
    assert renumber_mentions(prompt, as_images(old), as_images(new)) == expected


def test_it_renumbers_each_kind_on_its_own():
    old = [image("i1"), video("v1"), image("i2"), video("v2")]
    new = [video("v2"), image("i2"), video("v1")]  # i1 removed, videos swapped
    assert renumber_mentions("@image1 @image2 @video1 @video2", old, new) == "@removed:image1 @image1 @video2 @video1"


def test_a_removed_mention_is_an_error_until_rewritten():
    prompt = renumber_mentions("@image1 meets @image2", [image("a"), image("b")], [image("b")])
    evaluation = run("piapi", image("b"), prompt=prompt)
    assert "mention.removed" in errors(evaluation)
    assert "reference.unmentioned" not in warnings(evaluation)  # @image1 still names "b"


# Writing for providers -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("style", "expected"),
    [
        pytest.param(MentionStyle.AT, "@image1 @video2 @图片1 @音频3", id="000:393-396-piapi"),
        pytest.param(
            MentionStyle.AT_BRACKETED_CHINESE, "@image1 @video2 【@图片1】 【@音频3】", id="001:358-361-goapi"
        ),
        pytest.param(MentionStyle.WORDS, "image 1 video 2 图片1 音频3", id="004:21-evolink"),
        pytest.param(MentionStyle.AS_WRITTEN, "@IMAGE_1 @video2 【@图片_1】 @音频3", id="local-as-typed"),
    ],
)
def test_it_writes_mentions_in_each_providers_form(style, expected):
    assert write_mentions("@IMAGE_1 @video2 【@图片_1】 @音频3", style) == expected


@pytest.mark.parametrize(
    ("provider", "field", "expected"),
    [
        pytest.param("piapi", ("input", "prompt"), "@image1 跟 @图片1", id="000:396"),
        pytest.param("goapi", ("input", "prompt"), "@image1 跟 【@图片1】", id="001:361"),
        pytest.param("evolink", ("prompt",), "image 1 跟 图片1", id="004:21"),
    ],
)
def test_the_request_body_carries_the_providers_form(provider, field, expected):
    evaluation = run(provider, image("i1"), prompt="@Image_1 跟 @图片_1")
    body = evaluation.request_body
    for key in field:
        body = body[key]
    assert body == expected


# Properties ----------------------------------------------------------------------------------------------

_KINDS = st.sampled_from([Kind.IMAGE, Kind.VIDEO, Kind.AUDIO])
_FORMS = st.sampled_from(["@{en}{n}", "@{EN}{n}", "@{en}_{n}", "@{zh}{n}", "@{zh}_{n}", "【@{zh}{n}】"])
_ZH = {Kind.IMAGE: "图片", Kind.VIDEO: "视频", Kind.AUDIO: "音频"}


@st.composite
def _scenario(draw):
    kinds = draw(st.lists(_KINDS, min_size=1, max_size=12))
    old = [(f"ref{i}", kind) for i, kind in enumerate(kinds)]
    numbered, counters = [], {k: 0 for k in Kind}
    for ref_id, kind in old:
        counters[kind] += 1
        numbered.append((ref_id, kind, counters[kind]))
    picks = draw(st.lists(st.sampled_from(numbered), min_size=1, max_size=10))
    words = []
    for _ref_id, kind, n in picks:
        form = draw(_FORMS)
        words.append(form.format(en=kind.value, EN=kind.value.upper(), zh=_ZH[kind], n=n))
    prompt = " and ".join(words)
    kept = draw(st.lists(st.sampled_from(old), unique=True, max_size=len(old)))
    return prompt, old, kept, [ref_id for ref_id, _, _ in picks]


# tests/conftest.py has a function-scoped autouse fixture (media dir); these properties never use it.
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(_scenario())
def test_renumbering_keeps_every_mention_bound_to_the_same_file(scenario):
    prompt, old, new, meant = scenario
    rewritten = renumber_mentions(prompt, old, new)
    kept = {ref_id for ref_id, _ in new}
    after = resolve_mentions(rewritten, new)
    assert len(after) == len(meant)
    for (mention, bound), original in zip(after, meant, strict=True):
        if original in kept:
            assert bound == original
        else:
            assert mention.removed and bound is None


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(_scenario())
def test_renumbering_without_a_change_changes_nothing(scenario):
    prompt, old, _, _ = scenario
    assert renumber_mentions(prompt, old, old) == prompt


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(_scenario(), st.sampled_from(list(MentionStyle)))
def test_writing_for_a_provider_keeps_kinds_and_numbers(scenario, style):
    prompt, *_ = scenario
    before = [(m.kind, m.number) for m in parse_mentions(prompt)]
    written = write_mentions(prompt, style)
    if style is MentionStyle.WORDS:
        assert "@" not in written
    else:
        assert [(m.kind, m.number) for m in parse_mentions(written)] == before


def test_comp_builder_mentions_everything():
    assert comp("piapi", image(), video()).prompt == "A quiet scene with @image1 @video1"
