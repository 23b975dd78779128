from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.panels import FieldPanel, ObjectList
from wagtail.admin.views.generic import IndexView
from wagtail.admin.viewsets.chooser import ChooserViewSet
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy

from portal.core.admin_scoping import (
    CommunityScopedViewSetMixin,
    JoinedColumnsMixin,
    ScopedChooserViewSetMixin,
    WellFormedChooser,
    search_filter_form,
)

from .forms import BoundaryForm
from .models import Community, Region, SearchTerm

BOUNDARY_PANELS = [FieldPanel("boundary"), FieldPanel("boundary_file")]


class CommunityViewSet(CommunityScopedViewSetMixin, ModelViewSet):
    """Staff see the communities they act for. Communities are made, renamed and removed by commands
    (`create_community`, ...), not here; the staff who act for one enter its population (decision support
    compares participation with it) and its map boundary."""

    model = Community
    community_field = "pk"
    model_permissions = False
    forbidden_actions = ("add", "delete")
    icon = "home"
    menu_label = _("Communities")
    menu_order = 150
    add_to_admin_menu = True
    inspect_view_enabled = True
    list_display = ["name", "slug", "hostname", "street", "population"]
    list_filter = ["street"]
    search_fields = ["name", "slug", "hostname"]
    inspect_view_fields = [
        "name",
        "slug",
        "hostname",
        "street",
        "site",
        "root_page",
        "collection",
        "population",
        "created_at",
    ]
    edit_handler = ObjectList([FieldPanel("population"), *BOUNDARY_PANELS], base_form_class=BoundaryForm)


community_viewset = CommunityViewSet("communities")


class CommunityChooserViewSet(ScopedChooserViewSetMixin, ChooserViewSet):
    """Every admin form and listing filter with a community field chooses it here (Wagtail's form field
    override for a foreign key to Community): a searched, paginated modal of the user's communities,
    instead of a choice per community of the city (700) on every form and listing."""

    model = Community
    base_widget_class = WellFormedChooser
    icon = "home"
    choose_one_text = _("Choose a community")
    choose_another_text = _("Choose another community")
    page_title = _("Choose a community")
    ordering = ["name", "pk"]
    per_page = 20
    filter_form_class = search_filter_form("name", "slug", "street__name")


community_chooser_viewset = CommunityChooserViewSet("community_chooser")


@hooks.register("register_admin_viewset")
def register_viewset():
    return community_viewset


@hooks.register("register_admin_viewset")
def register_community_chooser():
    return community_chooser_viewset


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


class RegionPolicy(ModelPermissionPolicy):
    """Boundaries only: regions are added and removed by the provisioning commands, never here."""

    def user_has_permission(self, user, action):
        return action not in ("add", "delete") and super().user_has_permission(user, action)

    def user_has_any_permission(self, user, actions):
        return any(self.user_has_permission(user, action) for action in actions)


class RegionIndexView(JoinedColumnsMixin, IndexView):
    pass


class RegionViewSet(ModelViewSet):
    """The city, its districts and streets: their map boundaries. Regions are made by provisioning commands;
    only city administrators (superusers, or `regions.change_region`) edit boundaries here."""

    model = Region
    index_view_class = RegionIndexView
    icon = "site"
    menu_label = _("Regions")
    menu_order = 151
    add_to_admin_menu = True
    list_display = ["name", "kind", "parent"]
    list_filter = ["kind"]
    search_fields = ["name", "slug"]
    edit_handler = ObjectList(BOUNDARY_PANELS, base_form_class=BoundaryForm)
    copy_view_enabled = False

    def __init__(self, *args, **kwargs):
        register_permission_policy(Region, RegionPolicy(Region), exact_class=True)
        super().__init__(*args, **kwargs)


region_viewset = RegionViewSet("regions")


@hooks.register("register_admin_viewset")
def register_region_viewset():
    return region_viewset
