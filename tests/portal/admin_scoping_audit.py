"""What the admin scoping tests walk: every registered viewset of a community-scoped model, every URL.

Nothing here is a hand list of URLs: the viewsets come from Wagtail's viewset registry, their URLs
from each viewset's own URL patterns (reversed through the project's resolver), the bulk actions from
Wagtail's bulk-action registry. The only hand-written part is how to make one row of each scoped
model (`make_rows`): a scoped model without a maker fails the test, asking for one.
"""

import io
import json
import zipfile
from datetime import timedelta
from decimal import Decimal

from django.contrib.admin.utils import quote
from django.db import models
from django.forms.models import model_to_dict
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from wagtail.admin.views.bulk_action.registry import bulk_action_registry
from wagtail.admin.viewsets import viewsets
from wagtail.admin.viewsets.base import ViewSetGroup
from wagtail.models import Page

from communities.regions.models import Community, SearchTerm
from participation.deliberations.models import Comment, DeliberationSettings, Option, Proposal, Topic, VoterRegister
from participation.forums.models import ForumCategory, Thread
from participation.moderation.models import ModerationPolicy, SensitiveWord
from participation.polls.models import Answer, Response
from portal.accounts.models import Building, Home, Membership
from portal.audit.models import AuditEntry
from portal.core.admin_scoping import CommunityScopedChooserViewSet, CommunityScopedViewSetMixin, scoped_policy_for
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
        mixin = isinstance(viewset, (CommunityScopedViewSetMixin, CommunityScopedChooserViewSet))
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
        Answer: Answer.objects.create(
            response=poll_response, question_key="ideas", value=f"{tag}答案", text_status=Answer.TextStatus.PENDING
        ),
        SensitiveWord: SensitiveWord.objects.create(community=community, word=f"{tag}敏感"),
        ModerationPolicy: ModerationPolicy.objects.create(community=community),
        ForumCategory: category,
        Thread: Thread.objects.create(community=community, category=category, author=staff, title=f"{tag}帖子"),
        Account: Account.objects.create(
            community=community, name=f"{tag}公众号", app_id=f"wx{community.pk:016x}", welcome_text=f"{tag}欢迎"
        ),
        KeywordReply: KeywordReply.objects.create(community=community, keyword=f"{tag}关键词", reply_text=f"{tag}回复"),
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
