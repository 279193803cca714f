from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner, Result

from checker.cli import cli
from tests.conftest import EXAMPLES, ROOT

COMPLIANT = [
    EXAMPLES / "global" / "compliant",
    EXAMPLES / "global" / "licence-only",
    EXAMPLES / "21vianet" / "compliant",
    EXAMPLES / "us-government" / "compliant",
    EXAMPLES / "us-government" / "licence-only",
    EXAMPLES / "germany" / "compliant",
    EXAMPLES / "germany" / "licence-only",
]
# A partner that sells no Azure, per cloud: 21Vianet's only compliant partner is one, since
# Azure is not sold through Partner Center there.
LICENCE_ONLY = {
    "global": EXAMPLES / "global" / "licence-only",
    "us-government": EXAMPLES / "us-government" / "licence-only",
    "germany": EXAMPLES / "germany" / "licence-only",
    "21vianet": EXAMPLES / "21vianet" / "compliant",
}
AZURE_ONLY_CONTROLS = {"CTRL-003", "CTRL-004", "CTRL-005", "CTRL-006"}
NONCOMPLIANT = [EXAMPLES / "global" / "noncompliant", EXAMPLES / "21vianet" / "noncompliant"]
REPORT_SCHEMA = json.loads((ROOT / "schemas" / "report.schema.json").read_text())

CUSTOM_RULE = """package checker.configuration.house

import rego.v1

# METADATA
# title: Partner name is not a placeholder
# custom:
#   id: HOUSE-001
#   severity: warning
deny contains finding if {
	startswith(input.configuration.partner.name, "Contoso")
	finding := {"rule": "HOUSE-001", "msg": "name looks like a sample", "path": ["partner", "name"]}
}
"""


def run(*args: str | Path) -> Result:
    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)


def findings(*args: str | Path) -> tuple[int, dict]:
    result = run("check", *args, "--format", "json")
    return result.exit_code, json.loads(result.output)


def test_compliant_examples_pass() -> None:
    result = run("check", *COMPLIANT)
    assert result.exit_code == 0, result.output
    # The Germany examples have no snapshot: without --as-of there is no audit date, so
    # CTRL-012 (Germany shut down on 2021-10-29) is not applicable; audited in 2026, each
    # gets that note (info); audited in 2021, none.
    _, report = findings(*COMPLIANT)
    assert report["findings"] == []
    germany = [p for p in COMPLIANT if p.parent.name == "germany"]
    _, undated = findings(*germany)
    assert {r["status"] for r in undated["results"] if r["ruleId"] == "CTRL-012"} \
        == {"not-applicable"}
    _, audited = findings(*COMPLIANT, "--as-of", "2026-06-30")
    assert {(f["ruleId"], f["severity"], f["file"].split("/")[1])
            for f in audited["findings"]} == {("CTRL-012", "info", "germany")}
    dated = run("check", *germany, "--as-of", "2021-06-30")
    assert dated.exit_code == 0 and dated.output.splitlines()[-1].startswith("PASS: 0 findings")


@pytest.mark.parametrize("cloud", sorted(LICENCE_ONLY))
def test_licence_only_partner_passes_with_azure_controls_not_applicable(cloud: str) -> None:
    (partner,) = LICENCE_ONLY[cloud].glob("partner.yaml")
    text = partner.read_text(encoding="utf-8")
    assert "azure: false" in text and "fraudAlerts" not in text and "spendingBudgets" not in text
    # Audited at a date, so that the date-based rules are judged too; Germany before its
    # shutdown, so that not even the CTRL-012 note is left.
    dated = ("--as-of", "2021-06-30" if cloud == "germany" else "2026-06-30")
    code, report = findings(partner, *dated)
    assert code == 0 and report["findings"] == []
    assert {d["cloud"] for d in report["documents"]} == {cloud}
    statuses = {r["ruleId"]: r for r in report["results"]}
    for rule_id in AZURE_ONLY_CONTROLS:
        assert statuses[rule_id]["status"] == "not-applicable"
    assert all(r["status"] == "pass" for r in statuses.values() if r["ruleId"].startswith("COLL-"))


