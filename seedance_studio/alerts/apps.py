from django.apps import AppConfig


class AlertsConfig(AppConfig):
    name = "seedance_studio.alerts"
    verbose_name = "Admin alerts"
