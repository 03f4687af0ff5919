"""The Content-Security-Policy in a real browser: every page the studio serves works under it (uploads, the live
panel, @-mention completion, cards that poll until the video plays, sharing, the admin) and the browser reports
no violation; the share embed is the one page another site may frame."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from seedance_studio.sharing.models import ShareLink
from seedance_studio.studio.models import Job
from seedance_studio.worker.models import Worker
from tests.browser.test_mentions import upload_references
from tests.sharing.videos import finished_job, make_share_media

pytestmark = pytest.mark.django_db(transaction=True)

# Runs first in every document (and frame) the page opens: collects what the browser blocks.
WATCH = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__csp.push(`${e.violatedDirective} blocked ${e.blockedURI || "inline"} at ${e.sourceFile}:${e.lineNumber}`);
});
"""


class Violations:
    """Violations the pages report, and CSP complaints on the console (eval, framing), page by page."""

    def __init__(self, page):
        self.page = page
        self.console: list[str] = []
        page.context.add_init_script(WATCH)
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.console.append(f"page error: {error}"))

    def _console(self, message):
        if "Content Security Policy" in message.text or "Content-Security-Policy" in message.text:
            self.console.append(message.text)

    def reported(self) -> list[str]:
        return self.page.evaluate("window.__csp || []") + self.console

    def assert_none(self, where: str):
        assert self.reported() == [], f"CSP violations on {where}"

    def goto(self, url: str):
        response = self.page.goto(url)
        assert response is not None and response.status == 200, url
        policy = response.headers["content-security-policy"]
        assert "script-src 'self'" in policy and "style-src 'self'" in policy and "unsafe" not in policy
        return response


