"""Card identity: the ledger, matching clusters to published cards, the primary member, and change decisions."""
