"""Policy modules and the rule catalogue read from their METADATA blocks.

Each rule's id, title, severity, remediation and guidance live in one place: the OPA
METADATA comment above the rule. Both engines ignore comments, so the catalogue is read
here, in Python, and works the same whichever engine evaluates (regorus has no
``rego.metadata``).
"""

from __future__ import annotations

import difflib
import fnmatch
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from checker.errors import PolicyError, UsageError
from checker.model import APPLICABILITY, CLOUDS, Parameter, RetiredRule, Rule, Severity
from checker.resources import builtin_policy_dir

CONFIGURATION = "configuration"
ACCOUNTS = "accounts"

_PACKAGE = re.compile(r"^package\s+([\w.]+)", re.MULTILINE)
_RULE_ID = re.compile(r"[A-Z]+-\d{3}")

# The guidance pages the two seeds of the first catalogue were taken from. A METADATA block
# that still names its seed file instead of a URL gets the page's URL.
GLOBAL_GUIDANCE_URL = "https://learn.microsoft.com/en-us/partner-center/non-payment-fraud-misuse"
VIANET_GUIDANCE_URL = "https://msdn.microsoft.com/en-us/partner-china/non-payment-fraud-or-misuse"
_SEED_PAGES = {
    "000_0eb4b57a4866daf1.txt": GLOBAL_GUIDANCE_URL,
    "002_4938839712640c6b.txt": VIANET_GUIDANCE_URL,
}

# Catalogue ids no longer in use, beside the built-in policies.
RETIRED_FILE = "retired.yaml"


@dataclass(frozen=True)
class PolicyModule:
    """One ``.rego`` file: its display name, source and package."""

    name: str
    source: str
    package: str
    builtin: bool

    @property
    def is_test(self) -> bool:
        """Rego unit-test modules end in ``_test.rego``."""
        return self.name.endswith("_test.rego")


# libyaml's safe loader when PyYAML has it (the same documents, several times faster: the
# catalogue's METADATA blocks are read on every run), else the pure-Python one.
_SAFE_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

# Findings about the inputs themselves, produced by checker rather than by a policy.
INPUT_RULES = {
    rule.id: rule
    for rule in (
        Rule(
            "CHK-LOAD",
            "Input file can be read and parsed",
            Severity.ERROR,
            "input",
            "input",
            remediation="Fix the file so that it is UTF-8 YAML or JSON without duplicate keys "
            "or tags.",
        ),
        Rule(
            "CHK-SCHEMA",
            "Document matches its JSON Schema",
            Severity.ERROR,
            "input",
            "input",
            remediation="Change the value to what the schema expects: `checker schema "
            "partner-configuration` (or account-snapshot, waivers) prints it.",
        ),
        Rule(
            "CHK-PARTNER",
            "Snapshot has its partner's configuration",
            Severity.ERROR,
            "input",
            "input",
            remediation="Pass the PartnerConfiguration whose partner.id equals the snapshot's "
            "partnerId, among the inputs or with --config.",
        ),
        Rule(
            "CHK-UNMATCHED",
            "Imported record names a customer of the customer list",
            Severity.WARNING,
            "input",
            "input",
            description="A row of the partner's books, or a Partner Center resource, names a "
            "customer that the imported customer list does not have; it was left out of the "
            "snapshot, so no rule judged it.",
            remediation="Save every page of GET /v1/customers, or correct the customer "
            "reference (tenant id, customer id or domain) in the row.",
        ),
        Rule(
            "CHK-WAIVER-EXPIRED",
            "Waiver has not expired",
            Severity.WARNING,
            "input",
            "input",
            description="An expired waiver no longer applies: the findings it covered count "
            "again.",
            remediation="Fix the findings, or renew the waiver with a new expiry, reason and "
            "approval; remove it once it is no longer needed.",
        ),
        Rule(
            "CHK-WAIVER-UNUSED",
            "Waiver matches a finding",
            Severity.WARNING,
            "input",
            "input",
            description="A waiver that matches no finding is stale, or its rule or selector "
            "is misspelled.",
            remediation="Remove the waiver, or correct its rule and selector (document as "
            "reports name it, customer id, subscription id).",
        ),
        Rule(
            "CHK-WAIVER-HORIZON",
            "Waiver expires within the maximum horizon",
            Severity.ERROR,
            "input",
            "input",
            description="A waiver may not reach further than --max-waiver-days (default 365) "
            "after the as-of date; a longer one is rejected.",
            remediation="Set expires within the horizon and review the exception again "
            "before it runs out.",
        ),
    )
}


