"""Saving a creative's draft and reading its references: the model methods every compose endpoint goes through."""

from __future__ import annotations

import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from seedance_studio.studio.models import Composition
from seedance_studio.studio.models.composition import _draft_references_query
from tests.test_live_check import _reference

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(owner):
    draft = Composition.objects.draft_for(owner)
    draft.append(
        [_reference(owner, "image", "a.png"), _reference(owner, "video", "b.mp4"), _reference(owner, "image", "c.png")]
    )
    return draft


def test_saving_a_draft_is_one_update_that_stamps_it(draft):
    before = draft.updated_at
    with CaptureQueriesContext(connection) as queries:
        draft.save_draft_fields({"prompt": "@image1 at dusk", "duration": 8})
    assert len(queries) == 1 and queries[0]["sql"].startswith("UPDATE")
    assert (draft.prompt, draft.duration) == ("@image1 at dusk", 8)
    saved = Composition.objects.get(pk=draft.pk)
    assert (saved.prompt, saved.duration) == ("@image1 at dusk", 8)
    assert saved.updated_at == draft.updated_at > before


def test_saving_by_owner_touches_only_their_draft(owner, outsider, draft):
    theirs = Composition.objects.draft_for(outsider)
    frozen = draft.freeze()
    with CaptureQueriesContext(connection) as queries:
        Composition.objects.save_draft_fields(owner, {"prompt": "typed"})
    assert len(queries) == 1
    assert Composition.objects.get(pk=draft.pk).prompt == "typed"
    assert Composition.objects.get(pk=draft.pk).updated_at > draft.updated_at
    assert Composition.objects.get(pk=theirs.pk).prompt == "" and Composition.objects.get(pk=frozen.pk).prompt == ""


@pytest.mark.parametrize("fields", [{"owner": None}, {"is_draft": False}, {"prompt": "x", "created_at": None}])
def test_only_recipe_fields_are_saved_onto_a_draft(owner, draft, fields):
    with pytest.raises(ValueError, match="not recipe fields"):
        draft.save_draft_fields(fields)
    with pytest.raises(ValueError, match="not recipe fields"):
        Composition.objects.save_draft_fields(owner, fields)


def test_the_draft_references_are_what_the_orm_query_finds(owner, outsider, draft):
    a, b, c = draft.ordered_references()
    draft.move(c, -2)
    draft.pin(a, "last")
    Composition.objects.draft_for(outsider).append([_reference(outsider, "image", "theirs.png")])
    draft.freeze()  # a job's copy of the same files is not the draft

    found = list(Composition.objects.draft_references(owner))
    expected = list(_draft_references_query(owner.pk))

    assert (
        [(r.pk, r.frame) for r in found]
        == [(r.pk, r.frame) for r in expected]
        == [(c.pk, ""), (a.pk, "last"), (b.pk, "")]
    )
    assert [r.public_url() for r in found] == [r.public_url() for r in expected]
    assert [r.original_name for r in Composition.objects.draft_references(outsider)] == ["theirs.png"]


def test_a_reference_url_is_what_reverse_gives(owner, settings):
    reference = _reference(owner, "image", "a.png")
    settings.PUBLIC_BASE_URL = "https://studio.example.com/"
    assert reference.public_url() == "https://studio.example.com" + reverse(
        "public_reference", args=[reference.public_token, reference.extension]
    )
    settings.PUBLIC_BASE_URL = "https://other.example.org"  # a changed setting is followed at once
    assert reference.public_url().startswith("https://other.example.org/p/r/")


def test_a_composition_names_its_model_without_the_evaluation_bridge():
    assert Composition(provider="piapi", tier="seedance-2-fast").model_label == "PiAPI · Seedance 2 Fast"
    assert Composition(provider="local_preview", tier="local").model_label == "Local preview"
    assert Composition(provider="gone", tier=str(uuid.uuid4())).model_label == "gone"
