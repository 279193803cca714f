# Credit extension per customer: the partner alone decides whether to extend
# credit, so each customer needs a recorded decision that the partner's own
# credit policy supports. A customer's identity verified at onboarding is
# ACCT-018 (the declared control is CTRL-002; CRED-010 is retired).
#
# Money is compared in whole cents so that OPA (decimal arithmetic) and
# regorus (binary floating point) agree.
package checker.accounts.credit

import data.checker.lib
import rego.v1

credit_policy := object.get(input.configuration, "creditPolicy", {})

# Without a declared threshold every granted limit needs a named approver.
approval_required_above := object.get(credit_policy, "approvalRequiredAbove", 0)

max_credit_check_age_days := object.get(credit_policy, "maxCreditCheckAgeDays", 365)

no_new_credit_past_due_days := object.get(credit_policy, "noNewCreditPastDueDays", 30)

prepayment_without_credit := object.get(credit_policy, "prepaymentWithoutCredit", false)

customer_name(c) := n if {
	n := c.companyProfile.companyName
	n != ""
} else := c.id

cents(x) := round(x * 100)

# Formats whole cents as 1234.56. Built from integers: OPA's sprintf("%.2f")
# rejects a whole number (prints %!f(int64=...)) where regorus accepts it.
money(cents_value) := sprintf("%s%d.%02d", [sign, floor(a / 100), a % 100]) if {
	a := abs(cents_value)
	sign := {true: "-", false: ""}[cents_value < 0]
}

# Most customers of a batch are granted credit, and on the embedded engine a
# member added to a set, a builtin call or an assignment each cost several
# comparisons (a helper function call far more; see checker.accounts.state).
# So the rules test the decision inline rather than share a set of granted
# customers, put a cheap and selective comparison first, and leave builtins
# and helpers to the few customers that pass it.

# Indexes of the customers whose credit decision may name no approver: the
# approver is absent, or sorts where a blank one does (ASCII whitespace sorts
# before "!", other Unicode whitespace at or after U+0080). CRED-005 trims
# only these. Comparisons, never `not <comparison>`: OPA makes that undefined
# when the ref is absent, where regorus makes it true.
maybe_unapproved contains i if {
	some i, c in input.snapshot.customers
	not c.creditDecision.approvedBy
}

maybe_unapproved contains i if {
	some i, c in input.snapshot.customers
	c.creditDecision.approvedBy < "!"
}

maybe_unapproved contains i if {
	some i, c in input.snapshot.customers
	c.creditDecision.approvedBy >= "\u0080"
}

# Never `not is_number(cd.limit)`: OPA hoists the possibly undefined ref out
# of the negation (the whole expression turns undefined) where regorus
# evaluates `not undefined` to true. A helper rule behaves the same on both.
has_limit(cd) if is_number(cd.limit)

# A granted limit above the approval threshold; a grant without a limit is
# unbounded and so above any threshold.
above_threshold(cd) if cd.limit > approval_required_above

above_threshold(cd) if not has_limit(cd)

limit_text(cd) := sprintf("limit %v", [cd.limit]) if is_number(cd.limit)

limit_text(cd) := "no limit (unbounded)" if not has_limit(cd)

# Credit checks dated at or after this sort are never too old: the string
# comparison spares parsing the date of every granted customer.
credit_check_cutoff := lib.recent_cutoff(max_credit_check_age_days)

# Indexes of the customers whose credit check is missing or dated before
# credit_check_cutoff: only these can rest on a check too old (CRED-006).
stale_credit_checks contains i if {
	some i, c in input.snapshot.customers
	not c.creditDecision.creditCheckDate
	c.creditDecision.decision == "granted"
}

stale_credit_checks contains i if {
	some i, c in input.snapshot.customers
	c.creditDecision.creditCheckDate < credit_check_cutoff
}

# What is wrong with the credit check behind a granted decision whose check
# date is missing or sorts before credit_check_cutoff.
credit_check_problem(cd) := "rests on no recorded credit check (creditCheckDate is missing)" if {
	not cd.creditCheckDate
}

