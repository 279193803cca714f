package checker.accounts.commerce

import rego.v1

# Partner Center's own sample of a new-commerce subscription (Get a
# subscription by ID, response example; trimmed as in
# tests/fixtures/partner-center/subscription.nce-expired.json). Tests set its
# status and judge it at dates around its term.
sample := {
	"id": "a4c1340d-6911-4758-bba3-0c4c6007d161",
	"offerId": "CFQ7TTC0LH18:0001:CFQ7TTC0K971",
	"offerName": "Microsoft 365 Business Basic",
	"friendlyName": "Microsoft 365 Business Basic",
	"productType": {"id": "OnlineServicesNCE", "displayName": "OnlineServicesNCE"},
	"quantity": 15,
	"unitType": "Licenses",
	"creationDate": "2021-01-14T16:57:15.0966728Z",
	"effectiveStartDate": "2021-01-14T16:57:14.498252Z",
	"commitmentEndDate": "2022-01-13T00:00:00Z",
	"commitmentEndDateTime": "2022-01-13T23:59:59Z",
	"status": "expired",
	"autoRenewEnabled": false,
	"isTrial": false,
	"billingType": "license",
	"billingCycle": "monthly",
	"termDuration": "P1Y",
	"refundOptions": [{"type": "Full", "expiresAt": "2021-01-15T00:00:00Z"}],
	"isMicrosoftProduct": true,
	"partnerId": "",
	"attentionNeeded": false,
	"actionTaken": false,
	"contractType": "subscription",
	"publisherName": "Microsoft Corporation",
}

# Partner Center's suspend sample (PascalCase in the doc, camelCase after
# loading): a legacy subscription.
legacy_sample := {
	"id": "83ef9d05-4169-4ef9-9657-0e86b1eab1de",
	"friendlyName": "nickname",
	"quantity": 2,
	"unitType": "none",
	"creationDate": "2015-11-25T06:41:12Z",
	"effectiveStartDate": "2015-11-24T08:00:00Z",
	"commitmentEndDate": "2016-12-12T08:00:00Z",
	"status": "suspended",
	"autoRenewEnabled": false,
	"billingType": "none",
	"contractType": "subscription",
	"orderId": "6183db3d-6318-4e52-877e-25806e4971be",
}

configuration := {
	"apiVersion": "checker/v1",
	"kind": "PartnerConfiguration",
	"partner": {"id": "contoso", "name": "Contoso Cloud Services"},
	"cloud": "global",
	"collectionsPolicy": {"accessImpact": {"pastDueDays": 45, "action": "suspend"}},
}

customer := {
	"id": "eebd1b55-5360-4438-a11d-5c06918c3014",
	"companyProfile": {"companyName": "Fabrikam"},
	"receivables": {"invoices": [{"id": "INV-1", "invoiceDate": "2021-01-01", "dueDate": "2021-01-31", "amount": 90, "paidAmount": 90}]},
	"subscriptions": [object.union(sample, {"status": "active"})],
	"partnerActions": [],
}

input_at(as_of, c) := {
	"configuration": configuration,
	"snapshot": {"apiVersion": "checker/v1", "kind": "AccountSnapshot", "asOf": as_of, "partnerId": "contoso", "customers": [c]},
	"asOf": as_of,
}

with_ops(ops) := json.patch(customer, ops)

unpaid := {"op": "replace", "path": "/receivables/invoices/0/paidAmount", "value": 0}

fires(result, rule, path) if {
	some f in result
	f.rule == rule
	f.path == path
}

ids(result) := {f.rule | some f in result}

findings(rule, result) := [f | some f in result; f.rule == rule]

test_sample_is_new_commerce if {
	data.checker.lib.subscription_kind(sample) == "new-commerce"
	data.checker.lib.subscription_kind(legacy_sample) == "legacy"
	data.checker.lib.subscription_kind({"id": "x", "status": "active", "productType": {"id": "azure"}}) == "azure-plan"
	data.checker.lib.subscription_kind({"id": "x", "status": "active", "offerId": "CFQ7TTC0LH18:0001"}) == "new-commerce"
	data.checker.lib.subscription_kind({"id": "x", "status": "active", "offerId": "MS-AZR-0145P"}) == "legacy"
}

test_paying_customer_has_no_findings if {
	result := deny with input as input_at("2021-06-30T00:00:00Z", customer)
	count(result) == 0
}

# --- ACCT-013 ------------------------------------------------------------------

test_acct_013_fires_on_past_due_customer_with_commitment_left if {
	result := deny with input as input_at("2021-06-30T00:00:00Z", with_ops([unpaid]))
	fires(result, "ACCT-013", ["customers", 0, "subscriptions"])
	[f] := findings("ACCT-013", result)
	contains(f.msg, "150 days past due")
	contains(f.msg, "a4c1340d-6911-4758-bba3-0c4c6007d161 (P1Y, 197 days left until 2022-01-13T00:00:00Z)")
}

test_acct_013_lists_subscriptions_in_one_finding if {
	second := object.union(sample, {"id": "sub-2", "status": "Suspended"})
	result := deny with input as input_at("2021-06-30T00:00:00Z", with_ops([unpaid, {"op": "add", "path": "/subscriptions/-", "value": second}]))
	[f] := findings("ACCT-013", result)
	contains(f.msg, "subscriptions a4c1340d")
	contains(f.msg, "sub-2 (P1Y")
}

