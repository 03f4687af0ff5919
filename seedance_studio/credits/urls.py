from django.urls import path

from seedance_studio.credits import views

urlpatterns = [
    path("", views.statement, name="credits"),
    path("statement.csv", views.statement_csv, name="credits_csv"),
    path("jobs/<uuid:public_id>/", views.job_receipt, name="job_receipt"),
]
