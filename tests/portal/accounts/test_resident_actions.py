"""Every resident write asks the one decision (portal.accounts.actions).

The endpoints come from the URL resolver and from every routable page type's routes, not from a hand
list: each must be classified below as an `action` (guarded by `resident_action`), `own` (writes only
the user's own account, a preference, or is a signed machine endpoint: no community action, with why)
or `read` (a POST writes nothing). A new URL or route fails `test_every_endpoint_is_classified` until it
is; an `action` without the guard fails it too. Then, with community b1 asking the strictest
requirement of every action, a verified resident of a1 is refused on b1's site (403 with the reason,
nothing written) and a verified resident of b1 succeeds; a `read` endpoint writes nothing on a POST.
"""

from datetime import timedelta

import pytest
from django.apps import apps
from django.urls import URLResolver, get_resolver
from django.utils import timezone, translation
from wagtail.contrib.routable_page.models import RoutablePageMixin
from wagtail.models import Page, get_page_models

from communities.organisations.models import Question
from participation.complaints import cases
from participation.complaints.models import Complaint, ServiceCategory
from participation.deliberations.models import (
    Comment,
    CoSignature,
    DeliberationSettings,
    Option,
    Proposal,
    Topic,
    VoterRoll,
)
from participation.forums import services as forum_services
from participation.forums.models import ForumCategory, Post, PostLike, PostRevision, Thread
from participation.governance.models import ConventionEndorsement, ConventionPage
from participation.microblog import services as microblog_services
from participation.microblog.models import MicroComment, MicroLike, MicroPost
from participation.moderation.models import ModerationPolicy, ModerationState, Report, Suspension
from participation.moderation.ratelimit import DEFAULT_LIMITS
from participation.polls.models import Participation, PollIndexPage, PollPage
from portal.accounts import actions
from portal.accounts.actions import Requirement, decide, guard_of
from portal.accounts.models import ActionRule, Membership
from portal.core.page_cache import PageCacheMixin
from tests.communities.helpers import add_event
from tests.organisations.conftest import make_organisation

GENEROUS = {action: {"user": (10_000, 60), "ip": (10_000, 60), "new_user": (10_000, 60)} for action in DEFAULT_LIMITS}

# Rows that a read may write for the reader's own sake (sessions, what they have read), or logs.
IGNORED_MODELS = {"sessions.session", "forums.threadread", "audit.accesslog", "wagtailcore.modellogentry"}


# The endpoints ------------------------------------------------------------------------------------


def url_endpoints() -> dict:
    """{name: (route, view)} of every URL pattern outside the admin (whose staff views the admin scoping
    test covers). Wagtail's page serving is enumerated through the page types' routes instead."""
    found = {}

    def walk(patterns, prefix, namespace):
        for pattern in patterns:
            route = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                inner = namespace
                if pattern.namespace:
                    inner = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
                walk(pattern.url_patterns, route, inner)
            elif not route.startswith("admin/") and not route.startswith("^media/"):  # media: DEBUG only
                name = pattern.name and (f"{namespace}:{pattern.name}" if namespace else pattern.name)
                found[name or route] = (route, pattern.callback)

    walk(get_resolver().url_patterns, "", "")
    return found


def page_routes() -> dict:
    """{"EventPage.signup": view} for every route of every routable page type."""
    return {
        f"{model.__name__}.{pattern.name}": pattern.callback
        for model in get_page_models()
        if issubclass(model, RoutablePageMixin)
        for pattern in model.get_subpage_urls()
    }


def all_endpoints() -> dict:
    return {name: view for name, (route, view) in url_endpoints().items()} | page_routes()


def misclassified(endpoints: dict, table: dict) -> list[str]:
    """What is wrong with the classification of `endpoints` ({name: view}) by `table`."""
    problems = [f"{name}: not classified in ENDPOINTS" for name in sorted(set(endpoints) - set(table))]
    problems += [f"{name}: in ENDPOINTS but no longer an endpoint" for name in sorted(set(table) - set(endpoints))]
    for name, view in endpoints.items():
        kind = table.get(name, (None,))[0]
        guard = guard_of(view)
        if kind == "action" and guard is None:
            problems.append(f"{name}: a resident action without @resident_action (the one decision)")
        if kind != "action" and guard is not None:
            problems.append(f"{name}: guarded by @resident_action({guard.action!r}) but classified {kind!r}")
        if guard is not None and guard.action not in {a.key for a in actions.registered()}:
            problems.append(f"{name}: guards the unregistered action {guard.action!r}")
    return problems


# The world the endpoints are tried in: community b1 and its objects ------------------------------


