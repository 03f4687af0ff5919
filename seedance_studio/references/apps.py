from django.apps import AppConfig


class ReferencesConfig(AppConfig):
    name = "seedance_studio.references"
