from django import template
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from ..questions import conditional_css

register = template.Library()


@register.simple_tag
def poll_conditional_css(page):
    """A <style> that hides conditional questions until their condition is ticked (no JavaScript needed)."""
    css = conditional_css(page.question_list)
    return format_html("<style>{}</style>", mark_safe(css)) if css else ""
