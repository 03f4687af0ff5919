"""Named references from the chips: naming, renaming and clearing rewrite the prompt, the panel shows the prompt
as the provider receives it, names travel with the recipe, and each of the five providers receives the numbered
form in the create request its emulator got (the real worker step, the real HTTP layer)."""

import re

import pytest
from django.db import IntegrityError

from seedance_studio.studio.models import Composition, CompositionReference, Job
from tests.compose_forms import HTMX, compose_form, stored_reference
from tests.test_remote_jobs import REMOTE, RESOLUTION, _step, emulators  # noqa: F401  (emulators is a fixture)

pytestmark = pytest.mark.django_db


@pytest.fixture
def chips(owner):
    """Two images in the owner's draft, @image1 (hero.png) and @image2 (street.png)."""
    made = [stored_reference(owner, "image", "hero.png"), stored_reference(owner, "image", "street.png")]
    Composition.objects.draft_for(owner).append(made)
    return made


def _name(client, reference, name, prompt=None, **extra):
    data = {"name": name} if prompt is None else {"name": name, "prompt": prompt}
    return client.post(f"/compose/references/{reference.public_id}/name/", data, **extra)


def _names(owner) -> dict[str, str]:
    return {r.original_name: r.mention_name for r in Composition.objects.draft_for(owner).ordered_references()}


def _prompt_field(page: str) -> str:
    match = re.search(r'<textarea name="prompt"[^>]*>(.*?)</textarea>', page, re.S)
    assert match, page
    return match.group(1).strip()


def test_it_names_a_chip_and_rewrites_the_prompt_on_a_rename(owner_client, owner, chips):
    response = _name(owner_client, chips[0], "@hero", prompt="@image1 walks down @image2", **HTMX)
    assert response.status_code == 200
    assert _names(owner) == {"hero.png": "hero", "street.png": ""}
    assert "references-changed" in response["HX-Trigger-After-Settle"]
    page = response.content.decode()
    field = re.search(rf'<input id="name-{chips[0].public_id.hex}" name="name"\s+value="([^"]*)"', page)
    assert field and field.group(1) == "hero"
    assert _prompt_field(page) == "@image1 walks down @image2"  # numbers still work: nothing to rewrite

    page = _name(owner_client, chips[0], "lead", prompt="@hero walks down @image2", **HTMX).content.decode()
    assert _prompt_field(page) == "@lead walks down @image2"
    assert Composition.objects.draft_for(owner).prompt == "@lead walks down @image2"

    page = _name(owner_client, chips[0], "", prompt="@Lead walks, 【@lead】 waits", **HTMX).content.decode()
    assert _prompt_field(page) == "@image1 walks, 【@image1】 waits"  # the name cleared: its number again
    assert _names(owner) == {"hero.png": "", "street.png": ""}


def test_it_explains_a_name_it_refuses(owner_client, owner, chips):
    _name(owner_client, chips[0], "hero", **HTMX)
    for name, message in [
        ("HERO", "Another reference is already named HERO: choose another name."),
        ("image2", "“image2” reads as a numbered mention (@image2)"),
        ("two words", "“two words” cannot be a name: use letters, digits and _ only"),
        ("x" * 500, "A name has at most 32 characters."),
    ]:
        response = _name(owner_client, chips[1], name, **HTMX)
        assert response.status_code == 200
        assert message in response.content.decode()
    assert _names(owner) == {"hero.png": "hero", "street.png": ""}


def test_it_names_without_javascript(owner_client, owner, chips):
    response = _name(owner_client, chips[1], "street", prompt="@image2 at night")
    assert response.status_code == 302 and response["Location"] == "/"
    assert _names(owner)["street.png"] == "street"
    response = _name(owner_client, chips[0], "Street")
    assert response.status_code == 302
    assert "Another reference is already named Street" in owner_client.get("/").content.decode()


def test_it_keeps_other_peoples_references_out_of_reach(outsider_client, owner, chips):
    assert _name(outsider_client, chips[0], "mine", **HTMX).status_code == 404
    assert _names(owner) == {"hero.png": "", "street.png": ""}


def test_a_name_is_once_per_composition_in_the_database(owner, chips):
    draft = Composition.objects.draft_for(owner)
    draft.links.filter(reference=chips[0]).update(name="hero")
    with pytest.raises(IntegrityError):
        draft.links.filter(reference=chips[1]).update(name="Hero")


