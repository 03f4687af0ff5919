"""Storage is chosen by environment variables: no bucket, local disk (an empty variable counts as unset); a
half-made S3 configuration stops the studio at start with a message naming the fix. And with local disk behind
nginx, MEDIA_X_ACCEL_REDIRECT hands the bytes to nginx after the owner check."""

from __future__ import annotations

import subprocess
import sys

import pytest
from django.core.exceptions import ImproperlyConfigured

from seedance_studio import settings as studio_settings
from seedance_studio.references.models import Reference
from tests.conftest import ROOT
from tests.test_uploads import _upload

S3_VARIABLES = studio_settings._S3_VARIABLES


@pytest.fixture
def environment(monkeypatch):
    for variable in S3_VARIABLES:
        monkeypatch.delenv(variable, raising=False)

    def set_variables(**values: str):
        for variable, value in values.items():
            monkeypatch.setenv(variable, value)
        return studio_settings._default_storage()

    return set_variables


def test_no_bucket_keeps_files_on_local_disk(environment):
    assert environment() == {"BACKEND": "django.core.files.storage.FileSystemStorage"}


def test_empty_variables_change_nothing(environment):
    assert environment(**dict.fromkeys(S3_VARIABLES, "")) == {"BACKEND": "django.core.files.storage.FileSystemStorage"}


def test_a_bucket_switches_to_s3_with_only_what_was_set(environment):
    storage = environment(STORAGE_S3_BUCKET="studio-media", STORAGE_S3_REGION="", STORAGE_S3_PREFIX="/team-a/")

    assert storage["BACKEND"] == "seedance_studio.s3_storage.StudioS3Storage"
    options = storage["OPTIONS"]
    assert (options["bucket_name"], options["location"]) == ("studio-media", "team-a")
    assert options["region_name"] is None and options["endpoint_url"] is None  # boto3's own defaults
    assert options["access_key"] is None  # boto3 finds credentials itself (AWS_* variables, instance role)
    assert options["addressing_style"] == "auto" and options["default_acl"] is None


def test_an_endpoint_means_path_style_addressing(environment):
    storage = environment(STORAGE_S3_BUCKET="media", STORAGE_S3_ENDPOINT_URL="http://minio:9000")
    assert storage["OPTIONS"]["addressing_style"] == "path"
    assert storage["OPTIONS"]["public_endpoint_url"] is None  # presigned for the endpoint itself


@pytest.mark.parametrize(
    "values, words",
    [
        ({"STORAGE_S3_ENDPOINT_URL": "http://minio:9000"}, "STORAGE_S3_ENDPOINT_URL set but STORAGE_S3_BUCKET is not"),
        ({"STORAGE_S3_BUCKET": "m", "STORAGE_S3_ENDPOINT_URL": "minio:9000"}, "is not a URL"),
        ({"STORAGE_S3_BUCKET": "m", "STORAGE_S3_ACCESS_KEY_ID": "AKIA"}, "Set both STORAGE_S3_ACCESS_KEY_ID"),
        ({"STORAGE_S3_BUCKET": "m", "STORAGE_S3_ADDRESSING_STYLE": "dns"}, "use path, virtual or auto"),
    ],
)
def test_a_half_made_configuration_is_refused_with_the_fix(environment, values, words):
    with pytest.raises(ImproperlyConfigured, match=words):
        environment(**values)


@pytest.mark.parametrize(
    "env, words",
    [
        ({"MEDIA_X_ACCEL_REDIRECT": "internal-media"}, "must be a location path that starts and ends with '/'"),
        ({"MEDIA_X_ACCEL_REDIRECT": "/internal-media/", "STORAGE_S3_BUCKET": "m"}, "Unset one of them"),
    ],
)
def test_the_studio_does_not_start_with_a_bad_accel_setting(env, words):
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=ROOT,
        env={"DJANGO_SETTINGS_MODULE": "seedance_studio.settings", "DJANGO_DEBUG": "1", "PATH": "/usr/bin", **env},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0 and words in result.stderr


@pytest.mark.django_db
def test_nginx_sends_the_file_after_the_owner_check(owner_client, outsider_client, owner, settings, video_file):
    settings.MEDIA_X_ACCEL_REDIRECT = "/internal-media/"
    _upload(owner_client, video_file)
    video = Reference.objects.get(owner=owner)
    url = f"/references/{video.public_id}/file"

    response = owner_client.get(url, HTTP_RANGE="bytes=0-99")

    assert response.status_code == 200 and response.content == b""
    assert response["X-Accel-Redirect"] == f"/internal-media/{video.file.name}"
    assert response["Content-Type"] == "video/mp4"
    assert (settings.MEDIA_ROOT / video.file.name).read_bytes() == video_file.read_bytes()
    assert outsider_client.get(url).status_code == 404
