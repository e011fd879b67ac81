-- postgres only
-- Lighter writes for bookings and the audit log.
--
-- The audit log's hash had a unique index that nothing reads: the chain is
-- checked by recomputing it in id order (`voisines audit verify`), and a
-- hash is a SHA-256 of its record and the previous hash. Each record went
-- into a random page of that index, one more page written per record.
--
-- On SQLite the slot table keeps its rows in its primary key (equipment,
-- quarter) instead of in a rowid table beside it: one tree less to write
-- for each quarter hour booked. PostgreSQL has no such option, nor needs it.
ALTER TABLE audit_log DROP CONSTRAINT audit_log_hash_key;
-- split
-- sqlite only
CREATE TABLE audit_log_new (
	id {{id}},
	at {{timestamp}} NOT NULL,
	actor_user_id BIGINT,
	actor TEXT NOT NULL,
	org_id BIGINT,
	action TEXT NOT NULL,
	entity TEXT NOT NULL,
	entity_id TEXT NOT NULL,
	detail TEXT NOT NULL,
	prev_hash TEXT NOT NULL,
	hash TEXT NOT NULL
);
-- split
-- sqlite only
INSERT INTO audit_log_new (id, at, actor_user_id, actor, org_id, action, entity, entity_id, detail, prev_hash, hash)
	SELECT id, at, actor_user_id, actor, org_id, action, entity, entity_id, detail, prev_hash, hash FROM audit_log;
-- split
-- sqlite only
DROP TABLE audit_log;
-- split
-- sqlite only
ALTER TABLE audit_log_new RENAME TO audit_log;
-- split
-- sqlite only
CREATE INDEX audit_log_org ON audit_log (org_id, id);
-- split
-- sqlite only
CREATE INDEX audit_log_entity ON audit_log (entity, entity_id);
-- split
-- sqlite only
CREATE TABLE booking_slots_new (
	equipment_id BIGINT NOT NULL REFERENCES equipment (id),
	quarter BIGINT NOT NULL,
	booking_id BIGINT NOT NULL REFERENCES bookings (id) ON DELETE CASCADE,
	PRIMARY KEY (equipment_id, quarter)
) WITHOUT ROWID;
-- split
-- sqlite only
INSERT INTO booking_slots_new (equipment_id, quarter, booking_id)
	SELECT equipment_id, quarter, booking_id FROM booking_slots;
-- split
-- sqlite only
DROP TABLE booking_slots;
-- split
-- sqlite only
ALTER TABLE booking_slots_new RENAME TO booking_slots;
-- split
-- sqlite only
CREATE INDEX booking_slots_booking ON booking_slots (booking_id);
