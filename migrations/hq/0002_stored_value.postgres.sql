-- Stored-value look-ups read the card's movements from hq_event until it has its own tables.
CREATE INDEX hq_event_card ON hq_event ((payload->>'card_no'))
    WHERE type IN ('stored_value.topup', 'stored_value.spend', 'stored_value.refund');
