from django import template
from django.urls import reverse
from wagtail import hooks
from wagtail.models import Site

from portal.core import links, navigation, sites
from portal.core.navigation import Section

register = template.Library()


@register.simple_tag(takes_context=True)
def current_site(context):
    request = context.get("request")
    return Site.find_for_request(request) if request else None


# The order residents know from the city's community sites; sections not listed come last.
SECTION_ORDER = [
    "notices",
    "news",
    "events",
    "services",
    "forum",
    "deliberations",
    "polls",
    "complaints",
    "mirror",
    "organisations",
]


def _position(section: Section) -> int:
    return SECTION_ORDER.index(section.key) if section.key in SECTION_ORDER else len(SECTION_ORDER)


@register.simple_tag(takes_context=True)
def site_sections(context):
    """The site's navigation: its live in-menu section pages, and the sections apps add with the
    `register_community_section` hook (a function of (request, site) returning a Section or None)."""
    request = context.get("request")
    # `page` is the Wagtail page being served; other views may use the name for something else.
    page_path = getattr(context.get("page"), "path", None) or "\0"
    site = current_site(context)
    if site is None:
        return []
    root = site.root_page
    children = sites.menu_of(site)  # what the site map holds, for pages Wagtail serves
    if children is None:
        children = root.get_children().live().in_menu().values_list("slug", "title", "url_path", "path")
    # The root's children are this site's own pages: their URL is their path below the root, which is
    # what `get_url` answers, without building a Page or scanning every site's root path for each.
    serve_prefix = reverse("wagtail_serve", args=("",))
    sections = []
    for slug, title, url_path, path in children:
        url = serve_prefix + url_path[len(root.url_path) :]
        current = page_path.startswith(path) or (url != "/" and request.path.startswith(url))
        sections.append(Section(slug, title, url, current))
    for make_sections in hooks.get_hooks("register_community_section"):
        added = make_sections(request, site) or []
        for section in added if isinstance(added, list) else [added]:
            section.current = request.path.startswith(section.url)
            sections.append(section)
    return sorted(sections, key=_position)


@register.simple_tag(takes_context=True)
def site_link(context, site, path=""):
    """`{% site_link community.site "/" %}`: a link to another of the portal's sites (portal.core.links)."""
    return links.site_url(site, path, context.get("request"))


@register.simple_tag(takes_context=True)
def follow_link(context, url):
    """A stored link (a notification's) on the scheme and port this request is served on."""
    return links.follow(url, context.get("request"))


@register.simple_tag(takes_context=True)
def account_menu(context):
    """The account menu's entries (portal.core.navigation.account_menu) for a signed-in user."""
    request = context.get("request")
    if request is None or not request.user.is_authenticated:
        return []
    return navigation.account_menu(request)
