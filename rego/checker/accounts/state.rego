# Account state against the partner's own collections policy: each customer's
# receivables, subscriptions and the partner's recorded actions, plus the
# partner's own bill from Microsoft or 21Vianet.
#
# Rules work per customer (some i, c in input.snapshot.customers) and never
# count across customers. Money is compared in whole cents so that OPA
# (decimal arithmetic) and regorus (binary floating point) agree.
package checker.accounts.state

import data.checker.lib
import rego.v1

cloud := input.configuration.cloud

collections := object.get(input.configuration, "collectionsPolicy", {})

# Past-due day at which access is impacted; 60 when the policy is silent.
access_impact_days := object.get(collections, ["accessImpact", "pastDueDays"], 60)

access_impact_action := object.get(collections, ["accessImpact", "action"], "not declared")

# Longest a non-payment suspension may last without a decision: two weeks
# short of the cloud's data-deletion window when the policy is silent.
max_suspension_days := object.get(collections, "maxSuspensionDays", lib.deletion_window_days[cloud] - 14)

action_at_percent := object.get(input.configuration, ["riskControls", "spendingBudgets", "actionAtPercent"], 100)

# The threshold in hundredths of a percent, computed once for ACCT-008.
action_at_basis_points := round(action_at_percent * 100)

# Days after which a partner's own overdue bill gets its Partner Center
# account suspended.
partner_suspension_overdue_days := 60

# Subscription statuses in which the customer has lost access. Anything else,
# including statuses Partner Center may add later, is left alone.
impacted_statuses := {"suspended", "disabled"}

# Partner actions that change a subscription's access, and those that take
# access away without ending the subscription.
access_actions := {"disable", "suspend", "block", "cancel", "reactivate"}

suspending_actions := {"disable", "suspend", "block"}

customer_name(c) := n if {
	n := c.companyProfile.companyName
	n != ""
} else := c.id

cents(x) := round(x * 100)

plural(1, one, _) := one

plural(n, _, many) := many if n != 1

# Formats whole cents as 1234.56. Built from integers: OPA's sprintf("%.2f")
# rejects a whole number (prints %!f(int64=...)) where regorus accepts it.
money(cents_value) := sprintf("%s%d.%02d", [sign, floor(a / 100), a % 100]) if {
	a := abs(cents_value)
	sign := {true: "-", false: ""}[cents_value < 0]
}

# An action without subscriptionId applies to all the customer's subscriptions.
applies_to(a, _) if not a.subscriptionId

applies_to(a, s) if lower(a.subscriptionId) == lower(s.id)

# The partner's most recent access-changing action on subscription s (the
# later entry wins a tie); undefined when the partner never acted on it.
latest_access_action(c, s) := c.partnerActions[k] if {
	dated := {[lib.ns(a.date), n] |
		some n, a in c.partnerActions
		a.action in access_actions
		applies_to(a, s)
	}
	count(dated) > 0
	[_, k] := max(dated)
}

# The subscription is currently suspended, disabled or blocked by the
# partner for non-payment: the suspending action itself.
nonpayment_suspension(c, s) := a if {
	lower(s.status) in impacted_statuses
	a := latest_access_action(c, s)
	a.action in suspending_actions
	a.reason == "non-payment"
}

# A cancel, restore or keep-suspended decision recorded at or after time t.
decided_since(c, s, t) if {
	some a in c.partnerActions
	a.decision
	applies_to(a, s)
	lib.ns(a.date) >= t
}

# Rules run once per batch of customers, and on the embedded engine what a
# rule costs per customer is roughly: a helper function call 20 units, a
# builtin call or a member added to a set 4 to 5, an assignment 2, a
# comparison 1. So the helpers below test subscriptions with comparisons
# (lib.is_azure inlined, one body per case), keep the sets they build small,
# and put the most selective test first.

# Indexes of the customers with a spending budget set (SpendingBudget.amount
# null means none; the schema allows only a number or null). Looked up by
# index: `not is_number(<undefined ref>)` is undefined on OPA (the ref is
# hoisted out of the negation) but true on regorus, whereas
# `not budgeted_customers[i]` behaves the same on both.
budgeted_customers contains i if {
	some i, c in input.snapshot.customers
	c.usageSummary.budget.amount != null
}

