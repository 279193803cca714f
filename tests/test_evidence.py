"""The evidence manifest: complete, matching its schema, deterministic, written only on
completion."""

from __future__ import annotations

import hashlib
import json
import platform
from pathlib import Path
from typing import Any

import jsonschema
from click.testing import CliRunner

from checker import __version__
from checker.cli import cli
from checker.resources import builtin_policy_dir
from tests.conftest import ROOT
from tests.documents import run, waiver, write_inputs, write_waivers

EVIDENCE_SCHEMA = json.loads((ROOT / "schemas" / "evidence.schema.json").read_text())
HOUSE_RULE = """package checker.configuration.house

import rego.v1

# METADATA
# title: Partner name is not a placeholder
# custom:
#   id: HOUSE-001
#   severity: warning
deny contains finding if {
	startswith(input.configuration.partner.name, "Contoso")
	finding := {"rule": "HOUSE-001", "msg": "sample name", "path": ["partner", "name"]}
}
"""


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _full_run(in_tmp: Path, evidence: str = "evidence.json") -> tuple[int, dict[str, Any]]:
    """A run with every option the manifest records; returns its exit code and manifest."""
    partner, snap = write_inputs(in_tmp / "inputs")
    (in_tmp / "inputs" / "notes.json").write_text('{"not": "ours"}')
    write_waivers(in_tmp / "waivers.yaml", waiver("CRED-004", customer="c-1"))
    first = run("check", "inputs", "-f", "json", "-o", "baseline.json", "--as-of", "2026-06-30")
    assert first.exit_code == 1
    (in_tmp / "rules").mkdir(exist_ok=True)
    (in_tmp / "rules" / "house.rego").write_text(HOUSE_RULE)
    (in_tmp / "rules" / "house_test.rego").write_text("package checker.configuration.house\n")
    result = run("check", "inputs", "--policy", "rules", "-f", "json", "-o", "report.json",
                 "-f", "text", "--waivers", "waivers.yaml", "--baseline", "baseline.json",
                 "--as-of", "2026-06-30", "--fail-on", "warning", "--max-waiver-days", "200",
                 "--evidence", evidence)
    return result.exit_code, json.loads((in_tmp / evidence).read_text())


def test_manifest_matches_its_schema_and_records_the_run(in_tmp: Path) -> None:
    code, evidence = _full_run(in_tmp)
    jsonschema.Draft202012Validator(EVIDENCE_SCHEMA).validate(evidence)
    report = json.loads((in_tmp / "report.json").read_text())

    assert evidence["verdict"] == report["verdict"] == "fail"
    assert evidence["exitCode"] == report["exitCode"] == code == 1
    assert evidence["counts"] == report["summary"]
    assert evidence["counts"]["states"]["waived"] == 1
    assert evidence["tool"] == {"name": "checker", "version": __version__,
                                "python": platform.python_version()}
    assert evidence["engine"] == {"name": "embedded", "version": report["tool"]["engine"]}
    assert evidence["asOf"] == {"option": "2026-06-30T00:00:00Z", "documents": [
        {"file": "inputs/partner.yaml", "asOf": "2026-06-30T00:00:00Z"},
        {"file": "inputs/snapshot.json", "asOf": "2026-06-30T00:00:00Z"}]}
    assert evidence["options"] == {
        "paths": ["inputs"], "config": None, "policyDirs": ["rules"], "builtinPolicies": True,
        "engine": "embedded",
        "formats": [{"format": "json", "output": "report.json"},
                    {"format": "text", "output": None}],
        "failOn": "warning", "asOf": "2026-06-30", "waivers": ["waivers.yaml"],
        "maxWaiverDays": 200, "baseline": "baseline.json", "batchSize": 1000,
        "rules": [], "skipRules": [], "exclude": [], "allowEmpty": False,
    }
    names = ["inputs/notes.json", "inputs/partner.yaml", "inputs/snapshot.json"]
    assert evidence["inputs"] == [
        {"path": n, "sha256": _sha(in_tmp / n), "bytes": (in_tmp / n).stat().st_size}
        for n in names]
    assert evidence["waivers"][0]["sha256"] == _sha(in_tmp / "waivers.yaml")
    assert evidence["baseline"]["sha256"] == _sha(in_tmp / "baseline.json")
    assert evidence["reports"][0] == {"format": "json", "output": "report.json",
                                      "sha256": _sha(in_tmp / "report.json")}
    assert evidence["reports"][1]["output"] is None


