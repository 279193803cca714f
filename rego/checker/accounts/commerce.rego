# New commerce: what a non-paying or fraudulent customer's new-commerce
# subscriptions cost the partner. A new-commerce licence subscription can be
# cancelled with a prorated refund only within 7 days (168 hours) of purchase
# or renewal; after that the partner owes Microsoft the whole term, through
# commitmentEndDate, whether or not the customer pays, and suspending it
# restricts access without stopping Microsoft's billing.
#
# Subscriptions are classified by lib.subscription_kind; only customers that
# matter (unpaid, with fraud events, or with a cancel decision) are looked at.
package checker.accounts.commerce

import data.checker.lib
import rego.v1

customer_name(c) := n if {
	n := c.companyProfile.companyName
	n != ""
} else := c.id

same_id(a, b) if lower(a) == lower(b)

# A new-commerce subscription that has not ended.
live_new_commerce(s) if {
	lib.subscription_kind(s) == "new-commerce"
	not lib.ended_statuses[lower(s.status)]
}

# Reasons for which cancelling protects the partner.
cancel_reasons := {"non-payment", "fraud", "misuse"}

# The partner's recorded decisions to cancel subscription s for non-payment,
# fraud or misuse: a cancel action or a cancel decision (the later entry of
# a day wins nothing here; every one counts).
cancel_decisions(c, s) := {a |
	some a in c.partnerActions
	a.reason in cancel_reasons
	cancel_recorded(a)
	applies_to(a, s)
}

cancel_recorded(a) if a.action == "cancel"

cancel_recorded(a) if a.decision == "cancel"

applies_to(a, _) if not a.subscriptionId

applies_to(a, s) if same_id(a.subscriptionId, s.id)

# The subscription's fraud event is being investigated or was confirmed.
fraud_flagged(c, s) if {
	some ev in c.fraudEvents
	same_id(ev.subscriptionId, s.id)
	lower(ev.eventStatus) == "investigating"
}

fraud_flagged(c, s) if {
	some ev in c.fraudEvents
	same_id(ev.subscriptionId, s.id)
	lower(ev.eventStatus) == "resolved"
	lower(ev.resolvedReason) == "fraud"
}

# Start of the current term: effectiveStartDate (purchase or renewal), else
# creationDate.
term_start(s) := s.effectiveStartDate

term_start(s) := s.creationDate if not s.effectiveStartDate

# When the cancellation window closes, in ns: the latest of 168 hours after
# the term's start and every refundOptions[].expiresAt (or expiresAfter);
# undefined when the subscription gives neither.
window_end_ns(s) := max(ends) if {
	from_options := {lib.ns(t) |
		some o in s.refundOptions
		some key in ["expiresAt", "expiresAfter"]
		t := o[key]
	}
	from_start := {e |
		t := term_start(s)
		e := lib.ns(t) + lib.refund_window_ns
	}
	ends := from_options | from_start
	count(ends) > 0
}

date_text(t) := sprintf("%04d-%02d-%02dT%02d:%02d:%02dZ", array.concat(time.date(t), time.clock(t)))

hours_text(d) := sprintf("%d hours", [floor(d / (60 * lib.minute_ns))]) if d >= (2 * 60) * lib.minute_ns

hours_text(d) := sprintf("%d minutes", [floor(d / lib.minute_ns)]) if d < (2 * 60) * lib.minute_ns

commitment_text(s) := sprintf("through %s", [s.commitmentEndDate]) if s.commitmentEndDate

commitment_text(s) := "through the end of its term" if not s.commitmentEndDate

# Customers worth looking at: unpaid, with fraud events, or with a cancel
# action or decision on record. Few in a healthy book.
candidates contains i if some i in data.checker.accounts.state.unpaid_customers

candidates contains i if {
	some i, c in input.snapshot.customers
	c.fraudEvents[0]
}

candidates contains i if some i in cancelling

past_due(c) if lib.days_past_due(c) > 0

# Date strings compared before anything is parsed: a cancellation window
# still open started (or has a refund option ending) after window_cutoff,
# nine days back; a commitment still running ends after commitment_cutoff,
# a day back; an invoice past due was due before due_cutoff, five days ahead.
window_cutoff := lib.recent_cutoff(14)

commitment_cutoff := lib.recent_cutoff(6)

due_cutoff := lib.recent_cutoff(0)

# Unpaid customers with an invoice that may be past due.
maybe_past_due contains i if {
	some i in data.checker.accounts.state.unpaid_customers
	some inv in input.snapshot.customers[i].receivables.invoices
	inv.dueDate < due_cutoff
}

# Subscriptions of candidate customers whose cancellation window may still
# be open, as [customer index, subscription index].
maybe_open_window contains [i, j] if {
	some i in candidates
	some j, s in input.snapshot.customers[i].subscriptions
	s.effectiveStartDate >= window_cutoff
}

