-- Product search (edge/catalog/search.py): pinyin initials per product (农夫山泉 → nfsq) and a
-- trigram index of the names, both kept by refresh_index after every catalog change.
CREATE TABLE product_search (
    sku      TEXT PRIMARY KEY REFERENCES product (sku) ON DELETE CASCADE,
    name_zh  TEXT NOT NULL,   -- the name the initials were made from: stale when it differs
    name_en  TEXT NOT NULL,
    initials TEXT NOT NULL
);
CREATE INDEX product_search_initials ON product_search (initials);

CREATE VIRTUAL TABLE product_name_fts USING fts5 (sku UNINDEXED, name_zh, name_en,
                                                  tokenize = 'trigram');
