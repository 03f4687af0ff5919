"""The reference library: every uploaded file stays, is found by name and kind, is added to any composition
without uploading it again, is deleted only when no job's recipe uses it, and counts against an admin's quota."""

import re
import threading
from pathlib import Path

import pytest
from django.core.files.storage import default_storage
from django.db import connection

from seedance_studio.references.ingest import UploadRefused, ingest_file
from seedance_studio.references.models import Reference, StorageQuota
from seedance_studio.studio.models import Composition
from tests import media_factory
from tests.compose_forms import HTMX
from tests.jobs import submitted

pytestmark = pytest.mark.django_db


@pytest.fixture
def files(owner, image_file, video_file, audio_file, media_dir):
    """Three files in the owner's library: sunrise.jpg, walk.mp4, theme.mp3, and a second image, dusk.png."""
    dusk = media_factory.make_image(media_dir / "dusk.png", 400, 300)
    return {path.name: ingest_file(owner, path, path.name) for path in (image_file, video_file, audio_file, dusk)}


def _names(page: str) -> list[str]:
    return re.findall(r'<strong class="name" title="([^"]+)"', page)


def _upload(client, path: Path):
    with path.open("rb") as handle:
        return client.post("/compose/references/", {"files": [handle]}, **HTMX)


def test_it_lists_every_file_newest_first_with_its_facts(owner_client, files):
    page = owner_client.get("/library/").content.decode()
    assert _names(page) == ["dusk.png", "theme.mp3", "walk.mp4", "sunrise.jpg"]
    assert "640x360 · 2.0 s · 24 fps" in page and "Image · PNG" in page
    assert f'src="/references/{files["walk.mp4"].public_id}/thumbnail.jpg"' in page


def test_it_searches_by_name_and_filters_by_kind(owner_client, files):
    assert _names(owner_client.get("/library/?q=SUN").content.decode()) == ["sunrise.jpg"]
    assert _names(owner_client.get("/library/?kind=image").content.decode()) == ["dusk.png", "sunrise.jpg"]
    assert _names(owner_client.get("/library/?kind=audio&q=theme").content.decode()) == ["theme.mp3"]
    assert "No file matches" in owner_client.get("/library/?q=nothing-like-it").content.decode()
    # An unknown kind (an old bookmark) shows everything rather than failing.
    assert len(_names(owner_client.get("/library/?kind=hologram").content.decode())) == 4


def test_a_search_with_htmx_answers_only_the_results(owner_client, files):
    response = owner_client.get("/library/?q=walk", **HTMX)
    page = response.content.decode()
    assert response.status_code == 200 and page.lstrip().startswith('<div id="library-results"')
    assert _names(page) == ["walk.mp4"] and "<html" not in page
    assert response["Vary"].count("HX-Request") == 1


def test_a_search_with_htmx_does_not_add_up_the_storage_it_does_not_show(owner_client, files):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        owner_client.get("/library/?q=walk", **HTMX)
    assert not [q["sql"] for q in queries if "storagequota" in q["sql"] or "SUM(" in q["sql"]]


def test_it_shows_the_storage_used_and_the_quota(owner_client, owner, files):
    used = sum(reference.size_bytes for reference in files.values())
    assert f"{_size(used)} used (no limit)" in owner_client.get("/library/").content.decode()
    StorageQuota.objects.create(user=owner, megabytes=5)
    page = owner_client.get("/library/").content.decode()
    assert f"{_size(used)} of 5.0\xa0MB used" in page and 'aria-label="Library storage used"' in page


def _size(value: int) -> str:
    from django.template.defaultfilters import filesizeformat

    return str(filesizeformat(value))


def test_a_library_file_is_added_to_the_composition_without_an_upload(owner_client, owner, files):
    walk = files["walk.mp4"]
    response = owner_client.post("/compose/references/add/", {"reference": [str(walk.public_id)]}, **HTMX)
    assert response.status_code == 200
    assert 'data-mention="@video1" data-kind="video" data-name="walk.mp4"' in response.content.decode()
    assert "references-changed" in response["HX-Trigger-After-Settle"]  # the live panel re-checks
    assert [r.pk for r in Composition.objects.draft_for(owner).ordered_references()] == [walk.pk]
    assert Reference.objects.filter(owner=owner).count() == 4  # nothing new stored
    again = owner_client.post("/compose/references/add/", {"reference": [str(walk.public_id)]}, **HTMX)
    assert "walk.mp4 is already in this composition." in again.content.decode()
    assert len(Composition.objects.draft_for(owner).ordered_references()) == 1


