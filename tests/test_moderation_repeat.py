"""The live panel warns before a creative sends GoAPI again a recipe its moderation refused.

GoAPI: "Flagged content will be rejected after a short delay. Repeated violations incur progressive credit
penalties." (shared/seeds/001_972d478171c6ac8f.txt:344-346). PiAPI's document names no such penalty (000:376-381).
"""

import re
import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from seedance_studio.credits import ledger
from seedance_studio.provider_api import make_config
from seedance_studio.studio.models import Composition, Job
from seedance_studio.studio.submission import submit_draft
from tests.compose_forms import stored_reference
from tests.credits.money import claimed
from tests.test_live_check import HTMX, _form

pytestmark = pytest.mark.django_db

PROMPT = "@image1 walks along the beach"
WARNING = "GoAPI&#x27;s moderation already refused this prompt with these references."


@pytest.fixture(autouse=True)
def _providers_configured(settings):
    settings.PROVIDERS = {
        **settings.PROVIDERS,
        "goapi": make_config("goapi", "test-key-goapi"),
        "piapi": make_config("piapi", "test-key-piapi"),
    }
    settings.PUBLIC_BASE_URL = "https://studio.example.com"


@pytest.fixture
def draft(owner):
    draft = Composition.objects.draft_for(owner)
    draft.append([stored_reference(owner, "image", "beach.png")])
    return draft


def _ended(user, draft, *, provider="goapi", tier="seedance-2-fast", prompt=PROMPT, moderation=True) -> Job:
    """A job made from `draft` as it is, refused by moderation (or failed otherwise) through the Job's own ending."""
    draft.save_draft_fields(
        dict(
            provider=provider, tier=tier, prompt=prompt, duration=5, resolution="480p", aspect_ratio="16:9", mode="auto"
        )
    )
    job = submit_draft(draft, uuid.uuid4())
    assert claimed(job).fail(
        "worker-a", "GoAPI refused this video on content grounds (moderation): flagged.", moderation=moderation
    )
    return job


def _check(client, model="goapi/seedance-2-fast", prompt=PROMPT):
    page = client.post("/compose/check/", _form(model=model, prompt=prompt, resolution="480p"), **HTMX)
    assert page.status_code == 200
    return page.content.decode()


def test_it_warns_before_resubmitting_a_recipe_goapi_refused(owner_client, owner, draft):
    """001_972d478171c6ac8f.txt:345: the warning names the penalty and what to change, and Submit stays on."""
    _ended(owner, draft)

    page = _check(owner_client)

    assert WARNING in page
    assert (
        "GoAPI says repeated moderation violations incur progressive credit penalties: reword what was "
        "flagged or change the references before you submit it again." in page
    )
    assert re.search(r'<li class="finding warning" data-code="moderation.repeat">', page)
    slot = re.search(r'id="slot-prompt" hx-swap-oob="true">(.*?)</ul>', page, re.S)
    assert slot and "progressive credit penalties" in slot.group(1)
    assert not re.search(r'id="submit-button"[^>]*\sdisabled', page)


def test_it_warns_on_the_compose_page_too(owner_client, owner, draft):
    """The same finding (001:345) when the page is opened on the refused recipe, not only while typing."""
    _ended(owner, draft)

    assert WARNING in owner_client.get("/").content.decode()


def test_it_does_not_warn_once_the_prompt_or_the_references_changed(owner_client, owner, draft):
    """001:345 penalises repeated violations: a changed prompt or a changed set of references is a new request."""
    _ended(owner, draft)

    assert WARNING not in _check(owner_client, prompt="@image1 walks along the beach at dusk")
    draft.append([stored_reference(owner, "image", "dunes.png")])
    assert "moderation.repeat" not in _check(owner_client)


def test_it_warns_only_for_a_moderated_goapi_job_of_the_creative_themself(owner_client, owner, outsider, draft):
    """Only GoAPI documents the penalty (001:345; nothing like it in 000:376-381), only moderation counts, and
    only the creative's own jobs."""
    _ended(owner, draft, moderation=False)  # failed for another reason
    _ended(owner, draft, provider="piapi")  # PiAPI has no penalty
    assert "moderation.repeat" not in _check(owner_client)
    assert "moderation.repeat" not in _check(owner_client, model="piapi/seedance-2-fast")

    theirs = Composition.objects.draft_for(outsider)
    theirs.append(list(draft.ordered_references()))  # the same files, in someone else's recipe
    ledger.grant(outsider, 1000, reason="Test persona: funded.")
    _ended(outsider, theirs)
    assert "moderation.repeat" not in _check(owner_client)


def test_it_costs_the_live_check_one_query(owner_client, owner, draft):
    """The history check is one indexed query on the owner's jobs, and none for a provider without a penalty."""
    _ended(owner, draft)
    _check(owner_client, model="piapi/seedance-2-fast")  # warm up the session and the user

    with CaptureQueriesContext(connection) as piapi:
        _check(owner_client, model="piapi/seedance-2-fast")
    with CaptureQueriesContext(connection) as goapi:
        page = _check(owner_client)
    assert WARNING in page
    assert len(goapi) == len(piapi) + 1
