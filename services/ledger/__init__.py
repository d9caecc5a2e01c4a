"""Store credit as a double-entry ledger."""
