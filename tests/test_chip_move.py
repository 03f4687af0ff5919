"""A chip dragged to a new place (POST .../move/ with `to`): the same renumbering as the arrow buttons."""

import re

import pytest

from seedance_studio.studio.models import Composition
from tests.compose_forms import HTMX, stored_reference

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(owner):
    draft = Composition.objects.draft_for(owner)
    draft.append([stored_reference(owner, "image", name) for name in ("harbour.png", "lantern.png", "gull.png")])
    Composition.objects.filter(pk=draft.pk).update(prompt="@image1 at dawn, @image2 glows, @image3 flies")
    return draft


def _names(draft):
    return [reference.original_name for reference in draft.ordered_references()]


def _moved_prompt(page: str) -> str:
    field = re.search(r'<div class="prompt-field" id="prompt-field" hx-swap-oob="true">(.*?)</div>', page, re.S)
    assert field
    return field.group(1)


def test_it_moves_a_dropped_chip_to_its_place_and_renumbers_the_prompt(owner_client, draft):
    gull = draft.ordered_references()[2]
    typed = "@image1 at dawn, @image2 glows, @image3 flies (typed)"
    response = owner_client.post(f"/compose/references/{gull.public_id}/move/", {"to": "0", "prompt": typed}, **HTMX)
    assert response.status_code == 200
    assert _names(draft) == ["gull.png", "harbour.png", "lantern.png"]
    draft.refresh_from_db()
    assert draft.prompt == "@image2 at dawn, @image3 glows, @image1 flies (typed)"
    assert "@image2 at dawn, @image3 glows, @image1 flies (typed)" in _moved_prompt(response.content.decode())
    assert "references-changed" in response["HX-Trigger-After-Settle"]


def test_a_place_past_the_end_puts_the_chip_last(owner_client, draft):
    harbour = draft.ordered_references()[0]
    owner_client.post(f"/compose/references/{harbour.public_id}/move/", {"to": "99"}, **HTMX)
    assert _names(draft) == ["lantern.png", "gull.png", "harbour.png"]
    draft.refresh_from_db()
    assert draft.prompt == "@image3 at dawn, @image1 glows, @image2 flies"


@pytest.mark.parametrize(
    "to, message",
    [
        ("", "Say where the reference goes: send its new place as `to` (0 for the first)."),
        ("first", "The new place of a reference is a whole number: 0 for the first, 1 for the second, and so on."),
        ("-1", "The new place of a reference is 0 (the first) or more."),
    ],
)
def test_a_bad_place_is_refused_with_the_reason_and_moves_nothing(owner_client, draft, to, message):
    lantern = draft.ordered_references()[1]
    response = owner_client.post(
        f"/compose/references/{lantern.public_id}/move/", {"to": to, "prompt": "@image2 kept as typed"}, **HTMX
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert message in page.replace("&quot;", '"').replace("&#x27;", "'")
    assert _names(draft) == ["harbour.png", "lantern.png", "gull.png"]
    assert "@image2 kept as typed" in _moved_prompt(page)


def test_without_javascript_a_move_redirects_back_to_compose(owner_client, draft):
    gull = draft.ordered_references()[2]
    response = owner_client.post(f"/compose/references/{gull.public_id}/move/", {"to": "1"})
    assert response.status_code == 302 and response["Location"] == "/"
    assert _names(draft) == ["harbour.png", "gull.png", "lantern.png"]


def test_only_the_owner_moves_their_chips(outsider_client, draft):
    from django.test import Client

    gull = draft.ordered_references()[2]
    assert outsider_client.post(f"/compose/references/{gull.public_id}/move/", {"to": "0"}).status_code == 404
    anonymous = Client().post(f"/compose/references/{gull.public_id}/move/", {"to": "0"})
    assert "/accounts/signin/" in anonymous["Location"]
    assert _names(draft) == ["harbour.png", "lantern.png", "gull.png"]
