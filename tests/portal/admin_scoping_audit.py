"""What the admin scoping tests walk: every registered viewset of a community-scoped model, every URL.

Nothing here is a hand list of URLs: the viewsets come from Wagtail's viewset registry, their URLs
from each viewset's own URL patterns (reversed through the project's resolver), the bulk actions from
Wagtail's bulk-action registry. The only hand-written part is how to make one row of each scoped
model (`make_rows`): a scoped model without a maker fails the test, asking for one.
"""

import io
import json
import re
import zipfile
from datetime import timedelta
from decimal import Decimal

from django.contrib.admin.utils import quote
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.db import models
from django.forms.models import model_to_dict
from django.urls import NoReverseMatch, URLResolver, get_resolver, reverse
from django.utils import timezone
from wagtail.admin.views.bulk_action.registry import bulk_action_registry
from wagtail.admin.viewsets import viewsets
from wagtail.admin.viewsets.base import ViewSetGroup
from wagtail.models import Page

from communities.organisations.models import Question
from communities.regions.models import Community, SearchTerm
from participation.deliberations.models import Comment, DeliberationSettings, Option, Proposal, Topic, VoterRegister
from participation.elections.models import Candidate, Election, Objection, Post, VoterListEntry
from participation.forums.models import ForumCategory, Thread
from participation.microblog.models import MicroPost
from participation.moderation.models import ModerationPolicy, SensitiveWord
from participation.polls.models import Answer, Response
from portal.accounts.models import Building, Home, Membership
from portal.api import keys as api_keys
from portal.api.models import ApiKey
from portal.audit.models import AuditEntry
from portal.core.admin_scoping import (
    CommunityScopedViewSetMixin,
    NotACommunityRow,
    Scoped,
    ScopedChooserViewSetMixin,
    scoped_policy_for,
)
from portal.wechat.models import Account, KeywordReply, MessageTemplate

# Text every row of community B carries (its community's name too): it must never reach A's staff.
MARK = "乙机密"

# Community-scoped models whose admin is deliberately city-wide, and why.
CITY_WIDE = {
    AuditEntry: "the audit log is read by the city's auditors (audit.view_auditentry), not by community staff",
}


def all_viewsets():
    viewsets.populate()

    def walk(items):
        for item in items:
            if isinstance(item, ViewSetGroup):
                yield from walk(item.viewsets)
            else:
                yield item

    return list(walk(viewsets.viewsets))


def links_to_community(model, depth=2) -> bool:
    """Whether rows of `model` belong to a community: it is Community, or a forward relation leads there."""
    if model is Community:
        return True
    if depth == 0 or issubclass(model, Page):  # pages are scoped by Wagtail's page permissions
        return False
    for field in model._meta.get_fields():
        if not field.is_relation or field.auto_created or field.related_model is None:
            continue
        if field.related_model is Community or (
            isinstance(field, models.ForeignKey) and links_to_community(field.related_model, depth - 1)
        ):
            return True
    return False


def scoped_viewsets(items=None):
    """Every registered viewset (choosers included) whose model belongs to a community."""
    items = all_viewsets() if items is None else items
    found = []
    for viewset in items:
        model = getattr(viewset, "model", None)
        if isinstance(model, type) and links_to_community(model) and model not in CITY_WIDE:
            found.append(viewset)
    return found


def unscoped(items):
    """The viewsets of community-scoped models that do not use the one scoping mixin and policy."""
    bad = []
    for viewset in scoped_viewsets(items):
        mixin = isinstance(viewset, (CommunityScopedViewSetMixin, ScopedChooserViewSetMixin))
        if not mixin or scoped_policy_for(viewset.model) is None:
            bad.append(viewset)
    return bad


# Rows ----------------------------------------------------------------------------------------


