"""Hands Django's settings to mediatools, which reads neither settings nor the environment itself."""

from __future__ import annotations

from django.apps import AppConfig
from django.conf import settings
from django.core.signals import setting_changed


class MediatoolsConfig(AppConfig):
    name = "seedance_studio.mediatools"
    verbose_name = "Media tools"

    def ready(self) -> None:
        from .ffmpeg import use_ffmpeg

        use_ffmpeg(settings.FFMPEG_BINARY)
        setting_changed.connect(_follow_ffmpeg_binary, dispatch_uid="mediatools-ffmpeg-binary")


def _follow_ffmpeg_binary(*, setting: str, **kwargs) -> None:
    # Tests that override FFMPEG_BINARY get the ffmpeg they name, and the default back afterwards.
    if setting == "FFMPEG_BINARY":
        from .ffmpeg import use_ffmpeg

        use_ffmpeg(getattr(settings, "FFMPEG_BINARY", None))
