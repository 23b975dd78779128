import functools

from django import template
from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_noop
from wagtail import hooks

from portal.core import links, navigation, sites
from portal.core.navigation import SECTION_ORDER, Section

register = template.Library()


@register.simple_tag(takes_context=True)
def current_site(context):
    request = context.get("request")
    return sites.site_for_request(request) if request else None


# The order residents know from the city's community sites; sections not listed come last.


# The section pages every community starts with (communities.pages), titled in the default language
# when made: in another language their label is shown instead, unless an editor renamed the page.
STARTING_SECTIONS = {
    "notices": gettext_noop("Notices"),
    "news": gettext_noop("Community news"),
    "events": gettext_noop("Events"),
    "services": gettext_noop("Services"),
    "polls": gettext_noop("Polls"),
    "organisations": gettext_noop("Social organisations"),
    "forum": gettext_noop("Community forum"),
}


@functools.cache
def _made_as(label: str) -> frozenset:
    """Every title a starting section may have been made with: its label in each configured language
    (a demo seeded before the catalogues were compiled, or in another language, made it in English)."""
    forms = {label}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            forms.add(translation.gettext(label))
    return frozenset(forms)


def _section_title(slug: str, title: str) -> str:
    label = STARTING_SECTIONS.get(slug)
    if label is None or title not in _made_as(label):
        return title  # not a starting section, or an editor renamed it
    return translation.gettext(label)


@register.simple_tag(takes_context=True)
def page_title(context, page):
    """`{% page_title page %}`: a page's title; one of the community's starting sections in the visitor's
    language, as the menu and the breadcrumbs name it."""
    site = current_site(context)
    if site is not None and getattr(page, "depth", None) == site.root_page.depth + 1:
        return _section_title(page.slug, page.title)
    return page.title


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
        title = _section_title(slug, title)
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
def home_panels(context):
    """What apps add to a community's home page: each `register_community_home_panel` hook is a function
    of (request, site) returning {"template": ..., "context": {...}} or None; rendered in hook order."""
    request = context.get("request")
    site = current_site(context)
    if request is None or site is None:
        return []
    panels = []
    for make_panel in hooks.get_hooks("register_community_home_panel"):
        panel = make_panel(request, site)
        if panel:
            panels.append(panel)
    return panels


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


@register.filter(is_safe=True)
def with_site_name(title, site_name):
    """`<title>`: "page · site", the site's name once (a community's home is titled by its name alone;
    a part equal to the site's name, such as the community a mirror page names, is not repeated)."""
    name = str(conditional_escape(site_name or ""))
    parts = [part.strip() for part in str(title).split(" · ")]
    parts = [part for part in parts if part and part != name]
    return mark_safe(" · ".join([*parts, name]) if name else " · ".join(parts))


@register.inclusion_tag("_breadcrumbs.html", takes_context=True)
def breadcrumbs(context):
    """City › district › street › community › section › page: up the page tree from the page being
    served (or from the site's home, for the pages apps serve), each link on its own site and port."""
    from wagtail.models import Page

    request = context.get("request")
    site = current_site(context)
    page = context.get("page")
    if site is None or request is None:
        return {"crumbs": []}
    anchor = page if isinstance(page, Page) else site.root_page
    ancestors = list(anchor.get_ancestors().filter(depth__gte=2).only("title", "slug", "url_path", "path", "depth"))
    section_depth = site.root_page.depth + 1  # the community's sections speak the visitor's language, as in its menu

    def title(p):
        return _section_title(p.slug, p.title) if p.depth == section_depth else p.title

    crumbs = [{"title": title(p), "url": links.follow(p.get_url(request) or "", request)} for p in ancestors]
    own = anchor is page
    crumbs.append({"title": title(anchor), "url": "" if own else links.follow(anchor.get_url(request), request)})
    return {"crumbs": crumbs if len(crumbs) > 1 or not own else []}
