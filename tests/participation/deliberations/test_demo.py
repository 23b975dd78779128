"""The demo city shows a homeowners' decision with documents and photos, and a proposal collecting co-signers."""

from communities.regions.demo import seed_demo_city
from participation.deliberations.models import Proposal, Topic


def test_demo_city_has_deliberations(db, host_client):
    assert seed_demo_city()
    topic = Topic.objects.get(title="3号楼1单元加装电梯")
    page = host_client("cuiyuan.localhost").get(f"/deliberations/{topic.pk}/", HTTP_ACCEPT_LANGUAGE="en")
    body = page.content.decode()
    assert page.status_code == 200 and "加装电梯施工方案与报价" in body and 'alt="3号楼1单元电梯井道施工现场' in body
    assert "Decided: “同意加装”" in body
    proposal = Proposal.objects.get()
    assert proposal.status == Proposal.Status.COLLECTING and proposal.cosignatures.count() == 2
    listing = host_client("cuiyuan.localhost").get("/deliberations/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Collecting co-signers (2 of 5)" in listing and "Propose a topic" in listing
