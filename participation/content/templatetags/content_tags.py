from django import template

from ..markdown import mask_personal_data

register = template.Library()


@register.filter
def mask_personal(value) -> str:
    """Plain text a resident wrote (a title), with phone and ID numbers masked."""
    return mask_personal_data(str(value or ""))