def make_rows(community, staff, tag):
    """One row of every community-scoped model, in `community`, with `tag` in its text."""
    now = timezone.now()
    topic = Topic.objects.create(
        community=community,
        title=f"{tag}议题",
        description=f"{tag}说明",
        proposal_starts=now - timedelta(days=10),
        discussion_starts=now - timedelta(days=1),
        voting_starts=now + timedelta(days=1),
        voting_ends=now + timedelta(days=2),
        legacy_register=True,
    )
    Option.objects.create(topic=topic, label=f"{tag}同意", sort_order=0)
    building = Building.objects.create(community=community, name=f"{tag}楼")
    home = Home.objects.create(community=community, building=building, room="101")
    category = ForumCategory.objects.create(community=community, name=f"{tag}版块", slug="chat")
    poll_response = Response.objects.create(poll=_poll(community), community=community)
    election = Election.objects.create(
        community=community,
        title=f"{tag}选举",
        announcement=f"{tag}公告",
        announced_at=now - timedelta(days=5),
        voter_list_from=now - timedelta(days=4),
        nominations_from=now - timedelta(days=3),
        acceptance_from=now - timedelta(days=2),
        candidates_from=now - timedelta(days=1),
        voting_starts=now + timedelta(days=1),
        voting_ends=now + timedelta(days=2),
    )
    post = Post.objects.create(election=election, name=f"{tag}主任", seats=1)
    rows = {
        Community: community,
        Topic: topic,
        VoterRegister: VoterRegister.objects.create(
            topic=topic, user=staff, household_key=f"{tag}户", floor_area=Decimal("80")
        ),
        Comment: Comment.objects.create(community=community, topic=topic, author=staff, body=f"{tag}评论"),
        Proposal: Proposal.objects.create(
            community=community,
            proposer=staff,
            title=f"{tag}提议",
            description=f"{tag}提议说明",
            options="赞成\n反对",
            cosigners_needed=3,
        ),
        DeliberationSettings: DeliberationSettings.objects.create(community=community, cosigners_needed=3),
        Building: building,
        Home: home,
        Membership: Membership.objects.create(user=staff, community=community, home=home, real_name=f"{tag}姓名"),
        SearchTerm: SearchTerm.objects.create(community=community, word=f"{tag}词", note=f"{tag}备注"),
        ApiKey: api_keys.issue(f"{tag}合作方", [community])[0],
        Answer: Answer.objects.create(
            response=poll_response, question_key="ideas", value=f"{tag}答案", text_status=Answer.TextStatus.PENDING
        ),
        SensitiveWord: SensitiveWord.objects.create(community=community, word=f"{tag}敏感"),
        ModerationPolicy: ModerationPolicy.objects.create(community=community),
        ForumCategory: category,
        Thread: Thread.objects.create(community=community, category=category, author=staff, title=f"{tag}帖子"),
        MicroPost: MicroPost.objects.create(community=community, author=staff, text=f"{tag}微博", as_community=True),
        Account: Account.objects.create(
            community=community, name=f"{tag}公众号", app_id=f"wx{community.pk:016x}", welcome_text=f"{tag}欢迎"
        ),
        KeywordReply: KeywordReply.objects.create(community=community, keyword=f"{tag}关键词", reply_text=f"{tag}回复"),
        Election: election,
        Candidate: Candidate.objects.create(election=election, post=post, person=staff, statement=f"{tag}陈述"),
        VoterListEntry: VoterListEntry.objects.create(election=election, number=1, user=staff),
        Objection: Objection.objects.create(election=election, author=staff, text=f"{tag}异议"),
    }
    rows[MessageTemplate] = MessageTemplate.objects.create(
        account=rows[Account], event=MessageTemplate.Event.COMPLAINT, template_id=f"{tag}模板", fields={"a": "{text}"}
    )
    return rows


def _poll(community):
    from participation.polls.models import PollIndexPage, PollPage

    index = community.root_page.get_children().type(PollIndexPage).first()
    poll = PollPage(
        title="意见征集",
        slug=f"poll-{community.slug}",
        opens_at=timezone.now() - timedelta(days=1),
        closes_at=timezone.now() + timedelta(days=7),
        questions=[],
    )
    index.add_child(instance=poll)
    return poll


# Looking for leaks ---------------------------------------------------------------------------


def leaks(response) -> bool:
    """Whether B's mark is in the response: HTML, JSON (escaped or not), or a spreadsheet's XML."""
    body = response.content if not getattr(response, "streaming", False) else b"".join(response.streaming_content)
    texts = [body.decode("utf-8", "replace")]
    if body[:2] == b"PK":
        with zipfile.ZipFile(io.BytesIO(body)) as sheet:
            texts += [sheet.read(name).decode("utf-8", "replace") for name in sheet.namelist()]
    escaped = json.dumps(MARK)[1:-1]
    return any(MARK in text or escaped in text for text in texts)


def url_kwargs(pattern, pk):
    kwargs = {}
    for name, converter in pattern.pattern.converters.items():
        if name == "pk":
            kwargs[name] = quote(pk)
        elif converter.regex == "[0-9]+":
            kwargs[name] = 1
        else:
            kwargs[name] = "1"
    return kwargs


