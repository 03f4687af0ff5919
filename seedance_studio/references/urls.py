from django.urls import path

from seedance_studio.references import views

urlpatterns = [
    path("<uuid:public_id>/file", views.reference_file, name="reference_file"),
    path("<uuid:public_id>/thumbnail.jpg", views.reference_thumbnail, name="reference_thumbnail"),
]
