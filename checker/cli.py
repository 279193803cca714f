"""Command line: options in, one library call, report out, exit code.

Heavy modules (the engine, the schema validator) are imported inside the commands so that
``checker --help`` stays fast.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import click

from checker import __version__
from checker.errors import CheckerError, ExitCode, UsageError
from checker.formats import FORMATTERS

if TYPE_CHECKING:
    from checker.formats.text import TextOptions
    from checker.model import Report

FORMAT_NAMES = tuple(FORMATTERS)
# Spelled out rather than read from checker.engines, which imports the engines themselves;
# a test keeps the two in step.
ENGINE_NAMES = ("embedded", "opa")
SEVERITIES = ("error", "warning", "info")
FAIL_ON = (*SEVERITIES, "never")
COLOR_CHOICES = ("auto", "always", "never")

EXIT_CODES = """\b
Exit codes:
  0    no finding at or above --fail-on
  1    findings at or above --fail-on (broken or invalid inputs always count)
  2    usage error (bad option, missing path, unknown rule id, output that is
       an input) or nothing to check (no document found; see --allow-empty)
  3    could not run (policy does not compile, unreadable policy folder,
       engine failure, report cannot be written)
  130  interrupted (SIGINT); 143 terminated (SIGTERM): no report is written"""


class Terminated(BaseException):
    """SIGTERM arrived: unwind (stopping workers, removing temporary files), then exit."""


def _fail(exc: CheckerError) -> NoReturn:
    click.echo(f"checker: error: {exc}", err=True)
    sys.exit(int(exc.exit_code))


@contextmanager
def _progress() -> Iterator[Callable[[str, int, int], None] | None]:
    """A progress bar on standard error when a person watches it, else nothing."""
    from checker import progressbar

    if not progressbar.wanted(sys.stderr):
        yield None
        return
    bar = progressbar.ProgressBar(sys.stderr, progressbar.DELAY_SECONDS)
    try:
        yield bar
    finally:
        bar.close()


def _warn(warnings: Sequence[str]) -> None:
    for warning in warnings:
        click.echo(f"checker: warning: {warning}", err=True)


def _run(action: Callable[[], int]) -> NoReturn:
    # Interrupts are handled here: click would turn KeyboardInterrupt into exit 1, the
    # code of a run with findings.
    try:
        code = action()
    except CheckerError as exc:
        _fail(exc)
    except KeyboardInterrupt:
        click.echo("checker: interrupted; no report written", err=True)
        sys.exit(130)
    except Terminated:
        click.echo("checker: terminated; no report written", err=True)
        sys.exit(143)
    sys.exit(code)


def pair_outputs(formats: Sequence[str], outputs: Sequence[Path]) -> list[tuple[str, Path | None]]:
    """Pair the i-th --format with the i-th --output; formats beyond the outputs go to stdout."""
    formats = list(formats) or ["text"]
    if len(outputs) > len(formats):
        raise UsageError("more --output files than --format options: give one --format per "
                         "--output")
    pairs: list[tuple[str, Path | None]] = [
        (fmt, outputs[i] if i < len(outputs) else None) for i, fmt in enumerate(formats)
    ]
    if sum(1 for _, out in pairs if out is None) > 1:
        raise UsageError("only one --format can go to standard output; give the others an "
                         "--output file")
    return pairs


def use_color(choice: str, stream: Any) -> bool:
    """``--color``: always, never, or auto (a terminal, and NO_COLOR unset or empty)."""
    if choice != "auto":
        return choice == "always"
    if os.environ.get("NO_COLOR") or os.environ.get("TERM") == "dumb":
        return False
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


def emit(report: Report, pairs: Sequence[tuple[str, Path | None]],
         text: TextOptions | None = None) -> list[str]:
    """Render every format first, then write files atomically, then standard output.

    ``text`` sets what the text format shows; colour only ever goes to standard output.
    Returns the rendered texts, in the order of ``pairs`` (for the evidence manifest).
    """
    from dataclasses import replace

    from checker.formats.text import TextFormatter
    from checker.output import write_atomically

    def render(fmt: str, out: Path | None) -> str:
        if fmt == "text" and text is not None:
            shown = text if out is None else replace(text, color=False)
            return TextFormatter(shown).render(report)
        return FORMATTERS[fmt]().render(report)

    rendered = [(render(fmt, out), out) for fmt, out in pairs]
    for body, out in rendered:
        if out is not None:
            write_atomically(out, body)
    # click strips ANSI codes from output that is not a terminal; --color always keeps them.
    keep_colour = bool(text and text.color)
    for body, out in rendered:
        if out is None:
            click.echo(body, nl=False, color=keep_colour or None)
    return [body for body, _ in rendered]


_paths = click.argument(
    "paths", nargs=-1, required=True,
    type=click.Path(path_type=Path, exists=True, allow_dash=True),
)
_allow_empty = click.option(
    "--allow-empty", is_flag=True,
    help="Accept a run that finds no document to check (by default it is an error, exit 2).",
)
_exclude = click.option(
    "--exclude", "exclude", multiple=True, metavar="GLOB",
    help="Leave out files found in folders whose path or name matches GLOB; repeatable.",
)
_stdin_filename = click.option(
    "--stdin-filename", metavar="NAME", default="-", show_default=True,
    help="Name of the document read from standard input (path -) in reports; a name "
         "ending in .json is read as JSON, any other as YAML.",
)
_verbose = click.option(
    "-v", "--verbose", is_flag=True,
    help="Text format: show each finding's JSON pointer, remediation and note.",
)
_quiet = click.option(
    "-q", "--quiet", is_flag=True, help="Text format: print only the summary line.",
)
_color = click.option(
    "--color", type=click.Choice(COLOR_CHOICES), default="auto", show_default=True,
    help="Colour the text format: auto is on a terminal only, and off when NO_COLOR is set.",
)
_format = click.option(
    "-f", "--format", "formats", multiple=True, type=click.Choice(FORMAT_NAMES),
    help="Report format; repeat for several (default: text).",
)
_jobs = click.option(
    "-j", "--jobs", type=click.IntRange(min=1), metavar="N",
    help="Worker processes for large JSON snapshots (default: one per core); the report "
         "is the same whatever N.",
)
_output = click.option(
    "-o", "--output", "outputs", multiple=True, type=click.Path(path_type=Path, dir_okay=False),
    help="Write the matching --format to FILE (atomically) instead of standard output.",
)


def _books_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """The options that read the partner's books and name the partner, for an import."""
    csv = click.Path(path_type=Path, exists=True, dir_okay=False)
    for kind, what in reversed((("receivables", "open and paid invoices to customers"),
                                ("credit", "credit decisions"),
                                ("onboarding", "identity checks and first orders"),
                                ("actions", "suspensions and other partner actions"))):
        command = click.option(f"--{kind}", type=csv, metavar="CSV",
                               help=f"CSV of the partner's {what}.")(command)
    command = click.option("--partner-id", metavar="ID",
                           help="partner.id of the PartnerConfiguration the snapshot is "
                                "for.")(command)
    return click.option("--decimal-comma", is_flag=True,
                        help="CSV amounts are written 1.234,50.")(command)