def snapshot(obj):
    fresh = type(obj)._default_manager.filter(pk=obj.pk).first()
    return None if fresh is None else model_to_dict(fresh)


def audit_viewset(viewset, client, foreign):
    """Every URL of `viewset` as A's staff, against B's row `foreign`: a list of what went wrong."""
    problems = []
    before = snapshot(foreign)
    for pattern in viewset.get_urlpatterns():
        if not pattern.name:
            continue
        has_pk = "pk" in pattern.pattern.converters
        try:
            url = reverse(f"{viewset.url_namespace}:{pattern.name}", kwargs=url_kwargs(pattern, foreign.pk))
        except NoReverseMatch:
            problems.append(f"{pattern.name}: cannot reverse")
            continue
        if has_pk:
            for method in ("get", "post"):
                response = getattr(client, method)(url)
                if response.status_code not in (403, 404):
                    problems.append(f"{method.upper()} {url}: {response.status_code}, not 403/404")
                if leaks(response):
                    problems.append(f"{method.upper()} {url}: shows community B's data")
        else:
            queries = ["", f"?q={MARK[1:]}", "?export=csv", "?export=xlsx", f"?id={quote(foreign.pk)}"]
            for query in queries:
                response = client.get(url + query)
                if leaks(response):
                    problems.append(f"GET {url}{query}: shows community B's data")
    for action in bulk_action_registry.get_bulk_actions_for_model(
        viewset.model._meta.app_label, viewset.model._meta.model_name
    ):
        url = reverse(
            "wagtail_bulk_action",
            args=(viewset.model._meta.app_label, viewset.model._meta.model_name, action.action_type),
        )
        for method in ("get", "post"):
            response = getattr(client, method)(f"{url}?id={quote(foreign.pk)}")
            if leaks(response):
                problems.append(f"{method.upper()} {url}?id=…: shows community B's data")
    if snapshot(foreign) != before:
        problems.append(f"community B's {viewset.model._meta.label} was changed or deleted")
    return problems


# Every admin URL of the resolver ---------------------------------------------------------------

# Admin URLs with an id in their path that are not community-scoped by the one admin mechanism, and
# why: (route prefix, module of the view, reason). Anything else with an id must be a scoped viewset's
# URL (`guard_object_urls`) or a view declared with `community_scoped_view`.
NOT_SCOPED = [
    ("admin/api/main/", "wagtail.", "admin API over pages, images, documents: page and collection permissions"),
    ("admin/pages/", "wagtail.", "pages: Wagtail's page permissions on each community's subtree (provisioning)"),
    ("admin/choose-page/", "wagtail.", "the page chooser: Wagtail's page permissions"),
    ("admin/forms/submissions/", "wagtail.", "form pages' submissions: Wagtail's page permissions"),
    ("admin/collections/", "wagtail.", "collections: Wagtail's collection permissions on each community's collection"),
    ("admin/images/", "wagtail.", "images: Wagtail's collection permissions"),
    ("admin/documents/", "wagtail.", "documents: Wagtail's collection permissions"),
    ("admin/settings/", "wagtail.", "site settings: Wagtail's per-site permission (GroupSitePermission, provisioning)"),
    ("admin/bulk/", "wagtail.", "a model name, not a row: ScopedBulkActionMixin checks the rows"),
    ("admin/tag-autocomplete/", "wagtail.", "a model name, not a row"),
    ("admin/editing-sessions/", "wagtail.", "the user's own editing session; the object is checked by its policy"),
    ("admin/password_reset/", "wagtail.", "a reset token, not a row"),
    ("admin/workflows/", "wagtail.", "workflows and tasks: city administrators' permissions (wagtailcore.*_workflow)"),
    ("admin/redirects/", "wagtail.", "redirects: wagtailredirects permissions, held by city administrators only"),
    ("admin/regions/", "wagtail.", "regions' boundaries: regions.change_region, held by city administrators only"),
    ("admin/sites/", "wagtail.", "Wagtail sites: wagtailcore.*_site, held by city administrators only"),
    ("admin/users/", "wagtail.", "accounts: wagtailusers permissions, held by city administrators only"),
    ("admin/groups/", "wagtail.", "groups: auth.*_group, held by city administrators only"),
    ("admin/audit/", "wagtail.", "the audit log is city-wide (CITY_WIDE above)"),
    ("admin/snippets/complaints/servicecategory/", "wagtail.", "complaint categories are the city's, of no community"),
    ("admin/snippets/choose/complaints/servicecategory/", "wagtail.", "complaint categories are the city's"),
]


