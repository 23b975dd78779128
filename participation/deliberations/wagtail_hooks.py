from django.contrib import messages
from django.contrib.admin.utils import unquote
from django.http import Http404
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.panels import FieldPanel, ObjectList
from wagtail.admin.ui.tables import Column as WagtailColumn
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import DeleteView, SnippetViewSet, SnippetViewSetGroup

from communities.regions.scoping import scope_queryset
from portal.core.navigation import Section, is_community_site

from . import admin_views
from .admin_forms import CommunityChoiceForm, TopicForm, VoterRegisterForm
from .models import Comment, DeliberationSettings, Proposal, Topic, VoterRegister


def scoped(community_field):
    """Make every per-object view of a viewset answer 404 for objects outside the user's communities."""
    return lambda viewset_class: _guard_views(viewset_class, community_field)


def _guard_views(viewset_class, community_field):
    def guard(view_class):
        def dispatch(self, request, *args, **kwargs):
            pk = kwargs.get("pk")
            if pk is not None:
                allowed = scope_queryset(self.model.objects.all(), request.user, community_field)
                if not allowed.filter(pk=unquote(str(pk))).exists():
                    raise Http404
            return view_class.dispatch(self, request, *args, **kwargs)

        return type(f"Scoped{view_class.__name__}", (view_class,), {"dispatch": dispatch})

    for name in ("edit", "delete", "usage", "history", "copy", "inspect"):
        attr = f"{name}_view_class"
        setattr(viewset_class, attr, guard(getattr(viewset_class, attr)))
    return viewset_class


class ScopedViewSet(SnippetViewSet):
    community_field = "community"
    copy_view_enabled = False

    def get_queryset(self, request):
        return scope_queryset(self.model.objects.all(), request.user, self.community_field)


class TopicDeleteView(DeleteView):
    """A topic somebody voted on is a public record: it cannot be deleted."""

    def dispatch(self, request, *args, **kwargs):
        if Topic.objects.filter(pk=unquote(str(kwargs["pk"])), roll__isnull=False).exists():
            messages.error(request, _("People have voted on this topic: it is a public record and cannot be deleted."))
            return redirect(self.index_url_name)
        return super().dispatch(request, *args, **kwargs)


@scoped("community")
class TopicViewSet(ScopedViewSet):
    model = Topic
    icon = "doc-full"
    menu_label = _("Topics")
    list_display = ["title", "community", "voting_starts", "voting_ends"]
    list_filter = ["electorate", "majority"]
    search_fields = ["title"]
    edit_handler = ObjectList(Topic.panels, base_form_class=TopicForm)
    delete_view_class = TopicDeleteView


@scoped("topic__community")
class VoterRegisterViewSet(ScopedViewSet):
    model = VoterRegister
    community_field = "topic__community"
    icon = "group"
    menu_label = _("Voter register")
    list_display = ["topic", "user", "household_key", "floor_area"]
    list_filter = ["topic"]
    edit_handler = ObjectList(VoterRegister.panels, base_form_class=VoterRegisterForm)


@scoped("community")
class CommentViewSet(ScopedViewSet):
    model = Comment
    icon = "comment"
    menu_label = _("Comments")
    list_display = ["topic", "author", "stance", "is_hidden"]
    list_filter = ["stance", "is_hidden"]
    add_view_enabled = False
    panels = [FieldPanel("is_hidden")]


class Column(WagtailColumn):
    cell_template_name = "deliberations/admin/proposal_actions_cell.html"


@scoped("community")
class ProposalViewSet(ScopedViewSet):
    model = Proposal
    icon = "pick"
    menu_label = _("Residents' proposals")
    list_display = [
        "title",
        "community",
        "get_status_display",
        "created_at",
        Column("actions", label=_("Actions")),
    ]
    add_view_enabled = False
    inspect_view_enabled = True
    panels = [FieldPanel("title"), FieldPanel("description"), FieldPanel("options")]


@scoped("community")
class DeliberationSettingsViewSet(ScopedViewSet):
    model = DeliberationSettings
    icon = "cog"
    menu_label = _("Proposal settings")
    list_display = ["community", "residents_may_propose", "cosigners_needed"]
    edit_handler = ObjectList(DeliberationSettings.panels, base_form_class=CommunityChoiceForm)


class DeliberationsGroup(SnippetViewSetGroup):
    items = (TopicViewSet, ProposalViewSet, VoterRegisterViewSet, CommentViewSet, DeliberationSettingsViewSet)
    menu_icon = "doc-full"
    menu_label = _("Deliberations")
    menu_name = "deliberations"


register_snippet(DeliberationsGroup)


@hooks.register("register_admin_urls")
def paper_ballot_urls():
    return [
        path("deliberations/paper-ballots/", admin_views.paper_ballot_index, name="deliberations_paper_ballots"),
        path(
            "deliberations/paper-ballots/<int:pk>/",
            admin_views.record_paper_ballot,
            name="deliberations_paper_ballot",
        ),
        path("deliberations/proposals/<int:pk>/open/", admin_views.open_proposal, name="deliberations_open_proposal"),
        path(
            "deliberations/proposals/<int:pk>/decline/",
            admin_views.decline_proposal,
            name="deliberations_decline_proposal",
        ),
    ]


class PaperBallotMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.has_perm("deliberations.change_topic")


@hooks.register("register_admin_menu_item")
def paper_ballot_menu_item():
    return PaperBallotMenuItem(_("Paper ballots"), reverse("deliberations_paper_ballots"), icon_name="form", order=310)


SCOPE_FIELDS = {
    Topic: "community",
    VoterRegister: "topic__community",
    Comment: "community",
    Proposal: "community",
    DeliberationSettings: "community",
}


@hooks.register("before_bulk_action")
def keep_bulk_actions_in_scope(request, action_type, objects, action):
    """Bulk actions bypass the viewsets: apply the same community scope and the same protection here."""
    model = type(objects[0]) if objects else None
    if model not in SCOPE_FIELDS:
        return None
    pks = [obj.pk for obj in objects]
    allowed = scope_queryset(model.objects.filter(pk__in=pks), request.user, SCOPE_FIELDS[model])
    if allowed.count() != len(set(pks)):
        messages.error(request, _("Some of the chosen items belong to communities you do not work for."))
        return redirect("wagtailadmin_home")
    if model is Topic and action_type == "delete" and Topic.objects.filter(pk__in=pks, roll__isnull=False).exists():
        messages.error(request, _("People have voted on this topic: it is a public record and cannot be deleted."))
        return redirect("wagtailadmin_home")
    return None


@hooks.register("register_community_section")
def deliberations_section(request, site):
    if not is_community_site(site):
        return None
    return Section("deliberations", _("Deliberations"), reverse("deliberations:list"))
