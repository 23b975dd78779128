from django import template
from wagtail.models import Site

register = template.Library()


@register.simple_tag(takes_context=True)
def current_site(context):
    request = context.get("request")
    return Site.find_for_request(request) if request else None


@register.simple_tag(takes_context=True)
def site_sections(context):
    """The live, in-menu children of the current site's root page: the site's navigation."""
    site = current_site(context)
    if site is None:
        return []
    return list(site.root_page.get_children().live().in_menu().only("id", "title", "url_path", "slug", "depth", "path"))


@register.filter
def is_within(page, section) -> bool:
    """True when page is the section page or below it (for aria-current in the navigation)."""
    return bool(page and section and getattr(page, "path", "").startswith(section.path))
