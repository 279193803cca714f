# Fraud prevention and detection controls (CTRL-*). The partner carries the
# loss of its customers' fraudulent purchases, so the guidance recommends
# risk mitigation controls, suspending subscriptions while investigating and
# a service request to the cloud's operator.
#
# There is no separate rule for a missing riskControls section: every
# control is its own requirement, so each rule reports its own missing part.
package checker.configuration.controls

import data.checker.lib
import rego.v1

# The declared controls; {} when the section is missing so that each rule
# reports its own control as not set.
risk_controls := object.get(input.configuration, "riskControls", {})

# Longest accepted gap, in days, between reviews of customers' activity
# logs (CTRL-007). A default of ours, not a Microsoft number; not yet
# overridable.
max_activity_log_review_days := 30

# Payment instruments that cannot be tied to a verified payer or reversed
# reliably, the usual vehicles of fraudulent purchases (CTRL-008).
high_risk_payment_instruments := {"prepaid-card", "gift-card", "cryptocurrency", "cash"}

# The partner sells Azure (portfolio.azure, or every cloud but 21Vianet when
# the configuration does not say): the Azure-only controls CTRL-003 to
# CTRL-006 are not applicable to a partner that sells only licences.
sells_azure if lib.sells_azure(input.configuration)

azure_only_controls := {"CTRL-003", "CTRL-004", "CTRL-005", "CTRL-006"}

not_applicable contains {"rule": rule, "msg": no_azure_reason} if {
	not sells_azure
	some rule in azure_only_controls
}

no_azure_reason := "the partner sells no Azure (portfolio.azure is false): Azure-only controls do not apply" if {
	input.configuration.portfolio.azure == false
} else := sprintf("Azure is not sold through Partner Center in cloud %q (set portfolio.azure to true if the partner sells it)", [input.configuration.cloud])

# Partner Center offers Azure fraud alerts in the document's cloud, and the
# partner sells Azure.
fraud_alerts_apply if {
	input.configuration.cloud in lib.fraud_alerts_available
	sells_azure
}

# The partner receives fraud alerts (only meaningful where they exist).
fraud_alerts_subscribed if {
	fraud_alerts_apply
	risk_controls.fraudAlerts.subscribed == true
}

# METADATA
# title: MFA is enforced on the partner tenant
# description: >-
#   A compromised partner account can place orders for any customer, so
#   Partner Center's security requirements make multi-factor authentication
#   mandatory for every user of the partner tenant: a mandatory requirement,
#   not a recommendation, hence an error. (The security requirements FAQ
#   says partners in the sovereign clouds are not yet required to meet them
#   but strongly recommends they do; the loss a compromised account causes
#   is the same there.)
# custom:
#   id: CTRL-001
#   concern: controls
#   severity: error
#   clouds: [global, us-government, germany, 21vianet]
#   guidance:
#     url: https://learn.microsoft.com/en-us/partner-center/security/partner-security-requirements-mandating-mfa
#     quote: "Partners are required to enforce MFA for all user accounts in their partner tenant, including guest users."
#   remediation: >-
#     Enforce MFA for every user of the partner tenant (security defaults or
#     Conditional Access), then set riskControls.partnerTenantMfa to true.
#   parameters:
#     - name: riskControls.partnerTenantMfa
#       default: false
#       description: MFA is enforced on every user of the partner tenant.
#   examples:
#     fails:
#       configuration: {riskControls: {partnerTenantMfa: false}}
#     passes:
#       configuration: {riskControls: {partnerTenantMfa: true}}
deny contains finding if {
	value := object.get(risk_controls, "partnerTenantMfa", "not set")
	value != true
	finding := {
		"rule": "CTRL-001",
		"msg": sprintf("riskControls.partnerTenantMfa is %v: MFA is not enforced on every user of the partner tenant", [value]),
		"path": ["riskControls", "partnerTenantMfa"],
	}
}

