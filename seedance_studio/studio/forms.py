import copy
import functools
import uuid
from typing import cast

from django import forms
from django.core.validators import MaxLengthValidator
from django.utils.choices import BaseChoiceIterator, normalize_choices

from seedance_studio import seedance
from seedance_studio.references.models import Reference
from seedance_studio.studio.choices import FRAME_CHOICES, model_choices
from seedance_studio.studio.evaluation import COMPOSITION_FIELDS
from seedance_studio.studio.models import Composition

PROMPT_MAX_CHARS = 20000
_MODEL_FIELDS = forms.fields_for_model(
    Composition,
    fields=["prompt", "mode", "duration", "aspect_ratio", "resolution", "generate_audio", "seed"],
    widgets={
        "prompt": forms.Textarea(
            attrs={
                "rows": 6,
                "placeholder": "Describe the shot. Type @ to mention a "
                "reference, e.g. “@image1 slowly turns toward the camera”.",
            }
        )
    },
    labels={"generate_audio": "Generate audio", "seed": "Seed (optional)"},
    error_messages={
        "duration": {"invalid_choice": "Duration must be a whole number of seconds from 4 to 15."},
        "aspect_ratio": {
            "invalid_choice": "Pick an aspect ratio from the list (21:9, 16:9, 4:3, 1:1, 3:4, 9:16 or auto)."
        },
        "resolution": {"invalid_choice": "Pick a resolution from the list (480p, 720p or 1080p)."},
        "mode": {"invalid_choice": "Pick a mode from the list."},
        "seed": {"invalid": "The seed must be a whole number, or left empty for a random one."},
    },
)
_BOOL_EXTRA_CHOICES = [("", "Provider default"), ("on", "On"), ("off", "Off")]


class _FixedChoices(BaseChoiceIterator):
    """A select's choices that never change (a model field's, the provider list). Django normalises and deep-copies
    a field's choices for every form it builds, which was half of building the compose form, and the live check
    builds one on every keystroke: this table is taken as it is, and shared by every copy of its field."""

    def __init__(self, choices):
        self.table = tuple(normalize_choices(choices))

    def __iter__(self):
        return iter(self.table)

    def __copy__(self):
        return self

    def __deepcopy__(self, memo):
        return self


def _with_fixed_choices(field: forms.Field) -> forms.Field:
    if isinstance(field, forms.ChoiceField):
        field.choices = _FixedChoices(field.choices)
    return field


def _limited_prompt(field: forms.Field) -> forms.Field:
    """The prompt, optional and at most PROMPT_MAX_CHARS long. Set after the field is built, so the validator must
    be added too (max_length alone validates nothing)."""
    prompt = cast(forms.CharField, field)
    prompt.required = False
    prompt.max_length = PROMPT_MAX_CHARS
    prompt.validators = [
        *prompt.validators,
        MaxLengthValidator(
            PROMPT_MAX_CHARS,
            message=f"The prompt is too long: keep it to {PROMPT_MAX_CHARS:,} characters (%(show_value)s now).",
        ),
    ]
    prompt.widget.attrs["maxlength"] = str(PROMPT_MAX_CHARS)
    return prompt


_MODEL_FIELDS["prompt"] = _limited_prompt(_MODEL_FIELDS["prompt"])

# Every form's fixed fields, in order (the selected provider's own options follow them), shared by every form.
_FIXED_FIELDS = {
    name: _with_fixed_choices(field)
    for name, field in {
        "model": forms.ChoiceField(
            choices=model_choices(),
            label="Provider and model",
            error_messages={"invalid_choice": "Pick a provider and model from the list."},
        ),
        **_MODEL_FIELDS,
        "submission_key": forms.UUIDField(widget=forms.HiddenInput, required=False),
    }.items()
}


