"""What users of linting CLIs expect: clickable one-line findings, colour only on a terminal,
quiet and verbose, rule selection, standard input, published schemas, helpful messages."""

from __future__ import annotations

import json
import os
import pty
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from tests.conftest import EXAMPLES, ROOT
from tests.documents import check_json, run, write_inputs

NONCOMPLIANT = EXAMPLES / "global" / "noncompliant"
SCHEMAS = ROOT / "schemas"
ANSI = re.compile(r"\x1b\[[0-9;]*m")


def _json(*args: str | Path) -> dict[str, Any]:
    result = run("check", *args, "-f", "json")
    assert result.exit_code in (0, 1), result.output
    data: dict[str, Any] = json.loads(result.stdout)
    return data


# -- text output -------------------------------------------------------------------------------


def test_text_prints_one_clickable_line_per_finding(in_tmp: Path) -> None:
    report = _json(NONCOMPLIANT)
    text = run("check", NONCOMPLIANT).stdout.splitlines()
    expected = [f"{f['file']}:{f['line']}:{f['column']}: {f['severity']} {f['ruleId']} "
                f"{f['message']}" for f in report["findings"]]
    assert len(expected) > 20
    assert text[:len(expected)] == expected
    assert text[len(expected)] == ""
    # Nothing pads a line past what its message needs.
    for line, f in zip(text, report["findings"], strict=False):
        assert len(line) <= 100 or len(f["message"]) > 100 - len(line) + len(f["message"]) - 1
    assert not any("fix:" in line for line in text)


def test_verbose_adds_pointer_and_remediation_and_explain_has_it(in_tmp: Path) -> None:
    report = _json(NONCOMPLIANT)
    first = report["findings"][0]
    lines = run("check", NONCOMPLIANT, "--verbose").stdout.splitlines()
    assert lines[1] == f"    at {first['pointer']}"
    assert lines[2] == f"    fix: {first['remediation']}"
    explained = run("explain", first["ruleId"]).stdout
    assert first["remediation"].split()[0] in explained


def test_quiet_prints_only_the_summary_line(in_tmp: Path) -> None:
    result = run("check", NONCOMPLIANT, "-q")
    assert result.exit_code == 1
    (line,) = result.stdout.splitlines()
    assert line.startswith("FAIL: ") and line == run("check", NONCOMPLIANT).stdout.splitlines()[-1]
    assert run("check", NONCOMPLIANT, "-q", "-v").exit_code == 2


def _on_a_terminal(*args: str, env: dict[str, str] | None = None) -> str:
    leader, follower = pty.openpty()
    try:
        done = subprocess.run([sys.executable, "-m", "checker", "check", *args],
                              stdout=follower, stderr=subprocess.PIPE, timeout=60,
                              env={**{k: v for k, v in os.environ.items() if k != "NO_COLOR"},
                                   "TERM": "xterm", **(env or {})})
        os.close(follower)
        follower = -1
        assert done.returncode == 1, done.stderr
        chunks = []
        while True:
            try:
                chunk = os.read(leader, 65536)
            except OSError:
                break
            if not chunk:
                break
            chunks.append(chunk)
        return b"".join(chunks).decode()
    finally:
        if follower >= 0:
            os.close(follower)
        os.close(leader)


def test_colour_on_a_terminal_only_and_never_with_no_color() -> None:
    path = str(NONCOMPLIANT / "partner.yaml")
    coloured = _on_a_terminal(path)
    assert "\x1b[31merror\x1b[0m" in coloured and "\x1b[33mwarning\x1b[0m" in coloured
    assert ANSI.search(_on_a_terminal(path, env={"NO_COLOR": "1"})) is None
    assert ANSI.search(_on_a_terminal(path, "--color", "never")) is None
    assert ANSI.search(_on_a_terminal(path, "--color", "always",
                                      env={"NO_COLOR": "1"})) is not None
    piped = subprocess.run([sys.executable, "-m", "checker", "check", path],
                           capture_output=True, text=True, timeout=60)
    assert ANSI.search(piped.stdout) is None
    forced = subprocess.run([sys.executable, "-m", "checker", "check", path, "--color",
                             "always"], capture_output=True, text=True, timeout=60)
    assert ANSI.sub("", forced.stdout) == piped.stdout != forced.stdout


