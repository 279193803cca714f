"""Tests of the policy engines against each other and against real OPA processes."""
