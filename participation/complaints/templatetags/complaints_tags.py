from django import template
from django.utils.translation import gettext as _

from participation.complaints.masking import mask_personal_data

register = template.Library()


@register.filter
def masked(text):
    """Phone and ID numbers in public text, masked."""
    return mask_personal_data(text or "")


@register.filter
def handling_time(value):
    """A duration as days and hours, for people."""
    if value is None:
        return "-"
    hours = int(value.total_seconds() // 3600)
    days, hours = divmod(hours, 24)
    if days:
        return _("%(days)s d %(hours)s h") % {"days": days, "hours": hours}
    return _("%(hours)s h") % {"hours": hours}