def test_colour_never_goes_into_a_file(in_tmp: Path) -> None:
    run("check", NONCOMPLIANT, "--color", "always", "-f", "text", "-o", "r.txt")
    assert ANSI.search((in_tmp / "r.txt").read_text()) is None


# -- counts --------------------------------------------------------------------------------


def test_counts_agree_in_every_format_and_info_is_not_a_warning(in_tmp: Path) -> None:
    inputs = [str(p) for p in sorted(EXAMPLES.iterdir())]
    report = _json(*inputs)
    by_severity = report["summary"]["findings"]
    assert by_severity["info"] >= 1, "the examples should have an info finding"
    assert Counter(f["severity"] for f in report["findings"]) == {
        k: v for k, v in by_severity.items() if v}
    footer = run("check", *inputs, "-q").stdout
    for severity, count in by_severity.items():
        if count:
            assert re.search(rf"\b{count} {severity}s?\b", footer), (severity, footer)
    junit = ET.fromstring(run("check", *inputs, "-f", "junit").stdout)
    assert Counter(f.get("type") for f in junit.iter("failure")) == {
        k: v for k, v in by_severity.items() if v}
    sarif = json.loads(run("check", *inputs, "-f", "sarif").stdout)
    levels = Counter(r["level"] for r in sarif["runs"][0]["results"])
    assert levels == {k: v for k, v in {"error": by_severity["error"],
                                        "warning": by_severity["warning"],
                                        "note": by_severity["info"]}.items() if v}
    # The per-rule outcomes count an info rule that fired as info, never as warning.
    info_rules = {r["ruleId"] for r in report["results"] if r["status"] == "fail"} & {
        f["ruleId"] for f in report["findings"] if f["severity"] == "info"}
    totals = report["summary"]["byCloud"]
    assert sum(c["info"] for c in totals.values()) == sum(
        1 for r in report["results"] if r["status"] == "fail" and r["ruleId"] in info_rules)
    assert sum(c["warning"] for c in totals.values()) == sum(
        1 for r in report["results"] if r["status"] == "fail" and any(
            f["ruleId"] == r["ruleId"] and f["severity"] == "warning"
            for f in report["findings"]))


# -- rule selection ------------------------------------------------------------------------


def test_rule_and_skip_rule_select_findings_and_results(in_tmp: Path) -> None:
    everything = _json(NONCOMPLIANT)
    only = _json(NONCOMPLIANT, "--rule", "COLL-*", "--rule", "ctrl-001")
    rules = {f["ruleId"] for f in only["findings"]}
    assert rules == {r for r in (f["ruleId"] for f in everything["findings"])
                     if r.startswith("COLL-") or r == "CTRL-001"}
    assert {r["ruleId"] for r in only["results"]} <= {
        r["ruleId"] for r in everything["results"]}
    assert all(r["ruleId"].startswith("COLL-") or r["ruleId"] == "CTRL-001"
               for r in only["results"])
    skipped = _json(NONCOMPLIANT, "--skip-rule", "ACCT-*", "--skip-rule", "COLL-006")
    assert {f["ruleId"] for f in skipped["findings"]} == {
        f["ruleId"] for f in everything["findings"]} - {"COLL-006"} - {
        f["ruleId"] for f in everything["findings"] if f["ruleId"].startswith("ACCT-")}
    both = _json(NONCOMPLIANT, "--rule", "COLL-*", "--skip-rule", "COLL-006")
    assert "COLL-006" not in {f["ruleId"] for f in both["findings"]}


