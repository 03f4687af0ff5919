"""Shot chains: continuing a shot links the new job to it; the chain page plays the shots in order; exporting
joins them into one MP4 in a real worker process, free, with real progress, kept and shareable like any result."""

import signal

import pytest

from seedance_studio.credits.models import LedgerEntry
from seedance_studio.mediatools.probe import probe_media
from seedance_studio.mediatools.sniff import sniff
from seedance_studio.preview.concat import Shot, join_shots
from seedance_studio.sharing.models import ShareLink
from seedance_studio.studio.models import Composition, Job
from tests.conftest import wait_for
from tests.jobs import submitted, succeeded


def _continue(client, job) -> None:
    assert client.post(f"/jobs/{job.public_id}/continue/").status_code == 302


@pytest.fixture
def chain(owner_client, owner, media_dir):
    """Two finished shots, the second continued from the first: 640x360 with sound, then 4:3 without any."""
    first = succeeded(owner, media_dir, prompt="A paper boat sets off", seconds=2.0)
    _continue(owner_client, first)
    second = succeeded(
        owner, media_dir, prompt="@image1 the boat reaches the drain", seconds=1.5, size=(320, 240), with_audio=False
    )
    return first, second


def _probe(storage_file, media_dir):
    path = media_dir / "probed.mp4"
    with storage_file.open("rb") as kept:
        path.write_bytes(kept.read())
    return probe_media(path, sniff(path), timeout=20, max_seconds=600)


@pytest.mark.django_db
def test_it_links_a_continued_shot_to_the_one_it_continues(owner_client, owner, media_dir):
    first = succeeded(owner, media_dir, prompt="A paper boat sets off")
    _continue(owner_client, first)
    assert Composition.objects.draft_for(owner).continues == first
    page = owner_client.get("/").content.decode()
    assert "The next shot continues" in page and f"/chains/{first.public_id}/" in page
    second = submitted(owner, prompt="@image1 the boat sails on")
    assert second.continues == first
    assert list(first.continuations.all()) == [second]


@pytest.mark.django_db
def test_a_separate_shot_is_not_linked(owner_client, owner, media_dir):
    first = succeeded(owner, media_dir)
    _continue(owner_client, first)
    response = owner_client.post("/compose/continuation/clear/", follow=True)
    assert "a separate one, not part of a chain" in response.content.decode()
    assert submitted(owner, prompt="Something else").continues is None


@pytest.mark.django_db
def test_a_remix_of_a_continued_shot_continues_the_same_shot(owner_client, owner, chain):
    first, second = chain
    owner_client.post(f"/jobs/{second.public_id}/remix/")
    assert submitted(owner, prompt="@image1 another take").continues == first


@pytest.mark.django_db
def test_the_chain_page_lists_the_shots_in_order(owner_client, chain):
    first, second = chain
    page = owner_client.get(f"/chains/{second.public_id}/").content.decode()
    assert "Chain of 2 shots · 3.5 s" in page
    assert page.index("A paper boat sets off") < page.index("the boat reaches the drain")
    assert page.index(f'data-src="/jobs/{first.public_id}/video.mp4"') < page.index(
        f'data-src="/jobs/{second.public_id}/video.mp4"'
    )
    assert "js/chain-player.js" in page and "Export as one MP4" in page
    # The first shot's own chain is itself; its page names the shot that continues it.
    first_page = owner_client.get(f"/chains/{first.public_id}/").content.decode()
    assert "Chain of 1 shot" in first_page and "Continued by" in first_page and "at least two shots" in first_page
    assert "play the chain up to here" in owner_client.get(f"/jobs/{second.public_id}/").content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("method, suffix", [("get", ""), ("post", "export/")])
def test_a_chain_is_a_404_for_another_creative(outsider_client, chain, method, suffix):
    _, second = chain
    assert getattr(outsider_client, method)(f"/chains/{second.public_id}/{suffix}").status_code == 404
    assert not Job.objects.filter(kind="chain_export").exists()