# Indexes of the customers with an Azure subscription and no spending budget
# (ACCT-009). The offer id is upper-cased only when it sorts from M to m (M and
# m are the only letters whose upper case is M); an absent offerId, "" for
# lib.is_azure, never matches.
unbudgeted_azure contains i if {
	some i, c in input.snapshot.customers
	some s in c.subscriptions
	s.billingType == "usage"
	not budgeted_customers[i]
	not lib.ended_statuses[lower(s.status)]
}

unbudgeted_azure contains i if {
	some i, c in input.snapshot.customers
	some s in c.subscriptions
	s.productType.id == "Azure"
	not budgeted_customers[i]
	not lib.ended_statuses[lower(s.status)]
}

unbudgeted_azure contains i if {
	some i, c in input.snapshot.customers
	some s in c.subscriptions
	s.offerId >= "M" # M to m: one pass for both cases, upper() on few ids
	s.offerId < "n"
	startswith(upper(s.offerId), "MS-AZR")
	not budgeted_customers[i]
	not lib.ended_statuses[lower(s.status)]
}

# Whether any subscription of the batch is an Azure one: `else` stops at the
# first case that finds one, and each case at the first subscription.
batch_has_azure if {
	some c in input.snapshot.customers
	some s in c.subscriptions
	s.billingType == "usage"
} else if {
	some c in input.snapshot.customers
	some s in c.subscriptions
	s.productType.id == "Azure"
} else if {
	some c in input.snapshot.customers
	some s in c.subscriptions
	lib.is_azure(s)
}

batch_has_azure_or_usage if batch_has_azure

batch_has_azure_or_usage if {
	some c in input.snapshot.customers
	c.usageSummary
}

# Subscriptions of the batch in an impacted status, as [customer index,
# subscription index]: computed once for ACCT-002, ACCT-003 and ACCT-007 (the
# comparison with "active" is a cheap first filter).
impacted_subscriptions contains [i, j] if {
	some i, c in input.snapshot.customers
	some j, s in c.subscriptions
	s.status != "active"
	lower(s.status) in impacted_statuses
}

# Indexes of customers with an invoice not fully paid: few in a healthy book.
# The one pass over every invoice of the batch, shared by the rules about
# overdue and open amounts (ACCT-001, CRED-008).
unpaid_customers contains i if {
	some i, c in input.snapshot.customers
	some inv in c.receivables.invoices
	inv.amount > inv.paidAmount
}

unpaid_customers contains i if {
	some i, c in input.snapshot.customers
	some inv in c.receivables.invoices
	not inv.paidAmount
	inv.amount > 0
}

# Unpaid invoices due before this sort are the only ones that can be past
# due beyond the access-impact day: compared as strings before parsing.
access_impact_cutoff := lib.recent_cutoff(access_impact_days)

# Indexes of customers that may be past due beyond the access-impact day:
# those with an unpaid invoice due before the cutoff, or every customer when
# the threshold is not a number of days from zero up (below zero a customer
# with nothing due is beyond it).
maybe_past_access_impact contains i if {
	access_impact_days >= 0
	some i in unpaid_customers
	some inv in input.snapshot.customers[i].receivables.invoices
	inv.dueDate < access_impact_cutoff
	inv.amount - object.get(inv, "paidAmount", 0) > 0
}

maybe_past_access_impact contains i if {
	not access_impact_days >= 0
	some i, _ in input.snapshot.customers
}

budgets_available if cloud in lib.spending_budgets_available

sells_azure if lib.sells_azure(input.configuration)

# Why the Azure-only rules do not apply where the partner sells no Azure.
no_azure_reason := "the configuration says the partner sells no Azure (portfolio.azure: false)" if {
	input.configuration.portfolio.azure == false
} else := sprintf("Azure is not sold through Partner Center in cloud %s", [cloud])

# Budgets are the partner's own commitment unless it declared it does not
# require them (CTRL-006 judges that declaration).
budgets_required if object.get(input.configuration, ["riskControls", "spendingBudgets", "required"], true) != false