def _books(**kinds: Path | None) -> tuple[tuple[str, Path], ...]:
    return tuple((kind, path) for kind, path in kinds.items() if path is not None)


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="checker")
def cli() -> None:
    """Check CSP partners' collections, fraud and credit controls against Microsoft's
    "Non-payment, fraud, or misuse" guidance.

    \b
    Inputs are YAML or JSON documents:
      PartnerConfiguration  the partner's declared policies and controls
      AccountSnapshot       customers, receivables, credit decisions and
                            Partner Center subscriptions, fraud events and
                            service requests at one moment
    """


@cli.command(epilog=EXIT_CODES)
@_paths
@click.option("-c", "--config", type=click.Path(path_type=Path, exists=True, dir_okay=False),
              help="PartnerConfiguration to check every snapshot against (default: the one "
                   "whose partner.id matches the snapshot's partnerId).")
@click.option("-p", "--policy", "policy_dirs", multiple=True,
              type=click.Path(path_type=Path, exists=True, file_okay=False),
              help="Folder of your own Rego policies, added to the built-in ones; repeatable.")
@click.option("--no-builtin", is_flag=True, help="Evaluate only the --policy folders.")
@_format
@_output
@click.option("--fail-on", type=click.Choice(FAIL_ON), default="error", show_default=True,
              help="Lowest finding severity that makes the run fail (exit 1); never: "
                   "report only.")
