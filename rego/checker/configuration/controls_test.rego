package checker.configuration.controls

import data.checker.configuration.collections as fixtures
import data.checker.lib
import rego.v1

# The valid per-cloud configurations and helpers are shared with the other
# configuration tests; see collections_test.rego.
valid_configurations := fixtures.valid_configurations

valid_global := fixtures.valid_global

audit(cfg) := fixtures.audit(cfg)

patched(cloud, patch) := fixtures.patched(cloud, patch)

fires(findings, rule, path) if fixtures.fires(findings, rule, path)

rule_ids(findings) := fixtures.rule_ids(findings)

na_rules(notes) := {n.rule | some n in notes}

# The audit date of the shared fixtures is after Germany's shutdown, so CTRL-012
# (info) is the one finding a valid Germany configuration has.
test_valid_configurations_have_no_controls_findings if {
	every cloud, cfg in valid_configurations {
		findings := deny with input as audit(cfg)
		rule_ids(findings) == {rule | some rule in {"CTRL-012"}; cloud == "germany"}
	}
}

# A licence-only partner: portfolio.azure false, no fraud alerts, no budgets.
licence_only(cloud) := object.union(valid_configurations[cloud], {
	"portfolio": {"azure": false},
	"riskControls": object.remove(valid_configurations[cloud].riskControls, ["fraudAlerts", "spendingBudgets"]),
})

test_sells_azure_follows_portfolio_then_cloud if {
	lib.sells_azure(valid_global)
	lib.sells_azure(valid_configurations["us-government"])
	not lib.sells_azure(valid_configurations["21vianet"])
	not lib.sells_azure(licence_only("global"))
	lib.sells_azure(json.patch(valid_configurations["21vianet"], [{"op": "add", "path": "/portfolio", "value": {"azure": true}}]))
	lib.sells_azure(json.patch(valid_global, [{"op": "add", "path": "/portfolio", "value": {}}]))
}

test_azure_controls_do_not_fire_and_are_not_applicable_for_a_licence_only_partner if {
	every cloud, _ in valid_configurations {
		inp := audit(licence_only(cloud))
		findings := deny with input as inp
		count({f | some f in findings; f.rule in azure_only_controls}) == 0
		notes := not_applicable with input as inp
		every rule in azure_only_controls {
			{"rule": rule, "msg": "the partner sells no Azure (portfolio.azure is false): Azure-only controls do not apply"} in notes
		}
	}
}

test_ctrl_006_fires_when_a_21vianet_partner_says_it_sells_azure_without_budgets if {
	inp := audit(json.patch(valid_configurations["21vianet"], [{"op": "add", "path": "/portfolio", "value": {"azure": true}}]))
	findings := deny with input as inp
	fires(findings, "CTRL-006", ["riskControls", "spendingBudgets", "required"])
	notes := not_applicable with input as inp
	not "CTRL-006" in na_rules(notes)
}

# CTRL-001

test_ctrl_001_fires_when_mfa_false if {
	inp := audit(patched("global", [{"op": "replace", "path": "/riskControls/partnerTenantMfa", "value": false}]))
	findings := deny with input as inp
	fires(findings, "CTRL-001", ["riskControls", "partnerTenantMfa"])
}

test_ctrl_001_fires_when_risk_controls_missing if {
	inp := audit(patched("21vianet", [{"op": "remove", "path": "/riskControls"}]))
	findings := deny with input as inp
	fires(findings, "CTRL-001", ["riskControls", "partnerTenantMfa"])
}

test_ctrl_001_does_not_fire_when_mfa_enforced if {
	every cfg in valid_configurations {
		findings := deny with input as audit(cfg)
		not "CTRL-001" in rule_ids(findings)
	}
}

# CTRL-002

test_ctrl_002_fires_when_identity_not_verified if {
	inp := audit(patched("global", [{"op": "replace", "path": "/riskControls/customerIdentityVerification", "value": {"atOnboarding": false}}]))
	findings := deny with input as inp
	fires(findings, "CTRL-002", ["riskControls", "customerIdentityVerification", "atOnboarding"])
}

test_ctrl_002_fires_when_verification_missing if {
	inp := audit(patched("us-government", [{"op": "remove", "path": "/riskControls/customerIdentityVerification"}]))
	findings := deny with input as inp
	fires(findings, "CTRL-002", ["riskControls", "customerIdentityVerification", "atOnboarding"])
}

test_ctrl_002_does_not_fire_when_verified_at_onboarding if {
	findings := deny with input as audit(valid_global)
	not "CTRL-002" in rule_ids(findings)
}

# CTRL-003: fraud alerts exist in global only.

