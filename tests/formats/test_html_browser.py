"""The HTML report in a real browser: headless Chromium opens the page from file:// and the
tests read what it shows, click and type as a user would."""

from __future__ import annotations

import json
import os
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from checker.formats.html import HtmlFormatter
from checker.model import Report
from tests.conftest import ROOT
from tests.documents import run
from tests.formats.browser import CHROMIUM_ARGS, artifact_dir, chromium_path
from tests.formats.html_page import HOSTILE, hostile_report, large_report

pytestmark = pytest.mark.browser

if TYPE_CHECKING:
    from playwright.sync_api import BrowserContext, Page


@dataclass
class Opened:
    """A page loaded from a file, with everything the browser reported while doing so."""

    page: Page
    errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BrowserContext]:
    executable = chromium_path()  # skips (or fails in CI) before playwright is imported
    from playwright.sync_api import sync_playwright

    profile = tmp_path_factory.mktemp("chromium-profile")  # a fresh user-data-dir
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(profile), executable_path=executable, args=CHROMIUM_ARGS, headless=True,
            viewport={"width": 1400, "height": 900})
        try:
            yield context
        finally:
            context.close()


@pytest.fixture
def open_page(browser: BrowserContext) -> Iterator[Any]:
    """Opens a file in a new page; after the test, checks that the page logged no error."""
    pages: list[Opened] = []

    def opener(path: Path) -> Opened:
        page = browser.new_page()
        opened = Opened(page)
        pages.append(opened)
        page.on("console", lambda m: opened.errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: opened.errors.append(str(e)))
        page.on("request", lambda r: opened.requests.append(r.url))
        page.goto(path.resolve().as_uri())
        page.wait_for_selector("body[data-ready]", state="attached", timeout=60_000)
        assert page.evaluate("document.body.dataset.ready") == "true", opened.errors
        return opened

    yield opener
    for opened in pages:
        opened.page.close()
    assert [e for opened in pages for e in opened.errors] == []