maybe_open_window contains [i, j] if {
	some i in candidates
	some j, s in input.snapshot.customers[i].subscriptions
	not s.effectiveStartDate
	s.creationDate >= window_cutoff
}

maybe_open_window contains [i, j] if {
	some i in candidates
	some j, s in input.snapshot.customers[i].subscriptions
	some o in s.refundOptions
	some key in ["expiresAt", "expiresAfter"]
	o[key] >= window_cutoff
}

# Customers with a cancel action or decision on record.
cancelling contains i if {
	some i, c in input.snapshot.customers
	some a in c.partnerActions
	cancel_recorded(a)
}

# Why cancelling subscription s is on the table, for the message.
cancel_motive(c, s) := "a cancel decision is on record" if {
	count(cancel_decisions(c, s)) > 0
} else := "it is flagged as fraud" if {
	fraud_flagged(c, s)
} else := "the customer is past due" if {
	past_due(c)
}

# METADATA
# title: Non-paying customer's new-commerce commitment still owed
# description: >-
#   After the 7-day cancellation window the partner owes Microsoft every
#   new-commerce subscription's whole term, whether or not the customer pays.
#   For a customer past due, the partner's exposure therefore includes the
#   rest of each live new-commerce commitment, through its commitmentEndDate;
#   reported once per customer with the subscriptions and the days left.
# custom:
#   id: ACCT-013
#   concern: accounts
#   severity: info
#   clouds: [global, us-government, germany, 21vianet]
#   applies: [new-commerce]
#   guidance:
#     url: https://learn.microsoft.com/en-us/partner-center/developer/cancel-an-azure-marketplace-subscription
#     quote: "New commerce subscriptions can be canceled within 7 days, except where otherwise required by law, of purchase or renewal."
#   remediation: >-
#     Count the remaining commitment in the customer's exposure: collect or
#     secure payment for the rest of the term, and do not renew (auto-renew
#     off); cancel only while the cancellation window is open (ACCT-014).
#   parameters: []
#   examples:
#     fails:
#       snapshot:
#         customers:
#           - id: northwind
#             companyProfile: {companyName: Northwind Traders}
#             receivables: {invoices: [{id: INV-0501, dueDate: "2026-05-31", amount: 1200}]}
#             subscriptions: [{id: sub-1, status: active, offerId: "CFQ7TTC0LH18:0001", termDuration: P1Y, commitmentEndDate: "2027-01-13"}]
#     passes:
#       snapshot:
#         customers:
#           - id: northwind
#             companyProfile: {companyName: Northwind Traders}
#             receivables: {invoices: [{id: INV-0501, dueDate: "2026-05-31", amount: 1200, paidAmount: 1200}]}
#             subscriptions: [{id: sub-1, status: active, offerId: "CFQ7TTC0LH18:0001", termDuration: P1Y, commitmentEndDate: "2027-01-13"}]
deny contains finding if {
	some i in maybe_past_due
	c := input.snapshot.customers[i]
	days := lib.days_past_due(c)
	days > 0
	owed := [sprintf("%s (%s, %d days left until %s)", [s.id, object.get(s, "termDuration", "term unknown"), left, s.commitmentEndDate]) |
		some s in c.subscriptions
		s.commitmentEndDate >= commitment_cutoff
		live_new_commerce(s)
		end := lib.ns(s.commitmentEndDate)
		end > lib.now_ns
		left := floor((end - lib.now_ns) / lib.day_ns)
	]
	count(owed) > 0
	finding := {
		"rule": "ACCT-013",
		"msg": sprintf(
			"customer %q is %d days past due while the partner owes Microsoft the rest of the commitment on new-commerce %s %s, whether or not the customer pays",
			[customer_name(c), days, {true: "subscription", false: "subscriptions"}[count(owed) == 1], concat(", ", owed)],
		),
		"path": ["customers", i, "subscriptions"],
	}
}

