"""Share links: the owner shares a finished video and stops it; anyone with the link watches it on a phone."""

import hashlib
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.contrib.messages import get_messages
from django.db import IntegrityError
from django.utils import timezone

from seedance_studio.sharing.models import ShareLink
from seedance_studio.studio.models import Composition, Job
from seedance_studio.studio.submission import submit_draft
from tests.compose_forms import HTMX
from tests.sharing.conftest import PUBLIC
from tests.sharing.videos import PROMPT, finished_job, meta_tags

pytestmark = pytest.mark.django_db

URL_TAGS = [
    "og:url",
    "og:image",
    "og:video",
    "og:video:secure_url",
    "twitter:image",
    "twitter:player",
    "twitter:player:stream",
]


def shared(job, *, show_prompt=True, expires_in_days=None) -> tuple[ShareLink, str]:
    link = ShareLink.objects.share(job, show_prompt=show_prompt, expires_in_days=expires_in_days)
    return link, link.token()


def stopped_page(client, token):
    response = client.get(f"/s/{token}/")
    assert response.status_code == 404
    assert "This link does not work" in response.content.decode()
    return response.content


# --- The link itself ------------------------------------------------------------------------------------------


def test_it_stores_only_the_hash_of_a_long_random_token(done):
    link, token = shared(done)
    assert len(token) == 43  # base64url of 32 bytes
    assert link.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert len(link.salt) == 64 and link.salt not in token
    row = ShareLink.objects.filter(pk=link.pk).values().get()
    assert not any(token in str(value) for value in row.values())
    assert link.url() == f"{PUBLIC}/s/{token}/"


def test_the_token_needs_the_secret_key_and_survives_a_rotation(done, settings, client):
    link, token = shared(done)
    old_key = settings.SECRET_KEY
    settings.SECRET_KEY = "a-brand-new-secret-key-for-the-studio-0123456789"
    assert link.url() == ""  # the database alone cannot rebuild the link
    assert client.get(f"/s/{token}/").status_code == 200  # but people who have it can still watch
    settings.SECRET_KEY_FALLBACKS = [old_key]
    assert link.url() == f"{PUBLIC}/s/{token}/"


def test_sharing_again_keeps_the_link_people_already_have(done):
    first, token = shared(done, show_prompt=False)
    again, same = shared(done, show_prompt=True, expires_in_days=7)
    assert (again.pk, same, again.show_prompt, again.expires_at) == (first.pk, token, False, None)
    assert ShareLink.objects.count() == 1


def test_the_database_allows_one_live_link_per_job(done):
    shared(done)
    with pytest.raises(IntegrityError):
        ShareLink.objects.create(job=done, token_hash="0" * 64, salt="1" * 64)


