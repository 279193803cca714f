package checker.accounts.state

import rego.v1

# A compliant global partner and one well-kept customer; tests vary them with
# json.patch and object.union.

as_of := "2026-06-30T00:00:00Z"

configuration := {
	"apiVersion": "checker/v1",
	"kind": "PartnerConfiguration",
	"partner": {"id": "contoso", "name": "Contoso Cloud Services"},
	"cloud": "global",
	"collectionsPolicy": {
		"paymentTermsDays": 30,
		"accessImpact": {"pastDueDays": 45, "action": "suspend"},
		"maxSuspensionDays": 30,
	},
	"riskControls": {
		"fraudAlerts": {"subscribed": true, "responseTimeMinutes": 60},
		"spendingBudgets": {"required": true, "actionAtPercent": 100},
		"fraudEscalation": {"target": "microsoft"},
	},
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
	"companyProfile": {
		"tenantId": "0b7f3c1e-2a44-4d1b-9a51-1f3e6f0c2d11",
		"domain": "adatum.onmicrosoft.com",
		"companyName": "Adatum Corporation",
	},
	"relationshipToPartner": "reseller",
	"onboarding": {"identityVerified": true, "verifiedOn": "2025-01-10", "firstOrderDate": "2025-01-15"},
	"creditDecision": {
		"decision": "granted", "limit": 20000, "currency": "USD", "approvedBy": "cfo@contoso.example",
		"decidedOn": "2026-01-10", "creditCheckDate": "2026-01-05",
	},
	"receivables": {
		"currency": "USD",
		"invoices": [
			{"id": "INV-2026-0501", "invoiceDate": "2026-05-01", "dueDate": "2026-05-31", "amount": 1200, "paidAmount": 1200, "paidOn": "2026-05-28"},
			{"id": "INV-2026-0601", "invoiceDate": "2026-06-01", "dueDate": "2026-07-01", "amount": 1300},
		],
		"unbilledUsage": 400,
	},
	"subscriptions": [
		{
			"id": "a4c1340d-6911-4758-bba3-0c4c6007d161", "offerId": "CFQ7TTC0LH18:0001:CFQ7TTC0K971",
			"offerName": "Microsoft 365 Business Basic", "status": "active", "billingType": "license",
			"termDuration": "P1Y", "autoRenewEnabled": true, "productType": {"id": "OnlineServicesNCE"},
		},
		{
			"id": "5e7a1c2b-8f3d-4e6a-b9c0-d1e2f3a4b5c6", "offerId": "MS-AZR-0145P",
			"offerName": "Azure plan", "status": "active", "billingType": "usage", "productType": {"id": "Azure"},
		},
	],
	"usageSummary": {"budget": {"amount": 5000}, "totalCost": 1200.5, "currencyCode": "USD"},
	"partnerActions": [],
}

snapshot := {
	"apiVersion": "checker/v1",
	"kind": "AccountSnapshot",
	"asOf": as_of,
	"partnerId": "contoso",
	"partnerInvoices": [{"id": "G000024135", "invoiceDate": "2026-05-08T22:40:37.5897767Z", "totalCharges": 2076.63, "paidAmount": 0, "currencyCode": "USD"}],
	"customers": [customer],
}

m365 := customer.subscriptions[0].id

azure := customer.subscriptions[1].id

input_for(c) := {"configuration": configuration, "snapshot": object.union(snapshot, {"customers": [c]}), "asOf": as_of}

patched(ops) := input_for(json.patch(customer, ops))

# object.union merges deeply, so a configuration with keys removed is put in
# place with json.patch.
with_config(inp, cfg) := json.patch(inp, [{"op": "replace", "path": "/configuration", "value": cfg}])

in_cloud(inp, cloud) := object.union(inp, {"configuration": {"cloud": cloud}})

fires(result, rule, path) if {
	some f in result
	f.rule == rule
	f.path == path
}

ids(result) := {f.rule | some f in result}

overdue_invoice(id, due) := {"op": "add", "path": "/receivables/invoices/-", "value": {"id": id, "invoiceDate": "2026-03-01", "dueDate": due, "amount": 500}}