# METADATA
# title: Customer identity is verified at onboarding
# description: >-
#   Fraudulent purchases typically come from customers created with stolen
#   or invented identities. Verifying a new customer's identity before the
#   first order is the basic prevention control the guidance recommends (the
#   21Vianet guidance too), so a gap is a warning. The one rule for identity
#   verification at onboarding: it replaces the retired CRED-010.
# custom:
#   id: CTRL-002
#   concern: controls
#   severity: warning
#   clouds: [global, us-government, germany, 21vianet]
#   guidance:
#     url: https://learn.microsoft.com/en-us/partner-center/non-payment-fraud-misuse
#     quote: "we recommend that you implement fraud prevention and detection risk mitigation controls."
#   remediation: >-
#     Verify each new customer's identity before their first order and set
#     riskControls.customerIdentityVerification.atOnboarding to true
#     (describe the method in method).
#   parameters:
#     - name: riskControls.customerIdentityVerification.atOnboarding
#       default: false
#       description: Identity is verified before the customer can order.
#   examples:
#     fails:
#       configuration: {riskControls: {customerIdentityVerification: {atOnboarding: false}}}
#     passes:
#       configuration: {riskControls: {customerIdentityVerification: {atOnboarding: true}}}
deny contains finding if {
	value := object.get(risk_controls, ["customerIdentityVerification", "atOnboarding"], "not set")
	value != true
	finding := {
		"rule": "CTRL-002",
		"msg": sprintf("riskControls.customerIdentityVerification.atOnboarding is %v: new customers can order before their identity is verified", [value]),
		"path": ["riskControls", "customerIdentityVerification", "atOnboarding"],
	}
}

# METADATA
# title: Azure fraud alerts are subscribed through at least one channel
# description: >-
#   Partner Center raises Azure fraud alerts (fraud events such as crypto
#   mining or usage anomalies) in the global cloud; they are the main
#   detection control it offers. The partner must receive them by email,
#   the azure-fraud-event-detected webhook or by polling the API. A
#   recommended control, so a warning. Not applicable where Partner Center
#   offers no fraud alerts (lib.fraud_alerts_available: US Government and
#   Germany have budgets, not fraud alerts) or the partner sells no Azure.
# custom:
#   id: CTRL-003
#   concern: controls
#   severity: warning
#   clouds: [global]
#   applies: [azure]
#   guidance:
#     url: https://learn.microsoft.com/en-us/partner-center/security/azure-fraud-notification
#     quote: "As a partner in the Cloud Solution Provider (CSP) program, you're responsible for your customers' Azure consumption, so it's important that you're aware of any anomalous usage in your customer's Azure subscriptions."
#   remediation: >-
#     Subscribe to Azure fraud alerts in Partner Center, set
#     riskControls.fraudAlerts.subscribed to true and list the channels
#     (email, webhook, api-poll).
#   parameters:
#     - name: riskControls.fraudAlerts.subscribed
#       default: false
#       description: The partner receives fraud alerts.
#     - name: riskControls.fraudAlerts.channels
#       default: []
#       description: How alerts arrive (email, webhook, api-poll).
#   examples:
#     fails:
#       configuration: {riskControls: {fraudAlerts: {subscribed: false}}}
#     passes:
#       configuration: {riskControls: {fraudAlerts: {subscribed: true}}}
deny contains finding if {
	some problem in fraud_alert_gaps
	finding := object.union({"rule": "CTRL-003"}, problem)
}

fraud_alert_gaps contains problem if {
	fraud_alerts_apply
	value := object.get(risk_controls, ["fraudAlerts", "subscribed"], "not set")
	value != true
	problem := {
		"msg": sprintf("riskControls.fraudAlerts.subscribed is %v: the partner receives no Azure fraud alerts", [value]),
		"path": ["riskControls", "fraudAlerts", "subscribed"],
	}
}

fraud_alert_gaps contains problem if {
	fraud_alerts_subscribed
	count(object.get(risk_controls.fraudAlerts, "channels", [])) == 0
	problem := {
		"msg": "riskControls.fraudAlerts.channels is empty or not set: fraud alerts are subscribed but reach no one",
		"path": ["riskControls", "fraudAlerts", "channels"],
	}
}

not_applicable contains {"rule": rule, "msg": msg} if {
	not input.configuration.cloud in lib.fraud_alerts_available
	sells_azure
	some rule in ["CTRL-003", "CTRL-004", "CTRL-005"]
	msg := sprintf("Partner Center offers no Azure fraud alerts in cloud %q", [input.configuration.cloud])
}

