"""Rules every provider shares, one case per provider, each citing the line of that provider's document."""

from __future__ import annotations

import pytest

from seedance_studio.seedance import Composition, evaluate

from .builders import ALL, audio, audios, codes, errors, framed, image, images, run, video, warnings

DURATION_LINES = {
    "piapi": "000:303",
    "goapi": "001:280",
    "seedance2": "002:58",
    "hiapi": "003:75",
    "evolink": "004:47",
    "local_preview": "union",
}


def _cases(lines: dict[str, str], *values):
    return [
        pytest.param(provider, value, id=f"{provider}-{lines[provider]}-{value}")
        for provider in ALL
        for value in values
    ]


@pytest.mark.parametrize(("provider", "duration"), _cases(DURATION_LINES, 4, 9, 15))
def test_it_accepts_every_whole_second_from_4_to_15(provider, duration):
    evaluation = run(provider, duration=duration)
    assert evaluation.is_valid, evaluation.findings
    assert evaluation.duration == duration


@pytest.mark.parametrize(("provider", "duration"), _cases(DURATION_LINES, 3, 16, 0, -5))
def test_it_refuses_a_duration_out_of_range_instead_of_the_silent_5s(provider, duration):
    # 000:361 / 001:332: providers fall back to 5 s; the studio refuses.
    evaluation = run(provider, duration=duration)
    assert errors(evaluation) == {"duration.out_of_range"}
    assert evaluation.request_body is None and evaluation.quote is None


@pytest.mark.parametrize(("provider", "duration"), _cases(DURATION_LINES, 5.5, "7.2", "five"))
def test_it_refuses_a_duration_that_is_not_whole_seconds(provider, duration):
    assert errors(run(provider, duration=duration)) == {"duration.not_whole"}


@pytest.mark.parametrize(("provider", "duration"), _cases(DURATION_LINES, 6.0, "8"))
def test_whole_numbers_in_other_types_are_whole_seconds(provider, duration):
    assert run(provider, duration=duration).duration == int(float(duration))


@pytest.mark.parametrize("provider", ALL)
def test_it_never_defaults_a_missing_duration(provider):
    evaluation = evaluate(Composition(provider=provider, tier=run(provider).tier, prompt="A quiet scene"))
    assert errors(evaluation) == {"duration.missing"}
    assert evaluation.findings[0].field == "duration"


# The documents that refuse audio alone: 000 lines 337 and 374, 001 lines 309 and 340, 004 lines 37 and 44.
# The preview has no picture to show either (providers/local_preview.py).
AUDIO_ONLY_REFUSED = {
    "piapi": ("PiAPI", "000:337"),
    "goapi": ("GoAPI", "001:309"),
    "evolink": ("EvoLink", "004:37"),
    "local_preview": ("Local preview", ""),
}


@pytest.mark.parametrize("count", [1, 2])
@pytest.mark.parametrize(
    "provider",
    list(AUDIO_ONLY_REFUSED),
    ids=["piapi-000:337,374", "goapi-001:309,340", "evolink-004:37,44", "local_preview-no-picture"],
)
def test_it_refuses_audio_without_a_picture_where_the_document_does(provider, count):
    evaluation = run(provider, *audios(count))
    (finding,) = [f for f in evaluation.findings if f.code == "references.audio_only"]
    name, source = AUDIO_ONLY_REFUSED[provider]
    assert finding.is_error and finding.source == source and finding.field == "references"
    assert finding.message == (
        f"Audio needs a picture: add at least one image or video reference ({name} rejects audio-only requests)."
    )


@pytest.mark.parametrize("count", [1, 2])
@pytest.mark.parametrize("provider", ["seedance2", "hiapi"], ids=["seedance2-002:104-133", "hiapi-003:91-101"])
def test_it_only_warns_about_audio_without_a_picture_where_the_document_is_silent(provider, count):
    """002 lines 104-138 and 003 lines 91-101 list audio references as optional and say nothing against audio
    alone (unlike 000 line 337, 001 line 309, 004 line 37): a warning, and the request can be sent."""
    evaluation = run(provider, *audios(count))
    (finding,) = evaluation.findings
    assert (finding.code, finding.severity, finding.field) == ("references.audio_only", "warning", "references")
    assert "add an image or video reference" in finding.message
    assert evaluation.is_valid and evaluation.request_body is not None


@pytest.mark.parametrize("provider", ["piapi", "goapi", "seedance2", "hiapi", "evolink", "local_preview"])
def test_audio_with_an_image_is_fine(provider):
    evaluation = run(provider, image(), audio())
    assert evaluation.is_valid, evaluation.findings


