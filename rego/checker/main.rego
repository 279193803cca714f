# The two entry points checker queries. Every package directly under
# checker.configuration or checker.accounts takes part without being
# registered: built-in rules and a partner's own --policy rules alike.
package checker.main

import rego.v1

# Evaluated once per PartnerConfiguration, with input
# {"configuration": <document>, "asOf": <date-time>}.
configuration := {
	"deny": {f | some f in data.checker.configuration[_].deny},
	"not_applicable": {n | some n in data.checker.configuration[_].not_applicable},
}

# Evaluated per batch of an AccountSnapshot's customers, with input
# {"configuration": <the partner's configuration>, "snapshot": <the snapshot
# with a batch of its customers>, "asOf": <date-time>}.
# "subscriptions" counts the batch's subscriptions per kind (azure-plan,
# legacy, new-commerce) for the report.
accounts := {
	"deny": {f | some f in data.checker.accounts[_].deny},
	"not_applicable": {n | some n in data.checker.accounts[_].not_applicable},
	"subscriptions": data.checker.lib.subscription_counts(input.snapshot.customers),
}
