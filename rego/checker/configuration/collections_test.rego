package checker.configuration.collections

import data.checker.lib
import rego.v1

# Shared fixtures for the configuration tests (controls_test and credit_test
# read them from here): one complete, valid PartnerConfiguration per cloud,
# modelled on examples/<cloud>/compliant/partner.yaml. Tests vary
# them with json.patch so that a rule that should stay silent is proven
# silent on a realistic document, not on an empty one.
as_of := "2026-06-30T00:00:00Z"

audit(cfg) := {"configuration": cfg, "asOf": as_of}

valid_global := {
	"apiVersion": "checker/v1",
	"kind": "PartnerConfiguration",
	"partner": {"id": "contoso", "name": "Contoso Cloud Services"},
	"cloud": "global",
	"collectionsPolicy": {
		"documentRef": "https://contoso.example/legal/collections-policy-v3.1.pdf",
		"version": "3.1",
		"effectiveDate": "2026-01-01",
		"communicatedToCustomers": true,
		"communicatedOn": "2026-01-15",
		"paymentTermsDays": 30,
		"dunningSteps": [
			{"dayOffset": 1, "action": "reminder", "channel": "email"},
			{"dayOffset": 15, "action": "final-notice", "channel": "email"},
			{"dayOffset": 45, "action": "access-impact", "channel": "email"},
		],
		"accessImpact": {"pastDueDays": 45, "action": "suspend"},
		"maxSuspensionDays": 30,
		"overdueNoticeContact": "collections@contoso.example",
	},
	"riskControls": {
		"partnerTenantMfa": true,
		"customerIdentityVerification": {"atOnboarding": true, "method": "company registry check and callback"},
		"fraudAlerts": {
			"subscribed": true,
			"channels": ["email", "webhook"],
			"owner": "secops@contoso.example",
			"responseTimeMinutes": 60,
		},
		"spendingBudgets": {"required": true, "actionAtPercent": 100},
		"activityLogReview": {"cadenceDays": 7},
		"acceptedPaymentInstruments": ["invoice", "direct-debit", "credit-card"],
		"notificationHandling": {"owner": "partner-ops@contoso.example", "responseTimeHours": 24},
		"fraudEscalation": {"target": "microsoft", "suspendWhileInvestigating": true},
	},
	"creditPolicy": {
		"currency": "USD",
		"approvalRequiredAbove": 10000,
		"maxCreditCheckAgeDays": 365,
		"noNewCreditPastDueDays": 30,
		"prepaymentWithoutCredit": true,
	},
}

valid_configurations := {
	"global": valid_global,
	"us-government": json.patch(valid_global, [
		{"op": "replace", "path": "/partner", "value": {"id": "adatum-gov", "name": "Adatum Government Cloud"}},
		{"op": "replace", "path": "/cloud", "value": "us-government"},
		{"op": "replace", "path": "/collectionsPolicy/accessImpact/action", "value": "disable"},
	]),
	"germany": json.patch(valid_global, [
		{"op": "replace", "path": "/partner", "value": {"id": "litware-de", "name": "Litware Deutschland"}},
		{"op": "replace", "path": "/cloud", "value": "germany"},
		{"op": "replace", "path": "/collectionsPolicy/accessImpact/action", "value": "disable"},
		{"op": "replace", "path": "/creditPolicy/currency", "value": "EUR"},
	]),
	"21vianet": json.patch(valid_global, [
		{"op": "replace", "path": "/partner", "value": {"id": "woodgrove-cn", "name": "Woodgrove China"}},
		{"op": "replace", "path": "/cloud", "value": "21vianet"},
		{"op": "replace", "path": "/collectionsPolicy/paymentTermsDays", "value": 20},
		{"op": "replace", "path": "/collectionsPolicy/accessImpact/action", "value": "block"},
		{"op": "remove", "path": "/riskControls/fraudAlerts"},
		{"op": "remove", "path": "/riskControls/spendingBudgets"},
		{"op": "replace", "path": "/riskControls/fraudEscalation/target", "value": "21vianet"},
		{"op": "replace", "path": "/creditPolicy/currency", "value": "CNY"},
	]),
}