credit_check_problem(cd) := sprintf(
	"rests on a credit check of %s, %d days old (policy allows %d)",
	[cd.creditCheckDate, age, max_credit_check_age_days],
) if {
	age := lib.days_since(cd.creditCheckDate)
	age > max_credit_check_age_days
}

# The invoice was still (partly) unpaid at time t: unpaid now, or settled
# only after t. A paid invoice without paidOn gets the benefit of the doubt.
unpaid_at(inv, _) if lib.outstanding(inv) > 0

unpaid_at(inv, t) if lib.ns(inv.paidOn) > t

# Granted customers with an invoice due before the decision date and unpaid
# at it (as unpaid_at, with the dates compared as YYYY-MM-DD strings): only
# they can have been past due when credit was granted. A cheap filter before
# CRED-007 parses dates.
granted_while_unpaid contains i if {
	some i, c in input.snapshot.customers
	some inv in c.receivables.invoices
	inv.dueDate < c.creditDecision.decidedOn
	c.creditDecision.decision == "granted"
	unpaid_on(inv, c.creditDecision.decidedOn)
}

# Indexes of the customers not granted credit: with another decision, or none.
without_credit contains i if {
	some i, c in input.snapshot.customers
	c.creditDecision.decision != "granted"
}

without_credit contains i if {
	some i, c in input.snapshot.customers
	not c.creditDecision.decision
}

# Customers whose exposure may exceed their credit limit: those with an unpaid
# invoice (few in a healthy book), and those whose unbilled usage alone, with
# no invoice open, is above the limit. Only these have their invoices summed
# (CRED-008).
exposure_candidates contains i if {
	some i in data.checker.accounts.state.unpaid_customers
}

# Exposure in whole cents above the limit in whole cents means unbilled usage
# above the limit less a cent: a comparison rather than two roundings.
exposure_candidates contains i if {
	some i, c in input.snapshot.customers
	c.receivables.unbilledUsage + 0.01 > c.creditDecision.limit
}

# Without unbilled usage or invoices open, exposure is 0.
exposure_candidates contains i if {
	some i, c in input.snapshot.customers
	c.creditDecision.limit < 0
}

unpaid_on(inv, _) if inv.amount - object.get(inv, "paidAmount", 0) > 0

unpaid_on(inv, day) if inv.paidOn > day

currencies_match(_, cd) if not cd.currency

currencies_match(c, _) if not c.receivables.currency

currencies_match(c, cd) if cd.currency == c.receivables.currency

has_ordered(c) if count(object.get(c, "subscriptions", [])) > 0

has_ordered(c) if c.onboarding.firstOrderDate

order_text(c) := sprintf("first order %s", [c.onboarding.firstOrderDate]) if c.onboarding.firstOrderDate

order_text(c) := sprintf("%d subscriptions", [count(c.subscriptions)]) if not c.onboarding.firstOrderDate

# METADATA
# title: Customer has no recorded credit decision
# description: >-
#   The partner is responsible for deciding whether to extend credit to each
#   customer and carries the loss when the customer does not pay. A customer
#   without a recorded decision (granted, declined or prepayment-only) is
#   being served on credit nobody decided.
# custom:
#   id: CRED-004
#   concern: credit
#   severity: error
#   clouds: [global, us-government, germany, 21vianet]
#   guidance:
#     url: https://learn.microsoft.com/en-us/partner-center/non-payment-fraud-misuse
#     quote: "You are responsible for deciding whether to extend credit to a customer."
#   remediation: Record the credit decision (granted with a limit, declined, or prepayment-only) in the customer's creditDecision.
#   parameters: []
#   examples:
#     fails:
#       snapshot:
#         customers:
#           - id: northwind
#             companyProfile: {companyName: Northwind Traders}
#     passes:
#       snapshot:
#         customers:
#           - id: northwind
#             companyProfile: {companyName: Northwind Traders}
#             creditDecision: {decision: prepayment-only}
deny contains finding if {
	some i, c in input.snapshot.customers
	not c.creditDecision
	finding := {
		"rule": "CRED-004",
		"msg": sprintf("customer %q has no recorded credit decision", [customer_name(c)]),
		"path": ["customers", i, "creditDecision"],
	}
}