recent_budget_action(c) if {
	some a in c.partnerActions
	a.action == "budget-action"
	d := lib.days_since(a.date)
	d >= 0
	d <= 30
}

percent_used(spend, budget) := sprintf("%d%%", [floor((spend * 100) / budget)]) if budget > 0

percent_used(_, 0) := "over a zero budget"

upstream_biller := "21Vianet" if cloud == "21vianet"

upstream_biller := "Microsoft" if cloud != "21vianet"

partner_invoice_unpaid_cents(inv) := cents(inv.totalCharges + object.get(inv, "paidAmount", 0))

partner_invoice_days_past_due(inv) := lib.days_since(inv.invoiceDate) - lib.upstream_payment_terms_days[cloud]

# What the cloud's finance charge on an overdue partner invoice has cost so
# far, for the message: 1.5 % a month with 21Vianet, pro rata by day (30-day
# months, not compounded); nothing elsewhere.
finance_charge_note(unpaid, days, currency) := sprintf(
	"; %s charges %d.%d %% a month on overdue bills: about %s %s so far",
	[upstream_biller, floor(rate / 10), rate % 10, money(round(((unpaid * rate) * days) / 30000)), currency],
) if {
	rate := lib.upstream_finance_charge_per_mille[cloud]
} else := ""

# METADATA
# title: Customer past the access-impact day still has active subscriptions
# description: >-
#   The partner's collections policy names the past-due day at which access to
#   the subscription is impacted. A customer whose oldest unpaid invoice is past
#   due beyond that day while a subscription is still active shows the policy is
#   not applied, and the partner keeps carrying the customer's non-payment.
# custom:
#   id: ACCT-001
#   concern: accounts
#   severity: error
#   clouds: [global, us-government, germany, 21vianet]
#   guidance:
#     url: https://learn.microsoft.com/en-us/partner-center/non-payment-fraud-misuse
#     quote: "We recommend establishing a clear collections policy with customers that details your collections process and when access to the subscription will be impacted."
#   remediation: >-
#     Apply the declared access-impact action (disable, suspend, block or cancel,
#     as the cloud allows) to the customer's active subscriptions, or collect the
#     overdue invoices.
#   parameters:
#     - name: collectionsPolicy.accessImpact.pastDueDays
#       default: 60
#       description: >-
#         Days past due at which access is impacted; when the policy is silent, 60
#         days (the point at which Partner Center suspends a partner whose own
#         bill is overdue).
#   examples:
#     fails:
#       snapshot:
#         customers:
#           - id: northwind
#             companyProfile: {companyName: Northwind Traders}
#             receivables: {invoices: [{id: INV-0401, dueDate: "2026-04-01", amount: 1200}]}
#             subscriptions: [{id: sub-1, status: active}]
#     passes:
#       snapshot:
#         customers:
#           - id: northwind
#             companyProfile: {companyName: Northwind Traders}
#             receivables: {invoices: [{id: INV-0401, dueDate: "2026-06-01", amount: 1200}]}
#             subscriptions: [{id: sub-1, status: active}]
deny contains finding if {
	threshold := access_impact_days
	some i in maybe_past_access_impact
	c := input.snapshot.customers[i]
	days := lib.days_past_due(c)
	days > threshold
	active := [s.id | some s in c.subscriptions; lower(s.status) == "active"]
	count(active) > 0
	finding := {
		"rule": "ACCT-001",
		"msg": sprintf(
			"customer %q is %d days past due (access is impacted at %d days, action %s) but %s still active: %s",
			[customer_name(c), days, threshold, access_impact_action, plural(count(active), "subscription is", "subscriptions are"), concat(", ", active)],
		),
		"path": ["customers", i, "subscriptions"],
	}
}

