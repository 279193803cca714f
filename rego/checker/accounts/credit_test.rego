package checker.accounts.credit

import rego.v1

# A compliant global partner and one well-kept customer on granted credit;
# tests vary them with json.patch (object.union merges deeply and cannot
# remove keys).

as_of := "2026-06-30T00:00:00Z"

configuration := {
	"apiVersion": "checker/v1",
	"kind": "PartnerConfiguration",
	"partner": {"id": "contoso", "name": "Contoso Cloud Services"},
	"cloud": "global",
	"collectionsPolicy": {"paymentTermsDays": 30, "accessImpact": {"pastDueDays": 45, "action": "suspend"}, "maxSuspensionDays": 30},
	"riskControls": {"customerIdentityVerification": {"atOnboarding": true}},
	"creditPolicy": {
		"currency": "USD",
		"approvalRequiredAbove": 10000,
		"maxCreditCheckAgeDays": 365,
		"noNewCreditPastDueDays": 30,
		"prepaymentWithoutCredit": true,
	},
}

customer := {
	"id": "0b7f3c1e-2a44-4d1b-9a51-1f3e6f0c2d11",
	"companyProfile": {"tenantId": "0b7f3c1e-2a44-4d1b-9a51-1f3e6f0c2d11", "domain": "adatum.onmicrosoft.com", "companyName": "Adatum Corporation"},
	"relationshipToPartner": "reseller",
	"onboarding": {"identityVerified": true, "verifiedOn": "2025-01-10", "paymentInstrument": "invoice", "firstOrderDate": "2025-01-15"},
	"creditDecision": {
		"decision": "granted", "limit": 20000, "currency": "USD", "approvedBy": "cfo@contoso.example",
		"decidedOn": "2026-01-10", "creditCheckDate": "2026-01-05",
	},
	"receivables": {
		"currency": "USD",
		"invoices": [
			{"id": "INV-2025-1101", "invoiceDate": "2025-11-01", "dueDate": "2025-12-01", "amount": 1500, "paidAmount": 1500, "paidOn": "2025-12-20"},
			{"id": "INV-2026-0501", "invoiceDate": "2026-05-01", "dueDate": "2026-05-31", "amount": 1200, "paidAmount": 1200, "paidOn": "2026-05-28"},
			{"id": "INV-2026-0601", "invoiceDate": "2026-06-01", "dueDate": "2026-07-01", "amount": 1300},
		],
		"unbilledUsage": 400,
	},
	"subscriptions": [{
		"id": "a4c1340d-6911-4758-bba3-0c4c6007d161", "offerId": "CFQ7TTC0LH18:0001:CFQ7TTC0K971",
		"status": "active", "billingType": "license", "termDuration": "P1Y", "autoRenewEnabled": true,
	}],
}

# A prepaying customer with no credit.
prepaid_customer := json.patch(customer, [
	{"op": "replace", "path": "/id", "value": "7c9e6679-7425-40de-944b-e07fc1f90ae7"},
	{"op": "replace", "path": "/companyProfile/companyName", "value": "Fourth Coffee"},
	{"op": "replace", "path": "/creditDecision", "value": {"decision": "prepayment-only", "decidedOn": "2026-02-01", "approvedBy": "credit@contoso.example"}},
	{"op": "add", "path": "/onboarding/prepaid", "value": true},
	{"op": "replace", "path": "/receivables/invoices", "value": [{"id": "INV-2026-0602", "invoiceDate": "2026-06-01", "dueDate": "2026-06-01", "amount": 300, "paidAmount": 300, "paidOn": "2026-06-01"}]},
])

snapshot := {"apiVersion": "checker/v1", "kind": "AccountSnapshot", "asOf": as_of, "partnerId": "contoso", "customers": [customer]}

input_for(c) := {"configuration": configuration, "snapshot": object.union(snapshot, {"customers": [c]}), "asOf": as_of}

patched(ops) := input_for(json.patch(customer, ops))

with_config(inp, cfg) := json.patch(inp, [{"op": "replace", "path": "/configuration", "value": cfg}])

fires(result, rule, path) if {
	some f in result
	f.rule == rule
	f.path == path
}

ids(result) := {f.rule | some f in result}

test_base_customers_have_no_findings if {
	inp := object.union(input_for(customer), {"snapshot": {"customers": [customer, prepaid_customer]}})
	result := deny with input as inp
	count(result) == 0
	na := not_applicable with input as inp
	count(na) == 0
}

