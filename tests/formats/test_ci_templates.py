"""The CI templates in ci/ and the pre-commit hooks stay in step with the CLI."""

from __future__ import annotations

import re
import shlex
from pathlib import Path
from typing import Any

import pytest
import yaml

from checker.cli import pair_outputs
from checker.formats import FORMATTERS
from tests.conftest import ROOT

CI = ROOT / "ci"


def load(path: Path) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def _strings(node: Any) -> list[str]:
    if isinstance(node, dict):
        return [s for value in node.values() for s in _strings(value)]
    if isinstance(node, list):
        return [s for value in node for s in _strings(value)]
    return [node] if isinstance(node, str) else []


def check_commands(path: Path) -> list[list[str]]:
    # Folded YAML scalars have already been joined into one line by the loader; a literal
    # block's shell line continuations are joined here.
    text = "\n".join(s.replace("\\\n", " ") for s in _strings(load(path)))
    return [shlex.split(m) for m in re.findall(r"checker check [^'\n\"]+", text)]


@pytest.mark.parametrize("name", ["github-actions.yml", "azure-pipelines.yml", "gitlab-ci.yml"])
def test_template_starts_with_usage_and_runs_a_valid_check(name: str) -> None:
    path = CI / name
    assert path.read_text(encoding="utf-8").startswith("# ")
    commands = check_commands(path)
    assert len(commands) == 1
    args = commands[0]
    formats = [args[i + 1] for i, a in enumerate(args) if a == "-f"]
    outputs = [Path(args[i + 1]) for i, a in enumerate(args) if a == "-o"]
    assert set(formats) <= set(FORMATTERS)
    pair_outputs(formats, outputs)  # raises on a pairing the CLI would refuse


def test_github_actions_publishes_even_when_the_check_fails() -> None:
    steps = load(CI / "github-actions.yml")["jobs"]["checker"]["steps"]
    upload = next(s for s in steps if s.get("uses", "").startswith(
        "github/codeql-action/upload-sarif"))
    assert upload["with"]["sarif_file"] == "checker.sarif"
    assert upload["if"].startswith("always()")
    summary = next(s for s in steps if "GITHUB_STEP_SUMMARY" in s.get("run", ""))
    assert summary["if"].startswith("always()")
    args = check_commands(CI / "github-actions.yml")[0]
    assert {"sarif", "junit", "github", "markdown"} <= set(args)


def test_azure_publishes_junit_always() -> None:
    steps = load(CI / "azure-pipelines.yml")["steps"]
    publish = next(s for s in steps if s.get("task") == "PublishTestResults@2")
    assert publish["condition"] == "always()"
    assert publish["inputs"]["testResultsFormat"] == "JUnit"
    assert publish["inputs"]["testResultsFiles"] == "checker.xml"


def test_gitlab_keeps_the_junit_report_always() -> None:
    artifacts = load(CI / "gitlab-ci.yml")["checker"]["artifacts"]
    assert artifacts["when"] == "always"
    assert artifacts["reports"]["junit"] == "checker.xml"


def test_pre_commit_hooks() -> None:
    hooks = {h["id"]: h for h in load(ROOT / ".pre-commit-hooks.yaml")}
    assert set(hooks) == {"checker", "checker-validate"}
    assert hooks["checker"]["entry"] == "checker check"
    assert hooks["checker-validate"]["entry"] == "checker validate"
    for hook in hooks.values():
        assert hook["language"] == "python" and hook["pass_filenames"] is True
        pattern = re.compile(hook["files"])
        assert pattern.search("configs/partner.yaml") and pattern.search("snap.json")
        assert pattern.search("a.yml") and not pattern.search("README.md")