test_ctrl_003_fires_when_not_subscribed_in_global if {
	inp := audit(patched("global", [{"op": "replace", "path": "/riskControls/fraudAlerts/subscribed", "value": false}]))
	findings := deny with input as inp
	fires(findings, "CTRL-003", ["riskControls", "fraudAlerts", "subscribed"])
}

test_ctrl_003_fires_when_fraud_alerts_missing_in_global if {
	inp := audit(patched("global", [{"op": "remove", "path": "/riskControls/fraudAlerts"}]))
	findings := deny with input as inp
	fires(findings, "CTRL-003", ["riskControls", "fraudAlerts", "subscribed"])
}

test_ctrl_003_fires_when_subscribed_without_channels if {
	inp := audit(patched("global", [{"op": "replace", "path": "/riskControls/fraudAlerts/channels", "value": []}]))
	findings := deny with input as inp
	fires(findings, "CTRL-003", ["riskControls", "fraudAlerts", "channels"])
}

test_ctrl_003_does_not_fire_when_subscribed_with_channel if {
	findings := deny with input as audit(valid_global)
	not "CTRL-003" in rule_ids(findings)
}

test_ctrl_003_does_not_fire_and_is_not_applicable_on_21vianet if {
	inp := audit(valid_configurations["21vianet"])
	findings := deny with input as inp
	notes := not_applicable with input as inp
	not "CTRL-003" in rule_ids(findings)
	"CTRL-003" in na_rules(notes)
}

test_ctrl_003_does_not_fire_and_is_not_applicable_on_us_government if {
	inp := audit(patched("us-government", [{"op": "remove", "path": "/riskControls/fraudAlerts"}]))
	findings := deny with input as inp
	notes := not_applicable with input as inp
	not "CTRL-003" in rule_ids(findings)
	"CTRL-003" in na_rules(notes)
}

test_ctrl_003_does_not_fire_when_the_partner_sells_no_azure if {
	inp := audit(patched("global", [
		{"op": "add", "path": "/portfolio", "value": {"azure": false}},
		{"op": "replace", "path": "/riskControls/fraudAlerts/subscribed", "value": false},
	]))
	findings := deny with input as inp
	not "CTRL-003" in rule_ids(findings)
}

test_ctrl_003_fires_when_portfolio_says_azure_and_no_alerts if {
	inp := audit(patched("global", [
		{"op": "add", "path": "/portfolio", "value": {"azure": true}},
		{"op": "remove", "path": "/riskControls/fraudAlerts"},
	]))
	findings := deny with input as inp
	fires(findings, "CTRL-003", ["riskControls", "fraudAlerts", "subscribed"])
}

test_ctrl_003_is_applicable_in_global if {
	notes := not_applicable with input as audit(valid_global)
	not "CTRL-003" in na_rules(notes)
}

# CTRL-004

test_ctrl_004_fires_when_owner_missing_in_global if {
	inp := audit(patched("global", [{"op": "remove", "path": "/riskControls/fraudAlerts/owner"}]))
	findings := deny with input as inp
	fires(findings, "CTRL-004", ["riskControls", "fraudAlerts", "owner"])
}

test_ctrl_004_does_not_fire_when_owner_set if {
	findings := deny with input as audit(valid_global)
	not "CTRL-004" in rule_ids(findings)
}

test_ctrl_004_does_not_fire_and_is_not_applicable_on_21vianet if {
	inp := audit(valid_configurations["21vianet"])
	findings := deny with input as inp
	notes := not_applicable with input as inp
	not "CTRL-004" in rule_ids(findings)
	"CTRL-004" in na_rules(notes)
}

test_ctrl_004_does_not_fire_and_is_not_applicable_when_not_subscribed if {
	inp := audit(patched("global", [{"op": "replace", "path": "/riskControls/fraudAlerts", "value": {"subscribed": false}}]))
	findings := deny with input as inp
	notes := not_applicable with input as inp
	not "CTRL-004" in rule_ids(findings)
	not "CTRL-005" in rule_ids(findings)
	"CTRL-004" in na_rules(notes)
	"CTRL-005" in na_rules(notes)
}

# CTRL-005: a faster commitment is fine, a slower one is not.

test_ctrl_005_fires_when_response_slower_than_60_minutes if {
	inp := audit(patched("global", [{"op": "replace", "path": "/riskControls/fraudAlerts/responseTimeMinutes", "value": 61}]))
	findings := deny with input as inp
	fires(findings, "CTRL-005", ["riskControls", "fraudAlerts", "responseTimeMinutes"])
}