def test_the_picker_lists_library_files_and_marks_the_ones_already_added(owner_client, owner, files):
    Composition.objects.draft_for(owner).append([files["sunrise.jpg"]])
    response = owner_client.get("/compose/library/?kind=image", **HTMX)
    page = response.content.decode()
    assert page.lstrip().startswith('<div id="library-picker"')
    assert "dusk.png" in page and "sunrise.jpg" in page and "walk.mp4" not in page
    assert page.count('aria-label="Add ') == 1 and "Added" in page
    # Without JavaScript the picker is a page of its own, and Add returns to the composer.
    assert "<html" in owner_client.get("/compose/library/").content.decode()
    no_js = owner_client.post("/compose/references/add/", {"reference": [str(files["dusk.png"].public_id)]})
    assert no_js.status_code == 302 and no_js["Location"] == "/"


def test_the_compose_page_offers_the_library(owner_client):
    page = owner_client.get("/").content.decode()
    assert 'hx-get="/compose/library/"' in page and 'href="/compose/library/"' in page


@pytest.mark.parametrize(
    "method, url",
    [
        ("post", "/library/{id}/delete/"),
        ("get", "/references/{id}/file"),
        ("get", "/references/{id}/thumbnail.jpg"),
    ],
)
def test_another_creatives_file_is_a_404(outsider_client, files, method, url):
    walk = files["walk.mp4"]
    assert getattr(outsider_client, method)(url.format(id=walk.public_id)).status_code == 404
    assert Reference.objects.filter(pk=walk.pk).exists()


def test_an_outsider_can_neither_see_nor_add_another_creatives_file(outsider_client, outsider, files):
    walk = files["walk.mp4"]
    assert "walk.mp4" not in outsider_client.get("/library/").content.decode()
    assert "walk.mp4" not in outsider_client.get("/compose/library/", **HTMX).content.decode()
    response = outsider_client.post("/compose/references/add/", {"reference": [str(walk.public_id)]}, **HTMX)
    assert response.status_code == 404
    assert outsider_client.post("/compose/references/add/", {"reference": ["not-a-uuid"]}).status_code == 404
    assert Composition.objects.draft_for(outsider).ordered_references() == []


def test_a_file_a_jobs_recipe_uses_cannot_be_deleted_and_the_message_names_the_job(owner_client, owner, files):
    walk = files["walk.mp4"]
    Composition.objects.draft_for(owner).append([walk])
    job = submitted(owner, prompt="@video1 becomes a paper boat")
    response = owner_client.post(f"/library/{walk.public_id}/delete/", follow=True)
    page = response.content.decode()
    assert "walk.mp4 cannot be deleted: it is in the recipe of 1 job" in page
    assert "@video1" not in page.split("cannot be deleted")[1].split("</li>")[0]  # named in words, not markup
    assert "becomes a paper boat" in page and f"/jobs/{job.public_id}/" in page
    assert Reference.objects.filter(pk=walk.pk).exists() and default_storage.exists(walk.file.name)
    assert "used by 1 job" in owner_client.get("/library/").content.decode()


def test_deleting_an_unused_file_deletes_its_stored_objects(
    owner_client, owner, files, django_capture_on_commit_callbacks
):
    walk = files["walk.mp4"]
    draft = Composition.objects.draft_for(owner)
    draft.append([files["sunrise.jpg"], walk])
    draft.save_draft_fields({"prompt": "@image1 then @video1"})
    stored = [walk.file.name, walk.thumbnail.name]
    assert all(default_storage.exists(name) for name in stored)
    with django_capture_on_commit_callbacks(execute=True):
        response = owner_client.post(f"/library/{walk.public_id}/delete/", {"q": "walk"}, follow=True)
    assert response.redirect_chain[-1][0] == "/library/?q=walk"
    assert "Deleted walk.mp4 from your library, with its stored file." in response.content.decode()
    assert not Reference.objects.filter(pk=walk.pk).exists()
    assert not any(default_storage.exists(name) for name in stored)
    draft = Composition.objects.draft_for(owner)  # its chip went too, and the prompt says so
    assert [r.original_name for r in draft.ordered_references()] == ["sunrise.jpg"]
    assert draft.prompt == "@image1 then @removed:video1"


