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

from checker.model import RetiredRule, Rule

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
        "applies": list(rule.applies),
        "guidance": {"url": rule.guidance_url, "quote": rule.guidance_quote},
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


def retired_dict(rule: RetiredRule) -> dict[str, Any]:
    """A retired id, JSON-ready: what replaced it and why."""
    return {"id": rule.id, "retired": True, "replaced_by": rule.replaced_by,
            "reason": rule.reason}


def render_json(rules: Iterable[Rule], retired: Iterable[RetiredRule] = ()) -> str:
    """The catalogue as a JSON array, ordered by concern then id, retired ids last."""
    entries = [rule_dict(r) for r in sorted(rules, key=_order)]
    entries += [retired_dict(r) for r in sorted(retired, key=lambda r: r.id)]
    return json.dumps(entries, indent=2, ensure_ascii=False) + "\n"


def _clouds(rule: Rule) -> str:
    return "all" if len(rule.clouds) == 4 else ",".join(rule.clouds)


def _applies(rule: Rule) -> str:
    return ",".join(rule.applies) if rule.applies else "any"


def render_text(rules: Iterable[Rule], retired: Iterable[RetiredRule] = ()) -> str:
    """An aligned table: id, concern, severity, clouds, applicability, title; then retired ids."""
    ordered = sorted(rules, key=_order)
    rows = [("ID", "CONCERN", "SEVERITY", "CLOUDS", "APPLIES", "TITLE")]
    rows += [(r.id, r.concern, r.severity.value, _clouds(r), _applies(r), r.title)
             for r in ordered]
    widths = [max(len(row[i]) for row in rows) for i in range(5)]
    lines = ["  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row[:5])) + "  " + row[5]
             for row in rows]
    gone = sorted(retired, key=lambda r: r.id)
    if gone:
        lines += ["", "RETIRED"]
        lines += [f"{r.id}  retired, replaced by {r.replaced_by}: {r.reason}" for r in gone]
    tail = f", {len(gone)} retired" if gone else ""
    return "\n".join(lines) + f"\n\n{len(ordered)} rules{tail}\n"


def _source(rule: Rule) -> str:
    if not rule.guidance_url:
        return ""
    path = rule.guidance_url.split("#", 1)[0].split("?", 1)[0].rstrip("/")
    label = "/".join(path.split("/")[-2:])
    url = rule.guidance_url.replace("|", "%7C").replace("(", "%28").replace(")", "%29")
    return f"[{label}]({url})"


def render_markdown(rules: Iterable[Rule], retired: Iterable[RetiredRule] = ()) -> str:
    """Markdown tables of the catalogue and of the retired ids, as embedded in the README."""
    lines = ["| id | concern | clouds | applies to | severity | title | source |",
             "|---|---|---|---|---|---|---|"]
    for r in sorted(rules, key=_order):
        title = r.title.replace("|", "\\|")
        lines.append(f"| {r.id} | {r.concern} | {_clouds(r)} | {_applies(r)} | "
                     f"{r.severity.value} | {title} | {_source(r)} |")
    gone = sorted(retired, key=lambda r: r.id)
    if gone:
        lines += ["", "| retired id | replaced by | why |", "|---|---|---|"]
        lines += [f"| {r.id} | {r.replaced_by} | {r.reason.replace('|', chr(92) + '|')} |"
                  for r in gone]
    return "\n".join(lines) + "\n"


def explain(rule: Rule) -> str:
    """Everything an analyst needs about one rule, as readable text."""
    wrap = textwrap.TextWrapper(width=88, initial_indent="  ", subsequent_indent="  ",
                                break_on_hyphens=False)
    out = [f"{rule.id}: {rule.title}", ""]
    out.append(f"  concern: {rule.concern}   severity: {rule.severity.value}   "
               f"clouds: {', '.join(rule.clouds)}   evaluates: {rule.target}")
    if rule.applies:
        out.append(f"  applies to: {', '.join(rule.applies)} only")
    origin = f"defined in: {rule.module}:{rule.line}" if rule.module else "built into checker"
    out.append(f"  {origin}")
    if rule.guidance_quote:
        out += ["", "Guidance:", wrap.fill(f'"{rule.guidance_quote}"')]
        if rule.guidance_url:
            out.append(f"  source: {rule.guidance_url}")
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


def explain_retired(rule: RetiredRule) -> str:
    """What an analyst needs about a retired id: that it is gone and what replaced it."""
    wrap = textwrap.TextWrapper(width=88, initial_indent="  ", subsequent_indent="  ",
                                break_on_hyphens=False)
    return "\n".join([f"{rule.id}: retired, replaced by {rule.replaced_by}", "",
                      wrap.fill(rule.reason), "",
                      f"  `checker explain {rule.replaced_by}` shows the rule that reports "
                      f"it now."]) + "\n"