test_ctrl_005_fires_when_response_time_missing if {
	inp := audit(patched("global", [{"op": "remove", "path": "/riskControls/fraudAlerts/responseTimeMinutes"}]))
	findings := deny with input as inp
	fires(findings, "CTRL-005", ["riskControls", "fraudAlerts", "responseTimeMinutes"])
}

test_ctrl_005_does_not_fire_at_60_minutes if {
	findings := deny with input as audit(valid_global)
	not "CTRL-005" in rule_ids(findings)
}

test_ctrl_005_does_not_fire_on_faster_commitment if {
	inp := audit(patched("global", [{"op": "replace", "path": "/riskControls/fraudAlerts/responseTimeMinutes", "value": 15}]))
	findings := deny with input as inp
	not "CTRL-005" in rule_ids(findings)
}

test_ctrl_005_is_not_applicable_on_21vianet if {
	notes := not_applicable with input as audit(valid_configurations["21vianet"])
	"CTRL-005" in na_rules(notes)
}

# CTRL-006: spending budgets everywhere but 21Vianet.

test_ctrl_006_fires_when_budgets_not_required_in_us_government if {
	inp := audit(patched("us-government", [{"op": "replace", "path": "/riskControls/spendingBudgets/required", "value": false}]))
	findings := deny with input as inp
	fires(findings, "CTRL-006", ["riskControls", "spendingBudgets", "required"])
}

test_ctrl_006_fires_when_budgets_missing_in_germany if {
	inp := audit(patched("germany", [{"op": "remove", "path": "/riskControls/spendingBudgets"}]))
	findings := deny with input as inp
	fires(findings, "CTRL-006", ["riskControls", "spendingBudgets", "required"])
}

test_ctrl_006_does_not_fire_when_budgets_required if {
	findings := deny with input as audit(valid_global)
	not "CTRL-006" in rule_ids(findings)
}

test_ctrl_006_does_not_fire_and_is_not_applicable_on_21vianet if {
	inp := audit(valid_configurations["21vianet"])
	findings := deny with input as inp
	notes := not_applicable with input as inp
	not "CTRL-006" in rule_ids(findings)
	"CTRL-006" in na_rules(notes)
}

test_ctrl_006_does_not_fire_when_the_partner_sells_no_azure if {
	inp := audit(patched("us-government", [
		{"op": "add", "path": "/portfolio", "value": {"azure": false}},
		{"op": "remove", "path": "/riskControls/spendingBudgets"},
	]))
	findings := deny with input as inp
	not "CTRL-006" in rule_ids(findings)
}

test_ctrl_006_is_applicable_in_germany if {
	notes := not_applicable with input as audit(valid_configurations.germany)
	not "CTRL-006" in na_rules(notes)
}

# CTRL-007

test_ctrl_007_fires_when_cadence_over_30_days if {
	inp := audit(patched("global", [{"op": "replace", "path": "/riskControls/activityLogReview/cadenceDays", "value": 31}]))
	findings := deny with input as inp
	fires(findings, "CTRL-007", ["riskControls", "activityLogReview", "cadenceDays"])
}

test_ctrl_007_fires_when_review_missing if {
	inp := audit(patched("21vianet", [{"op": "remove", "path": "/riskControls/activityLogReview"}]))
	findings := deny with input as inp
	fires(findings, "CTRL-007", ["riskControls", "activityLogReview", "cadenceDays"])
}

test_ctrl_007_does_not_fire_at_30_days if {
	inp := audit(patched("global", [{"op": "replace", "path": "/riskControls/activityLogReview/cadenceDays", "value": 30}]))
	findings := deny with input as inp
	not "CTRL-007" in rule_ids(findings)
}

# CTRL-008: one finding per high-risk instrument, at its index.

test_ctrl_008_fires_per_high_risk_instrument if {
	instruments := ["invoice", "gift-card", "credit-card", "cryptocurrency"]
	inp := audit(patched("global", [{"op": "replace", "path": "/riskControls/acceptedPaymentInstruments", "value": instruments}]))
	findings := deny with input as inp
	fires(findings, "CTRL-008", ["riskControls", "acceptedPaymentInstruments", 1])
	fires(findings, "CTRL-008", ["riskControls", "acceptedPaymentInstruments", 3])
	count({f | some f in findings; f.rule == "CTRL-008"}) == 2
}

test_ctrl_008_fires_on_cash_and_prepaid_card if {
	inp := audit(patched("21vianet", [{"op": "replace", "path": "/riskControls/acceptedPaymentInstruments", "value": ["cash", "prepaid-card"]}]))
	findings := deny with input as inp
	fires(findings, "CTRL-008", ["riskControls", "acceptedPaymentInstruments", 0])
	fires(findings, "CTRL-008", ["riskControls", "acceptedPaymentInstruments", 1])
}

