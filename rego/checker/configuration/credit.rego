# Credit-extension policy checks on the configuration (CRED-001 to CRED-003).
# The partner alone decides whether to extend credit to a customer; these
# rules check that the policy behind those decisions sets its limits.
# Checks of customers' recorded credit decisions against those limits live
# in checker.accounts.credit (CRED-004 and later).
#
# A missing creditPolicy section makes each rule report its own limit as not
# set: every limit is a separate gap in the policy.
package checker.configuration.credit

import rego.v1

# METADATA
# title: Credit above a threshold needs an approver
# description: >-
#   Deciding to extend credit is the partner's responsibility and exposes it
#   to the customer's non-payment; large credit limits should not be granted
#   by one person alone. The policy must say above which amount a named
#   approver is required. The 21Vianet guidance says
#   the same.
# custom:
#   id: CRED-001
#   concern: credit
#   severity: warning
#   clouds: [global, us-government, germany, 21vianet]
#   guidance:
#     url: https://learn.microsoft.com/en-us/partner-center/non-payment-fraud-misuse
#     quote: "You are responsible for deciding whether to extend credit to a customer."
#   remediation: Set creditPolicy.approvalRequiredAbove to the credit limit above which a named approver must sign off.
#   parameters:
#     - name: creditPolicy.approvalRequiredAbove
#       default: none
#       description: Credit limits above this amount need a named approver.
#   examples:
#     fails:
#       configuration: {creditPolicy: {approvalRequiredAbove: null}}
#     passes:
#       configuration: {creditPolicy: {approvalRequiredAbove: 10000}}
deny contains finding if {
	object.get(input.configuration, ["creditPolicy", "approvalRequiredAbove"], null) == null
	finding := {
		"rule": "CRED-001",
		"msg": "creditPolicy.approvalRequiredAbove is not set: credit limits of any size can be granted without an approver",
		"path": ["creditPolicy", "approvalRequiredAbove"],
	}
}

# METADATA
# title: Credit decisions rest on a recent credit check
# description: >-
#   A credit decision is only as good as the credit check behind it; the
#   policy must say how old a check may be before the decision has to be
#   renewed. The 21Vianet guidance says the same.
# custom:
#   id: CRED-002
#   concern: credit
#   severity: warning
#   clouds: [global, us-government, germany, 21vianet]
#   guidance:
#     url: https://learn.microsoft.com/en-us/partner-center/non-payment-fraud-misuse
#     quote: "You are responsible for deciding whether to extend credit to a customer."
#   remediation: Set creditPolicy.maxCreditCheckAgeDays (for example 365).
#   parameters:
#     - name: creditPolicy.maxCreditCheckAgeDays
#       default: none
#       description: Oldest credit check, in days, a credit decision may rest on.
#   examples:
#     fails:
#       configuration: {creditPolicy: {maxCreditCheckAgeDays: null}}
#     passes:
#       configuration: {creditPolicy: {maxCreditCheckAgeDays: 365}}
deny contains finding if {
	object.get(input.configuration, ["creditPolicy", "maxCreditCheckAgeDays"], null) == null
	finding := {
		"rule": "CRED-002",
		"msg": "creditPolicy.maxCreditCheckAgeDays is not set: credit decisions may rest on credit checks of any age",
		"path": ["creditPolicy", "maxCreditCheckAgeDays"],
	}
}

# METADATA
# title: No new credit for customers past due
# description: >-
#   Granting or raising credit for a customer who is already behind on
#   payment adds to the loss the partner carries for non-payment. The policy
#   must say after how many days past due no new credit is extended. The
#   21Vianet guidance says the same.
# custom:
#   id: CRED-003
#   concern: credit
#   severity: warning
#   clouds: [global, us-government, germany, 21vianet]
#   guidance:
#     url: https://learn.microsoft.com/en-us/partner-center/non-payment-fraud-misuse
#     quote: "You are responsible for deciding whether to extend credit to a customer."
#   remediation: Set creditPolicy.noNewCreditPastDueDays (for example 30).
#   parameters:
#     - name: creditPolicy.noNewCreditPastDueDays
#       default: none
#       description: No credit is granted or raised for a customer past due more than this many days.
#   examples:
#     fails:
#       configuration: {creditPolicy: {noNewCreditPastDueDays: null}}
#     passes:
#       configuration: {creditPolicy: {noNewCreditPastDueDays: 30}}
deny contains finding if {
	object.get(input.configuration, ["creditPolicy", "noNewCreditPastDueDays"], null) == null
	finding := {
		"rule": "CRED-003",
		"msg": "creditPolicy.noNewCreditPastDueDays is not set: credit can be granted or raised for customers however far past due",
		"path": ["creditPolicy", "noNewCreditPastDueDays"],
	}
}
