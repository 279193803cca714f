"""The embedded engine, ``opa eval`` and an OPA server decide identically.

OPA is the reference engine. For every example and for a few hundred generated
configurations and snapshots (valid per schemas/), the full report of ``checker.runner.check``
(findings and rule results) must be the same with ``--engine embedded`` and ``--engine opa``
against a real ``opa run --server``, and each raw entry-point value the runner asked the
embedded engine for must equal what ``opa eval`` computes for the same input.
"""

from __future__ import annotations

import copy
import datetime as dt
import importlib.util
import subprocess
import tempfile
from pathlib import Path
from typing import Any
from unittest import mock

import orjson
import pytest
import yaml
from hypothesis import HealthCheck, Phase, assume, given, settings
from hypothesis import strategies as st

from checker.engines import ENGINES, EngineOptions
from checker.engines.embedded import EmbeddedEngine
from checker.model import CLOUDS, Finding, Report, Status
from checker.normalize import normalize_snapshot
from checker.policies import PolicyModule, load_policies
from checker.runner import CheckOptions, check
from checker.validation import validate
from tests.conftest import EXAMPLES, ROOT, opa_binary
from tests.engines.servers import OpaServer

pytestmark = [pytest.mark.opa, pytest.mark.usefixtures("opa")]

ENTRY_POINTS = ("checker.main.configuration", "checker.main.accounts")


# -- engines and OPA ------------------------------------------------------------------


class RecordingEngine:
    """The real embedded engine, keeping each (rule, input, value) the runner asked for."""

    name = "embedded"
    calls: list[tuple[str, str, Any]] = []

    def __init__(self, options: EngineOptions) -> None:
        self._inner = EmbeddedEngine(options)

    @property
    def batch_size(self) -> int:
        return self._inner.batch_size

    def load(self, modules: Any) -> None:
        self._inner.load(modules)

    def evaluate(self, rule: str, input_json: str) -> Any:
        value = self._inner.evaluate(rule, input_json)
        RecordingEngine.calls.append((rule, input_json, value))
        return value

    def finish(self) -> None:
        self._inner.finish()

    def version(self) -> str:
        return self._inner.version()