# METADATA
# title: Credit limit above the approval threshold without an approver
# description: >-
#   The partner's credit policy requires a named approver for limits above a
#   threshold, so that large exposures are a deliberate decision. A grant with
#   no limit is unbounded and always needs one.
# custom:
#   id: CRED-005
#   concern: credit
#   severity: error
#   clouds: [global, us-government, germany, 21vianet]
#   guidance:
#     url: https://learn.microsoft.com/en-us/partner-center/non-payment-fraud-misuse
#     quote: "You are responsible for deciding whether to extend credit to a customer."
#   remediation: Have the credit decision approved by the person the credit policy names and record it in creditDecision.approvedBy.
#   parameters:
#     - name: creditPolicy.approvalRequiredAbove
#       default: 0
#       description: Credit limits above this amount need a named approver (every granted limit when the policy is silent).
#   examples:
#     fails:
#       snapshot:
#         customers:
#           - id: northwind
#             companyProfile: {companyName: Northwind Traders}
#             creditDecision: {decision: granted, limit: 25000}
#     passes:
#       snapshot:
#         customers:
#           - id: northwind
#             companyProfile: {companyName: Northwind Traders}
#             creditDecision: {decision: granted, limit: 25000, approvedBy: cfo@contoso.example}
deny contains finding if {
	threshold := approval_required_above
	some i in maybe_unapproved
	c := input.snapshot.customers[i]
	cd := c.creditDecision
	cd.decision == "granted"
	trim_space(object.get(cd, "approvedBy", "")) == ""
	above_threshold(cd)
	finding := {
		"rule": "CRED-005",
		"msg": sprintf(
			"credit granted to customer %q with %s (approval required above %v) has no approvedBy",
			[customer_name(c), limit_text(cd), threshold],
		),
		"path": ["customers", i, "creditDecision", "approvedBy"],
	}
}

# METADATA
# title: Granted credit rests on a stale or missing credit check
# description: >-
#   A credit decision is only as good as the credit check behind it; the
#   partner's policy sets how old that check may be while credit stays granted.
# custom:
#   id: CRED-006
#   concern: credit
#   severity: error
#   clouds: [global, us-government, germany, 21vianet]
#   guidance:
#     url: https://learn.microsoft.com/en-us/partner-center/non-payment-fraud-misuse
#     quote: "You are responsible for deciding whether to extend credit to a customer."
#   remediation: Run a new credit check, review the limit, and record creditCheckDate (and decidedOn if the limit changes).
#   parameters:
#     - name: creditPolicy.maxCreditCheckAgeDays
#       default: 365
#       description: Oldest credit check, in days, that granted credit may rest on.
#   examples:
#     fails:
#       snapshot:
#         customers:
#           - id: northwind
#             companyProfile: {companyName: Northwind Traders}
#             creditDecision: {decision: granted, limit: 5000, creditCheckDate: "2025-03-01"}
#     passes:
#       snapshot:
#         customers:
#           - id: northwind
#             companyProfile: {companyName: Northwind Traders}
#             creditDecision: {decision: granted, limit: 5000, creditCheckDate: "2026-03-01"}
deny contains finding if {
	some i in stale_credit_checks
	c := input.snapshot.customers[i]
	cd := c.creditDecision
	cd.decision == "granted"
	problem := credit_check_problem(cd)
	finding := {
		"rule": "CRED-006",
		"msg": sprintf("credit granted to customer %q %s", [customer_name(c), problem]),
		"path": ["customers", i, "creditDecision", "creditCheckDate"],
	}
}

