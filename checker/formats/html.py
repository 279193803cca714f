"""One self-contained HTML page for auditors and risk analysts.

The page needs nothing but itself: styles and script are inline (allowed by a
Content-Security-Policy that lists their hashes and forbids every fetch), so it works from
``file://`` and can be mailed or archived as it is. The header, counts, charts (inline SVG)
and rule outcomes are plain HTML; the customer roll-up, the deadlines and the findings
tables are built by the script from the report's data, embedded as JSON (deflated and base64
encoded when large, so that 10,000 findings stay under 2 MB) and shown as text nodes,
never parsed as markup. Every value from the inputs that appears in the
HTML itself goes through ``esc``.

The customer roll-up and the deadlines are derived from the findings: the customer and
subscription they are about, the as-of date they were judged at, and what their messages
state (days past due, hours since a fraud alert...). ``DEADLINES`` says, per rule, what the
partner must do and how the date follows from the message; a rule not listed there whose
message says "by", "before" or "until" a date also gets a deadline, so new rules can plug in
without changing this file.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import html
import json
import re
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from checker import __version__
from checker.model import Finding, FindingState, Report, Rule, Severity, Status

# Data above this size (UTF-8 JSON) is deflated: the bench's 10,000 findings are 6.9 MB of
# JSON, 0.9 MB deflated (1.2 MB in base64); below it the data stays readable in the page.
COMPRESS_ABOVE = 256 * 1024

CONCERNS = {
    "collections": "Collections",
    "controls": "Risk controls",
    "credit": "Credit",
    "accounts": "Account state",
    "input": "Inputs",
}
SEVERITIES = (Severity.ERROR, Severity.WARNING, Severity.INFO)

_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_CUSTOMER_NAME = re.compile(r'customer "((?:[^"\\]|\\.)*)"')
# "is N days past due" is now; "was N days past due" (CRED-007) is history.
_DAYS_PAST_DUE = re.compile(r"\bis (\d+) days past due\b")
_AMOUNT_PAST_DUE = re.compile(r"\b(\d+(?:\.\d+)?) ([A-Z]{3}) (?:past due|overdue)\b")
# The note waivers.Waiver.note writes on a waived finding.
_WAIVER_NOTE = re.compile(r"waived by (?P<ticket>.*?) until (?P<expires>\d{4}-\d{2}-\d{2}) "
                          r"\((?P<owner>.*?), (?P<approver>.*?)\): (?P<reason>.*)", re.DOTALL)
_DATE_TIME = r"\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:\d{2})?)?"
_GENERIC_DEADLINE = re.compile(rf"\b(?:by|before|until)(?: on)? (?P<due>{_DATE_TIME})")


def esc(value: object) -> str:
    """``value`` as HTML text or attribute value: markup escaped, control characters gone."""
    return html.escape(_CONTROL.sub("", str(value)), quote=True)


def parse_time(text: str) -> dt.datetime | None:
    """An RFC 3339 date or date-time as UTC (no offset: UTC); ``None`` when it is not one."""
    match = re.fullmatch(r"(\d{4}-\d{2}-\d{2})(?:T(\d{2}:\d{2}(?::\d{2})?)(\.\d+)?"
                         r"(Z|[+-]\d{2}:\d{2})?)?", text.strip())
    if not match:
        return None
    day, clock, fraction, zone = match.groups()
    # Partner Center writes up to 7 fractional digits; Python reads at most 6.
    text = f"{day}T{clock or '00:00'}{(fraction or '')[:7]}{'' if zone in (None, 'Z') else zone}"
    try:
        parsed = dt.datetime.fromisoformat(text)
    except ValueError:
        return None
    return (parsed.replace(tzinfo=dt.UTC) if parsed.tzinfo is None
            else parsed.astimezone(dt.UTC))


def _iso(moment: dt.datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


# -- deadlines ---------------------------------------------------------------------------

DueFunction = Callable[[dict[str, str], dt.datetime], dt.datetime | None]


@dataclass(frozen=True)
class DeadlineRule:
    """What a rule's finding asks the partner to do, and how its date follows from it.

    ``due`` gets the named groups of ``pattern`` matched on the message, and the as-of
    time the finding was judged at.
    """

    kind: str
    action: str
    pattern: re.Pattern[str]
    due: DueFunction


def _days(groups: dict[str, str], key: str) -> dt.timedelta:
    return dt.timedelta(days=int(groups[key]))


def _at(groups: dict[str, str], key: str) -> dt.datetime | None:
    return parse_time(groups[key])


def _after(key: str, delta: Callable[[dict[str, str]], dt.timedelta]) -> DueFunction:
    def due(groups: dict[str, str], _as_of: dt.datetime) -> dt.datetime | None:
        start = _at(groups, key)
        return start + delta(groups) if start else None
    return due


def _now(_groups: dict[str, str], as_of: dt.datetime) -> dt.datetime:
    return as_of


# Partner Center suspends a partner's account whose own bill is more than 60 days overdue.
_PARTNER_SUSPENSION_DAYS = 60
# Microsoft: mitigating a fraud alert within 24 hours significantly limits the loss.
_FRAUD_MITIGATION = dt.timedelta(hours=24)

DEADLINES: dict[str, DeadlineRule] = {
    "ACCT-001": DeadlineRule(
        "Access impact", "Impact access to the customer's subscriptions as the collections "
        "policy says",
        re.compile(r"is (?P<days>\d+) days past due \(access is impacted at (?P<limit>\d+) days"),
        lambda g, as_of: as_of - _days(g, "days") + _days(g, "limit")),
    "ACCT-003": DeadlineRule(
        "Data deletion", "Cancel or restore the suspended subscription before its data is "
        "deleted",
        re.compile(r"for (?P<days>\d+) days .*data is deleted (?P<window>\d+) days after"),
        lambda g, as_of: as_of - _days(g, "days") + _days(g, "window")),
    "ACCT-004": DeadlineRule(
        "Fraud response", "Respond to the fraud alert (investigate, then resolve it)",
        re.compile(r"after (?P<since>\S+) \(response time (?P<minutes>\d+) minutes\)"),
        _after("since", lambda g: dt.timedelta(minutes=int(g["minutes"])))),
    "ACCT-005": DeadlineRule(
        "Fraud suspension", "Suspend the subscription while the fraud is investigated",
        re.compile(""), _now),
    "ACCT-006": DeadlineRule(
        "Service request", "File a service request about the fraud with the cloud's operator",
        re.compile(r"eventTime (?P<since>" + _DATE_TIME + ")"),
        _after("since", lambda _g: _FRAUD_MITIGATION)),
    "ACCT-014": DeadlineRule(
        "Cancellation window", "Cancel the new-commerce subscription while a refund still "
        "cuts the bill",
        re.compile(r"cancellation window closes at (?P<due>" + _DATE_TIME + ")"),
        lambda g, _as_of: _at(g, "due")),
    "ACCT-010": DeadlineRule(
        "Partner invoice", "Pay the invoice before Partner Center suspends the partner account",
        re.compile(r"is (?P<days>\d+) days past due \(net"),
        lambda g, as_of: (as_of - _days(g, "days")
                          + dt.timedelta(days=_PARTNER_SUSPENSION_DAYS))),
}
DEADLINES["ACCT-011"] = DEADLINES["ACCT-010"]


@dataclass(frozen=True)
class Deadline:
    """Something the partner must do by a date; ``days`` from the as-of (negative: late)."""

    due: str
    days: int
    kind: str
    action: str
    finding: int


def _deadline(index: int, finding: Finding, rule: Rule | None,
              as_of: dt.datetime | None) -> Deadline | None:
    if as_of is None:
        return None
    spec = DEADLINES.get(finding.rule_id)
    due: dt.datetime | None = None
    if spec is not None:
        match = spec.pattern.search(finding.message)
        due = spec.due(match.groupdict(), as_of) if match else None
        kind, action = spec.kind, spec.action
    else:
        match = _GENERIC_DEADLINE.search(finding.message)
        due = parse_time(match["due"]) if match else None
        kind = CONCERNS.get(rule.concern, rule.concern) if rule else finding.rule_id
        action = (rule.remediation if rule else "") or finding.remediation or finding.title
    if due is None:
        return None
    days = (due.date() - as_of.date()).days
    return Deadline(_iso(due), days, kind, action, index)


# -- customers ---------------------------------------------------------------------------

@dataclass(frozen=True)
class CustomerRisk:
    """The open findings about one customer of one snapshot, summed up."""

    file: str
    customer: str
    name: str
    worst: Severity
    counts: tuple[int, int, int]
    days_past_due: int
    amount_past_due: str
    rules: tuple[str, ...]

    @property
    def rank_key(self) -> tuple[int, float, int, int, str, str, str]:
        """Worst open finding first, then the most past due, then the most findings."""
        amount = float(self.amount_past_due.split()[0]) if self.amount_past_due else 0.0
        return (-self.worst.rank, -amount, -self.days_past_due, -sum(self.counts),
                self.name.casefold(), self.file, self.customer)


def ordered(findings: Iterable[Finding]) -> list[Finding]:
    """Findings in the report's order, whatever order they were given in."""
    return sorted(findings, key=lambda f: (*f.sort_key, f.fingerprint, f.state.value,
                                           f.customer, f.subscription, f.note))


