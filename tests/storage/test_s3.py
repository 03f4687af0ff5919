"""The studio on S3, against moto's S3 server over real HTTP: uploads stream into the bucket, a worker renders
from copies in its scratch space, a provider's result is kept there, owners and share-link viewers are sent to
presigned URLs that really serve the bytes (Range included), and deleting a job or a reference deletes its
objects. Nothing lands in MEDIA_ROOT."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from django.test import Client

from seedance_studio.mediatools.probe import probe_media
from seedance_studio.mediatools.sniff import sniff
from seedance_studio.references.models import Reference
from seedance_studio.sharing.models import ShareLink
from seedance_studio.studio.models import Composition, Job
from tests.conftest import wait_for
from tests.jobs import submitted, succeeded
from tests.test_remote_jobs import _run_to_end, _submit, emulators  # noqa: F401 - the fixture
from tests.test_uploads import _upload

pytestmark = pytest.mark.django_db


def _local_files(root) -> list[Path]:
    return [path for path in Path(root).rglob("*") if path.is_file()]


def _presigned(response, s3_storage) -> str:
    """The presigned URL a studio redirect points to, checked to be signed for the browser's endpoint."""
    assert response.status_code == 302, response.status_code
    location = response["Location"]
    assert location.startswith(f"{s3_storage.endpoint.public_endpoint}/{s3_storage.bucket.name}/studio/"), location
    query = parse_qs(urlsplit(location).query)
    assert query["X-Amz-Expires"] == ["900"] and query["X-Amz-Signature"]
    return location


def test_it_streams_uploads_into_the_bucket_and_nothing_onto_local_disk(
    owner_client, owner, s3_storage, image_file, video_file, settings
):
    response = _upload(owner_client, image_file, video_file)

    assert response.status_code == 200
    assert 'data-mention="@video1"' in response.content.decode()
    video = Reference.objects.get(owner=owner, kind="video")
    image = Reference.objects.get(owner=owner, kind="image")
    assert s3_storage.bucket.object_keys() == sorted(
        f"studio/{name}" for name in (video.file.name, video.thumbnail.name, image.file.name, image.thumbnail.name)
    )
    assert s3_storage.bucket.read(video.file.name) == video_file.read_bytes()
    assert _local_files(settings.MEDIA_ROOT) == []


def test_it_sends_the_owner_to_a_presigned_url_that_serves_ranges(
    owner_client, outsider_client, owner, s3_storage, video_file
):
    _upload(owner_client, video_file)
    video = Reference.objects.get(owner=owner)
    url = f"/references/{video.public_id}/file"

    response = owner_client.get(url)

    location = _presigned(response, s3_storage)
    assert response["Cache-Control"] == "private, max-age=450"
    original = video_file.read_bytes()
    part = httpx.get(location, headers={"Range": "bytes=100-1099"})
    assert part.status_code == 206
    assert part.content == original[100:1100]
    assert part.headers["content-range"] == f"bytes 100-1099/{len(original)}"
    assert part.headers["content-type"] == "video/mp4"
    assert httpx.get(location).content == original
    assert outsider_client.get(url).status_code == 404
    anonymous = Client().get(url)
    assert anonymous.status_code == 302 and anonymous["Location"].startswith("/accounts/")


def test_a_provider_fetches_a_reference_from_the_bucket_by_its_public_url(
    owner_client, client, owner, s3_storage, image_file
):
    _upload(owner_client, image_file)
    image = Reference.objects.get(owner=owner)

    response = client.get(f"/p/r/{image.public_token}.{image.extension}")
    looked = client.head(f"/p/r/{image.public_token}.{image.extension}")

    assert httpx.get(_presigned(response, s3_storage)).content == image_file.read_bytes()
    head = httpx.head(_presigned(looked, s3_storage))  # signed for HEAD: the method is part of the signature
    assert head.status_code == 200 and int(head.headers["content-length"]) == image_file.stat().st_size
    assert client.get(f"/p/r/{image.public_token[:-2]}xx.{image.extension}").status_code == 404


@pytest.mark.django_db(transaction=True)
def test_a_worker_renders_a_preview_from_the_bucket_in_its_own_scratch_space(
    owner_client, owner, s3_storage, start_worker, image_file, audio_file, tmp_path, settings
):
    _upload(owner_client, image_file, audio_file)
    job = submitted(owner, prompt="@image1 at sunrise, @audio1 plays", duration=4, resolution="480p")
    scratch, worker_media = tmp_path / "worker-scratch", tmp_path / "worker-media"

    start_worker(STUDIO_SCRATCH_DIR=str(scratch), MEDIA_ROOT=str(worker_media))
    job = wait_for(lambda: Job.objects.filter(pk=job.pk, status__in=["succeeded", "failed"]).first())

    assert job.status == "succeeded", job.error_message
    keys = s3_storage.bucket.object_keys()
    assert {f"studio/{job.video.name}", f"studio/{job.poster.name}", f"studio/{job.last_frame.name}"} <= set(keys)
    kept = tmp_path / "kept.mp4"
    kept.write_bytes(s3_storage.bucket.read(job.video.name))
    facts = probe_media(kept, sniff(kept), timeout=20, max_seconds=60)
    assert abs(facts.duration - 4.0) < 0.1 and facts.audio is not None
    assert list(scratch.iterdir()) == []  # the job's scratch directory, copies included, is gone
    assert _local_files(worker_media) == [] and _local_files(settings.MEDIA_ROOT) == []


