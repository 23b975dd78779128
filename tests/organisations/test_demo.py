from datetime import date

import pytest

from communities.organisations.compliance import findings_for
from communities.organisations.models import OrganisationPage, ProjectPage
from tests.conftest import seed_demo_city_once

# The demo city is recorded once per worker: its tests share one (tests/conftest.py, seed_demo_city_once).
pytestmark = pytest.mark.xdist_group("demo-city")


def test_demo_city_has_two_disclosing_organisations_and_their_staff(db, host_client, django_user_model):
    assert seed_demo_city_once()
    organisations = OrganisationPage.objects.live().filter(slug__startswith="cuiyuan-").order_by("credit_code")
    assert organisations.count() == 2
    elder = OrganisationPage.objects.get(slug="cuiyuan-elder-care")
    assert elder.financial_reports.count() == 2 and elder.major_events.get().disclosed_on is not None
    assert ProjectPage.objects.live().child_of(elder).count() == 1
    assert findings_for(elder, today=date(2026, 6, 1)) == []
    youth = OrganisationPage.objects.get(slug="cuiyuan-youth-volunteers")
    assert [f.kind for f in findings_for(youth, today=date(2026, 6, 1))] == ["annual_report"]
    staff = django_user_model.objects.get(username="orgstaff")
    assert staff.groups.get() == elder.access.staff_group
    listing = host_client("hubin.localhost").get("/organisations/").content.decode()
    assert elder.title in listing  # it serves 湖滨社区 too
    for org in organisations:
        assert host_client("cuiyuan.localhost").get(org.url + "finances/").status_code == 200
