"""Uploads travel on to the bucket while their body is still arriving (references.upload_handlers.
StreamingUploadHandler, s3_multipart.StreamedUpload), against moto's S3 server over real HTTP: the parts are in
the bucket before the last byte has arrived, the object appears only once the file passes its checks, and
whatever is refused, dropped, forged or cut short leaves neither an object nor an unfinished multipart upload."""

from __future__ import annotations

import pytest
from django.test import Client

from seedance_studio.references.models import Reference
from seedance_studio.references.upload_handlers import StreamingUploadHandler
from seedance_studio.s3_multipart import PART_BYTES
from tests import media_factory
from tests.conftest import wait_for
from tests.test_uploads import HTMX, _upload

pytestmark = pytest.mark.django_db

LARGE = 2 * PART_BYTES + 1_000_000  # three parts: two whole ones and a short last one


@pytest.fixture(scope="module")
def large_video(tmp_path_factory):
    return media_factory.make_large_video(tmp_path_factory.mktemp("large") / "long-take.mp4", LARGE)


def _unfinished(s3_storage) -> list[dict]:
    listed = s3_storage.bucket.client.list_multipart_uploads(Bucket=s3_storage.bucket.name)
    return listed.get("Uploads", [])


def _parts(s3_storage, upload: dict) -> list[dict]:
    listed = s3_storage.bucket.client.list_parts(
        Bucket=s3_storage.bucket.name, Key=upload["Key"], UploadId=upload["UploadId"]
    )
    return listed.get("Parts", [])


def test_a_large_upload_is_in_the_bucket_whole_and_was_sent_in_parts(owner_client, owner, s3_storage, large_video):
    response = _upload(owner_client, large_video)

    assert response.status_code == 200
    assert 'data-mention="@video1"' in response.content.decode()
    video = Reference.objects.get(owner=owner)
    assert video.file.name.startswith("references/") and video.file.name.endswith(".mp4")
    assert video.size_bytes == LARGE
    assert s3_storage.bucket.read(video.file.name) == large_video.read_bytes()
    head = s3_storage.bucket.client.head_object(Bucket=s3_storage.bucket.name, Key=f"studio/{video.file.name}")
    assert head["ETag"].endswith('-3"')  # a multipart object of three parts, as the body was cut while it arrived
    assert head["ContentType"] == "video/mp4"
    assert _unfinished(s3_storage) == []
    assert sorted(s3_storage.bucket.object_keys()) == sorted(
        [f"studio/{video.file.name}", f"studio/{video.thumbnail.name}"]
    )


def test_parts_reach_the_bucket_before_the_body_has_all_arrived(s3_storage, large_video, settings):
    handler = StreamingUploadHandler()
    handler.new_file("files", "long-take.mp4", "video/mp4", None)
    data = large_video.read_bytes()
    chunk = handler.chunk_size

    for start in range(0, PART_BYTES + chunk, chunk):  # one whole part and a little more
        handler.receive_data_chunk(data[start : start + chunk], start)

    (upload,) = _unfinished(s3_storage)
    assert upload["Key"] == f"studio/{handler.stream.name}"
    wait_for(lambda: len(_parts(s3_storage, upload)) == 1, timeout=30)
    assert _parts(s3_storage, upload)[0]["Size"] == PART_BYTES

    for start in range(PART_BYTES + chunk, len(data), chunk):
        handler.receive_data_chunk(data[start : start + chunk], start)
    uploaded = handler.file_complete(len(data))
    uploaded.streamed.complete()

    assert s3_storage.bucket.read(uploaded.streamed.name) == data
    assert _unfinished(s3_storage) == []
    uploaded.close()