suspended_m365 := {"op": "replace", "path": "/subscriptions/0/status", "value": "suspended"}

# The first subscription as a legacy one (GUID offer id, no product type).
legacy_m365 := [
	{"op": "replace", "path": "/subscriptions/0/offerId", "value": "91fd106f-4b2c-4938-95ac-f54f74e9a239"},
	{"op": "remove", "path": "/subscriptions/0/productType"},
]

legacy_patched(ops) := patched(array.concat(legacy_m365, ops))

np_suspend(date) := {"op": "add", "path": "/partnerActions/-", "value": {"subscriptionId": m365, "action": "suspend", "reason": "non-payment", "date": date, "by": "collections@contoso.example"}}

# --- the base input is clean ---------------------------------------------------

test_base_input_has_no_findings if {
	result := deny with input as input_for(customer)
	count(result) == 0
}

# --- ACCT-001 --------------------------------------------------------------------

test_acct_001_fires_when_past_due_beyond_impact_day_with_active_subscription if {
	result := deny with input as patched([overdue_invoice("INV-2026-0401", "2026-04-30")])
	fires(result, "ACCT-001", ["customers", 0, "subscriptions"])
	count([f | some f in result; f.rule == "ACCT-001"]) == 1
}

test_acct_001_message_names_customer_and_days if {
	result := deny with input as patched([overdue_invoice("INV-2026-0401", "2026-04-30")])
	some f in result
	f.rule == "ACCT-001"
	contains(f.msg, "Adatum Corporation")
	contains(f.msg, "61 days past due")
	contains(f.msg, m365)
}

test_acct_001_fires_when_only_partly_paid if {
	result := deny with input as patched([{"op": "add", "path": "/receivables/invoices/-", "value": {"id": "INV-2026-0402", "dueDate": "2026-04-30", "amount": 500, "paidAmount": 499.99}}])
	fires(result, "ACCT-001", ["customers", 0, "subscriptions"])
}

test_acct_001_does_not_fire_when_paid_in_full if {
	result := deny with input as patched([{"op": "add", "path": "/receivables/invoices/-", "value": {"id": "INV-2026-0402", "dueDate": "2026-04-30", "amount": 500, "paidAmount": 500}}])
	not "ACCT-001" in ids(result)
}

test_acct_001_does_not_fire_before_impact_day if {
	result := deny with input as patched([overdue_invoice("INV-2026-0401", "2026-05-20")])
	not "ACCT-001" in ids(result)
}

test_acct_001_does_not_fire_when_subscriptions_suspended if {
	result := deny with input as patched([
		overdue_invoice("INV-2026-0401", "2026-04-30"),
		{"op": "replace", "path": "/subscriptions/0/status", "value": "suspended"},
		{"op": "replace", "path": "/subscriptions/1/status", "value": "transferring"},
		{"op": "add", "path": "/partnerActions/-", "value": {"action": "suspend", "reason": "non-payment", "date": "2026-06-20"}},
	])
	not "ACCT-001" in ids(result)
}

test_acct_001_uses_60_day_default_without_access_impact if {
	inp := patched([overdue_invoice("INV-2026-0401", "2026-04-30")])
	cfg := json.patch(configuration, [{"op": "remove", "path": "/collectionsPolicy/accessImpact"}])
	result := deny with input as with_config(inp, cfg)
	fires(result, "ACCT-001", ["customers", 0, "subscriptions"])
	inp2 := patched([overdue_invoice("INV-2026-0401", "2026-05-05")])
	result2 := deny with input as with_config(inp2, cfg)
	not "ACCT-001" in ids(result2)
}

test_acct_001_fires_without_company_profile_naming_the_id if {
	result := deny with input as patched([overdue_invoice("INV-2026-0401", "2026-04-30"), {"op": "remove", "path": "/companyProfile"}])
	some f in result
	f.rule == "ACCT-001"
	contains(f.msg, customer.id)
}

# --- ACCT-002 --------------------------------------------------------------------

test_acct_002_fires_when_suspended_for_non_payment_after_debt_cleared if {
	result := deny with input as patched([suspended_m365, np_suspend("2026-06-01T09:00:00Z")])
	fires(result, "ACCT-002", ["customers", 0, "subscriptions", 0, "status"])
}

