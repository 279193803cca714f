# Collections policy checks (COLL-*): the guidance asks every partner for a
# clear collections policy, agreed with customers, that details the
# collections process and when access to subscriptions will be impacted.
#
# Only COLL-001 reports a missing collectionsPolicy; the other rules check
# the parts of a policy that exists, so a partner without one gets a single
# clear finding instead of a cascade.
package checker.configuration.collections

import data.checker.lib
import rego.v1

# Notice steps warn the customer; access-impact and later steps do not.
notice_actions := {"reminder", "final-notice"}

# METADATA
# title: A collections policy document exists
# description: >-
#   The guidance recommends a clear collections policy established with
#   customers. The configuration must declare one (collectionsPolicy) and say
#   where the agreed document lives (documentRef), so that the policy the
#   checker evaluates is the one customers actually received. Reported once,
#   at the section, when collectionsPolicy is missing; the other COLL rules
#   then stay silent. Both guidance pages carry the same sentence (also on
#   the 21Vianet page).
# custom:
#   id: COLL-001
#   concern: collections
#   severity: warning
#   clouds: [global, us-government, germany, 21vianet]
#   guidance:
#     url: https://learn.microsoft.com/en-us/partner-center/non-payment-fraud-misuse
#     quote: "We recommend establishing a clear collections policy with customers that details your collections process and when access to the subscription will be impacted."
#   remediation: >-
#     Add a collectionsPolicy section with documentRef set to the URL,
#     document-management ID or path of the collections policy agreed with
#     customers.
#   parameters:
#     - name: collectionsPolicy.documentRef
#       default: none
#       description: Where the collections policy document lives.
#   examples:
#     fails:
#       configuration: {collectionsPolicy: {documentRef: null}}
#     passes:
#       configuration: {collectionsPolicy: {documentRef: "https://contoso.example/legal/collections-policy-v3.1.pdf"}}
deny contains finding if {
	some problem in missing_policy
	finding := object.union({"rule": "COLL-001"}, problem)
}

missing_policy contains problem if {
	cfg := input.configuration
	object.get(cfg, "collectionsPolicy", null) == null
	problem := {
		"msg": sprintf("partner %q declares no collectionsPolicy", [cfg.partner.id]),
		"path": ["collectionsPolicy"],
	}
}

missing_policy contains problem if {
	object.get(input.configuration.collectionsPolicy, "documentRef", null) == null
	problem := {
		"msg": "collectionsPolicy.documentRef is not set: the agreed collections policy document is not referenced",
		"path": ["collectionsPolicy", "documentRef"],
	}
}

# METADATA
# title: The collections policy is versioned and dated
# description: >-
#   A policy agreed with customers changes over time; without a version and
#   an effective date nobody can tell which terms a customer accepted or
#   which ones applied when access was impacted. Both guidance pages carry the same
#   sentence (also on the 21Vianet page).
# custom:
#   id: COLL-002
#   concern: collections
#   severity: warning
#   clouds: [global, us-government, germany, 21vianet]
#   guidance:
#     url: https://learn.microsoft.com/en-us/partner-center/non-payment-fraud-misuse
#     quote: "We recommend establishing a clear collections policy with customers that details your collections process and when access to the subscription will be impacted."
#   remediation: Set collectionsPolicy.version and collectionsPolicy.effectiveDate (YYYY-MM-DD).
#   parameters:
#     - name: collectionsPolicy.version
#       default: none
#       description: Version of the policy document.
#     - name: collectionsPolicy.effectiveDate
#       default: none
#       description: Date the policy version took effect.
#   examples:
#     fails:
#       configuration: {collectionsPolicy: {version: null}}
#     passes:
#       configuration: {collectionsPolicy: {version: "3.1"}}
deny contains finding if {
	policy := input.configuration.collectionsPolicy
	some field in ["version", "effectiveDate"]
	object.get(policy, field, null) == null
	finding := {
		"rule": "COLL-002",
		"msg": sprintf("collectionsPolicy.%s is not set: the policy is not versioned and dated", [field]),
		"path": ["collectionsPolicy", field],
	}
}

