from django import forms

from seedance_studio.sharing.models import EXPIRY_CHOICES


class ShareForm(forms.Form):
    show_prompt = forms.BooleanField(required=False)
    # "" is "Never": a select cannot send None.
    expires = forms.TypedChoiceField(
        choices=[("" if days is None else str(days), label) for days, label in EXPIRY_CHOICES],
        coerce=int,
        empty_value=None,
        required=False,
        error_messages={"invalid_choice": "Choose when the link stops working: never, or after 1, 7 or 30 days."},
    )