@pytest.mark.parametrize(("option", "value", "hint"), [
    ("--rule", "COLL-06", "did you mean COLL-006?"),
    ("--skip-rule", "CRED-0004", "did you mean CRED-004?"),
    ("--rule", "NOPE-*", "no rule 'NOPE-*'"),
])
def test_unknown_rule_ids_are_rejected_with_a_suggestion(in_tmp: Path, option: str,
                                                         value: str, hint: str) -> None:
    result = run("check", NONCOMPLIANT, option, value)
    assert result.exit_code == 2
    assert hint in result.output and result.output.count("\n") == 1


def test_input_findings_survive_rule_selection(in_tmp: Path) -> None:
    (in_tmp / "broken.yaml").write_text("apiVersion: checker/v1\nkind: [\n")
    report = _json("broken.yaml", NONCOMPLIANT, "--rule", "COLL-001")
    assert "CHK-LOAD" in {f["ruleId"] for f in report["findings"]}


def test_fail_on_never_reports_and_exits_0(in_tmp: Path) -> None:
    result = run("check", NONCOMPLIANT, "--fail-on", "never", "-f", "json")
    assert result.exit_code == 0
    report = json.loads(result.stdout)
    assert report["findings"] and report["failOn"] == "never" and report["verdict"] == "pass"
    schema = json.loads((SCHEMAS / "report.schema.json").read_text())
    jsonschema.validate(report, schema)
    assert run("check", NONCOMPLIANT, "--fail-on", "never", "-q").stdout.endswith(
        "(fail on never)\n")


def test_exclude_leaves_out_files_found_in_folders(in_tmp: Path) -> None:
    report = _json(EXAMPLES, "--exclude", "*/noncompliant/*", "--exclude", "snapshot.yaml")
    files = {d["file"] for d in report["documents"]}
    assert files and not any("noncompliant" in f or f.endswith("snapshot.yaml") for f in files)
    assert any(f.endswith("snapshot.json") for f in files)


def test_dash_reads_one_document_from_standard_input(in_tmp: Path) -> None:
    from click.testing import CliRunner

    from checker.cli import cli

    text = (NONCOMPLIANT / "partner.yaml").read_text()
    result = CliRunner().invoke(cli, ["check", "-", "--stdin-filename", "configs/p.yaml",
                                      "-f", "json"], input=text)
    assert result.exit_code == 1, result.output
    report = json.loads(result.stdout)
    assert {f["file"] for f in report["findings"]} == {"configs/p.yaml"}
    from_file = _json(NONCOMPLIANT / "partner.yaml")
    assert [(f["ruleId"], f["line"], f["column"]) for f in report["findings"]] == [
        (f["ruleId"], f["line"], f["column"]) for f in from_file["findings"]]
    as_json = CliRunner().invoke(cli, ["validate", "-", "--stdin-filename", "p.json"],
                                 input=json.dumps(yaml.safe_load(text)))
    assert as_json.exit_code == 0, as_json.output
    empty = CliRunner().invoke(cli, ["check", "-"], input="")
    assert empty.exit_code == 2 and "nothing to check" in empty.output


# -- schemas -------------------------------------------------------------------------------


@pytest.mark.parametrize("path", sorted(SCHEMAS.glob("*.schema.json")), ids=lambda p: p.name)
def test_schema_command_prints_each_published_schema(path: Path) -> None:
    name = path.name.removesuffix(".schema.json")
    result = run("schema", name)
    assert result.exit_code == 0
    assert result.stdout == path.read_text()
    assert name in run("schema").stdout.split()


def test_schema_command_takes_kinds_and_rejects_unknown_names() -> None:
    assert run("schema", "AccountSnapshot").stdout == (
        SCHEMAS / "account-snapshot.schema.json").read_text()
    result = run("schema", "acount-snapshot")
    assert result.exit_code == 2 and "did you mean account-snapshot?" in result.output


def _documents(path: Path) -> list[Any]:
    text = path.read_text()
    return [json.loads(text)] if path.suffix == ".json" else list(yaml.safe_load_all(text))


SCHEMA_OF = {"PartnerConfiguration": "partner-configuration", "AccountSnapshot":
             "account-snapshot", "Waivers": "waivers"}