# patched is the valid configuration of cloud with the JSON patch applied.
patched(cloud, patch) := json.patch(valid_configurations[cloud], patch)

# fires holds when findings has one of rule at path.
fires(findings, rule, path) if {
	some f in findings
	f.rule == rule
	f.path == path
}

rule_ids(findings) := {f.rule | some f in findings}

test_valid_configurations_have_no_collections_findings if {
	every cfg in valid_configurations {
		count(deny) == 0 with input as audit(cfg)
	}
}

# COLL-001

test_coll_001_fires_once_and_alone_when_collections_policy_missing if {
	inp := audit(patched("global", [{"op": "remove", "path": "/collectionsPolicy"}]))
	findings := deny with input as inp
	fires(findings, "COLL-001", ["collectionsPolicy"])
	count(findings) == 1
}

test_coll_001_fires_when_document_ref_missing if {
	inp := audit(patched("21vianet", [{"op": "remove", "path": "/collectionsPolicy/documentRef"}]))
	findings := deny with input as inp
	fires(findings, "COLL-001", ["collectionsPolicy", "documentRef"])
}

test_coll_001_does_not_fire_on_valid_policy if {
	every cfg in valid_configurations {
		findings := deny with input as audit(cfg)
		not "COLL-001" in rule_ids(findings)
	}
}

# COLL-002

test_coll_002_fires_when_version_missing if {
	inp := audit(patched("global", [{"op": "remove", "path": "/collectionsPolicy/version"}]))
	findings := deny with input as inp
	fires(findings, "COLL-002", ["collectionsPolicy", "version"])
	not fires(findings, "COLL-002", ["collectionsPolicy", "effectiveDate"])
}

test_coll_002_fires_when_effective_date_missing if {
	inp := audit(patched("global", [{"op": "remove", "path": "/collectionsPolicy/effectiveDate"}]))
	findings := deny with input as inp
	fires(findings, "COLL-002", ["collectionsPolicy", "effectiveDate"])
}

test_coll_002_does_not_fire_on_versioned_dated_policy if {
	inp := audit(valid_global)
	findings := deny with input as inp
	not "COLL-002" in rule_ids(findings)
}

# COLL-003

test_coll_003_fires_when_not_communicated if {
	inp := audit(patched("global", [{"op": "replace", "path": "/collectionsPolicy/communicatedToCustomers", "value": false}]))
	findings := deny with input as inp
	fires(findings, "COLL-003", ["collectionsPolicy", "communicatedToCustomers"])
}

test_coll_003_fires_when_communication_not_declared if {
	inp := audit(patched("germany", [{"op": "remove", "path": "/collectionsPolicy/communicatedToCustomers"}]))
	findings := deny with input as inp
	fires(findings, "COLL-003", ["collectionsPolicy", "communicatedToCustomers"])
}

test_coll_003_does_not_fire_when_communicated if {
	inp := audit(valid_global)
	findings := deny with input as inp
	not "COLL-003" in rule_ids(findings)
}

# COLL-004

test_coll_004_fires_when_no_dunning_steps if {
	inp := audit(patched("global", [{"op": "remove", "path": "/collectionsPolicy/dunningSteps"}]))
	findings := deny with input as inp
	fires(findings, "COLL-004", ["collectionsPolicy", "dunningSteps"])
}

test_coll_004_fires_when_dunning_steps_empty if {
	inp := audit(patched("global", [{"op": "replace", "path": "/collectionsPolicy/dunningSteps", "value": []}]))
	findings := deny with input as inp
	fires(findings, "COLL-004", ["collectionsPolicy", "dunningSteps"])
}

