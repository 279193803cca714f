package checker.configuration.credit

import data.checker.configuration.collections as fixtures
import rego.v1

# The valid per-cloud configurations and helpers are shared with the other
# configuration tests; see collections_test.rego.
valid_configurations := fixtures.valid_configurations

audit(cfg) := fixtures.audit(cfg)

patched(cloud, patch) := fixtures.patched(cloud, patch)

fires(findings, rule, path) if fixtures.fires(findings, rule, path)

rule_ids(findings) := fixtures.rule_ids(findings)

test_valid_configurations_have_no_credit_findings if {
	every cfg in valid_configurations {
		count(deny) == 0 with input as audit(cfg)
	}
}

test_cred_001_fires_when_approval_threshold_missing if {
	inp := audit(patched("global", [{"op": "remove", "path": "/creditPolicy/approvalRequiredAbove"}]))
	findings := deny with input as inp
	fires(findings, "CRED-001", ["creditPolicy", "approvalRequiredAbove"])
	not "CRED-002" in rule_ids(findings)
}

test_cred_001_does_not_fire_when_threshold_is_zero if {
	inp := audit(patched("global", [{"op": "replace", "path": "/creditPolicy/approvalRequiredAbove", "value": 0}]))
	findings := deny with input as inp
	not "CRED-001" in rule_ids(findings)
}

test_cred_002_fires_when_credit_check_age_missing if {
	inp := audit(patched("21vianet", [{"op": "remove", "path": "/creditPolicy/maxCreditCheckAgeDays"}]))
	findings := deny with input as inp
	fires(findings, "CRED-002", ["creditPolicy", "maxCreditCheckAgeDays"])
}

test_cred_002_does_not_fire_when_credit_check_age_set if {
	findings := deny with input as audit(valid_configurations["21vianet"])
	not "CRED-002" in rule_ids(findings)
}

test_cred_003_fires_when_past_due_limit_missing if {
	inp := audit(patched("germany", [{"op": "remove", "path": "/creditPolicy/noNewCreditPastDueDays"}]))
	findings := deny with input as inp
	fires(findings, "CRED-003", ["creditPolicy", "noNewCreditPastDueDays"])
}

test_cred_003_does_not_fire_when_past_due_limit_is_zero if {
	inp := audit(patched("global", [{"op": "replace", "path": "/creditPolicy/noNewCreditPastDueDays", "value": 0}]))
	findings := deny with input as inp
	not "CRED-003" in rule_ids(findings)
}

test_cred_001_fires_with_cred_002_and_cred_003_when_credit_policy_missing if {
	inp := audit(patched("us-government", [{"op": "remove", "path": "/creditPolicy"}]))
	findings := deny with input as inp
	fires(findings, "CRED-001", ["creditPolicy", "approvalRequiredAbove"])
	fires(findings, "CRED-002", ["creditPolicy", "maxCreditCheckAgeDays"])
	fires(findings, "CRED-003", ["creditPolicy", "noNewCreditPastDueDays"])
}
