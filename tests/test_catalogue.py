"""The catalogue: complete, traceable to the guidance, tested both ways, documented."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from checker.catalogue import render_markdown
from checker.cli import cli
from checker.model import CLOUDS
from checker.policies import load_policies
from checker.testing import run_tests
from tests.conftest import FIXTURES, ROOT

POLICIES = load_policies()
RULES = sorted(POLICIES.rules.values(), key=lambda r: r.id)
CONCERNS = {"collections", "controls", "credit", "accounts"}


def seed_sentences(name: str) -> str:
    """The English original of a seed: the text of its sxs-lookup spans."""
    text = (FIXTURES / "seeds" / name).read_text(encoding="utf-8")
    spans = re.findall(r'<span data-stu-id="[^"]+">(.*?)</span></span>', text, re.S)
    plain = " ".join(re.sub(r"<[^>]+>", "", s) for s in spans)
    return html.unescape(plain).replace("\u2019", "'")


SEED_OF_URL = {
    "https://learn.microsoft.com/en-us/partner-center/non-payment-fraud-misuse":
        "000_0eb4b57a4866daf1.txt",
    "https://msdn.microsoft.com/en-us/partner-china/non-payment-fraud-or-misuse":
        "002_4938839712640c6b.txt",
}


def test_catalogue_has_at_least_28_rules_across_the_four_concerns() -> None:
    assert len(RULES) >= 28
    assert {r.concern for r in RULES} == CONCERNS


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.id)
def test_every_rule_carries_every_field(rule) -> None:  # type: ignore[no-untyped-def]
    assert re.fullmatch(r"[A-Z]+-\d{3}", rule.id)
    assert rule.title and rule.description and rule.remediation
    assert rule.concern in CONCERNS
    assert set(rule.clouds) <= set(CLOUDS) and rule.clouds
    assert (rule.guidance_seed in {p.name for p in (FIXTURES / "seeds").iterdir()}
            or rule.guidance_seed.startswith("https://"))
    for parameter in rule.parameters:
        assert parameter.name and parameter.description


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.id)
def test_guidance_quote_is_verbatim_from_its_seed(rule) -> None:  # type: ignore[no-untyped-def]
    quote = rule.guidance_quote.replace("\u2019", "'")
    # A rule cites its seed by file name, or by the URL of the guidance page the seed
    # holds; a rule citing another page only needs a quote.
    seed = SEED_OF_URL.get(rule.guidance_seed.split("#", 1)[0], rule.guidance_seed)
    if seed.startswith("https://"):
        assert quote
        return
    assert quote and quote in seed_sentences(seed)


def test_every_cloud_has_rules_and_clouds_differ() -> None:
    for cloud in CLOUDS:
        assert any(cloud in r.clouds for r in RULES)
    assert any(len(r.clouds) < len(CLOUDS) for r in RULES)


def test_rego_unit_tests_pass_and_every_rule_is_tested_both_ways() -> None:
    run = run_tests(POLICIES)
    failures = [f"{o.module}: {o.name}: {o.detail}" for o in run.outcomes
                if not o.passed and not o.skipped]
    assert failures == []
    assert run.passed >= 2 * len(RULES)
    assert run.missing_fires == () and run.missing_does_not_fire == ()


def test_checker_test_reports_a_failing_rego_test(tmp_path: Path) -> None:
    (tmp_path / "x.rego").write_text(
        "package checker.configuration.x\n\nimport rego.v1\n\n# METADATA\n# title: X\n"
        "# custom:\n#   id: X-001\ndeny contains f if {\n\tinput.configuration.x\n"
        '\tf := {"rule": "X-001", "msg": "x", "path": []}\n}\n'
    )
    (tmp_path / "x_test.rego").write_text(
        "package checker.configuration.x\n\nimport rego.v1\n\n"
        "test_x_001_fires if {\n\tsome f in deny with input as {\"configuration\": {\"x\": true}}\n"
        "\tf.rule == \"X-001\"\n}\n\n"
        "test_x_001_does_not_fire_wrongly if {\n\tcount(deny) == 1 with input as {}\n}\n\n"
        "todo_test_later if {\n\tfalse\n}\n"
    )
    result = CliRunner().invoke(cli, ["test", "--no-builtin", str(tmp_path)])
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert lines[-1] == "1 passed, 1 failed, 1 skipped"
    assert any(line.startswith("FAIL ") and "test_x_001_does_not_fire_wrongly" in line
               for line in lines)


def test_checker_test_names_rules_without_both_kinds_of_test(tmp_path: Path) -> None:
    (tmp_path / "y.rego").write_text(
        "package checker.configuration.y\n\nimport rego.v1\n\n# METADATA\n# title: Y\n"
        "# custom:\n#   id: Y-001\ndeny contains f if {\n\tinput.configuration.y\n"
        '\tf := {"rule": "Y-001", "msg": "y", "path": []}\n}\n'
    )
    result = CliRunner().invoke(cli, ["test", "--no-builtin", str(tmp_path)])
    assert result.exit_code == 1
    assert "MISSING Y-001: no test named test_..._fires" in result.output
    assert "MISSING Y-001: no test named test_..._does_not_fire" in result.output


def test_rules_json_lists_every_field() -> None:
    result = CliRunner().invoke(cli, ["rules", "--format", "json"])
    assert result.exit_code == 0
    listed = {r["id"]: r for r in json.loads(result.output)}
    assert set(listed) >= {r.id for r in RULES}
    for rule in RULES:
        entry = listed[rule.id]
        assert entry["guidance"]["quote"] == rule.guidance_quote
        assert entry["severity"] == rule.severity.value


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.id)
def test_explain_shows_guidance_and_remediation(rule) -> None:  # type: ignore[no-untyped-def]
    result = CliRunner().invoke(cli, ["explain", rule.id.lower()])
    assert result.exit_code == 0
    assert result.output.startswith(f"{rule.id}: {rule.title}")
    assert "Remediation:" in result.output and rule.guidance_seed in result.output


def test_explain_unknown_rule_is_a_usage_error() -> None:
    result = CliRunner().invoke(cli, ["explain", "NOPE-999"])
    assert result.exit_code == 2 and "checker rules" in result.output


def test_readme_catalogue_table_is_current() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    match = re.search(r"<!-- rules:start -->\n(.*?)<!-- rules:end -->", readme, re.S)
    assert match, "README.md lacks the <!-- rules:start --> ... <!-- rules:end --> block"
    assert match.group(1) == render_markdown(RULES), (
        "README catalogue is stale: replace the block with `checker rules --format markdown`"
    )