@pytest.fixture
def world(city, make_user, settings):
    settings.MODERATION_RATE_LIMITS = GENEROUS
    a, b = city["a1"], city["b1"]
    outsider = make_user("outsider", display_name="翠园居民")  # a verified resident of a1, not of b1
    member = make_user("member", display_name="湖滨居民")
    other = make_user("other", display_name="湖滨老住户")
    Membership.objects.create(user=outsider, community=a, status=Membership.Status.VERIFIED)
    for user in (member, other):
        Membership.objects.create(user=user, community=b, status=Membership.Status.VERIFIED)
    ModerationPolicy.objects.create(community=b, new_account_posts=0)
    category = ForumCategory.objects.create(community=b, name="闲聊", slug="chat")
    published = ModerationState.PUBLISHED
    thread = forum_services.create_thread(
        community=b, category=category, author=other, title="小区停车", body="大家怎么看", state=published
    )
    # The outsider once lived in b1 and wrote there; their membership has ended since.
    outsider_post = forum_services.create_reply(thread_id=thread.pk, author=outsider, body="以前写的", state=published)
    member_post = forum_services.create_reply(thread_id=thread.pk, author=member, body="我的看法", state=published)
    DeliberationSettings.objects.create(community=b, residents_may_propose=True, cosigners_needed=5)
    now = timezone.now()
    topic = Topic.objects.create(
        community=b,
        title="加装电梯",
        description="是否在3号楼加装电梯",
        proposal_starts=now - timedelta(days=10),
        discussion_starts=now - timedelta(days=2),
        voting_starts=now - timedelta(days=1),
        voting_ends=now + timedelta(days=1),
    )
    Option.objects.create(topic=topic, label="同意", sort_order=0)
    Option.objects.create(topic=topic, label="反对", sort_order=1)
    proposal = Proposal.objects.create(
        community=b,
        proposer=other,
        title="增设充电桩",
        description="在地库增设",
        options="同意\n反对",
        cosigners_needed=5,
    )
    event = add_event(b, "社区义诊", capacity=10)
    poll_index = b.root_page.get_children().type(PollIndexPage).first().specific
    poll = poll_index.add_child(
        instance=PollPage(
            title="绿化意见",
            slug="greening",
            opens_at=now - timedelta(days=1),
            closes_at=now + timedelta(days=7),
            audience=PollPage.Audience.LOGGED_IN,
            results_visibility=PollPage.ResultsVisibility.LIVE,
            questions=[
                {
                    "type": "single_choice",
                    "value": {
                        "key": "trees",
                        "text": "多种树吗？",
                        "help": "",
                        "required": True,
                        "show_if_key": "",
                        "show_if_values": "",
                        "choices": ["好", "不好"],
                    },
                }
            ],
        )
    )
    organisation = make_organisation(b, 1, title="湖滨为老服务中心")
    service = ServiceCategory.objects.create(service_code="noise", name="噪音扰民", deadline_days=5)
    complaint = cases.submit(
        community=b, reporter=member, kind="hazard", category=service, description="井盖缺失", address="3号楼前"
    )
    micropost = microblog_services.create_post(community=b, author=other, text="湖滨的微博 #春天#", state=published)
    microcomment = microblog_services.create_comment(
        post=micropost, author=other, text="沙发", state=published, community=b
    )
    convention = b.root_page.add_child(
        instance=ConventionPage(title="居民公约", slug="convention", body="<p>爱护环境</p>")
    )
    convention.save_revision().publish()
    voting, nominating = _elections(b, member, other)
    # b1 asks the strictest requirement each action allows, so every action refuses a non-member.
    ActionRule.objects.bulk_create(
        ActionRule(community=b, action=action.key, requirement=action.choices[0]) for action in actions.registered()
    )
    return {
        "a": a,
        "b": b,
        "outsider": outsider,
        "member": member,
        "other": other,
        "category": category,
        "thread": thread,
        "posts": {outsider: outsider_post, member: member_post},
        "topic": topic,
        "proposal": proposal,
        "event": event,
        "poll": poll,
        "organisation": organisation,
        "service": service,
        "complaint": complaint,
        "micropost": micropost,
        "microcomment": microcomment,
        "convention": convention,
        "election": voting,
        "nominating": nominating,
    }


