"""Evaluate: valid documents on the policies, behind the engine protocol.

Each PartnerConfiguration is one evaluation of ``checker.main.configuration``; each
AccountSnapshot is matched with its partner's configuration and its customers evaluated in
batches of ``checker.main.accounts`` chunk by chunk (``checker.chunks``, in worker processes
for a streamed file). What the engine answers becomes findings and one result per rule and
document (pass, fail, not applicable).
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from checker.chunks import ACCOUNTS_ENTRY_POINT, StreamJob, check_chunks
from checker.engines import Engine
from checker.errors import EngineError
from checker.findings import (
    CONFIGURATION_KIND,
    Answer,
    add_counts,
    build_finding,
    document_key,
    identity,
    input_finding,
    parse_raw,
    read_answer,
)
from checker.loading import Document, display_name
from checker.model import Finding, Location, Rule, RuleResult, Status
from checker.policies import ACCOUNTS, CONFIGURATION, PolicySet
from checker.stream import SNAPSHOT_KIND, StreamedDocument, StreamSettings
from checker.validation import is_date_time

ENTRY_POINTS = {CONFIGURATION: "checker.main.configuration", ACCOUNTS: ACCOUNTS_ENTRY_POINT}


@dataclass(frozen=True)
class Evaluated:
    """What evaluation found, and at which time and in which cloud each document was judged.

    ``subscriptions`` counts an evaluated snapshot's subscriptions per kind.
    """

    findings: tuple[Finding, ...]
    results: tuple[RuleResult, ...]
    judged_at: dict[str, str] = field(default_factory=dict)
    clouds: dict[str, str] = field(default_factory=dict)
    subscriptions: dict[str, dict[str, int]] = field(default_factory=dict)


def judgement_time(as_of: str | None, document_as_of: str | None = None) -> str:
    """The "now" a document is judged at: ``--as-of``, else its snapshot's asOf, else today.

    The one place this is decided: time-based rules and waiver expiry use the same time,
    so a waiver applies exactly when the finding it covers is judged.
    """
    return as_of or document_as_of or today()


def today() -> str:
    """Today, at midnight UTC."""
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT00:00:00Z")


def evaluate_documents(engine: Engine, policies: PolicySet, valid: Sequence[Document],
                       read: Sequence[Document], *, as_of: str | None, config: Path | None,
                       batch_size: int, settings: StreamSettings) -> Evaluated:
    """Evaluate every valid document; a snapshot without its partner's configuration is a
    CHK-PARTNER finding. ``read`` (valid or not) may date a configuration's audit."""
    evaluator = _Evaluator(engine, policies, settings, batch_size)
    configs = [d for d in valid if d.kind == CONFIGURATION_KIND]
    snapshots = [d for d in valid if d.kind == SNAPSHOT_KIND]
    forced = _forced_config(config, configs)
    by_partner: dict[str, Document] = {}
    for doc in configs:
        by_partner.setdefault(doc.data["partner"]["id"], doc)
    judged_at: dict[str, str] = {}
    clouds: dict[str, str] = {}
    for doc in configs:
        partner = doc.data["partner"]["id"]
        snapshot_as_of = next((s.data["asOf"] for s in snapshots
                               if s.data["partnerId"] == partner), None)
        # A snapshot that breaks its schema still dates the audit, if its asOf is sound:
        # the configuration is judged at the audit date, not at the day the job runs.
        snapshot_as_of = snapshot_as_of or _any_as_of(read, partner)
        # With no --as-of and no snapshot there is no audit date: the configuration is
        # judged without one (its date-based rules are not applicable), never at the wall
        # clock, so the same inputs give the same report on any day.
        audit = judgement_time(as_of, snapshot_as_of) if as_of or snapshot_as_of else None
        if audit is not None:
            judged_at[doc.file] = audit
        evaluator.configuration(doc, audit)
    for snapshot in snapshots:
        matched = forced or by_partner.get(snapshot.data["partnerId"])
        if matched is None or matched.data["partner"]["id"] != snapshot.data["partnerId"]:
            position = snapshot.locator.locate(["partnerId"])
            reason = (f"--config is for partner {matched.data['partner']['id']!r}" if matched
                      else "no valid PartnerConfiguration with that partner.id was given")
            evaluator.findings.append(input_finding(
                "CHK-PARTNER", f"snapshot of partner {snapshot.data['partnerId']!r} cannot be "
                f"checked: {reason}", snapshot.file, position.pointer, position.line,
                position.column))
            continue
        evaluator.findings.extend(_unmatched_records(snapshot))
        clouds[snapshot.file] = matched.data["cloud"]
        judged_at[snapshot.file] = judgement_time(as_of, snapshot.data["asOf"])
        evaluator.accounts(snapshot, matched, judged_at[snapshot.file])
    return Evaluated(tuple(evaluator.findings), tuple(evaluator.results), judged_at, clouds,
                     evaluator.subscriptions)


def _unmatched_records(snapshot: Document) -> list[Finding]:
    """CHK-UNMATCHED for each imported record whose customer is not in the customer list."""
    findings = []
    for index, record in enumerate(snapshot.data.get("unmatchedRecords") or ()):
        where = (f"row {record['row']} of {record['file']}" if "row" in record
                 else f"{record['file']}:{record.get('line', 0)}:{record.get('column', 0)}")
        many = f" ({record['count']} of them)" if record.get("count", 1) > 1 else ""
        position = snapshot.locator.locate(["unmatchedRecords", index])
        findings.append(input_finding(
            "CHK-UNMATCHED", f"{record['part']} of customer {record['customer']!r} ({where})"
            f"{many}: the customer is not in Partner Center's customer list, so the record "
            "was left out", snapshot.file, position.pointer, position.line, position.column))
    return findings


