from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.panels import FieldPanel, ObjectList
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permission_policies.base import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy

from .admin_scoping import CommunityScopedForm, CommunityScopedViewSetMixin, scoped_view_classes
from .models import Community, SearchTerm
from .scoping import communities_for


class CommunityPolicy(ModelPermissionPolicy):
    """Staff see the communities they act for. Communities are made by `create_community`, not here."""

    def user_has_permission(self, user, action):
        return action == "view" and communities_for(user).exists()

    def user_has_any_permission(self, user, actions):
        return "view" in actions and communities_for(user).exists()

    def user_has_permission_for_instance(self, user, action, instance):
        return action == "view" and communities_for(user).filter(pk=instance.pk).exists()

    def user_has_any_permission_for_instance(self, user, actions, instance):
        return "view" in actions and communities_for(user).filter(pk=instance.pk).exists()

    def instances_user_has_any_permission_for(self, user, actions):
        return communities_for(user) if "view" in actions else Community.objects.none()


class CommunityViewSet(ModelViewSet):
    model = Community
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
    permission_policy = CommunityPolicy(Community)


for _name, _view in scoped_view_classes(CommunityViewSet).items():
    setattr(CommunityViewSet, _name, _view)
register_permission_policy(Community, CommunityViewSet.permission_policy)
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
    edit_handler = ObjectList(
        [FieldPanel("community"), FieldPanel("word"), FieldPanel("note")], base_form_class=CommunityScopedForm
    )


search_term_viewset = SearchTermViewSet("search_terms")
register_permission_policy(SearchTerm, search_term_viewset.permission_policy)


@hooks.register("register_admin_viewset")
def register_search_term_viewset():
    return search_term_viewset