@click.option("--rule", "rules", multiple=True, metavar="ID",
              help="Report only this rule (an id or a glob such as ACCT-*); repeatable.")
@click.option("--skip-rule", "skip_rules", multiple=True, metavar="ID",
              help="Leave out this rule (an id or a glob); repeatable.")
@click.option("--as-of", metavar="DATE",
              help="Judge snapshots as of this date or RFC 3339 date-time instead of their "
                   "asOf (re-run an audit for a past date).")
@click.option("--engine", type=click.Choice(ENGINE_NAMES), default="embedded",
              show_default=True, help="Policy engine: embedded (regorus) or opa (an OPA "
                                      "server; its token is read from CHECKER_OPA_TOKEN).")
@click.option("--opa-url", metavar="URL", default="http://localhost:8181", show_default=True,
              envvar="CHECKER_OPA_URL", show_envvar=True,
              help="OPA server for --engine opa (scheme://host:port).")
@click.option("--opa-timeout", metavar="SECONDS", type=click.FloatRange(min=0, min_open=True),
              default=30.0, show_default=True,
              help="Longest wait for one answer of the OPA server.")
@click.option("--opa-retries", metavar="N", type=click.IntRange(0, 10), default=2,
              show_default=True,
              help="Retries of an OPA request after a connection error or HTTP 502/503/504.")
@click.option("--waivers", "waivers", multiple=True, metavar="FILE",
              type=click.Path(path_type=Path, exists=True, dir_okay=False),
              help="Waivers document (kind Waivers); repeatable. Only these apply: Waivers "
                   "documents found among the inputs are skipped.")
@click.option("--max-waiver-days", type=click.IntRange(min=0), default=365, show_default=True,
              metavar="N", help="Reject waivers expiring more than N days after the as-of date.")
@click.option("--baseline", type=click.Path(path_type=Path, dir_okay=False), metavar="REPORT",
              help="JSON report of an earlier run: its findings are reported as baseline and "
                   "do not fail the run; those gone are listed as resolved.")
@click.option("--evidence", type=click.Path(path_type=Path, dir_okay=False), metavar="FILE",
              help="Write an evidence manifest (hashes of inputs, policies and schemas, "
                   "versions, options, verdict) after the report, when the run completed.")