def test_a_file_that_grows_past_the_largest_upload_is_dropped_from_the_bucket_too(s3_storage, settings):
    settings.UPLOAD_MAX_BYTES = {"image": PART_BYTES, "video": 2 * PART_BYTES, "audio": PART_BYTES}
    handler = StreamingUploadHandler()
    handler.new_file("files", "endless.mp4", "video/mp4", None)
    chunk = b"\0" * handler.chunk_size

    with pytest.raises(Exception) as raised:
        for number in range(3 * PART_BYTES // len(chunk)):
            handler.receive_data_chunk(chunk, number * len(chunk))

    assert type(raised.value).__name__ == "SkipFile"
    assert "larger than" in str(handler.skipped[0])
    assert _unfinished(s3_storage) == []
    assert s3_storage.bucket.object_keys() == []


def test_a_large_upload_the_probe_refuses_leaves_nothing_in_the_bucket(owner_client, s3_storage, large_video, tmp_path):
    forged = tmp_path / "forged.mp4"
    forged.write_bytes(large_video.read_bytes()[:4000] + bytes(LARGE - 4000))  # an MP4 header, then zeros

    response = _upload(owner_client, forged)

    assert "forged.mp4 was refused:" in response.content.decode()
    assert not Reference.objects.exists()
    assert s3_storage.bucket.object_keys() == []
    assert _unfinished(s3_storage) == []


def test_a_large_upload_that_is_not_media_at_all_leaves_nothing_in_the_bucket(owner_client, s3_storage, tmp_path):
    """Refused by its content before it is probed: the parts already sent are aborted."""
    archive = tmp_path / "holiday.mp4"
    archive.write_bytes(b"PK\x03\x04" + bytes(LARGE))

    response = _upload(owner_client, archive)

    assert "holiday.mp4 was refused:" in response.content.decode()
    assert s3_storage.bucket.object_keys() == []
    assert _unfinished(s3_storage) == []


def test_a_file_whose_name_says_otherwise_is_stored_under_what_it_is(
    owner_client, owner, s3_storage, large_video, tmp_path
):
    """The parts are sent under a name guessed from the file's own (.mov); the content says MP4, which decides: the
    parts are dropped and the file is stored again under an .mp4 name."""
    misnamed = tmp_path / "from-the-camera.mov"
    misnamed.write_bytes(large_video.read_bytes())

    response = _upload(owner_client, misnamed)

    assert response.status_code == 200
    video = Reference.objects.get(owner=owner)
    assert video.format == "mp4" and video.file.name.endswith(".mp4")
    assert s3_storage.bucket.read(video.file.name) == large_video.read_bytes()
    assert sorted(s3_storage.bucket.object_keys()) == sorted(
        [f"studio/{video.file.name}", f"studio/{video.thumbnail.name}"]
    )
    assert _unfinished(s3_storage) == []


def test_a_large_and_a_small_upload_arrive_together(owner_client, owner, s3_storage, large_video, image_file):
    response = _upload(owner_client, image_file, large_video)

    assert 'data-mention="@image1"' in response.content.decode()
    assert 'data-mention="@video1"' in response.content.decode()
    video = Reference.objects.get(owner=owner, kind="video")
    image = Reference.objects.get(owner=owner, kind="image")
    assert s3_storage.bucket.read(video.file.name) == large_video.read_bytes()
    assert s3_storage.bucket.read(image.file.name) == image_file.read_bytes()
    assert _unfinished(s3_storage) == []


def test_a_body_without_the_csrf_token_is_refused_before_anything_is_sent(owner, s3_storage, large_video):
    """The view reads no body until its handlers are set, so it does its own CSRF check after that."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(owner)

    with large_video.open("rb") as handle:
        response = client.post("/compose/references/", {"files": handle}, **HTMX)

    assert response.status_code == 403
    assert not Reference.objects.exists()
    assert s3_storage.bucket.object_keys() == []
    assert _unfinished(s3_storage) == []


def test_an_anonymous_body_never_reaches_the_bucket(client, s3_storage, large_video):
    with large_video.open("rb") as handle:
        response = client.post("/compose/references/", {"files": handle}, **HTMX)

    assert response.status_code in (302, 401, 403)
    assert s3_storage.bucket.object_keys() == []
    assert _unfinished(s3_storage) == []


def test_a_body_cut_short_leaves_no_unfinished_upload(owner_client, s3_storage, large_video):
    """The browser went away mid-file: the parser finds no end to the file, and what was sent of it is aborted."""
    boundary = "studio-boundary"
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="files"; filename="long-take.mp4"\r\n'
        "Content-Type: video/mp4\r\n\r\n"
    ).encode()
    body = head + large_video.read_bytes()[: PART_BYTES + 2_000_000]  # no closing boundary: cut off mid-file

    response = owner_client.generic(
        "POST",
        "/compose/references/",
        body,
        content_type=f"multipart/form-data; boundary={boundary}",
        **HTMX,
    )

    assert "No file arrived." in response.content.decode()
    assert not Reference.objects.exists()
    assert s3_storage.bucket.object_keys() == []
    assert _unfinished(s3_storage) == []


def test_a_body_refused_after_a_large_file_arrived_leaves_no_unfinished_upload(
    owner_client, s3_storage, large_video, image_file, settings
):
    """The second file is one too many: the request fails after the first was sent whole, and is aborted."""
    settings.DATA_UPLOAD_MAX_NUMBER_FILES = 1

    response = _upload(owner_client, large_video, image_file)

    assert response.status_code == 400
    assert not Reference.objects.exists()
    assert s3_storage.bucket.object_keys() == []
    assert _unfinished(s3_storage) == []
