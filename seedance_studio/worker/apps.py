from django.apps import AppConfig


class WorkerConfig(AppConfig):
    name = "seedance_studio.worker"