# --- CRED-004 ----------------------------------------------------------------

test_cred_004_fires_without_credit_decision if {
	result := deny with input as patched([{"op": "remove", "path": "/creditDecision"}])
	fires(result, "CRED-004", ["customers", 0, "creditDecision"])
}

test_cred_004_does_not_fire_with_declined_decision if {
	result := deny with input as patched([{"op": "replace", "path": "/creditDecision", "value": {"decision": "declined", "decidedOn": "2026-01-10"}}])
	not "CRED-004" in ids(result)
}

# --- CRED-005 ----------------------------------------------------------------

test_cred_005_fires_above_threshold_without_approver if {
	result := deny with input as patched([{"op": "remove", "path": "/creditDecision/approvedBy"}])
	fires(result, "CRED-005", ["customers", 0, "creditDecision", "approvedBy"])
}

test_cred_005_fires_with_blank_approver_or_unbounded_limit if {
	r1 := deny with input as patched([{"op": "replace", "path": "/creditDecision/approvedBy", "value": "  "}])
	fires(r1, "CRED-005", ["customers", 0, "creditDecision", "approvedBy"])
	r2 := deny with input as patched([
		{"op": "remove", "path": "/creditDecision/approvedBy"},
		{"op": "remove", "path": "/creditDecision/limit"},
		{"op": "replace", "path": "/receivables/unbilledUsage", "value": 0},
	])
	some f in r2
	f.rule == "CRED-005"
	contains(f.msg, "no limit (unbounded)")
}

# The blank-approver pre-filter: ASCII whitespace sorts before "!", other
# Unicode whitespace (here a no-break space) after U+0080, and a name with a
# leading space passes the filter but is not blank.
test_cred_005_fires_with_unicode_blank_approver if {
	result := deny with input as patched([{"op": "replace", "path": "/creditDecision/approvedBy", "value": "\u00a0\t"}])
	fires(result, "CRED-005", ["customers", 0, "creditDecision", "approvedBy"])
}

test_cred_005_does_not_fire_for_names_that_sort_like_blanks if {
	r1 := deny with input as patched([{"op": "replace", "path": "/creditDecision/approvedBy", "value": " cfo@contoso.example"}])
	not "CRED-005" in ids(r1)
	r2 := deny with input as patched([{"op": "replace", "path": "/creditDecision/approvedBy", "value": "Zoë Åström"}])
	not "CRED-005" in ids(r2)
	r3 := deny with input as patched([{"op": "replace", "path": "/creditDecision/approvedBy", "value": "\u00c5sa Berg"}])
	not "CRED-005" in ids(r3)
}

test_cred_005_does_not_fire_at_or_below_threshold if {
	result := deny with input as patched([
		{"op": "remove", "path": "/creditDecision/approvedBy"},
		{"op": "replace", "path": "/creditDecision/limit", "value": 10000},
	])
	not "CRED-005" in ids(result)
}

test_cred_005_default_threshold_zero_without_credit_policy if {
	cfg := json.patch(configuration, [{"op": "remove", "path": "/creditPolicy"}])
	result := deny with input as with_config(
		patched([
			{"op": "remove", "path": "/creditDecision/approvedBy"},
			{"op": "replace", "path": "/creditDecision/limit", "value": 5000},
		]),
		cfg,
	)
	fires(result, "CRED-005", ["customers", 0, "creditDecision", "approvedBy"])
}

# --- CRED-006 ----------------------------------------------------------------

test_cred_006_fires_on_stale_credit_check if {
	result := deny with input as patched([{"op": "replace", "path": "/creditDecision/creditCheckDate", "value": "2025-05-01"}])
	fires(result, "CRED-006", ["customers", 0, "creditDecision", "creditCheckDate"])
	some f in result
	f.rule == "CRED-006"
	contains(f.msg, "425 days old")
}

test_cred_006_fires_without_credit_check_date if {
	result := deny with input as patched([{"op": "remove", "path": "/creditDecision/creditCheckDate"}])
	fires(result, "CRED-006", ["customers", 0, "creditDecision", "creditCheckDate"])
}

test_cred_006_does_not_fire_on_recent_check_or_declined_credit if {
	r1 := deny with input as patched([{"op": "replace", "path": "/creditDecision/creditCheckDate", "value": "2025-07-01"}])
	not "CRED-006" in ids(r1)
	r2 := deny with input as patched([{"op": "replace", "path": "/creditDecision", "value": {"decision": "declined", "creditCheckDate": "2020-01-01"}}])
	not "CRED-006" in ids(r2)
}

