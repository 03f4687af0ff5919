from django.urls import path

from seedance_studio.studio import ab_views, compare_views, job_views, result_views, views

urlpatterns = [
    path("", views.compose, name="compose"),
    path("compose/references/", views.upload_references, name="upload_references"),
    path("compose/references/<uuid:public_id>/remove/", views.remove_reference, name="remove_reference"),
    path("compose/references/<uuid:public_id>/move/<str:direction>/", views.move_reference, name="move_reference"),
    path("compose/references/<uuid:public_id>/frame/", views.pin_reference, name="pin_reference"),
    path("compose/references/<uuid:public_id>/name/", views.name_reference, name="name_reference"),
    path("compose/check/", views.check, name="check"),
    path("compose/options/", views.provider_options, name="provider_options"),
    path("compose/submit/", views.submit, name="submit"),
    path("compose/takes/", views.submit_takes, name="submit_takes"),
    path("compose/compare/", compare_views.compare_page, name="compare"),
    path("compose/compare/table/", compare_views.compare_table, name="compare_table"),
    path("compose/compare/use/", compare_views.compare_use, name="compare_use"),
    path("jobs/compare/", ab_views.ab_compare, name="ab_compare"),
    path("gallery/", job_views.gallery, name="gallery"),
    path("jobs/<uuid:public_id>/", result_views.job_detail, name="job_detail"),
    path("jobs/<uuid:public_id>/download/", result_views.job_download, name="job_download"),
    path("jobs/<uuid:public_id>/remix/", result_views.job_remix, name="job_remix"),
    path("jobs/<uuid:public_id>/continue/", result_views.job_continue, name="job_continue"),
    path("jobs/<uuid:public_id>/delete/", result_views.job_delete, name="job_delete"),
    path("jobs/<uuid:public_id>/card/", job_views.job_card, name="job_card"),
    path("jobs/<uuid:public_id>/cancel/", job_views.job_cancel, name="job_cancel"),
    path("jobs/<uuid:public_id>/favourite/", ab_views.job_favourite, name="job_favourite"),
    path("jobs/<uuid:public_id>/video.mp4", job_views.job_video, name="job_video"),
    path("jobs/<uuid:public_id>/poster.jpg", job_views.job_poster, name="job_poster"),
]