def write_modules(modules: tuple[PolicyModule, ...], root: Path) -> Path:
    """The exact modules checker loads, as files ``opa eval -d`` can read."""
    for module in modules:
        target = root / module.name.lstrip("/")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(module.source, encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def policy_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_modules(load_policies().without_tests(), tmp_path_factory.mktemp("policies"))


def opa_eval(policy_dir: Path, query: str, input_text: bytes) -> Any:
    """``opa eval --format json -d <dir> --stdin-input <query>``; the query's value."""
    binary = opa_binary()
    assert binary
    proc = subprocess.run(
        [binary, "eval", "--format", "json", "-d", str(policy_dir), "--stdin-input", query],
        input=input_text, capture_output=True, timeout=120, check=False,
    )
    assert proc.returncode == 0, proc.stderr.decode()
    result = orjson.loads(proc.stdout).get("result")
    assert result, f"{query} is undefined under opa eval"
    return result[0]["expressions"][0]["value"]


def canonical(value: Any) -> Any:
    """An entry point's value with its sets (deny, not_applicable) in a fixed order.

    Rego sets have no order, and each engine renders them as JSON arrays in its own;
    everything else (a finding's path, for one) is compared as is.
    """
    assert isinstance(value, dict), value
    return {key: sorted(orjson.dumps(item, option=orjson.OPT_SORT_KEYS) for item in items)
            for key, items in value.items()}


def run_check(paths: tuple[Path, ...], engine: str, url: str = "") -> Report:
    return check(CheckOptions(paths=paths, engine=engine,
                              engine_options=EngineOptions(opa_url=url, timeout=60)))


def recorded_calls(paths: tuple[Path, ...]) -> tuple[Report, list[tuple[str, str, Any]]]:
    RecordingEngine.calls = []
    with mock.patch.dict(ENGINES, {"recording": RecordingEngine}):
        report = run_check(paths, "recording")
    return report, RecordingEngine.calls


class DecisionsDiffer(AssertionError):
    """The engines disagree (raised by assert_same_decisions; known cases are xfail)."""


def assert_same_decisions(embedded: Report, opa: Report) -> None:
    assert opa.engine.startswith("OPA "), opa.engine
    if opa.findings != embedded.findings:
        only_embedded = [describe(f) for f in embedded.findings if f not in opa.findings]
        only_opa = [describe(f) for f in opa.findings if f not in embedded.findings]
        raise DecisionsDiffer(f"findings differ\nonly embedded: {only_embedded}\n"
                              f"only OPA: {only_opa}")
    if opa.results != embedded.results:
        raise DecisionsDiffer(f"rule results differ: "
                              f"{set(opa.results) ^ set(embedded.results)}")


def describe(finding: Finding) -> str:
    return f"{finding.rule_id} {finding.location.file}{finding.location.pointer}: " \
           f"{finding.message}"


# -- examples -------------------------------------------------------------------------


def test_examples_give_identical_reports_on_embedded_and_opa_server(
        opa_server: OpaServer) -> None:
    embedded = run_check((EXAMPLES,), "embedded")
    opa = run_check((EXAMPLES,), "opa", opa_server.url)
    # The examples must exercise the policies, or equality would prove little.
    assert any(r.status is Status.FAIL for r in embedded.results)
    assert any(r.status is Status.PASS for r in embedded.results)
    assert_same_decisions(embedded, opa)


def test_examples_raw_values_match_opa_eval(policy_dir: Path) -> None:
    _, calls = recorded_calls((EXAMPLES,))
    assert calls
    for rule, input_json, value in calls:
        reference = opa_eval(policy_dir, f"data.{rule}", input_json.encode())
        assert canonical(reference) == canonical(value), f"{rule} on {input_json[:200]}"


# -- generated documents --------------------------------------------------------------

BASE = dt.datetime(2026, 6, 30, tzinfo=dt.UTC)
TIME_STYLES = ("z", "offset", "naive", "fraction", "date")
# Day offsets from asOf that sit on the thresholds the policies use (payment terms, access
# impact, deletion windows, credit-check age), besides arbitrary ones.
EDGE_DAYS = (0, -1, 1, -14, -15, -30, -31, -45, -46, -60, -61, -76, -90, -91, -120, -365, -366)


def format_time(moment: dt.datetime, style: str) -> str:
    if style == "z":
        return moment.strftime("%Y-%m-%dT%H:%M:%SZ")
    if style == "offset":
        return moment.astimezone(dt.timezone(dt.timedelta(hours=2))).isoformat()
    if style == "naive":  # Partner Center exports some without an offset: UTC
        return moment.strftime("%Y-%m-%dT%H:%M:%S")
    if style == "fraction":
        return moment.strftime("%Y-%m-%dT%H:%M:%S") + ".69"
    return moment.strftime("%Y-%m-%d")


day_offsets = st.one_of(st.integers(-900, 60), st.sampled_from(EDGE_DAYS))
# Whole cents: amounts with fractions of a cent are rounded differently by the two engines
# (see test_sub_cent_amounts_give_identical_reports).
money = st.one_of(
    st.integers(0, 50_000),
    st.integers(0, 5_000_000).map(lambda cents: cents / 100),
    st.sampled_from([0, 0.01, 0.1, 10_000, 10_000.01, 99_999.99]),
    st.integers(-5_000, -1),
)
small_int = st.sampled_from([0, 1, 7, 14, 15, 30, 31, 45, 46, 60, 61, 89, 90, 91, 120, 365])
names = st.sampled_from(["Contoso", "Fabrikam Ltd", "", "Ünïcode GmbH", 'Quote "Co"'])
who = st.sampled_from(["cfo@contoso.example", "  ", "", "ops@contoso.example"])


def draw_day(draw: st.DrawFn, as_of: dt.datetime) -> str:
    return (as_of + dt.timedelta(days=draw(day_offsets))).strftime("%Y-%m-%d")


def draw_time(draw: st.DrawFn, as_of: dt.datetime, minutes: st.SearchStrategy[int]) -> str:
    return format_time(as_of + dt.timedelta(minutes=draw(minutes)),
                       draw(st.sampled_from(TIME_STYLES)))


def optional(draw: st.DrawFn, target: dict[str, Any], key: str, value: Any) -> None:
    """Put ``value`` under ``key`` about two times in three: absent fields matter too."""
    if draw(st.integers(0, 2)):
        target[key] = value


def example_configurations() -> list[dict[str, Any]]:
    return [document for path in sorted(EXAMPLES.rglob("*.y*ml"))
            for document in yaml.safe_load_all(path.read_text(encoding="utf-8"))
            if isinstance(document, dict) and document.get("kind") == "PartnerConfiguration"]


EXAMPLE_CONFIGURATIONS = example_configurations()
SECTIONS = ("collectionsPolicy", "riskControls", "creditPolicy")


@st.composite
def configurations(draw: st.DrawFn, partner: str, as_of: dt.datetime) -> dict[str, Any]:
    """A fresh configuration, or an example's with some of its fields changed or dropped.

    Fresh ones rarely get every field of a section right, so most rules would only ever
    fail on them; the examples' configurations pass most rules until a change breaks one.
    """
    fresh = draw(fresh_configurations(partner, as_of))
    if not EXAMPLE_CONFIGURATIONS or draw(st.booleans()):
        return fresh
    config = copy.deepcopy(draw(st.sampled_from(EXAMPLE_CONFIGURATIONS)))
    config["partner"]["id"] = partner
    if draw(st.integers(0, 3)) == 0:
        config["cloud"] = fresh["cloud"]
    for section in SECTIONS:
        base, other = config.get(section, {}), fresh.get(section, {})
        for key in sorted(set(base) | set(other)):
            change = draw(st.sampled_from(["keep", "keep", "keep", "keep", "fresh", "drop"]))
            if change == "drop":
                base.pop(key, None)
            elif change == "fresh" and key in other:
                base[key] = other[key]
        if base:
            config[section] = base
    return config


@st.composite
def fresh_configurations(draw: st.DrawFn, partner: str, as_of: dt.datetime) -> dict[str, Any]:
    cloud = draw(st.sampled_from(CLOUDS))
    config: dict[str, Any] = {"apiVersion": "checker/v1", "kind": "PartnerConfiguration",
                              "partner": {"id": partner, "name": draw(names) or "Partner"},
                              "cloud": cloud}
    collections: dict[str, Any] = {}
    optional(draw, collections, "documentRef", "https://contoso.example/collections.pdf")
    optional(draw, collections, "version", draw(st.sampled_from(["3.1", "1"])))
    optional(draw, collections, "effectiveDate", draw_day(draw, as_of))
    optional(draw, collections, "communicatedToCustomers", draw(st.booleans()))
    optional(draw, collections, "communicatedOn", draw_day(draw, as_of))
    optional(draw, collections, "paymentTermsDays", draw(small_int))
    optional(draw, collections, "dunningSteps", draw(st.lists(st.fixed_dictionaries(
        {"dayOffset": small_int,
         "action": st.sampled_from(["reminder", "final-notice", "access-impact",
                                    "collections-agency", "write-off"])},
        optional={"channel": st.sampled_from(["email", "letter", "phone"])}), max_size=4)))
    optional(draw, collections, "accessImpact", {
        "pastDueDays": draw(small_int),
        "action": draw(st.sampled_from(["disable", "suspend", "cancel", "block"]))})
    optional(draw, collections, "maxSuspensionDays", draw(small_int))
    optional(draw, collections, "overdueNoticeContact", "collections@contoso.example")
    optional(draw, config, "collectionsPolicy", collections)

    controls: dict[str, Any] = {}
    optional(draw, controls, "partnerTenantMfa", draw(st.booleans()))
    optional(draw, controls, "customerIdentityVerification", draw(st.fixed_dictionaries(
        {}, optional={"atOnboarding": st.booleans(), "method": st.just("registry check")})))
    optional(draw, controls, "fraudAlerts", draw(st.fixed_dictionaries({}, optional={
        "subscribed": st.booleans(),
        "channels": st.lists(st.sampled_from(["email", "webhook", "api-poll"]), unique=True),
        "owner": st.just("secops@contoso.example"),
        "responseTimeMinutes": st.sampled_from([0, 15, 60, 61, 240, 480])})))
    optional(draw, controls, "spendingBudgets", draw(st.fixed_dictionaries({}, optional={
        "required": st.booleans(),
        "actionAtPercent": st.sampled_from([0, 50, 80, 99.5, 100, 120])})))
    optional(draw, controls, "activityLogReview",
             {"cadenceDays": draw(st.sampled_from([1, 7, 30, 31, 90]))})
    optional(draw, controls, "acceptedPaymentInstruments", draw(st.lists(st.sampled_from(
        ["invoice", "bank-transfer", "direct-debit", "credit-card", "debit-card",
         "prepaid-card", "gift-card", "cryptocurrency", "cash"]), unique=True, max_size=4)))
    optional(draw, controls, "notificationHandling", draw(st.fixed_dictionaries({}, optional={
        "owner": st.just("partner-ops@contoso.example"),
        "responseTimeHours": st.sampled_from([0, 4, 24, 72])})))
    optional(draw, controls, "fraudEscalation", draw(st.fixed_dictionaries({}, optional={
        "target": st.sampled_from(["microsoft", "21vianet"]),
        "suspendWhileInvestigating": st.booleans()})))
    optional(draw, config, "riskControls", controls)

    credit: dict[str, Any] = {}
    optional(draw, credit, "currency", draw(st.sampled_from(["USD", "EUR"])))
    optional(draw, credit, "approvalRequiredAbove", draw(st.sampled_from([0, 5000, 10_000,
                                                                          2500.5])))
    optional(draw, credit, "maxCreditCheckAgeDays", draw(st.sampled_from([1, 180, 365, 730])))
    optional(draw, credit, "noNewCreditPastDueDays", draw(small_int))
    optional(draw, credit, "prepaymentWithoutCredit", draw(st.booleans()))
    optional(draw, config, "creditPolicy", credit)
    return config


def pascal(record: dict[str, Any]) -> dict[str, Any]:
    return {key[:1].upper() + key[1:]: value for key, value in record.items()}


@st.composite
def customers(draw: st.DrawFn, cid: str, as_of: dt.datetime) -> dict[str, Any]:
    customer: dict[str, Any] = {"id": cid}
    optional(draw, customer, "companyProfile", {"companyName": draw(names), "tenantId": cid})
    optional(draw, customer, "relationshipToPartner",
             draw(st.sampled_from(["reseller", "advisor", "none", "new_kind"])))
    onboarding: dict[str, Any] = {}
    optional(draw, onboarding, "identityVerified", draw(st.booleans()))
    optional(draw, onboarding, "verifiedOn", draw_day(draw, as_of))
    optional(draw, onboarding, "paymentInstrument",
             draw(st.sampled_from(["invoice", "credit-card", "cryptocurrency"])))
    optional(draw, onboarding, "firstOrderDate", draw_day(draw, as_of))
    optional(draw, onboarding, "prepaid", draw(st.booleans()))
    optional(draw, customer, "onboarding", onboarding)

    invoices = []
    for k in range(draw(st.integers(0, 3))):
        invoice: dict[str, Any] = {"id": f"INV-{k}", "dueDate": draw_day(draw, as_of),
                                   "amount": draw(money)}
        optional(draw, invoice, "invoiceDate", draw_day(draw, as_of))
        optional(draw, invoice, "paidAmount", draw(st.one_of(money, st.just(invoice["amount"]))))
        optional(draw, invoice, "paidOn", draw_day(draw, as_of))
        invoices.append(invoice)
    receivables: dict[str, Any] = {"invoices": invoices}
    optional(draw, receivables, "currency", draw(st.sampled_from(["USD", "EUR"])))
    optional(draw, receivables, "unbilledUsage", draw(money))
    optional(draw, customer, "receivables", receivables)

    decision: dict[str, Any] = {
        "decision": draw(st.sampled_from(["granted", "declined", "prepayment-only"]))}
    optional(draw, decision, "limit", draw(money))
    optional(draw, decision, "currency", draw(st.sampled_from(["USD", "EUR"])))
    optional(draw, decision, "approvedBy", draw(who))
    optional(draw, decision, "decidedOn", draw_day(draw, as_of))
    optional(draw, decision, "creditCheckDate", draw_day(draw, as_of))
    optional(draw, customer, "creditDecision", decision)

    subscription_ids = [f"{cid}-sub-{j}" for j in range(draw(st.integers(0, 3)))]
    subscriptions = []
    for sid in subscription_ids:
        sub: dict[str, Any] = {"id": sid, "status": draw(st.sampled_from(
            ["active", "active", "suspended", "disabled", "expired", "deleted", "pending",
             "none", "migrating", "Active"]))}
        optional(draw, sub, "offerId", draw(st.sampled_from(
            ["MS-AZR-0145P", "ms-azr-0017p", "CFQ7TTC0LH18:0001:CFQ7TTC0K971", "DZH318Z0BQ3Q"])))
        optional(draw, sub, "billingType", draw(st.sampled_from(["usage", "license", "none"])))
        optional(draw, sub, "productType", {"id": draw(st.sampled_from(
            ["Azure", "OnlineServicesNCE"]))})
        optional(draw, sub, "suspensionReasons", draw(st.lists(st.sampled_from(
            ["CreditCheck", "Fraud", "PartnerRequest"]), max_size=2)))
        optional(draw, sub, "autoRenewEnabled", draw(st.booleans()))
        optional(draw, sub, "commitmentEndDate", draw_time(
            draw, as_of, st.integers(-60 * 24 * 90, 60 * 24 * 400)))
        optional(draw, sub, "termDuration", draw(st.sampled_from(["P1M", "P1Y", "P3Y"])))
        # Partner Center samples spell keys in PascalCase; checker normalises them.
        subscriptions.append(pascal(sub) if draw(st.integers(0, 5)) == 0 else sub)
    optional(draw, customer, "subscriptions", subscriptions)

    referenced = st.one_of(
        st.sampled_from(subscription_ids).flatmap(lambda s: st.sampled_from([s, s.upper()]))
        if subscription_ids else st.nothing(),
        st.just("unknown-subscription"))
    minutes_ago = st.one_of(st.integers(-60 * 24 * 120, 60), st.sampled_from(
        [-1, -59, -60, -61, -119, -120, -121, -60 * 48, -60 * 49]))
    events = []
    for k in range(draw(st.integers(0, 2))):
        event: dict[str, Any] = {
            "eventId": f"{cid}-ev-{k}", "eventTime": draw_time(draw, as_of, minutes_ago),
            "eventStatus": draw(st.sampled_from(["Active", "Investigating", "Resolved",
                                                 "Dismissed"]))}
        optional(draw, event, "subscriptionId", draw(referenced))
        optional(draw, event, "eventType", draw(st.sampled_from(
            ["UsageAnomalyDetection", "NetworkConnectionsToCryptoMiningPools", "BrandNewType"])))
        optional(draw, event, "severity", draw(st.sampled_from(["Low", "Medium", "High"])))
        optional(draw, event, "resolvedReason", draw(st.sampled_from(["Fraud", "Ignore",
                                                                      "None"])))
        optional(draw, event, "resolvedOn", "9999-12-31T23:59:59Z")
        optional(draw, event, "hitCount", draw(st.sampled_from(["3", 3])))
        events.append(event)
    optional(draw, customer, "fraudEvents", events)

    requests = []
    for k in range(draw(st.integers(0, 2))):
        request: dict[str, Any] = {
            "id": f"{cid}-sr-{k}",
            "status": draw(st.sampled_from(["open", "closed", "attention_needed", "new"])),
            "createdDate": draw_time(draw, as_of, minutes_ago)}
        optional(draw, request, "filedWith", draw(st.sampled_from(["microsoft", "21vianet"])))
        optional(draw, request, "relatedSubscriptionIds", draw(st.lists(referenced,
                                                                        max_size=2)))
        optional(draw, request, "severity", draw(st.sampled_from(["critical", "minimal"])))
        requests.append(request)
    optional(draw, customer, "serviceRequests", requests)

    usage: dict[str, Any] = {}
    optional(draw, usage, "budget", draw(st.one_of(
        st.none(), st.just({"amount": None}), money.map(lambda m: {"amount": m}))))
    optional(draw, usage, "totalCost", draw(money))
    optional(draw, usage, "currencyCode", "USD")
    optional(draw, customer, "usageSummary", usage)

    actions = []
    for _ in range(draw(st.integers(0, 3))):
        action: dict[str, Any] = {
            "action": draw(st.sampled_from(["disable", "suspend", "cancel", "block",
                                            "reactivate", "budget-action",
                                            "alert-acknowledged"])),
            "date": draw_time(draw, as_of, st.one_of(
                st.integers(-60 * 24 * 200, 60 * 24),
                st.sampled_from([-60 * 24 * d for d in (29, 30, 31, 60, 61, 76, 77)])))}
        optional(draw, action, "subscriptionId", draw(referenced))
        optional(draw, action, "reason", draw(st.sampled_from(
            ["non-payment", "non-payment", "fraud", "misuse", "customer-request", "other"])))
        optional(draw, action, "decision", draw(st.sampled_from(["cancel", "restore",
                                                                 "keep-suspended"])))
        optional(draw, action, "by", "ops@contoso.example")
        actions.append(action)
    if subscription_ids and draw(st.booleans()):
        # A partner suspension for non-payment, as ACCT-002/003 look for: random actions
        # rarely line up status, action, reason and subscription this way.
        sid = draw(st.sampled_from(subscription_ids))
        status = draw(st.sampled_from(["suspended", "disabled"]))
        for sub in subscriptions:
            if sub.get("id", sub.get("Id")) == sid:
                sub["status" if "status" in sub else "Status"] = status
        actions.append({"action": draw(st.sampled_from(["suspend", "disable", "block"])),
                        "reason": "non-payment", "subscriptionId": sid,
                        "date": draw_time(draw, as_of, st.sampled_from(
                            [-60 * 24 * d for d in (1, 29, 30, 31, 45, 46, 60, 61, 76, 77, 120)]))})
    optional(draw, customer, "partnerActions", actions)
    return customer


@st.composite
def snapshots(draw: st.DrawFn, partner: str, as_of: dt.datetime) -> dict[str, Any]:
    snapshot: dict[str, Any] = {
        "apiVersion": "checker/v1", "kind": "AccountSnapshot",
        "asOf": format_time(as_of, draw(st.sampled_from(TIME_STYLES))), "partnerId": partner,
        "customers": [draw(customers(f"{partner}-c{i}", as_of))
                      for i in range(draw(st.integers(0, 5)))]}
    invoices = []
    for k in range(draw(st.integers(0, 2))):
        invoice: dict[str, Any] = {"id": f"G{k:09d}", "invoiceDate": draw_day(draw, as_of),
                                   "totalCharges": draw(money)}
        optional(draw, invoice, "paidAmount", draw(money.map(lambda m: -m)))
        optional(draw, invoice, "currencyCode", "USD")
        invoices.append(invoice)
    optional(draw, snapshot, "partnerInvoices", invoices)
    return snapshot


@st.composite
def partners(draw: st.DrawFn) -> list[dict[str, Any]]:
    """A few partners, each a configuration and a snapshot, valid per schemas/."""
    documents = []
    for n in range(draw(st.integers(1, 5))):
        as_of = BASE + dt.timedelta(days=draw(st.integers(-200, 200)),
                                    seconds=draw(st.sampled_from([0, 0, 47_017, 86_399])))
        documents.append(draw(configurations(f"p{n}", as_of)))
        documents.append(draw(snapshots(f"p{n}", as_of)))
    for document in documents:
        data = copy.deepcopy(document)
        if data["kind"] == "AccountSnapshot":
            normalize_snapshot(data)  # as the runner does before validating
        assume(not list(validate(data["kind"], data)))
    return documents


def write_documents(documents: list[dict[str, Any]], folder: Path) -> tuple[Path, ...]:
    for document in documents:
        name = f"{document.get('partnerId') or document['partner']['id']}-{document['kind']}"
        (folder / f"{name}.json").write_bytes(orjson.dumps(document, option=orjson.OPT_INDENT_2))
    return (folder,)


def opa_eval_batch(policy_dir: Path, calls: list[tuple[str, str, Any]]) -> list[Any]:
    """Every recorded input through one ``opa eval`` process (one per input is too slow).

    Each entry point is evaluated ``with input as`` each recorded input, which is what
    ``--stdin-input`` does for a single one.
    """
    inputs: dict[str, list[Any]] = {rule: [] for rule in ENTRY_POINTS}
    for rule, input_json, _ in calls:
        inputs[rule].append(orjson.loads(input_json))
    query = "{" + ", ".join(
        f'"{rule}": [v | some x in input["{rule}"]; v := data.{rule} with input as x]'
        for rule in ENTRY_POINTS) + "}"
    values = opa_eval(policy_dir, query, orjson.dumps(inputs))
    cursor = {rule: iter(values[rule]) for rule in ENTRY_POINTS}
    return [next(cursor[rule]) for rule, _, _ in calls]


def test_generated_documents_decide_identically_everywhere(
        opa_server: OpaServer, policy_dir: Path) -> None:
    outcomes: dict[str, set[Status]] = {}
    documents_seen = [0]

    # No shrinking: each example runs three engines, and shrinking a failure took minutes;
    # the failing documents are printed as generated.
    @settings(derandomize=True, database=None, max_examples=70, deadline=None,
              phases=[Phase.explicit, Phase.generate],
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                     HealthCheck.function_scoped_fixture])
    @given(partners())
    def decide(documents: list[dict[str, Any]]) -> None:
        with tempfile.TemporaryDirectory() as folder:
            paths = write_documents(documents, Path(folder))
            embedded, calls = recorded_calls(paths)
            opa = run_check(paths, "opa", opa_server.url)
            assert_same_decisions(embedded, opa)
            # Every document was valid, so none was left out of the comparison.
            assert not [f for f in embedded.findings if f.rule_id.startswith("CHK-")]
            reference = opa_eval_batch(policy_dir, calls)
            for (rule, input_json, value), expected in zip(calls, reference, strict=True):
                assert canonical(expected) == canonical(value), f"{rule} on {input_json}"
        documents_seen[0] += len(documents)
        for result in embedded.results:
            outcomes.setdefault(result.rule_id, set()).add(result.status)

    decide()
    # The comparison means something only if the generated documents both fail and pass
    # most rules; the catalogue, not a list written here, says which rules exist.
    catalogue = load_policies().rules
    both = [r for r in catalogue if {Status.PASS, Status.FAIL} <= outcomes.get(r, set())]
    assert len(both) >= 0.8 * len(catalogue), sorted(set(catalogue) - set(both))
    assert documents_seen[0] >= 200


