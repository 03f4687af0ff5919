"""The compose form shares its field objects between forms (built once per process): nothing may change them."""

from __future__ import annotations

import pytest
from django.urls import reverse

from seedance_studio import seedance
from seedance_studio.studio.forms import _FIXED_FIELDS, ComposeForm, _extra_fields
from seedance_studio.studio.models import Composition
from tests.compose_forms import HTMX, compose_form

pytestmark = pytest.mark.django_db


def _state(fields) -> dict[str, str]:
    """Everything a field holds, its widget's attributes and choices included, as text to compare."""
    return {
        name: repr((sorted(vars(field).items()), sorted(vars(field.widget).items()), field.widget.attrs))
        for name, field in fields.items()
    }


def _every_shared_field() -> dict:
    fields = dict(_FIXED_FIELDS)
    for provider in seedance.providers():
        fields.update({f"{provider.id}:{name}": field for name, field in _extra_fields(provider.id).items()})
    return fields


def test_it_leaves_every_shared_field_as_it_was_after_validating_and_rendering_forms(owner, owner_client):
    before = _state(_every_shared_field())
    draft = Composition.objects.draft_for(owner)
    for provider in seedance.providers():
        model = f"{provider.id}/{provider.tiers[0].id}"
        for data in (
            compose_form(model=model),
            compose_form(model=model, duration="99", seed="x", aspect_ratio="7:5", prompt="p" * 20001),
            None,
        ):
            form = ComposeForm(data, composition=draft)
            form.is_valid()
            for bound in form:
                str(bound), bound.errors, bound.label_tag()
        owner_client.post(reverse("check"), compose_form(model=model, duration="99"), **HTMX)
        assert owner_client.get(reverse("compose")).status_code == 200
    assert _state(_every_shared_field()) == before


def test_it_gives_each_form_its_own_errors_and_values(owner):
    draft = Composition.objects.draft_for(owner)
    bad = ComposeForm(compose_form(duration="99"), composition=draft)
    good = ComposeForm(compose_form(duration="8"), composition=draft)
    assert not bad.is_valid() and "duration" in bad.errors
    assert good.is_valid() and good.cleaned_data["duration"] == 8 and not good.errors
    assert bad.fields is not good.fields  # a form may add or drop its own fields without touching another's


def test_it_offers_only_the_selected_providers_own_options(owner):
    draft = Composition.objects.draft_for(owner)
    hiapi = ComposeForm(compose_form(model="hiapi/seedance-2-0"), composition=draft)
    local = ComposeForm(compose_form(), composition=draft)
    assert [name for name in hiapi.fields if name.startswith("extra_")] == list(_extra_fields("hiapi"))
    assert _extra_fields("hiapi") and not [name for name in local.fields if name.startswith("extra_")]
