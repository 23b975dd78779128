import random
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from participation.complaints import states
from participation.complaints.models import CaseState, Complaint, ComplaintEvent, ServiceCategory
from portal.insights import rollup

# The moves a generated complaint may make (a subset of the state machine, every kind of figure covered).
WALK = {
    CaseState.SUBMITTED: [CaseState.ACCEPTED, CaseState.ACCEPTED, CaseState.RETURNED],
    CaseState.ACCEPTED: [CaseState.ESCALATED, CaseState.IN_PROGRESS, CaseState.REPLIED],
    CaseState.ESCALATED: [CaseState.DISPATCHED, CaseState.CLOSED],
    CaseState.DISPATCHED: [CaseState.IN_PROGRESS, CaseState.CLOSED],
    CaseState.IN_PROGRESS: [CaseState.REPLIED, CaseState.CLOSED],
    CaseState.REPLIED: [CaseState.CLOSED],
    CaseState.CLOSED: [CaseState.EVALUATED, CaseState.REOPENED],
    CaseState.REOPENED: [CaseState.IN_PROGRESS, CaseState.CLOSED],
}


@pytest.fixture
def categories(db):
    return [
        ServiceCategory.objects.create(service_code="noise", name="噪音扰民", deadline_days=2),
        ServiceCategory.objects.create(service_code="road", name="道路破损", deadline_days=5),
    ]


# Four places 0.01° apart (over 500 m): complaints near the same one, a few metres to about 80 m apart, are
# repeats when submitted within 90 days of each other; a quarter are not pinned.
SPOTS = [(30.60, 114.30), (30.61, 114.30), (30.60, 114.31), (30.61, 114.31)]


def pinned(rng) -> dict:
    if rng.random() < 0.25:
        return {}
    lat, lon = rng.choice(SPOTS)
    return {
        "latitude": Decimal(f"{lat + rng.uniform(-0.0007, 0.0007):.6f}"),
        "longitude": Decimal(f"{lon + rng.uniform(-0.0007, 0.0007):.6f}"),
    }


def generate_complaints(communities, categories, *, days=8, count=60, seed=7):
    """Complaints over the last `days` finished days, each walking the state machine at random times,
    some of its moves falling on later days (or today) than the day it was counted on. An escalated
    complaint's next moves are the city's (from_city), and the city sometimes replies or leaves a note too."""
    rng = random.Random(seed)
    spots = random.Random(seed + 1)  # a separate stream, so the timelines stay what they were
    city = random.Random(seed + 2)  # the city's replies and notes: a third stream, for the same reason
    start, _end = rollup.day_bounds(rollup.today() - timedelta(days=days))
    now = timezone.now()
    made = []
    for i in range(count):
        at = start + timedelta(minutes=rng.randrange(days * 24 * 60))
        complaint = Complaint.objects.create(
            community=rng.choice(communities),
            category=rng.choice(categories),
            kind=Complaint.Kind.HAZARD,
            description=f"问题{i}",
            address="某路1号",
            created_at=at,
            **pinned(spots),
        )
        if rng.random() < 0.3:
            ComplaintEvent.objects.create(
                complaint=complaint, kind=ComplaintEvent.Kind.REPLY, text="收到", created_at=at + timedelta(minutes=30)
            )
        while complaint.state in WALK and rng.random() < 0.8:
            at = at + timedelta(hours=rng.choice([0.5, 3, 10, 20, 30, 50]))
            if at >= now:
                break
            to_state = rng.choice(WALK[complaint.state])
            if to_state == CaseState.EVALUATED:
                complaint.rating = rng.choice(list(Complaint.Rating.values))
            by_city = complaint.state in (CaseState.ESCALATED, CaseState.DISPATCHED)
            states.move(complaint, to_state, at=at, from_city=by_city)
            if to_state == CaseState.ESCALATED and at + timedelta(minutes=15) < now and city.random() < 0.3:
                # The city's note before any answer (its system acknowledging receipt): not an answer.
                ComplaintEvent.objects.create(
                    complaint=complaint,
                    kind=ComplaintEvent.Kind.NOTE,
                    from_city=True,
                    created_at=at + timedelta(minutes=15),
                )
            if by_city and at + timedelta(hours=1) < now and city.random() < 0.5:
                kind = city.choice([ComplaintEvent.Kind.REPLY, ComplaintEvent.Kind.NOTE])
                ComplaintEvent.objects.create(
                    complaint=complaint, kind=kind, text="市级答复", from_city=True, created_at=at + timedelta(hours=1)
                )
        made.append(complaint)
    return made