# METADATA
# title: Subscription still suspended for non-payment after the debt was cleared
# description: >-
#   Access is impacted for non-payment only; once no invoice of the customer is
#   past due any more, a subscription the partner suspended, disabled or blocked
#   for non-payment should be restored. The subscription's non-payment
#   suspension is the partner's latest access action on it (partnerActions).
# custom:
#   id: ACCT-002
#   concern: accounts
#   severity: warning
#   clouds: [global, us-government, germany, 21vianet]
#   guidance:
#     url: https://learn.microsoft.com/en-us/partner-center/non-payment-fraud-misuse
#     quote: "You can disable access or outright cancel your customers' subscriptions for non-payment."
#   remediation: >-
#     Reactivate the subscription and record a reactivate action, or record why
#     it stays suspended.
#   parameters: []
#   examples:
#     fails:
#       snapshot:
#         customers:
#           - id: northwind
#             companyProfile: {companyName: Northwind Traders}
#             receivables: {invoices: [{id: INV-0401, dueDate: "2026-04-15", amount: 1200, paidAmount: 1200}]}
#             subscriptions: [{id: sub-1, status: suspended}]
#             partnerActions: [{subscriptionId: sub-1, action: suspend, reason: non-payment, date: "2026-06-05"}]
#     passes:
#       snapshot:
#         customers:
#           - id: northwind
#             companyProfile: {companyName: Northwind Traders}
#             receivables: {invoices: [{id: INV-0401, dueDate: "2026-04-15", amount: 1200, paidAmount: 0}]}
#             subscriptions: [{id: sub-1, status: suspended}]
#             partnerActions: [{subscriptionId: sub-1, action: suspend, reason: non-payment, date: "2026-06-05"}]
deny contains finding if {
	some [i, j] in impacted_subscriptions
	c := input.snapshot.customers[i]
	s := c.subscriptions[j]
	a := nonpayment_suspension(c, s)
	lib.days_past_due(c) == 0
	finding := {
		"rule": "ACCT-002",
		"msg": sprintf(
			"subscription %s of customer %q is %s for non-payment since %s although no invoice of the customer is past due any more",
			[s.id, customer_name(c), lower(s.status), a.date],
		),
		"path": ["customers", i, "subscriptions", j, "status"],
	}
}

# METADATA
# title: Non-payment suspension near the data-deletion window with no decision
# description: >-
#   Customer data is deleted a fixed time after a legacy suspension (90 days in
#   Partner Center global, US Government and Germany; 60 days with 21Vianet),
#   facts from the Partner Center suspension pages rather than the seed. A
#   legacy subscription suspended for non-payment longer than the partner's
#   maximum suspension with no cancel, restore or keep-suspended decision
#   recorded drifts into data loss that nobody decided. New-commerce and Azure
#   plan subscriptions are not judged by this clock (for new commerce the
#   dates that matter are the cancellation window and commitmentEndDate:
#   ACCT-013 to ACCT-015).
# custom:
#   id: ACCT-003
#   concern: accounts
#   severity: error
#   clouds: [global, us-government, germany, 21vianet]
#   applies: [legacy]
#   guidance:
#     url: https://learn.microsoft.com/en-us/partner-center/non-payment-fraud-misuse
#     quote: "You can disable access or outright cancel your customers' subscriptions for non-payment."
#   remediation: >-
#     Decide whether to cancel or restore the subscription (or keep it suspended)
#     and record the decision in partnerActions before the cloud deletes the
#     customer's data.
#   parameters:
#     - name: collectionsPolicy.maxSuspensionDays
#       default: deletion window minus 14 days (76 global, US Government, Germany; 46 21Vianet)
#       description: Longest a subscription may stay suspended for non-payment before a decision is recorded.
#   examples:
#     fails:
#       snapshot:
#         customers:
#           - id: northwind
#             companyProfile: {companyName: Northwind Traders}
#             subscriptions: [{id: sub-1, status: suspended}]
#             partnerActions: [{subscriptionId: sub-1, action: suspend, reason: non-payment, date: "2026-05-01"}]
#     passes:
#       snapshot:
#         customers:
#           - id: northwind
#             companyProfile: {companyName: Northwind Traders}
#             subscriptions: [{id: sub-1, status: suspended}]
#             partnerActions: [{subscriptionId: sub-1, action: suspend, reason: non-payment, date: "2026-05-01", decision: keep-suspended}]
deny contains finding if {
	limit := max_suspension_days
	some [i, j] in impacted_subscriptions
	c := input.snapshot.customers[i]
	s := c.subscriptions[j]
	a := nonpayment_suspension(c, s)
	lib.subscription_kind(s) == "legacy"
	days := lib.days_since(a.date)
	days > limit
	since := lib.ns(a.date)
	not decided_since(c, s, since)
	finding := {
		"rule": "ACCT-003",
		"msg": sprintf(
			"subscription %s of customer %q has been suspended for non-payment for %d days (limit %d) with no cancel or restore decision recorded; in cloud %s its data is deleted %d days after suspension",
			[s.id, customer_name(c), days, limit, cloud, lib.deletion_window_days[cloud]],
		),
		"path": ["customers", i, "subscriptions", j, "status"],
	}
}

