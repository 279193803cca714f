"""The stages of a check, in the order a run goes through them.

``sources`` (files and standard input to documents with their locations) -> ``validate``
(schemas) -> ``evaluate`` (policies, in batches, behind the engine protocol) -> ``settle``
(waivers and baseline) -> ``report``. Each takes what the one before returned, a frozen
value, and returns its own; ``checker.runner`` runs them in that order.
"""