def _customer_name(message: str) -> str:
    match = _CUSTOMER_NAME.search(message)
    return re.sub(r"\\(.)", r"\1", match[1]) if match else ""


def customer_risks(report: Report) -> list[CustomerRisk]:
    """Customers with open findings, ranked by worst finding, then amount and days past due."""
    grouped: dict[tuple[str, str], list[Finding]] = {}
    for finding in ordered(report.findings):
        if finding.customer and finding.state is FindingState.OPEN:
            grouped.setdefault((finding.location.file, finding.customer), []).append(finding)
    risks = []
    for (file, customer), findings in grouped.items():
        messages = [f.message for f in findings]
        name = next((n for n in map(_customer_name, messages) if n), customer)
        days = [int(m[1]) for msg in messages for m in _DAYS_PAST_DUE.finditer(msg)]
        amounts = [(float(m[1]), m[2]) for msg in messages
                   for m in _AMOUNT_PAST_DUE.finditer(msg)]
        amount = max(amounts, default=None)
        errors, warnings, infos = (sum(1 for f in findings if f.severity is s)
                                   for s in SEVERITIES)
        risks.append(CustomerRisk(
            file, customer, name, max((f.severity for f in findings), key=lambda s: s.rank),
            (errors, warnings, infos), max(days, default=0),
            f"{amount[0]:.2f} {amount[1]}" if amount else "",
            tuple(sorted({f.rule_id for f in findings}))))
    return sorted(risks, key=lambda r: r.rank_key)