# METADATA
# title: Azure spend at or over the spending budget with no partner action
# description: >-
#   Spending budgets limit the loss from fraudulent or runaway Azure use, which
#   the partner pays for. Partner Center stops its budget emails above 100 %,
#   so a customer at or over the partner's action threshold with no
#   budget-action recorded in the last 30 days is unattended spend.
# custom:
#   id: ACCT-008
#   concern: accounts
#   severity: warning
#   clouds: [global, us-government, germany]
#   applies: [azure]
#   guidance:
#     url: https://learn.microsoft.com/en-us/partner-center/non-payment-fraud-misuse
#     quote: "You are financially responsible for fraudulent purchases by your customers and/or customer’s non-payment of purchased services; therefore, we recommend that you implement fraud prevention and detection risk mitigation controls."
#   remediation: >-
#     Review the customer's Azure usage, act (contact the customer, raise the
#     budget with approval, or suspend) and record a budget-action in
#     partnerActions.
#   parameters:
#     - name: riskControls.spendingBudgets.actionAtPercent
#       default: 100
#       description: Budget use, in percent, at which the partner must act.
#   examples:
#     fails:
#       snapshot:
#         customers:
#           - id: northwind
#             companyProfile: {companyName: Northwind Traders}
#             usageSummary: {budget: {amount: 1000}, totalCost: 1200, currencyCode: USD}
#     passes:
#       snapshot:
#         customers:
#           - id: northwind
#             companyProfile: {companyName: Northwind Traders}
#             usageSummary: {budget: {amount: 1000}, totalCost: 1200, currencyCode: USD}
#             partnerActions: [{action: budget-action, date: "2026-06-25"}]
deny contains finding if {
	budgets_available
	sells_azure
	some i, c in input.snapshot.customers
	c.usageSummary.totalCost > 0 # spend > 0 below implies it; cheap and selective
	amount := c.usageSummary.budget.amount
	is_number(amount)
	budget := round(amount * 100) # cents, inlined on the hot path
	spend := round(c.usageSummary.totalCost * 100)
	spend > 0
	spend * 10000 >= action_at_basis_points * budget
	not recent_budget_action(c)
	currency := object.get(c.usageSummary, "currencyCode", "")
	finding := {
		"rule": "ACCT-008",
		"msg": sprintf(
			"customer %q has spent %s %s of its %s Azure spending budget (%s; action due at %v%%) with no budget-action in the last 30 days",
			[customer_name(c), money(spend), currency, money(budget), percent_used(spend, budget), action_at_percent],
		),
		"path": ["customers", i, "usageSummary", "totalCost"],
	}
}

not_applicable contains {"rule": "ACCT-008", "msg": sprintf("cloud %s has no Azure spending budgets in Partner Center", [cloud])} if {
	not budgets_available
}

not_applicable contains {"rule": "ACCT-008", "msg": "no Azure subscriptions or usage summaries"} if {
	budgets_available
	sells_azure
	not batch_has_azure_or_usage
}

not_applicable contains {"rule": rule, "msg": no_azure_reason} if {
	budgets_available
	not sells_azure
	some rule in ["ACCT-008", "ACCT-009"]
}