# METADATA
# title: Fraud alerts have an owner
# description: >-
#   An alert nobody is responsible for is an alert nobody answers. Checked
#   when fraud alerts are subscribed (CTRL-003 reports them missing); not
#   applicable where Partner Center offers no fraud alerts or the partner
#   sells no Azure.
# custom:
#   id: CTRL-004
#   concern: controls
#   severity: warning
#   clouds: [global]
#   applies: [azure]
#   guidance:
#     url: https://learn.microsoft.com/en-us/partner-center/security/azure-fraud-notification
#     quote: "With monitoring and signal awareness, you can take immediate action to determine whether the behavior is legitimate or fraudulent."
#   remediation: Set riskControls.fraudAlerts.owner to the person or team answering fraud alerts.
#   parameters:
#     - name: riskControls.fraudAlerts.owner
#       default: none
#       description: Person or team answering fraud alerts.
#   examples:
#     fails:
#       configuration: {riskControls: {fraudAlerts: {owner: null}}}
#     passes:
#       configuration: {riskControls: {fraudAlerts: {owner: secops@contoso.example}}}
deny contains finding if {
	fraud_alerts_subscribed
	object.get(risk_controls.fraudAlerts, "owner", null) == null
	finding := {
		"rule": "CTRL-004",
		"msg": "riskControls.fraudAlerts.owner is not set: nobody is responsible for answering fraud alerts",
		"path": ["riskControls", "fraudAlerts", "owner"],
	}
}

not_applicable contains {"rule": rule, "msg": msg} if {
	fraud_alerts_apply
	not fraud_alerts_subscribed
	some rule in ["CTRL-004", "CTRL-005"]
	msg := "fraud alerts are not subscribed (see CTRL-003), so there is no alert handling to check"
}

# METADATA
# title: Fraud alerts are answered within the recommended time
# description: >-
#   Microsoft recommends responding to fraud alerts within one hour;
#   mitigating within 24 hours significantly limits the loss the partner
#   carries. The partner must commit to a response time and may commit to a
#   faster one, never a slower one; a recommendation, so a warning. Checked
#   when fraud alerts are subscribed; not applicable where Partner Center
#   offers none or the partner sells no Azure.
# custom:
#   id: CTRL-005
#   concern: controls
#   severity: warning
#   clouds: [global]
#   applies: [azure]
#   guidance:
#     url: https://learn.microsoft.com/en-us/partner-center/security/azure-fraud-notification
#     quote: "With monitoring and signal awareness, you can take immediate action to determine whether the behavior is legitimate or fraudulent."
#   remediation: >-
#     Set riskControls.fraudAlerts.responseTimeMinutes to 60 or less, and
#     staff the alert owner to meet it.
#   parameters:
#     - name: riskControls.fraudAlerts.responseTimeMinutes
#       default: none
#       description: The partner's committed time to respond to a fraud alert, in minutes.
#     - name: lib.default_fraud_response_minutes
#       default: 60
#       description: Longest accepted response time, in minutes (Microsoft's recommendation).
#   examples:
#     fails:
#       configuration: {riskControls: {fraudAlerts: {responseTimeMinutes: 240}}}
#     passes:
#       configuration: {riskControls: {fraudAlerts: {responseTimeMinutes: 60}}}
deny contains finding if {
	fraud_alerts_subscribed
	value := object.get(risk_controls.fraudAlerts, "responseTimeMinutes", "not set")
	not within(value, lib.default_fraud_response_minutes)
	finding := {
		"rule": "CTRL-005",
		"msg": sprintf(
			"riskControls.fraudAlerts.responseTimeMinutes is %v: Microsoft recommends responding to fraud alerts within %d minutes",
			[value, lib.default_fraud_response_minutes],
		),
		"path": ["riskControls", "fraudAlerts", "responseTimeMinutes"],
	}
}

# within holds when value is a number no greater than limit.
within(value, limit) if {
	is_number(value)
	value <= limit
}

