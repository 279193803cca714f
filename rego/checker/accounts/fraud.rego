# Fraud and misuse: Partner Center fraud events, the service requests the
# partner filed about them, and suspensions the partner did not make.
#
# Event types and statuses are compared against the documented values only,
# without regard to case (Active, ACTIVE and active are one status); new
# event types or statuses are data, never break a rule, and are reported once
# by ACCT-016.
package checker.accounts.fraud

import data.checker.lib
import rego.v1

cloud := input.configuration.cloud

response_minutes := object.get(
	input.configuration,
	["riskControls", "fraudAlerts", "responseTimeMinutes"],
	lib.default_fraud_response_minutes,
)

# Actions by which the partner itself takes access away (a legacy
# cancellation also leaves the subscription suspended).
partner_suspending_actions := {"disable", "suspend", "block", "cancel"}

customer_name(c) := n if {
	n := c.companyProfile.companyName
	n != ""
} else := c.id

same_id(a, b) if lower(a) == lower(b)

# Fraud confirmed, or suspected and being investigated.
fraud_state(ev) := "confirmed as fraud" if {
	lower(ev.eventStatus) == "resolved"
	lower(ev.resolvedReason) == "fraud"
}

fraud_state(ev) := "under investigation" if lower(ev.eventStatus) == "investigating"

# A service request created this long before the event's eventTime still
# counts for it: a partner can escalate before Microsoft's alert arrives.
escalation_lead_ns := (24 * 60) * lib.minute_ns

duration_text(d) := sprintf("%d minutes", [floor(d / lib.minute_ns)]) if d < 120 * lib.minute_ns

duration_text(d) := sprintf("%d hours", [floor(d / (60 * lib.minute_ns))]) if {
	d >= 120 * lib.minute_ns
	d < 2 * lib.day_ns
}

duration_text(d) := sprintf("%d days", [floor(d / lib.day_ns)]) if d >= 2 * lib.day_ns

# A service request filed with the target at or after time t that is about
# the event's subscription (or names no subscriptions).
escalated(c, ev, t, target) if {
	some sr in c.serviceRequests
	object.get(sr, "filedWith", "microsoft") == target
	lib.ns(sr.createdDate) >= t - escalation_lead_ns
	about_event(sr, ev)
}

about_event(sr, _) if not sr.relatedSubscriptionIds

about_event(_, ev) if not ev.subscriptionId

about_event(sr, ev) if {
	some id in sr.relatedSubscriptionIds
	same_id(id, ev.subscriptionId)
}

# Requests about the event that went to the wrong party, for the message.
misdirected_note(c, ev, t, target) := sprintf(" (request %s was filed with %s)", [concat(", ", ids), other]) if {
	other := {"microsoft": "21vianet", "21vianet": "microsoft"}[target]
	ids := sort([sr.id |
		some sr in c.serviceRequests
		object.get(sr, "filedWith", "microsoft") == other
		lib.ns(sr.createdDate) >= t - escalation_lead_ns
		about_event(sr, ev)
	])
	count(ids) > 0
} else := ""

# METADATA
# title: Fraud event still Active beyond the response time
# description: >-
#   The partner carries the loss from fraudulent use, so detection only helps
#   if alerts are answered. Microsoft recommends responding to a fraud alert
#   within one hour (mitigating within 24 hours significantly limits the loss);
#   an event still Active, neither investigated nor resolved, longer than the
#   partner's committed response time after its eventTime was not answered.
# custom:
#   id: ACCT-004
#   concern: accounts
#   severity: error
#   clouds: [global, us-government, germany, 21vianet]
#   guidance:
#     url: https://learn.microsoft.com/en-us/partner-center/non-payment-fraud-misuse
#     quote: "You are financially responsible for fraudulent purchases by your customers and/or customer’s non-payment of purchased services; therefore, we recommend that you implement fraud prevention and detection risk mitigation controls."
#   remediation: >-
#     Triage the event now: set it to Investigating (and suspend the
#     subscription) or resolve it as Fraud or Ignore in Partner Center.
#   parameters:
#     - name: riskControls.fraudAlerts.responseTimeMinutes
#       default: 60
#       description: Committed time to respond to a fraud alert (Microsoft recommends one hour).
#   examples:
#     fails:
#       snapshot:
#         customers:
#           - id: northwind
#             companyProfile: {companyName: Northwind Traders}
#             fraudEvents: [{eventId: ev-1, eventTime: "2026-06-29T20:00:00Z", eventStatus: Active, subscriptionId: sub-1}]
#     passes:
#       snapshot:
#         customers:
#           - id: northwind
#             companyProfile: {companyName: Northwind Traders}
#             fraudEvents: [{eventId: ev-1, eventTime: "2026-06-29T20:00:00Z", eventStatus: Investigating, subscriptionId: sub-1}]
deny contains finding if {
	limit := response_minutes
	some i, c in input.snapshot.customers
	some k, ev in c.fraudEvents
	lower(ev.eventStatus) == "active"
	age := lib.now_ns - lib.ns(ev.eventTime)
	age > limit * lib.minute_ns
	finding := {
		"rule": "ACCT-004",
		"msg": sprintf(
			"fraud event %s (%s, severity %s) on subscription %s of customer %q is still Active %s after %s (response time %d minutes)",
			[
				ev.eventId, object.get(ev, "eventType", "unknown type"), object.get(ev, "severity", "unknown"),
				object.get(ev, "subscriptionId", "unknown"), customer_name(c), duration_text(age), ev.eventTime, limit,
			],
		),
		"path": ["customers", i, "fraudEvents", k, "eventStatus"],
	}
}

