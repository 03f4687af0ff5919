from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError

from seedance_studio.accounts import throttle


class SignInForm(AuthenticationForm):
    """Password sign-in through accounts.throttle: a scope that must wait is refused before the password is
    checked, a failure is counted, and the message says when to try again."""

    def clean(self):
        username = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        if username is None or not password or self.request is None:
            return super().clean()
        refused = throttle.refusal(self.request, username)
        if refused:
            raise ValidationError(refused, code="throttled")
        try:
            cleaned = super().clean()
        except ValidationError as error:
            throttle.failed(self.request, username)
            now_refused = throttle.refusal(self.request, username)
            if now_refused:
                raise ValidationError([*error.error_list, ValidationError(now_refused, code="throttled")]) from None
            raise
        throttle.succeeded(username)
        return cleaned


class AdminSignInForm(SignInForm, AdminAuthenticationForm):
    """The admin's own sign-in page, under the same throttle (AdminAuthenticationForm adds the is_staff check)."""