# METADATA
# title: The collections policy was communicated to customers
# description: >-
#   The guidance asks for a policy established "with customers": a policy the
#   customers never saw cannot justify impacting their access. Both guidance
#   pages carry the same sentence (also on the 21Vianet page).
# custom:
#   id: COLL-003
#   concern: collections
#   severity: warning
#   clouds: [global, us-government, germany, 21vianet]
#   guidance:
#     url: https://learn.microsoft.com/en-us/partner-center/non-payment-fraud-misuse
#     quote: "We recommend establishing a clear collections policy with customers that details your collections process and when access to the subscription will be impacted."
#   remediation: >-
#     Communicate the policy to (agree it with) customers, then set
#     collectionsPolicy.communicatedToCustomers to true and communicatedOn to
#     the date.
#   parameters:
#     - name: collectionsPolicy.communicatedToCustomers
#       default: false
#       description: Whether the policy was communicated to (agreed with) customers.
#   examples:
#     fails:
#       configuration: {collectionsPolicy: {communicatedToCustomers: false}}
#     passes:
#       configuration: {collectionsPolicy: {communicatedToCustomers: true}}
deny contains finding if {
	policy := input.configuration.collectionsPolicy
	value := object.get(policy, "communicatedToCustomers", "not set")
	value != true
	finding := {
		"rule": "COLL-003",
		"msg": sprintf("collectionsPolicy.communicatedToCustomers is %v: the policy was not communicated to customers", [value]),
		"path": ["collectionsPolicy", "communicatedToCustomers"],
	}
}

# METADATA
# title: Dunning steps exist in increasing day order
# description: >-
#   The policy must detail the collections process: the steps taken as an
#   invoice ages (reminder, final notice, access impact...). Steps whose day
#   offsets do not strictly increase describe an ambiguous or contradictory
#   process. Reported at the steps when there are none, otherwise at the
#   first step whose dayOffset is not after the previous one. Both guidance
#   pages carry the same sentence (also on the 21Vianet page).
# custom:
#   id: COLL-004
#   concern: collections
#   severity: warning
#   clouds: [global, us-government, germany, 21vianet]
#   guidance:
#     url: https://learn.microsoft.com/en-us/partner-center/non-payment-fraud-misuse
#     quote: "We recommend establishing a clear collections policy with customers that details your collections process and when access to the subscription will be impacted."
#   remediation: >-
#     List collectionsPolicy.dunningSteps in the order they happen, each with
#     a dayOffset greater than the previous step's.
#   parameters:
#     - name: collectionsPolicy.dunningSteps
#       default: none
#       description: Collections steps, each with dayOffset (days past due) and action.
#   examples:
#     fails:
#       configuration:
#         collectionsPolicy:
#           dunningSteps:
#             - {dayOffset: 15, action: reminder}
#             - {dayOffset: 15, action: final-notice}
#     passes:
#       configuration:
#         collectionsPolicy:
#           dunningSteps:
#             - {dayOffset: 15, action: reminder}
#             - {dayOffset: 30, action: final-notice}
deny contains finding if {
	some problem in dunning_problems
	finding := object.union({"rule": "COLL-004"}, problem)
}

dunning_problems contains problem if {
	count(object.get(input.configuration.collectionsPolicy, "dunningSteps", [])) == 0
	problem := {
		"msg": "collectionsPolicy.dunningSteps is empty or not set: the collections process has no steps",
		"path": ["collectionsPolicy", "dunningSteps"],
	}
}

dunning_problems contains problem if {
	steps := input.configuration.collectionsPolicy.dunningSteps
	out_of_order := {i |
		some i, step in steps
		i > 0
		step.dayOffset <= steps[i - 1].dayOffset
	}
	count(out_of_order) > 0
	first := min(out_of_order)
	problem := {
		"msg": sprintf(
			"dunning step %d (%s) is at day %d, not after step %d (%s) at day %d: dayOffset must strictly increase",
			[first, steps[first].action, steps[first].dayOffset, first - 1, steps[first - 1].action, steps[first - 1].dayOffset],
		),
		"path": ["collectionsPolicy", "dunningSteps", first, "dayOffset"],
	}
}