test_acct_002_does_not_fire_while_still_past_due if {
	result := deny with input as patched([
		suspended_m365, np_suspend("2026-06-01T09:00:00Z"),
		overdue_invoice("INV-2026-0401", "2026-04-30"),
	])
	not "ACCT-002" in ids(result)
}

test_acct_002_does_not_fire_when_suspended_for_fraud if {
	result := deny with input as patched([
		suspended_m365,
		{"op": "add", "path": "/partnerActions/-", "value": {"subscriptionId": m365, "action": "suspend", "reason": "non-payment", "date": "2026-05-01"}},
		{"op": "add", "path": "/partnerActions/-", "value": {"subscriptionId": m365, "action": "reactivate", "reason": "non-payment", "date": "2026-05-20"}},
		{"op": "add", "path": "/partnerActions/-", "value": {"subscriptionId": m365, "action": "suspend", "reason": "fraud", "date": "2026-06-20"}},
	])
	not "ACCT-002" in ids(result)
}

# --- ACCT-003 --------------------------------------------------------------------

test_acct_003_fires_when_suspended_beyond_max_without_decision if {
	result := deny with input as legacy_patched([suspended_m365, np_suspend("2026-05-01T00:00:00Z"), overdue_invoice("INV-2026-0301", "2026-03-31")])
	fires(result, "ACCT-003", ["customers", 0, "subscriptions", 0, "status"])
}

test_acct_003_does_not_fire_with_recorded_decision if {
	result := deny with input as legacy_patched([
		suspended_m365, np_suspend("2026-05-01T00:00:00Z"),
		overdue_invoice("INV-2026-0301", "2026-03-31"),
		{"op": "add", "path": "/partnerActions/-", "value": {"subscriptionId": m365, "action": "suspend", "reason": "non-payment", "date": "2026-05-01T00:00:00Z", "decision": "cancel", "by": "cfo@contoso.example"}},
	])
	not "ACCT-003" in ids(result)
}

test_acct_003_does_not_fire_within_max_suspension if {
	result := deny with input as legacy_patched([suspended_m365, np_suspend("2026-06-10T00:00:00Z"), overdue_invoice("INV-2026-0301", "2026-03-31")])
	not "ACCT-003" in ids(result)
}

no_max_suspension := json.patch(configuration, [{"op": "remove", "path": "/collectionsPolicy/maxSuspensionDays"}])

# Suspended 60 days: within the 76-day global default, beyond the 46-day
# 21Vianet default (deletion windows 90 and 60 days).
sixty_days_suspended := with_config(
	legacy_patched([suspended_m365, np_suspend("2026-05-01T00:00:00Z"), overdue_invoice("INV-2026-0301", "2026-03-31")]),
	no_max_suspension,
)

test_acct_003_does_not_fire_within_76_day_default_on_global if {
	result := deny with input as sixty_days_suspended
	not "ACCT-003" in ids(result)
}

test_acct_003_fires_beyond_46_day_default_on_21vianet if {
	result := deny with input as in_cloud(sixty_days_suspended, "21vianet")
	fires(result, "ACCT-003", ["customers", 0, "subscriptions", 0, "status"])
	some f in result
	f.rule == "ACCT-003"
	contains(f.msg, "limit 46")
	contains(f.msg, "deleted 60 days")
}

test_acct_003_does_not_fire_on_new_commerce if {
	result := deny with input as patched([suspended_m365, np_suspend("2026-05-01T00:00:00Z"), overdue_invoice("INV-2026-0301", "2026-03-31")])
	not "ACCT-003" in ids(result)
}

test_acct_003_fires_beyond_76_day_default_on_global if {
	inp := with_config(
		legacy_patched([suspended_m365, np_suspend("2026-04-01T00:00:00Z"), overdue_invoice("INV-2026-0301", "2026-03-31")]),
		no_max_suspension,
	)
	result := deny with input as inp
	some f in result
	f.rule == "ACCT-003"
	f.path == ["customers", 0, "subscriptions", 0, "status"]
	contains(f.msg, "limit 76")
	contains(f.msg, "deleted 90 days")
}

