"""What every posting endpoint and every moderator action goes through.

Posting:   `check_posting(request, community, text, prior_posts=...)` → the state to save the new
           content with (published or pending), or `PostingRefused` with a message for the user.
Reporting: `report(obj, reporter, reason, note)` → auto-hides after the community's threshold.
Acting:    `act(obj, kind, moderator, reason, days=None)` → changes the content, resolves its
           reports, and writes the log.
"""

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from communities.regions.scoping import communities_for
from participation.content.markdown import contains_link_or_image
from portal.core.statements import Statement
from portal.notifications.services import notify
from portal.search import registry

from .models import ModerationAction, ModerationPolicy, ModerationState, Report, Suspension
from .ratelimit import RateLimited, check_rate
from .screening import screen

Kind = ModerationAction.Kind


class PostingRefused(Exception):
    """The message tells the resident why and what to do."""


@dataclass
class PostingDecision:
    state: str
    reason: str = ""

    @property
    def pending(self) -> bool:
        return self.state == ModerationState.PENDING


MODERATE = "moderation.moderate"
# The backend whose permission rules (Django's ModelBackend) `may_moderate` answers in one query.
_ONE_QUERY_BACKENDS = ["portal.accounts.backends.PhoneOrUsernameBackend"]


def may_moderate(user, community) -> bool:
    """`user.has_perm("moderation.moderate")` and `community` among the communities they act for (the one
    scoping function). The permission in one query instead of Django's two loads (ModelBackend's rules: the
    permission given to them or to one of their groups, when active), and not at all for someone in no group
    (most residents: `communities_for` scopes by groups, so theirs is empty); the scope is asked only of those
    who have it. A superuser, or other backends, ask Django as before."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if not user.is_superuser and not _in_a_group(user):
        return False  # `communities_for` gives them no community: no question of permissions
    if user.is_superuser or settings.AUTHENTICATION_BACKENDS != _ONE_QUERY_BACKENDS:
        granted = user.has_perm(MODERATE)
    else:
        app_label, codename = MODERATE.split(".")
        granted = (
            Permission.objects.filter(content_type__app_label=app_label, codename=codename)
            .filter(Q(user=user) | Q(group__user=user))
            .exists()
        )
    return granted and communities_for(user).filter(pk=community.pk).exists()


def _group_rows(user):
    return get_user_model().groups.through.objects.filter(user_id=user).values_list("pk")[:1]


def _suspension_ends(user, community):
    return Suspension.objects.filter(user_id=user, community_id=community).order_by().values_list("until")


# Asked on every page a signed-in resident reads in the forum (docs/performance.md): compiled once.
_a_group_row = Statement(_group_rows)
_suspensions_of = Statement(_suspension_ends)


def _in_a_group(user) -> bool:
    """Whether the user belongs to any group: a light query, where the permission's joins cost four times more."""
    return bool(_a_group_row(user=user.pk))


def is_suspended(user, community) -> bool:
    return Suspension.objects.active().filter(user=user, community=community).exists()


def _suspended_until(user, community):
    """When the user's suspension in `community` ends: None for ever (before any that ends), False when they are not
    suspended. Their few suspension rows are read and compared here: `active()`'s OR costs more to compile."""
    now = timezone.now()
    ends = _suspensions_of.column(user=user.pk, community=community.pk)
    active = [until for until in ends if until is None or until > now]
    if not active:
        return False
    return None if None in active else max(active)


def refuse_suspended(user, community, action):
    """The moderation app's part of the one decision (portal.accounts.actions): a suspended resident may
    not publish (content actions) in the community that suspended them."""
    if not action.content:
        return None
    until = _suspended_until(user, community)
    if until is False:
        return None
    from portal.accounts.actions import Decision

    if until:
        until = timezone.localtime(until).strftime("%Y-%m-%d %H:%M")
        reason = _("You are suspended from posting in this community until %(until)s.") % {"until": until}
    else:
        reason = _("You are suspended from posting in this community.")
    return Decision(False, "suspended", reason)


