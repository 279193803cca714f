"""Every format's output for a fixed report and for the real pipeline, against goldens."""

from __future__ import annotations

import json

import jsonschema
import pytest
import xmlschema

from checker.formats import FORMATTERS
from checker.model import Report
from tests.formats.conftest import COMPARE, PIPELINE_INPUTS, Golden, sample_report, sarif_errors

FORMATS = sorted(COMPARE)


@pytest.mark.parametrize("fmt", FORMATS)
def test_sample_report_matches_golden(fmt: str, golden: Golden) -> None:
    golden.check("sample", fmt, FORMATTERS[fmt]().render(sample_report()))


@pytest.mark.parametrize("name", sorted(PIPELINE_INPUTS))
@pytest.mark.parametrize("fmt", FORMATS)
def test_pipeline_report_matches_golden(fmt: str, name: str, golden: Golden,
                                        pipeline_reports: dict[str, Report]) -> None:
    golden.check(name, fmt, FORMATTERS[fmt]().render(pipeline_reports[name]))


def test_pipeline_reports_are_what_the_goldens_claim(pipeline_reports: dict[str, Report]) -> None:
    # Guards the goldens' meaning: one passes cleanly, the other fails with findings.
    assert not pipeline_reports["global-compliant"].findings
    assert pipeline_reports["global-compliant"].results
    assert pipeline_reports["global-noncompliant"].failing


@pytest.mark.parametrize("name", ["sample", *sorted(PIPELINE_INPUTS)])
def test_sarif_is_valid_against_the_oasis_schema(
        name: str, pipeline_reports: dict[str, Report],
        sarif_validator: jsonschema.protocols.Validator) -> None:
    report = sample_report() if name == "sample" else pipeline_reports[name]
    log = json.loads(FORMATTERS["sarif"]().render(report))
    assert sarif_errors(sarif_validator, log) == []


@pytest.mark.parametrize("name", ["sample", *sorted(PIPELINE_INPUTS)])
def test_junit_is_valid_against_the_jenkins_xsd(name: str, pipeline_reports: dict[str, Report],
                                                junit_schema: xmlschema.XMLSchema) -> None:
    report = sample_report() if name == "sample" else pipeline_reports[name]
    junit_schema.validate(FORMATTERS["junit"]().render(report))


@pytest.mark.parametrize("fmt", sorted(FORMATTERS))
def test_every_format_renders_an_empty_report(fmt: str) -> None:
    text = FORMATTERS[fmt]().render(Report(findings=()))
    assert text.endswith("\n")


@pytest.mark.parametrize("fmt", FORMATS)
def test_output_does_not_depend_on_input_order(fmt: str) -> None:
    report = sample_report()
    shuffled = Report(
        findings=tuple(reversed(report.findings)), results=tuple(reversed(report.results)),
        documents=tuple(reversed(report.documents)), fail_on=report.fail_on,
        engine=report.engine, rules=tuple(reversed(report.rules)),
    )
    formatter = FORMATTERS[fmt]()
    assert formatter.render(shuffled) == formatter.render(report)
