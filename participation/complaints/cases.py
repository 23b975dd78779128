"""What residents and workers do to a case; each step writes the timeline in the same transaction."""

from django.db import transaction
from django.utils.translation import gettext as _

from portal.accounts.personal_text import screen_public_text

from .models import CaseState, Complaint, ComplaintEvent
from .states import TransitionError, announce, move


@transaction.atomic
def submit(photos=(), **fields) -> Complaint:
    """Record a complaint with its validated photos (CleanImage) and the first timeline line."""
    from .photos import save_photos

    if fields.get("public"):
        # On the public record (反光镜): the description keeps no phone, ID or door number. The city still
        # gets the address and contact phone from their own fields.
        fields["description"] = screen_public_text(fields.get("description", ""))
    complaint = Complaint.objects.create(**fields)
    save_photos(complaint, list(photos))
    ComplaintEvent.objects.create(
        complaint=complaint,
        kind=ComplaintEvent.Kind.STATE,
        to_state=CaseState.SUBMITTED,
        created_at=complaint.created_at,
    )
    return complaint


@transaction.atomic
def accept(complaint: Complaint, worker, text: str = "") -> None:
    move(_locked(complaint), CaseState.ACCEPTED, author=worker, text=text)


@transaction.atomic
def settle_locally(complaint: Complaint, worker, reply: str) -> None:
    """The community answers the case itself: a reply, and the case is closed for rating."""
    complaint = _locked(complaint)
    if complaint.state == CaseState.SUBMITTED:
        move(complaint, CaseState.ACCEPTED, author=worker)
    move(complaint, CaseState.REPLIED, author=worker, text=reply)
    move(complaint, CaseState.CLOSED, author=worker)


@transaction.atomic
def mark_duplicate(complaint: Complaint, original: Complaint, worker) -> None:
    if original.pk == complaint.pk or original.community_id != complaint.community_id:
        raise TransitionError(_("A complaint can only be merged into another complaint of the same community."))
    complaint = _locked(complaint)
    complaint.duplicate_of = original
    move(complaint, CaseState.DUPLICATE, author=worker, text=_("Merged into #%(id)s.") % {"id": original.pk})


@transaction.atomic
def set_aside(complaint: Complaint, to_state: str, worker, reason: str) -> None:
    """Returned or not responsible, with the reason the resident will read."""
    move(_locked(complaint), to_state, author=worker, text=reason)


@transaction.atomic
def add_note(complaint: Complaint, worker, text: str, public: bool = False) -> ComplaintEvent:
    event = ComplaintEvent.objects.create(
        complaint=complaint,
        kind=ComplaintEvent.Kind.REPLY if public else ComplaintEvent.Kind.NOTE,
        text=text,
        author=worker,
    )
    announce(event)
    return event


@transaction.atomic
def rate(complaint: Complaint, rating: str, comment: str = "") -> None:
    """The resident's verdict on a closed case; 'not satisfied' reopens it."""
    complaint = _locked(complaint)
    if complaint.state != CaseState.CLOSED:
        raise TransitionError(_("Only a closed complaint can be rated."))
    target = CaseState.EVALUATED if rating == Complaint.Rating.SATISFIED else CaseState.REOPENED
    move(complaint, target, author=complaint.reporter, text=comment)
    complaint.rating = rating
    complaint.save(update_fields=["rating"])


def _locked(complaint: Complaint) -> Complaint:
    fresh = Complaint.objects.select_for_update().select_related("category").get(pk=complaint.pk)
    complaint.__dict__.update(fresh.__dict__)
    return complaint
