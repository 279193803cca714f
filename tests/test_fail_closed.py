"""Inputs that once let a run pass while checking nothing, or end in a traceback.

A CI gate trusts exit 0: each case here must exit non-zero with one clear line, unless the
user asks for an empty run (``--allow-empty``).
"""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import EXAMPLES
from tests.documents import PARTNER, customer, run, snapshot, write_inputs

PARTNER_YAML = EXAMPLES / "global" / "noncompliant" / "partner.yaml"


def _one_error_line(output: str) -> str:
    lines = output.strip().splitlines()
    assert len(lines) == 1, output
    assert lines[0].startswith("checker: error: "), output
    assert "Traceback" not in output
    return lines[0]


# -- nothing to check ----------------------------------------------------------------------


def test_empty_folder_is_nothing_to_check(in_tmp: Path) -> None:
    (in_tmp / "empty").mkdir()
    result = run("check", "empty")
    assert result.exit_code == 2
    line = _one_error_line(result.output)
    assert "nothing to check in empty" in line and "--allow-empty" in line


def test_folder_of_other_files_is_nothing_to_check(in_tmp: Path) -> None:
    (in_tmp / "docs").mkdir()
    (in_tmp / "docs" / "README.md").write_text("# hello\n")
    (in_tmp / "docs" / "data.csv").write_text("a,b\n")
    for command in ("check", "validate"):
        result = run(command, "docs")
        assert result.exit_code == 2, result.output
        assert "no *.json, *.yaml, *.yml file found" in _one_error_line(result.output)


@pytest.mark.parametrize("text", ["", "\n\n", "# only a comment\n# and another\n", "---\n"])
def test_file_without_a_document_is_nothing_to_check(in_tmp: Path, text: str) -> None:
    (in_tmp / "partner.yaml").write_text(text)
    for command in ("check", "validate"):
        result = run(command, "partner.yaml")
        assert result.exit_code == 2, result.output
        assert "holding no document" in _one_error_line(result.output)


def test_allow_empty_accepts_a_run_that_checks_nothing(in_tmp: Path) -> None:
    (in_tmp / "empty").mkdir()
    result = run("check", "empty", "--allow-empty")
    assert result.exit_code == 0
    assert result.output.startswith("PASS: 0 findings in 0 documents")
    assert run("validate", "empty", "--allow-empty").exit_code == 0


def test_empty_file_beside_real_documents_is_skipped_not_fatal(in_tmp: Path) -> None:
    write_inputs(in_tmp)
    (in_tmp / "empty.yaml").write_text("# nothing yet\n")
    result = run("check", ".", "-f", "json")
    assert result.exit_code == 1
    assert "empty.yaml" in json.loads(result.output)["skipped"]


def test_folder_of_foreign_yaml_is_nothing_to_check(in_tmp: Path) -> None:
    (in_tmp / "k8s").mkdir()
    (in_tmp / "k8s" / "deploy.yaml").write_text("apiVersion: apps/v1\nkind: Deployment\n")
    result = run("check", "k8s")
    assert result.exit_code == 2
    assert "none holding a checker document (skipped: k8s/deploy.yaml)" in _one_error_line(
        result.output)


# -- extensions ------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["partner.YAML", "partner.Yml", "partner.JSON"])
def test_extensions_match_in_any_case(in_tmp: Path, name: str) -> None:
    (in_tmp / "in").mkdir()
    text = (json.dumps(PARTNER) if name.lower().endswith(".json")
            else PARTNER_YAML.read_text())
    (in_tmp / "in" / name).write_text(text)
    result = run("check", "in", "-f", "json")
    assert result.exit_code in (0, 1), result.output
    assert [d["file"] for d in json.loads(result.output)["documents"]] == [f"in/{name}"]


# -- numbers -----------------------------------------------------------------------------