def test_the_same_partner_selling_azure_gets_the_azure_controls(tmp_path: Path) -> None:
    partner = (LICENCE_ONLY["global"] / "partner.yaml").read_text(encoding="utf-8")
    (tmp_path / "partner.yaml").write_text(partner.replace("azure: false", "azure: true"))
    code, report = findings(tmp_path)
    assert code == 0  # the Azure controls it lacks are recommendations: warnings
    assert {f["ruleId"] for f in report["findings"]} == {"CTRL-003", "CTRL-006"}
    assert {f["severity"] for f in report["findings"]} == {"warning"}


@pytest.mark.parametrize("folder", NONCOMPLIANT, ids=lambda p: p.parent.name)
def test_noncompliant_examples_fail_with_located_findings(folder: Path) -> None:
    code, report = findings(folder)
    assert code == 1
    policy_findings = [f for f in report["findings"] if not f["ruleId"].startswith("CHK-")]
    assert policy_findings
    for f in policy_findings:
        assert f["line"] > 0 and f["column"] > 0 and f["pointer"].startswith("/")
        assert f["title"] and f["remediation"]
    text = run("check", folder).output
    first = policy_findings[0]
    assert first["file"] in text
    assert f"{first['line']}:{first['column']}" in text


def test_both_kinds_are_checked_for_every_cloud() -> None:
    _, report = findings(EXAMPLES)
    kinds = {(d["kind"], d["cloud"] or d["partnerId"]) for d in report["documents"]}
    assert ("PartnerConfiguration", "21vianet") in kinds
    assert ("PartnerConfiguration", "global") in kinds
    assert any(k == "AccountSnapshot" for k, _ in kinds)
    statuses = {r["status"] for r in report["results"]}
    assert statuses == {"pass", "fail", "not-applicable"}


def test_json_report_matches_its_schema() -> None:
    for args in ([EXAMPLES], COMPLIANT):
        _, report = findings(*args)
        jsonschema.Draft202012Validator(REPORT_SCHEMA).validate(report)


def test_json_report_lists_each_rule_with_its_guidance_link_and_applicability() -> None:
    _, report = findings(EXAMPLES / "global" / "licence-only")
    assert report["reportVersion"] == "1.2"
    rules = {r["id"]: r for r in report["rules"]}
    assert [r["id"] for r in report["rules"]] == sorted(rules)
    assert {r["ruleId"] for r in report["results"]} <= set(rules)
    assert rules["CTRL-001"]["guidance"]["url"].startswith("https://learn.microsoft.com/")
    assert rules["CTRL-003"]["applies"] == ["azure"] and rules["COLL-001"]["applies"] == []
    assert all(r["guidance"]["url"].startswith("https://") for r in rules.values()
               if not r["id"].startswith("CHK-"))


def test_reports_are_deterministic_whatever_the_argument_order(in_tmp: Path) -> None:
    paths = [*NONCOMPLIANT, *COMPLIANT]
    first = run("check", *paths, "-f", "json").output
    second = run("check", *reversed(paths), "-f", "json").output
    assert first == second


def test_user_policy_rule_fires(tmp_path: Path) -> None:
    (tmp_path / "house.rego").write_text(CUSTOM_RULE)
    code, report = findings(EXAMPLES / "global" / "compliant", "--policy", tmp_path,
                            "--fail-on", "warning")
    assert code == 1
    (hit,) = [f for f in report["findings"] if f["ruleId"] == "HOUSE-001"]
    assert hit["severity"] == "warning" and hit["pointer"] == "/partner/name"
    assert hit["title"] == "Partner name is not a placeholder"


def test_warning_does_not_fail_the_default_gate(tmp_path: Path) -> None:
    (tmp_path / "house.rego").write_text(CUSTOM_RULE)
    code, report = findings(EXAMPLES / "global" / "compliant", "--policy", tmp_path)
    assert code == 0
    assert report["summary"]["findings"]["warning"] >= 1


def test_rego_syntax_error_in_user_policy_exits_3_naming_file_and_line(tmp_path: Path) -> None:
    (tmp_path / "broken.rego").write_text(
        "package checker.configuration.broken\n\nimport rego.v1\n\ndeny contains x if {\n"
        "  x := \n}\n"
    )
    result = CliRunner().invoke(cli, ["check", str(EXAMPLES / "global" / "compliant"),
                                      "--policy", str(tmp_path)])
    assert result.exit_code == 3
    assert f"{tmp_path.as_posix()}/broken.rego:6:" in result.output
    assert "Traceback" not in result.output


