from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.viewsets.model import ModelViewSet

from portal.core.admin_scoping import CommunityScopedViewSetMixin

from .models import Community, SearchTerm


class CommunityViewSet(CommunityScopedViewSetMixin, ModelViewSet):
    """Staff see the communities they act for. Communities are made by `create_community`, not here."""

    model = Community
    community_field = "pk"
    model_permissions = False
    forbidden_actions = ("add", "change", "delete")
    icon = "home"
    menu_label = _("Communities")
    menu_order = 150
    add_to_admin_menu = True
    inspect_view_enabled = True
    list_display = ["name", "slug", "hostname", "street"]
    list_filter = ["street"]
    search_fields = ["name", "slug", "hostname"]
    inspect_view_fields = ["name", "slug", "hostname", "street", "site", "root_page", "collection", "created_at"]
    form_fields = ["name"]


community_viewset = CommunityViewSet("communities")


@hooks.register("register_admin_viewset")
def register_viewset():
    return community_viewset


class SearchTermViewSet(CommunityScopedViewSetMixin, ModelViewSet):
    """Community terms for the search segmenter: workers add their estates, places and words."""

    model = SearchTerm
    icon = "search"
    menu_label = _("Search terms")
    menu_order = 160
    add_to_admin_menu = True
    list_display = ["word", "community", "note", "created_at"]
    list_filter = ["community"]
    search_fields = ["word", "note"]
    form_fields = ["community", "word", "note"]


search_term_viewset = SearchTermViewSet("search_terms")


@hooks.register("register_admin_viewset")
def register_search_term_viewset():
    return search_term_viewset