class ComposeForm(forms.Form):
    """The compose form: the draft's settings plus the selected provider's own options ("extras").

    A plain Form rather than a ModelForm on purpose: the live check runs it on every keystroke and a ModelForm
    would query the database to validate model constraints the Seedance core checks anyway.

    Its fields are built once per process (the fixed ones, and each provider's own) and shared by every form,
    where Django deep-copies them for each: copying them was a tenth of the live check. Sharing is safe because
    nothing changes a field once it is built (what differs per form, its data, initial values and errors, lives
    on the form and its bound fields); tests/test_compose_form.py holds every shared field to that.
    """

    def __init__(self, data=None, *, composition: Composition):
        super().__init__(data)
        self.initial = {name: getattr(composition, name) for name in _MODEL_FIELDS}
        self.initial.update(model=f"{composition.provider}/{composition.tier}", submission_key=uuid.uuid4())
        self.provider_id = self._selected_provider(composition)
        self.fields = {**_FIXED_FIELDS, **_extra_fields(self.provider_id)}  # shared, never changed: see above
        for extra in self.provider_extras():
            value = (composition.extras or {}).get(extra.name)
            self.initial[f"extra_{extra.name}"] = _extra_initial(extra, value)

    def _selected_provider(self, composition: Composition) -> str:
        raw = self.data.get("model") if self.is_bound else None
        return (raw or f"{composition.provider}/{composition.tier}").split("/", 1)[0]

    @property
    def provider_name(self) -> str:
        try:
            return seedance.get_provider(self.provider_id).display_name
        except KeyError:
            return "Provider"

    @property
    def named_frames(self) -> bool:
        """Whether the selected provider's request names its frames, so a chip may pin an image to one."""
        try:
            return seedance.get_provider(self.provider_id).named_frames
        except KeyError:
            return False

    @property
    def frame_choices(self):
        return cast(forms.ChoiceField, FrameForm.base_fields["frame"]).choices

    def provider_extras(self):
        try:
            return seedance.get_provider(self.provider_id).extras
        except KeyError:
            return ()

    def extra_fields(self):
        return [self[f"extra_{extra.name}"] for extra in self.provider_extras()]

    def composition_fields(self) -> dict:
        """The cleaned values under the model's field names, ready for the core or for saving."""
        data = self.cleaned_data
        provider, _, tier = data["model"].partition("/")
        extras = {}
        for extra in self.provider_extras():
            value = data.get(f"extra_{extra.name}")
            if extra.kind == "bool":
                value = {"on": True, "off": False}.get(str(value))
            if value not in (None, ""):
                extras[extra.name] = value
        fields = {name: data.get(name) for name in _MODEL_FIELDS}
        fields.update(provider=provider, tier=tier, extras=extras, prompt=data.get("prompt") or "")
        return {name: fields[name] for name in COMPOSITION_FIELDS}


class FrameForm(forms.Form):
    """A reference chip's "Use as" control: an image as a reference, or pinned to the first or last frame."""

    frame = forms.ChoiceField(
        choices=[("", "Reference"), *FRAME_CHOICES],
        required=False,
        label="Use as",
        error_messages={"invalid_choice": "“%(value)s” is not a frame: choose Reference, First frame or Last frame."},
    )

    def __init__(self, data=None, *, reference: Reference):
        super().__init__(data)
        self.reference = reference

    def clean_frame(self) -> str:
        frame = self.cleaned_data["frame"]
        if frame and self.reference.kind != Reference.Kind.IMAGE:
            raise forms.ValidationError(
                f"{self.reference.original_name} is not an image, and only an image can be the first or last frame: "
                f"pin an image instead."
            )
        return frame

    def problems(self) -> list[str]:
        return [str(message) for errors in self.errors.values() for message in errors]


class MoveForm(forms.Form):
    """Where a dragged chip was dropped: its new place among the references, 0 for the first."""

    to = forms.IntegerField(
        min_value=0,
        error_messages={
            "required": "Say where the reference goes: send its new place as `to` (0 for the first).",
            "invalid": "The new place of a reference is a whole number: 0 for the first, 1 for the second, and so on.",
            "min_value": "The new place of a reference is 0 (the first) or more.",
        },
    )

    def problems(self) -> list[str]:
        return [str(message) for errors in self.errors.values() for message in errors]


