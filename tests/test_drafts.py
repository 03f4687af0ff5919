"""Saving a creative's draft and reading its references: the model methods every compose endpoint goes through."""

from __future__ import annotations

import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from seedance_studio.studio.models import Composition
from seedance_studio.studio.models.composition import _draft_references_query
from tests.compose_forms import stored_reference

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(owner):
    draft = Composition.objects.draft_for(owner)
    draft.append(
        [
            stored_reference(owner, "image", "a.png"),
            stored_reference(owner, "video", "b.mp4"),
            stored_reference(owner, "image", "c.png"),
        ]
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


def test_saving_every_recipe_field_by_owner_stores_each_value_as_the_orm_would(owner, draft):
    """The owner's UPDATE is compiled once per field set: every type (JSON, NULL, bool, numbers) still arrives."""
    fields = {
        "provider": "hiapi",
        "tier": "seedance-2-0",
        "mode": "omni_reference",
        "prompt": "@image1 写实 at dusk",
        "duration": 12,
        "aspect_ratio": "9:16",
        "resolution": "1080p",
        "generate_audio": False,
        "seed": 42,
        "extras": {"web_search": True, "nested": {"a": [1, 2]}},
    }
    Composition.objects.save_draft_fields(owner, fields)
    assert Composition.objects.get(pk=draft.pk).recipe() == fields
    Composition.objects.save_draft_fields(owner, {**fields, "seed": None, "extras": {}})  # NULL: another SQL
    assert Composition.objects.get(pk=draft.pk).recipe() == {**fields, "seed": None, "extras": {}}
    Composition.objects.save_draft_fields(owner, {**fields, "seed": 7})  # and back to the first one
    assert Composition.objects.get(pk=draft.pk).seed == 7


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
    Composition.objects.draft_for(outsider).append([stored_reference(outsider, "image", "theirs.png")])
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


def test_the_draft_references_hold_every_value_as_the_orm_builds_it(owner, draft):
    """Built from the compiled SQL (compiled_queries): the same types after the database's converters (UUIDs,
    booleans, aware datetimes on SQLite), saved-state flags and the `frame` annotation."""
    draft.pin(draft.ordered_references()[0], "first")
    found = Composition.objects.draft_references(owner)
    expected = list(_draft_references_query(owner.pk))
    assert len(found) == 3
    for ours, orms in zip(found, expected, strict=True):
        values = {field.attname: getattr(ours, field.attname) for field in ours._meta.concrete_fields}
        assert values == {field.attname: getattr(orms, field.attname) for field in orms._meta.concrete_fields}
        assert {name: type(value) for name, value in values.items()} == {
            field.attname: type(getattr(orms, field.attname)) for field in orms._meta.concrete_fields
        }
        assert ours.frame == orms.frame and isinstance(ours.public_id, uuid.UUID) and ours.created_at.tzinfo
        assert (ours._state.adding, ours._state.db) == (False, orms._state.db)
    assert [r.frame for r in found] == ["first", "", ""]


def test_a_reference_url_is_what_reverse_gives(owner, settings):
    reference = stored_reference(owner, "image", "a.png")
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