# METADATA
# title: The policy says when access is impacted
# description: >-
#   The guidance asks the policy to detail "when access to the subscription
#   will be impacted": the past-due day and the action (accessImpact). Both
#   guidance pages carry the same sentence (also on the 21Vianet page).
# custom:
#   id: COLL-005
#   concern: collections
#   severity: warning
#   clouds: [global, us-government, germany, 21vianet]
#   guidance:
#     url: https://learn.microsoft.com/en-us/partner-center/non-payment-fraud-misuse
#     quote: "We recommend establishing a clear collections policy with customers that details your collections process and when access to the subscription will be impacted."
#   remediation: >-
#     Add collectionsPolicy.accessImpact with pastDueDays (the day past due
#     at which access is impacted) and action (what happens).
#   parameters:
#     - name: collectionsPolicy.accessImpact
#       default: none
#       description: When (pastDueDays) and how (action) access is impacted for non-payment.
#   examples:
#     fails:
#       configuration: {collectionsPolicy: {accessImpact: null}}
#     passes:
#       configuration: {collectionsPolicy: {accessImpact: {pastDueDays: 45, action: suspend}}}
deny contains finding if {
	object.get(input.configuration.collectionsPolicy, "accessImpact", null) == null
	finding := {
		"rule": "COLL-005",
		"msg": "collectionsPolicy.accessImpact is not set: the policy does not say when access to subscriptions is impacted",
		"path": ["collectionsPolicy", "accessImpact"],
	}
}

# METADATA
# title: Access impact restricts access before anything is cancelled
# description: >-
#   Restricting access for non-payment is one action in every cloud, done in
#   Partner Center by suspending the subscription: the global, US Government
#   and Germany guidance calls it disabling access, the 21Vianet guidance
#   blocking access, and the schema accepts disable, block and suspend alike.
#   Cancelling is the other action, and it is final: a cancelled
#   subscription cannot be restored when the customer pays, and a
#   new-commerce subscription cancelled more than 7 days (168 hours) after
#   purchase or renewal is billed to the partner until the end of its term,
#   so cancelling late for non-payment cuts nothing from the partner's bill.
#   The global, US Government and Germany guidance allows outright
#   cancelling; the 21Vianet guidance names only blocking access for
#   non-payment ("You can block access to your customers' subscriptions for
#   non-payment."), its suspend page also allowing cancel. Fires when the
#   policy's first access impact is to cancel.
# custom:
#   id: COLL-006
#   concern: collections
#   severity: warning
#   clouds: [global, us-government, germany, 21vianet]
#   guidance:
#     url: https://learn.microsoft.com/en-us/partner-center/non-payment-fraud-misuse
#     quote: "You can disable access or outright cancel your customers' subscriptions for non-payment."
#   remediation: >-
#     Set collectionsPolicy.accessImpact.action to restrict access (disable,
#     block or suspend: one Partner Center operation, suspending the
#     subscription), and decide on cancelling within
#     collectionsPolicy.maxSuspensionDays, inside the new-commerce 7-day
#     cancellation window where it still cuts the bill.
#   parameters:
#     - name: collectionsPolicy.accessImpact.action
#       default: none
#       description: What happens to the customer's subscriptions when access is impacted (disable, block, suspend or cancel).
#   examples:
#     fails:
#       configuration: {collectionsPolicy: {accessImpact: {action: cancel}}}
#     passes:
#       configuration: {collectionsPolicy: {accessImpact: {action: block}}}
deny contains finding if {
	impact := input.configuration.collectionsPolicy.accessImpact
	impact.action == "cancel"
	cloud := input.configuration.cloud
	finding := {
		"rule": "COLL-006",
		"msg": sprintf(
			"collectionsPolicy.accessImpact.action is \"cancel\": subscriptions are cancelled outright at %d days past due and cannot be restored when the customer pays; %s; restrict access first (%s, done by suspending the subscription)",
			[impact.pastDueDays, cancel_guidance[cloud], lib.restrict_access_wording[cloud]],
		),
		"path": ["collectionsPolicy", "accessImpact", "action"],
	}
}

# What each cloud's guidance says about cancelling for non-payment.
cancel_guidance := {
	"global": "the global guidance allows it (\"disable access or outright cancel\"), but a new-commerce subscription cancelled more than 7 days after purchase or renewal is still billed to the partner until the end of its term",
	"us-government": "the US Government guidance allows it (\"disable access or outright cancel\"), but a new-commerce subscription cancelled more than 7 days after purchase or renewal is still billed to the partner until the end of its term",
	"germany": "the Germany guidance allows it (\"disable access or outright cancel\"), and the legacy subscriptions of Germany leave 90 days to decide after restricting access",
	"21vianet": "the 21Vianet guidance names only blocking access for non-payment (cancelling is on its suspend page), and a suspended subscription leaves 60 days to decide",
}

