from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.viewsets.model import ModelViewSet

from portal.core.admin_scoping import CommunityScopedViewSetMixin
from portal.core.navigation import AccountLink, Section, is_community_site

from .models import MicroPost


class MicroPostViewSet(CommunityScopedViewSetMixin, ModelViewSet):
    """Pinning the community's own posts. Hiding goes through the moderation screen, which logs it;
    residents and workers post on the site."""

    model = MicroPost
    model_permissions = False
    forbidden_actions = ("add", "delete")
    form_fields = ["pinned"]
    list_display = ["__str__", "community", "as_community", "comment_count", "pinned", "moderation_state"]
    list_filter = ["pinned", "as_community", "moderation_state"]
    search_fields = ["text"]
    icon = "openquote"
    name = "microblog_posts"
    menu_label = _("Microblog")
    add_to_admin_menu = True
    menu_order = 260


@hooks.register("register_admin_viewset")
def register_microblog_viewset():
    return MicroPostViewSet()


@hooks.register("register_community_section")
def microblog_section(request, site):
    if not is_community_site(site):
        return None
    return Section("microblog", _("Community microblog"), reverse("microblog:feed"))


@hooks.register("register_account_menu_item")
def microblog_account_menu(request):
    return AccountLink("microblog", _("My microblog"), reverse("microblog:me"), 35)


HOME_POSTS = 5
# What microblog/_home_panel.html shows of a post, its author (`public_name`) and its community: whole user rows
# (with their password hashes and phones) were read and built for nothing.
HOME_POST_FIELDS = (
    "created_at",
    "text_html",
    "as_community",
    "community__name",
    "author__display_name",
    "author__username",
    "author__deleted_at",
)


@hooks.register("register_community_home_panel")
def microblog_home_panel(request, site):
    """The feed's latest posts on the community's home page (kept as long as the page cache keeps it)."""
    from .models import MicroPost

    if not is_community_site(site):
        return None
    posts = list(
        MicroPost.objects.public()
        .filter(community__site=site)
        .select_related("author", "community")
        .only(*HOME_POST_FIELDS)
        .order_by("-pk")[:HOME_POSTS]
    )
    return {"template": "microblog/_home_panel.html", "context": {"posts": posts}}
