"""What a run costs: the published prices of each processing path and the billing rules
(minimums, free allowances) that turn measured use into dollars.

One price table per region (``prices``); routing's thresholds (modules/orchestrator
README "Routing") and, later, the per-execution cost metric read it from here.
"""
