"""Members' points and coupons at HQ, one account across stores and the online channel: ledgers
like stored value's (hq/storage/ledger.py), fed by the stores' facts and by the channel."""
