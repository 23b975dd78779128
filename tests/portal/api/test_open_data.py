"""The daily exports: a Frictionless Data Package city-wide and per community, each valid."""

import csv
import io
import json

from django.core.management import call_command
from frictionless import validate


def test_every_package_is_valid_and_holds_only_its_communitys_public_records(records, tmp_path, city):
    call_command("export_open_data", "--out", str(tmp_path), stdout=io.StringIO())
    packages = sorted(tmp_path.glob("*/*/datapackage.json"))
    assert {p.parent.name for p in packages} == {"city", "a1", "b1", "c1"}
    for package in packages:
        report = validate(str(package))
        assert report.valid, (package, report.flatten(["rowNumber", "fieldName", "type", "note"]))
        descriptor = json.loads(package.read_text())
        assert descriptor["licenses"] and all(r["date"] and r["schema"]["fields"] for r in descriptor["resources"])
    a1 = tmp_path.glob("*/a1").__next__()
    complaints = list(csv.DictReader(io.StringIO((a1 / "complaints.csv").read_text(encoding="utf-8"))))
    assert [int(c["id"]) for c in complaints] == [records["public"].pk]  # the private one is not there
    assert "13800138000" not in (a1 / "complaints.csv").read_text()
    assert [n["title"] for n in json.loads((a1 / "notices.json").read_text())] == ["停水通知"]
    assert json.loads((tmp_path.glob("*/b1").__next__() / "notices.json").read_text()) == []
    events = json.loads((a1 / "events.json").read_text())
    assert events[0]["free_places"] == "10"
    for table, titles in {
        "news": ["社区新闻"],
        "polls": ["意见征集"],
        "deliberations": ["加装电梯"],
        "elections": ["第十二届居民委员会选举"],
    }.items():
        assert [row["title"] for row in json.loads((a1 / f"{table}.json").read_text())] == titles, table
        assert json.loads((tmp_path.glob("*/b1").__next__() / f"{table}.json").read_text()) == [], table
    [election] = json.loads((a1 / "elections.json").read_text())
    assert election["posts"] == "主任×1" and election["round"] == "1"
    assert "api-candidate" not in (a1 / "elections.csv").read_text()  # candidates are on the API, not the table