test_cred_006_uses_configured_age if {
	cfg := json.patch(configuration, [{"op": "replace", "path": "/creditPolicy/maxCreditCheckAgeDays", "value": 90}])
	result := deny with input as with_config(input_for(customer), cfg)
	fires(result, "CRED-006", ["customers", 0, "creditDecision", "creditCheckDate"])
}

# --- CRED-007 ----------------------------------------------------------------

raised_while_overdue(extra_invoice) := [
	{"op": "replace", "path": "/creditDecision/decidedOn", "value": "2026-06-15"},
	{"op": "replace", "path": "/creditDecision/creditCheckDate", "value": "2026-06-10"},
	{"op": "add", "path": "/receivables/invoices/-", "value": extra_invoice},
]

test_cred_007_fires_when_raised_while_invoice_unpaid_past_threshold if {
	result := deny with input as patched(raised_while_overdue({"id": "INV-2026-0401", "invoiceDate": "2026-04-01", "dueDate": "2026-05-01", "amount": 900}))
	fires(result, "CRED-007", ["customers", 0, "creditDecision", "decidedOn"])
	some f in result
	f.rule == "CRED-007"
	contains(f.msg, "INV-2026-0401 was 45 days past due")
}

test_cred_007_fires_when_invoice_paid_only_after_decision if {
	result := deny with input as patched(raised_while_overdue({"id": "INV-2026-0401", "dueDate": "2026-05-01", "amount": 900, "paidAmount": 900, "paidOn": "2026-06-20"}))
	fires(result, "CRED-007", ["customers", 0, "creditDecision", "decidedOn"])
}

test_cred_007_does_not_fire_when_paid_before_decision if {
	result := deny with input as patched(raised_while_overdue({"id": "INV-2026-0401", "dueDate": "2026-05-01", "amount": 900, "paidAmount": 900, "paidOn": "2026-06-10"}))
	not "CRED-007" in ids(result)
}

test_cred_007_does_not_fire_within_threshold if {
	result := deny with input as patched(raised_while_overdue({"id": "INV-2026-0501b", "dueDate": "2026-05-20", "amount": 900}))
	not "CRED-007" in ids(result)
}

# --- CRED-008 ----------------------------------------------------------------

test_cred_008_fires_when_exposure_exceeds_limit if {
	result := deny with input as patched([
		{"op": "replace", "path": "/creditDecision/limit", "value": 2000},
		{"op": "add", "path": "/receivables/invoices/-", "value": {"id": "INV-2026-0602", "dueDate": "2026-07-15", "amount": 1000, "paidAmount": 250}},
	])
	fires(result, "CRED-008", ["customers", 0, "creditDecision", "limit"])
	some f in result
	f.rule == "CRED-008"
	contains(f.msg, "exposure 2450.00 (open invoices 2050.00 + unbilled usage 400.00)")
}

test_cred_008_does_not_fire_within_limit if {
	result := deny with input as patched([{"op": "replace", "path": "/creditDecision/limit", "value": 1700}])
	not "CRED-008" in ids(result)
}

# 0.1 + 0.2 is 0.30000000000000004 in binary floating point: both engines
# must agree that it is within a 0.30 limit.
test_cred_008_does_not_fire_at_limit_on_both_engines if {
	result := deny with input as patched([
		{"op": "replace", "path": "/creditDecision/limit", "value": 0.3},
		{"op": "replace", "path": "/receivables", "value": {"currency": "USD", "unbilledUsage": 0.2, "invoices": [{"id": "INV-X", "dueDate": "2026-07-15", "amount": 0.1}]}},
	])
	not "CRED-008" in ids(result)
}

# Exposure from unbilled usage alone, every invoice paid: a cent above the
# limit fires, less than half a cent above does not (amounts compare in cents).
test_cred_008_fires_on_unbilled_usage_alone if {
	result := deny with input as patched([
		{"op": "replace", "path": "/creditDecision/limit", "value": 1000},
		{"op": "replace", "path": "/receivables/invoices", "value": []},
		{"op": "replace", "path": "/receivables/unbilledUsage", "value": 1000.01},
	])
	fires(result, "CRED-008", ["customers", 0, "creditDecision", "limit"])
}