# METADATA
# title: Subscription still active under confirmed or investigated fraud
# description: >-
#   While suspected fraud or misuse is investigated the subscription should be
#   suspended, and once fraud is confirmed it must not keep running up charges
#   the partner pays for. The event's subscriptionId names the subscription.
# custom:
#   id: ACCT-005
#   concern: accounts
#   severity: error
#   clouds: [global, us-government, germany, 21vianet]
#   guidance:
#     url: https://learn.microsoft.com/en-us/partner-center/non-payment-fraud-misuse
#     quote: "You can suspend subscriptions yourself from Partner Center while you investigate the problem."
#   remediation: Suspend the subscription in Partner Center and record the suspend action (reason fraud or misuse) in partnerActions.
#   parameters: []
#   examples:
#     fails:
#       snapshot:
#         customers:
#           - id: northwind
#             companyProfile: {companyName: Northwind Traders}
#             subscriptions: [{id: sub-1, status: active}]
#             fraudEvents: [{eventId: ev-1, eventTime: "2026-06-29T20:00:00Z", eventStatus: Investigating, subscriptionId: sub-1}]
#     passes:
#       snapshot:
#         customers:
#           - id: northwind
#             companyProfile: {companyName: Northwind Traders}
#             subscriptions: [{id: sub-1, status: suspended}]
#             fraudEvents: [{eventId: ev-1, eventTime: "2026-06-29T20:00:00Z", eventStatus: Investigating, subscriptionId: sub-1}]
deny contains finding if {
	some i, c in input.snapshot.customers
	some ev in c.fraudEvents
	why := fraud_state(ev)
	some j, s in c.subscriptions
	lower(s.status) == "active"
	same_id(s.id, ev.subscriptionId)
	finding := {
		"rule": "ACCT-005",
		"msg": sprintf(
			"subscription %s of customer %q is still active although fraud event %s (%s) is %s",
			[s.id, customer_name(c), ev.eventId, object.get(ev, "eventType", "unknown type"), why],
		),
		"path": ["customers", i, "subscriptions", j, "status"],
	}
}

