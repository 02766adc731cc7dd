"""HQ reconciliation (对账): the providers' and the card acquirer's daily settlement files, imported
whole or not at all (`files.py`, `tables.py`), matched against what the stores told HQ — sale
tenders and confirmed refunds — by out_trade_no, out_refund_no and the card terminal's reference
(`report.py`)."""