# -- data for the script -------------------------------------------------------------------

def _guidance_url(rule: Rule | None) -> str:
    # Rules gain a Microsoft Learn link in the catalogue; only web links become links.
    url = str(getattr(rule, "guidance_url", "") or "")
    return url if re.match(r"https?://[^\s\"'<>]+$", url) else ""


def _waiver(finding: Finding) -> dict[str, str]:
    if finding.state is FindingState.WAIVED:
        match = _WAIVER_NOTE.fullmatch(finding.note)
        if match:
            return match.groupdict()
    return {"ticket": "", "expires": "", "owner": "", "approver": "", "reason": finding.note}


def report_data(report: Report) -> dict[str, Any]:
    """What the page's script shows: rules, findings, customers and deadlines."""
    rules = {r.id: r for r in report.rules}
    judged = dict(report.judged_at)
    as_of = {d.file: judged.get(d.file) or d.as_of for d in report.documents}
    findings: list[dict[str, Any]] = []
    deadlines: list[Deadline] = []
    for index, f in enumerate(ordered(report.findings)):
        rule = rules.get(f.rule_id)
        item: dict[str, Any] = {
            "rule": f.rule_id, "severity": f.severity.value, "state": f.state.value,
            "file": f.location.file, "line": f.location.line, "column": f.location.column,
            "pointer": f.location.pointer, "message": f.message, "customer": f.customer,
            "subscription": f.subscription,
        }
        # Title and fix are the rule's in nearly every finding: kept once, in the rule.
        if rule is None or f.title != rule.title:
            item["title"] = f.title
        if rule is None or f.remediation != rule.remediation:
            item["remediation"] = f.remediation
        if f.state is not FindingState.OPEN:
            item["waiver"] = _waiver(f)
        findings.append(item)
        if f.state is FindingState.OPEN:
            deadline = _deadline(index, f, rule, parse_time(as_of.get(f.location.file, "")))
            if deadline:
                deadlines.append(deadline)
    deadlines.sort(key=lambda d: (d.due, d.finding))
    return {
        "rules": {r.id: {"title": r.title, "severity": r.severity.value,
                         "concern": r.concern, "remediation": r.remediation,
                         "guidanceUrl": _guidance_url(r), "guidance": r.guidance_quote}
                  for r in sorted(report.rules, key=lambda r: r.id)},
        "concerns": CONCERNS,
        "findings": findings,
        "customers": [
            {"file": c.file, "customer": c.customer, "name": c.name, "worst": c.worst.value,
             "error": c.counts[0], "warning": c.counts[1], "info": c.counts[2],
             "daysPastDue": c.days_past_due, "amountPastDue": c.amount_past_due,
             "rules": list(c.rules)}
            for c in customer_risks(report)
        ],
        "deadlines": [
            {"due": d.due, "days": d.days, "kind": d.kind, "action": d.action,
             "finding": d.finding}
            for d in deadlines
        ],
    }