def walk_urls(patterns=None, prefix="", arguments=frozenset()):
    """(route, pattern, path arguments) of every URL pattern of the resolver, includes walked."""
    patterns = get_resolver().url_patterns if patterns is None else patterns
    for entry in patterns:
        names = arguments | set(entry.pattern.regex.groupindex)
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            yield from walk_urls(entry.url_patterns, route, names)
        else:
            yield route, entry, names


def not_scoped_reason(route, callback):
    module = getattr(callback, "__module__", "")
    for prefix, module_prefix, reason in NOT_SCOPED:
        if route.startswith(prefix) and module.startswith(module_prefix):
            return reason
    return None


def unscoped_admin_urls(urls=None):
    """Admin URLs with an id that are neither a scoped viewset's, nor declared, nor justified."""
    problems = []
    for route, pattern, arguments in walk_urls() if urls is None else urls:
        if not route.startswith("admin/") or not arguments:
            continue
        callback = pattern.callback
        if getattr(callback, "scoped_policy", None) is not None:
            continue  # a scoped viewset's object URL: the viewset audit walks it
        declared = getattr(callback, "scoped_arguments", None)
        if declared is not None:
            if arguments - set(declared):
                problems.append(f"{route}: {sorted(arguments - set(declared))} not declared in community_scoped_view")
        elif not_scoped_reason(route, callback) is None:
            problems.append(f"{route}: an id, neither scoped (community_scoped_view) nor on NOT_SCOPED with a reason")
    return problems


def scoped_function_views():
    """(route, pattern) of every view declared with `community_scoped_view`, admin or not."""
    return [(route, pattern) for route, pattern, _names in walk_urls() if hasattr(pattern.callback, "scoped_arguments")]


# Values for URL arguments that name no community row (NotACommunityRow), by argument name.
NOT_A_ROW_VALUES = {"type_id": lambda rows: ContentType.objects.get_for_model(Thread).pk}


def function_view_rows(community, staff, tag, rows):
    """The rows the function views take that `make_rows` has not made, in `community`."""
    from participation.complaints.models import CityDuplicate, Complaint, ComplaintPhoto, Outbox, ServiceCategory
    from participation.forums.models import Post
    from tests.organisations.conftest import make_organisation

    category, _new = ServiceCategory.objects.get_or_create(service_code="scope-audit", defaults={"name": "审计类"})
    complaint = Complaint.objects.create(
        community=community, reporter=staff, category=category, description=f"{tag}投诉", address=f"{tag}地址"
    )
    Outbox.objects.create(complaint=complaint, state=Outbox.State.DELIVERED, service_request_id=f"{tag}-1")
    organisation = make_organisation(community, n=community.pk, title=f"{tag}机构")
    return rows | {
        Complaint: complaint,
        ComplaintPhoto: ComplaintPhoto.objects.create(complaint=complaint, image=ContentFile(b"x", name="p.jpg")),
        CityDuplicate: CityDuplicate.objects.create(
            complaint=complaint, service_request_id=f"{tag}-{community.pk}", source=CityDuplicate.Source.LISTING
        ),
        Question: Question.objects.create(
            organisation=organisation, community=community, author=staff, body=f"{tag}提问"
        ),
        Post: Post.objects.create(
            community=community, thread=rows[Thread], number=1, author=staff, body=f"{tag}回帖", body_html=f"{tag}回帖"
        ),
    }


def function_view_url(route, callback, rows):
    """The route with each declared argument filled from `rows` (one community's)."""
    values = {}
    declared = callback.scoped_arguments
    for name, spec in declared.items():
        if isinstance(spec, NotACommunityRow):
            values[name] = NOT_A_ROW_VALUES[name](rows)
    for name, spec in declared.items():
        if isinstance(spec, Scoped):
            values[name] = rows[spec.model_for(values)].pk
    return "/" + re.sub(r"<(?:\w+:)?(\w+)>", lambda match: str(values[match.group(1)]), route)


def audit_function_view(route, pattern, client, foreign_rows):
    """GET and POST the view with B's ids as A's staff: a list of what went wrong."""
    problems = []
    url = function_view_url(route, pattern.callback, foreign_rows)
    for method in ("get", "post"):
        response = getattr(client, method)(url)
        if response.status_code not in (403, 404):
            problems.append(f"{method.upper()} {url}: {response.status_code}, not 403/404")
        if leaks(response):
            problems.append(f"{method.upper()} {url}: shows community B's data")
    return problems