@dataclass(frozen=True)
class PolicySet:
    """The modules to load and the catalogue of the rules they declare."""

    modules: tuple[PolicyModule, ...]
    rules: dict[str, Rule] = field(default_factory=dict)
    retired: dict[str, RetiredRule] = field(default_factory=dict)

    def without_tests(self) -> tuple[PolicyModule, ...]:
        """Modules needed to check documents (tests left out)."""
        return tuple(m for m in self.modules if not m.is_test)

    def rules_for(self, target: str) -> list[Rule]:
        """Catalogue rules evaluated on one input kind, sorted by id."""
        return sorted((r for r in self.rules.values() if r.target == target), key=lambda r: r.id)


def load_policies(extra_dirs: Sequence[Path] = (), *, builtin: bool = True) -> PolicySet:
    """Read the built-in policies and those under ``extra_dirs``; build the catalogue."""
    modules: list[PolicyModule] = []
    if builtin:
        root = builtin_policy_dir()
        modules.extend(_read_dir(root, builtin=True, prefix="rego"))
    for directory in extra_dirs:
        if not directory.is_dir():
            raise PolicyError(f"{directory}: policy path is not a readable folder")
        found = _read_dir(directory, builtin=False, prefix=directory.as_posix())
        if not found:
            raise PolicyError(f"{directory}: no .rego files found")
        modules.extend(found)
    rules: dict[str, Rule] = {}
    for module in modules:
        if module.is_test:
            continue
        for rule in parse_metadata(module):
            if rule.id in rules or rule.id in INPUT_RULES:
                other = rules[rule.id].module if rule.id in rules else "checker"
                raise PolicyError(f"{module.name}:{rule.line}: rule id {rule.id} already "
                                  f"declared in {other}")
            rules[rule.id] = rule
    retired = load_retired(builtin_policy_dir() / RETIRED_FILE, rules) if builtin else {}
    return PolicySet(tuple(modules), rules, retired)


def load_retired(path: Path, rules: dict[str, Rule]) -> dict[str, RetiredRule]:
    """Read the retired ids: a ``retired`` list of {id, replaced_by, reason}.

    A retired id may not be declared again, and what replaced it must be a loaded rule: a
    catalogue that breaks either is a policy error, never a silent gap.
    """
    name = f"rego/{path.name}"
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_SAFE_LOADER)
    except FileNotFoundError:
        return {}
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise PolicyError(f"{name}: cannot read the retired rule ids: {exc}") from exc
    entries = data.get("retired") if isinstance(data, dict) else None
    if not isinstance(entries, list):
        raise PolicyError(f"{name}: expected a mapping with a 'retired' list")
    retired: dict[str, RetiredRule] = {}
    for number, entry in enumerate(entries, 1):
        where = f"{name}: entry {number}"
        if not isinstance(entry, dict) or not all(
                isinstance(entry.get(key), str) and entry[key].strip()
                for key in ("id", "replaced_by", "reason")):
            raise PolicyError(f"{where}: expected id, replaced_by and reason, each a string")
        rule = RetiredRule(entry["id"], entry["replaced_by"], " ".join(entry["reason"].split()))
        if not _RULE_ID.fullmatch(rule.id) or rule.id in retired:
            raise PolicyError(f"{where}: id {rule.id!r} is not a rule id or is listed twice")
        if rule.id in rules:
            raise PolicyError(f"{where}: {rule.id} is retired but {rules[rule.id].module} "
                              f"declares it; give that rule another id")
        if rule.replaced_by not in rules:
            raise PolicyError(f"{where}: {rule.id} is replaced by {rule.replaced_by}, which "
                              f"no policy declares")
        retired[rule.id] = rule
    return retired


def _read_dir(root: Path, *, builtin: bool, prefix: str) -> list[PolicyModule]:
    modules = []
    try:
        paths = sorted(p for p in root.rglob("*.rego") if p.is_file())
    except OSError as exc:
        raise PolicyError(f"{root}: cannot read policy folder: {exc}") from exc
    for path in paths:
        name = f"{prefix}/{path.relative_to(root).as_posix()}"
        try:
            source = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise PolicyError(f"{name}: cannot read policy: {exc}") from exc
        match = _PACKAGE.search(source)
        package = match.group(1) if match else ""
        modules.append(PolicyModule(name, source, package, builtin))
    return modules


def _target_of(package: str) -> str | None:
    for target in (CONFIGURATION, ACCOUNTS):
        if package.startswith(f"checker.{target}."):
            return target
    return None


