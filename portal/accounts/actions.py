"""May this user do this action in this community? The one decision every resident-facing write asks.

Apps register the actions they offer from `AppConfig.ready` (`register`), each with a default
requirement; a community's workers may change the requirement of any action for their community
(`ActionRule`, edited in the admin under Settings › Participation rules). Apps above `portal` add
refusals of their own with `register_check` (moderation refuses suspended accounts for content).

    decision = decide(request.user, community, "forum.post")
    if not decision:
        return refusal_response(request, decision)

Views take the decision with the `resident_action` decorator, which also marks them: the test that
enumerates every POST endpoint (tests/portal/accounts/test_resident_actions.py) fails on a view that
accepts a POST and neither carries the mark nor is listed there as no community action (with why).
"""

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps

from django.db import models
from django.http import Http404, HttpRequest
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portal.core.statements import Statement


class Requirement(models.TextChoices):
    """What a community asks of an account before it may act there, strictest first."""

    VERIFIED = "verified", gettext_lazy("A verified membership of the community")
    MEMBER = "member", gettext_lazy("A membership, verified or waiting for verification")
    ACCOUNT = "account", gettext_lazy("Any logged-in account (people who live or work there)")


STRICTNESS = {Requirement.ACCOUNT: 0, Requirement.MEMBER: 1, Requirement.VERIFIED: 2}


@dataclass(frozen=True)
class Action:
    key: str
    label: str  # lazy: "post in the forum"
    default: str
    content: bool = False  # publishes what the resident writes (suspensions apply)
    choices: tuple = tuple(Requirement)  # what a community may choose for it

    def choice_list(self):
        return [(value, label) for value, label in Requirement.choices if value in self.choices]


@dataclass
class Decision:
    """`bool(decision)` says whether the action is allowed; otherwise `reason` says why, for the user,
    and `remedy_url` / `remedy_label` what to do about it."""

    allowed: bool
    code: str = ""
    reason: str = ""
    remedy_url: str = ""
    remedy_label: str = ""
    requirement: str = ""

    def __bool__(self) -> bool:
        return self.allowed


_actions: dict[str, Action] = {}
_checks: list[Callable] = []


def register(key: str, label, default: str, *, content: bool = False, choices=None) -> Action:
    """Offer an action communities can set a requirement for. Call from AppConfig.ready.

    `label` completes "Only members may …" ("post in the forum"); `choices` narrows what a community
    may ask (votes: a verified membership, since electorates are drawn from verified memberships)."""
    choices = tuple(Requirement(c) for c in (choices or Requirement.values))
    if default not in choices:
        raise ValueError(f"requirement {default!r} for action {key!r} is not among its choices")
    action = Action(key, label, Requirement(default), content, choices)
    _actions[key] = action
    return action


def register_check(check: Callable) -> None:
    """`check(user, community, action) -> Decision | None`: a refusal of an app's own (None: no objection)."""
    if check not in _checks:
        _checks.append(check)


def registered() -> list[Action]:
    return sorted(_actions.values(), key=lambda a: a.key)


def get_action(key: str) -> Action:
    try:
        return _actions[key]
    except KeyError:
        raise LookupError(f"no resident action {key!r} is registered") from None


def _rule_statement(community, action):
    from .models import ActionRule

    return (
        ActionRule.objects.filter(community_id=community, action=action).order_by("pk").values_list("requirement")[:1]
    )


def _membership_statement(user, community):
    from .models import Membership

    return Membership.objects.filter(user_id=user, community_id=community).order_by().values_list("status")


# Read on every decision (docs/performance.md: compiled once, not on each request).
_community_rule = Statement(_rule_statement)
_membership_statuses = Statement(_membership_statement)


def requirement_for(community, action: Action) -> str:
    found = _community_rule.first(community=community.pk, action=action.key)
    return found if found in action.choices else action.default


def requirements_for(community) -> dict[str, str]:
    """Every registered action's requirement in `community` (its rule, or the default)."""
    from .models import ActionRule

    rules = dict(ActionRule.objects.filter(community=community).values_list("action", "requirement"))
    return {a.key: rules[a.key] if rules.get(a.key) in a.choices else a.default for a in registered()}


def _refuse(code, reason, remedy_url="", remedy_label="", requirement="") -> Decision:
    return Decision(False, code, reason, remedy_url, remedy_label, requirement)


