# Partner Center enumerations the rules read. Every rule matches them
# without regard to case (lower() against the sets in checker.lib); a value
# outside the known set is never silently dropped: it is one information
# finding here, naming the value, its place and the rules that leave it
# alone.
package checker.accounts.vocabulary

import data.checker.lib
import rego.v1

customer_name(c) := n if {
	n := c.companyProfile.companyName
	n != ""
} else := c.id

known(values) := concat(", ", sort(values))

# Customers with fraud events or service requests: few, so the rules about
# their values pass over them only, not over every customer.
with_fraud_events contains i if {
	some i, c in input.snapshot.customers
	c.fraudEvents[0]
}

with_service_requests contains i if {
	some i, c in input.snapshot.customers
	c.serviceRequests[0]
}

# [path, what, value, known values, what the rules do with it]
unknown contains [["customers", i, "subscriptions", j, "status"], sprintf("subscription %s", [s.id]), s.status, lib.subscription_statuses, "ACCT-001, ACCT-002, ACCT-003, ACCT-005, ACCT-007, ACCT-013, ACCT-014 and ACCT-015 treat it as neither active, suspended nor ended, and ACCT-009 and ACCT-012 as live"] if {
	some i, c in input.snapshot.customers
	some j, s in c.subscriptions
	not lib.subscription_statuses[s.status] # the common spellings cost one lookup
	not lib.subscription_statuses[lower(s.status)]
}

unknown contains [["customers", i, "fraudEvents", k, "eventStatus"], sprintf("fraud event %s", [ev.eventId]), ev.eventStatus, lib.fraud_event_statuses, "ACCT-004, ACCT-005, ACCT-006 and ACCT-014 do not judge the event"] if {
	some i in with_fraud_events
	some k, ev in input.snapshot.customers[i].fraudEvents
	not lib.fraud_event_statuses[lower(ev.eventStatus)]
}

unknown contains [["customers", i, "fraudEvents", k, "resolvedReason"], sprintf("fraud event %s", [ev.eventId]), ev.resolvedReason, lib.fraud_resolved_reasons, "ACCT-005, ACCT-006 and ACCT-014 do not count a resolved event as confirmed fraud"] if {
	some i in with_fraud_events
	some k, ev in input.snapshot.customers[i].fraudEvents
	is_string(ev.resolvedReason)
	not lib.fraud_resolved_reasons[lower(ev.resolvedReason)]
}

unknown contains [["customers", i, "fraudEvents", k, "severity"], sprintf("fraud event %s", [ev.eventId]), ev.severity, lib.fraud_event_severities, "ACCT-004 reports it as given; no rule ranks it"] if {
	some i in with_fraud_events
	some k, ev in input.snapshot.customers[i].fraudEvents
	is_string(ev.severity)
	not lib.fraud_event_severities[lower(ev.severity)]
}

unknown contains [["customers", i, "fraudEvents", k, "eventType"], sprintf("fraud event %s", [ev.eventId]), ev.eventType, lib.fraud_event_types, "ACCT-004, ACCT-005 and ACCT-006 judge the event by its status alone; check that the new alert type needs the same handling"] if {
	some i in with_fraud_events
	some k, ev in input.snapshot.customers[i].fraudEvents
	is_string(ev.eventType)
	not lib.fraud_event_types[lower(ev.eventType)]
}

unknown contains [["customers", i, "serviceRequests", k, "status"], sprintf("service request %s", [sr.id]), sr.status, lib.service_request_statuses, "ACCT-006 counts the request whatever its status"] if {
	some i in with_service_requests
	some k, sr in input.snapshot.customers[i].serviceRequests
	is_string(sr.status)
	not lib.service_request_statuses[lower(sr.status)]
}

unknown contains [["customers", i, "relationshipToPartner"], "the customer", c.relationshipToPartner, lib.relationships_to_partner, "no rule reads the relationship"] if {
	some i, c in input.snapshot.customers
	c.relationshipToPartner != "reseller" # the common value costs one comparison
	is_string(c.relationshipToPartner)
	not lib.relationships_to_partner[lower(c.relationshipToPartner)]
}

# METADATA
# title: Partner Center value outside the known set
# description: >-
#   Partner Center adds values over time (a new subscription status, a new
#   fraud event type). Rules match the documented values without regard to
#   case; a value they do not know would make a finding silently disappear, so
#   each one is reported once, where it is, with what the rules that read it
#   do with it.
# custom:
#   id: ACCT-016
#   concern: accounts
#   severity: info
#   clouds: [global, us-government, germany, 21vianet]
#   guidance:
#     url: https://learn.microsoft.com/en-us/partner-center/non-payment-fraud-misuse
#     quote: "You are financially responsible for fraudulent purchases by your customers and/or customer’s non-payment of purchased services; therefore, we recommend that you implement fraud prevention and detection risk mitigation controls."
#   remediation: >-
#     Check what the value means in Partner Center and handle the affected
#     subscription, event or request by hand; report the value so that the
#     rules learn it.
#   parameters: []
#   examples:
#     fails:
#       snapshot:
#         customers:
#           - id: northwind
#             companyProfile: {companyName: Northwind Traders}
#             subscriptions: [{id: sub-1, status: Frozen}]
#     passes:
#       snapshot:
#         customers:
#           - id: northwind
#             companyProfile: {companyName: Northwind Traders}
#             subscriptions: [{id: sub-1, status: Suspended}]
deny contains finding if {
	some [path, what, value, values, effect] in unknown
	c := input.snapshot.customers[path[1]]
	finding := {
		"rule": "ACCT-016",
		"msg": sprintf(
			"%s of customer %q has %s %q, not a value Partner Center documents (%s): %s",
			[what, customer_name(c), path[count(path) - 1], value, known(values), effect],
		),
		"path": path,
	}
}
