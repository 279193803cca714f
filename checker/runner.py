"""The one-way pipeline: sources -> validate -> evaluate -> settle -> report.

``check`` and ``validate_only`` are the library's entry points; they run the stages in
``checker.stages`` in that order and return a ``Report``, and never print. Anything that
prevents a complete evaluation raises a ``CheckerError``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from checker.baseline import Baseline, load_baseline
from checker.engines import ENGINES, EngineOptions
from checker.engines.opa import policy_digest
from checker.errors import UsageError
from checker.loading import discover
from checker.model import DocumentInfo, Report, Severity
from checker.output import check_outputs
from checker.policies import (
    PolicySet,
    known_rule_ids,
    load_policies,
    select_rules,
    unknown_rule_problem,
)
from checker.stages.evaluate import evaluate_documents, judgement_time
from checker.stages.report import build_report
from checker.stages.settle import keep_rules, settle
from checker.stages.sources import Sources, read, require_something, without_waivers
from checker.stages.validate import validate_documents
from checker.stream import CHUNK_BYTES, EngineSpec, Progress, StreamSettings
from checker.validation import is_date_time
from checker.waivers import DEFAULT_MAX_DAYS, WAIVERS_KIND, WaiverSet, load_waivers


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
    ``fail_on`` ``None`` never fails the run on findings. Customers are evaluated in batches
    of at most ``batch_size``, and of no more than the engine prefers (``Engine.batch_size``).
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


def validate_only(paths: Sequence[Path], *, jobs: int | None = None,
                  progress: Progress | None = None, allow_empty: bool = False,
                  exclude: Sequence[str] = (), stdin: str | None = None,
                  stdin_filename: str = "-") -> Report:
    """Load and schema-check documents without evaluating any policy.

    Checking nothing is a ``UsageError`` unless ``allow_empty``, as for ``check``.
    """
    settings = StreamSettings(jobs=jobs, progress=progress)
    loaded = read(Sources(tuple(paths), (), tuple(exclude), stdin, stdin_filename), settings)
    if not allow_empty:
        require_something(loaded, paths)
    validated = validate_documents(loaded.documents, settings)
    return build_report(findings=(*loaded.findings, *validated.findings), results=(),
                        documents=validated.infos, skipped=loaded.skipped,
                        fail_on=Severity.ERROR, engine="", rules=())


def output_conflicts(options: CheckOptions, outputs: Sequence[Path]) -> None:
    """Before any work: refuse an output that is one of the run's inputs, or that cannot
    be written (its folder missing or read-only)."""
    named = [p for p in (*options.paths, *([options.config] if options.config else []),
                         *options.waivers) if p != Path("-")]
    inputs = [path for path, _ in discover(named, exclude=options.exclude)]
    check_outputs(outputs, inputs)


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

    settings = _settings(options, policies)
    extra = (options.config,) if options.config else ()
    sources = Sources(options.paths, extra, options.exclude, options.stdin,
                      options.stdin_filename, tuple(options.display_names))
    loaded = without_waivers(read(sources, settings), waiver_set)
    if not options.allow_empty:
        require_something(loaded, options.paths)
    # The engine (an OPA server among them) is set up only once there is something to check.
    engine = ENGINES[options.engine](options.engine_options)
    engine.load(policies.without_tests())
    validated = validate_documents(loaded.documents, settings)
    evaluated = evaluate_documents(engine, policies, validated.valid, validated.read,
                                   as_of=as_of, config=options.config,
                                   batch_size=min(options.batch_size, engine.batch_size),
                                   settings=settings)
    engine.finish()
    findings, results = keep_rules((*loaded.findings, *validated.findings,
                                    *evaluated.findings), evaluated.results, selected)
    # Waivers matching no evaluated document are judged at the audit date too: the
    # earliest one a document was judged at, when no --as-of gives it.
    audit_date = as_of or min(evaluated.judged_at.values(), default=None)
    settled = settle(findings, waiver_set, baseline, judged_at=evaluated.judged_at,
                     default_as_of=judgement_time(audit_date),
                     max_waiver_days=options.max_waiver_days,
                     known_rules=known_rule_ids(policies),
                     retired={r.id: r.replaced_by for r in policies.retired.values()})
    report = build_report(
        findings=settled.findings, results=results,
        documents=(*validated.infos,
                   *(DocumentInfo(file, WAIVERS_KIND) for file in waiver_set.files)),
        skipped=loaded.skipped, fail_on=options.fail_on, engine=engine.version(),
        rules=tuple(r for r in policies.rules.values() if selected is None or r.id in selected),
        resolved=settled.resolved, judged_at=evaluated.judged_at, clouds=evaluated.clouds,
        subscriptions=evaluated.subscriptions)
    return replace(report, policy_version=policy_digest(m.source for m in policies.without_tests()))


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


def _settings(options: CheckOptions, policies: PolicySet) -> StreamSettings:
    # Worker processes build their own engine; only the embedded one can be copied that
    # way (a remote engine's server holds one set of policies for all).
    engine = (EngineSpec(options.engine, options.engine_options, policies.without_tests())
              if options.engine == "embedded" else None)
    return StreamSettings(jobs=options.jobs, chunk_bytes=options.chunk_bytes,
                          progress=options.progress, timings=options.timings, engine=engine)