def _elections(community, member, other):
    """An election in its voting phase (member and other on its list; other a candidate for 主任) and one
    taking nominations (a nomination of other collecting co-signers)."""
    from participation.elections import phases
    from participation.elections.models import Candidate, Election, Post, VoterListEntry

    now = timezone.now()
    made = []
    for offsets in ((-5, -4, -3, -2, -1, 1), (-2, -1, 3, 4, 5, 6)):
        dates = [now + timedelta(days=d) for d in offsets]
        election = Election.objects.create(
            community=community,
            title="居委会选举",
            announcement="公告",
            announced_at=now - timedelta(days=9),
            voter_list_from=dates[0],
            nominations_from=dates[1],
            acceptance_from=dates[2],
            candidates_from=dates[3],
            voting_starts=dates[4],
            voting_ends=dates[5],
            voter_list_built_at=now,
        )
        post = Post.objects.create(election=election, name="主任", seats=1)
        for number, user in enumerate((member, other), start=1):
            VoterListEntry.objects.create(election=election, number=number, user=user)
        status = Candidate.Status.ACCEPTED if not made else Candidate.Status.COLLECTING
        Candidate.objects.create(election=election, post=post, person=other, proposer=other, status=status)
        made.append(phases.advance(election))  # its phase is announced now, not by the first request
    return made


def election_vote(world, user):
    from participation.deliberations import ballots

    election = world["election"]
    candidate = election.candidates.get()
    return {"nonce": ballots.issue_nonce(election, user), f"post_{candidate.post_id}": candidate.key}


def page_path(world, page, route="", *args):
    return page.relative_url(world["b"].site) + (page.reverse_subpage(route, args=args) if route else "")


def vote_data(world, user):
    from participation.deliberations import ballots

    topic = world["topic"]
    return {"option": str(topic.options.first().pk), "nonce": ballots.issue_nonce(topic, user)}


