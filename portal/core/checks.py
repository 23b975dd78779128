"""System checks that tell an operator which production setting is missing or unsafe, by name."""

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register


@register(Tags.security, deploy=True)
def production_settings(app_configs, **kwargs):
    from portal.settings.base import DEV_SECRET_KEY

    problems = []
    if settings.SECRET_KEY == DEV_SECRET_KEY or len(settings.SECRET_KEY) < 50:
        problems.append(
            Error("SECRET_KEY is the development key or too short.", hint="Set SECRET_KEY.", id="portal.E001")
        )
    if settings.DEBUG:
        problems.append(Error("DEBUG is on.", hint="Unset DEBUG.", id="portal.E002"))
    if settings.PORTAL_BASE_DOMAIN in ("", "localhost"):
        problems.append(
            Error(
                "PORTAL_BASE_DOMAIN is not set to the city's domain.",
                hint="Set PORTAL_BASE_DOMAIN, for example shequ.example.gov.cn.",
                id="portal.E003",
            )
        )
    if not settings.REDIS_URL:
        problems.append(
            Error(
                "REDIS_URL is not set: the cache and channel layer are per process.",
                hint="Set REDIS_URL, for example redis://redis:6379/0.",
                id="portal.E004",
            )
        )
    if settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"):
        problems.append(
            Warning(
                "DATABASE_URL is not set: using SQLite.",
                hint="Set DATABASE_URL to a PostgreSQL database.",
                id="portal.W001",
            )
        )
    return problems


@register(Tags.staticfiles)
def vendored_libraries(app_configs, **kwargs):
    """The map and chart libraries are unpacked by `make install` (manage.py vendor_assets), not kept in git."""
    from portal.core.vendor import missing

    absent = missing()
    if not absent:
        return []
    return [
        Warning(
            "Front-end libraries are not unpacked: " + ", ".join(f"{p.name} {p.version}" for p in absent) + ".",
            hint="Run `make install` (or manage.py vendor_assets); the dashboards' charts and maps need them.",
            id="portal.W002",
        )
    ]