test_coll_004_fires_once_at_first_out_of_order_step if {
	steps := [
		{"dayOffset": 1, "action": "reminder"},
		{"dayOffset": 30, "action": "final-notice"},
		{"dayOffset": 15, "action": "final-notice"},
		{"dayOffset": 20, "action": "access-impact"},
		{"dayOffset": 10, "action": "collections-agency"},
	]
	inp := audit(patched("global", [{"op": "replace", "path": "/collectionsPolicy/dunningSteps", "value": steps}]))
	findings := deny with input as inp
	fires(findings, "COLL-004", ["collectionsPolicy", "dunningSteps", 2, "dayOffset"])
	count({f | some f in findings; f.rule == "COLL-004"}) == 1
}

test_coll_004_fires_on_equal_day_offsets if {
	inp := audit(patched("global", [{"op": "replace", "path": "/collectionsPolicy/dunningSteps/1/dayOffset", "value": 1}]))
	findings := deny with input as inp
	fires(findings, "COLL-004", ["collectionsPolicy", "dunningSteps", 1, "dayOffset"])
}

test_coll_004_does_not_fire_on_increasing_steps if {
	inp := audit(valid_global)
	findings := deny with input as inp
	not "COLL-004" in rule_ids(findings)
}

# COLL-005

test_coll_005_fires_when_access_impact_missing if {
	inp := audit(patched("global", [{"op": "remove", "path": "/collectionsPolicy/accessImpact"}]))
	findings := deny with input as inp
	fires(findings, "COLL-005", ["collectionsPolicy", "accessImpact"])
}

test_coll_005_does_not_fire_when_access_impact_declared if {
	inp := audit(valid_global)
	findings := deny with input as inp
	not "COLL-005" in rule_ids(findings)
}

# COLL-006: disable, block and suspend are one action (restrict access) in
# every cloud; cancelling as the first access impact is the warning.

test_coll_006_fires_on_cancel_in_every_cloud if {
	every cloud, _ in valid_configurations {
		inp := audit(patched(cloud, [{"op": "replace", "path": "/collectionsPolicy/accessImpact/action", "value": "cancel"}]))
		findings := deny with input as inp
		fires(findings, "COLL-006", ["collectionsPolicy", "accessImpact", "action"])
	}
}

test_coll_006_fires_with_each_clouds_own_words_about_cancel if {
	global := deny with input as audit(patched("global", [{"op": "replace", "path": "/collectionsPolicy/accessImpact/action", "value": "cancel"}]))
	some g in global
	g.rule == "COLL-006"
	contains(g.msg, "outright cancel")
	contains(g.msg, "7 days after purchase or renewal")
	contains(g.msg, "restrict access first (disable access")
	vianet := deny with input as audit(patched("21vianet", [{"op": "replace", "path": "/collectionsPolicy/accessImpact/action", "value": "cancel"}]))
	some v in vianet
	v.rule == "COLL-006"
	contains(v.msg, "names only blocking access")
	contains(v.msg, "restrict access first (block access")
}

test_coll_006_does_not_fire_on_any_restrict_access_word_in_any_cloud if {
	every cloud, _ in valid_configurations {
		every action in ["disable", "block", "suspend"] {
			inp := audit(patched(cloud, [{"op": "replace", "path": "/collectionsPolicy/accessImpact/action", "value": action}]))
			findings := deny with input as inp
			not "COLL-006" in rule_ids(findings)
		}
	}
}

# COLL-007: the deletion window is 90 days except on 21Vianet (60).

test_coll_007_fires_when_max_suspension_missing if {
	inp := audit(patched("germany", [{"op": "remove", "path": "/collectionsPolicy/maxSuspensionDays"}]))
	findings := deny with input as inp
	fires(findings, "COLL-007", ["collectionsPolicy", "maxSuspensionDays"])
}

test_coll_007_fires_at_60_days_in_21vianet if {
	inp := audit(patched("21vianet", [{"op": "replace", "path": "/collectionsPolicy/maxSuspensionDays", "value": 60}]))
	findings := deny with input as inp
	fires(findings, "COLL-007", ["collectionsPolicy", "maxSuspensionDays"])
}

