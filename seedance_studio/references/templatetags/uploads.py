from django import template
from django.conf import settings

register = template.Library()


@register.simple_tag
def upload_max_files() -> int:
    """How many files one upload may carry (settings.DATA_UPLOAD_MAX_NUMBER_FILES, from UPLOAD_MAX_FILES): Django
    refuses a body with more, and the pages that say so read it here. No context needed: the 400 page has none."""
    return settings.DATA_UPLOAD_MAX_NUMBER_FILES
