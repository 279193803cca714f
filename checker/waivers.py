"""Waivers: time-limited, owned and approved exceptions to rules (``--waivers FILE``).

A ``Waivers`` document is read with the same safe loader and schema validator as every
other input. A waiver covers the findings of its rule whose file, customer and subscription
equal every field its selector gives. It applies until the end of its ``expires`` day,
judged at the as-of time of the document the finding is in, and may not reach further than
``max_days`` after that date. Expired, too-long and unused waivers become findings of their
own, located in the waivers file, so that stale exceptions cannot pile up unnoticed.

Waivers are only ever taken from ``--waivers``: a ``Waivers`` document lying in a checked
folder is skipped (see ``runner.check``), so adding a file to a folder can never silence
the gate; the waiver files that took part are exactly those named on the command line.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, replace
from enum import Enum
from pathlib import Path

from checker.errors import InputError, UsageError
from checker.loading import Document, load_file
from checker.model import Finding, FindingState, Location
from checker.validation import validate

WAIVERS_KIND = "Waivers"
DEFAULT_MAX_DAYS = 365
EXPIRED = "CHK-WAIVER-EXPIRED"
UNUSED = "CHK-WAIVER-UNUSED"
HORIZON = "CHK-WAIVER-HORIZON"


@dataclass(frozen=True, slots=True)
class Waiver:
    """One waiver as written, with where it is (for findings about the waiver itself).

    Empty selector fields are not part of the selector.
    """

    rule: str
    document: str
    customer: str
    subscription: str
    reason: str
    owner: str
    approver: str
    ticket: str
    expires: dt.date
    location: Location
    expires_location: Location

    def matches(self, finding: Finding) -> bool:
        """Whether the finding has this rule and every selector field the waiver gives."""
        return (
            finding.rule_id == self.rule
            and (not self.document or self.document == finding.location.file)
            and (not self.customer or self.customer == finding.customer)
            and (not self.subscription or self.subscription == finding.subscription)
        )

    @property
    def note(self) -> str:
        """What a waived finding says about why it does not count."""
        return (f"waived by {self.ticket} until {self.expires.isoformat()} "
                f"({self.owner}, {self.approver}): {self.reason}")

    @property
    def selector_text(self) -> str:
        """The selector as ``document=..., customer=...``, for messages."""
        fields = (("document", self.document), ("customer", self.customer),
                  ("subscription", self.subscription))
        return ", ".join(f"{name}={value}" for name, value in fields if value)


@dataclass(frozen=True, slots=True)
class WaiverProblem:
    """A finding to report about the inputs: a waiver file or a waiver that is wrong.

    ``rule_id`` is a CHK-* input rule; the runner turns problems into findings.
    """

    rule_id: str
    message: str
    location: Location


@dataclass(frozen=True)
class WaiverSet:
    """The waivers of the ``--waivers`` files and what went wrong reading them.

    ``files`` names every document read (valid or not), for the report's document list.
    A document that breaks its schema contributes no waiver: its findings stay open.
    """

    waivers: tuple[Waiver, ...] = ()
    files: tuple[str, ...] = ()
    problems: tuple[WaiverProblem, ...] = ()


@dataclass(frozen=True)
class Applied:
    """Findings after waivers, and the problems found with the waivers themselves."""

    findings: tuple[Finding, ...]
    problems: tuple[WaiverProblem, ...]


def load_waivers(paths: Sequence[Path]) -> WaiverSet:
    """Read and schema-check waiver files; unreadable or invalid ones become problems.

    A missing file is a usage error (like a missing input path); anything wrong inside a
    file is an error finding, so a broken waivers file fails the run instead of silently
    waiving nothing or everything.
    """
    waivers: list[Waiver] = []
    files: list[str] = []
    problems: list[WaiverProblem] = []
    for path in paths:
        if not path.is_file():
            raise UsageError(f"--waivers {path}: no such file")
        try:
            documents = load_file(path)
        except InputError as exc:
            problems.append(WaiverProblem("CHK-LOAD", str(exc.args[0]),
                                          Location(exc.file, "", exc.line, exc.column)))
            continue
        for doc in documents:
            files.append(doc.file)
            errors = _schema_problems(doc)
            if errors:
                problems.extend(errors)
            else:
                waivers.extend(_waivers_of(doc))
    return WaiverSet(tuple(waivers), tuple(files), tuple(problems))


def _schema_problems(doc: Document) -> list[WaiverProblem]:
    if doc.kind != WAIVERS_KIND:
        position = doc.locator.locate(["kind"])
        found = f"kind {doc.kind!r}" if doc.kind else "no kind"
        return [WaiverProblem("CHK-SCHEMA", f"--waivers expects a document of kind "
                              f"{WAIVERS_KIND}, found {found}",
                              Location(doc.file, position.pointer, position.line,
                                       position.column))]
    problems = []
    for error in validate(WAIVERS_KIND, doc.data):
        position = doc.locator.locate(error.path)
        message = error.message
        # The schema's `not: {pattern: ^CHK-}` would otherwise be reported in its own terms.
        if error.path[-1:] == ("rule",) and "^CHK-" in message:
            message = "CHK-* findings are about broken inputs and cannot be waived: fix the input"
        problems.append(WaiverProblem("CHK-SCHEMA", message,
                                      Location(doc.file, position.pointer, position.line,
                                               position.column)))
    return problems


def _waivers_of(doc: Document) -> list[Waiver]:
    result = []
    for index, entry in enumerate(doc.data["waivers"]):
        selector = entry["selector"]
        at = doc.locator.locate(["waivers", index])
        expires_at = doc.locator.locate(["waivers", index, "expires"])
        result.append(Waiver(
            rule=entry["rule"],
            document=selector.get("document", ""),
            customer=selector.get("customer", ""),
            subscription=selector.get("subscription", ""),
            reason=entry["reason"],
            owner=entry["owner"],
            approver=entry["approver"],
            ticket=entry["ticket"],
            expires=dt.date.fromisoformat(entry["expires"]),
            location=Location(doc.file, at.pointer, at.line, at.column),
            expires_location=Location(doc.file, expires_at.pointer, expires_at.line,
                                      expires_at.column),
        ))
    return result


def as_of_date(as_of: str) -> dt.date:
    """The UTC calendar date of an as-of date or date-time (one without offset is UTC)."""
    moment = dt.datetime.fromisoformat(as_of)
    if moment.tzinfo is not None:
        moment = moment.astimezone(dt.UTC)
    return moment.date()


class _Standing(Enum):
    ACTIVE = "active"
    EXPIRED = "expired"
    TOO_LONG = "too long"


def _standing(waiver: Waiver, day: dt.date, max_days: int) -> _Standing:
    if day > waiver.expires:
        return _Standing.EXPIRED
    if (waiver.expires - day).days > max_days:
        return _Standing.TOO_LONG
    return _Standing.ACTIVE


def apply_waivers(
    findings: Sequence[Finding],
    waivers: Sequence[Waiver],
    *,
    as_of_by_file: Mapping[str, str],
    default_as_of: str,
    max_days: int = DEFAULT_MAX_DAYS,
    unwaivable: Collection[str] = (),
    known_rules: Collection[str] = (),
    retired: Mapping[str, str] | None = None,
) -> Applied:
    """Mark findings covered by an applicable waiver as waived; report waivers gone wrong.

    Each finding is judged at the as-of time of its file (``as_of_by_file``, else
    ``default_as_of``); a waiver that matched nothing is judged at that of its selector's
    document. The first applicable waiver (in file order) gives the note. Findings whose
    rule is in ``unwaivable`` (the CHK-* input rules) are never waived: broken inputs
    always fail. ``known_rules`` and ``retired`` (retired id to the id that replaced it)
    only improve the message about an unused waiver: a waiver of a retired id is not a
    misspelling, but it waives nothing.
    """
    # For each waiver, how it stood for the findings it matched, and the first as-of date
    # at which it stood so (for the messages).
    matched: dict[int, dict[_Standing, dt.date]] = {i: {} for i in range(len(waivers))}
    result = []
    for finding in findings:
        if finding.state is not FindingState.OPEN or finding.rule_id in unwaivable:
            result.append(finding)
            continue
        day = as_of_date(as_of_by_file.get(finding.location.file, default_as_of))
        note = ""
        for index, waiver in enumerate(waivers):
            if not waiver.matches(finding):
                continue
            standing = _standing(waiver, day, max_days)
            matched[index].setdefault(standing, day)
            if standing is _Standing.ACTIVE and not note:
                note = waiver.note
        result.append(replace(finding, state=FindingState.WAIVED, note=note) if note
                      else finding)
    problems = []
    for index, waiver in enumerate(waivers):
        standings = matched[index]
        unused = not standings
        if unused:
            day = as_of_date(as_of_by_file.get(waiver.document, default_as_of))
            standings = {_standing(waiver, day, max_days): day}
        problem = _problem(waiver, standings, unused, max_days, known_rules, retired or {})
        if problem is not None:
            problems.append(problem)
    return Applied(tuple(result), tuple(problems))


def _problem(waiver: Waiver, standings: Mapping[_Standing, dt.date], unused: bool,
             max_days: int, known_rules: Collection[str],
             retired: Mapping[str, str]) -> WaiverProblem | None:
    name = f"waiver {waiver.ticket} for {waiver.rule} ({waiver.selector_text})"
    # A waiver reaching too far is rejected outright, whatever else is true of it: the
    # horizon is what keeps exceptions under review.
    if _Standing.TOO_LONG in standings:
        day = standings[_Standing.TOO_LONG]
        days = (waiver.expires - day).days
        return WaiverProblem(HORIZON, f"{name} expires {waiver.expires.isoformat()}, {days} "
                             f"days after the as-of date {day.isoformat()}: more than the "
                             f"maximum of {max_days} days, so it is rejected",
                             waiver.expires_location)
    if _Standing.EXPIRED in standings:
        day = standings[_Standing.EXPIRED]
        covered = "" if unused else "; the findings it covered are open again"
        return WaiverProblem(EXPIRED, f"{name} expired on {waiver.expires.isoformat()} "
                             f"(as of {day.isoformat()}){covered}", waiver.location)
    if unused:
        if waiver.rule in retired:
            hint = (f"; rule {waiver.rule} is retired (replaced by {retired[waiver.rule]}), "
                    f"so it waives nothing")
        else:
            hint = "" if not known_rules or waiver.rule in known_rules else (
                f"; no rule {waiver.rule} is loaded")
        return WaiverProblem(UNUSED, f"{name} matches no finding{hint}", waiver.location)
    return None