test_coll_007_fires_at_90_days_in_global if {
	inp := audit(patched("global", [{"op": "replace", "path": "/collectionsPolicy/maxSuspensionDays", "value": 90}]))
	findings := deny with input as inp
	fires(findings, "COLL-007", ["collectionsPolicy", "maxSuspensionDays"])
}

test_coll_007_does_not_fire_at_60_days_in_global if {
	inp := audit(patched("global", [{"op": "replace", "path": "/collectionsPolicy/maxSuspensionDays", "value": 60}]))
	findings := deny with input as inp
	not "COLL-007" in rule_ids(findings)
}

test_coll_007_does_not_fire_at_59_days_in_21vianet if {
	inp := audit(patched("21vianet", [{"op": "replace", "path": "/collectionsPolicy/maxSuspensionDays", "value": 59}]))
	findings := deny with input as inp
	not "COLL-007" in rule_ids(findings)
}

# COLL-008: upstream terms are net 60, net 30 on 21Vianet.

test_coll_008_fires_on_45_days_in_21vianet if {
	inp := audit(patched("21vianet", [{"op": "replace", "path": "/collectionsPolicy/paymentTermsDays", "value": 45}]))
	findings := deny with input as inp
	fires(findings, "COLL-008", ["collectionsPolicy", "paymentTermsDays"])
}

test_coll_008_fires_on_61_days_in_global if {
	inp := audit(patched("global", [{"op": "replace", "path": "/collectionsPolicy/paymentTermsDays", "value": 61}]))
	findings := deny with input as inp
	fires(findings, "COLL-008", ["collectionsPolicy", "paymentTermsDays"])
}

test_coll_008_does_not_fire_on_45_days_in_global if {
	inp := audit(patched("global", [{"op": "replace", "path": "/collectionsPolicy/paymentTermsDays", "value": 45}]))
	findings := deny with input as inp
	not "COLL-008" in rule_ids(findings)
}

test_coll_008_fires_naming_21vianet_and_its_finance_charge if {
	findings := deny with input as audit(patched("21vianet", [{"op": "replace", "path": "/collectionsPolicy/paymentTermsDays", "value": 31}]))
	some f in findings
	f.rule == "COLL-008"
	contains(f.msg, "21Vianet bills the partner net 30")
	contains(f.msg, "1.5 %")
}

test_coll_008_does_not_fire_and_is_not_applicable_without_payment_terms if {
	inp := audit(patched("global", [{"op": "remove", "path": "/collectionsPolicy/paymentTermsDays"}]))
	findings := deny with input as inp
	not "COLL-008" in rule_ids(findings)
	notes := not_applicable with input as inp
	some n in notes
	n.rule == "COLL-008"
}

test_coll_008_is_applicable_with_payment_terms if {
	notes := not_applicable with input as audit(valid_global)
	not "COLL-008" in {n.rule | some n in notes}
}

test_coll_008_does_not_fire_on_30_days_in_21vianet if {
	inp := audit(patched("21vianet", [{"op": "replace", "path": "/collectionsPolicy/paymentTermsDays", "value": 30}]))
	findings := deny with input as inp
	not "COLL-008" in rule_ids(findings)
}

# COLL-009

test_coll_009_fires_when_overdue_notice_contact_missing if {
	inp := audit(patched("global", [{"op": "remove", "path": "/collectionsPolicy/overdueNoticeContact"}]))
	findings := deny with input as inp
	fires(findings, "COLL-009", ["collectionsPolicy", "overdueNoticeContact"])
}

test_coll_009_does_not_fire_when_contact_set if {
	inp := audit(valid_global)
	findings := deny with input as inp
	not "COLL-009" in rule_ids(findings)
}

# COLL-010