# name: (kind, path(world, user) -> str, data(world, user) -> dict, model a success adds a row to) for an
# action; (kind, path, why) for the others. Paths are on b1's site.
ENDPOINTS = {
    # Forum
    "forums:new_thread": (
        "action",
        lambda w, u: "/forum/new/",
        lambda w, u: {"category": w["category"].pk, "title": "新话题标题", "body": "新话题的内容"},
        Thread,
    ),
    "forums:reply": (
        "action",
        lambda w, u: f"/forum/t/{w['thread'].pk}/reply/",
        lambda w, u: {"body": "我来回复一下"},
        Post,
    ),
    "forums:edit": (
        "action",
        lambda w, u: f"/forum/p/{w['posts'][u].pk}/edit/",
        lambda w, u: {"body": "改过的看法"},
        PostRevision,
    ),
    "forums:like": (
        "action",
        lambda w, u: f"/forum/p/{w['thread'].posts.get(number=1).pk}/like/",
        lambda w, u: {},
        PostLike,
    ),
    "forums:report": (
        "action",
        lambda w, u: f"/forum/p/{w['thread'].posts.get(number=1).pk}/report/",
        lambda w, u: {"reason": "spam", "note": ""},
        Report,
    ),
    "forums:delete": ("own", lambda w, u: f"/forum/p/{w['posts'][u].pk}/delete/", "an author may always remove"),
    "forums:index": ("read", lambda w, u: "/forum/", ""),
    "forums:mine": ("read", lambda w, u: "/forum/mine/", ""),
    "forums:category": ("read", lambda w, u: "/forum/c/chat/", ""),
    "forums:thread": ("read", lambda w, u: f"/forum/t/{w['thread'].pk}/", ""),
    "forums:unread": ("read", lambda w, u: f"/forum/t/{w['thread'].pk}/unread/", ""),
    "forums:post": ("read", lambda w, u: f"/forum/t/{w['thread'].pk}/p/1/", ""),
    "forums:posts_after": ("read", lambda w, u: f"/forum/t/{w['thread'].pk}/after/?after=0", ""),
    "forums:history": ("read", lambda w, u: f"/forum/p/{w['posts'][u].pk}/history/", ""),
    # Microblog
    "microblog:new": ("action", lambda w, u: "/microblog/new/", lambda w, u: {"text": "新的一条微博"}, MicroPost),
    "microblog:repost": (
        "action",
        lambda w, u: f"/microblog/p/{w['micropost'].pk}/repost/",
        lambda w, u: {"text": "转给邻居"},
        MicroPost,
    ),
    "microblog:comment": (
        "action",
        lambda w, u: f"/microblog/p/{w['micropost'].pk}/comment/",
        lambda w, u: {"text": "说得好"},
        MicroComment,
    ),
    "microblog:like": ("action", lambda w, u: f"/microblog/p/{w['micropost'].pk}/like/", lambda w, u: {}, MicroLike),
    "microblog:report": (
        "action",
        lambda w, u: f"/microblog/p/{w['micropost'].pk}/report/",
        lambda w, u: {"reason": "spam", "note": ""},
        Report,
    ),
    "microblog:report_comment": (
        "action",
        lambda w, u: f"/microblog/c/{w['microcomment'].pk}/report/",
        lambda w, u: {"reason": "spam", "note": ""},
        Report,
    ),
    "microblog:delete": (
        "own",
        lambda w, u: f"/microblog/p/{w['micropost'].pk}/delete/",
        "an author may always remove",
    ),
    "microblog:delete_comment": (
        "own",
        lambda w, u: f"/microblog/c/{w['microcomment'].pk}/delete/",
        "an author may always remove",
    ),
    "microblog:feed": ("read", lambda w, u: "/microblog/", ""),
    "microblog:after": ("read", lambda w, u: "/microblog/after/?after=0", ""),
    "microblog:street": ("read", lambda w, u: "/microblog/street/", ""),
    "microblog:city": ("read", lambda w, u: "/microblog/city/", ""),
    "microblog:tag": ("read", lambda w, u: "/microblog/tag/春天/", ""),
    "microblog:person": ("read", lambda w, u: f"/microblog/people/{w['other'].pk}/", ""),
    "microblog:me": ("read", lambda w, u: "/microblog/me/", ""),
    "microblog:post": ("read", lambda w, u: f"/microblog/p/{w['micropost'].pk}/", ""),
    # Self-governance
    "governance:index": ("read", lambda w, u: "/governance/", ""),
    "ConventionPage.endorse": (
        "action",
        lambda w, u: page_path(w, w["convention"], "endorse"),
        lambda w, u: {},
        ConventionEndorsement,
    ),
    "ConventionPage.index": ("read", lambda w, u: page_path(w, w["convention"]), ""),
    "ConventionPage.index_route": ("read", lambda w, u: page_path(w, w["convention"]), ""),
    "ConventionPage.version": (
        "read",
        lambda w, u: page_path(w, w["convention"], "version", w["convention"].latest_revision_id),
        "",
    ),
    # Deliberations
    "deliberations:propose": (
        "action",
        lambda w, u: "/deliberations/propose/",
        lambda w, u: {"title": "增设休息长椅", "description": "在小花园增设长椅", "options": "同意\n反对"},
        Proposal,
    ),
    "deliberations:cosign": (
        "action",
        lambda w, u: f"/deliberations/proposals/{w['proposal'].pk}/cosign/",
        lambda w, u: {},
        CoSignature,
    ),
    "deliberations:vote": ("action", lambda w, u: f"/deliberations/{w['topic'].pk}/vote/", vote_data, VoterRoll),
    "deliberations:comment": (
        "action",
        lambda w, u: f"/deliberations/{w['topic'].pk}/comment/",
        lambda w, u: {"stance": "for", "body": "我同意加装"},
        Comment,
    ),
    "deliberations:list": ("read", lambda w, u: "/deliberations/", ""),
    "deliberations:mine": ("read", lambda w, u: "/deliberations/mine/", ""),
    "deliberations:proposal": ("read", lambda w, u: f"/deliberations/proposals/{w['proposal'].pk}/", ""),
    "deliberations:topic": ("read", lambda w, u: f"/deliberations/{w['topic'].pk}/", ""),
    "deliberations:ballot_log": ("read", lambda w, u: f"/deliberations/{w['topic'].pk}/ballots.json", ""),
    "deliberations:verify": ("read", lambda w, u: f"/deliberations/{w['topic'].pk}/verify/", ""),
    "deliberations:receipt": ("read", lambda w, u: f"/deliberations/{w['topic'].pk}/receipt/", ""),
    # Elections
    "elections:vote": (
        "action",
        lambda w, u: f"/elections/{w['election'].pk}/vote/",
        election_vote,
        apps.get_model("elections", "VoterRoll"),
    ),
    "elections:object": (
        "action",
        lambda w, u: f"/elections/{w['nominating'].pk}/object/",
        lambda w, u: {"kind": "wrong", "about_number": "2", "text": "此人已搬走"},
        apps.get_model("elections", "Objection"),
    ),
    "elections:nominate": (
        "action",
        lambda w, u: f"/elections/{w['nominating'].pk}/nominate/",
        lambda w, u: {"post": str(w["nominating"].posts.get().pk), "number": "1"},
        apps.get_model("elections", "Candidate"),
    ),
    "elections:support": (
        "action",
        lambda w, u: f"/elections/candidates/{w['nominating'].candidates.get(person=w['other']).pk}/support/",
        lambda w, u: {},
        apps.get_model("elections", "CandidateSupport"),
    ),
    "elections:answer": ("own", None, "only the nominee answers their own nomination"),
    "elections:list": ("read", lambda w, u: "/elections/", ""),
    "elections:detail": ("read", lambda w, u: f"/elections/{w['election'].pk}/", ""),
    "elections:voter_list": ("read", lambda w, u: f"/elections/{w['election'].pk}/voter-list/", ""),
    "elections:results": ("read", lambda w, u: f"/elections/{w['election'].pk}/results/", ""),
    "elections:ballot_log": ("read", lambda w, u: f"/elections/{w['election'].pk}/ballots.json", ""),
    "elections:verify": ("read", lambda w, u: f"/elections/{w['election'].pk}/verify/", ""),
    "elections:receipt": ("read", lambda w, u: f"/elections/{w['election'].pk}/receipt/", ""),
    # Complaints
    "complaints:new": (
        "action",
        lambda w, u: "/complaints/new/",
        lambda w, u: {
            "kind": "hazard",
            "category": w["service"].pk,
            "description": "路灯坏了，晚上很黑。",
            "address": "5号楼前",
            "coordinate_system": "wgs84",
            "contact_preference": "site",
        },
        Complaint,
    ),
    "complaints:rate": (
        "own",
        lambda w, u: f"/complaints/{w['complaint'].reference}/rate/",
        "the reporter rates the handling of their own complaint",
    ),
    "complaints:mine": ("read", lambda w, u: "/complaints/", ""),
    "complaints:detail": ("read", lambda w, u: f"/complaints/{w['complaint'].reference}/", ""),
    "complaints:photo": ("read", lambda w, u: f"/complaints/{w['complaint'].reference}/photos/1/", ""),
    "complaints:signed_photo": ("read", lambda w, u: "/complaints/photos/bad-token/", ""),
    "complaints:public_photo": ("read", lambda w, u: "/mirror/photos/1/", ""),
    "complaints:mirror": ("read", lambda w, u: "/mirror/", ""),
    "complaints:mirror_item": ("read", lambda w, u: f"/mirror/{w['complaint'].pk}/", ""),
    "complaints:mirror_street": ("read", lambda w, u: "/mirror/street/street-b/", ""),
    "complaints:push_updates": ("own", lambda w, u: "/open311/updates", "the city's signed push, no resident"),
    # WeChat's signed callback: a message handler that writes for a resident asks decide() itself.
    "wechat:callback": ("own", None, "WeChat's signed callback, not a resident's browser"),
    "wechat_auth:login": ("own", None, "logging in with WeChat"),
    "wechat_auth:callback": ("own", None, "logging in with WeChat"),
    "wechat_auth:bind": ("own", None, "binding one's own WeChat to one's own account"),
    "wechat_auth:bindings": ("own", None, "the user's own WeChat bindings"),
    "wechat_auth:binding_remove": ("own", None, "the user's own WeChat binding"),
    "wechat_auth:binding_messages": ("own", None, "the user's own choice of WeChat messages"),
    "wechat_auth:jssdk": ("read", lambda w, u: "/wechat-auth/jssdk/?url=x", ""),
    # Pages with routes
    "EventPage.signup": (
        "action",
        lambda w, u: page_path(w, w["event"], "signup"),
        lambda w, u: {"action": "join"},
        apps.get_model("community_events", "EventSignup"),
    ),
    "EventPage.detail": ("read", lambda w, u: page_path(w, w["event"]), ""),
    "EventPage.index_route": ("read", lambda w, u: page_path(w, w["event"]), ""),
    "PollPage.poll": ("action", lambda w, u: page_path(w, w["poll"]), lambda w, u: {"trees": "好"}, Participation),
    "PollPage.results": ("read", lambda w, u: page_path(w, w["poll"], "results"), ""),
    "PollPage.export": ("read", lambda w, u: page_path(w, w["poll"], "export"), ""),
    "PollPage.index_route": ("read", lambda w, u: page_path(w, w["poll"]), ""),
    "OrganisationPage.questions_and_answers": (
        "action",
        lambda w, u: page_path(w, w["organisation"], "questions_and_answers"),
        lambda w, u: {"body": "请问助餐服务几点开始？"},
        Question,
    ),
    "OrganisationPage.profile": ("read", lambda w, u: page_path(w, w["organisation"]), ""),
    "OrganisationPage.finances": ("read", lambda w, u: page_path(w, w["organisation"], "finances"), ""),
    "OrganisationPage.history": ("read", lambda w, u: page_path(w, w["organisation"], "history"), ""),
    "OrganisationPage.historic_version": (
        "read",
        lambda w, u: page_path(w, w["organisation"], "historic_version", w["organisation"].latest_revision_id),
        "",
    ),
    "OrganisationPage.index_route": ("read", lambda w, u: page_path(w, w["organisation"]), ""),
    "CommunityHomePage.home": ("read", lambda w, u: "/", ""),
    "CommunityHomePage.tag_index": ("read", lambda w, u: "/tags/", ""),
    "CommunityHomePage.tag_listing": ("read", lambda w, u: "/tags/x/", ""),
    "CommunityHomePage.index_route": ("read", lambda w, u: "/", ""),
    "wagtail_serve": ("read", lambda w, u: "/events/", ""),
    # The city home (communities.pages): its routes render the front door and the finder (which reads only
    # the query string). The world has no city site: on b1's host these paths reach b1's own pages.
    "CityHomePage.home": ("read", lambda w, u: "/", ""),
    "CityHomePage.index_route": ("read", lambda w, u: "/", ""),
    "CityHomePage.find_community": ("read", lambda w, u: "/find/?q=湖滨", ""),
    # Everywhere, or on the city portal
    "healthz": ("read", lambda w, u: "/healthz", ""),
    "favicon": ("read", lambda w, u: "/favicon.ico", ""),
    "sitemap": ("read", lambda w, u: "/sitemap.xml", ""),
    "feeds:notices_rss": ("read", lambda w, u: "/feeds/notices.rss", ""),
    "feeds:notices_atom": ("read", lambda w, u: "/feeds/notices.atom", ""),
    "feeds:news_rss": ("read", lambda w, u: "/feeds/news.rss", ""),
    "feeds:news_atom": ("read", lambda w, u: "/feeds/news.atom", ""),
    "search": ("read", lambda w, u: "/search/?q=停车", ""),
    "api:api-root": ("read", lambda w, u: "/api/v1/", ""),
    "api:openapi-json": ("read", lambda w, u: "/api/v1/openapi.json", ""),
    "api:openapi-view": ("read", lambda w, u: "/api/v1/docs", ""),
    "api:regions": ("read", lambda w, u: "/api/v1/regions", ""),
    "api:communities": ("read", lambda w, u: "/api/v1/communities", ""),
    "api:community": ("read", lambda w, u: "/api/v1/communities/b1", ""),
    "api:notices": ("read", lambda w, u: "/api/v1/notices", ""),
    "api:news": ("read", lambda w, u: "/api/v1/news", ""),
    "api:events": ("read", lambda w, u: "/api/v1/events", ""),
    "api:services": ("read", lambda w, u: "/api/v1/services", ""),
    "api:datapackage": ("read", lambda w, u: "/api/v1/organisations/datapackage.json", ""),
    "api:table_csv": ("read", lambda w, u: "/api/v1/organisations/organisations.csv", ""),
    "api:table_json": ("read", lambda w, u: "/api/v1/organisations/organisations.json", ""),
    "api:topics": ("read", lambda w, u: "/api/v1/deliberations", ""),
    "api:topic": ("read", lambda w, u: "/api/v1/deliberations/1", ""),
    "api:ballot_log": ("read", lambda w, u: "/api/v1/deliberations/1/ballots", ""),
    "api:elections": ("read", lambda w, u: "/api/v1/elections", ""),
    "api:election": ("read", lambda w, u: "/api/v1/elections/1", ""),
    "api:election_ballot_log": ("read", lambda w, u: "/api/v1/elections/1/ballots", ""),
    "api:polls": ("read", lambda w, u: "/api/v1/polls", ""),
    "api:poll": ("read", lambda w, u: "/api/v1/polls/1", ""),
    "api:complaints": ("read", lambda w, u: "/api/v1/complaints", ""),
    "api:complaint": ("read", lambda w, u: "/api/v1/complaints/1", ""),
    "open311_services": ("read", lambda w, u: "/open311/v2/services.json", ""),
    "open311_service": ("read", lambda w, u: "/open311/v2/services/road.json", ""),
    "open311_request": ("read", lambda w, u: "/open311/v2/requests/1.json", ""),
    "open311_token": ("read", lambda w, u: "/open311/v2/tokens/x.json", ""),
    "open311_updates": ("read", lambda w, u: "/open311/v2/servicerequestupdates.json", ""),
    # A partner's POST files a complaint with its API key (portal.api.keys), never as a resident.
    "open311_requests": ("own", lambda w, u: "/open311/v2/requests.json", "a partner's API key, no resident"),
    "notifications:list": ("read", lambda w, u: "/notifications/", ""),
    "wagtaildocs_serve": ("read", lambda w, u: "/documents/1/x.pdf", ""),
    # One's own account, preferences, and the way in
    "notifications:mark_read": ("own", None, "marks the user's own notifications read"),
    "set_language": ("own", None, "a preference kept in a cookie"),
    "language": ("own", None, "a preference kept in a cookie"),
    "elder_mode": ("own", None, "the user's own display preference"),
    "accounts:login": ("own", None, "logging in"),
    "accounts:logout": ("own", None, "logging out"),
    "accounts:logout_everywhere": ("own", None, "the user's own sessions"),
    "accounts:signup": ("own", None, "creating an account"),
    "accounts:signup_confirm": ("own", None, "creating an account"),
    "accounts:password_reset": ("own", None, "the user's own password"),
    "accounts:password_reset_confirm": ("own", None, "the user's own password"),
    "accounts:me": ("own", None, "the user's own account page"),
    "accounts:edit_profile": ("own", None, "the user's own profile"),
    "accounts:my_data": ("own", None, "the user's own data"),
    "accounts:my_data_json": ("own", None, "the user's own data"),
    "accounts:delete_account": ("own", None, "erasing one's own account is a right everywhere"),
    "accounts:join": ("own", None, "applying for membership is how a non-member becomes one"),
    "accounts:two_factor": ("own", None, "the user's own second factor"),
    "accounts:consent": ("own", None, "the user's own consent"),
    "accounts:withdraw_consent": ("own", None, "the user's own consent"),
    "wagtaildocs_authenticate_with_password": ("own", None, "a password for a protected document"),
    "wagtailcore_authenticate_with_password": ("own", None, "a password for a protected page"),
    "wagtailcore_login": ("own", None, "logging in"),
}

