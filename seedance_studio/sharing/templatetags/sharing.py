from django import template

from seedance_studio.sharing.models import EXPIRY_CHOICES

register = template.Library()


@register.simple_tag
def share_expiry_choices():
    """The expiry options the model accepts, for the share panel's select (the panel is included by pages that
    know nothing of sharing, so it cannot be handed a form)."""
    return [("" if days is None else days, label) for days, label in EXPIRY_CHOICES]