@_jobs
@_books_options
@_allow_empty
@_exclude
@_stdin_filename
@_verbose
@_quiet
@_color
def check(paths: tuple[Path, ...], config: Path | None, policy_dirs: tuple[Path, ...],
          no_builtin: bool, formats: tuple[str, ...], outputs: tuple[Path, ...], fail_on: str,
          rules: tuple[str, ...], skip_rules: tuple[str, ...],
          as_of: str | None, engine: str, opa_url: str, opa_timeout: float,
          opa_retries: int, waivers: tuple[Path, ...], max_waiver_days: int,
          baseline: Path | None, evidence: Path | None, jobs: int | None,
          receivables: Path | None, credit: Path | None, onboarding: Path | None,
          actions: Path | None, partner_id: str | None, decimal_comma: bool,
          allow_empty: bool, exclude: tuple[str, ...], stdin_filename: str, verbose: bool,
          quiet: bool, color: str) -> NoReturn:
    """Check documents (files, or folders searched for *.json, *.yaml, *.yml).

    \b
    Examples:
      checker check examples/
      checker check partner.yaml snapshot.json --format json --output report.json
      checker check snapshots/ --config partner.yaml --fail-on warning
      checker check configs/ --policy my-rules/ --as-of 2026-06-30
      checker check inputs/ --waivers waivers.yaml --baseline last.json \\
          --evidence evidence.json
      checker check configs/ --rule 'COLL-*' --skip-rule COLL-011 --fail-on never
      cat partner.yaml | checker check - --stdin-filename partner.yaml
      checker check partner.yaml exports/ --receivables ar.csv --credit credit.csv

    With --receivables, --credit, --onboarding, --actions, --partner-id or
    --decimal-comma, each folder among PATHS is a Partner Center export, imported
    as by `checker import partner-center` and checked as one snapshot.
    """
    def action(paths: tuple[Path, ...] = paths,
               display_names: tuple[tuple[Path, str], ...] = ()) -> int:
        from checker.engines.interface import EngineOptions
        from checker.model import Severity
        from checker.runner import CheckOptions, output_conflicts
        from checker.runner import check as run_check

        if no_builtin and not policy_dirs:
            raise UsageError("--no-builtin needs at least one --policy folder")
        pairs = pair_outputs(formats, outputs)
        options = CheckOptions(
            paths=paths, config=config, policy_dirs=policy_dirs,
            builtin_policies=not no_builtin, engine=engine,
            fail_on=None if fail_on == "never" else Severity(fail_on),
            as_of=as_of, waivers=waivers, max_waiver_days=max_waiver_days,
            baseline=baseline, jobs=jobs, allow_empty=allow_empty, rules=rules,
            skip_rules=skip_rules, exclude=exclude, stdin=_read_stdin(paths),
            stdin_filename=stdin_filename, display_names=display_names,
            engine_options=EngineOptions(opa_url=opa_url, timeout=opa_timeout,
                                         retries=opa_retries),
        )
        output_conflicts(options, [*outputs, *([evidence] if evidence else [])])
        with _progress() as progress:
            from dataclasses import replace

            report = run_check(replace(options, progress=progress))
        texts = emit(report, pairs, _text_options(verbose, quiet, color))
        if evidence is not None:
            from checker.evidence import RenderedReport, write_evidence

            write_evidence(evidence, options, report,
                           [RenderedReport(fmt, out, text)
                            for (fmt, out), text in zip(pairs, texts, strict=True)])
        return int(report.exit_code)

    books = _books(receivables=receivables, credit=credit, onboarding=onboarding,
                   actions=actions)
    if books or partner_id or decimal_comma:
        def imported() -> int:
            from checker.importing import imported_inputs

            with imported_inputs(paths, books, partner_id, as_of, decimal_comma,
                                 config) as inputs:
                for result in inputs.results:
                    _warn(result.warnings)
                return action(inputs.paths, inputs.display_names)

        _run(imported)
    _run(action)


@cli.command(epilog=EXIT_CODES)
@_paths
@_format
@_output
@_jobs
@_allow_empty
@_exclude
@_stdin_filename
@_verbose
@_quiet
@_color
def validate(paths: tuple[Path, ...], formats: tuple[str, ...],
             outputs: tuple[Path, ...], jobs: int | None, allow_empty: bool,
             exclude: tuple[str, ...], stdin_filename: str, verbose: bool, quiet: bool,
             color: str) -> NoReturn:
    """Check documents against their JSON Schemas only; no policy runs.

    \b
    Examples:
      checker validate partner.yaml
      checker validate exports/ --format json
    """

    def action() -> int:
        from checker.runner import CheckOptions, output_conflicts, validate_only

        pairs = pair_outputs(formats, outputs)
        output_conflicts(CheckOptions(paths=paths, exclude=exclude), outputs)
        stdin = _read_stdin(paths)
        with _progress() as progress:
            report = validate_only(paths, jobs=jobs, progress=progress,
                                   allow_empty=allow_empty, exclude=exclude, stdin=stdin,
                                   stdin_filename=stdin_filename)
        emit(report, pairs, _text_options(verbose, quiet, color))
        return int(report.exit_code)

    _run(action)


def _read_stdin(paths: Sequence[Path]) -> str | None:
    """Standard input's text when ``-`` is among the paths (read before any work)."""
    if Path("-") not in paths:
        return None
    data: bytes = sys.stdin.buffer.read()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UsageError("standard input (-) is not UTF-8 text") from exc


def _text_options(verbose: bool, quiet: bool, color: str) -> TextOptions:
    from checker.formats.text import TextOptions

    if verbose and quiet:
        raise UsageError("--verbose and --quiet cannot be given together")
    return TextOptions(verbose=verbose, quiet=quiet, color=use_color(color, sys.stdout))


def _terminate(signum: int, frame: object) -> None:
    raise Terminated