@pytest.fixture(scope="module")
def examples(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    """``checker check examples/`` written as JSON and HTML in one run."""
    out = tmp_path_factory.mktemp("examples")
    previous = Path.cwd()
    os.chdir(ROOT)
    try:
        result = run("check", "examples/", "-f", "json", "-o", out / "report.json",
                     "-f", "html", "-o", out / "report.html")
    finally:
        os.chdir(previous)
    assert result.exit_code == 1, result.output
    return out / "report.html", json.loads((out / "report.json").read_text(encoding="utf-8"))


def visible_rows(page: Page, table: str) -> list[dict[str, str]]:
    """Rule, severity and message of each row in one table (rows filtered out are not in the
    page)."""
    rows: list[dict[str, str]] = page.evaluate(
        """(name) => [...document.querySelectorAll(`table[data-name="${name}"] tbody tr`)]
             .map((tr) => ({rule: tr.querySelector(".col-rule strong").textContent,
                            severity: tr.querySelector(".badge").textContent,
                            message: (tr.querySelector(".message")
                                      || tr.querySelector(".col-message")).textContent}))""",
        table)
    return rows


def test_examples_report_shows_every_finding_and_the_json_numbers(
        open_page: Any, examples: tuple[Path, dict[str, Any]]) -> None:
    path, report = examples
    opened = open_page(path)
    page = opened.page
    assert opened.errors == []
    assert {u.split(":", 1)[0] for u in opened.requests} == {"file"}, opened.requests
    summary = report["summary"]
    metrics = dict(page.evaluate("""() => [...document.querySelectorAll('[data-metric]')]
                                    .map((e) => [e.dataset.metric, e.textContent])"""))
    assert metrics["verdict"] == report["verdict"].upper()
    assert metrics["findings.total"] == str(len(report["findings"]))
    for key, counts in (("findings", summary["findings"]), ("states", summary["states"]),
                        ("rules", summary["rules"])):
        for name, count in counts.items():
            assert metrics[f"{key}.{name}"] == str(count), f"{key}.{name}"
    for axis in ("Concern", "Cloud"):
        for key, outcomes in summary[f"by{axis}"].items():
            for outcome, count in outcomes.items():
                assert metrics[f"by{axis}.{key}.{outcome}"] == str(count)
    shown = visible_rows(page, "findings") + visible_rows(page, "suppressed")
    assert Counter((r["rule"], r["severity"], r["message"]) for r in shown) == Counter(
        (f["ruleId"], f["severity"], f["message"]) for f in report["findings"])
    page.screenshot(path=str(artifact_dir() / "html-report.png"), full_page=True)
    (artifact_dir() / "html-report.html").write_bytes(path.read_bytes())


def test_filters_narrow_the_table(open_page: Any, examples: tuple[Path, dict[str, Any]]) -> None:
    path, report = examples
    page = open_page(path).page
    open_findings = [f for f in report["findings"] if f["state"] == "open"]
    total = len(visible_rows(page, "findings"))
    assert total == len(open_findings)

    page.select_option("#filter-severity", "warning")
    warnings = visible_rows(page, "findings")
    assert 0 < len(warnings) < total
    assert len(warnings) == sum(1 for f in open_findings if f["severity"] == "warning")
    assert {r["severity"] for r in warnings} == {"warning"}

    page.select_option("#filter-severity", "")
    page.select_option("#filter-rule", "ACCT-001")
    assert [r["rule"] for r in visible_rows(page, "findings")] == [
        "ACCT-001"] * sum(1 for f in open_findings if f["ruleId"] == "ACCT-001")

    page.select_option("#filter-rule", "")
    page.select_option("#filter-concern", "Credit")
    assert {r["rule"][:4] for r in visible_rows(page, "findings")} == {"CRED"}

    page.select_option("#filter-concern", "")
    document = "examples/21vianet/noncompliant/partner.yaml"
    page.select_option("#filter-file", document)
    assert len(visible_rows(page, "findings")) == sum(
        1 for f in open_findings if f["file"] == document)

    page.select_option("#filter-file", "")
    page.fill("#filter-text", "alpine ski")
    alpine = visible_rows(page, "findings")
    assert alpine and all("Alpine Ski House" in r["message"] for r in alpine)
    assert page.text_content("#findings-shown") == (
        f"Showing {len(alpine)} of {total} open findings; 0 of 0 waived or baseline.")

    page.click("#filter-reset")
    page.wait_for_function("(n) => document.querySelector('#findings-shown').dataset.open == n",
                           arg=total)


def test_sorting_by_a_column_header(open_page: Any, examples: tuple[Path, dict[str, Any]]) -> None:
    page = open_page(examples[0]).page
    ranks = {"error": 3, "warning": 2, "info": 1}
    first = [ranks[r["severity"]] for r in visible_rows(page, "findings")]
    assert first == sorted(first, reverse=True), "errors first by default"

    header = 'table[data-name="findings"] th:has(button:text-is("Rule"))'
    page.click(f"{header} button")
    rules = [r["rule"] for r in visible_rows(page, "findings")]
    assert rules == sorted(rules) and len(set(rules)) > 1
    assert page.get_attribute(header, "aria-sort") == "ascending"
    page.click(f"{header} button")
    assert [r["rule"] for r in visible_rows(page, "findings")] == sorted(rules, reverse=True)
    assert page.get_attribute(header, "aria-sort") == "descending"


def test_keyboard_sorts_and_drills_down_to_a_customer(
        open_page: Any, examples: tuple[Path, dict[str, Any]]) -> None:
    page = open_page(examples[0]).page
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip"
    page.focus('table[data-name="findings"] th button:text-is("Message and fix")')
    page.keyboard.press("Enter")
    messages = [r["message"].lower() for r in visible_rows(page, "findings")]
    assert messages == sorted(messages)

    button = page.locator('table[data-name="customers"] tbody tr').first.locator("button")
    button.focus()
    page.keyboard.press("Enter")
    customer = page.input_value("#filter-text")
    assert customer and page.evaluate("document.activeElement.id") == "filter-text"
    rows = visible_rows(page, "findings")
    first_customer = page.text_content('table[data-name="customers"] tbody tr strong')
    assert rows and all(first_customer in r["message"] for r in rows)


def test_a_deadline_leads_to_its_finding(open_page: Any,
                                         examples: tuple[Path, dict[str, Any]]) -> None:
    page = open_page(examples[0]).page
    page.fill("#filter-text", "no such text")
    link = page.locator('table[data-name="deadlines"] tbody tr').first.locator("a")
    target = link.get_attribute("href")
    assert target and target.startswith("#finding-")
    link.click()
    assert page.evaluate("document.activeElement.id") == target[1:]
    assert page.input_value("#filter-text") == ""


def test_hostile_values_show_as_text(open_page: Any, tmp_path: Path) -> None:
    path = tmp_path / "hostile.html"
    path.write_text(HtmlFormatter().render(hostile_report()), encoding="utf-8")
    opened = open_page(path)
    page = opened.page
    assert opened.errors == []
    assert page.evaluate("window.pwned") is None
    assert page.evaluate("document.querySelectorAll('img, main b').length") == 0
    message = page.text_content('table[data-name="findings"] .message')
    assert message and message.endswith(HOSTILE)
    assert page.text_content('[data-fact="Engine"]') == HOSTILE
    owner = page.text_content('table[data-name="suppressed"] tbody .col-owner')
    assert owner == HOSTILE


def test_ten_thousand_findings_load_and_filter(open_page: Any, tmp_path: Path) -> None:
    path = tmp_path / "large.html"
    path.write_text(HtmlFormatter().render(large_report(10_000)), encoding="utf-8")
    started = time.perf_counter()
    opened = open_page(path)
    seconds = time.perf_counter() - started
    page = opened.page
    assert seconds < 30, f"{seconds:.1f} s to load"
    assert page.get_attribute("#findings-shown", "data-open") == "10000"
    # The first 500 rows are laid out, 500 more at a time on request.
    assert len(visible_rows(page, "findings")) == 500
    page.click('#findings button.more')
    assert len(visible_rows(page, "findings")) == 1000
    page.fill("#filter-text", "customer number 9999 holdings")
    assert [r["message"][:32] for r in visible_rows(page, "findings")] == [
        'customer "Customer number 9999 H']


def test_printing_shows_every_row_and_no_controls(open_page: Any, tmp_path: Path) -> None:
    path = tmp_path / "print.html"
    path.write_text(HtmlFormatter().render(large_report(600)), encoding="utf-8")
    page = open_page(path).page
    rows = "(name) => document.querySelectorAll(`table[data-name=${name}] tbody tr`).length"
    assert (page.evaluate(rows, "findings"), page.evaluate(rows, "customers")) == (500, 25)
    page.emulate_media(media="print")
    count = "([name, n]) => document.querySelectorAll(`table[data-name=${name}] tbody tr`)" \
            ".length === n"
    page.wait_for_function(count, arg=["findings", 600])
    assert page.evaluate(rows, "customers") == 600
    for hidden in ("#filters", "nav", "#findings button.more"):
        assert page.evaluate(f"getComputedStyle(document.querySelector('{hidden}')).display"
                             ) == "none", hidden
    page.emulate_media(media="screen")
    page.wait_for_function(count, arg=["findings", 500])


def test_an_empty_report_says_so(open_page: Any, tmp_path: Path) -> None:
    path = tmp_path / "empty.html"
    path.write_text(HtmlFormatter().render(Report(findings=())), encoding="utf-8")
    page = open_page(path).page
    assert page.text_content('[data-metric="verdict"]') == "PASS"
    assert page.text_content("#findings .empty") == "No open findings."
    assert page.text_content("#customers .empty") == "No customer has an open finding."