def test_an_expired_link_is_replaced_by_a_new_one(done, client):
    old, old_token = shared(done, expires_in_days=1)
    ShareLink.objects.filter(pk=old.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    new, new_token = shared(done)
    assert new.pk != old.pk and new_token != old_token
    old.refresh_from_db()
    assert old.revoked_at is not None
    stopped_page(client, old_token)
    assert client.get(f"/s/{new_token}/").status_code == 200


def test_a_malformed_token_is_refused_without_a_query(django_assert_num_queries):
    with django_assert_num_queries(0):
        assert ShareLink.objects.find("short") is None
        assert ShareLink.objects.find("x" * 42 + "!") is None


# --- The owner's actions --------------------------------------------------------------------------------------


def test_it_shares_with_htmx_and_answers_with_the_panel(owner_client, done):
    response = owner_client.post(f"/jobs/{done.public_id}/share/", {"show_prompt": "on", "expires": "7"}, **HTMX)
    assert response.status_code == 200
    link = ShareLink.objects.get()
    page = response.content.decode()
    assert 'id="share-panel"' in page and f'value="{link.url()}"' in page and "readonly" in page
    assert 'data-copy="#share-url"' in page and "js/copy-link.js" in page
    assert "Stop sharing" in page and "0 views" in page and "Prompt shown" in page
    assert "Shared: anyone with the link can watch this video and read its prompt." in page
    assert link.show_prompt
    assert abs(link.expires_at - (timezone.now() + timedelta(days=7))) < timedelta(minutes=1)


def test_it_offers_never_and_one_seven_thirty_days_and_no_other(owner_client, done):
    page = owner_client.post(f"/jobs/{done.public_id}/share/revoke/", **HTMX).content.decode()
    assert "This video was not being shared." in page
    for option in (
        '<option value="">Never</option>',
        '<option value="1">After 1 day</option>',
        '<option value="7">After 7 days</option>',
        '<option value="30">After 30 days</option>',
    ):
        assert option in page
    response = owner_client.post(f"/jobs/{done.public_id}/share/", {"expires": "5"}, **HTMX)
    assert "Choose when the link stops working: never, or after 1, 7 or 30 days." in response.content.decode()
    assert not ShareLink.objects.exists()


def test_without_javascript_it_redirects_to_the_result_page_with_a_message(owner_client, done):
    response = owner_client.post(f"/jobs/{done.public_id}/share/", {"expires": ""})
    assert response.status_code == 302 and response["Location"] == f"/jobs/{done.public_id}/"
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "Shared: anyone with the link can watch this video (its prompt stays private)."
    ]
    link = ShareLink.objects.get()
    assert (link.show_prompt, link.expires_at) == (False, None)

    response = owner_client.post(f"/jobs/{done.public_id}/share/revoke/")
    assert response.status_code == 302 and response["Location"] == f"/jobs/{done.public_id}/"
    link.refresh_from_db()
    assert link.revoked_at is not None


def test_only_a_finished_video_can_be_shared(owner_client, owner):
    draft = Composition.objects.draft_for(owner)
    draft.prompt = "Still rendering"
    draft.save()
    queued = submit_draft(draft, None)
    response = owner_client.post(f"/jobs/{queued.public_id}/share/", {}, **HTMX)
    assert response.status_code == 200
    assert (
        "Only a finished video can be shared, and this job is queued. Share it once it has succeeded."
        in response.content.decode()
    )
    assert not ShareLink.objects.exists()


def test_stopping_sharing_makes_the_link_and_its_files_a_404(owner_client, client, done):
    link, token = shared(done)
    response = owner_client.post(f"/jobs/{done.public_id}/share/revoke/", **HTMX)
    page = response.content.decode()
    assert "Sharing stopped" in page and 'name="show_prompt"' in page and "Stop sharing" not in page
    link.refresh_from_db()
    assert link.revoked_at is not None
    stopped_page(client, token)
    for path in ("video.mp4", "poster.jpg", "embed", "download/"):
        assert client.get(f"/s/{token}/{path}").status_code == 404


def test_another_creative_cannot_share_or_stop_the_owners_video(outsider_client, done):
    link, _token = shared(done)
    for action in ("share/", "share/revoke/"):
        assert outsider_client.post(f"/jobs/{done.public_id}/{action}", **HTMX).status_code == 404
    link.refresh_from_db()
    assert link.revoked_at is None and ShareLink.objects.count() == 1


def test_a_visitor_without_an_account_is_sent_to_sign_in(client, done):
    for action in ("share/", "share/revoke/"):
        response = client.post(f"/jobs/{done.public_id}/{action}")
        assert response.status_code == 302 and response["Location"].startswith("/accounts/signin/")
    assert not ShareLink.objects.exists()


def test_share_actions_take_only_post(owner_client, done):
    assert owner_client.get(f"/jobs/{done.public_id}/share/").status_code == 405
    assert owner_client.get(f"/jobs/{done.public_id}/share/revoke/").status_code == 405


# --- What a viewer sees ---------------------------------------------------------------------------------------


