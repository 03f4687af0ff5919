from django.contrib import admin
from django.urls import include, path

from seedance_studio import health
from seedance_studio.accounts.forms import AdminSignInForm
from seedance_studio.references import views as reference_views
from seedance_studio.studio import webhooks

admin.site.site_header = "Seedance Studio admin"
admin.site.site_title = "Seedance Studio"
admin.site.login_form = AdminSignInForm  # the same sign-in throttle as the studio's own page

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("", include("seedance_studio.studio.urls")),
    path("accounts/", include("seedance_studio.accounts.urls")),
    path("references/", include("seedance_studio.references.urls")),
    path("credits/", include("seedance_studio.credits.urls")),
    path("", include("seedance_studio.sharing.urls")),
    path("p/r/<str:token>.<str:extension>", reference_views.public_reference, name="public_reference"),
    path("webhooks/<str:provider>/<str:token>/", webhooks.provider_callback, name="provider_callback"),
    path("admin/", admin.site.urls),
    path("healthz", health.healthz, name="healthz"),
]
