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
from wagtail.snippets.views.snippets import CreateView, DeleteView, SnippetViewSet, SnippetViewSetGroup

from portal.core.admin_scoping import CommunityScopedViewSetMixin
from portal.core.navigation import AccountLink, Section, is_community_site

from . import admin_views
from .admin_forms import TopicForm, VoterRegisterForm
from .models import Comment, DeliberationSettings, Proposal, Topic, VoterRegister


class ScopedViewSet(CommunityScopedViewSetMixin, SnippetViewSet):
    copy_view_enabled = False


class TopicDeleteView(DeleteView):
    """A topic somebody voted on is a public record: it cannot be deleted."""

    def dispatch(self, request, *args, **kwargs):
        if Topic.objects.filter(pk=unquote(str(kwargs["pk"])), roll__isnull=False).exists():
            messages.error(request, _("People have voted on this topic: it is a public record and cannot be deleted."))
            return redirect(self.index_url_name)
        return super().dispatch(request, *args, **kwargs)


class TopicViewSet(ScopedViewSet):
    model = Topic
    icon = "doc-full"
    menu_label = _("Topics")
    list_display = ["title", "community", "voting_starts", "voting_ends"]
    list_filter = ["electorate", "majority"]
    search_fields = ["title"]
    edit_handler = ObjectList(Topic.panels, base_form_class=TopicForm)
    delete_view_class = TopicDeleteView


class VoterRegisterViewSet(ScopedViewSet):
    model = VoterRegister
    community_field = "topic__community"
    icon = "group"
    menu_label = _("Voter register")
    list_display = ["topic", "user", "household_key", "floor_area"]
    list_filter = ["topic"]
    edit_handler = ObjectList(VoterRegister.panels, base_form_class=VoterRegisterForm)


class NoAddView(CreateView):
    """`add_view_enabled = False` hides the button, but Wagtail still serves the URL: residents write comments."""

    def dispatch(self, request, *args, **kwargs):
        raise Http404


class CommentViewSet(ScopedViewSet):
    model = Comment
    icon = "comment"
    menu_label = _("Comments")
    list_display = ["topic", "author", "stance", "is_hidden"]
    list_filter = ["stance", "is_hidden"]
    add_view_enabled = False
    add_view_class = NoAddView
    panels = [FieldPanel("is_hidden")]


class Column(WagtailColumn):
    cell_template_name = "deliberations/admin/proposal_actions_cell.html"


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


class DeliberationSettingsViewSet(ScopedViewSet):
    model = DeliberationSettings
    icon = "cog"
    menu_label = _("Proposal settings")
    list_display = ["community", "residents_may_propose", "cosigners_needed"]
    panels = DeliberationSettings.panels


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
            "deliberations/paper-ballots/<id:pk>/",
            admin_views.record_paper_ballot,
            name="deliberations_paper_ballot",
        ),
        path("deliberations/proposals/<id:pk>/open/", admin_views.open_proposal, name="deliberations_open_proposal"),
        path(
            "deliberations/proposals/<id:pk>/decline/",
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


@hooks.register("before_bulk_action")
def keep_voted_topics(request, action_type, objects, action):
    """A topic somebody voted on is a public record, in a bulk delete too (scope is the policy's job)."""
    topics = [obj.pk for obj in objects if isinstance(obj, Topic)]
    if action_type == "delete" and Topic.objects.filter(pk__in=topics, roll__isnull=False).exists():
        messages.error(request, _("People have voted on this topic: it is a public record and cannot be deleted."))
        return redirect("wagtailadmin_home")
    return None


@hooks.register("register_account_menu_item")
def deliberations_account_menu(request):
    return AccountLink("votes", _("My votes and receipts"), reverse("deliberations:mine"), 40)


@hooks.register("register_community_section")
def deliberations_section(request, site):
    if not is_community_site(site):
        return None
    return Section("deliberations", _("Deliberations"), reverse("deliberations:list"))
