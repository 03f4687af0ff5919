from django.apps import AppConfig


class ReferencesConfig(AppConfig):
    name = "seedance_studio.references"

    def ready(self) -> None:
        from django.core.files.storage import default_storage

        # S3 storage: build the boto3 clients at start, not inside the first upload a process serves.
        warm_up = getattr(default_storage, "warm_up", None)
        if warm_up is not None:
            warm_up()
