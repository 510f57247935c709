"""Workforce metrics against the strategy: plans, actions and indicators as data, every metric of METRICS.md
computed in SQL, the leads' dashboard and the shared learning needs (PRODUCT.md: "see workforce metrics
against the strategy's actions")."""