# METADATA
# title: Azure customers must have spending budgets
# description: >-
#   A spending budget bounds how much usage a compromised or fraudulent
#   Azure customer can run up before the partner is alerted (weekly emails
#   from 80 %). Wherever the partner sells Azure every Azure customer is
#   expected to have one; in US Government and Germany they are the only
#   detection control Partner Center offers. An expectation, not a
#   mandatory requirement, so a warning. Not applicable when the partner
#   sells no Azure (lib.sells_azure: by default on 21Vianet, where Azure is
#   not sold through Partner Center, unless portfolio.azure says it is).
# custom:
#   id: CTRL-006
#   concern: controls
#   severity: warning
#   clouds: [global, us-government, germany, 21vianet]
#   applies: [azure]
#   guidance:
#     url: https://learn.microsoft.com/en-us/graph/api/resources/partner-security-customersspendingbudgetsecurityrequirement?view=graph-rest-beta
#     quote: "All of a partner's customers are expected to have a spending budget set by the partner to track and control Azure spending."
#   remediation: >-
#     Require a spending budget on every Azure customer and set
#     riskControls.spendingBudgets.required to true (with actionAtPercent).
#   parameters:
#     - name: riskControls.spendingBudgets.required
#       default: false
#       description: Every Azure customer must have a spending budget.
#   examples:
#     fails:
#       configuration: {cloud: us-government, riskControls: {spendingBudgets: {required: false}}}
#     passes:
#       configuration: {cloud: us-government, riskControls: {spendingBudgets: {required: true}}}
deny contains finding if {
	sells_azure
	value := object.get(risk_controls, ["spendingBudgets", "required"], "not set")
	value != true
	finding := {
		"rule": "CTRL-006",
		"msg": sprintf(
			"riskControls.spendingBudgets.required is %v: Azure customers in cloud %q may run up usage with no spending budget",
			[value, input.configuration.cloud],
		),
		"path": ["riskControls", "spendingBudgets", "required"],
	}
}

# METADATA
# title: Customers' activity logs are reviewed at least monthly
# description: >-
#   Usage anomalies and misuse that no alert catches show up in customers'
#   activity logs; reviewing them regularly is a detection control. The
#   longest accepted cadence, 30 days, is our default
#   (max_activity_log_review_days in this file), not a Microsoft number.
# custom:
#   id: CTRL-007
#   concern: controls
#   severity: warning
#   clouds: [global, us-government, germany, 21vianet]
#   guidance:
#     url: https://learn.microsoft.com/en-us/partner-center/non-payment-fraud-misuse
#     quote: "we recommend that you implement fraud prevention and detection risk mitigation controls."
#   remediation: Review activity logs at least every 30 days and set riskControls.activityLogReview.cadenceDays.
#   parameters:
#     - name: riskControls.activityLogReview.cadenceDays
#       default: none
#       description: Days between reviews of customers' activity logs.
#     - name: max_activity_log_review_days
#       default: 30
#       description: Longest accepted cadence, in days.
#   examples:
#     fails:
#       configuration: {riskControls: {activityLogReview: {cadenceDays: 90}}}
#     passes:
#       configuration: {riskControls: {activityLogReview: {cadenceDays: 30}}}
deny contains finding if {
	value := object.get(risk_controls, ["activityLogReview", "cadenceDays"], "not set")
	not within(value, max_activity_log_review_days)
	finding := {
		"rule": "CTRL-007",
		"msg": sprintf(
			"riskControls.activityLogReview.cadenceDays is %v: activity logs must be reviewed at least every %d days",
			[value, max_activity_log_review_days],
		),
		"path": ["riskControls", "activityLogReview", "cadenceDays"],
	}
}

# METADATA
# title: No high-risk payment instruments are accepted
# description: >-
#   Prepaid and gift cards, cryptocurrency and cash cannot be tied to a
#   verified payer or recovered after the fact, so a fraudulent customer
#   paying with them leaves the partner with the loss. A prevention control
#   the guidance recommends, so a warning. One finding per high-risk
#   instrument accepted.
# custom:
#   id: CTRL-008
#   concern: controls
#   severity: warning
#   clouds: [global, us-government, germany, 21vianet]
#   guidance:
#     url: https://learn.microsoft.com/en-us/partner-center/non-payment-fraud-misuse
#     quote: "we recommend that you implement fraud prevention and detection risk mitigation controls."
#   remediation: >-
#     Stop accepting prepaid-card, gift-card, cryptocurrency and cash; remove
#     them from riskControls.acceptedPaymentInstruments.
#   parameters:
#     - name: riskControls.acceptedPaymentInstruments
#       default: []
#       description: Payment instruments the partner accepts from customers.
#     - name: high_risk_payment_instruments
#       default: [prepaid-card, gift-card, cryptocurrency, cash]
#       description: Instruments reported as high risk.
#   examples:
#     fails:
#       configuration: {riskControls: {acceptedPaymentInstruments: [invoice, gift-card]}}
#     passes:
#       configuration: {riskControls: {acceptedPaymentInstruments: [invoice]}}
deny contains finding if {
	some i, instrument in object.get(risk_controls, "acceptedPaymentInstruments", [])
	instrument in high_risk_payment_instruments
	finding := {
		"rule": "CTRL-008",
		"msg": sprintf("high-risk payment instrument %q is accepted", [instrument]),
		"path": ["riskControls", "acceptedPaymentInstruments", i],
	}
}

