import uuid

from django import forms

from seedance_studio.studio.models import Composition

PROMPT_MAX_CHARS = 20000


class ComposeForm(forms.ModelForm):
    submission_key = forms.UUIDField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Composition
        fields = ["prompt", "provider", "duration", "aspect_ratio", "resolution", "generate_audio"]
        widgets = {
            "prompt": forms.Textarea(attrs={"rows": 6, "placeholder": "Describe the shot. Type @ to mention a reference, "
                                                                    "e.g. “@image1 slowly turns toward the camera”."}),
        }
        labels = {"generate_audio": "Generate audio"}
        error_messages = {
            "duration": {"invalid_choice": "Duration must be a whole number of seconds from 4 to 15."},
            "aspect_ratio": {"invalid_choice": "Pick an aspect ratio from the list (21:9, 16:9, 4:3, 1:1, 3:4, 9:16)."},
            "resolution": {"invalid_choice": "Pick a resolution from the list (480p, 720p or 1080p)."},
            "provider": {"invalid_choice": "Pick a provider from the list."},
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["prompt"].max_length = PROMPT_MAX_CHARS
        self.fields["prompt"].required = False
        if not self.is_bound:
            self.initial["submission_key"] = uuid.uuid4()