ACTIONS = sorted(name for name, entry in ENDPOINTS.items() if entry[0] == "action")
READS = sorted(name for name, entry in ENDPOINTS.items() if entry[0] == "read")


def row_counts() -> dict:
    return {
        model._meta.label_lower: model._base_manager.count()
        for model in apps.get_models()
        if model._meta.managed and not model._meta.proxy and model._meta.label_lower not in IGNORED_MODELS
    }


def changed(before: dict, after: dict) -> dict:
    return {label: (before[label], after[label]) for label in before if before[label] != after[label]}


# The tests ---------------------------------------------------------------------------------------


def test_every_endpoint_is_classified():
    assert misclassified(all_endpoints(), ENDPOINTS) == []
    assert all(entry[2] for entry in ENDPOINTS.values() if entry[0] == "own"), "say why it is no community action"


def test_a_write_view_that_forgets_the_decision_is_caught():
    def forgetful_write(request):  # a new POST view, not guarded
        return None

    @actions.resident_action("forum.post")
    def guarded_read(request):
        return None

    endpoints = all_endpoints() | {"forums:forgetful": forgetful_write}
    assert misclassified(endpoints, ENDPOINTS) == ["forums:forgetful: not classified in ENDPOINTS"]
    table = ENDPOINTS | {"forums:forgetful": ("action", None, None, None), "forums:guarded": ("read", None, "")}
    endpoints["forums:guarded"] = guarded_read
    assert misclassified(endpoints, table) == [
        "forums:forgetful: a resident action without @resident_action (the one decision)",
        "forums:guarded: guarded by @resident_action('forum.post') but classified 'read'",
    ]