test_cred_008_does_not_fire_on_unbilled_usage_within_a_cent if {
	result := deny with input as patched([
		{"op": "replace", "path": "/creditDecision/limit", "value": 1000},
		{"op": "replace", "path": "/receivables/invoices", "value": []},
		{"op": "replace", "path": "/receivables/unbilledUsage", "value": 1000.004},
	])
	not "CRED-008" in ids(result)
}

# A negative limit is exceeded by any exposure, even none.
test_cred_008_fires_on_negative_limit_without_receivables if {
	result := deny with input as patched([
		{"op": "replace", "path": "/creditDecision/limit", "value": -1},
		{"op": "remove", "path": "/receivables"},
	])
	fires(result, "CRED-008", ["customers", 0, "creditDecision", "limit"])
}

test_cred_008_does_not_compare_different_currencies if {
	result := deny with input as patched([
		{"op": "replace", "path": "/creditDecision/limit", "value": 1000},
		{"op": "replace", "path": "/receivables/currency", "value": "EUR"},
	])
	not "CRED-008" in ids(result)
}

# --- CRED-009 ----------------------------------------------------------------

test_cred_009_fires_when_ordered_without_credit_or_prepayment if {
	inp := input_for(json.patch(prepaid_customer, [{"op": "replace", "path": "/onboarding/prepaid", "value": false}]))
	result := deny with input as inp
	fires(result, "CRED-009", ["customers", 0, "onboarding", "prepaid"])
}

test_cred_009_fires_for_first_order_without_subscriptions if {
	inp := input_for(json.patch(prepaid_customer, [
		{"op": "remove", "path": "/onboarding/prepaid"},
		{"op": "remove", "path": "/subscriptions"},
		{"op": "replace", "path": "/creditDecision/decision", "value": "declined"},
	]))
	result := deny with input as inp
	some f in result
	f.rule == "CRED-009"
	f.path == ["customers", 0, "onboarding", "prepaid"]
	contains(f.msg, "first order 2025-01-15")
}

test_cred_009_fires_without_any_credit_decision if {
	inp := input_for(json.patch(prepaid_customer, [
		{"op": "remove", "path": "/creditDecision"},
		{"op": "replace", "path": "/onboarding/prepaid", "value": false},
	]))
	result := deny with input as inp
	fires(result, "CRED-009", ["customers", 0, "onboarding", "prepaid"])
}

test_cred_009_does_not_fire_when_prepaid if {
	result := deny with input as input_for(prepaid_customer)
	not "CRED-009" in ids(result)
}

test_cred_009_does_not_fire_before_first_order if {
	inp := input_for(json.patch(prepaid_customer, [
		{"op": "remove", "path": "/onboarding/prepaid"},
		{"op": "remove", "path": "/onboarding/firstOrderDate"},
		{"op": "remove", "path": "/subscriptions"},
	]))
	result := deny with input as inp
	not "CRED-009" in ids(result)
}

test_cred_009_not_applicable_without_prepayment_policy if {
	cfg := json.patch(configuration, [{"op": "replace", "path": "/creditPolicy/prepaymentWithoutCredit", "value": false}])
	inp := with_config(input_for(json.patch(prepaid_customer, [{"op": "remove", "path": "/onboarding/prepaid"}])), cfg)
	result := deny with input as inp
	not "CRED-009" in ids(result)
	na := not_applicable with input as inp
	{"rule": "CRED-009", "msg": "creditPolicy.prepaymentWithoutCredit is not true"} in na
}

# --- unknown values are data -----------------------------------------------------

test_unknown_subscription_status_causes_no_error if {
	inp := input_for(json.patch(prepaid_customer, [
		{"op": "replace", "path": "/subscriptions/0/status", "value": "transferring"},
		{"op": "replace", "path": "/onboarding/prepaid", "value": false},
	]))
	result := deny with input as inp
	fires(result, "CRED-009", ["customers", 0, "onboarding", "prepaid"])
}

# --- ACCT-018 ----------------------------------------------------------------

test_acct_018_fires_when_identity_not_verified if {
	r1 := deny with input as patched([{"op": "replace", "path": "/onboarding/identityVerified", "value": false}])
	fires(r1, "ACCT-018", ["customers", 0, "onboarding", "identityVerified"])
	r2 := deny with input as patched([{"op": "remove", "path": "/onboarding"}])
	fires(r2, "ACCT-018", ["customers", 0, "onboarding", "identityVerified"])
}

test_acct_018_does_not_fire_when_verified if {
	result := deny with input as input_for(prepaid_customer)
	not "ACCT-018" in ids(result)
}
