"""What the self-governance section (社区自治) shows from other apps: filled from their `AppConfig.ready`.

The elections app registers its committees and its elections here; the section knows nothing of it:

    from participation.governance import registry

    registry.register_committees(committees_of)   # community -> iterable of registry.Committee
    registry.register_elections(elections_of)     # community -> iterable of registry.Election
    registry.register_panel("elections/_governance_panel.html", context_of, order=50)  # optional, any HTML

A provider is called with the community whose site is being served and must answer in a few queries
(the section is read often). Panels render an app's own template with `context_of(request, community)`
(a dict, or None to show nothing) at the given place among the section's parts.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime


@dataclass
class Member:
    name: str  # as published (a real name is public for an elected member)
    post: str  # 主任, 副主任, 委员 ...


@dataclass
class Committee:
    name: str  # 第十一届居民委员会
    kind: str  # "residents" (居民委员会), "homeowners" (业主委员会) or another key the app chooses
    term_start: date | None = None
    term_end: date | None = None
    members: list[Member] = field(default_factory=list)
    url: str = ""  # where the app shows more (the election that made it)


@dataclass
class Election:
    title: str
    url: str
    phase: str  # the phase as residents read it: 公告, 选民名单公示, 投票, 结果公告 ...
    open: bool  # under way (announced and not yet concluded) rather than past
    date: datetime | None = None  # when it opens or closed, for ordering


@dataclass
class Panel:
    template: str
    context: Callable
    order: int = 100


_committees: list[Callable] = []
_elections: list[Callable] = []
_panels: list[Panel] = []


def register_committees(provider: Callable[[object], Iterable[Committee]]) -> None:
    if provider not in _committees:
        _committees.append(provider)


def register_elections(provider: Callable[[object], Iterable[Election]]) -> None:
    if provider not in _elections:
        _elections.append(provider)


def register_panel(template: str, context: Callable, order: int = 100) -> None:
    if not any(p.template == template for p in _panels):
        _panels.append(Panel(template, context, order))


def committees(community) -> list[Committee]:
    return [c for provider in _committees for c in provider(community)]


def elections(community) -> tuple[list[Election], list[Election]]:
    """(open, past), the open ones soonest first, the past ones latest first."""
    found = [e for provider in _elections for e in provider(community)]

    def when(election):
        return election.date.timestamp() if election.date else 0

    return sorted((e for e in found if e.open), key=when), sorted((e for e in found if not e.open), key=when)[::-1]


def panels(request, community) -> list[dict]:
    """[{"template": ..., "context": {...}}] of the panels with something to show, in order."""
    shown = []
    for panel in sorted(_panels, key=lambda p: p.order):
        context = panel.context(request, community)
        if context is not None:
            shown.append({"template": panel.template, "context": context})
    return shown