def decide(user, community, action_key: str, *, anonymous: bool = False, at_least: str | None = None) -> Decision:
    """May `user` do `action_key` in `community`?

    `anonymous`: the object acted on is open to visitors without an account (a poll for anyone, a
    community that takes anonymous complaints): then everyone may, suspensions aside.
    `at_least`: the object asks more than the community's rule (a poll for verified residents only).
    """
    from .models import Membership

    action = get_action(action_key)
    label = action.label
    if community is None:
        return _refuse("site", _("This can only be done on a community's own site."))
    if not getattr(user, "is_authenticated", False):
        if anonymous:
            return Decision(True)
        return _refuse(
            "login", _("Please log in to %(action)s.") % {"action": label}, reverse("accounts:login"), _("Log in")
        )
    if not user.is_active or getattr(user, "deleted_at", None):
        return _refuse("account", _("This account can no longer act on the portal."))
    for check in _checks:
        refusal = check(user, community, action)
        if refusal is not None:
            return refusal
    if anonymous:
        return Decision(True)
    requirement = requirement_for(community, action)
    if at_least and STRICTNESS[Requirement(at_least)] > STRICTNESS[Requirement(requirement)]:
        requirement = Requirement(at_least)
    if requirement == Requirement.ACCOUNT:
        return Decision(True, requirement=requirement)
    statuses = set(_membership_statuses.column(user=user.pk, community=community.pk))
    names = {"action": label, "community": community}
    if Membership.Status.VERIFIED in statuses:
        return Decision(True, requirement=requirement)
    if Membership.Status.PENDING in statuses:
        if requirement == Requirement.MEMBER:
            return Decision(True, requirement=requirement)
        return _refuse(
            "verification",
            _(
                "Only verified residents of %(community)s may %(action)s. Your membership is waiting for a "
                "community worker to verify it; you will be notified."
            )
            % names,
            reverse("accounts:me"),
            _("See your membership"),
            requirement,
        )
    if requirement == Requirement.VERIFIED:
        reason = _("Only verified residents of %(community)s may %(action)s.") % names
    else:
        reason = _("Only members of %(community)s may %(action)s.") % names
    return _refuse(
        "membership",
        reason + " " + _("If you live or work here, apply for membership of this community."),
        reverse("accounts:join"),
        _("Apply for membership"),
        requirement,
    )


def refusal_response(request, decision: Decision, status: int = 403):
    """The page that says why not and what to do (or the login page, for a visitor)."""
    if decision.code == "login":
        from django.contrib.auth.views import redirect_to_login

        return redirect_to_login(request.get_full_path())
    return render(request, "accounts/refused.html", {"decision": decision}, status=status)


def _request_in(args):
    """The request among a view's arguments: first for a view, second for a page's method (self, request)."""
    for arg in args[:2]:
        if isinstance(arg, HttpRequest):
            return arg
    raise TypeError("resident_action guards a view or a page method that is given the request")


def _community_of_request(*args, **kwargs):
    from portal.core.sites import community_for_request

    return community_for_request(_request_in(args))


@dataclass
class Guard:
    """What `resident_action` put on a view: read by the enumerating test."""

    action: str
    methods: tuple = ("POST",)


def resident_action(
    action_key: str,
    *,
    methods=("POST",),
    community: Callable = _community_of_request,
    options: Callable | None = None,
    when: Callable | None = None,
):
    """Guard a view, or a routable page's method, with the decision for the given HTTP methods.

    `community(*args, **kwargs)` gets the view's own arguments and finds the community (default: the
    request's site; None is a 404); `options(*args, **kwargs)` returns `decide`'s keyword arguments for
    the object acted on (e.g. a poll open to anyone); `when(*args, **kwargs)`, if given, says whether
    this request is the action at all (cancelling one's own sign-up is not). A refusal is a 403 page
    with the reason and the way forward; a visitor who must log in is sent to the login page.
    """
    methods = tuple(m.upper() for m in methods)

    def decorate(view):
        @wraps(view)
        def guarded(*args, **kwargs):
            request = _request_in(args)
            if request.method in methods and (when is None or when(*args, **kwargs)):
                found = community(*args, **kwargs)
                if found is None:
                    raise Http404(_("This can only be done on a community's own site."))
                extra = options(*args, **kwargs) if options else {}
                decision = decide(request.user, found, action_key, **extra)
                if not decision:
                    return refusal_response(request, decision)
            return view(*args, **kwargs)

        guarded.resident_action = Guard(action_key, methods)
        return guarded

    return decorate


def guard_of(view) -> Guard | None:
    """The `resident_action` guard on a view, looking through other decorators' wrappers."""
    seen = 0
    while view is not None and seen < 20:
        guard = getattr(view, "resident_action", None)
        if isinstance(guard, Guard):
            return guard
        view = getattr(view, "__wrapped__", None)
        seen += 1
    return None
