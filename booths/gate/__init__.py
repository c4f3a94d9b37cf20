"""The gate: passes (codes, issuing, revoking), their printed cards, and check-in at the gate."""
