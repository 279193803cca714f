# Shared helpers and the per-cloud facts from Microsoft's guidance.
# Rules read these instead of repeating them so that a cloud's profile
# changes in one place.
package checker.lib

import rego.v1

day_ns := 86400000000000

minute_ns := 60000000000

# Restricting access for non-payment is one Partner Center operation,
# suspending the subscription, whatever a cloud's guidance calls it: "disable
# access" (global, US Government, Germany), "block access" (21Vianet) or
# "suspend". Cancelling is the other action, and the only other one.
restrict_access_actions := {"disable", "block", "suspend"}

nonpayment_actions := restrict_access_actions | {"cancel"}

# How each cloud's non-payment guidance words restricting access, for messages.
restrict_access_wording := {
	"global": "disable access",
	"us-government": "disable access",
	"germany": "disable access",
	"21vianet": "block access",
}

# Who receives the service request when fraud or misuse is suspected.
escalation_target := {
	"global": "microsoft",
	"us-government": "microsoft",
	"germany": "microsoft",
	"21vianet": "21vianet",
}

# Days after a legacy suspension before customer data is deleted.
deletion_window_days := {
	"global": 90,
	"us-government": 90,
	"germany": 90,
	"21vianet": 60,
}

# Payment terms the partner itself gets upstream (Microsoft net 60,
# 21Vianet net 30).
upstream_payment_terms_days := {
	"global": 60,
	"us-government": 60,
	"germany": 60,
	"21vianet": 30,
}

# Clouds where Partner Center offers Azure fraud alerts, and where it sells
# Azure with spending budgets (21Vianet does not sell Azure through it).
fraud_alerts_available := {"global"}

# 21Vianet's monthly finance charge on the partner's overdue bill, in tenths
# of a percent (1.5 % a month); Microsoft charges none.
upstream_finance_charge_per_mille := {"21vianet": 15}

spending_budgets_available := {"global", "us-government", "germany"}

# Microsoft recommends responding to fraud alerts within one hour.
default_fraud_response_minutes := 60

# ns parses a date (YYYY-MM-DD, midnight UTC) or an RFC 3339 date-time; a
# date-time without an offset, as Partner Center exports some, is UTC.
# Inputs are schema-checked first, so every string reaching here parses.
# It runs for every date a rule reads, so it avoids regular expressions and
# helper calls: a date-time ends in Z, or in an offset whose sign is six
# characters from the end, or in neither.
ns(s) := time.parse_rfc3339_ns(concat("", [s, "T00:00:00Z"])) if {
	count(s) == 10
} else := time.parse_rfc3339_ns(s) if {
	endswith(s, "Z")
} else := time.parse_rfc3339_ns(s) if {
	substring(s, count(s) - 6, 1) == "+"
} else := time.parse_rfc3339_ns(s) if {
	substring(s, count(s) - 6, 1) == "-"
} else := time.parse_rfc3339_ns(concat("", [s, "Z"]))

# now_ns is the evaluation's "now": the snapshot's asOf or --as-of, never
# the wall clock, so an audit can be re-run for any date.
now_ns := ns(input.asOf)

# Why a date-based configuration rule is not applicable to a configuration
# checked with no --as-of and no snapshot: there is no audit date to judge at.
no_audit_date := "no audit date: give --as-of, or check the configuration with its snapshot"

# days_since is the number of whole days from s to now (negative if s is
# in the future).
days_since(s) := floor_of((now_ns - ns(s)) / day_ns)

# recent_cutoff(n) is a YYYY-MM-DD string such that days_since(s) <= n for
# every date or date-time s that sorts at or after it. Rules compare date
# strings against it (cheap) and parse only those that sort before it; five
# days of margin cover any UTC offset and the day boundary. Computed once per
# evaluation by a rule, never per customer. For n not a number, or beyond the
# range time.date reads, it is a string every date sorts before, so nothing is
# filtered out.
recent_cutoff(n) := sprintf("%04d-%02d-%02d", time.date(t)) if {
	is_number(n)
	t := now_ns - ((floor_of(n) - 5) * day_ns)
	t >= -9000000000000000000
	t <= 9000000000000000000
} else := "9999-99-99"

# floor_of is floor(x), also on OPA 1.22, whose floor() returns 0 for -1 < x < 0.
floor_of(x) := y if {
	y := floor(x)
	y <= x
} else := floor(x) - 1