@functools.cache
def _extra_fields(provider_id: str) -> dict[str, forms.Field]:
    """A provider's own options as form fields, built once per provider and shared by every form like the fixed
    ones (an unknown provider has none: the model field says it is unknown)."""
    try:
        extras = seedance.get_provider(provider_id).extras
    except KeyError:
        return {}
    return {f"extra_{extra.name}": _with_fixed_choices(_extra_field(extra)) for extra in extras}


class NameForm(forms.Form):
    """A reference chip's name field: the short name to mention it by (@hero), or empty for none."""

    # The core says what a name may be (and how long); this only bounds what is read at all.
    name = forms.CharField(
        required=False,
        label="Name",
        max_length=100,
        error_messages={"max_length": f"A name has at most {seedance.NAME_MAX_CHARS} characters."},
    )

    def clean_name(self) -> str:
        # Typing the "@" too is natural: the name is what follows it.
        name = self.cleaned_data["name"].strip().removeprefix("@")
        problem = seedance.name_problem(name)
        if problem:
            raise forms.ValidationError(problem)
        return name

    def problems(self) -> list[str]:
        return [str(message) for errors in self.errors.values() for message in errors]


def _extra_field(extra) -> forms.Field:
    label = extra.label
    if extra.kind == "bool":
        return forms.ChoiceField(choices=_BOOL_EXTRA_CHOICES, required=False, label=label, help_text=extra.help)
    if extra.kind == "choice":
        return forms.ChoiceField(
            choices=[("", "Off"), *((c, c) for c in extra.choices)], required=False, label=label, help_text=extra.help
        )
    return forms.IntegerField(required=False, label=label, help_text=extra.help)


def _extra_initial(extra, value):
    if extra.kind == "bool":
        return {True: "on", False: "off"}.get(value, "")
    return value


class ProviderTierForm(forms.Form):
    """One provider and tier, as the compose form's select posts it ("piapi/seedance-2-fast")."""

    model = copy.deepcopy(_FIXED_FIELDS["model"])

    def provider_and_tier(self) -> tuple[str, str]:
        provider, _, tier = self.cleaned_data["model"].partition("/")
        return provider, tier

    def problem(self) -> str:
        return "; ".join(str(message) for errors in self.errors.values() for message in errors)


class TakesForm(forms.Form):
    """How many takes, and how they differ: the seed (where the provider takes one) or the provider and tier
    (the ones ticked in Compare). `max_takes` is the admin's limit (StudioSettings)."""

    take_vary = forms.ChoiceField(
        choices=[("seed", "with different seeds"), ("providers", "on the providers ticked in Compare")],
        initial="seed",
        error_messages={"invalid_choice": "Choose whether the takes differ by seed or by provider."},
    )
    take_count = forms.IntegerField(required=False, min_value=2)
    take_models = forms.MultipleChoiceField(
        choices=[(value, label) for _, group in model_choices() for value, label in group], required=False
    )

    def __init__(self, data=None, *, max_takes: int):
        super().__init__(data)
        self.max_takes = max_takes

    def clean(self):
        data = super().clean() or {}
        if self.max_takes < 2:
            raise forms.ValidationError("Takes are switched off in this studio (an admin sets how many are allowed).")
        if data.get("take_vary") == "providers":
            models = data.get("take_models") or []
            if len(models) < 2:
                raise forms.ValidationError(
                    "Tick at least two providers in Compare (the “Take” column) to make takes on several providers."
                )
            if len(models) > self.max_takes:
                raise forms.ValidationError(
                    f"{len(models)} providers are ticked, and this studio allows at most {self.max_takes} takes at "
                    "once: untick some."
                )
            data["take_count"] = len(models)
        elif data.get("take_vary") == "seed":
            count = data.get("take_count")
            if count is None or not 2 <= count <= self.max_takes:
                raise forms.ValidationError(f"Choose from 2 to {self.max_takes} takes.")
        return data

    def problems(self) -> list[str]:
        return [str(message) for errors in self.errors.values() for message in errors]