# METADATA
# title: Credit granted or raised while the customer was past due
# description: >-
#   Extending more credit to a customer already behind on payment increases the
#   loss the partner carries. Judged at the decision date (decidedOn) from the
#   invoices then past due beyond the policy's threshold and unpaid at that
#   date (still unpaid, or paid only after it).
# custom:
#   id: CRED-007
#   concern: credit
#   severity: error
#   clouds: [global, us-government, germany, 21vianet]
#   guidance:
#     url: https://learn.microsoft.com/en-us/partner-center/non-payment-fraud-misuse
#     quote: "You are responsible for deciding whether to extend credit to a customer."
#   remediation: Reverse or reduce the grant until the overdue invoices are paid, or record a documented exception approved under the credit policy.
#   parameters:
#     - name: creditPolicy.noNewCreditPastDueDays
#       default: 30
#       description: No credit is granted or raised for a customer past due more than this many days.
#   examples:
#     fails:
#       snapshot:
#         customers:
#           - id: northwind
#             companyProfile: {companyName: Northwind Traders}
#             creditDecision: {decision: granted, limit: 5000, decidedOn: "2026-06-01"}
#             receivables: {invoices: [{id: INV-0401, dueDate: "2026-04-01", amount: 1200}]}
#     passes:
#       snapshot:
#         customers:
#           - id: northwind
#             companyProfile: {companyName: Northwind Traders}
#             creditDecision: {decision: granted, limit: 5000, decidedOn: "2026-04-15"}
#             receivables: {invoices: [{id: INV-0401, dueDate: "2026-04-01", amount: 1200}]}
deny contains finding if {
	threshold := no_new_credit_past_due_days
	some i in granted_while_unpaid
	c := input.snapshot.customers[i]
	cd := c.creditDecision
	decided := lib.ns(cd.decidedOn)
	overdue := {[days, inv.id] |
		some inv in c.receivables.invoices
		inv.dueDate < cd.decidedOn # both YYYY-MM-DD: a cheap filter before parsing
		days := floor((decided - lib.ns(inv.dueDate)) / lib.day_ns)
		days > threshold
		unpaid_at(inv, decided)
	}
	count(overdue) > 0
	[worst_days, worst_id] := max(overdue)
	finding := {
		"rule": "CRED-007",
		"msg": sprintf(
			"credit was granted to customer %q on %s while invoice %s was %d days past due (overdue invoices then: %d; no new credit beyond %d days)",
			[customer_name(c), cd.decidedOn, worst_id, worst_days, count(overdue), threshold],
		),
		"path": ["customers", i, "creditDecision", "decidedOn"],
	}
}

# METADATA
# title: Exposure above the granted credit limit
# description: >-
#   The partner pays Microsoft for what its customers consume whether or not
#   they pay. Exposure is the customer's open receivables (outstanding invoice
#   amounts) plus unbilled usage; above the granted limit the partner carries
#   more than it decided to. Not compared when the limit and receivables are in
#   different currencies.
# custom:
#   id: CRED-008
#   concern: credit
#   severity: warning
#   clouds: [global, us-government, germany, 21vianet]
#   guidance:
#     url: https://learn.microsoft.com/en-us/partner-center/non-payment-fraud-misuse
#     quote: "You are financially responsible for fraudulent purchases by your customers and/or customer’s non-payment of purchased services; therefore, we recommend that you implement fraud prevention and detection risk mitigation controls."
#   remediation: Collect open invoices, cap the customer's usage (spending budget, suspension), or raise the limit through an approved credit decision.
#   parameters: []
#   examples:
#     fails:
#       snapshot:
#         customers:
#           - id: northwind
#             companyProfile: {companyName: Northwind Traders}
#             creditDecision: {decision: granted, limit: 1000}
#             receivables: {invoices: [{id: INV-0601, dueDate: "2026-07-01", amount: 800}], unbilledUsage: 400}
#     passes:
#       snapshot:
#         customers:
#           - id: northwind
#             companyProfile: {companyName: Northwind Traders}
#             creditDecision: {decision: granted, limit: 1500}
#             receivables: {invoices: [{id: INV-0601, dueDate: "2026-07-01", amount: 800}], unbilledUsage: 400}
deny contains finding if {
	some i in exposure_candidates
	c := input.snapshot.customers[i]
	cd := c.creditDecision
	cd.decision == "granted"
	is_number(cd.limit)

	# Outstanding amounts summed first and rounded once to cents: amounts are
	# whole cents, so the rounded sum is the same on both engines.
	open := round(sum([o |
		some inv in c.receivables.invoices
		o := inv.amount - object.get(inv, "paidAmount", 0)
		o > 0
	]) * 100)
	unbilled := round(object.get(c, ["receivables", "unbilledUsage"], 0) * 100)
	open + unbilled > round(cd.limit * 100)
	currencies_match(c, cd)
	finding := {
		"rule": "CRED-008",
		"msg": sprintf(
			"customer %q has exposure %s (open invoices %s + unbilled usage %s) above its credit limit %s %s",
			[customer_name(c), money(open + unbilled), money(open), money(unbilled), money(cents(cd.limit)), object.get(cd, "currency", "")],
		),
		"path": ["customers", i, "creditDecision", "limit"],
	}
}

