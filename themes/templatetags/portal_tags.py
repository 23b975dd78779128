import functools
import re

from django import template
from django.conf import settings
from django.db.models import Model
from django.template.base import token_kwargs
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
    `register_community_section` hook (a function of (request, site) returning a Section or None).

    Which sections a site has, their titles and links are worked out once per process, site and language
    (`sites.memo`: a changed menu page or site moves the generation, and they are worked out again); which
    one is current, per request."""
    request = context.get("request")
    # `page` is the Wagtail page being served; other views may use the name for something else.
    page_path = getattr(context.get("page"), "path", None) or "\0"
    site = current_site(context)
    if site is None:
        return []
    language = translation.get_language()
    listed = sites.memo(request, ("sections", language), lambda: _sections(request, site))
    sections = []
    for key, title, url, path in listed:
        current = page_path.startswith(path) if path else False
        current = current or (url != "/" and request.path.startswith(url))
        sections.append(Section(key, title, url, current))
    return sections


def _sections(request, site) -> tuple:
    """(key, title, url, page path or "") of the site's sections, in the residents' order."""
    root = site.root_page
    entry = sites.entry_for_request(request)
    children = entry.menu if entry is not None else None
    if children is None:
        children = root.get_children().live().in_menu().values_list("slug", "title", "url_path", "path")
    # The root's children are this site's own pages: their URL is their path below the root, which is
    # what `get_url` answers, without building a Page or scanning every site's root path for each.
    serve_prefix = reverse("wagtail_serve", args=("",))
    found = []
    for slug, title, url_path, path in children:
        found.append((Section(slug, _section_title(slug, title), serve_prefix + url_path[len(root.url_path) :]), path))
    for make_sections in hooks.get_hooks("register_community_section"):
        added = make_sections(request, site) or []
        found.extend((section, "") for section in (added if isinstance(added, list) else [added]))
    found.sort(key=lambda pair: _position(pair[0]))
    return tuple((section.key, str(section.title), section.url, path) for section, path in found)


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


@register.simple_tag
def id_url(name, *ids):
    """`{% id_url "forums:like" post.pk %}`: `{% url %}` for a URL whose arguments are database ids, without
    matching the pattern again for every item of a list (portal.core.links.reverse_ids)."""
    return links.reverse_ids(name, *ids)


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
    served (or from the site's home, for the pages apps serve), each link on its own site and port.

    What lies above the site's home, and the home itself, comes from the site map (`sites.memo`, once per
    process, host and generation), its section from the map's children of the home; only pages between a
    section and the page (none on most pages) are queried."""
    from wagtail.models import Page

    request = context.get("request")
    site = current_site(context)
    page = context.get("page")
    if site is None or request is None:
        return {"crumbs": []}
    root = site.root_page
    anchor = page if isinstance(page, Page) else root
    section_depth = root.depth + 1  # the community's sections speak the visitor's language, as in its menu

    def title(p):
        return _section_title(p.slug, p.title) if p.depth == section_depth else p.title

    def link(p):
        return links.follow(p.get_url(request) or "", request)

    entry = sites.entry_for_request(request)
    if entry is None or not anchor.path.startswith(root.path):
        ancestors = anchor.get_ancestors().filter(depth__gte=2).only("title", "slug", "url_path", "path", "depth")
        crumbs = [{"title": title(p), "url": link(p)} for p in ancestors]
    else:

        def down_to_home():
            ancestors = root.get_ancestors().filter(depth__gte=2).only("title", "slug", "url_path", "path", "depth")
            return [(p.title, link(p)) for p in [*ancestors, root]]

        above = sites.memo(request, ("breadcrumbs", request.scheme, request.get_host()), down_to_home)
        crumbs = [{"title": crumb_title, "url": url} for crumb_title, url in above]
        if anchor.depth > section_depth:
            section = _section_of(entry, anchor.path[: len(root.path) + Page.steplen])
            if section is None:  # a page added since the map was loaded
                section = Page.objects.only("title", "slug", "url_path", "path", "depth").get(
                    path=anchor.path[: len(root.path) + Page.steplen]
                )
            # The section is a child of this site's home: its URL is its path below the home.
            serve_prefix = reverse("wagtail_serve", args=("",))
            crumbs.append({"title": title(section), "url": serve_prefix + section.url_path[len(root.url_path) :]})
            step = Page.steplen
            paths = [anchor.path[:end] for end in range(len(section.path) + step, len(anchor.path), step)]
            if paths:
                between = Page.objects.filter(path__in=paths).order_by("path")
                crumbs += [
                    {"title": title(p), "url": link(p)}
                    for p in between.only("title", "slug", "url_path", "path", "depth")
                ]
        if anchor.depth == root.depth:
            crumbs.pop()  # the home is the anchor: it comes last, below
    own = anchor is page
    crumbs.append({"title": title(anchor), "url": "" if own else link(anchor)})
    return {"crumbs": crumbs if len(crumbs) > 1 or not own else []}


