package checker.accounts.fraud

import rego.v1

# A compliant global partner and one Azure customer whose past fraud alert
# was handled; tests vary them with json.patch (object.union merges deeply
# and cannot remove keys).

as_of := "2026-06-30T00:00:00Z"

configuration := {
	"apiVersion": "checker/v1",
	"kind": "PartnerConfiguration",
	"partner": {"id": "contoso", "name": "Contoso Cloud Services"},
	"cloud": "global",
	"riskControls": {
		"fraudAlerts": {"subscribed": true, "channels": ["webhook"], "owner": "secops@contoso.example", "responseTimeMinutes": 60},
		"fraudEscalation": {"target": "microsoft", "suspendWhileInvestigating": true},
	},
}

azure := "2a7064fb-1e33-4007-974e-352cb3f2c805"

m365 := "a4c1340d-6911-4758-bba3-0c4c6007d161"

# Shaped like Partner Center's GET /v1/fraudEvents sample.
event := {
	"eventTime": "2026-06-12T08:25:45.69",
	"eventId": "2a7064fb-1e33-4007-974e-352cb3f2c805_2edeb5b1-766f-4209-9271-3ddf27755afa",
	"customerTenantId": "a248da34-6840-4c67-82d7-7f55ccd50d03",
	"subscriptionId": azure,
	"subscriptionType": "modern",
	"hitCount": "10",
	"catalogOfferId": "ms-azr-17g",
	"eventStatus": "Resolved",
	"resolvedReason": "Ignore",
	"resolvedOn": "2026-06-12T09:01:10.12",
	"eventType": "NetworkConnectionsToCryptoMiningPools",
	"severity": "Medium",
}

customer := {
	"id": "a248da34-6840-4c67-82d7-7f55ccd50d03",
	"companyProfile": {"tenantId": "a248da34-6840-4c67-82d7-7f55ccd50d03", "domain": "tailspin.onmicrosoft.com", "companyName": "Tailspin Toys"},
	"relationshipToPartner": "reseller",
	"subscriptions": [
		{"id": azure, "offerId": "MS-AZR-0145P", "status": "active", "billingType": "usage", "productType": {"id": "Azure"}},
		{"id": m365, "offerId": "CFQ7TTC0LH18:0001:CFQ7TTC0K971", "status": "active", "billingType": "license", "termDuration": "P1Y"},
	],
	"fraudEvents": [event],
	"serviceRequests": [{
		"id": "616122292874576", "title": "Crypto-mining alert on Azure plan", "severity": "critical",
		"status": "closed", "createdDate": "2026-06-12T08:50:00Z", "relatedSubscriptionIds": [azure],
	}],
	"partnerActions": [{"subscriptionId": azure, "action": "alert-acknowledged", "reason": "fraud", "date": "2026-06-12T08:40:00Z", "by": "secops@contoso.example"}],
}

snapshot := {"apiVersion": "checker/v1", "kind": "AccountSnapshot", "asOf": as_of, "partnerId": "contoso", "customers": [customer]}

input_for(c) := {"configuration": configuration, "snapshot": object.union(snapshot, {"customers": [c]}), "asOf": as_of}

patched(ops) := input_for(json.patch(customer, ops))

in_cloud(inp, cloud) := object.union(inp, {"configuration": {"cloud": cloud}})

fires(result, rule, path) if {
	some f in result
	f.rule == rule
	f.path == path
}

ids(result) := {f.rule | some f in result}

set_event(fields) := {"op": "replace", "path": "/fraudEvents/0", "value": object.union(event, fields)}

investigating := set_event({"eventStatus": "Investigating", "resolvedReason": "None", "resolvedOn": "9999-12-31T23:59:59.9970000"})

confirmed := set_event({"eventStatus": "Resolved", "resolvedReason": "Fraud"})

suspend_azure := [
	{"op": "replace", "path": "/subscriptions/0/status", "value": "suspended"},
	{"op": "add", "path": "/partnerActions/-", "value": {"subscriptionId": azure, "action": "suspend", "reason": "fraud", "date": "2026-06-12T08:45:00Z"}},
]

test_base_input_has_no_findings if {
	result := deny with input as input_for(customer)
	count(result) == 0
}

# --- ACCT-004 ----------------------------------------------------------------

active_since(t) := set_event({"eventStatus": "Active", "eventTime": t, "resolvedReason": "None", "resolvedOn": "9999-12-31T23:59:59.9970000"})

test_acct_004_fires_when_event_active_beyond_response_time if {
	result := deny with input as patched([active_since("2026-06-29T22:00:00.69")])
	fires(result, "ACCT-004", ["customers", 0, "fraudEvents", 0, "eventStatus"])
	some f in result
	f.rule == "ACCT-004"
	contains(f.msg, "still Active 119 minutes")
	contains(f.msg, "Tailspin Toys")
}

test_acct_004_does_not_fire_within_response_time if {
	result := deny with input as patched([active_since("2026-06-29T23:30:00Z")])
	not "ACCT-004" in ids(result)
}