# METADATA
# title: Fraud with no service request to the cloud's escalation target
# description: >-
#   Suspected or confirmed fraud or misuse is escalated with a service request:
#   in Partner Center with Microsoft (global, US Government, Germany) or, for
#   Partner Center operated by 21Vianet, with 21Vianet ("Create a service
#   request with 21Vianet if you have additional questions or concerns about
#   suspicious activity."). A request created at most 24 hours before the
#   event's eventTime counts for it (a partner can escalate before Microsoft's
#   alert arrives); one filed earlier, about other subscriptions, or with the
#   wrong party does not. A request without filedWith went to Microsoft.
# custom:
#   id: ACCT-006
#   concern: accounts
#   severity: error
#   clouds: [global, us-government, germany, 21vianet]
#   guidance:
#     url: https://learn.microsoft.com/en-us/partner-center/non-payment-fraud-misuse
#     quote: "Create a service request in the Partner Center if you have additional questions or concerns about suspicious activity."
#   remediation: >-
#     File a service request about the event with Microsoft in Partner Center
#     (21Vianet for Partner Center operated by 21Vianet) and record it in
#     serviceRequests with filedWith and relatedSubscriptionIds.
#   parameters:
#     - name: cloud
#       default: none
#       description: Decides who receives the service request (microsoft, or 21vianet for the 21Vianet cloud).
#   examples:
#     fails:
#       snapshot:
#         customers:
#           - id: northwind
#             companyProfile: {companyName: Northwind Traders}
#             fraudEvents: [{eventId: ev-1, eventTime: "2026-06-29T20:00:00Z", eventStatus: Investigating, subscriptionId: sub-1}]
#     passes:
#       snapshot:
#         customers:
#           - id: northwind
#             companyProfile: {companyName: Northwind Traders}
#             fraudEvents: [{eventId: ev-1, eventTime: "2026-06-29T20:00:00Z", eventStatus: Investigating, subscriptionId: sub-1}]
#             serviceRequests: [{id: SR-1, status: open, createdDate: "2026-06-29T21:00:00Z", filedWith: microsoft, relatedSubscriptionIds: [sub-1]}]
deny contains finding if {
	target := lib.escalation_target[cloud]
	some i, c in input.snapshot.customers
	some k, ev in c.fraudEvents
	why := fraud_state(ev)
	t := lib.ns(ev.eventTime)
	not escalated(c, ev, t, target)
	finding := {
		"rule": "ACCT-006",
		"msg": sprintf(
			"fraud event %s on subscription %s of customer %q is %s but no service request about it was filed with %s since 24 hours before its eventTime %s%s",
			[
				ev.eventId, object.get(ev, "subscriptionId", "unknown"), customer_name(c), why,
				target, ev.eventTime, misdirected_note(c, ev, t, target),
			],
		),
		"path": ["customers", i, "fraudEvents", k],
	}
}

# METADATA
# title: Suspended subscription with no partner action on record
# description: >-
#   Microsoft suspends customers it finds breaking the Acceptable Use Policy and
#   notifies the partner. A suspended or disabled subscription whose latest
#   recorded partner action is not a suspend, disable, block or cancel was
#   probably suspended by Microsoft, so the partner must have been notified and
#   must act (investigate, decide, and answer Microsoft).
# custom:
#   id: ACCT-007
#   concern: accounts
#   severity: warning
#   clouds: [global, us-government, germany, 21vianet]
#   guidance:
#     url: https://learn.microsoft.com/en-us/partner-center/non-payment-fraud-misuse
#     quote: "The customer could be immediately suspended, and you'll be notified of enforcement actions or updated on your requests by Microsoft."
#   remediation: >-
#     Find Microsoft's enforcement notification, investigate the customer, and
#     record the partner's action (or the reason for the suspension) in
#     partnerActions.
#   parameters: []
#   examples:
#     fails:
#       snapshot:
#         customers:
#           - id: northwind
#             companyProfile: {companyName: Northwind Traders}
#             subscriptions: [{id: sub-1, status: suspended}]
#     passes:
#       snapshot:
#         customers:
#           - id: northwind
#             companyProfile: {companyName: Northwind Traders}
#             subscriptions: [{id: sub-1, status: suspended}]
#             partnerActions: [{subscriptionId: sub-1, action: suspend, reason: fraud, date: "2026-06-20"}]
deny contains finding if {
	some [i, j] in data.checker.accounts.state.impacted_subscriptions
	c := input.snapshot.customers[i]
	s := c.subscriptions[j]
	not partner_suspended(c, s)
	reasons := object.get(s, "suspensionReasons", [])
	finding := {
		"rule": "ACCT-007",
		"msg": sprintf(
			"subscription %s of customer %q is %s (suspension reasons: %s) with no partner action on record: possibly enforcement under the Acceptable Use Policy",
			[s.id, customer_name(c), lower(s.status), reasons_text(reasons)],
		),
		"path": ["customers", i, "subscriptions", j, "status"],
	}
}

# The partner-action helpers live in checker.accounts.state and are always
# referenced by full path, never through an import or a rule bound to the
# package: regorus then evaluates the whole package (all its deny rules)
# before the first lookup.
partner_suspended(c, s) if {
	a := data.checker.accounts.state.latest_access_action(c, s)
	a.action in partner_suspending_actions
}

reasons_text(reasons) := concat(", ", reasons) if count(reasons) > 0

reasons_text([]) := "none given"