def embed_json(data: Any) -> tuple[str, str]:
    """``data`` as the text of a ``<script type="application/json">`` and its encoding.

    ``<``, ``>`` and ``&`` are written as JSON escapes, so no value can close the element;
    large data is deflated and base64 encoded (which leaves nothing to escape).
    """
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    raw = text.encode("utf-8")
    if len(raw) > COMPRESS_ABOVE:
        return base64.b64encode(zlib.compress(raw, 9)).decode("ascii"), "deflate-base64"
    for char, escape in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"),
                         ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        text = text.replace(char, escape)
    return text, "json"


# -- the page ------------------------------------------------------------------------------

@cache
def _asset(name: str) -> str:
    text = resources.files("checker.formats").joinpath("assets", name).read_text("utf-8")
    assert "</" not in text, f"{name} must not contain '</'"  # it is inlined
    return text


def _csp_hash(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def _distinct(values: Iterable[str]) -> list[str]:
    return sorted({v for v in values if v})


def _header(report: Report) -> str:
    failing = bool(report.failing)
    verdict = "FAIL" if failing else "PASS"
    partners = sorted({(d.partner_id, d.partner_name) for d in report.documents
                       if d.partner_id and d.kind == "PartnerConfiguration"}
                      or {(d.partner_id, "") for d in report.documents if d.partner_id})
    partner_text = ", ".join(f"{name} ({pid})" if name and name != pid else pid
                             for pid, name in partners) or "—"
    clouds = ", ".join(_distinct(d.cloud for d in report.documents)) or "—"
    judged = _distinct(t for _, t in report.judged_at) or _distinct(
        d.as_of for d in report.documents)
    as_of = ", ".join(judged) or "—"
    if report.fail_on is None:
        lede = "A report-only run (--fail-on never): no finding fails it."
    elif failing:
        lede = (f"{_plural(len(report.failing), 'open finding')} at or above "
                f"{report.fail_on_label} fail the run.")
    else:
        lede = f"No open finding at or above {report.fail_on_label}: the run passes."
    policies = (f"{report.policy_version} ({_plural(len(report.rules), 'rule')})"
                if report.policy_version else _plural(len(report.rules), "rule"))
    facts = [("Partner", partner_text), ("Cloud", clouds), ("Audit date (as-of)", as_of),
             ("checker", __version__), ("Engine", report.engine or "—"),
             ("Policies", policies), ("Fails on", report.fail_on_label)]
    items = "".join(f'<div class="fact-{esc(k.split()[0].lower())}"><dt>{esc(k)}</dt>'
                    f'<dd data-fact="{esc(k)}">{esc(v)}</dd></div>' for k, v in facts)
    return (f'<header class="masthead"><div class="masthead-top">'
            f'<p class="verdict verdict-{verdict.lower()}" data-metric="verdict">{verdict}</p>'
            f'<div><h1>CSP non-payment, fraud and misuse: compliance report</h1>'
            f'<p class="lede">{esc(lede)}</p></div></div>'
            f'<dl class="facts">{items}</dl></header>')


def _card(label: str, value: int, metric: str, tone: str = "") -> str:
    cls = f"card card-{tone}" if tone else "card"
    return (f'<div class="{cls}"><span class="card-value" data-metric="{metric}">{value}</span>'
            f'<span class="card-label">{esc(label)}</span></div>')


def _cards(report: Report) -> str:
    groups = [
        ("Findings", [_card("all", len(report.findings), "findings.total")]
         + [_card(s.value, report.count(s), f"findings.{s.value}", s.value)
            for s in SEVERITIES]),
        ("By state", [_card(s.value, report.count_state(s), f"states.{s.value}")
                      for s in FindingState]),
        ("Rule outcomes", [_card(label, report.count_status(s), f"rules.{s.value}")
                           for label, s in (("passed", Status.PASS), ("failed", Status.FAIL),
                                            ("not applicable", Status.NOT_APPLICABLE))]),
        ("Inputs", [_card("documents", len(report.documents), "documents"),
                    _card("skipped", len(report.skipped), "skipped"),
                    _card("resolved", len(report.resolved), "resolved")]),
    ]
    return '<div class="card-groups">' + "".join(
        f'<div class="card-group"><h3>{esc(title)}</h3><div class="cards">{"".join(cards)}'
        "</div></div>" for title, cards in groups) + "</div>"


def _bar_chart(title: str, rows: list[tuple[str, dict[str, int]]], chart_id: str) -> str:
    """Horizontal bars, one per row, stacked by severity; counts written beside them."""
    label_width, bar_width, row_height = 150, 400, 30
    height = 34 + row_height * max(1, len(rows))
    biggest = max((sum(c.values()) for _, c in rows), default=0) or 1
    parts = [f'<svg class="chart" id="{chart_id}" role="img" viewBox="0 0 640 {height}" '
             f'aria-labelledby="{chart_id}-t"><title id="{chart_id}-t">{esc(title)}</title>']
    for i, (label, counts) in enumerate(rows):
        y = 10 + i * row_height
        parts.append(f'<text class="chart-label" x="{label_width - 10}" y="{y + 15}" '
                     f'text-anchor="end">{esc(label)}</text>')
        x = float(label_width)
        for severity in SEVERITIES:
            count = counts.get(severity.value, 0)
            if not count:
                continue
            width = bar_width * count / biggest
            parts.append(f'<rect class="bar bar-{severity.value}" x="{x:.1f}" y="{y}" '
                         f'width="{width:.1f}" height="20"><title>{esc(label)}: '
                         f'{_plural(count, severity.value)}</title></rect>')
            x += width
        total = sum(counts.values())
        parts.append(f'<text class="chart-count" x="{x + 8:.1f}" y="{y + 15}">{total}</text>')
    if not rows:
        parts.append(f'<text class="chart-label" x="{label_width}" y="25">no open findings'
                     '</text>')
    legend_y = height - 10
    for j, severity in enumerate(SEVERITIES):
        x = label_width + j * 110
        parts.append(f'<rect class="bar bar-{severity.value}" x="{x}" y="{legend_y - 10}" '
                     f'width="12" height="12"/><text class="chart-legend" x="{x + 18}" '
                     f'y="{legend_y}">{severity.value}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _open_counts(report: Report, axis: Callable[[Finding], str]) -> dict[str, dict[str, int]]:
    counts: dict[str, dict[str, int]] = {}
    for f in report.findings:
        if f.state is FindingState.OPEN:
            bucket = counts.setdefault(axis(f), {s.value: 0 for s in SEVERITIES})
            bucket[f.severity.value] += 1
    return counts


def _concern_order(concern: str) -> tuple[int, str]:
    order = list(CONCERNS)
    return (order.index(concern) if concern in order else len(order), concern)


def _outcome_table(caption: str, counts: dict[str, dict[str, int]], label: Callable[[str], str],
                   axis: str) -> str:
    outcomes = ("pass", "fail", "warning", "info", "not-applicable")
    head = "".join(f'<th scope="col" class="num">{o}</th>' for o in outcomes)
    body = "".join(
        f'<tr><th scope="row">{esc(label(key))}</th>'
        + "".join(f'<td class="num" data-metric="by{axis}.{esc(key)}.{o}">{values[o]}</td>'
                  for o in outcomes) + "</tr>"
        for key, values in counts.items())
    return (f'<table class="outcomes"><caption>{esc(caption)}</caption><thead><tr>'
            f'<th scope="col">{esc(axis.lower())}</th>{head}</tr></thead><tbody>{body}</tbody>'
            "</table>")


def _summary(report: Report) -> str:
    concern = {r.id: r.concern for r in report.rules}
    cloud = {d.file: d.cloud for d in report.documents}
    by_concern = _open_counts(report, lambda f: concern.get(f.rule_id) or "other")
    # The four concerns of the guidance always show, so that a zero is visible.
    concerns = {"collections", "controls", "credit", "accounts", *by_concern}
    concern_rows = [(CONCERNS.get(k, k), by_concern.get(k, {}))
                    for k in sorted(concerns, key=_concern_order)]
    charts = [("Open findings by concern", _bar_chart(
        "Open findings by concern and severity", concern_rows, "chart-concern"))]
    breakdown = report.breakdown()
    tables = [_outcome_table("Rule outcomes by concern", dict(sorted(
        breakdown["concern"].items(), key=lambda kv: _concern_order(kv[0]))),
        lambda k: CONCERNS.get(k, k), "Concern")]
    clouds = _distinct(d.cloud for d in report.documents)
    if len(clouds) > 1:
        by_cloud = _open_counts(report, lambda f: cloud.get(f.location.file) or "unknown")
        cloud_rows = [(k, by_cloud.get(k, {})) for k in sorted({*clouds, *by_cloud})]
        charts.append(("Open findings by cloud", _bar_chart(
            "Open findings by cloud and severity", cloud_rows, "chart-cloud")))
        tables.append(_outcome_table("Rule outcomes by cloud", breakdown["cloud"],
                                     lambda k: k, "Cloud"))
    figures = "".join(f'<figure class="figure"><figcaption>{esc(caption)}</figcaption>{chart}'
                      "</figure>" for caption, chart in charts)
    return ('<section id="summary" aria-labelledby="summary-h"><h2 id="summary-h">Summary</h2>'
            f'{_cards(report)}<div class="figures">{figures}</div>'
            f'<div class="tables">{"".join(tables)}</div></section>')


def _documents(report: Report) -> str:
    rows = "".join(
        f"<tr><td><code>{esc(d.file)}</code></td><td>{esc(d.kind)}</td>"
        f"<td>{esc(d.partner_id)}</td><td>{esc(d.cloud)}</td><td>{esc(d.as_of)}</td></tr>"
        for d in sorted(report.documents, key=lambda d: (d.file, d.kind)))
    parts = ['<section id="documents" aria-labelledby="documents-h">'
             '<h2 id="documents-h">Documents</h2>'
             '<div class="scroll"><table class="plain"><thead><tr><th scope="col">file</th>'
             '<th scope="col">kind</th><th scope="col">partner</th><th scope="col">cloud</th>'
             f'<th scope="col">judged as of</th></tr></thead><tbody>{rows}</tbody></table>'
             "</div>"]
    if report.skipped:
        items = "".join(f"<li><code>{esc(s)}</code></li>" for s in report.skipped)
        parts.append(f"<h3>Skipped (not checker documents)</h3><ul>{items}</ul>")
    if report.resolved:
        items = "".join(f"<li><strong>{esc(r.rule_id)}</strong> <code>{esc(r.file)}</code>: "
                        f"{esc(r.message)}</li>" for r in report.resolved)
        parts.append(f"<h3>Resolved since the baseline</h3><ul>{items}</ul>")
    parts.append("</section>")
    return "".join(parts)


_SECTIONS = """\
<section id="customers" aria-labelledby="customers-h"><h2 id="customers-h">Customer risk</h2>
<p class="note">Customers with open findings, worst finding first, then by amount and days \
past due as the findings state them.</p><div class="table-slot" data-table="customers"></div>
</section>
<section id="deadlines" aria-labelledby="deadlines-h"><h2 id="deadlines-h">Deadlines</h2>
<p class="note">What the open findings ask the partner to do, by when (UTC), earliest first; \
days are counted from the date each document was judged as of.</p>
<div class="table-slot" data-table="deadlines"></div></section>
<section id="findings" aria-labelledby="findings-h"><h2 id="findings-h">Findings</h2>
<form class="filters" id="filters" role="search" aria-label="Filter findings">
<label>Severity <select id="filter-severity"><option value="">all</option></select></label>
<label>Rule <select id="filter-rule"><option value="">all</option></select></label>
<label>Concern <select id="filter-concern"><option value="">all</option></select></label>
<label>Document <select id="filter-file"><option value="">all</option></select></label>
<label class="grow">Text <input id="filter-text" type="search" placeholder="message, \
customer, pointer…"></label>
<button type="reset" id="filter-reset">Clear</button></form>
<p class="shown" id="findings-shown" aria-live="polite"></p>
<div class="table-slot" data-table="findings"></div></section>
<section id="suppressed" aria-labelledby="suppressed-h">
<h2 id="suppressed-h">Waived and baseline findings</h2>
<p class="note">Reported, but they do not fail the run.</p>
<div class="table-slot" data-table="suppressed"></div></section>
"""

_NAV = ("<nav aria-label=\"Sections\"><ul>"
        + "".join(f'<li><a href="#{anchor}">{label}</a></li>' for anchor, label in (
            ("summary", "Summary"), ("customers", "Customer risk"), ("deadlines", "Deadlines"),
            ("findings", "Findings"), ("suppressed", "Waived and baseline"),
            ("documents", "Documents")))
        + "</ul></nav>")


class HtmlFormatter:
    """A self-contained, deterministic HTML page: no network, inline styles and script."""

    def render(self, report: Report) -> str:
        """Render the whole page."""
        style, script = _asset("report.css"), _asset("report.js")
        data, encoding = embed_json(report_data(report))
        csp = (f"default-src 'none'; style-src {_csp_hash(style)}; "
               f"script-src {_csp_hash(script)}; img-src data:; base-uri 'none'; "
               "form-action 'none'")
        verdict = "FAIL" if report.failing else "PASS"
        partners = ", ".join(_distinct(d.partner_id for d in report.documents))
        title = f"checker {verdict}" + (f": {partners}" if partners else "")
        return (
            "<!DOCTYPE html>\n"
            '<html lang="en"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f'<meta http-equiv="Content-Security-Policy" content="{csp}">'
            f'<meta name="generator" content="checker {esc(__version__)}">'
            f"<title>{esc(title)}</title><style>{style}</style></head>\n"
            '<body><a class="skip" href="#findings">Skip to the findings</a>\n'
            f"{_header(report)}\n{_NAV}\n<main>\n{_summary(report)}\n"
            '<noscript><p class="noscript">The customer, deadline and findings tables need '
            "JavaScript; the JSON report holds the same findings.</p></noscript>\n"
            f"{_SECTIONS}{_documents(report)}\n</main>\n"
            f'<footer>checker {esc(__version__)} · {esc(report.engine or "no engine")} · '
            "the same inputs give the same page</footer>\n"
            f'<script type="application/json" id="report-data" data-encoding="{encoding}">'
            f"{data}</script>\n<script>{script}</script>\n</body></html>\n"
        )