EXAMPLE_FILES = sorted(p for p in EXAMPLES.rglob("*") if p.suffix in (".json", ".yaml", ".yml"))


@pytest.mark.parametrize("path", EXAMPLE_FILES, ids=lambda p: str(p.relative_to(EXAMPLES)))
def test_every_example_the_checker_accepts_passes_a_plain_validator(path: Path) -> None:
    # The published files, with a plain JSON Schema validator (no checker code): what the
    # checker accepts (PascalCase Partner Center keys among others) they must accept too.
    assert run("validate", path).exit_code == 0
    for doc in _documents(path):
        schema = json.loads((SCHEMAS / f"{SCHEMA_OF[doc['kind']]}.schema.json").read_text())
        validator = jsonschema.Draft202012Validator(
            schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)
        assert [e.message for e in validator.iter_errors(doc)] == []


def test_published_snapshot_schema_accepts_pascal_case_partner_center_keys(
        in_tmp: Path) -> None:
    schema = json.loads((SCHEMAS / "account-snapshot.schema.json").read_text())
    doc = _documents(EXAMPLES / "global" / "compliant" / "snapshot.json")[0]
    subscription = {"Id": "s-9", "Status": "active", "OfferId": "MS-AZR-0145P"}
    event = {"EventId": "e-1", "EventTime": "2026-06-01T00:00:00Z", "EventStatus": "Active"}
    doc["customers"][0]["subscriptions"] = [subscription]
    doc["customers"][0]["fraudEvents"] = [event]
    jsonschema.Draft202012Validator(schema).validate(doc)
    (in_tmp / "s.json").write_text(json.dumps(doc))
    assert run("validate", "s.json").exit_code == 0
    # Missing in both spellings: rejected by both, with the checker's usual message.
    del doc["customers"][0]["subscriptions"][0]["Id"]
    assert not jsonschema.Draft202012Validator(schema).is_valid(doc)
    (in_tmp / "s.json").write_text(json.dumps(doc))
    result = run("validate", "s.json")
    assert result.exit_code == 1 and '"id" is a required property' in result.stdout


def test_report_schema_allows_members_added_in_minor_versions(in_tmp: Path) -> None:
    partner, snap = write_inputs(in_tmp)
    code, report = check_json(partner, snap)
    report["reportVersion"] = "1.9"
    report["addedLater"] = {"anything": True}
    report["summary"]["addedLater"] = 1
    report["findings"][0]["addedLater"] = "x"
    jsonschema.validate(report, json.loads((SCHEMAS / "report.schema.json").read_text()))
    (in_tmp / "baseline.json").write_text(json.dumps(report))
    code, again = check_json(partner, snap, "--baseline", "baseline.json")
    assert code == 0 and again["summary"]["states"]["open"] == 0


# -- validation messages -------------------------------------------------------------------


def test_misspelt_property_is_located_at_the_key_with_a_suggestion(in_tmp: Path) -> None:
    text = (NONCOMPLIANT / "partner.yaml").read_text().replace("\ncloud:", "\nclowd:")
    (in_tmp / "p.yaml").write_text(text)
    line = text.splitlines().index("clowd: global") + 1
    report = json.loads(run("validate", "p.yaml", "-f", "json").stdout)
    misspelt = [f for f in report["findings"] if "clowd" in f["message"]]
    assert [(f["line"], f["column"], f["pointer"], f["message"]) for f in misspelt] == [
        (line, 1, "/clowd", "unknown property 'clowd'; did you mean 'cloud'?")]


def test_enum_errors_list_the_allowed_values(in_tmp: Path) -> None:
    text = (NONCOMPLIANT / "partner.yaml").read_text().replace("\ncloud: global",
                                                              "\ncloud: mars")
    (in_tmp / "p.yaml").write_text(text)
    report = json.loads(run("validate", "p.yaml", "-f", "json").stdout)
    (message,) = [f["message"] for f in report["findings"] if f["pointer"] == "/cloud"]
    assert message == ('"mars" is not allowed here; allowed values: "global", '
                       '"us-government", "germany", "21vianet"')


