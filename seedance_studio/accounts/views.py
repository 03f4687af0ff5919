from django.contrib import messages
from django.contrib.auth import login, update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordChangeForm, SetPasswordForm
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from seedance_studio.accounts import throttle
from seedance_studio.accounts.models import SignInLink


@require_http_methods(["GET", "POST"])
def sign_in_with_link(request, token: str):
    # GET shows a button and POST signs in: link previewers in chat apps fetch GETs and must not burn the link.
    if request.method == "GET":
        return render(request, "accounts/sign_in_link.html", {"token": token})
    # A bad link has no account to count against, only the address that brought it: guessing links is slowed
    # and then refused like guessing passwords.
    refused = throttle.refusal(request)
    if refused:
        messages.error(request, refused)
        return redirect("login")
    user = SignInLink.objects.redeem(token)
    if user is None:
        throttle.failed(request)
        messages.error(
            request,
            "This sign-in link has expired or was already used. Ask an admin for a new one "
            "(python manage.py signin_link USERNAME).",
        )
        return redirect("login")
    login(request, user)  # the one backend in AUTHENTICATION_BACKENDS
    if not user.has_usable_password():
        messages.info(request, "You are signed in. Choose a password now so you can sign in again later.")
        return redirect("set_password")
    return redirect("compose")


@login_required
@require_http_methods(["GET", "POST"])
def set_password(request):
    # Someone who already has a password must give it: a borrowed or stolen session cannot take the account over.
    form_class = PasswordChangeForm if request.user.has_usable_password() else SetPasswordForm
    form = form_class(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        form.save()
        update_session_auth_hash(request, form.user)
        messages.success(request, "Password saved.")
        return redirect("compose")
    return render(request, "accounts/set_password.html", {"form": form})