def test_the_share_page_plays_the_studios_own_copy_for_anyone(client, done):
    _, token = shared(done)
    response = client.get(f"/s/{token}/")
    assert response.status_code == 200
    page = response.content.decode()
    assert (
        f'<video class="share-player" controls playsinline preload="metadata"\n'
        f'           poster="/s/{token}/poster.jpg" src="/s/{token}/video.mp4"'
    ) in page
    assert f'href="/s/{token}/download/" download' in page
    assert '<h1 class="share-title">A red fox crosses a snowy field at dawn, slow tracking shot</h1>' in page
    assert "2 s · 640×360 · Local preview" in page
    assert '<meta name="robots" content="noindex">' in page
    assert "<form" not in page and "csrf" not in page.lower()


def test_every_preview_tag_is_absolute_on_the_public_address_and_answers(client, done):
    _, token = shared(done)
    tags = meta_tags(client.get(f"/s/{token}/").content.decode())
    assert tags["og:type"] == "video.other" and tags["twitter:card"] == "player"
    assert tags["og:title"] == tags["twitter:title"] == PROMPT
    assert tags["og:video:type"] == tags["twitter:player:stream:content_type"] == "video/mp4"
    assert (tags["og:image:width"], tags["og:image:height"]) == ("960", "540")
    assert (tags["og:video:width"], tags["og:video:height"]) == ("640", "360")
    assert (tags["twitter:player:width"], tags["twitter:player:height"]) == ("640", "360")
    assert tags["og:url"] == f"{PUBLIC}/s/{token}/"
    assert tags["og:video"] == tags["og:video:secure_url"] == tags["twitter:player:stream"]
    assert tags["twitter:player"] == f"{PUBLIC}/s/{token}/embed"
    for name in URL_TAGS:
        assert tags[name].startswith(f"{PUBLIC}/s/{token}/"), name
        assert client.get(urlsplit(tags[name]).path).status_code == 200, name


def test_the_shared_video_seeks_with_range_requests(client, done):
    _, token = shared(done)
    response = client.get(f"/s/{token}/video.mp4", HTTP_RANGE="bytes=0-99")
    assert response.status_code == 206
    assert response["Content-Range"] == f"bytes 0-99/{done.video.size}"
    assert len(b"".join(response.streaming_content)) == 100
    assert response["Content-Type"] == "video/mp4" and response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"].startswith("public, max-age=")


def test_the_download_has_a_name_and_keeps_a_hidden_prompt_hidden(client, owner, share_media):
    job = finished_job(owner, share_media, prompt="Secret launch teaser for the new phone")
    _, token = shared(job, show_prompt=False)
    response = client.get(f"/s/{token}/download/")
    assert response.status_code == 200
    day = job.created_at.strftime("%Y-%m-%d")
    assert response["Content-Disposition"] == f'attachment; filename="{day} seedance-studio-video 2s.mp4"'


def test_a_hidden_prompt_is_nowhere_on_the_page_or_in_its_previews(client, owner, share_media):
    job = finished_job(owner, share_media, prompt="Secret launch teaser for the new phone")
    _, token = shared(job, show_prompt=False)
    page = client.get(f"/s/{token}/").content.decode()
    assert "Secret" not in page and "teaser" not in page.lower()
    tags = meta_tags(page)
    assert tags["og:title"] == tags["twitter:title"] == "A Seedance Studio video"
    assert tags["og:description"] == "A 2-second video made with Seedance Studio."
    assert '<h1 class="share-title">A Seedance Studio video</h1>' in page
    assert "Secret" not in client.get(f"/s/{token}/embed").content.decode()


def test_a_long_prompt_titles_the_page_and_is_shown_in_full_below(client, owner, share_media):
    prompt = "walks along the harbour at dawn while gulls circle overhead, " * 3 + "[[queue=2]]"
    job = finished_job(owner, share_media, prompt=prompt)
    _, token = shared(job)
    page = client.get(f"/s/{token}/").content.decode()
    title = meta_tags(page)["og:title"]
    assert title.startswith("Walks along the harbour at dawn") and title.endswith("…") and "[[" not in title
    assert f'<p class="share-prompt">{prompt.strip()}</p>' in page