@pytest.mark.django_db
def test_a_chain_with_a_shot_in_flight_cannot_be_exported_yet(owner_client, owner, media_dir):
    first = succeeded(owner, media_dir)
    _continue(owner_client, first)
    second = submitted(owner, prompt="@image1 still rendering")
    response = owner_client.post(f"/chains/{second.public_id}/export/", follow=True)
    assert "Shot 2 is queued: a chain exports once every shot has its video" in response.content.decode()
    assert not Job.objects.filter(kind="chain_export").exists()


@pytest.mark.django_db
def test_exporting_is_free_and_one_click_makes_one_export(owner_client, owner, chain):
    first, second = chain
    entries_before = LedgerEntry.objects.count()
    key = "0b8e6a52-8f1f-4c3e-9d38-54d3b6f0a111"
    responses = [owner_client.post(f"/chains/{second.public_id}/export/", {"submission_key": key}) for _ in range(2)]
    [export] = Job.objects.filter(kind="chain_export")
    assert all(response["Location"] == f"/jobs/{export.public_id}/" for response in responses)
    assert (export.credits_status, export.price_credits, export.provider) == ("free", 0, "local_preview")
    assert export.chain_shots == [str(first.public_id), str(second.public_id)]
    assert LedgerEntry.objects.count() == entries_before
    page = owner_client.get(f"/jobs/{export.public_id}/").content.decode()
    assert "Chain export" in page and "Free preview" in page and "Remix" not in page


def test_joining_reports_rising_progress_and_lasts_the_sum_of_its_shots(media_dir):
    from tests.media_factory import make_video

    shots = [
        Shot(make_video(media_dir / "a.mp4", seconds=2, width=640, height=360), duration=2.0, has_audio=True),
        Shot(
            make_video(media_dir / "b.mp4", seconds=1.5, width=320, height=240, with_audio=False),
            duration=1.5,
            has_audio=False,
        ),
    ]
    reports: list[float] = []
    film = join_shots(shots, (640, 360), media_dir / "film.mp4", timeout=120, on_progress=reports.append)
    assert reports[-1] == 1.0 and reports == sorted(reports) and len(reports) >= 2
    facts = probe_media(media_dir / "film.mp4", sniff(media_dir / "film.mp4"), timeout=20, max_seconds=600)
    assert abs(facts.duration - 3.5) < 0.1 and abs(film.duration - 3.5) < 0.01
    assert (facts.video.width, facts.video.height) == (640, 360) and facts.audio is not None


def test_a_join_that_runs_out_of_time_says_it_was_the_chain_export_and_leaves_no_partial_file(media_dir):
    from seedance_studio.mediatools.ffmpeg import FfmpegError
    from tests.media_factory import make_video

    shots = [
        Shot(make_video(media_dir / f"{name}.mp4", seconds=2, width=640, height=360), duration=2.0, has_audio=True)
        for name in ("a", "b")
    ]
    out = media_dir / "exports" / "film.mp4"
    with pytest.raises(FfmpegError) as stopped:
        join_shots(shots, (640, 360), out, timeout=0.001)
    assert str(stopped.value).startswith("The chain export took")
    assert list(out.parent.iterdir()) == []


@pytest.mark.django_db(transaction=True)
def test_a_chain_of_two_shots_exports_one_mp4_whose_duration_is_the_sum(
    owner_client, owner, chain, start_worker, media_dir
):
    first, second = chain
    owner_client.post(f"/chains/{second.public_id}/export/")
    [export] = Job.objects.filter(kind="chain_export")
    worker = start_worker()
    done = wait_for(lambda: Job.objects.filter(pk=export.pk, status__in=["succeeded", "failed"]).first())
    assert done.status == "succeeded", done.error_message
    assert done.progress == 1.0 and done.credits_status == "free"
    facts = _probe(done.video, media_dir)
    assert abs(facts.duration - (first.duration + second.duration)) < 0.1
    assert (facts.video.width, facts.video.height) == (640, 360) and facts.audio is not None
    assert done.poster and done.last_frame and abs(done.duration - 3.5) < 0.01
    assert not LedgerEntry.objects.filter(job_public_id=done.public_id).exists()
    # Kept like any result: listed in the gallery, downloadable, shareable.
    assert "Chain export · 2 shots · 3.5 s" in owner_client.get("/gallery/").content.decode()
    download = owner_client.get(f"/jobs/{done.public_id}/download/")
    assert download.status_code == 200 and " chain 4s.mp4" in download["Content-Disposition"]
    assert owner_client.post(f"/jobs/{done.public_id}/share/", {"expires": ""}).status_code == 302
    assert ShareLink.objects.filter(job=done).exists()
    worker.send_signal(signal.SIGTERM)
    assert worker.wait(timeout=30) == 0