# METADATA
# title: Azure customer without a spending budget
# description: >-
#   A spending budget caps how far fraudulent or runaway Azure consumption runs
#   before the partner hears of it; Partner Center offers budgets wherever it
#   sells Azure (not with 21Vianet). A customer with an Azure subscription and
#   no budget (usageSummary.budget absent or null, or an amount of null) lacks
#   that detection control.
# custom:
#   id: ACCT-009
#   concern: accounts
#   severity: error
#   clouds: [global, us-government, germany]
#   applies: [azure]
#   guidance:
#     url: https://learn.microsoft.com/en-us/partner-center/non-payment-fraud-misuse
#     quote: "You are financially responsible for fraudulent purchases by your customers and/or customer’s non-payment of purchased services; therefore, we recommend that you implement fraud prevention and detection risk mitigation controls."
#   remediation: Set a spending budget on the customer in Partner Center (Customers, Azure spending) and export it in usageSummary.budget.
#   parameters:
#     - name: cloud
#       default: none
#       description: The rule applies only where Partner Center offers Azure spending budgets (global, US Government, Germany).
#   examples:
#     fails:
#       snapshot:
#         customers:
#           - id: northwind
#             companyProfile: {companyName: Northwind Traders}
#             subscriptions: [{id: sub-1, status: active, offerId: MS-AZR-0145P}]
#     passes:
#       snapshot:
#         customers:
#           - id: northwind
#             companyProfile: {companyName: Northwind Traders}
#             subscriptions: [{id: sub-1, status: active, offerId: MS-AZR-0145P}]
#             usageSummary: {budget: {amount: 1000}}
deny contains finding if {
	budgets_available
	sells_azure
	budgets_required
	some i in unbudgeted_azure
	c := input.snapshot.customers[i]
	azure_ids := [s.id | some s in c.subscriptions; lib.is_azure(s)]
	finding := {
		"rule": "ACCT-009",
		"msg": sprintf(
			"customer %q has Azure subscription %s but no spending budget",
			[customer_name(c), concat(", ", azure_ids)],
		),
		"path": ["customers", i, "usageSummary", "budget"],
	}
}

not_applicable contains {"rule": "ACCT-009", "msg": sprintf("cloud %s has no Azure spending budgets in Partner Center", [cloud])} if {
	not budgets_available
}

not_applicable contains {"rule": "ACCT-009", "msg": "no Azure subscriptions"} if {
	budgets_available
	sells_azure
	not batch_has_azure
}

not_applicable contains {"rule": "ACCT-009", "msg": "the partner does not require spending budgets (riskControls.spendingBudgets.required: false; CTRL-006 judges that)"} if {
	budgets_available
	sells_azure
	not budgets_required
}

action_target(a) := sprintf("subscription %s", [a.subscriptionId]) if a.subscriptionId

action_target(a) := "every subscription" if not a.subscriptionId

# The customer was sent a dunning notice (a notice action) at or before
# time t.
notified_by(c, t) if {
	some n in c.partnerActions
	n.action == "notice"
	lib.ns(n.date) <= t
}

# METADATA
# title: Access restricted for non-payment before the customer was notified
# description: >-
#   The collections policy tells customers when access will be impacted, and
#   its dunning steps notify them before it happens. A suspension, disable or
#   block for non-payment (partnerActions) with no dunning notice to the
#   customer (a notice action) dated at or before it restricted access
#   without the notice the policy promises. Each such action is one finding.
# custom:
#   id: ACCT-017
#   concern: accounts
#   severity: warning
#   clouds: [global, us-government, germany, 21vianet]
#   guidance:
#     url: https://learn.microsoft.com/en-us/partner-center/non-payment-fraud-misuse
#     quote: "We recommend establishing a clear collections policy with customers that details your collections process and when access to the subscription will be impacted."
#   remediation: >-
#     Send the customer the dunning notice the collections policy promises
#     before restricting access, and record it in partnerActions (action
#     notice, reason non-payment).
#   parameters: []
#   examples:
#     fails:
#       snapshot:
#         customers:
#           - id: northwind
#             companyProfile: {companyName: Northwind Traders}
#             subscriptions: [{id: sub-1, status: suspended}]
#             partnerActions: [{subscriptionId: sub-1, action: suspend, reason: non-payment, date: "2026-06-05"}]
#     passes:
#       snapshot:
#         customers:
#           - id: northwind
#             companyProfile: {companyName: Northwind Traders}
#             subscriptions: [{id: sub-1, status: suspended}]
#             partnerActions:
#               - {action: notice, reason: non-payment, date: "2026-05-20"}
#               - {subscriptionId: sub-1, action: suspend, reason: non-payment, date: "2026-06-05"}
deny contains finding if {
	some i, c in input.snapshot.customers
	some k, a in c.partnerActions
	a.reason == "non-payment"
	a.action in suspending_actions
	not notified_by(c, lib.ns(a.date))
	finding := {
		"rule": "ACCT-017",
		"msg": sprintf(
			"access to %s of customer %q was restricted (%s, non-payment) on %s with no dunning notice to the customer on record at or before it",
			[action_target(a), customer_name(c), a.action, a.date],
		),
		"path": ["customers", i, "partnerActions", k],
	}
}