@pytest.mark.xfail(strict=True, raises=DecisionsDiffer, reason=(
    "the engines' arithmetic differs at half cents: round((10.41 + -2.675) * 100) is 774 on "
    "regorus and 773 on OPA v1.22.2 (a binary big.Float); amounts need converting to whole "
    "cents before policies see them"))
def test_sub_cent_amounts_give_identical_reports(opa_server: OpaServer, tmp_path: Path) -> None:
    config = copy.deepcopy(EXAMPLE_CONFIGURATIONS[0])
    config["partner"]["id"] = "p0"
    snapshot = {"apiVersion": "checker/v1", "kind": "AccountSnapshot",
                "asOf": "2026-06-30T00:00:00Z", "partnerId": "p0", "customers": [],
                "partnerInvoices": [{"id": "G1", "invoiceDate": "2026-01-01",
                                     "totalCharges": 10.41, "paidAmount": -2.675}]}
    paths = write_documents([config, snapshot], tmp_path)
    embedded = run_check(paths, "embedded")
    assert any(f.location.pointer == "/partnerInvoices/0" for f in embedded.findings)
    assert_same_decisions(embedded, run_check(paths, "opa", opa_server.url))


def test_dates_less_than_a_day_ahead_give_identical_reports(opa_server: OpaServer,
                                                            tmp_path: Path) -> None:
    config = copy.deepcopy(EXAMPLE_CONFIGURATIONS[0])
    config["partner"]["id"] = "p0"
    config.setdefault("collectionsPolicy", {})["effectiveDate"] = "2026-07-01"
    snapshot = {"apiVersion": "checker/v1", "kind": "AccountSnapshot",
                "asOf": "2026-06-30T23:59:59Z", "partnerId": "p0", "customers": []}
    paths = write_documents([config, snapshot], tmp_path)
    embedded = run_check(paths, "embedded")
    # The policy takes effect one second after asOf: it is not in force yet. (OPA 1.22's
    # floor() returns 0 for -1 < x < 0; lib.floor_of works around it.)
    assert any(f.location.pointer == "/collectionsPolicy/effectiveDate"
               for f in embedded.findings)
    assert_same_decisions(embedded, run_check(paths, "opa", opa_server.url))