def test_page_types_that_serve_on_their_own_are_known():
    """A page type with its own `serve` could take a POST outside the routes: each must be reviewed."""

    def serve_owner(model):
        return next(c for c in model.__mro__ if "serve" in c.__dict__)

    known = {serve_owner(Page), RoutablePageMixin, PageCacheMixin}
    reviewed = {"ForumPage"}  # redirects to the forum's own views, which are classified above
    own = {model.__name__ for model in get_page_models() if serve_owner(model) not in known}
    assert own == reviewed


@pytest.mark.parametrize("name", ACTIONS)
def test_a_non_member_is_refused_and_a_member_succeeds(name, world, host_client):
    kind, path, data, model = ENDPOINTS[name]
    outsider, member = world["outsider"], world["member"]
    payload = data(world, outsider)
    before = row_counts()
    response = host_client("b1.localhost", outsider).post(path(world, outsider), payload)
    assert response.status_code == 403, (name, response.status_code, response.content.decode()[:500])
    assert 'href="/accounts/join/"' in response.content.decode()  # the way forward: apply for membership
    assert changed(before, row_counts()) == {}

    payload = data(world, member)
    rows = model._base_manager.count()
    response = host_client("b1.localhost", member).post(path(world, member), payload)
    assert response.status_code in (200, 302, 303), (name, response.status_code, response.content.decode()[:2000])
    assert model._base_manager.count() == rows + 1, name