# Mode inference (000:309-312), applied to every provider when the mode is "auto" --------------------------


@pytest.mark.parametrize("provider", ALL)
@pytest.mark.parametrize(
    ("references", "mode"),
    [
        pytest.param((), "text_to_video", id="000:310-no-references"),
        pytest.param((image(),), "first_last_frames", id="000:311-one-image"),
        pytest.param(tuple(images(2)), "first_last_frames", id="000:311-two-images"),
        pytest.param(tuple(images(3)), "omni_reference", id="000:312-three-images"),
        pytest.param((image(), video()), "omni_reference", id="000:312-image-and-video"),
        pytest.param((video(),), "omni_reference", id="000:312-video-only"),
        pytest.param((image(), audio()), "omni_reference", id="000:312-image-and-audio"),
    ],
)
def test_auto_mode_is_inferred_from_the_references(provider, references, mode):
    evaluation = run(provider, *references)
    assert evaluation.mode == mode
    assert evaluation.is_valid, evaluation.findings


@pytest.mark.parametrize("provider", ALL)
def test_text_to_video_takes_no_references(provider):
    # 000:317 / 001:289 "No references accepted."
    evaluation = run(provider, image(), mode="text_to_video")
    (finding,) = [f for f in evaluation.findings if f.code == "mode.text_with_references"]
    assert finding.reference == "@image1"


@pytest.mark.parametrize("provider", ALL)
@pytest.mark.parametrize(
    ("references", "code"),
    [
        pytest.param((), "mode.frames_need_images", id="000:324-no-image"),
        pytest.param(tuple(images(3)), "mode.frames_too_many_images", id="000:323-three-images"),
        pytest.param((image(), video()), "mode.frames_images_only", id="000:324-video-rejected"),
        pytest.param((image(), audio()), "mode.frames_images_only", id="000:324-audio-rejected"),
    ],
)
def test_first_last_frames_takes_one_or_two_images_only(provider, references, code):
    assert code in errors(run(provider, *references, mode="first_last_frames"))


@pytest.mark.parametrize("provider", ALL)
def test_omni_reference_needs_a_reference(provider):
    # 000:338 "between 1 and 9", 001:310 "between 1 and 12".
    assert "mode.reference_needs_references" in errors(run(provider, mode="omni_reference"))


@pytest.mark.parametrize("provider", ALL)
def test_omni_reference_may_use_one_or_two_images_as_references(provider):
    evaluation = run(provider, image(), mode="omni_reference")
    assert (evaluation.mode, evaluation.is_valid) == ("omni_reference", True)


@pytest.mark.parametrize("provider", ALL)
def test_an_unknown_mode_is_refused(provider):
    assert errors(run(provider, mode="video_to_video")) == {"mode.unknown"}


@pytest.mark.parametrize("provider", ALL)
def test_an_unknown_aspect_ratio_is_refused(provider):
    assert errors(run(provider, aspect_ratio="5:4")) == {"aspect_ratio.unsupported"}


@pytest.mark.parametrize("provider", ["piapi", "goapi", "seedance2", "hiapi", "evolink"])
@pytest.mark.parametrize(
    ("url", "code"),
    [
        pytest.param("file:///etc/passwd", "reference.url_scheme", id="file-scheme"),
        pytest.param("ftp://cdn.example.com/a.png", "reference.url_scheme", id="ftp-scheme"),
    ],
)
def test_remote_providers_need_http_urls(provider, url, code):
    assert code in errors(run(provider, image(url=url)))


@pytest.mark.parametrize("provider", ALL)
@pytest.mark.parametrize("missing", ["format"])
def test_a_reference_without_probed_facts_is_refused(provider, missing):
    evaluation = run(provider, image(fmt=""))
    (finding,) = [f for f in evaluation.findings if f.code == "reference.unprobed"]
    assert missing in finding.message and finding.reference == "@image1"


def test_unknown_provider_and_tier_are_refused():
    assert errors(evaluate(Composition("sora", "x", duration=5))) == {"provider.unknown"}
    assert errors(evaluate(Composition("piapi", "seedance-3", duration=5))) == {"tier.unknown"}


@pytest.mark.parametrize("provider", ALL)
def test_findings_list_errors_before_warnings(provider):
    evaluation = run(provider, image(), video(), duration=20, prompt="only @image1")
    severities = [f.severity for f in evaluation.findings]
    assert severities == sorted(severities, key=lambda s: s != "error")
    assert not evaluation.is_valid and evaluation.warnings