def test_viewer_responses_set_no_cookie_and_tell_robots_and_referrers_nothing(client, done):
    _, token = shared(done)
    for path in ("", "embed", "video.mp4", "poster.jpg", "download/"):
        response = client.get(f"/s/{token}/{path}")
        assert response.status_code == 200, path
        assert not response.cookies and "Set-Cookie" not in response.headers, path
        assert response["X-Robots-Tag"] == "noindex", path
        assert response["Referrer-Policy"] == "no-referrer", path
        assert "Cookie" not in response.get("Vary", ""), path
    missing = client.get("/s/no-such-link/")
    assert missing.status_code == 404 and not missing.cookies
    assert missing["X-Robots-Tag"] == "noindex" and missing["Referrer-Policy"] == "no-referrer"


def test_a_signed_in_viewer_gets_no_cookie_either(owner_client, done):
    _, token = shared(done)
    response = owner_client.get(f"/s/{token}/")
    assert response.status_code == 200 and not response.cookies


def test_only_the_embed_may_be_framed_by_other_sites(client, done):
    _, token = shared(done)
    embed = client.get(f"/s/{token}/embed")
    assert embed.status_code == 200 and "X-Frame-Options" not in embed.headers
    policy = directives(embed)
    assert policy["frame-ancestors"] == "*"  # any site may frame the player ...
    assert policy["script-src"] == "'self'" and policy["style-src"] == "'self'"  # ... and the rest still holds
    page = embed.content.decode()
    assert f'src="/s/{token}/video.mp4"' in page and "playsinline" in page
    assert '<meta name="robots" content="noindex">' in page
    share_page = client.get(f"/s/{token}/")
    assert share_page["X-Frame-Options"] == "DENY" and directives(share_page)["frame-ancestors"] == "'none'"
    stopped = client.get("/s/not-a-token/embed")  # a stopped link says so inside the frame too
    assert stopped.status_code == 404 and directives(stopped)["frame-ancestors"] == "*"


def directives(response) -> dict[str, str]:
    policy = response["Content-Security-Policy"]
    return dict(part.strip().split(" ", 1) for part in policy.split(";") if part.strip())


def test_unknown_stopped_expired_and_deleted_links_all_look_the_same(client, owner, share_media, done):
    unknown = stopped_page(client, "A" * 43)
    assert stopped_page(client, "not-a-token") == unknown

    revoked, revoked_token = shared(finished_job(owner, share_media))
    revoked.revoke()
    assert stopped_page(client, revoked_token) == unknown

    expiring, expired_token = shared(finished_job(owner, share_media), expires_in_days=1)
    ShareLink.objects.filter(pk=expiring.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert stopped_page(client, expired_token) == unknown

    _, deleted_token = shared(done)
    assert Job.objects.get(pk=done.pk).delete_with_files()
    assert stopped_page(client, deleted_token) == unknown
    assert not ShareLink.objects.filter(job_id=done.pk).exists()


def test_it_counts_people_who_open_the_page_and_nothing_else(client, done):
    link, token = shared(done)
    client.get(f"/s/{token}/")
    client.get(f"/s/{token}/")
    client.get(f"/s/{token}/embed")
    client.get(f"/s/{token}/video.mp4", HTTP_RANGE="bytes=0-")
    client.get(f"/s/{token}/poster.jpg")
    client.head(f"/s/{token}/")
    client.get(f"/s/{token}/", HTTP_USER_AGENT="WhatsApp/2.24.1 A")
    client.get(f"/s/{token}/", HTTP_USER_AGENT="facebookexternalhit/1.1 (+http://www.facebook.com/externalhit.php)")
    link.refresh_from_db()
    assert link.views == 3


def test_the_share_page_costs_at_most_three_queries(client, done, django_assert_max_num_queries):
    _, token = shared(done)
    with django_assert_max_num_queries(3):
        assert client.get(f"/s/{token}/").status_code == 200