def parse_metadata(module: PolicyModule) -> Iterable[Rule]:
    """Yield a Rule for each METADATA block with a ``custom.id`` in a module."""
    lines = module.source.splitlines()
    i = 0
    while i < len(lines):
        if lines[i].strip() != "# METADATA":
            i += 1
            continue
        start = i + 1
        block: list[str] = []
        i += 1
        while i < len(lines) and lines[i].lstrip().startswith("#"):
            block.append(lines[i].lstrip()[2:] if lines[i].lstrip().startswith("# ") else "")
            i += 1
        try:
            meta = yaml.load("\n".join(block), Loader=_SAFE_LOADER) or {}
        except yaml.YAMLError as exc:
            raise PolicyError(f"{module.name}:{start}: METADATA is not valid YAML: {exc}") from exc
        custom = meta.get("custom") or {} if isinstance(meta, dict) else {}
        if not isinstance(custom, dict) or "id" not in custom:
            continue
        yield _rule_from(meta, custom, module, start)


def _rule_from(meta: dict[str, Any], custom: dict[str, Any], module: PolicyModule,
               line: int) -> Rule:
    where = f"{module.name}:{line}"
    target = _target_of(module.package)
    if target is None:
        raise PolicyError(f"{where}: rules must be in a package under checker.configuration "
                          f"or checker.accounts, not {module.package!r}")
    try:
        severity = Severity(custom.get("severity", "error"))
    except ValueError as exc:
        raise PolicyError(f"{where}: severity must be error, warning or info") from exc
    clouds = tuple(custom.get("clouds") or CLOUDS)
    unknown = sorted(set(clouds) - set(CLOUDS))
    if unknown:
        raise PolicyError(f"{where}: unknown cloud(s) {', '.join(unknown)}")
    guidance = custom.get("guidance") or {}
    if not isinstance(guidance, dict):
        raise PolicyError(f"{where}: custom.guidance must map url to quote")
    url = str(guidance.get("url") or _SEED_PAGES.get(str(guidance.get("seed", "")), ""))
    if url and not url.startswith("https://"):
        raise PolicyError(f"{where}: guidance url must be an https:// address, not {url!r}")
    applies = custom.get("applies") or []
    if not isinstance(applies, list) or not set(map(str, applies)) <= set(APPLICABILITY):
        raise PolicyError(f"{where}: custom.applies must list some of "
                          f"{', '.join(APPLICABILITY)}")
    parameters = tuple(
        Parameter(str(p.get("name", "")), p.get("default"), str(p.get("description", "")))
        for p in custom.get("parameters") or []
        if isinstance(p, dict)
    )
    examples = custom.get("examples") or {}
    if not isinstance(examples, dict):
        raise PolicyError(f"{where}: custom.examples must map fails/passes to documents")
    return Rule(
        id=str(custom["id"]),
        title=str(meta.get("title", "")),
        severity=severity,
        concern=str(custom.get("concern", "")),
        target=target,
        clouds=clouds,
        description=str(meta.get("description", "")).strip(),
        remediation=str(custom.get("remediation", "")).strip(),
        guidance_url=url,
        guidance_quote=str(guidance.get("quote", "")).strip(),
        applies=tuple(str(a) for a in applies),
        parameters=parameters,
        module=module.name,
        line=line,
        builtin=module.builtin,
        examples=examples,
    )


def known_rule_ids(policies: PolicySet) -> frozenset[str]:
    """Every rule id a waiver, a baseline or ``--rule`` may name: the one place that decides.

    The input rules (CHK-*), the rules of the loaded policies and the retired ids (known,
    so that a waiver naming one is reported as waiving nothing, not as a misspelling).
    """
    return frozenset({*INPUT_RULES, *policies.rules, *policies.retired})


def unknown_rule_problem(rule_id: str, policies: PolicySet) -> str | None:
    """Why ``rule_id`` names no rule, with the nearest known id as a suggestion; else None."""
    known = known_rule_ids(policies)
    if rule_id in known:
        return None
    near = difflib.get_close_matches(rule_id.upper(), sorted(known), n=1, cutoff=0.6)
    hint = f"; did you mean {near[0]}?" if near else "; `checker rules` lists them"
    return f"no rule {rule_id!r}{hint}"


def select_rules(patterns: Sequence[str], policies: PolicySet, option: str) -> frozenset[str]:
    """The known rule ids matched by ``patterns`` (ids or globs such as ``ACCT-*``).

    A pattern that matches no known rule is a usage error naming ``option``, with a
    suggestion: a misspelt id would otherwise select or skip nothing, silently.
    """
    known = known_rule_ids(policies) - set(policies.retired)
    selected: set[str] = set()
    for pattern in patterns:
        upper = pattern.upper()
        if upper in policies.retired:
            raise UsageError(f"{option} {pattern}: rule {upper} is retired (replaced by "
                             f"{policies.retired[upper].replaced_by})")
        matched = {rule_id for rule_id in known if fnmatch.fnmatchcase(rule_id, upper)}
        if not matched:
            problem = unknown_rule_problem(upper, policies) or f"no rule matches {pattern!r}"
            raise UsageError(f"{option} {pattern}: {problem}")
        selected |= matched
    return frozenset(selected)