def test_compositions_are_hashable_and_compare_by_value():
    a = Composition("hiapi", "seedance-2-0", prompt="abc", duration=5, extras={"web_search": True})
    b = Composition("hiapi", "seedance-2-0", prompt="abc", duration=5, extras={"web_search": True})
    assert a == b and hash(a) == hash(b) and len({a, b}) == 1


@pytest.mark.parametrize(
    ("provider", "references", "required"),
    [
        pytest.param("piapi", (image(),), True, id="piapi-000:489-always"),
        pytest.param("goapi", (image(),), True, id="goapi-001:399-always"),
        pytest.param("seedance2", (), True, id="seedance2-002:143-text-to-video"),
        pytest.param("seedance2", (image(),), False, id="seedance2-002:77-optional-with-image"),
        pytest.param("hiapi", (image(),), True, id="hiapi-003:64-always"),
        pytest.param("evolink", (image(),), True, id="evolink-004:19-always"),
        pytest.param("local_preview", (), True, id="local-title-card-needs-text"),
        pytest.param("local_preview", (image(),), False, id="local-optional-with-image"),
    ],
)
def test_prompt_required(provider, references, required):
    assert errors(run(provider, *references, prompt="")) == ({"prompt.missing"} if required else set())


@pytest.mark.parametrize(
    ("provider", "expected"),
    [
        pytest.param("piapi", {"seed.unsupported", "generate_audio.unsupported"}, id="piapi-000-no-seed-no-switch"),
        pytest.param("goapi", {"seed.unsupported", "generate_audio.unsupported"}, id="goapi-001-no-seed-no-switch"),
        pytest.param("seedance2", {"seed.unsupported", "generate_audio.unsupported"}, id="seedance2-002-no-seed"),
        pytest.param("hiapi", set(), id="hiapi-003:108-124-both"),
        pytest.param("evolink", {"seed.unsupported"}, id="evolink-004:65-switch-no-seed"),
        pytest.param("local_preview", set(), id="local-both"),
    ],
)
def test_seed_and_audio_switch(provider, expected):
    evaluation = run(provider, seed=11, generate_audio=False)
    assert evaluation.is_valid and {c for c in codes(evaluation)} == expected


@pytest.mark.parametrize("provider", ALL)
def test_an_unknown_extra_is_not_sent_and_said(provider):
    evaluation = run(provider, extras={"motion_strength": 3})
    assert warnings(evaluation) == {"extras.unknown"} and evaluation.is_valid
    assert "motion_strength" not in str(evaluation.request_body)


# Images pinned to a frame: only HiAPI's request names its frames (003 lines 83-93) -----------------------------

# These send the frames as a list read in order: 000 line 323, 001 line 295, 002 line 99, 004 lines 27-28.
POSITIONAL = ["piapi", "goapi", "seedance2", "evolink"]


@pytest.mark.parametrize("provider", POSITIONAL)
def test_a_last_frame_alone_is_refused_where_frames_are_read_in_order(provider):
    evaluation = run(provider, framed(image(), "last"))
    (finding,) = evaluation.errors
    assert (finding.code, finding.reference) == ("frames.last_alone", "@image1")
    assert "add a first frame" in finding.message and "HiAPI" in finding.message


@pytest.mark.parametrize("provider", POSITIONAL)
def test_frames_out_of_order_are_refused_where_frames_are_read_in_order(provider):
    evaluation = run(provider, framed(image("a"), "last"), image("b"))
    (finding,) = evaluation.errors
    assert (finding.code, finding.reference) == ("frames.out_of_order", "@image2")
    assert finding.message.endswith("move @image2 before @image1.")


@pytest.mark.parametrize("provider", POSITIONAL)
def test_pinned_frames_in_order_are_plain_first_last_frames(provider):
    evaluation = run(provider, framed(image("a"), "first"), framed(image("b"), "last"))
    assert evaluation.is_valid and evaluation.request_body == run(provider, image("a"), image("b")).request_body


@pytest.mark.parametrize("provider", POSITIONAL)
def test_frames_beside_references_are_refused_where_the_request_cannot_name_them(provider):
    evaluation = run(provider, framed(image("a"), "first"), image("b"), video())
    assert {(f.code, f.reference) for f in evaluation.errors} == {("frames.beside_references", "@image1")}


@pytest.mark.parametrize("provider", ALL)
def test_only_images_can_be_frames_and_each_frame_has_one(provider):
    assert "reference.frame_not_image" in errors(run(provider, image(), framed(video(), "first")))
    assert "frames.duplicate" in errors(run(provider, framed(image("a"), "first"), framed(image("b"), "first")))
