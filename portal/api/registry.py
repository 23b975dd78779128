"""The one API: parts register their django-ninja routers (and the Open311 backend) from their
`AppConfig.ready()`; `portal` itself imports nothing from `communities` or `participation`.

    # communities/regions/api.py, imported from RegionsConfig.ready()
    from ninja import Router
    from portal.api import registry

    router = Router(tags=["communities"])
    ...
    registry.register("communities", router)

The API object is built once, on first use (the URLconf), from every router registered by then.
Elections (or any new part) register the same way: a router under its own prefix, its schemas
listing public fields only (tests/portal/api/test_schemas.py checks every field against an allow-list).
"""

from django.conf import settings
from ninja import NinjaAPI, Swagger
from ninja.errors import HttpError
from ninja.errors import ValidationError as NinjaValidationError

_routers: list = []  # (prefix, router), in registration order
_open311 = {"backend": None}
_exports: list = []  # open-data exports (portal.api.opendata.Export)
_api = {"instance": None}


def register(prefix: str, router) -> None:
    """Add a part's router under /api/v1/<prefix>/ (call from AppConfig.ready())."""
    if any(existing == prefix for existing, _router in _routers):
        raise ValueError(f"An API router is already registered under '{prefix}'.")
    if _api["instance"] is not None:
        raise RuntimeError("Register API routers from AppConfig.ready(), before the URLconf is loaded.")
    _routers.append((prefix, router))


def routers() -> list:
    return list(_routers)


def register_open311(backend) -> None:
    """The Open311 server's backend (participation.complaints.open311_backend): one, set once."""
    if _open311["backend"] is not None and _open311["backend"] is not backend:
        raise ValueError("An Open311 backend is already registered.")
    _open311["backend"] = backend


def open311_backend():
    return _open311["backend"]


def register_export(export) -> None:
    """An open-data table (portal.api.opendata.Table) written by the daily export."""
    if any(existing.name == export.name for existing in _exports):
        raise ValueError(f"An export named '{export.name}' is already registered.")
    _exports.append(export)


def exports() -> list:
    return list(_exports)


def get_api() -> NinjaAPI:
    if _api["instance"] is None:
        _api["instance"] = _build()
    return _api["instance"]


def _build() -> NinjaAPI:
    from .http import IpThrottle

    api = NinjaAPI(
        title=getattr(settings, "PORTAL_API_TITLE", "Community portal API"),
        version="1",
        description=(
            "Public records of the city's community portal: regions and communities, pages, organisations, "
            "deliberations, elections, polls and the public record of complaints (反光镜). No key needed; rate limited "
            "per IP address; cursor pagination (`cursor`, `limit`); `ETag`/`Last-Modified` with 304; "
            "`format=csv` on tabular lists. Complaints are filed through the Open311 server at /open311/v2/."
        ),
        urls_namespace="api",
        docs=Swagger(settings={"persistAuthorization": False}),  # assets from ninja's static files, no CDN
        throttle=[IpThrottle()],
    )

    @api.exception_handler(NinjaValidationError)
    def bad_parameters(request, exc):
        reasons = []
        for error in exc.errors:
            where = ".".join(str(part) for part in error.get("loc", ()) if part not in ("query", "path"))
            reasons.append(f"{where}: {error.get('msg', 'invalid')}" if where else str(error.get("msg", "invalid")))
        return api.create_response(request, {"detail": "; ".join(reasons) or "Bad parameters."}, status=400)

    @api.exception_handler(HttpError)
    def http_error(request, exc):
        response = api.create_response(request, {"detail": str(exc)}, status=exc.status_code)
        return response

    for prefix, router in _routers:
        api.add_router(prefix, router)
    return api