# METADATA
# title: Cancelling a new-commerce subscription inside or after its cancellation window
# description: >-
#   A new-commerce subscription cancelled within 7 days (168 hours) of
#   purchase or renewal gets a prorated refund; after that window (the latest
#   of 168 hours after effectiveStartDate, else creationDate, and every
#   refundOptions[].expiresAt or expiresAfter) cancelling no longer cuts the
#   partner's bill. For a live new-commerce subscription of a customer past
#   due, flagged as fraud, or with a cancel decision for non-payment, fraud or
#   misuse on record, the rule says while the window is open that cancelling
#   still cuts the bill and until when; once it has closed, a recorded cancel
#   decision is flagged as no longer cutting it.
# custom:
#   id: ACCT-014
#   concern: accounts
#   severity: warning
#   clouds: [global, us-government, germany, 21vianet]
#   applies: [new-commerce]
#   guidance:
#     url: https://learn.microsoft.com/en-us/partner-center/developer/cancel-an-azure-marketplace-subscription
#     quote: "New commerce subscriptions can be canceled within 7 days, except where otherwise required by law, of purchase or renewal."
#   remediation: >-
#     While the window is open, decide now and cancel in Partner Center before
#     it closes; once it has closed, count the whole term in the customer's
#     exposure, turn auto-renew off, and restrict access instead of cancelling.
#   parameters: []
#   examples:
#     fails:
#       snapshot:
#         customers:
#           - id: northwind
#             companyProfile: {companyName: Northwind Traders}
#             subscriptions: [{id: sub-1, status: active, offerId: "CFQ7TTC0LH18:0001", effectiveStartDate: "2026-06-27T09:00:00Z", commitmentEndDate: "2027-06-26"}]
#             partnerActions: [{subscriptionId: sub-1, action: suspend, reason: fraud, decision: cancel, date: "2026-06-29"}]
#     passes:
#       snapshot:
#         customers:
#           - id: northwind
#             companyProfile: {companyName: Northwind Traders}
#             subscriptions: [{id: sub-1, status: cancelled, offerId: "CFQ7TTC0LH18:0001", effectiveStartDate: "2026-06-27T09:00:00Z", commitmentEndDate: "2027-06-26"}]
#             partnerActions: [{subscriptionId: sub-1, action: cancel, reason: fraud, date: "2026-06-29"}]
deny contains finding if {
	some [i, j] in maybe_open_window
	c := input.snapshot.customers[i]
	s := c.subscriptions[j]
	live_new_commerce(s)
	end := window_end_ns(s)
	end > lib.now_ns
	why := cancel_motive(c, s)
	finding := {
		"rule": "ACCT-014",
		"msg": sprintf(
			"new-commerce subscription %s of customer %q can still be cancelled with a refund (%s): its cancellation window closes at %s, in %s; cancelling after it no longer cuts the bill, which runs %s",
			[s.id, customer_name(c), why, date_text(end), hours_text(end - lib.now_ns), commitment_text(s)],
		),
		"path": ["customers", i, "subscriptions", j],
	}
}

deny contains finding if {
	some i in cancelling
	c := input.snapshot.customers[i]
	some j, s in c.subscriptions
	live_new_commerce(s)
	decisions := cancel_decisions(c, s)
	count(decisions) > 0
	end := window_end_ns(s)
	end <= lib.now_ns
	first := min({a.date | some a in decisions})
	finding := {
		"rule": "ACCT-014",
		"msg": sprintf(
			"new-commerce subscription %s of customer %q has a cancel decision since %s but its cancellation window closed at %s: cancelling no longer cuts the bill; the partner owes Microsoft the whole term %s",
			[s.id, customer_name(c), first, date_text(end), commitment_text(s)],
		),
		"path": ["customers", i, "subscriptions", j],
	}
}

# METADATA
# title: Suspended new-commerce subscription - access restricted, still billed
# description: >-
#   Suspending (disabling, blocking) a new-commerce subscription restricts
#   the customer's access and turns auto-renew off, but Microsoft keeps billing
#   the partner for the term. A suspension that looks like it contains the
#   loss does not: the partner still pays through commitmentEndDate.
# custom:
#   id: ACCT-015
#   concern: accounts
#   severity: info
#   clouds: [global, us-government, germany, 21vianet]
#   applies: [new-commerce]
#   guidance:
#     url: https://learn.microsoft.com/en-us/partner-center/developer/suspend-a-subscription
#     quote: "Suspends a Subscription resource that matches the customer and subscription ID due to fraud or non-payment."
#   remediation: >-
#     Count the rest of the term in the customer's exposure; cancel within the
#     cancellation window where it is still open (ACCT-014), otherwise collect
#     or secure payment for the term.
#   parameters: []
#   examples:
#     fails:
#       snapshot:
#         customers:
#           - id: northwind
#             companyProfile: {companyName: Northwind Traders}
#             subscriptions: [{id: sub-1, status: suspended, offerId: "CFQ7TTC0LH18:0001", productType: {id: OnlineServicesNCE}, commitmentEndDate: "2027-01-13"}]
#     passes:
#       snapshot:
#         customers:
#           - id: northwind
#             companyProfile: {companyName: Northwind Traders}
#             subscriptions: [{id: sub-1, status: suspended, offerId: 3c95518e-8c37-41e3-9627-0ca339200f53}]
deny contains finding if {
	some [i, j] in data.checker.accounts.state.impacted_subscriptions
	c := input.snapshot.customers[i]
	s := c.subscriptions[j]
	lib.subscription_kind(s) == "new-commerce"
	finding := {
		"rule": "ACCT-015",
		"msg": sprintf(
			"new-commerce subscription %s of customer %q is %s: access restricted, still billed; Microsoft bills the partner %s (auto-renew is off), whether or not the customer pays",
			[s.id, customer_name(c), lower(s.status), commitment_text(s)],
		),
		"path": ["customers", i, "subscriptions", j, "status"],
	}
}