def main(argv: Sequence[str] | None = None) -> Any:
    """Console-script entry point.

    SIGINT and SIGTERM unwind the run (worker processes stopped, temporary files removed,
    no report written) and exit 130 and 143, as a shell reports a process they killed.
    """
    import signal

    signal.signal(signal.SIGTERM, _terminate)
    try:
        return cli.main(args=argv, prog_name="checker")
    except KeyboardInterrupt:
        click.echo("checker: interrupted; no report written", err=True)
        _exit_now(128 + signal.SIGINT)
    except Terminated:
        click.echo("checker: terminated; no report written", err=True)
        _exit_now(128 + signal.SIGTERM)
    except SystemExit as exc:
        _exit_now(exc.code)


def _exit_now(code: object) -> NoReturn:
    """Leave the process without tearing down its objects, once output is flushed.

    Freeing the findings and parsed data of a large run one object at a time takes longer
    than anything left to do; the operating system reclaims the memory at once. Only the
    console entry point does this: the library and ``cli`` (used in-process, by tests
    among others) exit normally.
    """
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError):
        # Output could not be flushed (a closed pipe): let the normal exit report it.
        raise SystemExit(code) from None
    if code is None:
        os._exit(0)
    if isinstance(code, int):
        os._exit(code)
    # sys.exit("message") prints the message and exits 1.
    raise SystemExit(code)


@cli.group(name="import")
def import_group() -> None:
    """Turn exports into an AccountSnapshot."""


@import_group.command(name="partner-center", epilog="""\b
Exit codes:
  0  snapshot written (warnings on standard error)
  1  an export has a bad value (one located line; nothing written)
  2  usage error (bad option, no customers in EXPORT_DIR)
  3  the snapshot cannot be written""")
@click.argument("export_dir", type=click.Path(path_type=Path, exists=True, file_okay=False))
@_books_options
@click.option("--as-of", metavar="DATE", help="The snapshot's asOf (default: now, in UTC).")
@click.option("-o", "--output", type=click.Path(path_type=Path, dir_okay=False),
              required=True, help="Snapshot file to write (atomically).")
def import_partner_center(export_dir: Path, receivables: Path | None, credit: Path | None,
                          onboarding: Path | None, actions: Path | None,
                          partner_id: str | None, decimal_comma: bool, as_of: str | None,
                          output: Path) -> NoReturn:
    """Import saved Partner Center API responses (and the partner's CSVs) into a snapshot.

    \b
    Examples:
      checker import partner-center exports/ --partner-id contoso -o snapshot.json
      checker import partner-center exports/ --partner-id contoso \\
          --receivables ar.csv --credit credit.csv --as-of 2026-06-30 -o snapshot.json
    """

    def action() -> int:
        from checker.importing import ImportOptions
        from checker.importing import import_partner_center as run_import

        books = _books(receivables=receivables, credit=credit, onboarding=onboarding,
                       actions=actions)
        result = run_import(ImportOptions(export_dir, partner_id or "", books, as_of,
                                          decimal_comma), output)
        _warn(result.warnings)
        noted = "".join(f"; {what}: {count}" for what, count in result.counts)
        click.echo(f"checker: imported {result.customers} customers into {output}{noted}",
                   err=True)
        return 0

    _run(action)


@cli.command(name="test")
@click.argument("policy_dirs", nargs=-1,
                type=click.Path(path_type=Path, exists=True, file_okay=False))
@click.option("--no-builtin", is_flag=True, help="Test only the given folders.")
@click.option("-v", "--verbose", is_flag=True, help="Print every test, not only failures.")
def test_command(policy_dirs: tuple[Path, ...], no_builtin: bool, verbose: bool) -> NoReturn:
    """Run the Rego unit tests (test_* rules) of the built-in and given policies.

    Also checks that every rule id has a test where it fires (test_<id>_fires...)
    and one where it does not (test_<id>_does_not_fire...).

    \b
    Examples:
      checker test
      checker test my-rules/ -v
    """

    def action() -> int:
        from checker.policies import load_policies
        from checker.testing import run_tests

        if no_builtin and not policy_dirs:
            raise UsageError("--no-builtin needs at least one policy folder")
        run = run_tests(load_policies(policy_dirs, builtin=not no_builtin))
        for outcome in run.outcomes:
            if outcome.skipped:
                label = "SKIP"
            elif outcome.passed:
                label = "PASS"
            else:
                label = "FAIL"
            if verbose or label == "FAIL":
                detail = f": {outcome.detail}" if outcome.detail else ""
                click.echo(f"{label} {outcome.module}: data.{outcome.package}.{outcome.name}"
                           f"{detail}")
        for rule_id in run.missing_fires:
            click.echo(f"MISSING {rule_id}: no test named test_..._fires (the rule firing)")
        for rule_id in run.missing_does_not_fire:
            click.echo(f"MISSING {rule_id}: no test named test_..._does_not_fire")
        skipped = f", {run.skipped} skipped" if run.skipped else ""
        click.echo(f"{run.passed} passed, {run.failed} failed{skipped}")
        return 0 if run.ok else int(ExitCode.FINDINGS)

    _run(action)