def test_fix_hints_name_the_schema_command(in_tmp: Path) -> None:
    (in_tmp / "p.yaml").write_text("apiVersion: checker/v1\nkind: PartnerConfiguration\n")
    report = json.loads(run("validate", "p.yaml", "-f", "json").stdout)
    assert report["findings"]
    for f in report["findings"]:
        assert "`checker schema partner-configuration`" in f["remediation"]
        assert "schemas/" not in f["remediation"]


# -- shell completion, lazy imports --------------------------------------------------------


def test_shell_completion_is_documented_and_works() -> None:
    readme = (ROOT / "README.md").read_text()
    for shell in ("bash", "zsh", "fish"):
        assert f"_CHECKER_COMPLETE={shell}_source checker" in readme
    done = subprocess.run([sys.executable, "-c", "from checker.cli import main; main()"],
                          capture_output=True, text=True, timeout=60,
                          env={**os.environ, "_CHECKER_COMPLETE": "bash_source"})
    assert "_checker_completion" in done.stdout


_IMPORTS = """
import sys
from checker.cli import cli
try:
    cli.main(args=sys.argv[1:], prog_name="checker", standalone_mode=False)
except SystemExit:
    pass
print("opa_client" in sys.modules, "requests" in sys.modules)
"""


def test_opa_client_is_imported_only_for_the_opa_engine(tmp_path: Path) -> None:
    path = str(NONCOMPLIANT / "partner.yaml")
    embedded = subprocess.run([sys.executable, "-c", _IMPORTS, "check", path, "-q"],
                              capture_output=True, text=True, timeout=60)
    assert embedded.stdout.splitlines()[-1] == "False False", embedded.stderr
    opa = subprocess.run([sys.executable, "-c", _IMPORTS, "check", path, "-q", "--engine",
                          "opa", "--opa-url", "http://127.0.0.1:9"],
                         capture_output=True, text=True, timeout=60)
    assert opa.stdout.splitlines()[-1].startswith("True"), opa.stderr


def test_control_characters_from_the_inputs_cannot_drive_the_terminal(in_tmp: Path) -> None:
    (in_tmp / "in").mkdir()
    (in_tmp / "in" / "evil\x1b[2J\x07.yaml").write_text(
        "apiVersion: checker/v1\nkind: PartnerConfiguration\n")
    out = run("check", "in", "--color", "always").stdout
    assert "\x1b[2J" not in out and "\x07" not in out
    lines = [line for line in out.splitlines() if "CHK-SCHEMA" in line]
    assert lines and all(line.startswith("in/evil\\x1b[2J\\x07.yaml:") for line in lines)


def test_the_footer_counts_rule_outcomes_as_the_concern_table_does() -> None:
    result = run("check", NONCOMPLIANT, "--color", "never")
    lines = result.output.splitlines()
    start = lines.index(next(line for line in lines if line.startswith("by concern")))
    header = lines[start].split()[2:]            # pass fail warning info n/a
    totals = Counter[str]()
    for row in lines[start + 1:]:
        if not row.startswith("  "):
            break
        for name, value in zip(header, row.split()[1:], strict=True):
            totals[name] += int(value)
    footer = re.search(r"rules: (\d+) passed, (\d+) failed \((\d+) error, (\d+) warning, "
                       r"(\d+) info\), (\d+) not applicable", lines[-1])
    assert footer, lines[-1]
    passed, failed, errors, warnings, infos, not_applicable = map(int, footer.groups())
    assert [passed, errors, warnings, infos, not_applicable] == [
        totals["pass"], totals["fail"], totals["warning"], totals["info"], totals["n/a"]]
    assert failed == errors + warnings + infos
    assert warnings > 0 and infos > 0
    assert [passed, failed, not_applicable] == [
        _json(NONCOMPLIANT)["summary"]["rules"][k] for k in ("pass", "fail", "not-applicable")]