@pytest.mark.parametrize("digits", [25, 4301, 6000])
def test_huge_integer_in_json_is_a_located_error(in_tmp: Path, digits: int) -> None:
    doc = snapshot([customer("c-1", "s-1")])
    text = json.dumps(doc, indent=2).replace('"c-1"', '"c-1", "n": ' + "7" * digits)
    (in_tmp / "snapshot.json").write_text(text)
    result = run("check", "snapshot.json", "-f", "json")
    assert result.exit_code == 1
    (found,) = json.loads(result.output)["findings"]
    before = text[:text.index("7" * digits)]
    expected = (before.count("\n") + 1, len(before) - before.rfind("\n"))
    assert found["ruleId"] == "CHK-LOAD" and (found["line"], found["column"]) == expected
    assert f"({digits} digits) is out of range" in found["message"]
    assert len(found["message"]) < 120


def test_huge_integer_in_yaml_is_a_located_error(in_tmp: Path) -> None:
    (in_tmp / "partner.yaml").write_text(PARTNER_YAML.read_text().replace(
        "cloud: global", "cloud: global\nextra: " + "9" * 6000))
    result = run("check", "partner.yaml", "-f", "json")
    assert result.exit_code == 1
    (found,) = json.loads(result.output)["findings"]
    assert found["ruleId"] == "CHK-LOAD" and found["line"] > 1 and found["column"] == 8


def test_huge_integer_in_a_streamed_snapshot_is_located(in_tmp: Path) -> None:
    customers = [customer(f"c-{i}", f"s-{i}") for i in range(300)]
    customers[200]["n"] = int("8" * 30)  # written by json.dumps, as any exporter might
    (in_tmp / "snapshot.json").write_text(json.dumps(snapshot(customers), indent=1)
                                          .replace("8" * 30, "8" * 6000))
    write_inputs(in_tmp / "p")
    result = run("check", "snapshot.json", "--config", "p/partner.yaml", "--jobs", "2",
                 "-f", "json")
    assert result.exit_code == 1, result.output
    findings = json.loads(result.output)["findings"]
    assert [f["ruleId"] for f in findings] == ["CHK-LOAD"]
    assert "(6000 digits)" in findings[0]["message"] and findings[0]["line"] > 1000


# -- special files ---------------------------------------------------------------------------


def _special_finding(in_tmp: Path, *args: str) -> str:
    """Run on the folder in a real process, bounded: a FIFO must not block it."""
    done = subprocess.run([sys.executable, "-m", "checker", "check", "in", "-f", "json",
                           *args], cwd=in_tmp, capture_output=True, text=True, timeout=60)
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr
    findings = json.loads(done.stdout)["findings"]
    loads = [f for f in findings if f["ruleId"] == "CHK-LOAD"]
    assert len(loads) == 1, findings
    return f"{loads[0]['file']}: {loads[0]['message']}"


def _folder_with_one_good_document(in_tmp: Path) -> Path:
    folder = in_tmp / "in"
    folder.mkdir()
    (folder / "partner.yaml").write_text(PARTNER_YAML.read_text())
    return folder


def test_fifo_in_a_folder_is_one_clear_line_and_does_not_block(in_tmp: Path) -> None:
    folder = _folder_with_one_good_document(in_tmp)
    os.mkfifo(folder / "pipe.yaml")
    assert _special_finding(in_tmp) == (
        "in/pipe.yaml: cannot read file: it is a FIFO (named pipe), not a regular file")


def test_link_to_dev_zero_is_one_clear_line(in_tmp: Path) -> None:
    folder = _folder_with_one_good_document(in_tmp)
    (folder / "zero.json").symlink_to("/dev/zero")
    assert _special_finding(in_tmp) == (
        "in/zero.json: cannot read file: it is a character device, not a regular file")


def test_symlink_loops_are_one_clear_line(in_tmp: Path) -> None:
    folder = _folder_with_one_good_document(in_tmp)
    (folder / "loop.yaml").symlink_to("loop.yaml")
    # A folder linking to its parent: not followed, so the search ends.
    (folder / "sub").mkdir()
    (folder / "sub" / "up").symlink_to("..")
    assert _special_finding(in_tmp) == (
        "in/loop.yaml: cannot read file: Too many levels of symbolic links")


