"""collect: validate each returned file, archive it, record it in the ledger."""