test_acct_004_uses_configured_response_time if {
	cfg := json.patch(configuration, [{"op": "replace", "path": "/riskControls/fraudAlerts/responseTimeMinutes", "value": 180}])
	inp := json.patch(patched([active_since("2026-06-29T22:00:00Z")]), [{"op": "replace", "path": "/configuration", "value": cfg}])
	result := deny with input as inp
	not "ACCT-004" in ids(result)
}

test_acct_004_defaults_to_one_hour if {
	cfg := json.patch(configuration, [{"op": "remove", "path": "/riskControls/fraudAlerts/responseTimeMinutes"}])
	inp := json.patch(patched([active_since("2026-06-29T22:50:00+00:00")]), [{"op": "replace", "path": "/configuration", "value": cfg}])
	result := deny with input as inp
	fires(result, "ACCT-004", ["customers", 0, "fraudEvents", 0, "eventStatus"])
}

test_acct_004_fires_for_unknown_event_type if {
	result := deny with input as patched([
		active_since("2026-06-20T10:00:00Z"),
		{"op": "replace", "path": "/fraudEvents/0/eventType", "value": "QuantumAnnealerUsageAnomaly"},
	])
	some f in result
	f.rule == "ACCT-004"
	contains(f.msg, "QuantumAnnealerUsageAnomaly")
	contains(f.msg, "9 days")
}

# --- ACCT-005 ----------------------------------------------------------------

test_acct_005_fires_when_investigated_subscription_still_active if {
	result := deny with input as patched([investigating])
	fires(result, "ACCT-005", ["customers", 0, "subscriptions", 0, "status"])
	not fires(result, "ACCT-005", ["customers", 0, "subscriptions", 1, "status"])
}

test_acct_005_fires_when_confirmed_fraud_subscription_still_active if {
	result := deny with input as patched([confirmed, {"op": "replace", "path": "/fraudEvents/0/subscriptionId", "value": upper(azure)}])
	fires(result, "ACCT-005", ["customers", 0, "subscriptions", 0, "status"])
}

test_acct_005_does_not_fire_when_suspended if {
	result := deny with input as patched(array.concat([confirmed], suspend_azure))
	not "ACCT-005" in ids(result)
}

test_acct_005_does_not_fire_when_resolved_as_ignore if {
	result := deny with input as input_for(customer)
	not "ACCT-005" in ids(result)
}

# --- ACCT-006 ----------------------------------------------------------------

test_acct_006_fires_without_service_request if {
	result := deny with input as patched(array.concat([investigating, {"op": "replace", "path": "/serviceRequests", "value": []}], suspend_azure))
	fires(result, "ACCT-006", ["customers", 0, "fraudEvents", 0])
}

test_acct_006_fires_when_request_predates_event if {
	result := deny with input as patched(array.concat(
		[confirmed, {"op": "replace", "path": "/serviceRequests/0/createdDate", "value": "2026-06-01T08:00:00Z"}],
		suspend_azure,
	))
	fires(result, "ACCT-006", ["customers", 0, "fraudEvents", 0])
}

test_acct_006_fires_when_request_is_about_another_subscription if {
	result := deny with input as patched(array.concat(
		[confirmed, {"op": "replace", "path": "/serviceRequests/0/relatedSubscriptionIds", "value": [m365]}],
		suspend_azure,
	))
	fires(result, "ACCT-006", ["customers", 0, "fraudEvents", 0])
}

test_acct_006_does_not_fire_with_request_to_microsoft_on_global if {
	result := deny with input as patched(array.concat([confirmed], suspend_azure))
	not "ACCT-006" in ids(result)
}

test_acct_006_fires_on_21vianet_when_request_went_to_microsoft if {
	inp := in_cloud(
		patched(array.concat(
			[investigating, {"op": "add", "path": "/serviceRequests/0/filedWith", "value": "microsoft"}],
			suspend_azure,
		)),
		"21vianet",
	)
	result := deny with input as inp
	fires(result, "ACCT-006", ["customers", 0, "fraudEvents", 0])
	some f in result
	f.rule == "ACCT-006"
	contains(f.msg, "filed with 21vianet")
	contains(f.msg, "request 616122292874576 was filed with microsoft")
}

test_acct_006_fires_on_21vianet_when_request_has_no_filed_with if {
	result := deny with input as in_cloud(patched(array.concat([investigating], suspend_azure)), "21vianet")
	fires(result, "ACCT-006", ["customers", 0, "fraudEvents", 0])
}

test_acct_006_does_not_fire_on_21vianet_with_request_to_21vianet if {
	inp := in_cloud(
		patched(array.concat(
			[investigating, {"op": "add", "path": "/serviceRequests/0/filedWith", "value": "21vianet"}],
			suspend_azure,
		)),
		"21vianet",
	)
	result := deny with input as inp
	not "ACCT-006" in ids(result)
}

test_acct_006_fires_on_global_when_request_went_to_21vianet if {
	result := deny with input as patched(array.concat(
		[confirmed, {"op": "add", "path": "/serviceRequests/0/filedWith", "value": "21vianet"}],
		suspend_azure,
	))
	fires(result, "ACCT-006", ["customers", 0, "fraudEvents", 0])
}