# --- ACCT-008 --------------------------------------------------------------------

test_acct_008_fires_when_spend_over_budget_without_action if {
	result := deny with input as patched([{"op": "replace", "path": "/usageSummary/totalCost", "value": 5200}])
	fires(result, "ACCT-008", ["customers", 0, "usageSummary", "totalCost"])
}

test_acct_008_does_not_fire_with_recent_budget_action if {
	result := deny with input as patched([
		{"op": "replace", "path": "/usageSummary/totalCost", "value": 5200},
		{"op": "add", "path": "/partnerActions/-", "value": {"action": "budget-action", "reason": "other", "date": "2026-06-20T10:00:00Z"}},
	])
	not "ACCT-008" in ids(result)
}

test_acct_008_does_not_fire_with_stale_budget_action_only if {
	result := deny with input as patched([
		{"op": "replace", "path": "/usageSummary/totalCost", "value": 5200},
		{"op": "add", "path": "/partnerActions/-", "value": {"action": "budget-action", "reason": "other", "date": "2026-04-20T10:00:00Z"}},
	])
	fires(result, "ACCT-008", ["customers", 0, "usageSummary", "totalCost"])
}

# 77.6 * 100 is 7759.999... in binary floating point: both engines must agree
# that 77.60 of 97.00 is exactly 80 %.
test_acct_008_fires_at_exact_threshold_on_both_engines if {
	inp := patched([{"op": "replace", "path": "/usageSummary", "value": {"budget": {"amount": 97}, "totalCost": 77.6, "currencyCode": "GBP"}}])
	cfg := json.patch(configuration, [{"op": "replace", "path": "/riskControls/spendingBudgets/actionAtPercent", "value": 80}])
	result := deny with input as with_config(inp, cfg)
	fires(result, "ACCT-008", ["customers", 0, "usageSummary", "totalCost"])
}

test_acct_008_does_not_fire_below_threshold if {
	result := deny with input as patched([{"op": "replace", "path": "/usageSummary/totalCost", "value": 4999.99}])
	not "ACCT-008" in ids(result)
}

test_acct_008_and_009_not_applicable_on_21vianet if {
	inp := in_cloud(patched([{"op": "remove", "path": "/usageSummary"}]), "21vianet")
	result := deny with input as inp
	not "ACCT-008" in ids(result)
	not "ACCT-009" in ids(result)
	na := not_applicable with input as inp
	{n.rule | some n in na} == {"ACCT-008", "ACCT-009"}
}

test_acct_008_and_009_not_applicable_without_azure if {
	inp := patched([{"op": "remove", "path": "/subscriptions/1"}, {"op": "remove", "path": "/usageSummary"}])
	na := not_applicable with input as inp
	{"rule": "ACCT-009", "msg": "no Azure subscriptions"} in na
	{"rule": "ACCT-008", "msg": "no Azure subscriptions or usage summaries"} in na
}

test_acct_008_and_009_applicable_with_azure if {
	na := not_applicable with input as input_for(customer)
	not "ACCT-008" in {n.rule | some n in na}
	not "ACCT-009" in {n.rule | some n in na}
}

# --- ACCT-009 --------------------------------------------------------------------

test_acct_009_fires_when_azure_customer_has_null_budget if {
	result := deny with input as patched([{"op": "replace", "path": "/usageSummary/budget", "value": null}])
	fires(result, "ACCT-009", ["customers", 0, "usageSummary", "budget"])
}

test_acct_009_fires_when_budget_amount_null_or_summary_absent if {
	r1 := deny with input as patched([{"op": "replace", "path": "/usageSummary/budget/amount", "value": null}])
	fires(r1, "ACCT-009", ["customers", 0, "usageSummary", "budget"])
	r2 := deny with input as patched([{"op": "remove", "path": "/usageSummary"}])
	fires(r2, "ACCT-009", ["customers", 0, "usageSummary", "budget"])
}

