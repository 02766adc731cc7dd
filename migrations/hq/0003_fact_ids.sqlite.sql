-- The SQLite twin of 0003_fact_ids.postgres.sql.
DROP INDEX hq_sale_sale_id;
CREATE UNIQUE INDEX hq_sale_sale_id ON hq_sale (sale_id);
CREATE UNIQUE INDEX hq_event_return_id ON hq_event (json_extract(payload, '$.return_id'))
    WHERE type = 'return.completed';
