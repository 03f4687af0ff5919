from django.contrib import admin
from django.urls import include, path

admin.site.site_header = "Seedance Studio admin"
admin.site.site_title = "Seedance Studio"

urlpatterns = [
    path("", include("seedance_studio.studio.urls")),
    path("accounts/", include("seedance_studio.accounts.urls")),
    path("references/", include("seedance_studio.references.urls")),
    path("admin/", admin.site.urls),
]