# METADATA
# title: Azure subscriptions held by a partner that says it sells no Azure
# description: >-
#   Where the partner sells no Azure (portfolio.azure false, or 21Vianet,
#   where Partner Center sells no Azure), the Azure-only controls and account
#   rules are not applicable. A snapshot whose customers hold live Azure
#   subscriptions contradicts that: either the configuration is wrong, and
#   Azure fraud alerts and spending budgets go unchecked, or the snapshot is.
#   Reported once per customer, with its Azure subscriptions listed; deleted,
#   expired and cancelled subscriptions do not count.
# custom:
#   id: ACCT-012
#   concern: accounts
#   severity: error
#   clouds: [global, us-government, germany, 21vianet]
#   applies: [azure]
#   guidance:
#     url: https://learn.microsoft.com/en-us/partner-center/non-payment-fraud-misuse
#     quote: "You are financially responsible for fraudulent purchases by your customers and/or customer’s non-payment of purchased services; therefore, we recommend that you implement fraud prevention and detection risk mitigation controls."
#   remediation: >-
#     Set portfolio.azure to true in the partner configuration (and declare the
#     Azure controls: fraud alerts, spending budgets), or correct the snapshot.
#   parameters:
#     - name: portfolio.azure
#       default: true except in 21Vianet
#       description: Whether the partner sells Azure.
#   examples:
#     fails:
#       configuration: {cloud: 21vianet}
#       snapshot:
#         customers:
#           - id: northwind
#             companyProfile: {companyName: Northwind Traders}
#             subscriptions: [{id: sub-1, status: active, productType: {id: Azure}}]
#     passes:
#       configuration: {cloud: 21vianet}
#       snapshot:
#         customers:
#           - id: northwind
#             companyProfile: {companyName: Northwind Traders}
#             subscriptions: [{id: sub-1, status: active, offerId: "CFQ7TTC0LH18:0001", productType: {id: OnlineServicesNCE}}]
deny contains finding if {
	not sells_azure
	some i, c in input.snapshot.customers
	azure_ids := [s.id |
		some s in c.subscriptions
		lib.is_azure(s)
		not lib.ended_statuses[lower(s.status)]
	]
	count(azure_ids) > 0
	finding := {
		"rule": "ACCT-012",
		"msg": sprintf(
			"customer %q holds Azure %s %s although %s: the Azure controls were not checked",
			[customer_name(c), plural(count(azure_ids), "subscription", "subscriptions"), concat(", ", azure_ids), no_azure_reason],
		),
		"path": ["customers", i, "subscriptions"],
	}
}

not_applicable contains {"rule": "ACCT-012", "msg": "the partner sells Azure"} if sells_azure