# An Azure plan or Azure subscription (usage-billed, MS-AZR offers or the
# Azure product type).
is_azure(sub) if lower(sub.productType.id) == "azure"

is_azure(sub) if startswith(upper(object.get(sub, "offerId", "")), "MS-AZR")

is_azure(sub) if sub.billingType == "usage"

# The amount still owed on a partner invoice to its customer.
outstanding(inv) := inv.amount - object.get(inv, "paidAmount", 0)

# Days the customer's oldest unpaid invoice is past due (0 when none is).
days_past_due(customer) := max({d |
	some inv in customer.receivables.invoices
	outstanding(inv) > 0
	d := days_since(inv.dueDate)
} | {0})

# Partner Center enumerations, lower-cased: rules compare lower(value) with
# these, so Active, ACTIVE and active are one value. A value outside a set
# is reported once (ACCT-016) and left alone by the rules that read it.
subscription_statuses := {"none", "active", "pending", "suspended", "expired", "disabled", "deleted", "cancelled"}

# Statuses of a subscription that has ended: no spend, no budget, no
# suspension and no follow-up.
ended_statuses := {"deleted", "expired", "cancelled"}

fraud_event_statuses := {"active", "investigating", "resolved"}

fraud_event_severities := {"low", "medium", "high"}

fraud_resolved_reasons := {"none", "fraud", "ignore"}

fraud_event_types := {
	"servicehealthsecurityadvisory",
	"usageanomalydetection",
	"multiregionvirtualmachinescalesetdeploymentanomaly",
	"networkconnectionstocryptominingpools",
	"virtualmachinedeploymentanomaly",
	"multiregionmachinelearningusageanomaly",
}

service_request_statuses := {"none", "open", "closed", "attention_needed"}

relationships_to_partner := {"none", "reseller", "advisor", "syndication", "microsoft_support"}

# The new-commerce cancellation window: a prorated refund within 7 days
# (168 hours) of purchase or renewal, none after.
refund_window_ns := 7 * day_ns

# subscription_kind(sub) is "azure-plan", "new-commerce" or "legacy", from
# the fields Partner Center exports: productType.id Azure or
# OnlineServicesNCE; else an offerId of the form PRODUCT:SKU[:AVAILABILITY]
# or refundOptions mark new commerce; anything else (a GUID offerId, an
# MS-AZR offer) is legacy.
subscription_kind(sub) := "new-commerce" if {
	sub.productType.id == "OnlineServicesNCE" # the common spelling costs no builtin
} else := "azure-plan" if {
	sub.productType.id == "Azure"
} else := "azure-plan" if {
	lower(sub.productType.id) == "azure"
} else := "new-commerce" if {
	lower(sub.productType.id) == "onlineservicesnce"
} else := "new-commerce" if {
	contains(sub.offerId, ":")
} else := "new-commerce" if {
	count(sub.refundOptions) > 0
} else := "legacy"

subscription_kinds := ["azure-plan", "legacy", "new-commerce"]

# subscription_counts(customers) is the number of the customers'
# subscriptions of each kind, every kind present (0 when none).
# It runs on every subscription of every batch, so it classifies with
# comparisons and calls subscription_kind only for unusual product types.
subscription_counts(customers) := {"azure-plan": azure, "new-commerce": nce, "legacy": (count(subs) - azure) - nce} if {
	subs := [s | some c in customers; some s in c.subscriptions]
	odd := [subscription_kind(s) |
		some s in subs
		s.productType.id != "OnlineServicesNCE"
		s.productType.id != "Azure"
	]
	untyped_nce := {j | some j, s in subs; not s.productType.id; contains(s.offerId, ":")} | {j |
		some j, s in subs
		not s.productType.id
		count(s.refundOptions) > 0
	}
	azure := count([1 | some s in subs; s.productType.id == "Azure"]) + count([1 | some k in odd; k == "azure-plan"])
	nce := (count([1 | some s in subs; s.productType.id == "OnlineServicesNCE"]) + count([1 | some k in odd; k == "new-commerce"])) + count(untyped_nce)
}

# The partner sells Azure: portfolio.azure when the configuration says so;
# otherwise every cloud but 21Vianet, where Azure is not sold through
# Partner Center.
sells_azure(configuration) if configuration.portfolio.azure == true

sells_azure(configuration) if {
	not is_boolean(object.get(configuration, ["portfolio", "azure"], null))
	configuration.cloud != "21vianet"
}