test_ctrl_008_does_not_fire_on_traceable_instruments if {
	findings := deny with input as audit(valid_global)
	not "CTRL-008" in rule_ids(findings)
}

# CTRL-009

test_ctrl_009_fires_when_notification_owner_missing if {
	inp := audit(patched("global", [{"op": "remove", "path": "/riskControls/notificationHandling/owner"}]))
	findings := deny with input as inp
	fires(findings, "CTRL-009", ["riskControls", "notificationHandling", "owner"])
	not fires(findings, "CTRL-009", ["riskControls", "notificationHandling", "responseTimeHours"])
}

test_ctrl_009_fires_when_notification_response_time_missing if {
	inp := audit(patched("global", [{"op": "remove", "path": "/riskControls/notificationHandling/responseTimeHours"}]))
	findings := deny with input as inp
	fires(findings, "CTRL-009", ["riskControls", "notificationHandling", "responseTimeHours"])
}

test_ctrl_009_does_not_fire_with_owner_and_response_time if {
	findings := deny with input as audit(valid_global)
	not "CTRL-009" in rule_ids(findings)
}

# CTRL-010: Microsoft for global, US Government and Germany; 21Vianet there.

test_ctrl_010_fires_when_21vianet_partner_escalates_to_microsoft if {
	inp := audit(patched("21vianet", [{"op": "replace", "path": "/riskControls/fraudEscalation/target", "value": "microsoft"}]))
	findings := deny with input as inp
	fires(findings, "CTRL-010", ["riskControls", "fraudEscalation", "target"])
}

test_ctrl_010_fires_when_global_partner_escalates_to_21vianet if {
	inp := audit(patched("global", [{"op": "replace", "path": "/riskControls/fraudEscalation/target", "value": "21vianet"}]))
	findings := deny with input as inp
	fires(findings, "CTRL-010", ["riskControls", "fraudEscalation", "target"])
}

test_ctrl_010_fires_when_target_missing if {
	inp := audit(patched("germany", [{"op": "remove", "path": "/riskControls/fraudEscalation/target"}]))
	findings := deny with input as inp
	fires(findings, "CTRL-010", ["riskControls", "fraudEscalation", "target"])
}

test_ctrl_010_does_not_fire_when_21vianet_partner_escalates_to_21vianet if {
	findings := deny with input as audit(valid_configurations["21vianet"])
	not "CTRL-010" in rule_ids(findings)
}

test_ctrl_010_does_not_fire_when_global_partner_escalates_to_microsoft if {
	findings := deny with input as audit(valid_global)
	not "CTRL-010" in rule_ids(findings)
}

# CTRL-011

test_ctrl_011_fires_when_not_suspending_while_investigating if {
	inp := audit(patched("global", [{"op": "replace", "path": "/riskControls/fraudEscalation/suspendWhileInvestigating", "value": false}]))
	findings := deny with input as inp
	fires(findings, "CTRL-011", ["riskControls", "fraudEscalation", "suspendWhileInvestigating"])
}

test_ctrl_011_does_not_fire_when_suspending_while_investigating if {
	findings := deny with input as audit(valid_global)
	not "CTRL-011" in rule_ids(findings)
}

# CTRL-012: Germany was shut down on 2021-10-29.

test_ctrl_012_fires_on_germany_audited_after_the_shutdown if {
	findings := deny with input as {"configuration": valid_configurations.germany, "asOf": "2021-10-30T00:00:00Z"}
	fires(findings, "CTRL-012", ["cloud"])
}

test_ctrl_012_does_not_fire_on_germany_audited_before_the_shutdown if {
	findings := deny with input as {"configuration": valid_configurations.germany, "asOf": "2021-10-29T12:00:00Z"}
	not "CTRL-012" in rule_ids(findings)
}

test_ctrl_012_does_not_fire_in_other_clouds if {
	every cloud, cfg in valid_configurations {
		findings := deny with input as audit(cfg)
		outside_germany(cloud, findings)
	}
}

outside_germany(cloud, _) if cloud == "germany"

outside_germany(cloud, findings) if {
	cloud != "germany"
	not "CTRL-012" in rule_ids(findings)
}

test_ctrl_012_does_not_fire_without_an_audit_date if {
	inp := {"configuration": {"cloud": "germany"}}
	not "CTRL-012" in {f.rule | some f in deny with input as inp}
	{"rule": "CTRL-012", "msg": lib.no_audit_date} in not_applicable with input as inp
}