def test_unreadable_file_is_one_clear_line(in_tmp: Path) -> None:
    # root reads a mode-000 file: as root, the check runs without the capabilities that
    # bypass file permissions (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH), so the read fails.
    folder = _folder_with_one_good_document(in_tmp)
    secret = folder / "secret.yaml"
    secret.write_text(PARTNER_YAML.read_text())
    secret.chmod(0)
    prefix: list[str] = []
    if os.geteuid() == 0:
        setpriv = shutil.which("setpriv")
        if setpriv is None:
            pytest.skip("running as root without setpriv: a mode-000 file stays readable")
        caps = "-dac_override,-dac_read_search"
        prefix = [setpriv, f"--inh-caps={caps}", f"--bounding-set={caps}"]
    done = subprocess.run([*prefix, sys.executable, "-m", "checker", "check", "in", "-f",
                           "json"], cwd=in_tmp, capture_output=True, text=True, timeout=60)
    assert done.returncode == 1, done.stderr
    loads = [f for f in json.loads(done.stdout)["findings"] if f["ruleId"] == "CHK-LOAD"]
    assert [(f["file"], f["message"]) for f in loads] == [
        ("in/secret.yaml", "cannot read file: Permission denied")]


# -- outputs -------------------------------------------------------------------------------


def test_output_equal_to_an_input_is_refused_before_any_work(in_tmp: Path) -> None:
    partner, snap = write_inputs(in_tmp)
    before = snap.read_bytes()
    for output in ("snapshot.json", "./snapshot.json", str(snap)):
        result = run("check", partner, snap, "-f", "json", "-o", output)
        assert result.exit_code == 2
        assert "is also an input" in _one_error_line(result.output)
        assert snap.read_bytes() == before
    # Found in a folder, or the --config, counts too.
    assert run("check", ".", "-f", "json", "-o", "partner.yaml").exit_code == 2
    assert run("check", "snapshot.json", "--config", "partner.yaml", "-o",
               "partner.yaml").exit_code == 2


def test_output_folder_is_checked_before_the_evaluation(in_tmp: Path) -> None:
    partner, snap = write_inputs(in_tmp)
    # The OPA engine at a closed port would fail the evaluation: the output problem must be
    # what stops the run, so it was found first.
    result = run("check", partner, snap, "--engine", "opa", "--opa-url",
                 "http://127.0.0.1:9", "-f", "json", "-o", "missing/report.json")
    assert result.exit_code == 3
    line = _one_error_line(result.output)
    assert "folder missing does not exist" in line and "127.0.0.1" not in line
    result = run("check", partner, snap, "--engine", "opa", "--opa-url",
                 "http://127.0.0.1:9", "--evidence", "missing/evidence.json")
    assert result.exit_code == 3 and "folder missing does not exist" in result.output


@pytest.mark.parametrize(("umask", "mode"), [(0o022, 0o644), (0o077, 0o600), (0o002, 0o664)])
def test_reports_are_written_with_the_umask(in_tmp: Path, umask: int, mode: int) -> None:
    partner, snap = write_inputs(in_tmp)
    done = subprocess.run(
        [sys.executable, "-c", f"import os, sys; os.umask({umask}); "
         "from checker.cli import main; sys.argv[0] = 'checker'; main(sys.argv[1:])",
         "check", str(partner), str(snap), "-f", "json", "-o", "report.json",
         "--evidence", "evidence.json"],
        cwd=in_tmp, capture_output=True, text=True, timeout=120)
    assert done.returncode == 1, done.stderr
    for name in ("report.json", "evidence.json"):
        assert stat.S_IMODE((in_tmp / name).stat().st_mode) == mode, name
    assert sorted(p.name for p in in_tmp.iterdir()) == [
        "evidence.json", "partner.yaml", "report.json", "snapshot.json"]


def test_config_alone_is_not_something_to_check_in_an_empty_folder(in_tmp: Path) -> None:
    partner, _ = write_inputs(in_tmp / "p")
    (in_tmp / "snapshots").mkdir()
    result = run("check", "snapshots", "--config", partner)
    assert result.exit_code == 2
    assert "nothing to check in snapshots" in _one_error_line(result.output)


def test_folder_of_waivers_only_is_nothing_to_check(in_tmp: Path) -> None:
    from tests.documents import waiver, write_waivers

    (in_tmp / "w").mkdir()
    write_waivers(in_tmp / "w" / "waivers.yaml", waiver("CRED-004", customer="c-1"))
    assert run("check", "w").exit_code == 2
    assert run("validate", "w").exit_code == 0
