from django import template

from seedance_studio.seedance.output_sizes import nearest_aspect_ratio
from seedance_studio.sharing.models import EXPIRY_CHOICES

register = template.Library()


@register.simple_tag
def share_expiry_choices():
    """The expiry options the model accepts, for the share panel's select (the panel is included by pages that
    know nothing of sharing, so it cannot be handed a form)."""
    return [("" if days is None else days, label) for days, label in EXPIRY_CHOICES]


@register.filter
def aspect_class(job) -> str:
    """`ratio-16-9` for a 1280x720 video: studio.css gives the share page that shape (a class, not an inline
    style, for the Content-Security-Policy). Unknown sizes get 16:9."""
    if not job.width or not job.height:
        return "ratio-16-9"
    return "ratio-" + nearest_aspect_ratio(job.width, job.height).replace(":", "-")
