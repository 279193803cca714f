"""The new formats through the command line: several formats in one run."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import xmlschema
from click.testing import CliRunner

from checker.cli import cli
from checker.formats import FORMATTERS
from tests.formats.conftest import sarif_errors


def test_every_format_is_a_cli_choice() -> None:
    assert set(FORMATTERS) == {"text", "json", "junit", "sarif", "markdown", "github", "html"}
    result = CliRunner().invoke(cli, ["check", "--help"])
    assert "[text|json|junit|sarif|markdown|github|html]" in result.output


def test_multi_format_run_writes_each_format_and_keeps_the_exit_code(
        in_repo: Path, tmp_path: Path, sarif_validator: jsonschema.protocols.Validator,
        junit_schema: xmlschema.XMLSchema) -> None:
    sarif, junit = tmp_path / "checker.sarif", tmp_path / "checker.xml"
    result = CliRunner().invoke(cli, [
        "check", "examples/global/noncompliant", "-f", "sarif", "-o", str(sarif),
        "-f", "junit", "-o", str(junit), "-f", "github"], catch_exceptions=False)
    assert result.exit_code == 1
    log = json.loads(sarif.read_text(encoding="utf-8"))
    assert sarif_errors(sarif_validator, log) == []
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            for r in log["runs"][0]["results"]}
    assert uris == {"examples/global/noncompliant/partner.yaml",
                    "examples/global/noncompliant/snapshot.json"}
    junit_schema.validate(junit.read_text(encoding="utf-8"))
    lines = result.output.splitlines()
    assert lines[0].startswith("::") and lines[-1].startswith("FAIL: ")


def test_markdown_of_compliant_examples_passes(in_repo: Path) -> None:
    result = CliRunner().invoke(cli, ["check", "examples/global/compliant", "-f", "markdown"],
                                catch_exceptions=False)
    assert result.exit_code == 0
    assert result.output.startswith("## ✅ checker: PASS")