def test_a_post_to_a_read_endpoint_writes_nothing(world, host_client):
    outsider = world["outsider"]
    client = host_client("b1.localhost", outsider)
    wrote = {}
    for name in READS:
        path = ENDPOINTS[name][1](world, outsider)
        before = row_counts()
        response = client.post(path, {"body": "写点什么", "action": "join", "title": "标题", "trees": "好"})
        assert response.status_code < 500, (name, path)
        if changed(before, row_counts()):
            wrote[name] = changed(before, row_counts())
    assert wrote == {}


# The decision itself ------------------------------------------------------------------------------


def test_defaults_follow_what_the_apps_registered(city, make_user):
    b = city["b1"]
    user = make_user()
    assert decide(user, b, "complaints.submit")  # any account: people who live or work there
    assert not decide(user, b, "forum.post")
    Membership.objects.create(user=user, community=b, status=Membership.Status.PENDING)
    assert decide(user, b, "forum.post")  # a membership, even before verification
    refusal = decide(user, b, "deliberations.vote")
    assert not refusal and refusal.code == "verification" and refusal.remedy_url == "/accounts/me/"


def test_the_community_rule_decides(city, make_user):
    a, b = city["a1"], city["b1"]
    user = make_user()
    Membership.objects.create(user=user, community=b, status=Membership.Status.PENDING)
    ActionRule.objects.create(community=b, action="forum.post", requirement=Requirement.VERIFIED)
    with translation.override("en"):
        refusal = decide(user, b, "forum.post")
    assert not refusal and "verified residents of 社区b1" in refusal.reason
    Membership.objects.filter(user=user).update(status=Membership.Status.VERIFIED)
    assert decide(user, b, "forum.post")
    assert not decide(user, a, "forum.post")  # membership of b1 is nothing in a1
    ActionRule.objects.create(community=a, action="forum.post", requirement=Requirement.ACCOUNT)
    assert decide(user, a, "forum.post")


