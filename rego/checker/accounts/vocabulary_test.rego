package checker.accounts.vocabulary

import rego.v1

as_of := "2026-06-30T00:00:00Z"

customer := {
	"id": "c-1",
	"companyProfile": {"companyName": "Fabrikam"},
	"relationshipToPartner": "Reseller",
	"subscriptions": [
		{"id": "sub-1", "status": "Active"},
		{"id": "sub-2", "status": "SUSPENDED"},
	],
	"fraudEvents": [{
		"eventId": "ev-1", "eventTime": "2026-06-29T20:00:00Z", "eventStatus": "Resolved",
		"resolvedReason": "Ignore", "severity": "Medium", "eventType": "NetworkConnectionsToCryptoMiningPools",
	}],
	"serviceRequests": [{"id": "SR-1", "status": "Open", "createdDate": "2026-06-29T21:00:00Z"}],
}

input_for(c) := {
	"configuration": {"partner": {"id": "contoso"}, "cloud": "global"},
	"snapshot": {"apiVersion": "checker/v1", "kind": "AccountSnapshot", "asOf": as_of, "partnerId": "contoso", "customers": [c]},
	"asOf": as_of,
}

test_acct_016_does_not_fire_on_known_values_in_any_case if {
	result := deny with input as input_for(customer)
	count(result) == 0
}

test_acct_016_fires_once_on_an_unknown_subscription_status if {
	c := json.patch(customer, [{"op": "replace", "path": "/subscriptions/1/status", "value": "Transferring"}])
	result := deny with input as input_for(c)
	count(result) == 1
	some f in result
	f.rule == "ACCT-016"
	f.path == ["customers", 0, "subscriptions", 1, "status"]
	contains(f.msg, `subscription sub-2 of customer "Fabrikam" has status "Transferring"`)
	contains(f.msg, "ACCT-001")
}

test_acct_016_fires_on_each_unknown_enumeration if {
	c := json.patch(customer, [
		{"op": "replace", "path": "/fraudEvents/0/eventStatus", "value": "Escalated"},
		{"op": "replace", "path": "/fraudEvents/0/resolvedReason", "value": "Duplicate"},
		{"op": "replace", "path": "/fraudEvents/0/severity", "value": "Critical"},
		{"op": "replace", "path": "/fraudEvents/0/eventType", "value": "AnomalousComputeUsage"},
		{"op": "replace", "path": "/serviceRequests/0/status", "value": "Pending"},
		{"op": "replace", "path": "/relationshipToPartner", "value": "distributor"},
	])
	result := deny with input as input_for(c)
	{f.path | some f in result} == {
		["customers", 0, "fraudEvents", 0, "eventStatus"],
		["customers", 0, "fraudEvents", 0, "resolvedReason"],
		["customers", 0, "fraudEvents", 0, "severity"],
		["customers", 0, "fraudEvents", 0, "eventType"],
		["customers", 0, "serviceRequests", 0, "status"],
		["customers", 0, "relationshipToPartner"],
	}
	count(result) == 6
	some f in result
	f.path[4] == "eventStatus"
	contains(f.msg, `"Escalated"`)
	contains(f.msg, "ACCT-004, ACCT-005, ACCT-006 and ACCT-014 do not judge the event")
}
