"""Protected learning time: each organisation's policy, entitlements pro rata, time requests, the ledger and
the manager's team view (PRODUCT.md: "managers tracking protected learning time")."""