def test_removing_a_named_reference_marks_its_mentions(owner_client, owner, chips):
    _name(owner_client, chips[0], "hero", **HTMX)
    data = {"prompt": "@hero walks down @image2"}
    page = owner_client.post(f"/compose/references/{chips[0].public_id}/remove/", data, **HTMX).content.decode()
    assert _prompt_field(page) == "@removed:hero walks down @image1"


def test_the_panel_shows_the_prompt_as_the_provider_receives_it(owner_client, owner, chips):
    _name(owner_client, chips[0], "hero", **HTMX)
    _name(owner_client, chips[1], "street", **HTMX)
    expected = {
        "piapi/seedance-2-fast": ("PiAPI", "@image1 walks down @image2"),
        "evolink/fast": ("EvoLink", "image 1 walks down image 2"),
        "local_preview/local": (None, "@hero walks down @street"),
    }
    for model, (provider, sent) in expected.items():
        form = compose_form(model=model, prompt="@hero walks down @street", mode="omni_reference")
        page = owner_client.post("/compose/check/", form, **HTMX).content.decode()
        assert f'<p class="sent-prompt-text">{sent}</p>' in page
        assert (f"As {provider} receives it" if provider else "As the preview shows it") in page
    page = owner_client.post(
        "/compose/check/", compose_form(model="goapi/seedance-2-fast", prompt="让@hero走到@street"), **HTMX
    ).content.decode()
    assert '<p class="sent-prompt-text">让【@图片1】走到【@图片2】</p>' in page  # 001:361


def test_a_job_keeps_the_names_and_a_remix_brings_them_back(owner_client, owner, chips):
    _name(owner_client, chips[0], "hero", **HTMX)
    owner_client.post("/compose/submit/", compose_form(prompt="@hero then @image2"), **HTMX)
    job = Job.objects.get()
    assert {r.original_name: r.mention_name for r in job.composition.ordered_references()} == {
        "hero.png": "hero",
        "street.png": "",
    }
    page = owner_client.get(f"/jobs/{job.public_id}/").content.decode()
    assert '<strong class="mention">@image1</strong> <strong class="mention">@hero</strong>' in page
    _name(owner_client, chips[0], "", **HTMX)  # the draft moves on; the job's recipe does not
    assert CompositionReference.objects.get(composition=job.composition, reference=chips[0]).name == "hero"
    assert owner_client.post(f"/jobs/{job.public_id}/remix/").status_code == 302
    assert _names(owner) == {"hero.png": "hero", "street.png": ""}


@pytest.mark.parametrize(
    ("provider", "sent"),
    [
        ("piapi", "@image1 walks down @image2, then @image1 again"),  # 000:393-395
        ("goapi", "@image1 walks down @image2, then @image1 again"),  # 001:358-360
        ("seedance2", "@image1 walks down @image2, then @image1 again"),
        ("hiapi", "@image1 walks down @image2, then @image1 again"),
        ("evolink", "image 1 walks down image 2, then image 1 again"),  # 004:21
    ],
)
def test_a_named_reference_reaches_each_provider_in_its_numbered_form(
    provider,
    sent,
    owner,
    owner_client,
    chips,
    emulators,  # noqa: F811
):
    _name(owner_client, chips[0], "hero", **HTMX)
    _name(owner_client, chips[1], "street", **HTMX)
    form = compose_form(
        model=f"{provider}/{REMOTE[provider]}",
        prompt="@hero walks down @Street, then @image1 again",
        mode="omni_reference",
        resolution=RESOLUTION.get(provider, "720p"),
    )
    page = owner_client.post("/compose/check/", form, **HTMX).content.decode()
    assert f'<p class="sent-prompt-text">{sent}</p>' in page  # what the panel shows...
    assert owner_client.post("/compose/submit/", form, **HTMX).status_code == 200
    job = _step(Job.objects.get())  # the real worker step sends the create through the real HTTP layer
    assert job.provider_task_id, job.status_note
    emulator = getattr(emulators, provider)
    (task,) = emulator.tasks.values()
    assert emulator.prompt(task.body) == sent  # ...is what the provider received