@pytest.mark.django_db(transaction=True)
def test_an_export_whose_shot_was_deleted_fails_with_a_reason(owner_client, owner, chain, start_worker):
    first, second = chain
    owner_client.post(f"/chains/{second.public_id}/export/")
    [export] = Job.objects.filter(kind="chain_export")
    assert first.delete_with_files()
    start_worker()
    done = wait_for(lambda: Job.objects.filter(pk=export.pk, status__in=["succeeded", "failed"]).first())
    assert done.status == "failed" and "A shot of this chain was deleted" in done.error_message
    assert done.credits_status == "free" and not LedgerEntry.objects.filter(job_public_id=done.public_id).exists()


@pytest.mark.django_db(transaction=True)
def test_the_export_reports_its_real_progress_while_it_renders(owner_client, owner, media_dir, start_worker):
    first = succeeded(owner, media_dir, prompt="A long first shot", seconds=8.0, size=(1280, 720))
    _continue(owner_client, first)
    second = succeeded(owner, media_dir, prompt="@image1 a long second shot", seconds=8.0, size=(1280, 720))
    owner_client.post(f"/chains/{second.public_id}/export/")
    [export] = Job.objects.filter(kind="chain_export")
    start_worker()
    seen = wait_for(
        lambda: Job.objects.filter(pk=export.pk, status="running", progress__gt=0, progress__lt=1).first(),
        interval=0.05,
    )
    card = owner_client.get(f"/jobs/{export.public_id}/card/").content.decode()
    assert 0 < seen.progress < 1 and "Rendering" in card and 'aria-label="Render progress"' in card
    done = wait_for(lambda: Job.objects.filter(pk=export.pk, status__in=["succeeded", "failed"]).first())
    assert done.status == "succeeded" and done.progress == 1.0


@pytest.mark.django_db
def test_an_admin_sees_what_an_export_joins_and_what_a_shot_continues(admin_client, owner_client, chain):
    first, second = chain
    owner_client.post(f"/chains/{second.public_id}/export/")
    [export] = Job.objects.filter(kind="chain_export")
    assert "Chain export" in admin_client.get("/admin/studio/job/?kind=chain_export").content.decode()
    page = admin_client.get(f"/admin/studio/job/{export.pk}/change/").content.decode()
    assert str(first.public_id) in page and str(second.public_id) in page
    assert str(first.public_id) in admin_client.get(f"/admin/studio/job/{second.pk}/change/").content.decode()


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("as_takes", [False, True], ids=["one job", "takes"])
def test_a_shot_deleted_while_its_next_is_submitted_refuses_and_charges_nothing(owner, tmp_path, monkeypatch, as_takes):
    """Another tab deletes the shot between the checks and the insert: the database refuses the link, and the
    creative is told what happened instead of a blank answer or an error page."""
    from seedance_studio.studio import submission

    first = succeeded(owner, tmp_path)
    draft = Composition.objects.draft_for(owner)
    draft.prompt, draft.provider, draft.tier = "The cat jumps", "local_preview", "local"
    draft.save()
    draft.set_continues(first)
    looked_up = submission._continued

    def continued_then_deleted(d):
        shot = looked_up(d)
        Job.objects.filter(pk=shot.pk).delete()  # the other tab
        return shot

    monkeypatch.setattr(submission, "_continued", continued_then_deleted)
    jobs_before = Job.objects.count()
    with pytest.raises(submission.SubmissionRefused) as refused:
        if as_takes:
            submission.submit_takes(draft, None, references=draft.ordered_references(), count=2)
        else:
            submission.submit_draft(draft, None)

    assert "the shot it continues may have been deleted" in refused.value.problems[0]
    assert Job.objects.count() == jobs_before - 1  # only the deleted shot is gone; nothing was made
    assert not LedgerEntry.objects.filter(user=owner, kind="reserve").exists()