# Each sign of an Azure subscription alone is enough: usage billing, the Azure
# product type, or an MS-AZR offer id in either case.
test_acct_009_fires_on_any_one_sign_of_azure if {
	azure := "/subscriptions/1"
	signs := [
		[{"op": "remove", "path": concat("", [azure, "/productType"])}, {"op": "replace", "path": concat("", [azure, "/offerId"]), "value": "DZH318Z0BQ3Q"}],
		[{"op": "replace", "path": concat("", [azure, "/billingType"]), "value": "license"}, {"op": "replace", "path": concat("", [azure, "/offerId"]), "value": "DZH318Z0BQ3Q"}],
		[{"op": "replace", "path": concat("", [azure, "/billingType"]), "value": "license"}, {"op": "remove", "path": concat("", [azure, "/productType"])}],
		[{"op": "replace", "path": concat("", [azure, "/billingType"]), "value": "license"}, {"op": "remove", "path": concat("", [azure, "/productType"])}, {"op": "replace", "path": concat("", [azure, "/offerId"]), "value": "ms-azr-0017p"}],
	]
	every ops in signs {
		result := deny with input as patched(array.concat(ops, [{"op": "remove", "path": "/usageSummary"}]))
		fires(result, "ACCT-009", ["customers", 0, "usageSummary", "budget"])
	}
}

test_acct_009_does_not_fire_without_any_sign_of_azure if {
	azure := "/subscriptions/1"
	result := deny with input as patched([
		{"op": "replace", "path": concat("", [azure, "/billingType"]), "value": "license"},
		{"op": "remove", "path": concat("", [azure, "/productType"])},
		{"op": "replace", "path": concat("", [azure, "/offerId"]), "value": "MS-AZQ-0145P"},
		{"op": "remove", "path": "/usageSummary"},
	])
	not "ACCT-009" in ids(result)
}

test_acct_009_does_not_fire_with_budget if {
	result := deny with input as input_for(customer)
	not "ACCT-009" in ids(result)
}

test_acct_009_does_not_fire_for_license_only_customer if {
	result := deny with input as patched([{"op": "remove", "path": "/subscriptions/1"}, {"op": "remove", "path": "/usageSummary"}])
	not "ACCT-009" in ids(result)
}

test_acct_009_does_not_fire_on_21vianet if {
	result := deny with input as in_cloud(patched([{"op": "remove", "path": "/usageSummary"}]), "21vianet")
	not "ACCT-009" in ids(result)
}

# --- ACCT-010 / ACCT-011 -----------------------------------------------------------

partner_invoice(date, paid) := {"id": "G000031337", "invoiceDate": date, "totalCharges": 2076.63, "paidAmount": paid, "currencyCode": "USD"}

with_partner_invoice(inv) := object.union(input_for(customer), {"snapshot": {"partnerInvoices": [inv]}})

test_acct_010_fires_when_partner_invoice_past_due if {
	result := deny with input as with_partner_invoice(partner_invoice("2026-04-01T08:00:00Z", 0))
	fires(result, "ACCT-010", ["partnerInvoices", 0])
	not "ACCT-011" in ids(result)
}

test_acct_010_does_not_fire_when_paid if {
	result := deny with input as with_partner_invoice(partner_invoice("2026-04-01T08:00:00Z", -2076.63))
	not "ACCT-010" in ids(result)
}

test_acct_010_does_not_fire_within_net_60_on_global if {
	result := deny with input as with_partner_invoice(partner_invoice("2026-05-01T08:00:00Z", 0))
	not "ACCT-010" in ids(result)
}

test_acct_010_fires_after_net_30_on_21vianet if {
	result := deny with input as in_cloud(with_partner_invoice(partner_invoice("2026-05-01T08:00:00Z", 0)), "21vianet")
	fires(result, "ACCT-010", ["partnerInvoices", 0])
}

test_acct_010_partial_payment_still_unpaid if {
	result := deny with input as with_partner_invoice(partner_invoice("2026-04-01T08:00:00Z", -2000))
	some f in result
	f.rule == "ACCT-010"
	contains(f.msg, "76.63 USD unpaid")
}

test_acct_011_fires_when_more_than_60_days_past_due if {
	result := deny with input as with_partner_invoice(partner_invoice("2026-03-01", 0))
	fires(result, "ACCT-011", ["partnerInvoices", 0])
	not "ACCT-010" in ids(result)
}

