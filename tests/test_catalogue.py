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
from checker.errors import PolicyError
from checker.model import APPLICABILITY, CLOUDS, Rule, Severity
from checker.policies import (
    GLOBAL_GUIDANCE_URL,
    VIANET_GUIDANCE_URL,
    PolicyModule,
    load_policies,
    load_retired,
    parse_metadata,
)
from checker.testing import run_tests
from tests.conftest import FIXTURES, ROOT

POLICIES = load_policies()
RULES = sorted(POLICIES.rules.values(), key=lambda r: r.id)
CONCERNS = {"collections", "controls", "credit", "accounts"}
# The guidance page each seed is a copy of.
SEEDS = {GLOBAL_GUIDANCE_URL: "000_0eb4b57a4866daf1.txt",
         VIANET_GUIDANCE_URL: "002_4938839712640c6b.txt"}


def seed_sentences(name: str) -> str:
    """The English original of a seed: the text of its sxs-lookup spans."""
    text = (FIXTURES / "seeds" / name).read_text(encoding="utf-8")
    spans = re.findall(r'<span data-stu-id="[^"]+">(.*?)</span></span>', text, re.S)
    plain = " ".join(re.sub(r"<[^>]+>", "", s) for s in spans)
    return html.unescape(plain).replace("\u2019", "'")


def test_catalogue_has_at_least_28_rules_across_the_four_concerns() -> None:
    assert len(RULES) >= 28
    assert {r.concern for r in RULES} == CONCERNS


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.id)
def test_every_rule_carries_every_field(rule) -> None:  # type: ignore[no-untyped-def]
    assert re.fullmatch(r"[A-Z]+-\d{3}", rule.id)
    assert rule.title and rule.description and rule.remediation
    assert rule.concern in CONCERNS
    assert set(rule.clouds) <= set(CLOUDS) and rule.clouds
    assert rule.guidance_url.startswith("https://") and " " not in rule.guidance_url
    assert set(rule.applies) <= set(APPLICABILITY)
    for parameter in rule.parameters:
        assert parameter.name and parameter.description


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.id)
def test_guidance_quote_is_verbatim_from_its_seed(rule) -> None:  # type: ignore[no-untyped-def]
    """A rule citing a seed's page quotes that seed; one citing another page quotes something."""
    quote = rule.guidance_quote.replace("\u2019", "'")
    assert quote
    page = rule.guidance_url.split("#", 1)[0]
    if page in SEEDS:
        assert quote in seed_sentences(SEEDS[page])


def test_every_configuration_rule_names_its_page_in_metadata() -> None:
    # Accounts rules may still name a seed file (read as its page's URL) during the move
    # to links; configuration rules already give the URL itself.
    for module in POLICIES.modules:
        if module.builtin and "/configuration/" in module.name and not module.is_test:
            assert "seed:" not in module.source and "url: https://" in module.source


def _module(guidance: str) -> PolicyModule:
    source = ("package checker.configuration.x\n\n# METADATA\n# title: X\n# custom:\n"
              f"#   id: X-001\n#   guidance:\n{guidance}#   applies: [azure]\n"
              "deny contains f if { false; f := {} }\n")
    return PolicyModule("x.rego", source, "checker.configuration.x", builtin=False)


def test_metadata_guidance_is_read_as_a_url_or_from_a_seed_name() -> None:
    (by_url,) = parse_metadata(_module("#     url: https://learn.microsoft.com/x\n"
                                       "#     quote: A sentence.\n"))
    assert (by_url.guidance_url, by_url.guidance_quote, by_url.applies) == (
        "https://learn.microsoft.com/x", "A sentence.", ("azure",))
    (by_seed,) = parse_metadata(_module("#     seed: 002_4938839712640c6b.txt\n"
                                        "#     quote: Q.\n"))
    assert by_seed.guidance_url == VIANET_GUIDANCE_URL
    (unknown,) = parse_metadata(_module("#     seed: elsewhere.txt\n"))
    assert unknown.guidance_url == ""
    with pytest.raises(PolicyError, match="https://"):
        list(parse_metadata(_module("#     url: http://example.test/x\n")))