# METADATA
# title: Microsoft notifications have an owner and a response time
# description: >-
#   Microsoft may suspend a customer for Acceptable Use Policy violations
#   and notifies the partner; fraud and suspension notices need someone who
#   reads them and a committed time to act. One finding per missing part.
#   The 21Vianet guidance has no such sentence; the need is the same there.
# custom:
#   id: CTRL-009
#   concern: controls
#   severity: warning
#   clouds: [global, us-government, germany, 21vianet]
#   guidance:
#     url: https://learn.microsoft.com/en-us/partner-center/non-payment-fraud-misuse
#     quote: "The customer could be immediately suspended, and you'll be notified of enforcement actions or updated on your requests by Microsoft."
#   remediation: >-
#     Set riskControls.notificationHandling.owner and
#     riskControls.notificationHandling.responseTimeHours.
#   parameters:
#     - name: riskControls.notificationHandling.owner
#       default: none
#       description: Person or team that reads and acts on Microsoft notifications.
#     - name: riskControls.notificationHandling.responseTimeHours
#       default: none
#       description: Committed time to act on a notification, in hours.
#   examples:
#     fails:
#       configuration: {riskControls: {notificationHandling: {owner: null}}}
#     passes:
#       configuration: {riskControls: {notificationHandling: {owner: partner-ops@contoso.example}}}
deny contains finding if {
	some field, meaning in {"owner": "owner", "responseTimeHours": "committed response time"}
	object.get(risk_controls, ["notificationHandling", field], null) == null
	finding := {
		"rule": "CTRL-009",
		"msg": sprintf("riskControls.notificationHandling.%s is not set: Microsoft's enforcement and fraud notifications have no %s", [field, meaning]),
		"path": ["riskControls", "notificationHandling", field],
	}
}

# METADATA
# title: Fraud is escalated to the cloud's operator
# description: >-
#   Suspected fraud or misuse goes to a service request with the cloud's
#   operator: Microsoft in Partner Center (global, US Government, Germany);
#   21Vianet in Partner Center operated by 21Vianet ("Create a service
#   request with 21Vianet if you have additional questions or concerns
#   about suspicious activity." on its non-payment page). A request to the
#   wrong operator is not acted on. The table is lib.escalation_target.
# custom:
#   id: CTRL-010
#   concern: controls
#   severity: error
#   clouds: [global, us-government, germany, 21vianet]
#   guidance:
#     url: https://learn.microsoft.com/en-us/partner-center/non-payment-fraud-misuse
#     quote: "Create a service request in the Partner Center if you have additional questions or concerns about suspicious activity."
#   remediation: >-
#     Set riskControls.fraudEscalation.target to microsoft (global,
#     us-government, germany) or 21vianet (21vianet).
#   parameters:
#     - name: riskControls.fraudEscalation.target
#       default: none
#       description: Who the fraud service request goes to.
#   examples:
#     fails:
#       configuration: {cloud: 21vianet, riskControls: {fraudEscalation: {target: microsoft}}}
#     passes:
#       configuration: {cloud: 21vianet, riskControls: {fraudEscalation: {target: 21vianet}}}
deny contains finding if {
	cloud := input.configuration.cloud
	expected := lib.escalation_target[cloud]
	target := object.get(risk_controls, ["fraudEscalation", "target"], "not set")
	target != expected
	finding := {
		"rule": "CTRL-010",
		"msg": sprintf("riskControls.fraudEscalation.target is %v: fraud in cloud %q must be escalated to %q", [target, cloud, expected]),
		"path": ["riskControls", "fraudEscalation", "target"],
	}
}