def _section_of(entry, path):
    """A child of the site's home, from the map (a Page with what a crumb needs), or None."""
    from wagtail.models import Page

    for slug, (_pk, _type, title, url_path, child_path) in entry.children.items():
        if child_path == path:
            return Page(title=title, slug=slug, url_path=url_path, path=path, depth=len(path) // Page.steplen)
    return None


# {% sitewide %}: the chrome every page of a site shares, rendered once per process.
_HOLE = "\x00portal-hole:{}\x00"
_HOLES = "_sitewide_holes"


class SitewideNode(template.Node):
    """Renders its content once per process, site, language, elder-friendly mode and logged in or not, and
    reuses it (`sites.memo`: dropped when the site map is reloaded, so a changed menu, page title or setting
    shows at once). The content sees only `site`, `s` (the community's settings), `LANGUAGE_CODE`, `elder_mode`
    and `logged_in`: no request, no user, no CSRF token, so nothing of one visitor can be kept for another.
    What depends on the request goes in `{% perrequest %}` holes, rendered for every request with the context
    the `{% sitewide %}` tag was given (not variables set inside the block).

    `{% sitewide with post=post liked=post.liked %}` adds named values to what the content sees and to the key:
    a value's `sitewide_key` (everything of it the content shows, e.g. `Post.sitewide_key`) or, without one, the
    value itself (a flag, a number). An item of a list is then rendered once per version of what it shows;
    what a visitor adds (liked, their own) is a flag in the key, the same HTML for every visitor with that
    flag, never their name or token.

    A preview (Wagtail sets `request.is_preview`) is rendered without the memo: neither served from it nor kept
    in it. What is previewed is a draft, which the key (a published version, the site's map) does not name."""

    def __init__(self, nodelist, extra=None):
        self.nodelist = nodelist
        self.extra = extra or {}

    def render(self, context):
        request = context.get("request")
        elder_mode = bool(context.get("elder_mode"))
        logged_in = bool(getattr(context.get("user"), "is_authenticated", False))
        values = {name: value.resolve(context) for name, value in self.extra.items()}
        if getattr(request, "is_preview", False):
            parts = self._parts(context, elder_mode, logged_in, values)
        else:
            key = ("sitewide", self, translation.get_language(), elder_mode, logged_in)
            key += tuple(_sitewide_key(name, value) for name, value in values.items())
            parts = sites.memo(request, key, lambda: self._parts(context, elder_mode, logged_in, values))
        return mark_safe("".join(part if isinstance(part, str) else part.fill(context) for part in parts))

    def _parts(self, context, elder_mode, logged_in, values) -> tuple:
        holes = []
        shared = {
            "site": current_site(context),
            "s": context.get("s"),
            "LANGUAGE_CODE": translation.get_language(),
            "elder_mode": elder_mode,
            "logged_in": logged_in,
            **values,
            _HOLES: holes,
        }
        pieces = re.split(r"\x00portal-hole:(\d+)\x00", self.nodelist.render(context.new(shared)))
        return tuple(holes[int(piece)] if i % 2 else piece for i, piece in enumerate(pieces))


def _sitewide_key(name, value):
    """What of `value` keys a `{% sitewide with %}` rendering: its `sitewide_key`, or a plain value itself. A row
    without one would be keyed by its id alone and go stale when it changes: refused."""
    try:
        return value.sitewide_key
    except AttributeError:
        if isinstance(value, Model):
            raise template.TemplateSyntaxError(
                f"{{% sitewide with {name}=... %}}: {type(value).__name__} has no sitewide_key."
            ) from None
        return value


class PerRequestNode(template.Node):
    """A hole in `{% sitewide %}`: rendered for each request; outside `{% sitewide %}`, simply rendered.

    `{% perrequest once %}` is a hole whose content is the same wherever it appears in one request (the CSRF
    token's field: Django gives one request one masked token): rendered at its first place and repeated at the
    others, so a list of forms does not render it once per form. Nothing of a list item may go in it."""

    def __init__(self, nodelist, once=False):
        self.nodelist = nodelist
        self.once = once

    def render(self, context):
        holes = context.get(_HOLES)
        if holes is None:
            return self.fill(context)
        holes.append(self)
        return _HOLE.format(len(holes) - 1)

    def fill(self, context) -> str:
        """The hole's content for this request."""
        request = context.get("request")
        if not self.once or request is None:
            return self.nodelist.render(context)
        rendered = request.__dict__.setdefault("_perrequest_once", {})
        try:
            return rendered[self]
        except KeyError:
            html = rendered[self] = self.nodelist.render(context)
            return html


@register.tag
def sitewide(parser, token):
    """`{% sitewide [with name=value ...] %}...{% endsitewide %}`: see SitewideNode."""
    bits = token.split_contents()[1:]
    extra = {}
    if bits:
        if bits[0] != "with" or len(bits) < 2:
            raise template.TemplateSyntaxError("{% sitewide %} takes nothing or `with name=value ...`.")
        extra = token_kwargs(bits[1:], parser, support_legacy=False)
        if len(extra) != len(bits) - 1:
            raise template.TemplateSyntaxError("{% sitewide with %} takes only name=value pairs.")
    nodelist = parser.parse(("endsitewide",))
    parser.delete_first_token()
    return SitewideNode(nodelist, extra)


@register.tag
def perrequest(parser, token):
    """`{% perrequest [once] %}...{% endperrequest %}`: a hole in `{% sitewide %}` (see SitewideNode)."""
    bits = token.split_contents()[1:]
    if bits not in ([], ["once"]):
        raise template.TemplateSyntaxError("{% perrequest %} takes nothing or `once`.")
    nodelist = parser.parse(("endperrequest",))
    parser.delete_first_token()
    return PerRequestNode(nodelist, once=bool(bits))
