"""Stock at HQ (进销存): each store's movements as its terminals report them, on-hand per store
and SKU kept in the ingest transaction, and the check that HQ's copy equals each terminal's ledger."""
