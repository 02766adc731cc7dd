-- Fact ids are unique at HQ: a sale or a return sent again under another seq (a replay or a
-- forgery) is dead-lettered as duplicate_fact, never stored twice. A database holding such
-- duplicates from before must have them removed (see docs/security.md) before this applies.
DROP INDEX hq_sale_sale_id;
CREATE UNIQUE INDEX hq_sale_sale_id ON hq_sale (sale_id);
CREATE UNIQUE INDEX hq_event_return_id ON hq_event ((payload->>'return_id'))
    WHERE type = 'return.completed';