# METADATA
# title: Suspension for non-payment ends before the data-deletion window
# description: >-
#   After a legacy suspension Microsoft deletes customer data once the
#   cloud's window has passed (90 days global, US Government and Germany; 60
#   days 21Vianet; lib.deletion_window_days). A policy must cap how long a
#   subscription stays suspended for non-payment before a cancel-or-restore
#   decision, below that window, or a customer who pays late may find their
#   data gone. A legacy clock: a suspended new-commerce subscription keeps
#   its data and its bill until the end of its term.
# custom:
#   id: COLL-007
#   concern: collections
#   severity: error
#   clouds: [global, us-government, germany, 21vianet]
#   applies: [legacy]
#   guidance:
#     url: https://docs.microsoft.com/en-us/partner-center/suspend-a-subscription
#     quote: "All data will be deleted unless the subscription is reactivated within 90 days, or 90 days plus the number of days between the time the account was opened and the first billing period (maximum 120 days)."
#   remediation: >-
#     Set collectionsPolicy.maxSuspensionDays below the cloud's data-deletion
#     window (under 90 days; under 60 on 21vianet).
#   parameters:
#     - name: collectionsPolicy.maxSuspensionDays
#       default: none
#       description: Longest a subscription stays suspended for non-payment before a cancel-or-restore decision.
#   examples:
#     fails:
#       configuration: {collectionsPolicy: {maxSuspensionDays: 90}}
#     passes:
#       configuration: {collectionsPolicy: {maxSuspensionDays: 60}}
deny contains finding if {
	some problem in suspension_problems
	finding := object.union({"rule": "COLL-007"}, problem)
}

suspension_problems contains problem if {
	object.get(input.configuration.collectionsPolicy, "maxSuspensionDays", null) == null
	cloud := input.configuration.cloud
	problem := {
		"msg": sprintf(
			"collectionsPolicy.maxSuspensionDays is not set: nothing keeps a suspension shorter than the %d-day data-deletion window of legacy subscriptions in cloud %q",
			[lib.deletion_window_days[cloud], cloud],
		),
		"path": ["collectionsPolicy", "maxSuspensionDays"],
	}
}

suspension_problems contains problem if {
	days := input.configuration.collectionsPolicy.maxSuspensionDays
	cloud := input.configuration.cloud
	window := lib.deletion_window_days[cloud]
	days >= window
	problem := {
		"msg": sprintf(
			"collectionsPolicy.maxSuspensionDays is %d, not shorter than the %d-day data-deletion window of legacy subscriptions in cloud %q",
			[days, window, cloud],
		),
		"path": ["collectionsPolicy", "maxSuspensionDays"],
	}
}

# METADATA
# title: Customer payment terms are no longer than the partner's own
# description: >-
#   The partner is financially responsible for its customers' non-payment
#   and pays upstream on fixed terms (lib.upstream_payment_terms_days):
#   Microsoft bills net 60 in global, US Government and Germany; 21Vianet
#   bills net 30 ("Payment terms - net 30 days, unless otherwise agreed in
#   writing by 21Vianet Credit & Collection.",
#   https://msdn.microsoft.com/en-us/partner-china/billing) and may charge
#   1.5 % of the invoice amount per month paid late. Granting customers
#   longer terms means paying for their usage before collecting it. Not
#   applicable when paymentTermsDays is not declared.
# custom:
#   id: COLL-008
#   concern: collections
#   severity: warning
#   clouds: [global, us-government, germany, 21vianet]
#   guidance:
#     url: https://learn.microsoft.com/en-us/partner-center/non-payment-fraud-misuse
#     quote: "You are financially responsible for fraudulent purchases by your customers and/or customer’s non-payment of purchased services; therefore, we recommend that you implement fraud prevention and detection risk mitigation controls."
#   remediation: >-
#     Shorten collectionsPolicy.paymentTermsDays to at most the upstream terms
#     (60 days; 30 on 21vianet), or accept and document the financing risk.
#   parameters:
#     - name: collectionsPolicy.paymentTermsDays
#       default: none
#       description: Customer payment terms in days (net N).
#   examples:
#     fails:
#       configuration: {collectionsPolicy: {paymentTermsDays: 90}}
#     passes:
#       configuration: {collectionsPolicy: {paymentTermsDays: 60}}
deny contains finding if {
	days := input.configuration.collectionsPolicy.paymentTermsDays
	cloud := input.configuration.cloud
	upstream := lib.upstream_payment_terms_days[cloud]
	days > upstream
	finding := {
		"rule": "COLL-008",
		"msg": sprintf(
			"customer payment terms of %d days exceed the partner's own upstream terms in cloud %q: %s",
			[days, cloud, upstream_terms[cloud]],
		),
		"path": ["collectionsPolicy", "paymentTermsDays"],
	}
}