# --- ACCT-007 ----------------------------------------------------------------

test_acct_007_fires_when_suspended_without_partner_action if {
	result := deny with input as patched([
		{"op": "replace", "path": "/subscriptions/1/status", "value": "suspended"},
		{"op": "add", "path": "/subscriptions/1/suspensionReasons", "value": ["Fraud"]},
	])
	fires(result, "ACCT-007", ["customers", 0, "subscriptions", 1, "status"])
	some f in result
	f.rule == "ACCT-007"
	contains(f.msg, "suspension reasons: Fraud")
}

test_acct_007_fires_when_suspended_after_partner_reactivated if {
	result := deny with input as patched([
		{"op": "replace", "path": "/subscriptions/1/status", "value": "suspended"},
		{"op": "add", "path": "/partnerActions/-", "value": {"subscriptionId": m365, "action": "suspend", "reason": "non-payment", "date": "2026-04-01"}},
		{"op": "add", "path": "/partnerActions/-", "value": {"subscriptionId": m365, "action": "reactivate", "reason": "non-payment", "date": "2026-04-10"}},
	])
	fires(result, "ACCT-007", ["customers", 0, "subscriptions", 1, "status"])
}

test_acct_007_does_not_fire_when_partner_suspended if {
	result := deny with input as patched(suspend_azure)
	not "ACCT-007" in ids(result)
}

test_acct_007_does_not_fire_for_customer_wide_block if {
	result := deny with input as patched([
		{"op": "replace", "path": "/subscriptions/1/status", "value": "suspended"},
		{"op": "add", "path": "/partnerActions/-", "value": {"action": "block", "reason": "non-payment", "date": "2026-06-01"}},
	])
	not "ACCT-007" in ids(result)
}

# --- unknown values are data -------------------------------------------------------

test_unknown_status_and_event_type_cause_no_error if {
	result := deny with input as patched([
		{"op": "replace", "path": "/subscriptions/0/status", "value": "transferring"},
		{"op": "replace", "path": "/subscriptions/1/status", "value": "suspended"},
		set_event({"eventStatus": "Escalated", "eventType": "SomethingNew", "resolvedReason": "Unknown"}),
	])
	ids(result) == {"ACCT-007"}
}

test_pascal_case_sample_after_loader_is_checked if {
	# The loader turns Partner Center's PascalCase keys (Id, Status, ...) into
	# camelCase before policies see them.
	sub := {
		"id": "83ef9d05-4169-4ef9-9657-0e86b1eab1de", "friendlyName": "nickname", "quantity": 2,
		"unitType": "none", "parentSubscriptionId": null, "creationDate": "2015-11-25T06:41:12Z",
		"commitmentEndDate": "2016-12-12T08:00:00Z", "status": "suspended", "autoRenewEnabled": false,
		"billingType": "none", "partnerId": null, "contractType": "subscription",
	}
	result := deny with input as patched([{"op": "add", "path": "/subscriptions/-", "value": sub}])
	fires(result, "ACCT-007", ["customers", 0, "subscriptions", 2, "status"])
}

# --- a request shortly before eventTime counts (ACCT-006) ---------------------

test_acct_006_does_not_fire_when_request_was_filed_hours_before_the_event if {
	result := deny with input as patched(array.concat(
		[confirmed, {"op": "replace", "path": "/serviceRequests/0/createdDate", "value": "2026-06-11T20:00:00Z"}],
		suspend_azure,
	))
	not "ACCT-006" in ids(result)
}

test_acct_006_fires_when_request_was_filed_more_than_a_day_before_the_event if {
	result := deny with input as patched(array.concat(
		[confirmed, {"op": "replace", "path": "/serviceRequests/0/createdDate", "value": "2026-06-11T08:00:00Z"}],
		suspend_azure,
	))
	fires(result, "ACCT-006", ["customers", 0, "fraudEvents", 0])
}

# --- enumerations are matched without regard to case -----------------------------

fraud_findings(status, event_status, reason) := result if {
	result := deny with input as patched([
		{"op": "replace", "path": "/serviceRequests", "value": []},
		{"op": "replace", "path": "/subscriptions/0/status", "value": status},
		set_event({"eventStatus": event_status, "resolvedReason": reason, "eventTime": "2026-06-29T20:00:00Z"}),
	])
}

test_case_of_statuses_does_not_change_fraud_findings if {
	lower_case := fraud_findings("active", "active", "none")
	count(lower_case) > 0
	fraud_findings("Active", "Active", "None") == lower_case
	fraud_findings("ACTIVE", "ACTIVE", "NONE") == lower_case
	confirmed_lower := fraud_findings("active", "resolved", "fraud")
	"ACCT-005" in ids(confirmed_lower)
	fraud_findings("Active", "Resolved", "Fraud") == confirmed_lower
	fraud_findings("ACTIVE", "RESOLVED", "FRAUD") == confirmed_lower
}
