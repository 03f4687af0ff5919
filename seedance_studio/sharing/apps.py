from django.apps import AppConfig


class SharingConfig(AppConfig):
    name = "seedance_studio.sharing"
    verbose_name = "Share pages"