# Who bills the partner, and on what terms, per cloud (for messages).
upstream_terms := {
	"global": "Microsoft bills the partner net 60",
	"us-government": "Microsoft bills the partner net 60",
	"germany": "Microsoft bills the partner net 60",
	"21vianet": "21Vianet bills the partner net 30 and may charge 1.5 % of the invoice amount per month paid late",
}

not_applicable contains {"rule": "COLL-008", "msg": "collectionsPolicy.paymentTermsDays is not declared: there are no customer payment terms to compare"} if {
	policy := input.configuration.collectionsPolicy
	object.get(policy, "paymentTermsDays", null) == null
}

# METADATA
# title: An overdue-notice contact is set
# description: >-
#   Customers need to know who tells them about overdue invoices and whom
#   to answer; without a contact the collections process has no owner on the
#   partner's side. Both guidance pages carry the same sentence (also on
#   the 21Vianet page).
# custom:
#   id: COLL-009
#   concern: collections
#   severity: warning
#   clouds: [global, us-government, germany, 21vianet]
#   guidance:
#     url: https://learn.microsoft.com/en-us/partner-center/non-payment-fraud-misuse
#     quote: "We recommend establishing a clear collections policy with customers that details your collections process and when access to the subscription will be impacted."
#   remediation: Set collectionsPolicy.overdueNoticeContact (a mailbox, team or person).
#   parameters:
#     - name: collectionsPolicy.overdueNoticeContact
#       default: none
#       description: Who customers hear from, and reply to, about overdue invoices.
#   examples:
#     fails:
#       configuration: {collectionsPolicy: {overdueNoticeContact: null}}
#     passes:
#       configuration: {collectionsPolicy: {overdueNoticeContact: collections@contoso.example}}
deny contains finding if {
	object.get(input.configuration.collectionsPolicy, "overdueNoticeContact", null) == null
	finding := {
		"rule": "COLL-009",
		"msg": "collectionsPolicy.overdueNoticeContact is not set: customers have no contact for overdue invoices",
		"path": ["collectionsPolicy", "overdueNoticeContact"],
	}
}

# METADATA
# title: Access is not impacted before the customer was given notice
# description: >-
#   A clear policy warns the customer before their access is impacted. The
#   access-impact day (accessImpact.pastDueDays) must not come before the
#   first notice step (a dunning step with action reminder or final-notice);
#   impact on the same day as the first notice is accepted. Also reported
#   when dunning steps exist but none of them is a notice. Only checked when
#   both accessImpact and dunning steps are declared (COLL-004 and COLL-005
#   report them missing). Both guidance pages carry the same sentence (also on
#   the 21Vianet page).
# custom:
#   id: COLL-010
#   concern: collections
#   severity: warning
#   clouds: [global, us-government, germany, 21vianet]
#   guidance:
#     url: https://learn.microsoft.com/en-us/partner-center/non-payment-fraud-misuse
#     quote: "We recommend establishing a clear collections policy with customers that details your collections process and when access to the subscription will be impacted."
#   remediation: >-
#     Add a reminder or final-notice dunning step no later than
#     accessImpact.pastDueDays, or move accessImpact.pastDueDays after the
#     first notice.
#   parameters:
#     - name: collectionsPolicy.accessImpact.pastDueDays
#       default: none
#       description: Days past due at which access is impacted.
#     - name: collectionsPolicy.dunningSteps
#       default: none
#       description: Collections steps; those with action reminder or final-notice are notices.
#   examples:
#     fails:
#       configuration:
#         collectionsPolicy:
#           dunningSteps: [{dayOffset: 15, action: reminder}]
#           accessImpact: {pastDueDays: 10}
#     passes:
#       configuration:
#         collectionsPolicy:
#           dunningSteps: [{dayOffset: 15, action: reminder}]
#           accessImpact: {pastDueDays: 15}
deny contains finding if {
	some problem in early_impact
	finding := object.union({"rule": "COLL-010"}, problem)
}

early_impact contains problem if {
	policy := input.configuration.collectionsPolicy
	impact_day := policy.accessImpact.pastDueDays
	notice_days := {step.dayOffset | some step in policy.dunningSteps; step.action in notice_actions}
	count(notice_days) > 0
	first_notice := min(notice_days)
	impact_day < first_notice
	problem := {
		"msg": sprintf(
			"access is impacted at %d days past due, before the first notice at day %d",
			[impact_day, first_notice],
		),
		"path": ["collectionsPolicy", "accessImpact", "pastDueDays"],
	}
}