test_acct_013_does_not_fire_after_the_commitment_ended if {
	result := deny with input as input_at("2022-02-01T00:00:00Z", with_ops([unpaid]))
	not "ACCT-013" in ids(result)
}

test_acct_013_does_not_fire_on_expired_subscription if {
	result := deny with input as input_at("2021-06-30T00:00:00Z", with_ops([unpaid, {"op": "replace", "path": "/subscriptions/0/status", "value": "expired"}]))
	not "ACCT-013" in ids(result)
}

test_acct_013_does_not_fire_on_legacy_subscription if {
	result := deny with input as input_at("2015-12-30T00:00:00Z", with_ops([unpaid, {"op": "replace", "path": "/subscriptions/0", "value": object.union(legacy_sample, {"status": "active"})}]))
	not "ACCT-013" in ids(result)
}

# --- ACCT-014 ------------------------------------------------------------------

cancel_decision := {"op": "add", "path": "/partnerActions/-", "value": {"subscriptionId": sample.id, "action": "suspend", "reason": "non-payment", "decision": "cancel", "date": "2021-01-16T09:00:00Z"}}

test_acct_014_fires_while_the_window_still_cuts_the_bill if {
	# 168 hours from effectiveStartDate end after the sample's Full refund option.
	result := deny with input as input_at("2021-01-18T00:00:00Z", with_ops([cancel_decision]))
	fires(result, "ACCT-014", ["customers", 0, "subscriptions", 0])
	[f] := findings("ACCT-014", result)
	contains(f.msg, "can still be cancelled with a refund (a cancel decision is on record)")
	contains(f.msg, "closes at 2021-01-21T16:57:14Z, in 88 hours")
	contains(f.msg, "through 2022-01-13T00:00:00Z")
}

test_acct_014_fires_once_the_window_no_longer_cuts_the_bill if {
	result := deny with input as input_at("2021-02-01T00:00:00Z", with_ops([cancel_decision]))
	[f] := findings("ACCT-014", result)
	f.path == ["customers", 0, "subscriptions", 0]
	contains(f.msg, "cancel decision since 2021-01-16T09:00:00Z")
	contains(f.msg, "closed at 2021-01-21T16:57:14Z: cancelling no longer cuts the bill")
}

test_acct_014_fires_in_the_window_for_a_fraud_flagged_subscription if {
	ev := {"eventId": "ev-1", "eventTime": "2021-01-15T10:00:00Z", "eventStatus": "INVESTIGATING", "subscriptionId": sample.id}
	result := deny with input as input_at("2021-01-16T00:00:00Z", with_ops([{"op": "add", "path": "/fraudEvents", "value": [ev]}]))
	[f] := findings("ACCT-014", result)
	contains(f.msg, "(it is flagged as fraud)")
}

test_acct_014_uses_refund_options_that_end_later if {
	c := with_ops([cancel_decision, {"op": "replace", "path": "/subscriptions/0/refundOptions", "value": [{"type": "Partial", "expiresAfter": "2021-01-25T00:00:00Z"}]}])
	result := deny with input as input_at("2021-01-23T00:00:00Z", c)
	[f] := findings("ACCT-014", result)
	contains(f.msg, "closes at 2021-01-25T00:00:00Z, in 48 hours")
}

test_acct_014_does_not_fire_without_a_reason_to_cancel if {
	result := deny with input as input_at("2021-01-16T00:00:00Z", customer)
	not "ACCT-014" in ids(result)
}

test_acct_014_does_not_fire_once_cancelled if {
	c := with_ops([cancel_decision, {"op": "replace", "path": "/subscriptions/0/status", "value": "Cancelled"}])
	result := deny with input as input_at("2021-02-01T00:00:00Z", c)
	not "ACCT-014" in ids(result)
}

test_acct_014_does_not_fire_after_the_window_without_a_decision if {
	result := deny with input as input_at("2021-02-01T00:00:00Z", with_ops([unpaid]))
	not "ACCT-014" in ids(result)
}

# --- ACCT-015 ------------------------------------------------------------------

test_acct_015_fires_on_suspended_new_commerce_subscription if {
	c := with_ops([{"op": "replace", "path": "/subscriptions/0/status", "value": "Suspended"}])
	result := deny with input as input_at("2021-06-30T00:00:00Z", c)
	fires(result, "ACCT-015", ["customers", 0, "subscriptions", 0, "status"])
	[f] := findings("ACCT-015", result)
	contains(f.msg, "access restricted, still billed")
	contains(f.msg, "through 2022-01-13T00:00:00Z")
}

test_acct_015_does_not_fire_on_suspended_legacy_subscription if {
	c := with_ops([{"op": "replace", "path": "/subscriptions/0", "value": legacy_sample}])
	result := deny with input as input_at("2015-12-30T00:00:00Z", c)
	not "ACCT-015" in ids(result)
}

test_acct_015_does_not_fire_on_active_subscription if {
	result := deny with input as input_at("2021-06-30T00:00:00Z", customer)
	not "ACCT-015" in ids(result)
}
