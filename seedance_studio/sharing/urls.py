from django.urls import path

from seedance_studio.sharing import views

urlpatterns = [
    path("jobs/<uuid:public_id>/share/", views.job_share, name="job_share"),
    path("jobs/<uuid:public_id>/share/revoke/", views.job_share_revoke, name="job_share_revoke"),
    # Any string, not only the token alphabet: a mangled link still gets the friendly "stopped" page.
    path("s/<str:token>/", views.share_page, name="share_page"),
    path("s/<str:token>/embed", views.share_embed, name="share_embed"),
    path("s/<str:token>/video.mp4", views.share_video, name="share_video"),
    path("s/<str:token>/poster.jpg", views.share_poster, name="share_poster"),
    path("s/<str:token>/download/", views.share_download, name="share_download"),
]