# METADATA
# title: Partner's own invoice from Microsoft or 21Vianet is past due
# description: >-
#   The partner carries its customers' non-payment and must still pay its own
#   bill. Partner Center invoices carry no due date; it is the invoice date plus
#   the cloud's terms (Microsoft net 60, 21Vianet net 30, which also charges
#   1.5 % a month). An invoice is unpaid while totalCharges plus paidAmount
#   (negative for payments) is above zero. Up to 60 days past due this is a
#   warning; beyond that ACCT-011 applies.
# custom:
#   id: ACCT-010
#   concern: accounts
#   severity: warning
#   clouds: [global, us-government, germany, 21vianet]
#   guidance:
#     url: https://learn.microsoft.com/en-us/partner-center/non-payment-fraud-misuse
#     quote: "You are financially responsible for fraudulent purchases by your customers and/or customer’s non-payment of purchased services; therefore, we recommend that you implement fraud prevention and detection risk mitigation controls."
#   remediation: Pay the invoice; do not let customers' non-payment delay the partner's own payments.
#   parameters:
#     - name: cloud
#       default: none
#       description: Decides the upstream payment terms (60 days global, US Government, Germany; 30 days 21Vianet).
#   examples:
#     fails:
#       snapshot:
#         partnerInvoices: [{id: G000024135, invoiceDate: "2026-04-01", totalCharges: 12000, currencyCode: USD}]
#     passes:
#       snapshot:
#         partnerInvoices: [{id: G000024135, invoiceDate: "2026-04-01", totalCharges: 12000, paidAmount: -12000, currencyCode: USD}]
deny contains finding if {
	some k, inv in input.snapshot.partnerInvoices
	unpaid := partner_invoice_unpaid_cents(inv)
	unpaid > 0
	days := partner_invoice_days_past_due(inv)
	days > 0
	days <= partner_suspension_overdue_days
	currency := object.get(inv, "currencyCode", "")
	finding := {
		"rule": "ACCT-010",
		"msg": sprintf(
			"partner %s's invoice %s from %s dated %s has %s %s unpaid and is %d days past due (net %d)%s",
			[
				input.snapshot.partnerId, inv.id, upstream_biller, inv.invoiceDate, money(unpaid), currency, days,
				lib.upstream_payment_terms_days[cloud], finance_charge_note(unpaid, days, currency),
			],
		),
		"path": ["partnerInvoices", k],
	}
}

# METADATA
# title: Partner's own invoice more than 60 days past due
# description: >-
#   Partner Center suspends the partner's account when its own bill is more
#   than 60 days overdue (a Partner Center billing fact, not a seed sentence),
#   which stops it transacting for every customer. Due dates are derived as in
#   ACCT-010.
# custom:
#   id: ACCT-011
#   concern: accounts
#   severity: error
#   clouds: [global, us-government, germany, 21vianet]
#   guidance:
#     url: https://learn.microsoft.com/en-us/partner-center/non-payment-fraud-misuse
#     quote: "You are financially responsible for fraudulent purchases by your customers and/or customer’s non-payment of purchased services; therefore, we recommend that you implement fraud prevention and detection risk mitigation controls."
#   remediation: Pay the invoice now and contact partner billing support to avoid or lift the account suspension.
#   parameters:
#     - name: cloud
#       default: none
#       description: Decides the upstream payment terms (60 days global, US Government, Germany; 30 days 21Vianet).
#   examples:
#     fails:
#       snapshot:
#         partnerInvoices: [{id: G000024135, invoiceDate: "2026-02-01", totalCharges: 12000, currencyCode: USD}]
#     passes:
#       snapshot:
#         partnerInvoices: [{id: G000024135, invoiceDate: "2026-02-01", totalCharges: 12000, paidAmount: -12000, currencyCode: USD}]
deny contains finding if {
	some k, inv in input.snapshot.partnerInvoices
	unpaid := partner_invoice_unpaid_cents(inv)
	unpaid > 0
	days := partner_invoice_days_past_due(inv)
	days > partner_suspension_overdue_days
	currency := object.get(inv, "currencyCode", "")
	finding := {
		"rule": "ACCT-011",
		"msg": sprintf(
			"partner %s's invoice %s from %s dated %s has %s %s unpaid and is %d days past due (net %d)%s: Partner Center suspends partner accounts more than %d days overdue",
			[
				input.snapshot.partnerId, inv.id, upstream_biller, inv.invoiceDate, money(unpaid), currency, days,
				lib.upstream_payment_terms_days[cloud], finance_charge_note(unpaid, days, currency), partner_suspension_overdue_days,
			],
		),
		"path": ["partnerInvoices", k],
	}
}

not_applicable contains {"rule": rule, "msg": "no partner invoices in the snapshot"} if {
	count(object.get(input.snapshot, "partnerInvoices", [])) == 0
	some rule in ["ACCT-010", "ACCT-011"]
}