def test_a_rule_outside_the_choices_of_its_action_is_ignored(city, make_user):
    b = city["b1"]
    user = make_user()
    ActionRule.objects.create(community=b, action="deliberations.vote", requirement=Requirement.ACCOUNT)
    assert not decide(user, b, "deliberations.vote")
    assert actions.requirements_for(b)["deliberations.vote"] == Requirement.VERIFIED


def test_rejected_and_revoked_memberships_count_for_nothing(city, make_user):
    b = city["b1"]
    for status in (Membership.Status.REJECTED, Membership.Status.REVOKED):
        user = make_user()
        Membership.objects.create(user=user, community=b, status=status)
        refusal = decide(user, b, "events.signup")
        assert not refusal and refusal.code == "membership" and refusal.remedy_url == "/accounts/join/"


def test_suspension_refuses_content_only_where_it_applies(city, make_user):
    a, b = city["a1"], city["b1"]
    user = make_user()
    for community in (a, b):
        Membership.objects.create(user=user, community=community, status=Membership.Status.VERIFIED)
    Suspension.objects.create(community=b, user=user, until=timezone.now() + timedelta(days=3), reason="刷屏")
    assert decide(user, b, "forum.post").code == "suspended"
    assert decide(user, b, "deliberations.comment").code == "suspended"
    assert decide(user, b, "forum.like")  # not content
    assert decide(user, a, "forum.post")  # another community
    Suspension.objects.update(until=timezone.now() - timedelta(minutes=1))
    assert decide(user, b, "forum.post")


def test_objects_may_open_up_or_narrow_down(city, make_user):
    b = city["b1"]
    user = make_user()
    assert decide(user, b, "polls.answer")
    assert not decide(user, b, "polls.answer", at_least=Requirement.VERIFIED)  # a poll for verified residents
    visitor = type("Anonymous", (), {"is_authenticated": False})()
    assert decide(visitor, b, "polls.answer").code == "login"
    assert decide(visitor, b, "polls.answer", anonymous=True)  # a poll for anyone
    ActionRule.objects.create(community=b, action="polls.answer", requirement=Requirement.VERIFIED)
    assert decide(user, b, "polls.answer", anonymous=True)


def test_closed_accounts_and_the_city_site_are_refused(city, make_user):
    b = city["b1"]
    user = make_user()
    Membership.objects.create(user=user, community=b, status=Membership.Status.VERIFIED)
    assert decide(user, None, "forum.post").code == "site"
    user.is_active = False
    assert decide(user, b, "forum.post").code == "account"


def test_an_unknown_action_is_a_programming_error(city, make_user):
    with pytest.raises(LookupError):
        decide(make_user(), city["b1"], "forum.psot")
