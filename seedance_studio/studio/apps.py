from django.apps import AppConfig


class StudioConfig(AppConfig):
    name = "seedance_studio.studio"