early_impact contains problem if {
	policy := input.configuration.collectionsPolicy
	impact_day := policy.accessImpact.pastDueDays
	count(policy.dunningSteps) > 0
	not any_notice(policy.dunningSteps)
	problem := {
		"msg": sprintf(
			"access is impacted at %d days past due but no dunning step is a reminder or final-notice",
			[impact_day],
		),
		"path": ["collectionsPolicy", "accessImpact", "pastDueDays"],
	}
}

any_notice(steps) if {
	some step in steps
	step.action in notice_actions
}

# METADATA
# title: The collections policy is already in effect
# description: >-
#   An effectiveDate after the audit date (input.asOf) means the declared
#   policy is not yet the one in force, so the other COLL findings describe
#   a future policy and whatever customers agreed to today is unchecked. A
#   note, not a failure. Both guidance pages carry the same sentence (also on
#   the 21Vianet page).
# custom:
#   id: COLL-011
#   concern: collections
#   severity: info
#   clouds: [global, us-government, germany, 21vianet]
#   guidance:
#     url: https://learn.microsoft.com/en-us/partner-center/non-payment-fraud-misuse
#     quote: "We recommend establishing a clear collections policy with customers that details your collections process and when access to the subscription will be impacted."
#   remediation: >-
#     Check the configuration describes the policy in force on the audit
#     date, or re-run the audit once the new version has taken effect.
#   parameters:
#     - name: collectionsPolicy.effectiveDate
#       default: none
#       description: Date the policy version took effect.
#   examples:
#     fails:
#       configuration: {collectionsPolicy: {effectiveDate: "2026-09-01"}}
#     passes:
#       configuration: {collectionsPolicy: {effectiveDate: "2026-01-01"}}
deny contains finding if {
	effective := input.configuration.collectionsPolicy.effectiveDate
	lib.days_since(effective) < 0
	finding := {
		"rule": "COLL-011",
		"msg": sprintf(
			"collections policy effectiveDate %s is after the audit date %s: the declared policy is not yet in force",
			[effective, input.asOf],
		),
		"path": ["collectionsPolicy", "effectiveDate"],
	}
}

not_applicable contains {"rule": "COLL-011", "msg": lib.no_audit_date} if {
	input.configuration
	not input.asOf
}

# METADATA
# title: The access-impact dunning step agrees with accessImpact
# description: >-
#   A policy that says in two places when access is impacted must say the
#   same day in both: a dunning step with action access-impact at a
#   different dayOffset than accessImpact.pastDueDays leaves customers and
#   the partner's own staff with two contradictory dates. The partner's own
#   declared policy makes the date a commitment, so the contradiction is an
#   error. One finding per access-impact step at another day; only checked
#   when accessImpact is declared (COLL-005 reports it missing).
# custom:
#   id: COLL-012
#   concern: collections
#   severity: error
#   clouds: [global, us-government, germany, 21vianet]
#   guidance:
#     url: https://learn.microsoft.com/en-us/partner-center/non-payment-fraud-misuse
#     quote: "We recommend establishing a clear collections policy with customers that details your collections process and when access to the subscription will be impacted."
#   remediation: >-
#     Put the access-impact dunning step at accessImpact.pastDueDays, or
#     change accessImpact.pastDueDays to the step's day: one day, stated the
#     same way in both places.
#   parameters:
#     - name: collectionsPolicy.accessImpact.pastDueDays
#       default: none
#       description: Days past due at which access is impacted.
#     - name: collectionsPolicy.dunningSteps
#       default: none
#       description: Collections steps; a step with action access-impact states the same day.
#   examples:
#     fails:
#       configuration: {collectionsPolicy: {accessImpact: {pastDueDays: 40}}}
#     passes:
#       configuration: {collectionsPolicy: {accessImpact: {pastDueDays: 45}}}
deny contains finding if {
	policy := input.configuration.collectionsPolicy
	impact_day := policy.accessImpact.pastDueDays
	some i, step in object.get(policy, "dunningSteps", [])
	step.action == "access-impact"
	step.dayOffset != impact_day
	finding := {
		"rule": "COLL-012",
		"msg": sprintf(
			"dunning step %d (access-impact) is at day %d but accessImpact.pastDueDays is %d: the policy gives two different days for impacting access",
			[i, step.dayOffset, impact_day],
		),
		"path": ["collectionsPolicy", "dunningSteps", i, "dayOffset"],
	}
}