def test_manifest_hashes_every_policy_module_and_schema(in_tmp: Path) -> None:
    _, evidence = _full_run(in_tmp)
    modules = {m["module"]: m for m in evidence["policies"]}
    builtin = builtin_policy_dir()
    expected_builtin = {f"rego/{p.relative_to(builtin).as_posix()}": p
                        for p in builtin.rglob("*.rego") if not p.name.endswith("_test.rego")}
    assert "rego/checker/main.rego" in expected_builtin
    for name, path in expected_builtin.items():
        assert (modules[name]["sha256"], modules[name]["builtin"]) == (_sha(path), True)
    assert modules["rules/house.rego"] == {
        "module": "rules/house.rego", "builtin": False,
        "sha256": _sha(in_tmp / "rules" / "house.rego"),
        "bytes": len(HOUSE_RULE.encode())}
    assert set(modules) == {*expected_builtin, "rules/house.rego"}
    schemas = sorted((ROOT / "schemas").glob("*.schema.json"))
    assert [(s["file"], s["sha256"]) for s in evidence["schemas"]] == [
        (p.name, _sha(p)) for p in schemas]
    assert {"evidence.schema.json", "waivers.schema.json", "report.schema.json"} <= {
        s["file"] for s in evidence["schemas"]}


def test_manifest_is_deterministic_and_has_no_wall_clock_time(in_tmp: Path) -> None:
    _full_run(in_tmp, "first.json")
    _full_run(in_tmp, "second.json")
    first = (in_tmp / "first.json").read_text()
    assert first == (in_tmp / "second.json").read_text()
    assert "generatedAt" not in json.loads(first)


def test_manifest_records_no_environment_or_engine_secrets(in_tmp: Path) -> None:
    partner, snap = write_inputs(in_tmp)
    result = CliRunner(env={"CHECKER_OPA_URL": "http://user:s3cr3t@opa.example:8181",
                            "CHECKER_OPA_TOKEN": "t0ken-value"}).invoke(
        cli, ["check", str(partner), str(snap), "--evidence", "evidence.json"])
    assert result.exit_code == 1, result.output
    text = (in_tmp / "evidence.json").read_text()
    assert "s3cr3t" not in text and "t0ken-value" not in text and "opa.example" not in text
    jsonschema.Draft202012Validator(EVIDENCE_SCHEMA).validate(json.loads(text))


def test_passing_run_records_pass_and_exit_0(in_tmp: Path) -> None:
    partner, snap = write_inputs(in_tmp, [])
    result = run("check", partner, snap, "--evidence", "evidence.json")
    assert result.exit_code == 0, result.output
    evidence = json.loads((in_tmp / "evidence.json").read_text())
    assert (evidence["verdict"], evidence["exitCode"]) == ("pass", 0)
    assert evidence["reports"] == [{"format": "text", "output": None, "sha256": hashlib.sha256(
        result.stdout.encode()).hexdigest()}]


def test_no_manifest_when_the_run_cannot_complete(in_tmp: Path) -> None:
    partner, snap = write_inputs(in_tmp)
    (in_tmp / "bad").mkdir()
    (in_tmp / "bad" / "b.rego").write_text("package checker.configuration.b\nnot rego\n")
    failed = CliRunner().invoke(cli, ["check", str(partner), "--policy", "bad",
                                      "--evidence", "evidence.json"])
    assert failed.exit_code == 3
    usage = CliRunner().invoke(cli, ["check", str(partner), "--baseline", "missing.json",
                                     "--evidence", "evidence.json"])
    assert usage.exit_code == 2
    assert not (in_tmp / "evidence.json").exists()
    assert [p.name for p in in_tmp.iterdir() if p.name.startswith(".")] == []