@cli.command()
@click.option("-p", "--policy", "policy_dirs", multiple=True,
              type=click.Path(path_type=Path, exists=True, file_okay=False),
              help="Also list the rules of this policy folder; repeatable.")
@click.option("-f", "--format", "fmt", type=click.Choice(("text", "json", "markdown")),
              default="text", show_default=True, help="Output format.")
def rules(policy_dirs: tuple[Path, ...], fmt: str) -> NoReturn:
    """List the rule catalogue: id, concern, severity, clouds, applicability and title.

    Retired ids are listed after the rules, with the rule that replaced each.

    \b
    Examples:
      checker rules
      checker rules --format json
      checker rules --policy my-rules/
    """

    def action() -> int:
        from checker import catalogue
        from checker.policies import INPUT_RULES, load_policies

        policies = load_policies(policy_dirs)
        catalogue_rules = [*policies.rules.values()]
        render = {"text": catalogue.render_text, "json": catalogue.render_json,
                  "markdown": catalogue.render_markdown}[fmt]
        shown = catalogue_rules if fmt == "markdown" else [*catalogue_rules,
                                                           *INPUT_RULES.values()]
        click.echo(render(shown, policies.retired.values()), nl=False)
        return 0

    _run(action)


@cli.command()
@click.argument("rule_id")
@click.option("-p", "--policy", "policy_dirs", multiple=True,
              type=click.Path(path_type=Path, exists=True, file_okay=False),
              help="Also search this policy folder; repeatable.")
@click.option("-f", "--format", "fmt", type=click.Choice(("text", "json")), default="text",
              show_default=True, help="Output format.")
def explain(rule_id: str, policy_dirs: tuple[Path, ...], fmt: str) -> NoReturn:
    """Explain one rule: guidance, rationale, parameters, remediation, examples.

    \b
    Examples:
      checker explain CRED-004
      checker explain coll-006 --format json
    """

    def action() -> int:
        import json

        from checker import catalogue
        from checker.policies import INPUT_RULES, load_policies, unknown_rule_problem

        policies = load_policies(policy_dirs)
        known = {**INPUT_RULES, **policies.rules}
        rule = known.get(rule_id.upper())
        retired = policies.retired.get(rule_id.upper())
        if retired is not None:
            click.echo(json.dumps(catalogue.retired_dict(retired), indent=2, ensure_ascii=False)
                       if fmt == "json" else catalogue.explain_retired(retired).rstrip("\n"))
            return 0
        if rule is None:
            raise UsageError(unknown_rule_problem(rule_id.upper(), policies)
                             or f"no rule {rule_id!r}")
        if fmt == "json":
            click.echo(json.dumps(catalogue.rule_dict(rule), indent=2, ensure_ascii=False))
        else:
            click.echo(catalogue.explain(rule), nl=False)
        return 0

    _run(action)


@cli.command()
@click.argument("name", required=False)
def schema(name: str | None) -> NoReturn:
    """Print a published JSON Schema, as in the file (or list their names).

    NAME is partner-configuration, account-snapshot, waivers, report or evidence (a
    document kind such as AccountSnapshot also works).

    \b
    Examples:
      checker schema
      checker schema partner-configuration > partner-configuration.schema.json
    """

    def action() -> int:
        from checker.validation import published_schemas, schema_text

        if name is None:
            click.echo("\n".join(published_schemas()))
        else:
            click.echo(schema_text(name), nl=False)
        return 0

    _run(action)