def test_it_keeps_a_providers_result_in_the_bucket(owner, emulators, s3_storage, settings, tmp_path):  # noqa: F811
    settings.STUDIO_SCRATCH_DIR = tmp_path / "scratch"

    job = _run_to_end(_submit(owner, "piapi"), emulators)

    assert job.status == "succeeded", job.error_message
    keys = set(s3_storage.bucket.object_keys())
    assert {f"studio/{job.video.name}", f"studio/{job.poster.name}", f"studio/{job.last_frame.name}"} <= keys
    assert s3_storage.bucket.read(job.video.name)[4:8] == b"ftyp"
    assert list((tmp_path / "scratch").iterdir()) == []
    assert _local_files(settings.MEDIA_ROOT) == []


def test_the_owner_plays_and_downloads_a_result_from_the_bucket(
    owner_client, outsider_client, owner, s3_storage, tmp_path
):
    job = succeeded(owner, tmp_path)

    played = httpx.get(
        _presigned(owner_client.get(f"/jobs/{job.public_id}/video.mp4"), s3_storage), headers={"Range": "bytes=0-15"}
    )
    download = httpx.get(_presigned(owner_client.get(f"/jobs/{job.public_id}/download/"), s3_storage))

    assert played.status_code == 206 and played.content[4:8] == b"ftyp"
    assert download.status_code == 200 and download.content[4:8] == b"ftyp"
    assert download.headers["content-disposition"].startswith("attachment;")
    assert "cat-walks-in-the-garden" in download.headers["content-disposition"]
    assert outsider_client.get(f"/jobs/{job.public_id}/video.mp4").status_code == 404
    assert outsider_client.get(f"/jobs/{job.public_id}/download/").status_code == 404


def test_a_share_link_sends_viewers_to_the_bucket_until_it_is_stopped(owner, client, s3_storage, tmp_path):
    job = succeeded(owner, tmp_path)
    share = ShareLink.objects.share(job, show_prompt=False, expires_in_days=7)
    token = share.token()

    page = client.get(f"/s/{token}/")
    video = client.get(f"/s/{token}/video.mp4", HTTP_RANGE="bytes=0-99")

    assert page.status_code == 200 and f"/s/{token}/video.mp4" in page.content.decode()
    assert video["Cache-Control"] == "public, max-age=300"
    part = httpx.get(_presigned(video, s3_storage), headers={"Range": "bytes=0-99"})
    assert part.status_code == 206 and len(part.content) == 100 and part.content[4:8] == b"ftyp"
    poster = httpx.get(_presigned(client.get(f"/s/{token}/poster.jpg"), s3_storage))
    assert poster.headers["content-type"] == "image/jpeg" and poster.content[:2] == b"\xff\xd8"
    download = httpx.get(_presigned(client.get(f"/s/{token}/download/"), s3_storage))
    assert download.headers["content-disposition"].startswith("attachment;")
    assert not page.cookies and not video.cookies  # viewers still get no cookie

    assert ShareLink.objects.get(pk=share.pk).revoke()
    assert client.get(f"/s/{token}/video.mp4").status_code == 404


def test_continuing_from_the_last_frame_copies_it_from_the_bucket(owner_client, owner, s3_storage, tmp_path):
    job = succeeded(owner, tmp_path)

    response = owner_client.post(f"/jobs/{job.public_id}/continue/")

    assert response.status_code == 302
    frame = Composition.objects.draft_for(owner).ordered_references()[0]
    assert frame.kind == "image" and f"studio/{frame.file.name}" in s3_storage.bucket.object_keys()
    assert s3_storage.bucket.read(frame.file.name) == s3_storage.bucket.read(job.last_frame.name)


def test_deleting_a_job_deletes_its_objects(
    owner_client, outsider_client, owner, s3_storage, tmp_path, django_capture_on_commit_callbacks
):
    job = succeeded(owner, tmp_path)
    names = {f"studio/{job.video.name}", f"studio/{job.poster.name}", f"studio/{job.last_frame.name}"}
    assert names <= set(s3_storage.bucket.object_keys())

    assert outsider_client.post(f"/jobs/{job.public_id}/delete/").status_code == 404
    assert names <= set(s3_storage.bucket.object_keys())
    with django_capture_on_commit_callbacks(execute=True):
        response = owner_client.post(f"/jobs/{job.public_id}/delete/")

    assert response.status_code == 302
    assert not Job.objects.filter(pk=job.pk).exists()
    assert not names & set(s3_storage.bucket.object_keys())


def test_deleting_a_reference_deletes_its_objects(
    owner_client, owner, s3_storage, video_file, django_capture_on_commit_callbacks
):
    _upload(owner_client, video_file)
    video = Reference.objects.get(owner=owner)
    assert len(s3_storage.bucket.object_keys()) == 2
    Composition.objects.draft_for(owner).remove(video)

    with django_capture_on_commit_callbacks(execute=True):
        video.delete()

    assert s3_storage.bucket.object_keys() == []


def test_a_refused_upload_leaves_nothing_in_the_bucket(owner_client, owner, s3_storage, video_file, media_dir):
    """The file travels to the bucket while it is probed; when the probe refuses it, its object goes too."""
    broken = media_dir / "broken.mp4"
    broken.write_bytes(video_file.read_bytes()[:4000])  # an MP4 header, then nothing ffmpeg can play

    response = _upload(owner_client, broken)

    assert response.status_code == 200
    assert "broken.mp4 was refused:" in response.content.decode()
    assert not Reference.objects.exists()
    assert s3_storage.bucket.object_keys() == []
