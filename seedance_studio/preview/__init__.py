"""The local preview provider's renderer. It knows nothing of Django: the worker builds a PreviewRequest."""

from .render import PreviewError, render_preview
from .request import PreviewReference, PreviewRequest, RenderResult

__all__ = ["PreviewError", "PreviewReference", "PreviewRequest", "RenderResult", "render_preview"]
