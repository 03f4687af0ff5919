from django.contrib.auth import views as auth_views
from django.urls import path

from seedance_studio.accounts import views
from seedance_studio.accounts.forms import SignInForm

urlpatterns = [
    path(
        "signin/",
        auth_views.LoginView.as_view(
            template_name="accounts/login.html", authentication_form=SignInForm, redirect_authenticated_user=True
        ),
        name="login",
    ),
    path("signout/", auth_views.LogoutView.as_view(), name="logout"),
    path("signin/link/<str:token>/", views.sign_in_with_link, name="sign_in_with_link"),
    path("password/", views.set_password, name="set_password"),
]