def _any_as_of(documents: Sequence[Document], partner: str) -> str | None:
    """The first usable asOf of an AccountSnapshot of ``partner``, valid or not."""
    for doc in documents:
        data = doc.data
        if doc.kind == SNAPSHOT_KIND and isinstance(data, dict) \
                and data.get("partnerId") == partner and isinstance(data.get("asOf"), str) \
                and is_date_time(data["asOf"]):
            return str(data["asOf"])
    return None


def _forced_config(path: Path | None, configs: Sequence[Document]) -> Document | None:
    if path is None:
        return None
    # Already loaded among the inputs; a YAML stream names its documents "file#N".
    name = display_name(path)
    return next((c for c in configs if c.file == name or c.file.startswith(f"{name}#")), None)


class _Evaluator:
    """Evaluates documents and turns the engine's answers into findings and results."""

    def __init__(self, engine: Engine, policies: PolicySet, settings: StreamSettings,
                 batch_size: int) -> None:
        self._engine = engine
        self._policies = policies
        self._settings = settings
        self._batch_size = max(1, batch_size)
        self.findings: list[Finding] = []
        self.results: list[RuleResult] = []
        self.subscriptions: dict[str, dict[str, int]] = {}

    def configuration(self, config: Document, as_of: str | None) -> None:
        started = time.perf_counter()
        payload: dict[str, Any] = {"configuration": config.data}
        if as_of is not None:
            payload["asOf"] = as_of
        answer = self._ask(CONFIGURATION, payload)
        fired = self._collect(answer.deny, {"": config, "configuration": config})
        self._results(CONFIGURATION, config, config.data["cloud"], fired,
                      [answer.not_applicable])
        self._settings.add_time("evaluate", time.perf_counter() - started)

    def accounts(self, snapshot: Document, config: Document, as_of: str) -> None:
        """Evaluate a snapshot's customers chunk by chunk (in worker processes), whether
        it was streamed or read whole (one chunk)."""
        header = orjson.dumps({k: v for k, v in snapshot.data.items() if k != "customers"})
        # The policy input up to the customers array; each batch's customers and "}}"
        # complete it, so the header is serialised once, not once per batch.
        prefix = (b'{"configuration":' + orjson.dumps(config.data) + b',"asOf":'
                  + orjson.dumps(as_of) + b',"snapshot":'
                  + (header[:-1] + b"," if header != b"{}" else b"{") + b'"customers":')
        path = (str(snapshot.source.path) if isinstance(snapshot, StreamedDocument)
                else snapshot.file)
        job = StreamJob(path, prefix, self._batch_size)
        checked = check_chunks(snapshot, job, self._settings, self._engine, stage="evaluate")
        if checked.failure is not None:
            raise EngineError(f"{snapshot.file}: the file changed while it was being checked")
        fired = set()
        key = document_key(snapshot)
        for found in checked.findings:
            where = found.position
            self.findings.append(build_finding(
                self._policies.rules, found.rule_id, found.message,
                Location(snapshot.file, where.pointer, where.line, where.column),
                key, found.identity, found.customer, found.subscription))
            fired.add(found.rule_id)
        fired |= self._collect(checked.others, {"": snapshot, "configuration": config})
        add_counts(self.subscriptions.setdefault(snapshot.file, {}), checked.subscriptions)
        self._results(ACCOUNTS, snapshot, config.data["cloud"], fired, checked.not_applicable)

    def _ask(self, target: str, payload: dict[str, Any]) -> Answer:
        entry_point = ENTRY_POINTS[target]
        return read_answer(entry_point,
                           self._engine.evaluate(entry_point, orjson.dumps(payload).decode()))

    def _collect(self, raw_findings: list[Any], documents: dict[str, Document]) -> set[str]:
        """Turn raw deny objects about whole documents into findings; return the rule ids
        that fired."""
        fired = set()
        for raw in raw_findings:
            found = parse_raw(raw)
            rule_id, path = found.rule_id, found.path
            doc = documents.get(found.document)
            if doc is None:
                raise EngineError(f"rule {rule_id} names unknown document {found.document!r}")
            position = doc.locator.locate(path)
            stable, customer, subscription = identity(doc.data, path)
            self.findings.append(build_finding(
                self._policies.rules, rule_id, found.message,
                Location(doc.file, position.pointer, position.line, position.column),
                document_key(doc), stable, customer, subscription))
            fired.add(rule_id)
        return fired

    def _results(self, target: str, doc: Document, cloud: str, fired: set[str],
                 skipped_per_batch: list[dict[str, str]]) -> None:
        rules: dict[str, Rule | None] = {r.id: r for r in self._policies.rules_for(target)}
        for rule_id in fired:
            rules.setdefault(rule_id, None)
        for rule_id, rule in rules.items():
            if rule_id in fired:
                result = RuleResult(rule_id, doc.file, Status.FAIL)
            elif rule is not None and cloud not in rule.clouds:
                result = RuleResult(rule_id, doc.file, Status.NOT_APPLICABLE,
                                    f"does not apply to cloud {cloud}")
            elif skipped_per_batch and all(rule_id in s for s in skipped_per_batch):
                result = RuleResult(rule_id, doc.file, Status.NOT_APPLICABLE,
                                    skipped_per_batch[0][rule_id])
            else:
                result = RuleResult(rule_id, doc.file, Status.PASS)
            self.results.append(result)
