-- The SQLite twin of 0002_stored_value.postgres.sql.
CREATE INDEX hq_event_card ON hq_event (json_extract(payload, '$.card_no'))
    WHERE type IN ('stored_value.topup', 'stored_value.spend', 'stored_value.refund');