test_acct_011_does_not_fire_at_60_days if {
	result := deny with input as with_partner_invoice(partner_invoice("2026-03-02", 0))
	not "ACCT-011" in ids(result)
	fires(result, "ACCT-010", ["partnerInvoices", 0])
}

test_acct_010_011_not_applicable_without_partner_invoices if {
	inp := input_for(customer)
	na := not_applicable with input as json.patch(inp, [{"op": "remove", "path": "/snapshot/partnerInvoices"}])
	{"rule": "ACCT-010", "msg": "no partner invoices in the snapshot"} in na
	{"rule": "ACCT-011", "msg": "no partner invoices in the snapshot"} in na
	na2 := not_applicable with input as inp
	not "ACCT-010" in {n.rule | some n in na2}
}

# --- unknown enum values are data ----------------------------------------------------

test_unknown_subscription_status_causes_no_error if {
	result := deny with input as patched([
		{"op": "replace", "path": "/subscriptions/0/status", "value": "transferring"},
		overdue_invoice("INV-2026-0401", "2026-04-30"),
	])
	some f in result
	f.rule == "ACCT-001"
	not contains(f.msg, m365)
	contains(f.msg, azure)
}

test_many_customers_keep_their_indexes if {
	other := json.patch(customer, [
		{"op": "replace", "path": "/id", "value": "c2"},
		{"op": "remove", "path": "/companyProfile"},
		overdue_invoice("INV-9", "2026-04-01"),
	])
	inp := object.union(input_for(customer), {"snapshot": {"customers": [customer, other, customer]}})
	result := deny with input as inp
	fires(result, "ACCT-001", ["customers", 1, "subscriptions"])
	not fires(result, "ACCT-001", ["customers", 0, "subscriptions"])
	not fires(result, "ACCT-001", ["customers", 2, "subscriptions"])
}

# --- portfolio: Azure-only rules and the contradiction (ACCT-012) ------------------

no_azure_config := object.union(configuration, {"portfolio": {"azure": false}})

test_acct_008_and_009_not_applicable_when_partner_sells_no_azure if {
	inp := with_config(
		patched([
			{"op": "replace", "path": "/usageSummary/budget", "value": null},
			{"op": "replace", "path": "/usageSummary/totalCost", "value": 9000},
		]),
		no_azure_config,
	)
	result := deny with input as inp
	not "ACCT-008" in ids(result)
	not "ACCT-009" in ids(result)
	na := not_applicable with input as inp
	{"rule": "ACCT-009", "msg": "the configuration says the partner sells no Azure (portfolio.azure: false)"} in na
	{"rule": "ACCT-008", "msg": "the configuration says the partner sells no Azure (portfolio.azure: false)"} in na
}

test_acct_009_fires_when_portfolio_says_azure if {
	inp := with_config(patched([{"op": "replace", "path": "/usageSummary/budget", "value": null}]), object.union(configuration, {"portfolio": {"azure": true}}))
	result := deny with input as inp
	fires(result, "ACCT-009", ["customers", 0, "usageSummary", "budget"])
}

test_acct_009_not_applicable_when_budgets_not_required if {
	cfg := object.union(configuration, {"riskControls": {"spendingBudgets": {"required": false}}})
	inp := with_config(patched([{"op": "replace", "path": "/usageSummary/budget", "value": null}]), cfg)
	result := deny with input as inp
	not "ACCT-009" in ids(result)
	na := not_applicable with input as inp
	"ACCT-009" in {n.rule | some n in na}
}

test_acct_009_does_not_fire_on_deleted_azure_subscription if {
	result := deny with input as patched([
		{"op": "replace", "path": "/usageSummary/budget", "value": null},
		{"op": "replace", "path": "/subscriptions/1/status", "value": "Deleted"},
	])
	not "ACCT-009" in ids(result)
}

test_acct_012_fires_when_partner_sells_no_azure_but_holds_azure if {
	result := deny with input as with_config(input_for(customer), no_azure_config)
	fires(result, "ACCT-012", ["customers", 0, "subscriptions"])
	some f in result
	f.rule == "ACCT-012"
	contains(f.msg, azure)
	contains(f.msg, "portfolio.azure: false")
}

