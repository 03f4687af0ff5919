"""The local preview follows the prompt: its pictures in the creative's shot order (the order the prompt mentions
them, by number or by name), the prompt as a caption, Chinese drawn as glyphs (or a note, never boxes). Real
uploads, the real worker step and a real ffmpeg render, measured frame by frame."""

import uuid
from pathlib import Path

import pytest
from PIL import Image, ImageChops, ImageDraw

from seedance_studio.preview import fonts
from seedance_studio.preview.stills import draw_caption
from seedance_studio.studio.models import Composition, Job
from seedance_studio.worker.local_preview import preview_request, run_local_preview
from tests import media_factory
from tests.compose_forms import HTMX
from tests.preview.measure import distance, frame_colours

RED, BLUE, GREEN = (210, 40, 40), (40, 60, 210), (40, 200, 60)
CHINESE = "让英雄走到街上，灯光渐暗"


def _upload(client, *paths: Path) -> None:
    handles = [path.open("rb") for path in paths]
    try:
        assert client.post("/compose/references/", {"files": handles}, **HTMX).status_code == 200
    finally:
        for handle in handles:
            handle.close()


def _render(owner, prompt: str, settings) -> Path:
    draft = Composition.objects.draft_for(owner)
    draft.save_draft_fields({"prompt": prompt, "duration": 4, "resolution": "480p", "generate_audio": False})
    job = Job.objects.create(owner=owner, composition=draft.freeze(), submission_key=uuid.uuid4())
    claimed = Job.objects.claim_next("worker-a", lease_seconds=60)
    assert claimed is not None and claimed.pk == job.pk
    run_local_preview(claimed, "worker-a")
    job.refresh_from_db()
    assert job.status == "succeeded", job.error_message
    return Path(settings.MEDIA_ROOT) / job.video.name


def _nearest(colour, *candidates):
    return min(candidates, key=lambda candidate: distance(colour, candidate))


@pytest.mark.django_db
def test_a_preview_of_image2_then_image1_shows_image_2_first(owner_client, owner, media_dir, settings):
    _upload(
        owner_client,
        media_factory.make_image(media_dir / "red.png", 640, 360, color=RED),
        media_factory.make_image(media_dir / "blue.png", 640, 360, color=BLUE),
    )
    video = _render(owner, "@image2 then @image1", settings)
    colours = frame_colours(video)
    assert len(colours) == 4 * 24
    assert _nearest(colours[0], RED, BLUE) == BLUE  # the prompt's first shot opens the clip
    assert _nearest(colours[-1], RED, BLUE) == RED


@pytest.mark.django_db
def test_names_order_the_preview_and_unmentioned_references_come_after(owner_client, owner, media_dir, settings):
    _upload(
        owner_client,
        media_factory.make_image(media_dir / "red.png", 640, 360, color=RED),
        media_factory.make_image(media_dir / "blue.png", 640, 360, color=BLUE),
        media_factory.make_image(media_dir / "green.png", 640, 360, color=GREEN),
    )
    green = Composition.objects.draft_for(owner).ordered_references()[2]
    owner_client.post(f"/compose/references/{green.public_id}/name/", {"name": "field"}, **HTMX)
    video = _render(owner, "The @field at dawn, then @image1", settings)
    colours = frame_colours(video)
    thirds = [colours[12], colours[len(colours) // 2], colours[-12]]
    assert [_nearest(colour, RED, BLUE, GREEN) for colour in thirds] == [GREEN, RED, BLUE]


@pytest.mark.django_db
def test_the_preview_carries_the_prompt_as_a_caption(owner_client, owner, media_dir, settings, tmp_path):
    _upload(owner_client, media_factory.make_image(media_dir / "blue.png", 640, 360, color=BLUE))
    job_video = _render(owner, "@image1 glows", settings)
    silent = _render(owner, "", settings)  # no prompt: no caption
    # The bottom rows differ where the caption band and its text are drawn; the top rows do not.
    captioned, plain = _last_frame(job_video), _last_frame(silent)
    width, height = captioned.size
    bottom = (0, height - height // 10, width, height)
    top = (0, height // 3, width, height // 2)
    assert ImageChops.difference(captioned.crop(bottom), plain.crop(bottom)).getbbox() is not None
    assert ImageChops.difference(captioned.crop(top), plain.crop(top)).convert("L").getextrema()[1] < 12
    assert preview_request(Job.objects.order_by("created_at").first(), tmp_path).prompt == "@image1 glows"


def _last_frame(video: Path) -> Image.Image:
    from seedance_studio.mediatools.frames import extract_last_frame

    return Image.open(extract_last_frame(video, video.with_suffix(".png"), timeout=30)).convert("RGB")


def _glyph_images(text: str, font) -> list[bytes]:
    """Each character drawn alone in `font`: a font without them draws the same box for all."""
    images = []
    for char in text:
        canvas = Image.new("L", (64, 64))
        ImageDraw.Draw(canvas).text((8, 8), char, font=font, fill=255)
        images.append(canvas.tobytes())
    return images


def test_a_chinese_caption_is_drawn_in_glyphs_not_boxes(tmp_path):
    han = [char for char in CHINESE if fonts.has_cjk(char) and char != "，"]
    chosen = fonts.font_for(CHINESE)
    assert chosen is not None and fonts.covers(chosen, CHINESE), fonts.installed_fonts()
    assert len(set(_glyph_images("".join(han), chosen.load(40)))) == len(set(han))  # a glyph of its own each

    # The same characters in a font without CJK are one box repeated: what the preview must never show.
    dejavu = next(font for font in fonts.installed_fonts() if "DejaVu" in font.path.name)
    assert not fonts.covers(dejavu, CHINESE)
    assert len(set(_glyph_images("".join(han), dejavu.load(40)))) == 1

    # The caption is drawn with the covering font: it is the text in that font, not the note.
    assert fonts.shown_text(CHINESE) == (CHINESE, chosen)
    caption = Image.open(draw_caption(CHINESE, 854, tmp_path / "caption.png"))
    note = Image.open(draw_caption(CHINESE, 854, tmp_path / "note.png", candidates=(dejavu,)))
    assert ImageChops.difference(caption, note).getbbox() is not None


def test_without_a_cjk_font_the_preview_says_so_instead_of_drawing_boxes(tmp_path):
    dejavu = tuple(font for font in fonts.installed_fonts() if "DejaVu" in font.path.name)
    assert fonts.shown_text(CHINESE, dejavu) == (fonts.NO_CJK_NOTE, dejavu[0])
    drawn = Image.open(draw_caption(CHINESE, 854, tmp_path / "chinese.png", candidates=dejavu))
    note = Image.open(draw_caption(fonts.NO_CJK_NOTE, 854, tmp_path / "note.png", candidates=dejavu))
    assert ImageChops.difference(drawn, note).getbbox() is None  # exactly the note, and no box in sight
    # Latin text never needs a CJK font: it keeps DejaVu Sans.
    assert fonts.shown_text("A harbour at dawn", dejavu) == ("A harbour at dawn", dejavu[0])