def test_the_studio_runs_under_its_policy_with_no_violation(
    signed_in_page, start_worker, media_dir, live_server, settings, browser, admin_user
):
    settings.PUBLIC_BASE_URL = live_server.url
    page = signed_in_page
    csp = Violations(page)
    start_worker()

    # Compose: uploads, @-completion, the live panel, submit, a card that polls until its video plays.
    csp.goto(f"{live_server.url}/")
    upload_references(page, media_dir)
    prompt = page.locator("#id_prompt")
    prompt.click()
    page.keyboard.type("The harbour @")
    expect(page.locator(".mention-menu")).to_be_visible()
    page.keyboard.press("Enter")
    expect(prompt).to_have_value("The harbour @image1 ")
    page.keyboard.type("at dawn")
    page.select_option("#id_duration", "4")
    page.select_option("#id_resolution", "480p")
    page.wait_for_selector("#live-panel .price")
    with page.expect_response("**/compose/options/**"):
        page.select_option("#id_model", "hiapi/seedance-2-0")
    page.wait_for_selector("#provider-options legend:has-text('HiAPI options')")
    with page.expect_response("**/compose/options/**"), page.expect_response("**/compose/check/"):
        page.select_option("#id_model", "local_preview/local")
    expect(page.locator("#live-panel")).to_contain_text("Local preview")
    expect(page.locator("#submit-button")).to_be_enabled()
    page.click("#compose-form button[type=submit]")
    page.wait_for_selector(".job-card[data-poll-seconds]")  # card-polling.js asks for it, no eval needed
    video = page.wait_for_selector(".job-card video", timeout=120_000)
    page.evaluate("v => { v.muted = true; return v.play(); }", video)
    page.wait_for_function("v => v.currentTime > 0.3", arg=video, timeout=20_000)
    csp.assert_none("the compose page")
    job = Job.objects.get()
    assert job.status == "succeeded"

    # The gallery: a filter (htmx, pushed to the URL) and the hover preview.
    csp.goto(f"{live_server.url}/gallery/")
    with page.expect_response("**/gallery/?*"):
        page.fill("#id_q", "harbour")
    page.hover(".job-card .frame")
    page.wait_for_function("() => !document.querySelector('.job-card video').paused", timeout=20_000)
    csp.assert_none("the gallery")

    # The result page: share it (htmx panel, copy button) and ask to delete, then say no.
    csp.goto(f"{live_server.url}/jobs/{job.public_id}/")
    page.click("#share-panel button[type=submit]")
    link = page.wait_for_selector("#share-url").input_value()
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    page.click("#share-panel [data-copy]")
    expect(page.locator("#share-panel [data-copy]")).to_have_text("Copied")
    asked = []
    page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.dismiss()))
    page.click("form.delete button")
    page.wait_for_timeout(300)
    assert asked == ["Delete this job and its video? Its credit lines stay on your statement."]
    assert Job.objects.filter(pk=job.pk).exists()  # dismissed: nothing deleted
    csp.assert_none("the result page")

    # The share page and the embed, as a viewer sees them.
    csp.goto(link)
    player = page.wait_for_selector("video.share-player")
    assert page.evaluate("v => getComputedStyle(v).aspectRatio", player) == "16 / 9"  # from a class, not style=""
    page.evaluate("v => { v.muted = true; return v.play(); }", player)
    page.wait_for_function("v => v.currentTime > 0.3", arg=player, timeout=20_000)
    csp.assert_none("the share page")
    csp.goto(f"{link}embed")
    page.wait_for_selector("video.embed-player")
    csp.assert_none("the embed page")

    # The admin under the same policy: its own pages and the studio's (job, workers, reports).
    admin = browser.new_context(viewport={"width": 1360, "height": 900})
    try:
        admin_page = admin.new_page()
        watched = Violations(admin_page)
        watched.goto(f"{live_server.url}/admin/login/")
        admin_page.fill("#id_username", "admin")
        admin_page.fill("#id_password", "password")
        admin_page.click("input[type=submit]")
        admin_page.wait_for_url(f"{live_server.url}/admin/")
        for path in (
            "/admin/",
            f"/admin/studio/job/{job.pk}/change/",
            "/admin/worker/worker/",
            f"/admin/worker/worker/{Worker.objects.get().pk}/change/",
            "/admin/credits/spend/",
            "/admin/credits/reconciliation/",
            "/admin/studio/providers/",
            f"/admin/auth/user/{admin_user.pk}/change/",
        ):
            watched.goto(f"{live_server.url}{path}")
            watched.assert_none(path)
    finally:
        admin.close()

    # The watcher is not blind: an inline style set from a script is reported.
    page.evaluate("() => document.body.insertAdjacentHTML('beforeend', '<p style=\"color: red\">x</p>')")
    page.wait_for_function("() => window.__csp.length > 0")
    assert "style-src-attr" in page.evaluate("window.__csp")[0]


def test_only_the_embed_may_be_framed_by_another_site(page, live_server, settings, owner, media_dir):
    settings.PUBLIC_BASE_URL = live_server.url
    token = ShareLink.objects.share(
        finished_job(owner, make_share_media(media_dir)), show_prompt=False, expires_in_days=None
    ).token()
    console: list[str] = []
    page.on("console", lambda message: console.append(message.text))
    # A page of another site, framing the embed and the share page: `localhost` is another origin than the
    # studio's 127.0.0.1 (and on this machine, so Chrome's private network rules let it frame it).
    elsewhere = live_server.url.replace("127.0.0.1", "localhost") + "/elsewhere/post.html"
    page.route(
        elsewhere,
        lambda route: route.fulfill(
            content_type="text/html",
            body=f'<iframe id="embed" src="{live_server.url}/s/{token}/embed"></iframe>'
            f'<iframe id="page" src="{live_server.url}/s/{token}/"></iframe>',
        ),
    )
    page.goto(elsewhere)
    embed = page.frame_locator("#embed")
    expect(embed.locator("video.embed-player")).to_be_attached()
    framed_page = page.frame_locator("#page")
    expect(framed_page.locator("video")).to_have_count(0)
    page.wait_for_timeout(500)
    assert any("frame-ancestors 'none'" in line for line in console), console