def test_policy_calling_an_unknown_function_exits_3(tmp_path: Path) -> None:
    (tmp_path / "x.rego").write_text(
        "package checker.configuration.x\n\nimport rego.v1\n\n"
        "deny contains x if {\n\tx := no_such_function(1)\n}\n"
    )
    result = CliRunner().invoke(cli, ["check", str(EXAMPLES / "global" / "compliant"),
                                      "--policy", str(tmp_path)])
    assert result.exit_code == 3
    assert "x.rego:6" in result.output


def test_broken_input_is_one_located_finding_and_others_are_still_checked(in_tmp: Path) -> None:
    shutil.copytree(EXAMPLES / "global" / "compliant", in_tmp / "ok")
    (in_tmp / "broken.yaml").write_text("apiVersion: checker/v1\nkind: [unclosed\n")
    code, report = findings("broken.yaml", "ok")
    assert code == 1
    (load,) = [f for f in report["findings"] if f["ruleId"] == "CHK-LOAD"]
    assert load["file"] == "broken.yaml" and load["line"] == 3
    assert report["summary"]["documents"] >= 2
    text = run("check", "broken.yaml").output
    assert "Traceback" not in text
    assert "broken.yaml" in text and "CHK-LOAD" in text


def test_snapshot_without_its_configuration_is_an_error(in_tmp: Path) -> None:
    snapshot = next((EXAMPLES / "global" / "compliant").glob("snapshot.*"))
    code, report = findings(snapshot)
    assert code == 1
    assert [f["ruleId"] for f in report["findings"]] == ["CHK-PARTNER"]


def test_config_option_checks_snapshot_against_that_configuration() -> None:
    folder = EXAMPLES / "global" / "compliant"
    snapshot = next(folder.glob("snapshot.*"))
    code, report = findings(snapshot, "--config", folder / "partner.yaml")
    assert code == 0
    assert {d["kind"] for d in report["documents"]} == {"PartnerConfiguration", "AccountSnapshot"}


def test_output_is_written_and_no_partial_file_on_failure(in_tmp: Path) -> None:
    result = run("check", *COMPLIANT, "-f", "json", "-o", "report.json", "-f", "text")
    assert result.exit_code == 0
    assert json.loads((in_tmp / "report.json").read_text())["verdict"] == "pass"
    assert "PASS" in result.output
    (in_tmp / "bad").mkdir()
    (in_tmp / "bad" / "b.rego").write_text("package checker.configuration.b\nnot rego\n")
    failed = CliRunner().invoke(cli, ["check", *map(str, COMPLIANT), "--policy", "bad",
                                      "-f", "json", "-o", "other.json"])
    assert failed.exit_code == 3
    assert not (in_tmp / "other.json").exists()
    assert [p.name for p in in_tmp.iterdir() if p.name.startswith(".")] == []


@pytest.mark.parametrize(
    "args",
    [
        ["check", "does-not-exist.yaml"],
        ["check", "examples", "--as-of", "last tuesday"],
        ["check", "examples", "-f", "json", "-f", "text"],
        ["check", "examples", "-o", "a.json", "-o", "b.json"],
        ["check", "examples", "--fail-on", "sometimes"],
        ["check", "examples", "--no-builtin"],
    ],
)
def test_usage_errors_exit_2(args: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output


def test_validate_reports_schema_errors_only(in_tmp: Path) -> None:
    (in_tmp / "p.yaml").write_text(
        "apiVersion: checker/v1\nkind: PartnerConfiguration\npartner: {id: x, name: X}\n"
        "cloud: mars\n"
    )
    result = run("validate", "p.yaml", "-f", "json")
    assert result.exit_code == 1
    report = json.loads(result.output)
    (finding,) = report["findings"]
    assert finding["ruleId"] == "CHK-SCHEMA" and finding["pointer"] == "/cloud"
    assert finding["line"] == 4
    assert run("validate", *COMPLIANT).exit_code == 0


def test_module_entry_point_and_version() -> None:
    out = subprocess.run([sys.executable, "-m", "checker", "--version"], capture_output=True,
                         text=True, check=True)
    assert out.stdout.startswith("checker, version ")


def test_engine_choices_match_the_registry() -> None:
    from checker.cli import ENGINE_NAMES
    from checker.engines import ENGINES

    assert set(ENGINE_NAMES) == set(ENGINES)