# METADATA
# title: Subscriptions are suspended while fraud is investigated
# description: >-
#   Suspending the subscriptions stops further fraudulent usage, which the
#   partner pays for, while the problem is investigated. The 21Vianet guidance
#   says the same ("You can suspend customer subscriptions yourself from
#   Partner Center while you investigate the problem."). Suspending is the
#   same operation as restricting access for non-payment (disable, block or
#   suspend in the clouds' words); on a new-commerce subscription it stops
#   the usage, not Microsoft's bill. The guidance says "can", so a warning.
# custom:
#   id: CTRL-011
#   concern: controls
#   severity: warning
#   clouds: [global, us-government, germany, 21vianet]
#   guidance:
#     url: https://learn.microsoft.com/en-us/partner-center/non-payment-fraud-misuse
#     quote: "You can suspend subscriptions yourself from Partner Center while you investigate the problem."
#   remediation: Set riskControls.fraudEscalation.suspendWhileInvestigating to true and follow it.
#   parameters:
#     - name: riskControls.fraudEscalation.suspendWhileInvestigating
#       default: false
#       description: Subscriptions are suspended while suspected fraud is investigated.
#   examples:
#     fails:
#       configuration: {riskControls: {fraudEscalation: {suspendWhileInvestigating: false}}}
#     passes:
#       configuration: {riskControls: {fraudEscalation: {suspendWhileInvestigating: true}}}
deny contains finding if {
	value := object.get(risk_controls, ["fraudEscalation", "suspendWhileInvestigating"], "not set")
	value != true
	finding := {
		"rule": "CTRL-011",
		"msg": sprintf("riskControls.fraudEscalation.suspendWhileInvestigating is %v: subscriptions keep running while suspected fraud is investigated", [value]),
		"path": ["riskControls", "fraudEscalation", "suspendWhileInvestigating"],
	}
}

# METADATA
# title: The partner's cloud is still in operation
# description: >-
#   Partner Center for Microsoft Cloud Germany (Microsoft Cloud Deutschland)
#   closed to new customers in 2018 and was shut down on 2021-10-29; it was
#   a legacy cloud with no new commerce. Its profile serves audits of that
#   period. A configuration audited after the shutdown (input.asOf) describes
#   a cloud in which nothing can be sold or restricted any more: a note, so
#   that the findings are read as an audit of the past or the configuration
#   is moved to the cloud the customers went to.
# custom:
#   id: CTRL-012
#   concern: controls
#   severity: info
#   clouds: [germany]
#   applies: [legacy]
#   guidance:
#     url: https://learn.microsoft.com/en-us/dotnet/api/microsoft.azure.commands.common.authentication.abstractions.environmentname.azuregermancloud
#     quote: "Microsoft Cloud Germany was closed on October 29th, 2021."
#   remediation: >-
#     Audit with --as-of a date before 2021-10-29 for that period, or change
#     cloud to where the customers now transact (global after the migration).
#   parameters:
#     - name: closed_clouds
#       default: {germany: "2021-10-29"}
#       description: Clouds shut down, with the day of their shutdown.
#   examples:
#     fails:
#       configuration: {cloud: germany}
#     passes:
#       asOf: "2021-06-30T00:00:00Z"
#       configuration: {cloud: germany}
deny contains finding if {
	cloud := input.configuration.cloud
	shutdown := closed_clouds[cloud]
	lib.days_since(shutdown) > 0
	finding := {
		"rule": "CTRL-012",
		"msg": sprintf(
			"cloud %q (Microsoft Cloud Germany) was shut down on %s, before the audit date %s: this configuration can only describe that legacy cloud as it was until then",
			[cloud, shutdown, input.asOf],
		),
		"path": ["cloud"],
	}
}

not_applicable contains {"rule": "CTRL-012", "msg": lib.no_audit_date} if {
	closed_clouds[input.configuration.cloud]
	not input.asOf
}

# Clouds that were shut down, and the day they were (CTRL-012).
closed_clouds := {"germany": "2021-10-29"}
