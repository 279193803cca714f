"""Present the rule catalogue: a table, JSON, Markdown (for the README) and explanations.

Everything here reads the ``Rule`` values parsed from the policies' METADATA blocks, the
single source of truth; nothing is written twice.
"""

from __future__ import annotations

import json
import textwrap
from collections.abc import Iterable
from typing import Any

import yaml

from checker.model import Rule

CONCERN_ORDER = ("collections", "controls", "credit", "accounts")


def _order(rule: Rule) -> tuple[int, str]:
    concern = CONCERN_ORDER.index(rule.concern) if rule.concern in CONCERN_ORDER else 99
    return concern, rule.id


def rule_dict(rule: Rule) -> dict[str, Any]:
    """Every field of a rule, JSON-ready."""
    return {
        "id": rule.id,
        "title": rule.title,
        "concern": rule.concern,
        "severity": rule.severity.value,
        "clouds": list(rule.clouds),
        "evaluates": rule.target,
        "guidance": {"seed": rule.guidance_seed, "quote": rule.guidance_quote},
        "rationale": rule.description,
        "remediation": rule.remediation,
        "parameters": [
            {"name": p.name, "default": p.default, "description": p.description}
            for p in rule.parameters
        ],
        "examples": rule.examples,
        "module": rule.module,
        "builtin": rule.builtin,
    }


def render_json(rules: Iterable[Rule]) -> str:
    """The catalogue as a JSON array, ordered by concern then id."""
    return json.dumps([rule_dict(r) for r in sorted(rules, key=_order)], indent=2,
                      ensure_ascii=False) + "\n"


def _clouds(rule: Rule) -> str:
    return "all" if len(rule.clouds) == 4 else ",".join(rule.clouds)


def render_text(rules: Iterable[Rule]) -> str:
    """An aligned table: id, concern, severity, clouds, title."""
    ordered = sorted(rules, key=_order)
    rows = [("ID", "CONCERN", "SEVERITY", "CLOUDS", "TITLE")]
    rows += [(r.id, r.concern, r.severity.value, _clouds(r), r.title) for r in ordered]
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    lines = ["  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row[:4])) + "  " + row[4]
             for row in rows]
    return "\n".join(lines) + f"\n\n{len(ordered)} rules\n"


def render_markdown(rules: Iterable[Rule]) -> str:
    """A Markdown table of the catalogue, as embedded in the README."""
    lines = ["| id | concern | severity | clouds | title |", "|---|---|---|---|---|"]
    for r in sorted(rules, key=_order):
        title = r.title.replace("|", "\\|")
        lines.append(f"| {r.id} | {r.concern} | {r.severity.value} | {_clouds(r)} | {title} |")
    return "\n".join(lines) + "\n"


def explain(rule: Rule) -> str:
    """Everything an analyst needs about one rule, as readable text."""
    wrap = textwrap.TextWrapper(width=88, initial_indent="  ", subsequent_indent="  ",
                                break_on_hyphens=False)
    out = [f"{rule.id}: {rule.title}", ""]
    out.append(f"  concern: {rule.concern}   severity: {rule.severity.value}   "
               f"clouds: {', '.join(rule.clouds)}   evaluates: {rule.target}")
    origin = f"defined in: {rule.module}:{rule.line}" if rule.module else "built into checker"
    out.append(f"  {origin}")
    if rule.guidance_quote:
        out += ["", f"Guidance ({rule.guidance_seed}):", wrap.fill(f'"{rule.guidance_quote}"')]
    if rule.description:
        out += ["", "Rationale:", wrap.fill(rule.description)]
    if rule.parameters:
        out += ["", "Parameters:"]
        for p in rule.parameters:
            out.append(f"  {p.name} (default: {json.dumps(p.default)})")
            if p.description:
                out.append(textwrap.fill(p.description, width=88, initial_indent="      ",
                                         subsequent_indent="      ", break_on_hyphens=False))
    if rule.remediation:
        out += ["", "Remediation:", wrap.fill(rule.remediation)]
    for label, key in (("fails", "fails"), ("passes", "passes")):
        example = rule.examples.get(key) if isinstance(rule.examples, dict) else None
        if example:
            dumped = yaml.safe_dump(example, sort_keys=False, default_flow_style=False)
            out += ["", f"Example that {label}:", textwrap.indent(dumped.rstrip(), "  ")]
    return "\n".join(out) + "\n"
