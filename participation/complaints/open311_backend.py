"""The complaints behind the portal's own Open311 server (portal/api/open311.py): a partner's POSTed
request goes through the web form's own path (ComplaintForm: category, attributes' validate(), the
community's boundary, the phone check; then cases.submit: screening, the timeline, the same handling
and delivery onwards). GET lists the public record (反光镜), plus the requests the asking key filed."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import OuterRef, Q, Subquery

from communities.regions.boundaries import contains
from communities.regions.models import Community
from portal.api.open311 import Open311Error, Rejected

from . import attributes as service_attributes
from . import cases
from .forms import ComplaintForm
from .masking import mask_personal_data
from .models import CaseState, Complaint, ComplaintEvent, ComplaintSettings, ServiceCategory
from .states import FINISHED_STATES, PUBLIC_STATES_EXCLUDED

MAX_LISTED = 1000  # GeoReport: servers may cap the list
PARTNER_ID_ATTRIBUTES = ("partner_request_id", "portal_id")


def status(state: str) -> str:
    return "closed" if state in FINISHED_STATES else "open"


def _visible(key):
    public = Q(public=True) & ~Q(state__in=PUBLIC_STATES_EXCLUDED)
    return Complaint.objects.filter(public | Q(api_key=key) if key is not None else public)


def _item(complaint: Complaint, key) -> dict:
    own = key is not None and complaint.api_key_id == key.pk
    item = {
        "service_request_id": str(complaint.pk),
        "status": status(complaint.state),
        "status_notes": complaint.get_state_display(),
        "service_name": complaint.category.name,
        "service_code": complaint.category.service_code,
        "description": complaint.description
        if own
        else (mask_personal_data(complaint.description) if complaint.public else ""),
        "agency_responsible": complaint.category.department,
        "requested_datetime": complaint.created_at.isoformat(),
        "updated_datetime": (complaint.last_event_at or complaint.created_at).isoformat(),
        "expected_datetime": complaint.deadline.isoformat() if complaint.deadline else "",
        "community": complaint.community.slug,
    }
    if own:  # the partner sent these; nobody else sees them
        item["address"] = complaint.address
        item["lat"] = str(complaint.latitude) if complaint.latitude is not None else ""
        item["long"] = str(complaint.longitude) if complaint.longitude is not None else ""
        item["token"] = str(complaint.reference)
        item["partner_request_id"] = complaint.partner_request_id
        if complaint.partner_request_id:
            item["portal_id"] = complaint.partner_request_id
    return item


ITEM_FIELDS = (
    *("pk", "state", "description", "public", "api_key_id", "created_at", "deadline", "address"),
    *("latitude", "longitude", "reference", "partner_request_id"),
    *("category__name", "category__service_code", "category__department", "community__slug"),
)


def _with_dates(queryset):
    # the latest event by a correlated subquery: a Max() over the join would GROUP BY every selected column
    last_event = ComplaintEvent.objects.filter(complaint=OuterRef("pk")).order_by("-created_at").values("created_at")
    return (
        queryset.select_related("category", "community")
        .only(*ITEM_FIELDS)
        .annotate(last_event_at=Subquery(last_event[:1]))
    )


class ComplaintsBackend:
    def services(self) -> list[dict]:
        return [
            {
                "service_code": c.service_code,
                "service_name": c.name,
                "description": c.description,
                "metadata": bool(c.attributes),
                "type": "realtime",
                "keywords": c.keywords,
                "group": c.group,
            }
            for c in ServiceCategory.objects.filter(retired=False).order_by("group", "name")
        ]

    def service_definition(self, code: str):
        category = ServiceCategory.objects.filter(service_code=code[:100], retired=False).first()
        if category is None:
            return None
        extra = [
            {
                "variable": "true",
                "code": "community",
                "datatype": "string",
                "required": "false",
                "datatype_description": "slug",
                "order": 900,
                "description": "The community (slug) the request is for; otherwise found from lat/long",
            },
            {
                "variable": "true",
                "code": "kind",
                "datatype": "singlevaluelist",
                "required": "false",
                "order": 901,
                "description": "Kind of matter (default hazard)",
                "values": [{"key": k, "name": str(n)} for k, n in Complaint.Kind.choices],
            },
        ]
        return {"service_code": category.service_code, "attributes": [*category.attributes, *extra]}

    def list_requests(self, filters: dict, key) -> list[dict]:
        complaints = _visible(key)
        if filters["ids"]:
            complaints = complaints.filter(pk__in=filters["ids"])
        else:
            if filters["start"]:
                complaints = complaints.filter(created_at__gte=filters["start"])
            if filters["end"]:
                complaints = complaints.filter(created_at__lte=filters["end"])
            if filters["service_codes"]:
                complaints = complaints.filter(category__service_code__in=filters["service_codes"])
            if filters["statuses"] == ["open"]:
                complaints = complaints.exclude(state__in=FINISHED_STATES)
            elif filters["statuses"] == ["closed"]:
                complaints = complaints.filter(state__in=FINISHED_STATES)
        if filters.get("portal_id"):
            if key is None:
                return []
            complaints = complaints.filter(api_key=key, partner_request_id=filters["portal_id"][:200])
        complaints = _with_dates(complaints).order_by("-created_at", "-pk")[:MAX_LISTED]
        return [_item(c, key) for c in complaints]

    def get_request(self, request_id: int, key):
        """By id also a request filed through this server that is not on the public record (a partner
        follows it without its key, as GeoReport clients do): its status and dates, not its text."""
        visible = _visible(key) | Complaint.objects.filter(api_key__isnull=False)
        complaint = _with_dates(visible.filter(pk=request_id)).first()
        return _item(complaint, key) if complaint else None

    def token(self, token: str):
        try:
            found = Complaint.objects.filter(reference=token).exclude(api_key=None).first()
        except ValidationError:  # not a UUID
            found = None
        return {"token": token, "service_request_id": str(found.pk)} if found else None

    def updates(self, start, end, key) -> list[dict]:
        """Public timeline lines (state changes and replies, never internal notes) of the complaints
        the asker may see, made in the window."""
        events = (
            ComplaintEvent.objects.filter(created_at__gte=start, created_at__lte=end, complaint__in=_visible(key))
            .exclude(kind=ComplaintEvent.Kind.NOTE)
            .select_related("complaint")
            .order_by("created_at", "pk")[:MAX_LISTED]
        )
        items = []
        for event in events:
            state = event.to_state or event.complaint.state
            items.append(
                {
                    "update_id": str(event.pk),
                    "service_request_id": str(event.complaint_id),
                    "status": _update_status(state),
                    "updated_datetime": event.created_at.isoformat(),
                    "description": mask_personal_data(event.text),
                }
            )
        return items

    def create_request(self, fields: dict, attributes: dict, key, idempotency_key: str = ""):
        partner_id = next((str(attributes[a]) for a in PARTNER_ID_ATTRIBUTES if attributes.get(a)), "")
        partner_id = (partner_id or idempotency_key)[:200]
        if partner_id:
            existing = _with_dates(Complaint.objects.filter(api_key=key, partner_request_id=partner_id)).first()
            if existing is not None:
                return _item(existing, key), False
        category = ServiceCategory.objects.filter(service_code=fields["service_code"][:100], retired=False).first()
        if category is None:
            raise Open311Error(404, f"No service with the code '{fields['service_code'][:100]}'.")
        community = self._community(fields, attributes, key)
        complaint_settings = ComplaintSettings.for_community(community)
        data = {
            "kind": attributes.get("kind") or Complaint.Kind.HAZARD,
            "category": str(category.pk),
            "description": fields.get("description", ""),
            "address": fields.get("address_string") or _point_text(fields),
            "latitude": fields.get("lat", ""),
            "longitude": fields.get("long", ""),
            "contact_preference": Complaint.Contact.PHONE if fields.get("phone") else Complaint.Contact.NONE,
            "contact_phone": fields.get("phone", ""),
            "public": str(attributes.get("public", "")).lower() in ("true", "1", "yes"),
            "coordinate_system": "wgs84",
        }
        for definition in service_attributes.definitions(category):
            if definition.code in attributes:
                data[ComplaintForm.attribute_name(category, definition.code)] = attributes[definition.code]
        form = ComplaintForm(data, {}, community=community, complaint_settings=complaint_settings)
        if not form.is_valid():
            errors = [
                (name, str(message))
                for name, messages in form.errors.items()
                for message in messages
                if name != "photos"
            ]
            raise Rejected([(_open311_name(name, category), message) for name, message in errors])
        values = {k: v for k, v in form.cleaned_data.items() if k != "coordinate_system"}
        try:
            with transaction.atomic():
                complaint = cases.submit(
                    community=community, reporter=None, api_key=key, partner_request_id=partner_id, **values
                )
        except IntegrityError:  # the same partner id filed at the same moment: answer with that one
            existing = Complaint.objects.filter(api_key=key, partner_request_id=partner_id).first()
            if existing is None:
                raise
            complaint = existing
        return _item(_with_dates(Complaint.objects.filter(pk=complaint.pk)).get(), key), True

    def _community(self, fields, attributes, key) -> Community:
        allowed = key.communities.all()
        slug = attributes.get("community")
        if slug:
            community = Community.objects.filter(slug=str(slug)[:50]).first()
            if community is None:
                raise Rejected([("community", f"No community with the slug '{str(slug)[:50]}'.")])
            if not allowed.filter(pk=community.pk).exists():
                raise Open311Error(403, f"This api_key may not file requests for '{community.slug}'.")
            return community
        candidates = list(allowed)
        lat, lon = _float(fields.get("lat")), _float(fields.get("long"))
        if lat is not None and lon is not None:
            inside = [c for c in candidates if c.boundary and contains(c.boundary, lat, lon)]
            if len(inside) == 1:
                return inside[0]
        if len(candidates) == 1:
            return candidates[0]
        raise Rejected(
            [("community", "Give attribute[community] (a slug) or lat/long inside one of the key's communities.")]
        )


def _update_status(state: str) -> str:
    return {
        CaseState.CLOSED: "closed",
        CaseState.EVALUATED: "closed",
        CaseState.DUPLICATE: "duplicate",
        CaseState.NOT_RESPONSIBLE: "not_responsible",
        CaseState.RETURNED: "no_further_action",
        CaseState.IN_PROGRESS: "in_progress",
        CaseState.REPLIED: "in_progress",
    }.get(state, "open")


def _float(value):
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if number == number and abs(number) <= 180 else None


def _point_text(fields) -> str:
    if fields.get("lat") and fields.get("long"):
        return f"{fields['lat'][:20]}, {fields['long'][:20]}"
    return ""


def _open311_name(form_field: str, category) -> str:
    prefix = ComplaintForm.attribute_name(category, "")
    if form_field.startswith(prefix):
        return f"attribute[{form_field.removeprefix(prefix)}]"
    return {
        "latitude": "lat",
        "longitude": "long",
        "address": "address_string",
        "contact_phone": "phone",
        "__all__": "request",
    }.get(form_field, form_field)


BACKEND = ComplaintsBackend()