test_acct_012_fires_on_21vianet_with_azure if {
	result := deny with input as in_cloud(input_for(customer), "21vianet")
	some f in result
	f.rule == "ACCT-012"
	contains(f.msg, "not sold through Partner Center in cloud 21vianet")
}

test_acct_012_does_not_fire_without_live_azure if {
	result := deny with input as with_config(patched([{"op": "replace", "path": "/subscriptions/1/status", "value": "expired"}]), no_azure_config)
	not "ACCT-012" in ids(result)
	result2 := deny with input as input_for(customer)
	not "ACCT-012" in ids(result2)
	na := not_applicable with input as input_for(customer)
	{"rule": "ACCT-012", "msg": "the partner sells Azure"} in na
}

# --- ACCT-017: access restricted before the customer was notified ---------------------

notice(date) := {"op": "add", "path": "/partnerActions/-", "value": {"action": "notice", "reason": "non-payment", "date": date}}

test_acct_017_fires_when_suspended_before_any_notice if {
	result := deny with input as patched([suspended_m365, np_suspend("2026-06-05T09:00:00Z"), notice("2026-06-06")])
	fires(result, "ACCT-017", ["customers", 0, "partnerActions", 0])
	some f in result
	f.rule == "ACCT-017"
	contains(f.msg, sprintf("subscription %s", [m365]))
}

test_acct_017_does_not_fire_after_a_notice if {
	result := deny with input as patched([notice("2026-05-20"), suspended_m365, np_suspend("2026-06-05T09:00:00Z")])
	not "ACCT-017" in ids(result)
}

test_acct_017_does_not_fire_on_suspension_for_fraud if {
	result := deny with input as patched([
		suspended_m365,
		{"op": "add", "path": "/partnerActions/-", "value": {"subscriptionId": m365, "action": "suspend", "reason": "fraud", "date": "2026-06-05"}},
	])
	not "ACCT-017" in ids(result)
}

# --- 21Vianet's finance charge (ACCT-010, ACCT-011) -------------------------------------

test_acct_010_on_21vianet_says_what_the_finance_charge_costs if {
	# 2076.63 unpaid, 29 days past net 30: 1.5 % a month of it, 30.11.
	result := deny with input as in_cloud(with_partner_invoice(partner_invoice("2026-05-01T08:00:00Z", 0)), "21vianet")
	some f in result
	f.rule == "ACCT-010"
	contains(f.msg, "net 30")
	contains(f.msg, "21Vianet charges 1.5 % a month on overdue bills: about 30.11 USD so far")
}

test_acct_011_on_21vianet_says_what_the_finance_charge_costs if {
	result := deny with input as in_cloud(with_partner_invoice(partner_invoice("2026-03-01", 0)), "21vianet")
	some f in result
	f.rule == "ACCT-011"
	contains(f.msg, "about 94.49 USD so far")
}

test_acct_010_on_global_names_no_finance_charge if {
	result := deny with input as with_partner_invoice(partner_invoice("2026-04-01T08:00:00Z", 0))
	some f in result
	f.rule == "ACCT-010"
	not contains(f.msg, "finance")
	not contains(f.msg, "charges")
}

# --- enumerations are matched without regard to case -----------------------------------

state_findings(status) := result if {
	result := (deny | data.checker.accounts.fraud.deny) | data.checker.accounts.commerce.deny with input as patched([
		overdue_invoice("INV-2026-0401", "2026-04-30"),
		{"op": "replace", "path": "/subscriptions/0/status", "value": status},
		{"op": "replace", "path": "/subscriptions/1/status", "value": status},
	])
}

test_case_of_subscription_status_does_not_change_findings if {
	active := state_findings("active")
	"ACCT-001" in ids(active)
	state_findings("Active") == active
	state_findings("ACTIVE") == active
	suspended := state_findings("suspended")
	"ACCT-007" in ids(suspended)
	state_findings("Suspended") == suspended
	state_findings("SUSPENDED") == suspended
}