# METADATA
# title: Customer without granted credit ordered without prepaying
# description: >-
#   Where the credit policy requires prepayment from customers who were not
#   granted credit, a customer who has ordered (has subscriptions or a first
#   order date) without granted credit must have prepaid, or the partner is
#   extending credit it decided not to give.
# custom:
#   id: CRED-009
#   concern: credit
#   severity: error
#   clouds: [global, us-government, germany, 21vianet]
#   guidance:
#     url: https://learn.microsoft.com/en-us/partner-center/non-payment-fraud-misuse
#     quote: "You are responsible for deciding whether to extend credit to a customer."
#   remediation: Collect prepayment before provisioning (and record onboarding.prepaid), or grant credit through an approved credit decision.
#   parameters:
#     - name: creditPolicy.prepaymentWithoutCredit
#       default: false
#       description: Customers without granted credit must prepay before their first order; the rule is not applicable unless true.
#   examples:
#     fails:
#       snapshot:
#         customers:
#           - id: northwind
#             companyProfile: {companyName: Northwind Traders}
#             creditDecision: {decision: prepayment-only}
#             onboarding: {firstOrderDate: "2026-06-01", prepaid: false}
#     passes:
#       snapshot:
#         customers:
#           - id: northwind
#             companyProfile: {companyName: Northwind Traders}
#             creditDecision: {decision: prepayment-only}
#             onboarding: {firstOrderDate: "2026-06-01", prepaid: true}
deny contains finding if {
	prepayment_without_credit == true
	some i in without_credit
	c := input.snapshot.customers[i]
	not c.onboarding.prepaid
	has_ordered(c)
	finding := {
		"rule": "CRED-009",
		"msg": sprintf(
			"customer %q has no granted credit (decision: %s) but ordered (%s) without prepaying",
			[customer_name(c), object.get(c, ["creditDecision", "decision"], "none recorded"), order_text(c)],
		),
		"path": ["customers", i, "onboarding", "prepaid"],
	}
}

not_applicable contains {"rule": "CRED-009", "msg": "creditPolicy.prepaymentWithoutCredit is not true"} if {
	input.configuration
	prepayment_without_credit != true
}

# METADATA
# title: Customer's identity not verified at onboarding
# description: >-
#   Verifying a new customer's identity before the first order is the first
#   fraud-prevention control: fraudulent purchases are the partner's loss.
#   CTRL-002 judges the declared control; this rule the customers on record
#   (it replaces the retired CRED-010, whose prefix named the wrong concern).
#   The guidance recommends the control, so a gap is a warning.
# custom:
#   id: ACCT-018
#   concern: accounts
#   severity: warning
#   clouds: [global, us-government, germany, 21vianet]
#   guidance:
#     url: https://learn.microsoft.com/en-us/partner-center/non-payment-fraud-misuse
#     quote: "You are financially responsible for fraudulent purchases by your customers and/or customer’s non-payment of purchased services; therefore, we recommend that you implement fraud prevention and detection risk mitigation controls."
#   remediation: Verify the customer's identity (for example a company-registry check and callback) and record onboarding.identityVerified and verifiedOn.
#   parameters: []
#   examples:
#     fails:
#       snapshot:
#         customers:
#           - id: northwind
#             companyProfile: {companyName: Northwind Traders}
#             onboarding: {identityVerified: false}
#     passes:
#       snapshot:
#         customers:
#           - id: northwind
#             companyProfile: {companyName: Northwind Traders}
#             onboarding: {identityVerified: true}
deny contains finding if {
	some i, c in input.snapshot.customers
	not c.onboarding.identityVerified
	finding := {
		"rule": "ACCT-018",
		"msg": sprintf(
			"customer %q has no verified identity at onboarding (identityVerified: %v)",
			[customer_name(c), object.get(c, ["onboarding", "identityVerified"], "not recorded")],
		),
		"path": ["customers", i, "onboarding", "identityVerified"],
	}
}
