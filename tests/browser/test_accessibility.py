"""axe-core on every page a creative or a viewer sees, at a phone's and a laptop's width, in both themes: no
serious or critical WCAG 2 A/AA violation, and nothing that scrolls sideways. (The admin is Django's own.)"""

import pytest

from seedance_studio.sharing.models import ShareLink
from tests.browser.accessibility import assert_accessible, assert_no_sideways_scroll, axe_script
from tests.jobs import succeeded
from tests.media_factory import make_audio, make_image

pytestmark = pytest.mark.django_db(transaction=True)


def _context(browser, width, scheme):
    height = 844 if width < 600 else 900
    # axe is injected as a script of the test's own, which the studio's Content-Security-Policy rightly refuses;
    # the policy itself is held by tests/browser/test_content_security_policy.py.
    return browser.new_context(
        viewport={"width": width, "height": height},
        color_scheme=scheme,
        is_mobile=width < 600,
        has_touch=width < 600,
        bypass_csp=True,
    )


def _sign_in(page, live_server):
    page.goto(f"{live_server.url}/accounts/signin/")
    page.fill("#id_username", "olivia")
    page.fill("#id_password", "a-long-test-password-1")
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")


@pytest.mark.parametrize("width", [390, 1440])
@pytest.mark.parametrize("scheme", ["dark", "light"])
def test_every_page_passes_axe(browser, live_server, owner, media_dir, settings, width, scheme):
    axe_script()  # skips with the reason when npm is missing, before anything is set up
    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = False
    context = _context(browser, width, scheme)
    try:
        page = context.new_page()
        page.set_default_timeout(30_000)

        def check(path, where, heading=True):
            response = page.goto(f"{live_server.url}{path}")
            assert response and response.status == 200, f"{where}: {response and response.status}"
            if heading:  # one level-one heading names the page (the embed is a bare player)
                assert page.locator("h1").count() == 1, f"{where} has {page.locator('h1').count()} <h1>"
            assert_no_sideways_scroll(page, where)
            assert_accessible(page, where)

        check("/accounts/signin/", "the sign-in page")
        _sign_in(page, live_server)
        assert page.locator("h1").count() == 1
        assert_accessible(page, "the compose page of a newcomer")
        page.set_input_files("#upload-input", str(make_image(media_dir / "harbour.jpg", 640, 360)))
        page.wait_for_selector(".chip[data-name='harbour.jpg']")
        page.set_input_files("#upload-input", str(make_audio(media_dir / "waves.mp3", 2)))
        page.wait_for_selector(".chip[data-name='waves.mp3']")
        job = succeeded(owner, media_dir, prompt="@image1 at dawn, the sound of @audio1")
        link = ShareLink.objects.share(job, show_prompt=True, expires_in_days=None)

        check("/", "the compose page with references and a job")
        if width < 600:
            page.click(".menu-toggle")
            assert_accessible(page, "the compose page with the phone menu open")
        check("/gallery/", "the gallery")
        check(f"/jobs/{job.public_id}/", "the result page")
        check("/credits/", "the credits page")
        check(f"/s/{link.token()}/", "the share page")
        check(f"/s/{link.token()}/embed", "the embed player", heading=False)
        # The pages issue 12 added: the library, the comparison of every provider, two takes side by side, and
        # the chain a continued shot belongs to.
        next_shot = succeeded(owner, media_dir, prompt="@image1 at noon", continues=job)
        check("/library/", "the library")
        check("/compose/compare/", "the comparison of every provider")
        check(f"/jobs/compare/?a={job.public_id}&b={next_shot.public_id}", "two results side by side")
        check(f"/chains/{next_shot.public_id}/", "a chain of two shots")
    finally:
        context.close()