def generated_snapshot(folder: Path, customers: int) -> Path:
    """A snapshot from the benchmark's generator (deterministic), with its configuration."""
    spec = importlib.util.spec_from_file_location("bench_generate",
                                                  ROOT / "bench" / "generate.py")
    assert spec and spec.loader
    generator = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(generator)
    generator.generate(folder, customers)
    return folder


def chunked_check(folder: Path, engine: str, url: str, jobs: int) -> Report:
    # Chunks of 256 kB make the runner stream a 3000-customer snapshot in a dozen pieces.
    return check(CheckOptions(paths=(folder,), engine=engine, jobs=jobs, chunk_bytes=1 << 18,
                              engine_options=EngineOptions(opa_url=url, timeout=60)))


@pytest.fixture(scope="module")
def large_snapshot(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return generated_snapshot(tmp_path_factory.mktemp("large"), 3000)


def test_chunked_snapshot_decides_identically(opa_server: OpaServer,
                                              large_snapshot: Path) -> None:
    embedded = chunked_check(large_snapshot, "embedded", "", jobs=1)
    assert len(embedded.findings) > 100
    assert_same_decisions(embedded, chunked_check(large_snapshot, "opa", opa_server.url,
                                                  jobs=1))


def test_chunked_snapshot_in_worker_processes_decides_identically(
        opa_server: OpaServer, large_snapshot: Path) -> None:
    embedded = chunked_check(large_snapshot, "embedded", "", jobs=2)
    assert_same_decisions(embedded, chunked_check(large_snapshot, "opa", opa_server.url,
                                                  jobs=2))