def check_posting(
    request, community, text: str, *, prior_posts: int, has_image: bool = False, action: str = "post"
) -> PostingDecision:
    """Run every rule a resident's new or edited text must pass, in the order that is cheapest to refuse."""
    user = request.user
    if not user.is_authenticated:
        raise PostingRefused(_("Please log in to post."))
    if is_suspended(user, community):
        raise PostingRefused(_("You are suspended from posting in this community."))
    policy = ModerationPolicy.for_community(community)
    new_account = prior_posts < policy.new_account_posts
    try:
        check_rate(request, action, new_account=new_account)
    except RateLimited as exc:
        raise PostingRefused(str(exc)) from exc
    if new_account and (has_image or contains_link_or_image(text)):
        raise PostingRefused(
            _("New accounts cannot post links or images yet. You can after %(n)d posts.")
            % {"n": policy.new_account_posts}
        )
    found = screen(text, community)
    if found.blocked:
        raise PostingRefused(
            _("Your text contains words that are not allowed here: %(words)s. Please change it.")
            % {"words": "、".join(found.blocked)}
        )
    if found.review:
        return PostingDecision(ModerationState.PENDING, _("held for review: contains a word on the review list"))
    if new_account and policy.premoderate_new_accounts:
        return PostingDecision(ModerationState.PENDING, _("held for review: new account"))
    return PostingDecision(ModerationState.PUBLISHED)


def _log(obj, kind, moderator, reason, community=None, target_user=None):
    return ModerationAction.objects.create(
        community=community or obj.community,
        kind=kind,
        content_type=ContentType.objects.get_for_model(obj) if obj is not None else None,
        object_id=obj.pk if obj is not None else None,
        target_user=target_user if target_user is not None else getattr(obj, "author", None),
        moderator=moderator,
        reason=reason,
    )


def _set_state(obj, state):
    old = obj.moderation_state
    if old == state:
        return
    type(obj).objects.filter(pk=obj.pk).update(moderation_state=state)
    obj.moderation_state = state
    obj.moderation_changed(old)
    registry.index_later(obj)  # the search index follows every decision (update() sends no signal)


def resolve_reports(obj) -> int:
    return Report.objects.filter(
        content_type=ContentType.objects.get_for_model(obj), object_id=obj.pk, status=Report.Status.OPEN
    ).update(status=Report.Status.RESOLVED)


def report(obj, reporter, reason: str, note: str = "") -> Report | None:
    """Record a resident's report; None when they had already reported it. Auto-hides at the threshold."""
    content_type = ContentType.objects.get_for_model(obj)
    try:
        with transaction.atomic():
            made = Report.objects.create(
                community=obj.community,
                content_type=content_type,
                object_id=obj.pk,
                reporter=reporter,
                reason=reason,
                note=note[:500],
            )
    except IntegrityError:
        return None
    threshold = ModerationPolicy.for_community(obj.community).auto_hide_reports
    reporters = Report.objects.filter(
        content_type=content_type, object_id=obj.pk, status=Report.Status.OPEN
    ).count()  # one row per reporter, guaranteed by the unique constraint
    if threshold and reporters >= threshold and obj.moderation_state == ModerationState.PUBLISHED:
        with transaction.atomic():
            _set_state(obj, ModerationState.HIDDEN)
            _log(obj, Kind.AUTO_HIDE, None, _("Reported by %(n)d residents.") % {"n": reporters})
    return made


@transaction.atomic
def act(obj, kind: str, moderator, reason: str, days: int | None = None) -> ModerationAction:
    """Apply one moderator decision to `obj` and log it. Raises ValueError for an action that does not apply."""
    if not reason.strip():
        raise ValueError(_("Say why: the reason is kept in the moderation log."))
    if kind == Kind.HIDE:
        _set_state(obj, ModerationState.HIDDEN)
    elif kind in (Kind.RESTORE, Kind.APPROVE):
        _set_state(obj, ModerationState.PUBLISHED)
    elif kind in (Kind.LOCK, Kind.UNLOCK):
        if not obj.moderation_lock(kind == Kind.LOCK):
            raise ValueError(_("This content cannot be locked."))
    elif kind == Kind.WARN:
        notify(
            obj.author,
            "moderation.warning",
            _("A moderator of %(community)s warned you: %(reason)s") % {"community": obj.community, "reason": reason},
            url=obj.moderation_url(),
            key=f"moderation.warning.{timezone.now().timestamp()}",
        )
    elif kind == Kind.SUSPEND:
        until = timezone.now() + timedelta(days=days) if days else None
        Suspension.objects.create(
            community=obj.community, user=obj.author, until=until, reason=reason, created_by=moderator
        )
    elif kind != Kind.DISMISS:
        raise ValueError(_("Unknown moderation action."))
    resolve_reports(obj)
    return _log(obj, kind, moderator, reason)
