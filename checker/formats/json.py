"""Machine-readable report, described by ``schemas/report.schema.json``."""

from __future__ import annotations

import json
from typing import Any

from checker import __version__
from checker.model import DocumentInfo, FindingState, Report, Severity, Status

# 1.1 added fingerprint, state, note, customer and subscription to findings, summary.states,
# summary.resolved and the top-level resolved array, and summary.byRule/byConcern/byCloud.
# 1.2 added the top-level rules array (each rule's applicability and guidance link),
# subscriptions (per kind) to evaluated snapshot documents, failOn "never" and the "info"
# outcome (info rules had been counted as warning).
REPORT_VERSION = "1.2"
REPORT_SCHEMA_ID = "https://github.com/csp-checker/checker/blob/main/schemas/report.schema.json"


def _document(d: DocumentInfo) -> dict[str, Any]:
    entry: dict[str, Any] = {"file": d.file, "kind": d.kind, "partnerId": d.partner_id,
                             "cloud": d.cloud, "asOf": d.as_of}
    if d.subscriptions:
        entry["subscriptions"] = dict(d.subscriptions)
    return entry


def report_dict(report: Report) -> dict[str, Any]:
    """The report as plain JSON-ready data (also the base of other machine formats)."""
    return {
        "$schema": REPORT_SCHEMA_ID,
        "reportVersion": REPORT_VERSION,
        "tool": {"name": "checker", "version": __version__, "engine": report.engine},
        "failOn": report.fail_on_label,
        "verdict": "fail" if report.failing else "pass",
        "exitCode": int(report.exit_code),
        "summary": {
            "documents": len(report.documents),
            "skipped": len(report.skipped),
            "findings": {s.value: report.count(s) for s in Severity},
            "rules": {s.value: report.count_status(s) for s in Status},
            "states": {s.value: report.count_state(s) for s in FindingState},
            "resolved": len(report.resolved),
            **{f"by{axis.capitalize()}": counts for axis, counts in report.breakdown().items()},
        },
        "documents": [_document(d) for d in report.documents],
        "findings": [
            {
                "ruleId": f.rule_id,
                "title": f.title,
                "severity": f.severity.value,
                "message": f.message,
                "file": f.location.file,
                "pointer": f.location.pointer,
                "line": f.location.line,
                "column": f.location.column,
                "remediation": f.remediation,
                "fingerprint": f.fingerprint,
                "state": f.state.value,
                "note": f.note,
                "customer": f.customer,
                "subscription": f.subscription,
            }
            for f in report.findings
        ],
        "results": [
            {"ruleId": r.rule_id, "file": r.file, "status": r.status.value, "reason": r.reason}
            for r in report.results
        ],
        "rules": [
            {"id": r.id, "title": r.title, "severity": r.severity.value, "concern": r.concern,
             "clouds": list(r.clouds), "applies": list(r.applies),
             "guidance": {"url": r.guidance_url, "quote": r.guidance_quote}}
            for r in sorted(report.rules, key=lambda r: r.id)
        ],
        "skipped": list(report.skipped),
        "resolved": [
            {"ruleId": r.rule_id, "file": r.file, "fingerprint": r.fingerprint,
             "message": r.message}
            for r in report.resolved
        ],
    }


class JsonFormatter:
    """Stable, sorted JSON; byte-identical for the same inputs."""

    def render(self, report: Report) -> str:
        """Render the report as indented JSON."""
        return json.dumps(report_dict(report), indent=2, ensure_ascii=False) + "\n"