def test_metadata_applies_outside_the_known_set_is_a_policy_error() -> None:
    module = _module("#     url: https://learn.microsoft.com/x\n")
    bad = PolicyModule(module.name, module.source.replace("[azure]", "[m365]"),
                       module.package, builtin=False)
    with pytest.raises(PolicyError, match="custom.applies"):
        list(parse_metadata(bad))


def test_azure_only_rules_say_so() -> None:
    for rule_id in ("CTRL-003", "CTRL-004", "CTRL-005", "CTRL-006"):
        assert "azure" in POLICIES.rules[rule_id].applies


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
        assert entry["guidance"] == {"url": rule.guidance_url, "quote": rule.guidance_quote}
        assert entry["applies"] == list(rule.applies)
        assert entry["severity"] == rule.severity.value
    assert listed["CRED-010"] == {"id": "CRED-010", "retired": True, "replaced_by": "ACCT-018",
                                  "reason": POLICIES.retired["CRED-010"].reason}


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.id)
def test_explain_shows_guidance_and_remediation(rule) -> None:  # type: ignore[no-untyped-def]
    result = CliRunner().invoke(cli, ["explain", rule.id.lower()])
    assert result.exit_code == 0
    assert result.output.startswith(f"{rule.id}: {rule.title}")
    assert "Remediation:" in result.output and f"source: {rule.guidance_url}" in result.output


def test_explain_unknown_rule_is_a_usage_error() -> None:
    result = CliRunner().invoke(cli, ["explain", "NOPE-999"])
    assert result.exit_code == 2 and "checker rules" in result.output


def test_readme_catalogue_table_is_current() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    match = re.search(r"<!-- rules:start -->\n(.*?)<!-- rules:end -->", readme, re.S)
    assert match, "README.md lacks the <!-- rules:start --> ... <!-- rules:end --> block"
    assert match.group(1) == render_markdown(RULES, POLICIES.retired.values()), (
        "README catalogue is stale: replace the block with `checker rules --format markdown`"
    )


def test_retired_ids_are_listed_and_explained_never_declared() -> None:
    assert POLICIES.retired["CRED-010"].replaced_by == "ACCT-018"
    assert "CRED-010" not in POLICIES.rules
    listing = CliRunner().invoke(cli, ["rules"])
    assert listing.exit_code == 0
    assert "CRED-010  retired, replaced by ACCT-018" in listing.output
    assert listing.output.rstrip().endswith("retired")
    explained = CliRunner().invoke(cli, ["explain", "cred-010"])
    assert explained.exit_code == 0
    assert explained.output.startswith("CRED-010: retired, replaced by ACCT-018")
    as_json = CliRunner().invoke(cli, ["explain", "CRED-010", "--format", "json"])
    assert json.loads(as_json.output)["replaced_by"] == "ACCT-018"
    table = CliRunner().invoke(cli, ["rules", "--format", "markdown"]).output
    assert "| CRED-010 | ACCT-018 |" in table


def _retired_file(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "retired.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_retired_id_declared_again_or_replaced_by_nothing_is_a_policy_error(
        tmp_path: Path) -> None:
    rules = {"CTRL-002": Rule("CTRL-002", "t", Severity.WARNING, "controls", "configuration",
                              module="rego/checker/configuration/controls.rego")}
    entry = "retired:\n  - {id: %s, replaced_by: %s, reason: merged}\n"
    assert load_retired(_retired_file(tmp_path, entry % ("CRED-010", "CTRL-002")), rules)
    with pytest.raises(PolicyError, match="CTRL-002 is retired but .*controls.rego declares"):
        load_retired(_retired_file(tmp_path, entry % ("CTRL-002", "CTRL-002")), rules)
    with pytest.raises(PolicyError, match="replaced by CTRL-999, which no policy declares"):
        load_retired(_retired_file(tmp_path, entry % ("CRED-010", "CTRL-999")), rules)
    with pytest.raises(PolicyError, match="expected id, replaced_by and reason"):
        load_retired(_retired_file(tmp_path, "retired:\n  - {id: CRED-010}\n"), rules)
    with pytest.raises(PolicyError, match="a 'retired' list"):
        load_retired(_retired_file(tmp_path, "- {id: CRED-010}\n"), rules)
