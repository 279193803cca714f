package checker.lib

import rego.v1

test_ns_reads_dates_offsets_and_naive_partner_center_times if {
	ns("2026-06-30") == ns("2026-06-30T00:00:00Z")
	ns("2026-06-30T02:00:00+02:00") == ns("2026-06-30T00:00:00Z")
	ns("2026-06-29T19:00:00-05:00") == ns("2026-06-30T00:00:00Z")
	ns("2021-12-08T00:25:45.69") == ns("2021-12-08T00:25:45.69Z")
}

test_floor_of_rounds_down_on_both_sides_of_zero if {
	floor_of(-0.5) == -1
	floor_of(-1.5) == -2
	floor_of(0.5) == 0
	floor_of(2) == 2
}

test_days_since_counts_whole_days_and_is_negative_for_the_future if {
	days_since("2026-06-01") == 29 with input.asOf as "2026-06-30T00:00:00Z"
	days_since("2026-06-30T12:00:00Z") == -1 with input.asOf as "2026-06-30T00:00:00Z"
}

test_days_past_due_is_the_oldest_unpaid_invoice if {
	customer := {"receivables": {"invoices": [
		{"id": "paid", "dueDate": "2026-01-01", "amount": 10, "paidAmount": 10},
		{"id": "late", "dueDate": "2026-05-31", "amount": 10},
		{"id": "later", "dueDate": "2026-06-20", "amount": 10, "paidAmount": 5},
	]}}
	days_past_due(customer) == 30 with input.asOf as "2026-06-30T00:00:00Z"
	days_past_due({}) == 0 with input.asOf as "2026-06-30T00:00:00Z"
}

test_recent_cutoff_keeps_every_date_that_can_be_older_than_n_days if {
	recent_cutoff(30) == "2026-06-05" with input.asOf as "2026-06-30T00:00:00Z"
	recent_cutoff(30.5) == "2026-06-05" with input.asOf as "2026-06-30T00:00:00Z"
	recent_cutoff(-3) == "2026-07-08" with input.asOf as "2026-06-30T00:00:00Z"
	recent_cutoff(1000000) == "9999-99-99" with input.asOf as "2026-06-30T00:00:00Z"
	recent_cutoff("30") == "9999-99-99" with input.asOf as "2026-06-30T00:00:00Z"
	every d in ["2026-05-31", "2026-06-04", "2026-06-03T20:00:00-04:00"] {
		days_since(d) > 25 with input.asOf as "2026-06-30T00:00:00Z"
		d < recent_cutoff(25) with input.asOf as "2026-06-30T00:00:00Z"
	}
}

test_subscription_counts_count_every_kind if {
	customers := [
		{"subscriptions": [
			{"id": "a", "status": "active", "productType": {"id": "Azure"}},
			{"id": "b", "status": "active", "offerId": "CFQ7TTC0LH18:0001"},
		]},
		{"subscriptions": [{"id": "c", "status": "active", "offerId": "91fd106f-4b2c-4938-95ac-f54f74e9a239"}]},
		{},
	]
	subscription_counts(customers) == {"azure-plan": 1, "legacy": 1, "new-commerce": 1}
	subscription_counts([]) == {"azure-plan": 0, "legacy": 0, "new-commerce": 0}
}

# Counted as subscription_kind classifies, whatever fields a subscription lacks.
test_subscription_counts_agree_with_subscription_kind if {
	subs := [
		{"id": "a", "productType": {}, "offerId": "CFQ7TTC0LH18:0001"},
		{"id": "b", "productType": {"displayName": "x"}, "refundOptions": [{"type": "Full"}]},
		{"id": "c", "productType": {"id": "azure"}},
		{"id": "d", "productType": {"id": "OnlineServicesNCE"}},
		{"id": "e", "offerId": "91fd106f-4b2c-4938-95ac-f54f74e9a239"},
		{"id": "f"},
	]
	expected := {k: n | some k in subscription_kinds; n := count([1 | some s in subs; subscription_kind(s) == k])}
	subscription_counts([{"subscriptions": subs}]) == expected
	expected == {"azure-plan": 1, "legacy": 2, "new-commerce": 3}
}

test_sells_azure_follows_portfolio_else_the_cloud if {
	sells_azure({"cloud": "global"})
	not sells_azure({"cloud": "21vianet"})
	sells_azure({"cloud": "21vianet", "portfolio": {"azure": true}})
	not sells_azure({"cloud": "global", "portfolio": {"azure": false}})
}
