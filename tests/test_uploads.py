import os
import re
import struct
import zlib
from pathlib import Path

import pytest

from seedance_studio.references.models import Reference
from seedance_studio.studio.models import Composition
from tests import media_factory
from tests.compose_forms import HTMX

pytestmark = pytest.mark.django_db


def _upload(client, *paths: Path, **extra):
    handles = [path.open("rb") for path in paths]
    try:
        return client.post("/compose/references/", {"files": handles}, **HTMX, **extra)
    finally:
        for handle in handles:
            handle.close()


def _chips(response) -> list[tuple[str, str]]:
    return re.findall(r'data-mention="(@\w+)"\s+data-kind="\w+"\s+data-name="([^"]+)"', response.content.decode())


def _stored_files(settings) -> list[Path]:
    return [path for path in Path(settings.MEDIA_ROOT).rglob("*") if path.is_file()]


def _png_bomb(path: Path, side: int = 60000) -> Path:
    """A tiny PNG whose header claims side x side pixels: a decompression bomb if anyone decodes it."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", side, side, 8, 2, 0, 0, 0)
    path.write_bytes(
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\0" * 1024))
        + chunk(b"IEND", b"")
    )
    return path


def test_it_turns_uploads_into_chips_in_order(owner_client, owner, image_file, video_file, audio_file, media_dir):
    second_image = media_factory.make_image(media_dir / "dusk.webp", 500, 500)
    response = _upload(owner_client, image_file, video_file, audio_file, second_image)
    assert response.status_code == 200
    page = response.content.decode()
    for mention, name in [
        ("@image1", "sunrise.jpg"),
        ("@video1", "walk.mp4"),
        ("@audio1", "theme.mp3"),
        ("@image2", "dusk.webp"),
    ]:
        assert f'data-mention="{mention}"' in page and name in page
    references = {reference.original_name: reference for reference in Reference.objects.filter(owner=owner)}
    assert (references["sunrise.jpg"].width, references["sunrise.jpg"].height) == (800, 600)
    assert references["walk.mp4"].duration == pytest.approx(2.0, abs=0.1)
    assert references["walk.mp4"].has_audio and references["walk.mp4"].thumbnail
    assert references["theme.mp3"].duration == pytest.approx(3.0, abs=0.15)
    assert "800x600" in page and "2.0 s" in page
    draft = Composition.objects.draft_for(owner)
    assert [r.original_name for r in draft.ordered_references()] == [
        "sunrise.jpg",
        "walk.mp4",
        "theme.mp3",
        "dusk.webp",
    ]


def test_it_stores_files_under_random_names(owner_client, owner, image_file):
    _upload(owner_client, image_file)
    reference = Reference.objects.get(owner=owner)
    assert "sunrise" not in reference.file.name
    assert reference.file.name.startswith("references/") and reference.file.name.endswith(".jpg")


def test_it_reads_orientation_from_exif(owner_client, owner, media_dir):
    portrait = media_factory.make_image(media_dir / "phone.jpg", 800, 600, exif_orientation=6)
    _upload(owner_client, portrait)
    reference = Reference.objects.get(owner=owner)
    assert (reference.width, reference.height) == (600, 800)


def _hls(path):
    path.write_text("#EXTM3U\n#EXT-X-VERSION:3\n#EXTINF:10,\nhttp://198.51.100.7/segment0.ts\n#EXT-X-ENDLIST\n")
    return path


def _ffconcat(path):
    path.write_text("ffconcat version 1.0\nfile '/etc/passwd'\n")
    return path


def _garbage(path):
    path.write_bytes(os.urandom(4096))
    return path


def _text_as_jpeg(path):
    path.write_text("hello, this is not a picture")
    return path


def _truncated_jpeg(path):
    media_factory.make_image(path, 1200, 900)
    path.write_bytes(path.read_bytes()[:600])
    return path


@pytest.mark.parametrize(
    "name, make, reason",
    [
        ("clip.mp4", _hls, "HLS playlist"),
        ("clip.mp4", _ffconcat, "concat"),
        ("clip.mp4", lambda p: media_factory.make_video(p.with_suffix(".avi")).rename(p) and p, "AVI"),
        ("clip.mp4", _garbage, ""),
        ("photo.jpg", _text_as_jpeg, ""),
        ("photo.jpg", _truncated_jpeg, ""),
        ("huge.png", _png_bomb, "pixels"),
        ("empty.mp3", lambda p: (p.write_bytes(b""), p)[1], ""),
    ],
)
def test_it_refuses_a_hostile_upload_and_keeps_nothing(owner_client, owner, settings, media_dir, name, make, reason):
    path = make(media_dir / name)
    response = _upload(owner_client, path)
    assert response.status_code == 200
    page = response.content.decode()
    assert f"{name} was refused:" in page
    assert reason.lower() in page.lower()
    assert not Reference.objects.exists()
    assert _stored_files(settings) == []


def test_it_keeps_the_good_files_of_a_mixed_upload(owner_client, owner, image_file, media_dir):
    bad = _hls(media_dir / "playlist.mp4")
    page = _upload(owner_client, image_file, bad).content.decode()
    assert "playlist.mp4 was refused:" in page
    assert 'data-mention="@image1"' in page
    assert Reference.objects.count() == 1


def test_it_applies_the_size_limit_of_the_detected_kind(owner_client, settings, image_file):
    settings.UPLOAD_MAX_BYTES = {"image": 1000, "video": 10_000_000, "audio": 10_000_000}
    page = _upload(owner_client, image_file).content.decode()
    assert "sunrise.jpg was refused:" in page and "image references may be at most" in page
    assert not Reference.objects.exists()


def test_it_stops_reading_an_upload_past_the_largest_limit(owner_client, settings, media_dir):
    settings.UPLOAD_MAX_BYTES = {"image": 100_000, "video": 200_000, "audio": 100_000}
    big = media_dir / "long.mp4"
    big.write_bytes(b"\0" * 1_000_000)
    page = _upload(owner_client, big).content.decode()
    assert "long.mp4 is larger than 195.3 KB, the largest upload the studio accepts" in page
    assert not Reference.objects.exists()


def test_it_says_when_no_file_arrived(owner_client):
    page = owner_client.post("/compose/references/", {}, **HTMX).content.decode()
    assert "No file arrived" in page


def test_it_removes_and_reorders_chips(owner_client, owner, media_dir):
    first = media_factory.make_image(media_dir / "one.png", 400, 400)
    second = media_factory.make_image(media_dir / "two.png", 400, 400)
    third = media_factory.make_image(media_dir / "three.png", 400, 400)
    _upload(owner_client, first, second, third)
    by_name = {r.original_name: r for r in Reference.objects.all()}
    draft = Composition.objects.draft_for(owner)

    owner_client.post(f"/compose/references/{by_name['three.png'].public_id}/move/earlier/", **HTMX)
    assert [r.original_name for r in draft.ordered_references()] == ["one.png", "three.png", "two.png"]
    page = owner_client.post(f"/compose/references/{by_name['one.png'].public_id}/remove/", **HTMX)
    assert [r.original_name for r in draft.ordered_references()] == ["three.png", "two.png"]
    assert _chips(page) == [("@image1", "three.png"), ("@image2", "two.png")]
    assert owner_client.post(f"/compose/references/{by_name['two.png'].public_id}/move/sideways/").status_code == 404


def test_it_serves_a_reference_with_ranges(owner_client, owner, video_file):
    _upload(owner_client, video_file)
    reference = Reference.objects.get()
    url = f"/references/{reference.public_id}/file"
    whole = owner_client.get(url)
    assert whole.status_code == 200 and whole["Content-Type"] == "video/mp4"
    assert whole["X-Content-Type-Options"] == "nosniff" and whole["Accept-Ranges"] == "bytes"
    body = b"".join(whole.streaming_content)
    assert body == video_file.read_bytes()

    part = owner_client.get(url, HTTP_RANGE="bytes=100-199")
    assert part.status_code == 206
    assert part["Content-Range"] == f"bytes 100-199/{len(body)}"
    assert b"".join(part.streaming_content) == body[100:200]
    tail = owner_client.get(url, HTTP_RANGE="bytes=-10")
    assert b"".join(tail.streaming_content) == body[-10:]
    assert owner_client.get(url, HTTP_RANGE=f"bytes={len(body)}-").status_code == 416


def test_it_hides_references_from_everyone_else(owner_client, outsider_client, client, image_file):
    _upload(owner_client, image_file)
    reference = Reference.objects.get()
    paths_get = [f"/references/{reference.public_id}/file", f"/references/{reference.public_id}/thumbnail.jpg"]
    paths_post = [
        f"/compose/references/{reference.public_id}/remove/",
        f"/compose/references/{reference.public_id}/move/later/",
    ]
    for path in paths_get:
        assert owner_client.get(path).status_code == 200
        assert outsider_client.get(path).status_code == 404, path
    for path in paths_post:
        assert outsider_client.post(path).status_code == 404, path
    assert "sunrise.jpg" not in outsider_client.get("/").content.decode()
    owner_client.logout()
    for path in paths_get:
        assert "/accounts/signin/" in owner_client.get(path)["Location"]


def test_it_serves_a_reference_to_providers_only_by_its_unguessable_url(owner_client, client, image_file, settings):
    settings.PUBLIC_BASE_URL = "https://studio.example.com"
    _upload(owner_client, image_file)
    reference = Reference.objects.get()
    url = reference.public_url()
    assert url.startswith("https://studio.example.com/p/r/") and url.endswith(".jpg")
    assert len(reference.public_token) >= 40
    owner_client.logout()
    path = url.removeprefix("https://studio.example.com")
    response = client.get(path)  # a provider: no account, no cookie
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    assert b"".join(response.streaming_content) == image_file.read_bytes()
    assert client.get(path.replace(reference.public_token, "x" * len(reference.public_token))).status_code == 404
    assert client.get(path.replace(".jpg", ".png")).status_code == 404


def test_it_explains_an_upload_of_too_many_files(owner_client, settings, media_dir):
    settings.DATA_UPLOAD_MAX_NUMBER_FILES = 2
    paths = [media_factory.make_image(media_dir / f"p{n}.png", 100, 100) for n in range(3)]
    response = _upload(owner_client, *paths)
    assert response.status_code == 400
    assert "send at most 2 files per upload" in " ".join(response.content.decode().split())  # the setting's
    assert not Reference.objects.exists()


def test_the_page_tells_the_upload_script_the_files_limit(owner_client, settings):
    """The one limit is the setting (UPLOAD_MAX_FILES): the page hands it to upload.js, which says it after a 400."""
    settings.DATA_UPLOAD_MAX_NUMBER_FILES = 7
    page = owner_client.get("/").content.decode()
    assert re.search(r'<form id="upload-form"[^>]*data-max-files="7"', page)


def test_an_upload_limit_reads_as_the_number_it_was_set_to(monkeypatch):
    """UPLOAD_MAX_VIDEO_MB=100 is refused as "larger than 100.0 MB": megabytes of 1,048,576 bytes, the unit every
    size the studio shows is in."""
    from django.template.defaultfilters import filesizeformat

    from seedance_studio.env import env_megabytes

    monkeypatch.setenv("UPLOAD_MAX_VIDEO_MB", "100")

    assert filesizeformat(env_megabytes("UPLOAD_MAX_VIDEO_MB", 30)) == "100.0\xa0MB"
    assert filesizeformat(env_megabytes("UPLOAD_MAX_AUDIO_MB", 30)) == "30.0\xa0MB"