test_coll_010_fires_when_access_impacted_before_first_reminder if {
	inp := audit(patched("global", [{"op": "replace", "path": "/collectionsPolicy/accessImpact/pastDueDays", "value": 0}]))
	findings := deny with input as inp
	fires(findings, "COLL-010", ["collectionsPolicy", "accessImpact", "pastDueDays"])
}

test_coll_010_fires_when_no_step_is_a_notice if {
	steps := [{"dayOffset": 45, "action": "access-impact"}, {"dayOffset": 120, "action": "write-off"}]
	inp := audit(patched("global", [{"op": "replace", "path": "/collectionsPolicy/dunningSteps", "value": steps}]))
	findings := deny with input as inp
	fires(findings, "COLL-010", ["collectionsPolicy", "accessImpact", "pastDueDays"])
}

test_coll_010_does_not_fire_when_impact_on_first_notice_day if {
	inp := audit(patched("global", [{"op": "replace", "path": "/collectionsPolicy/accessImpact/pastDueDays", "value": 1}]))
	findings := deny with input as inp
	not "COLL-010" in rule_ids(findings)
}

test_coll_010_does_not_fire_when_impact_after_notices if {
	inp := audit(valid_global)
	findings := deny with input as inp
	not "COLL-010" in rule_ids(findings)
}

# COLL-011

test_coll_011_fires_on_effective_date_after_as_of if {
	inp := audit(patched("global", [{"op": "replace", "path": "/collectionsPolicy/effectiveDate", "value": "2026-07-01"}]))
	findings := deny with input as inp
	fires(findings, "COLL-011", ["collectionsPolicy", "effectiveDate"])
}

test_coll_011_does_not_fire_on_effective_date_equal_to_as_of if {
	inp := audit(patched("global", [{"op": "replace", "path": "/collectionsPolicy/effectiveDate", "value": "2026-06-30"}]))
	findings := deny with input as inp
	not "COLL-011" in rule_ids(findings)
}

test_coll_011_does_not_fire_on_past_effective_date if {
	inp := audit(valid_global)
	findings := deny with input as inp
	not "COLL-011" in rule_ids(findings)
}

# COLL-012: the access-impact dunning step and accessImpact.pastDueDays.

test_coll_012_fires_when_access_impact_step_and_past_due_days_differ if {
	inp := audit(patched("global", [{"op": "replace", "path": "/collectionsPolicy/accessImpact/pastDueDays", "value": 40}]))
	findings := deny with input as inp
	fires(findings, "COLL-012", ["collectionsPolicy", "dunningSteps", 2, "dayOffset"])
}

test_coll_012_fires_once_per_disagreeing_step if {
	inp := audit(patched("germany", [{"op": "add", "path": "/collectionsPolicy/dunningSteps/-", "value": {"dayOffset": 60, "action": "access-impact"}}]))
	findings := deny with input as inp
	fires(findings, "COLL-012", ["collectionsPolicy", "dunningSteps", 3, "dayOffset"])
	count({f | some f in findings; f.rule == "COLL-012"}) == 1
}

test_coll_012_does_not_fire_when_the_step_is_at_past_due_days if {
	every cfg in valid_configurations {
		findings := deny with input as audit(cfg)
		not "COLL-012" in rule_ids(findings)
	}
}

test_coll_012_does_not_fire_without_an_access_impact_step if {
	inp := audit(patched("global", [
		{"op": "remove", "path": "/collectionsPolicy/dunningSteps/2"},
		{"op": "replace", "path": "/collectionsPolicy/accessImpact/pastDueDays", "value": 40},
	]))
	findings := deny with input as inp
	not "COLL-012" in rule_ids(findings)
}

test_coll_011_does_not_fire_without_an_audit_date if {
	inp := {"configuration": {"collectionsPolicy": {"effectiveDate": "2200-01-01"}}}
	not "COLL-011" in {f.rule | some f in deny with input as inp}
	{"rule": "COLL-011", "msg": lib.no_audit_date} in not_applicable with input as inp
}
