"""A configuration is judged at the audit date (--as-of, or its snapshot's asOf), never at the
day the job happens to run."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from tests.documents import PARTNER, check_json, customer, snapshot


def _write(in_tmp: Path, effective: str, snapshot_doc: dict[str, object] | None) -> None:
    partner = json.loads(json.dumps(PARTNER))
    partner["collectionsPolicy"]["effectiveDate"] = effective
    (in_tmp / "partner.yaml").write_text(yaml.safe_dump(partner, sort_keys=False))
    if snapshot_doc is not None:
        (in_tmp / "snapshot.json").write_text(json.dumps(snapshot_doc))


def _coll_011(report: dict[str, object]) -> list[str]:
    findings = report["findings"]
    assert isinstance(findings, list)
    return [f["message"] for f in findings if f["ruleId"] == "COLL-011"]


def test_configuration_alone_is_judged_at_as_of(in_tmp: Path) -> None:
    # In force from 2030: not yet at an audit in 2026, whatever today is.
    _write(in_tmp, "2030-01-01", None)
    _, report = check_json("partner.yaml", "--as-of", "2026-06-30")
    assert report["documents"][0]["asOf"] == "2026-06-30T00:00:00Z"
    assert len(_coll_011(report)) == 1
    _, later = check_json("partner.yaml", "--as-of", "2031-01-01")
    assert _coll_011(later) == []


def test_configuration_is_judged_at_its_snapshots_as_of(in_tmp: Path) -> None:
    _write(in_tmp, "2030-01-01", snapshot([customer("c-1", "s-1")], "2026-06-30T00:00:00Z"))
    _, report = check_json("partner.yaml", "snapshot.json")
    dated = {d["file"]: d["asOf"] for d in report["documents"]}
    assert dated["partner.yaml"] == "2026-06-30T00:00:00Z"
    assert len(_coll_011(report)) == 1
    _, by_config = check_json("snapshot.json", "--config", "partner.yaml")
    assert {d["file"]: d["asOf"] for d in by_config["documents"]} == dated


def test_configuration_beside_an_invalid_snapshot_keeps_the_snapshots_audit_date(
        in_tmp: Path) -> None:
    broken = snapshot([{"id": "c-1", "subscriptions": "not a list"}], "2031-03-01T00:00:00Z")
    _write(in_tmp, "2031-01-01", broken)
    _, report = check_json("partner.yaml", "snapshot.json")
    dated = {d["file"]: d["asOf"] for d in report["documents"]}
    assert dated["partner.yaml"] == "2031-03-01T00:00:00Z"
    assert _coll_011(report) == []
    assert any(f["ruleId"] == "CHK-SCHEMA" for f in report["findings"])


def test_configuration_with_no_audit_date_is_not_judged_at_the_wall_clock(
        in_tmp: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Effective in 2100: "not yet in force" at any wall-clock date this test runs on, so
    # a run that fell back to today would fire COLL-011.
    _write(in_tmp, "2100-01-01", None)
    _, report = check_json("partner.yaml")
    assert _coll_011(report) == []
    assert report["documents"][0]["asOf"] == ""
    results = {r["ruleId"]: r for r in report["results"]}
    assert results["COLL-011"]["status"] == "not-applicable"
    assert "no audit date" in results["COLL-011"]["reason"]
    # The same inputs give the same report whatever day the job runs.
    monkeypatch.setattr("checker.stages.evaluate.today", lambda: "2150-01-01T00:00:00Z")
    _, later = check_json("partner.yaml")
    assert later == report