def test_a_job_deleted_frees_its_files_for_deletion(owner_client, owner, files, media_dir):
    walk = files["walk.mp4"]
    Composition.objects.draft_for(owner).append([walk])
    job = submitted(owner, prompt="@video1")
    job.cancel()
    Composition.objects.draft_for(owner).remove(walk)
    assert job.delete_with_files()
    owner_client.post(f"/library/{walk.public_id}/delete/")
    assert not Reference.objects.filter(pk=walk.pk).exists()


def test_deleting_takes_a_post(owner_client, files):
    assert owner_client.get(f"/library/{files['walk.mp4'].public_id}/delete/").status_code == 405


def test_an_upload_over_the_quota_is_refused_with_what_is_used_allowed_and_how_to_free_space(
    owner_client, owner, files, video_file, media_dir
):
    used = sum(reference.size_bytes for reference in files.values())
    StorageQuota.objects.create(user=owner, megabytes=1)
    assert used < 1024 * 1024
    big = media_factory.make_video(media_dir / "big.mp4", seconds=4, width=1280, height=720)
    assert used + big.stat().st_size > 1024 * 1024
    response = _upload(owner_client, big)
    page = response.content.decode().replace("\xa0", " ")
    assert "big.mp4 was refused: is " in page
    assert "your library already holds" in page and "of the 1.0 MB an admin allows you" in page
    assert "deleting files you no longer need from your library (/library/)" in page
    assert not Reference.objects.filter(original_name="big.mp4").exists()
    # A small file still fits.
    tiny = media_factory.make_image(media_dir / "tiny.png", 16, 16)
    assert 'data-name="tiny.png"' in _upload(owner_client, tiny).content.decode()


def test_a_quota_of_zero_stops_every_upload(owner, image_file):
    StorageQuota.objects.create(user=owner, megabytes=0)
    with pytest.raises(UploadRefused, match="an admin allows you"):
        ingest_file(owner, image_file, "sunrise.jpg")


@pytest.mark.django_db(transaction=True)
def test_concurrent_uploads_never_exceed_the_quota(owner, media_dir):
    """Four uploads at once, room for two: the quota row's lock makes them take turns, so exactly two fit."""
    paths = [media_factory.make_image(media_dir / f"shot-{i}.png", 300, 300, color=(i * 40, 90, 20)) for i in range(4)]
    size = max(path.stat().st_size for path in paths)
    # Room for two of these and not three, in whole megabytes: pad the library with a file of the right size.
    StorageQuota.objects.create(user=owner, megabytes=1)
    filler = 1024 * 1024 - 2 * size - size // 2
    Reference.objects.create(
        owner=owner,
        kind="image",
        original_name="filler",
        format="png",
        extension="png",
        content_type="image/png",
        size_bytes=filler,
        file="references/filler.png",
    )
    barrier = threading.Barrier(len(paths))
    outcomes: list[str] = []

    def upload(path: Path) -> None:
        try:
            barrier.wait()
            ingest_file(owner, path, path.name)
            outcomes.append("kept")
        except UploadRefused:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=upload, args=(path,)) for path in paths]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert sorted(outcomes) == ["kept", "kept", "refused", "refused"]
    assert Reference.objects.filter(owner=owner).exclude(original_name="filler").count() == 2


def test_an_admin_sets_a_creatives_quota_in_the_admin(admin_client, owner, files):
    assert admin_client.get("/admin/references/storagequota/add/").status_code == 200
    response = admin_client.post("/admin/references/storagequota/add/", {"user": owner.pk, "megabytes": 250})
    assert response.status_code == 302
    quota = StorageQuota.objects.get(user=owner)
    assert quota.bytes == 250 * 1024 * 1024
    listing = admin_client.get("/admin/references/storagequota/").content.decode()
    assert "olivia" in listing and _size(sum(r.size_bytes for r in files.values())) in listing
