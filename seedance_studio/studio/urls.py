from django.urls import path

from seedance_studio.studio import job_views, result_views, views

urlpatterns = [
    path("", views.compose, name="compose"),
    path("compose/references/", views.upload_references, name="upload_references"),
    path("compose/references/<uuid:public_id>/remove/", views.remove_reference, name="remove_reference"),
    path("compose/references/<uuid:public_id>/move/", views.move_reference_to, name="move_reference_to"),
    path("compose/references/<uuid:public_id>/move/<str:direction>/", views.move_reference, name="move_reference"),
    path("compose/references/<uuid:public_id>/frame/", views.pin_reference, name="pin_reference"),
    path("compose/check/", views.check, name="check"),
    path("compose/options/", views.provider_options, name="provider_options"),
    path("compose/submit/", views.submit, name="submit"),
    path("gallery/", job_views.gallery, name="gallery"),
    path("jobs/<uuid:public_id>/", result_views.job_detail, name="job_detail"),
    path("jobs/<uuid:public_id>/download/", result_views.job_download, name="job_download"),
    path("jobs/<uuid:public_id>/remix/", result_views.job_remix, name="job_remix"),
    path("jobs/<uuid:public_id>/continue/", result_views.job_continue, name="job_continue"),
    path("jobs/<uuid:public_id>/delete/", result_views.job_delete, name="job_delete"),
    path("jobs/<uuid:public_id>/card/", job_views.job_card, name="job_card"),
    path("jobs/<uuid:public_id>/cancel/", job_views.job_cancel, name="job_cancel"),
    path("jobs/<uuid:public_id>/video.mp4", job_views.job_video, name="job_video"),
    path("jobs/<uuid:public_id>/poster.jpg", job_views.job_poster, name="job_poster"),
]
