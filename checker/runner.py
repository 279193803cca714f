"""The one-way pipeline: load -> validate -> evaluate -> findings -> report.

``check`` and ``validate_only`` are the library's entry points; they return a ``Report`` and
never print. Anything that prevents a complete evaluation raises a ``CheckerError``.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import orjson

from checker.baseline import Baseline, apply_baseline, load_baseline, resolved
from checker.chunks import StreamJob, check_chunks
from checker.engines import ENGINES, Engine, EngineOptions
from checker.engines.opa import policy_digest
from checker.errors import EngineError, InputError, UsageError
from checker.findings import (
    CONFIGURATION_KIND,
    Answer,
    add_counts,
    build_finding,
    document_key,
    fingerprint,
    identity,
    parse_raw,
    read_answer,
)
from checker.loading import SUFFIXES, Document, discover, display_name, load_file, load_text
from checker.model import (
    DocumentInfo,
    Finding,
    Location,
    Report,
    ResolvedFinding,
    Rule,
    RuleResult,
    Severity,
    Status,
)
from checker.normalize import normalize_snapshot
from checker.output import check_outputs
from checker.policies import (
    ACCOUNTS,
    CONFIGURATION,
    INPUT_RULES,
    PolicySet,
    known_rule_ids,
    load_policies,
    select_rules,
    unknown_rule_problem,
)
from checker.stream import (
    CHUNK_BYTES,
    EngineSpec,
    Progress,
    StreamedDocument,
    StreamSettings,
    load_input,
)
from checker.validation import is_date_time, known_kinds, limit_errors, validate
from checker.waivers import DEFAULT_MAX_DAYS, WAIVERS_KIND, WaiverSet, apply_waivers, load_waivers

SNAPSHOT_KIND = "AccountSnapshot"
ENTRY_POINTS = {CONFIGURATION: "checker.main.configuration", ACCOUNTS: "checker.main.accounts"}


@dataclass(frozen=True)
class CheckOptions:
    """What to check and how; built by the CLI or by a program using the library.

    Large JSON snapshots are read in chunks of about ``chunk_bytes`` and checked in
    ``jobs`` worker processes (``None``: one per core); the report does not depend on
    either. ``progress`` is called with (stage, done, total) as chunks complete;
    ``timings``, when given, is filled with the seconds spent loading, validating and
    evaluating, summed over processes.

    Checking nothing (no document found) is a ``UsageError`` unless ``allow_empty``.
    ``rules`` and ``skip_rules`` are rule ids or globs (``ACCT-*``) that keep only, or
    leave out, the findings and results of those rules (input findings, CHK-*, always
    stay); ``exclude`` are globs of files left out of folder searches. A path ``-`` is one
    document read from ``stdin`` (its text), named ``stdin_filename`` in reports.
    ``fail_on`` ``None`` never fails the run on findings.
    """

    paths: tuple[Path, ...]
    config: Path | None = None
    policy_dirs: tuple[Path, ...] = ()
    builtin_policies: bool = True
    engine: str = "embedded"
    engine_options: EngineOptions = field(default_factory=EngineOptions)
    fail_on: Severity | None = Severity.ERROR
    as_of: str | None = None
    allow_empty: bool = False
    rules: tuple[str, ...] = ()
    skip_rules: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    stdin: str | None = field(default=None, repr=False)
    stdin_filename: str = "-"
    batch_size: int = 1000
    waivers: tuple[Path, ...] = ()
    max_waiver_days: int = DEFAULT_MAX_DAYS
    baseline: Path | None = None
    jobs: int | None = None
    chunk_bytes: int = CHUNK_BYTES
    progress: Progress | None = field(default=None, compare=False)
    timings: dict[str, float] | None = field(default=None, compare=False)
    # What reports call some input files (a snapshot imported into a temporary file is
    # named after its export folder), as (path, name).
    display_names: tuple[tuple[Path, str], ...] = ()


def normalize_as_of(value: str) -> str:
    """Accept a date or RFC 3339 date-time for ``--as-of``; return a date-time."""
    text = value.strip()
    if len(text) == 10:
        text += "T00:00:00Z"
    if not is_date_time(text):
        raise UsageError(f"--as-of: {value!r} is not a date (YYYY-MM-DD) or RFC 3339 date-time")
    return text


@dataclass
class _Run:
    """Mutable state of one run, frozen into a Report at the end."""

    findings: list[Finding] = field(default_factory=list)
    results: list[RuleResult] = field(default_factory=list)
    documents: list[DocumentInfo] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    resolved: list[ResolvedFinding] = field(default_factory=list)
    judged_at: dict[str, str] = field(default_factory=dict)
    settings: StreamSettings = field(default_factory=StreamSettings)
    # Files found that hold no document at all (empty, or only comments).
    empty: list[str] = field(default_factory=list)
    files_found: int = 0
    # Documents found through the paths to check (not the --config alone).
    from_paths: set[str] = field(default_factory=set)
    # Documents read whole and schema-checked, valid or not (not those unreadable).
    read: list[Document] = field(default_factory=list)
    # A snapshot's cloud is that of the configuration it was checked against.
    clouds: dict[str, str] = field(default_factory=dict)
    # An evaluated snapshot's subscriptions per kind, summed over its batches.
    subscriptions: dict[str, dict[str, int]] = field(default_factory=dict)

    def input_finding(self, rule_id: str, message: str, file: str, pointer: str = "",
                      line: int = 0, column: int = 0) -> None:
        rule = INPUT_RULES[rule_id]
        # Broken inputs have no partner to name them by; their file's name (not its path,
        # which depends on the working directory) does. They are never baselined.
        key = fingerprint(rule_id, file.rsplit("/", 1)[-1], pointer)
        self.findings.append(Finding(rule_id, rule.severity, message,
                                     Location(file, pointer, line, column),
                                     rule.title, rule.remediation, key))


@dataclass(frozen=True)
class _Sources:
    """What to read: paths (``-`` is standard input), and how."""

    paths: tuple[Path, ...]
    extra: tuple[Path, ...] = ()
    exclude: tuple[str, ...] = ()
    stdin: str | None = None
    stdin_filename: str = "-"
    # What reports call a file, where not its path (an imported export folder's snapshot).
    names: tuple[tuple[Path, str], ...] = ()


def _load(sources: _Sources, run: _Run) -> list[Document]:
    """Parse every input; unreadable files become CHK-LOAD findings."""
    named = dict(sources.names)
    paths = [p for p in (*sources.paths, *sources.extra) if p != Path("-")]
    for path in paths:
        if not path.exists() and not path.is_symlink():
            raise UsageError(f"{path}: no such file or folder")
    documents: list[Document] = []
    inputs: list[tuple[Path | None, bool]] = [
        *((None, True) for p in sources.paths if p == Path("-")),
        *discover(paths, exclude=sources.exclude)]
    if len([p for p, _ in inputs if p is None]) > 1:
        raise UsageError("standard input (-) can be given only once")
    positional = {p for p, _ in discover([p for p in sources.paths if p != Path("-")],
                                         exclude=sources.exclude)}
    for source, explicit in inputs:
        run.files_found += 1
        started = time.perf_counter()
        try:
            if source is None:
                if sources.stdin is None:
                    raise UsageError("- reads standard input, but none was given")
                loaded = load_text(sources.stdin, sources.stdin_filename)
            else:
                loaded = load_input(source, run.settings.chunk_bytes, named.get(source))
        except InputError as exc:
            run.input_finding("CHK-LOAD", str(exc.args[0]), exc.file, "", exc.line, exc.column)
            continue
        finally:
            run.settings.add_time("load", time.perf_counter() - started)
        if not loaded:
            name = (sources.stdin_filename if source is None
                    else named.get(source) or display_name(source))
            run.empty.append(name)
            run.skipped.append(name)
        for doc in loaded:
            if explicit or _looks_like_ours(doc.data):
                documents.append(doc)
                if source is None or source in positional:
                    run.from_paths.add(doc.file)
            else:
                run.skipped.append(doc.file)
    return documents


def _looks_like_ours(data: Any) -> bool:
    if not isinstance(data, dict):
        return False
    api = data.get("apiVersion")
    ours_by_api = isinstance(api, str) and api.startswith("checker/")
    return ours_by_api or data.get("kind") in known_kinds()


def _validate(documents: Sequence[Document], run: _Run) -> list[Document]:
    """Schema-check documents; return the valid ones.

    An AccountSnapshot's header (every member but its customers) is validated whole, its
    customers chunk by chunk (``checker.chunks``), whether it was streamed or read whole.
    """
    valid = []
    for doc in documents:
        if isinstance(doc, StreamedDocument) and doc.source.chunks:
            whole = _read_customers(doc, run)
            if whole is None:
                continue
            doc = whole
        started = time.perf_counter()
        run.read.append(doc)
        kind = doc.kind
        if kind not in known_kinds():
            position = doc.locator.locate(["kind"])
            expected = " or ".join(known_kinds())
            found = f"kind {kind!r}" if kind else "no kind"
            run.input_finding("CHK-SCHEMA", f"expected a document of kind {expected}, "
                              f"found {found}", doc.file, position.pointer, position.line,
                              position.column)
            continue
        if kind == SNAPSHOT_KIND:
            normalize_snapshot(doc.data)
        if kind == SNAPSHOT_KIND and isinstance(doc.data.get("customers"), list):
            errors = list(validate(kind, {**doc.data, "customers": []}))
            run.settings.add_time("validate", time.perf_counter() - started)
            if isinstance(doc, StreamedDocument):
                customer_errors = doc.source.schema_errors
            else:
                customer_errors = check_chunks(doc, StreamJob(doc.file), run.settings).errors
            errors = limit_errors([*errors, *customer_errors])
        else:
            errors = list(validate(kind, doc.data))
            run.settings.add_time("validate", time.perf_counter() - started)
        for error in errors:
            position = doc.locator.locate(error.path)
            run.input_finding("CHK-SCHEMA", error.message, doc.file, position.pointer,
                              position.line, position.column)
        run.documents.append(_info(doc))
        if not errors:
            valid.append(doc)
    return valid


def _read_customers(doc: StreamedDocument, run: _Run) -> Document | None:
    """Parse and validate a streamed snapshot's customers, chunk by chunk.

    A file the chunked reader cannot take (a syntax error, a duplicate key...) is read
    whole instead, which reports it exactly as for any file; ``None`` when it is unreadable.
    """
    checked = check_chunks(doc, StreamJob(str(doc.source.path)), run.settings)
    if checked.failure is None:
        doc.source.chunks = tuple(checked.chunks)
        doc.source.counts = checked.counts
        doc.source.plain = checked.plain
        doc.source.schema_errors = checked.errors
        return doc
    try:
        (whole,) = load_file(doc.source.path, doc.file)
    except InputError as exc:
        run.input_finding("CHK-LOAD", str(exc.args[0]), exc.file, "", exc.line, exc.column)
        return None
    return whole


def _settings(options: CheckOptions, policies: PolicySet) -> StreamSettings:
    # Worker processes build their own engine; only the embedded one can be copied that
    # way (a remote engine's server holds one set of policies for all).
    engine = (EngineSpec(options.engine, options.engine_options, policies.without_tests())
              if options.engine == "embedded" else None)
    return StreamSettings(jobs=options.jobs, chunk_bytes=options.chunk_bytes,
                          progress=options.progress, timings=options.timings, engine=engine)


def _info(doc: Document) -> DocumentInfo:
    data = doc.data
    if doc.kind == CONFIGURATION_KIND:
        partner = data.get("partner") if isinstance(data.get("partner"), dict) else {}
        return DocumentInfo(doc.file, CONFIGURATION_KIND, str(partner.get("id", "")),
                            str(data.get("cloud", "")), partner_name=str(partner.get("name", "")))
    return DocumentInfo(doc.file, str(doc.kind), str(data.get("partnerId", "")),
                        as_of=str(data.get("asOf", "")))


def validate_only(paths: Sequence[Path], *, jobs: int | None = None,
                  progress: Progress | None = None, allow_empty: bool = False,
                  exclude: Sequence[str] = (), stdin: str | None = None,
                  stdin_filename: str = "-") -> Report:
    """Load and schema-check documents without evaluating any policy.

    Checking nothing is a ``UsageError`` unless ``allow_empty``, as for ``check``.
    """
    run = _Run(settings=StreamSettings(jobs=jobs, progress=progress))
    loaded = _load(_Sources(tuple(paths), (), tuple(exclude), stdin, stdin_filename), run)
    if not allow_empty:
        _require_something(loaded, run, paths)
    _validate(loaded, run)
    return _report(run, Severity.ERROR, "", ())


def output_conflicts(options: CheckOptions, outputs: Sequence[Path]) -> None:
    """Before any work: refuse an output that is one of the run's inputs, or that cannot
    be written (its folder missing or read-only)."""
    named = [p for p in (*options.paths, *([options.config] if options.config else []),
                         *options.waivers) if p != Path("-")]
    inputs = [path for path, _ in discover(named, exclude=options.exclude)]
    check_outputs(outputs, inputs)


def _require_something(documents: Sequence[Document], run: _Run,
                       paths: Sequence[Path]) -> None:
    """Fail closed on a run that would check nothing: it must not pass as a clean one.

    Something is checked when a document was found through the paths (the --config alone
    is not what was asked to be checked), or a file could not be read (that is an error
    finding of its own).
    """
    if run.findings or any(doc.file in run.from_paths for doc in documents):
        return
    looked_at = ", ".join(p.as_posix() for p in paths)
    patterns = ", ".join(f"*{s}" for s in SUFFIXES)
    if not run.files_found:
        what = f"no {patterns} file found (file extensions in any case)"
    elif run.empty and len(run.empty) == run.files_found:
        what = (f"{run.files_found} file{'s' if run.files_found != 1 else ''} found, "
                f"holding no document (empty, or only comments)")
    else:
        what = (f"{run.files_found} file{'s' if run.files_found != 1 else ''} found, none "
                f"holding a checker document (skipped: {', '.join(sorted(run.skipped)[:5])}"
                f"{', ...' if len(run.skipped) > 5 else ''})")
    raise UsageError(f"nothing to check in {looked_at}: {what}; give --allow-empty to "
                     "accept a run that checks nothing")


def check(options: CheckOptions) -> Report:
    """Run the whole pipeline and return its report."""
    if options.engine not in ENGINES:
        raise UsageError(f"unknown engine {options.engine!r}; choose from {', '.join(ENGINES)}")
    as_of = normalize_as_of(options.as_of) if options.as_of else None
    if options.max_waiver_days < 0:
        raise UsageError("--max-waiver-days must be 0 or more")
    # Both are read before anything is evaluated: an unusable baseline or a missing waivers
    # file stops the run instead of producing a report without them.
    baseline = load_baseline(options.baseline) if options.baseline else None
    waiver_set = load_waivers(options.waivers)
    policies = load_policies(options.policy_dirs, builtin=options.builtin_policies)
    _check_rule_ids(waiver_set, baseline, policies)
    selected = _selection(options, policies)

    run = _Run(settings=_settings(options, policies))
    extra = (options.config,) if options.config else ()
    sources = _Sources(options.paths, extra, options.exclude, options.stdin,
                       options.stdin_filename, tuple(options.display_names))
    loaded = _without_waivers(_load(sources, run), waiver_set, run)
    if not options.allow_empty:
        _require_something(loaded, run, options.paths)
    # The engine (an OPA server among them) is set up only once there is something to check.
    engine = ENGINES[options.engine](options.engine_options)
    engine.load(policies.without_tests())
    documents = _validate(loaded, run)
    configs = [d for d in documents if d.kind == CONFIGURATION_KIND]
    snapshots = [d for d in documents if d.kind == SNAPSHOT_KIND]
    forced = _forced_config(options.config, configs)
    by_partner: dict[str, Document] = {}
    for config in configs:
        by_partner.setdefault(config.data["partner"]["id"], config)

    evaluator = _Evaluator(engine, policies, run, options.batch_size)
    for config in configs:
        partner = config.data["partner"]["id"]
        snapshot_as_of = next((s.data["asOf"] for s in snapshots
                               if s.data["partnerId"] == partner), None)
        # A snapshot that breaks its schema still dates the audit, if its asOf is sound:
        # the configuration is judged at the audit date, not at the day the job runs.
        snapshot_as_of = snapshot_as_of or _any_as_of(run.read, partner)
        # With no --as-of and no snapshot there is no audit date: the configuration is
        # judged without one (its date-based rules are not applicable), never at the wall
        # clock, so the same inputs give the same report on any day.
        audit = judgement_time(as_of, snapshot_as_of) if as_of or snapshot_as_of else None
        if audit is not None:
            run.judged_at[config.file] = audit
        evaluator.configuration(config, audit)
    for snapshot in snapshots:
        matched = forced or by_partner.get(snapshot.data["partnerId"])
        if matched is None or matched.data["partner"]["id"] != snapshot.data["partnerId"]:
            position = snapshot.locator.locate(["partnerId"])
            reason = (f"--config is for partner {matched.data['partner']['id']!r}" if matched
                      else "no valid PartnerConfiguration with that partner.id was given")
            run.input_finding("CHK-PARTNER", f"snapshot of partner "
                              f"{snapshot.data['partnerId']!r} cannot be checked: {reason}",
                              snapshot.file, position.pointer, position.line, position.column)
            continue
        _unmatched_records(snapshot, run)
        run.clouds[snapshot.file] = matched.data["cloud"]
        run.judged_at[snapshot.file] = judgement_time(as_of, snapshot.data["asOf"])
        evaluator.accounts(snapshot, matched, run.judged_at[snapshot.file])
    engine.finish()
    if selected is not None:
        _keep_rules(run, selected)
    # Waivers matching no evaluated document are judged at the audit date too: the
    # earliest one a document was judged at, when no --as-of gives it.
    audit_date = as_of or min(run.judged_at.values(), default=None)
    _settle(run, waiver_set, baseline, judgement_time(audit_date), options.max_waiver_days,
            known_rule_ids(policies), {r.id: r.replaced_by for r in policies.retired.values()})
    report = _report(run, options.fail_on, engine.version(),
                     tuple(r for r in policies.rules.values()
                           if selected is None or r.id in selected))
    return replace(report, policy_version=policy_digest(m.source for m in policies.without_tests()))


def _unmatched_records(snapshot: Document, run: _Run) -> None:
    """CHK-UNMATCHED for each imported record whose customer is not in the customer list."""
    for index, record in enumerate(snapshot.data.get("unmatchedRecords") or ()):
        where = (f"row {record['row']} of {record['file']}" if "row" in record
                 else f"{record['file']}:{record.get('line', 0)}:{record.get('column', 0)}")
        many = f" ({record['count']} of them)" if record.get("count", 1) > 1 else ""
        position = snapshot.locator.locate(["unmatchedRecords", index])
        run.input_finding("CHK-UNMATCHED", f"{record['part']} of customer "
                          f"{record['customer']!r} ({where}){many}: the customer is not in "
                          "Partner Center's customer list, so the record was left out",
                          snapshot.file, position.pointer, position.line, position.column)


def _any_as_of(documents: Sequence[Document], partner: str) -> str | None:
    """The first usable asOf of an AccountSnapshot of ``partner``, valid or not."""
    for doc in documents:
        data = doc.data
        if doc.kind == SNAPSHOT_KIND and isinstance(data, dict) \
                and data.get("partnerId") == partner and isinstance(data.get("asOf"), str) \
                and is_date_time(data["asOf"]):
            return str(data["asOf"])
    return None


def _check_rule_ids(waiver_set: WaiverSet, baseline: Baseline | None,
                    policies: PolicySet) -> None:
    """A waiver or baseline naming no known rule is a mistake: stop before any work.

    A misspelt id would otherwise waive or accept nothing while looking as if it did.
    """
    for waiver in waiver_set.waivers:
        problem = unknown_rule_problem(waiver.rule, policies)
        if problem is not None:
            where = waiver.location
            raise UsageError(f"{where.file}:{where.line}:{where.column}: waiver "
                             f"{waiver.ticket}: {problem}")
    if baseline is not None:
        for found in baseline.findings:
            problem = unknown_rule_problem(found.rule_id, policies)
            if problem is not None:
                raise UsageError(f"--baseline {baseline.file}: finding in {found.file}: "
                                 f"{problem}")


def _selection(options: CheckOptions, policies: PolicySet) -> frozenset[str] | None:
    """The rule ids kept by ``--rule`` and ``--skip-rule``; ``None`` keeps every rule."""
    if not options.rules and not options.skip_rules:
        return None
    kept = (select_rules(options.rules, policies, "--rule") if options.rules
            else frozenset(policies.rules))
    return kept - select_rules(options.skip_rules, policies, "--skip-rule")


def _keep_rules(run: _Run, selected: frozenset[str]) -> None:
    """Drop the findings and results of rules not selected; input findings always stay."""
    run.findings = [f for f in run.findings if f.rule_id in INPUT_RULES
                    or f.rule_id in selected]
    run.results = [r for r in run.results if r.rule_id in selected]


def judgement_time(as_of: str | None, document_as_of: str | None = None) -> str:
    """The "now" a document is judged at: ``--as-of``, else its snapshot's asOf, else today.

    The one place this is decided: time-based rules and waiver expiry use the same time,
    so a waiver applies exactly when the finding it covers is judged.
    """
    return as_of or document_as_of or _today()


def _without_waivers(documents: Sequence[Document], waiver_set: WaiverSet,
                     run: _Run) -> list[Document]:
    """Leave out Waivers documents found among the inputs: only --waivers files apply.

    They are listed as skipped, unless the same file is also given with --waivers (then it
    is among the documents as waivers).
    """
    for doc in documents:
        if doc.kind == WAIVERS_KIND and doc.file not in waiver_set.files:
            run.skipped.append(doc.file)
    return [d for d in documents if d.kind != WAIVERS_KIND]


def _settle(run: _Run, waiver_set: WaiverSet, baseline: Baseline | None, default_as_of: str,
            max_waiver_days: int, known_rules: Iterable[str],
            retired: Mapping[str, str] | None = None) -> None:
    """Apply waivers, then the baseline, to the findings of a complete evaluation.

    Waivers go first, so that a finding both waived and in the baseline shows its waiver
    (and the waiver counts as used); input findings (CHK-*) can be neither.
    """
    run.documents.extend(DocumentInfo(file, WAIVERS_KIND) for file in waiver_set.files)
    applied = apply_waivers(run.findings, waiver_set.waivers, as_of_by_file=run.judged_at,
                            default_as_of=default_as_of, max_days=max_waiver_days,
                            unwaivable=INPUT_RULES, known_rules=set(known_rules),
                            retired=retired)
    run.findings = list(applied.findings)
    for problem in (*waiver_set.problems, *applied.problems):
        where = problem.location
        run.input_finding(problem.rule_id, problem.message, where.file, where.pointer,
                          where.line, where.column)
    if baseline is not None:
        run.findings = list(apply_baseline(run.findings, baseline, unacceptable=INPUT_RULES))
        run.resolved = list(resolved(run.findings, baseline))


def _forced_config(path: Path | None, configs: Sequence[Document]) -> Document | None:
    if path is None:
        return None
    # Already loaded among the inputs; a YAML stream names its documents "file#N".
    name = display_name(path)
    return next((c for c in configs if c.file == name or c.file.startswith(f"{name}#")), None)


def _today() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT00:00:00Z")


def _report(run: _Run, fail_on: Severity | None, engine: str, rules: tuple[Rule, ...]) -> Report:
    used = {f.rule_id for f in run.findings} | {r.rule_id for r in run.results}
    catalogue = [*INPUT_RULES.values(), *rules]
    return Report(
        findings=tuple(sorted(set(run.findings), key=lambda f: f.sort_key)),
        results=tuple(sorted(run.results, key=lambda r: (r.file, r.rule_id))),
        # A document's asOf in the report is the time it was judged at (--as-of wins).
        documents=tuple(sorted((replace(d, as_of=run.judged_at.get(d.file, d.as_of),
                                        cloud=run.clouds.get(d.file, d.cloud),
                                        subscriptions=tuple(sorted(
                                            run.subscriptions.get(d.file, {}).items())))
                                for d in run.documents), key=lambda d: d.file)),
        fail_on=fail_on,
        engine=engine,
        skipped=tuple(sorted(run.skipped)),
        rules=tuple(sorted((r for r in catalogue if r.id in used or r.target != "input"),
                           key=lambda r: r.id)),
        resolved=tuple(run.resolved),
        judged_at=tuple(sorted(run.judged_at.items())),
    )


class _Evaluator:
    """Evaluates documents and turns the engine's answers into findings and results."""

    def __init__(self, engine: Engine, policies: PolicySet, run: _Run, batch_size: int) -> None:
        self._engine = engine
        self._policies = policies
        self._run = run
        self._batch_size = max(1, batch_size)

    def configuration(self, config: Document, as_of: str | None) -> None:
        started = time.perf_counter()
        payload: dict[str, Any] = {"configuration": config.data}
        if as_of is not None:
            payload["asOf"] = as_of
        answer = self._ask(CONFIGURATION, payload)
        fired = self._collect(answer.deny, {"": config, "configuration": config})
        self._results(CONFIGURATION, config, config.data["cloud"], fired,
                      [answer.not_applicable])
        self._run.settings.add_time("evaluate", time.perf_counter() - started)

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
        checked = check_chunks(snapshot, job, self._run.settings, self._engine,
                               stage="evaluate")
        if checked.failure is not None:
            raise EngineError(f"{snapshot.file}: the file changed while it was being checked")
        fired = set()
        key = document_key(snapshot)
        for found in checked.findings:
            where = found.position
            self._run.findings.append(build_finding(
                self._policies.rules, found.rule_id, found.message,
                Location(snapshot.file, where.pointer, where.line, where.column),
                key, found.identity, found.customer, found.subscription))
            fired.add(found.rule_id)
        fired |= self._collect(checked.others, {"": snapshot, "configuration": config})
        add_counts(self._run.subscriptions.setdefault(snapshot.file, {}), checked.subscriptions)
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
            self._run.findings.append(build_finding(
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
            self._run.results.append(result)
