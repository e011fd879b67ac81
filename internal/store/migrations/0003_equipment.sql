-- Shared equipment (issue 5): the catalogue, bookings without double
-- booking, recurring series, calendar feeds, usage records for the financial
-- engine, and biens indivis. Type words in {{…}} are spelled per engine by
-- store.typeWords; statements are separated by "-- split" lines. Instants
-- are UTC; civil dates are ISO text ("2026-04-30") on both engines.

-- One piece of equipment or premises, owned by one organisation. Tariffs are
-- cents per unit of use for each category of requester; NULL means "no
-- published tariff for this category". approval says how a request becomes
-- approved: 'manual' (by the owner's managers), 'convention' (automatically
-- when made under a covering convention), 'automatic' (always).
CREATE TABLE equipment (
	id {{id}},
	owner_org_id BIGINT NOT NULL REFERENCES organisations (id),
	name TEXT NOT NULL,
	kind TEXT NOT NULL CHECK (kind IN ('hall', 'gym', 'pool', 'stadium', 'stage', 'vehicle', 'machine',
		'room', 'land', 'other')),
	description TEXT NOT NULL DEFAULT '',
	capacity INTEGER NOT NULL DEFAULT 0 CHECK (capacity >= 0),
	commune_code TEXT REFERENCES communes (code),
	address TEXT NOT NULL DEFAULT '',
	lat {{float}},
	lon {{float}},
	accessibility TEXT NOT NULL DEFAULT '',
	rules TEXT NOT NULL DEFAULT '',
	unit TEXT NOT NULL CHECK (unit IN ('hour', 'half_day', 'day')),
	tariff_own BIGINT CHECK (tariff_own >= 0),
	tariff_convention BIGINT CHECK (tariff_convention >= 0),
	tariff_other_commune BIGINT CHECK (tariff_other_commune >= 0),
	tariff_association BIGINT CHECK (tariff_association >= 0),
	approval TEXT NOT NULL DEFAULT 'manual' CHECK (approval IN ('manual', 'convention', 'automatic')),
	active {{bool}} NOT NULL DEFAULT TRUE,
	version BIGINT NOT NULL DEFAULT 1,
	created_at {{timestamp}} NOT NULL,
	updated_at {{timestamp}} NOT NULL,
	UNIQUE (owner_org_id, name)
);
-- split
CREATE INDEX equipment_kind ON equipment (kind, commune_code);
-- split
CREATE INDEX equipment_commune ON equipment (commune_code);
-- split
-- A weekly series of bookings made in one request (a club's training slot
-- over a school year). rule is the JSON of equipment.SeriesRule, kept to
-- show what was asked; the occurrences are ordinary rows of bookings.
CREATE TABLE booking_series (
	id {{id}},
	equipment_id BIGINT NOT NULL REFERENCES equipment (id),
	requester_org_id BIGINT NOT NULL REFERENCES organisations (id),
	rule TEXT NOT NULL,
	created_by BIGINT REFERENCES users (id) ON DELETE SET NULL,
	created_at {{timestamp}} NOT NULL
);
-- split
-- Bookings and blackouts (kind 'blackout': closure or maintenance decided
-- by the owner) of one equipment, as half-open UTC intervals [starts_at,
-- ends_at) on the quarter-hour grid. status: 'requested' (pending, holds
-- its slot), 'approved', 'refused', 'cancelled'. uncovered flags a use
-- between two public authorities with no covering convention (CGCT
-- L1311-15). checked_in_at/checked_out_at record the real use;
-- usage_version is the version last turned into a usage record.
CREATE TABLE bookings (
	id {{id}},
	equipment_id BIGINT NOT NULL REFERENCES equipment (id),
	kind TEXT NOT NULL CHECK (kind IN ('booking', 'blackout')),
	requester_org_id BIGINT NOT NULL REFERENCES organisations (id),
	agreement_id BIGINT REFERENCES agreements (id),
	series_id BIGINT REFERENCES booking_series (id),
	starts_at {{timestamp}} NOT NULL,
	ends_at {{timestamp}} NOT NULL,
	status TEXT NOT NULL CHECK (status IN ('requested', 'approved', 'refused', 'cancelled')),
	purpose TEXT NOT NULL DEFAULT '',
	uncovered {{bool}} NOT NULL DEFAULT FALSE,
	requested_by BIGINT REFERENCES users (id) ON DELETE SET NULL,
	requested_by_name TEXT NOT NULL,
	decided_by_name TEXT NOT NULL DEFAULT '',
	decided_at {{timestamp}},
	decision_note TEXT NOT NULL DEFAULT '',
	cancelled_by_name TEXT NOT NULL DEFAULT '',
	cancelled_at {{timestamp}},
	cancel_reason TEXT NOT NULL DEFAULT '',
	checked_in_at {{timestamp}},
	checked_out_at {{timestamp}},
	usage_version BIGINT,
	version BIGINT NOT NULL DEFAULT 1,
	created_at {{timestamp}} NOT NULL,
	updated_at {{timestamp}} NOT NULL,
	CHECK (ends_at > starts_at)
);
-- split
CREATE INDEX bookings_equipment_time ON bookings (equipment_id, starts_at);
-- split
CREATE INDEX bookings_requester ON bookings (requester_org_id, starts_at);
-- split
CREATE INDEX bookings_status ON bookings (status, ends_at);
-- split
CREATE INDEX bookings_series ON bookings (series_id) WHERE series_id IS NOT NULL;
-- split
-- The database's guarantee against double booking, the same on both
-- engines: every active booking or blackout (status 'requested' or
-- 'approved') holds one row per quarter hour it covers, and the primary key
-- lets one quarter of one equipment be held once. quarter is the number of
-- the quarter hour since 1970-01-01T00:00Z (Unix time / 900). Half-open
-- intervals touch without sharing a quarter, so 10:00–12:00 and
-- 12:00–14:00 both stand. Rows are inserted with their booking and deleted
-- when it is refused or cancelled, in the same transaction.
CREATE TABLE booking_slots (
	equipment_id BIGINT NOT NULL REFERENCES equipment (id),
	quarter BIGINT NOT NULL,
	booking_id BIGINT NOT NULL REFERENCES bookings (id) ON DELETE CASCADE,
	PRIMARY KEY (equipment_id, quarter)
);
-- split
CREATE INDEX booking_slots_booking ON booking_slots (booking_id);
-- split
-- Change history of bookings after their creation (which the booking row
-- itself records): who did what, when and why. The audit log keeps the
-- same facts hash-chained; this table is what the booking's page shows.
CREATE TABLE booking_events (
	id {{id}},
	booking_id BIGINT NOT NULL REFERENCES bookings (id) ON DELETE CASCADE,
	at {{timestamp}} NOT NULL,
	actor TEXT NOT NULL,
	action TEXT NOT NULL,
	detail TEXT NOT NULL DEFAULT ''
);
-- split
CREATE INDEX booking_events_booking ON booking_events (booking_id, id);
-- split
-- Secret calendar feeds (iCalendar, RFC 5545): one per equipment (for its
-- owner) or per organisation (its own bookings). Only the SHA-256 (hex) of
-- the random token is kept; a revoked feed answers 404.
CREATE TABLE calendar_feeds (
	id {{id}},
	token_hash TEXT NOT NULL UNIQUE,
	scope TEXT NOT NULL CHECK (scope IN ('equipment', 'organisation')),
	equipment_id BIGINT REFERENCES equipment (id),
	org_id BIGINT NOT NULL REFERENCES organisations (id),
	label TEXT NOT NULL DEFAULT '',
	created_by_name TEXT NOT NULL,
	created_at {{timestamp}} NOT NULL,
	revoked_at {{timestamp}},
	revoked_by_name TEXT NOT NULL DEFAULT '',
	CHECK ((scope = 'equipment') = (equipment_id IS NOT NULL))
);
-- split
CREATE INDEX calendar_feeds_org ON calendar_feeds (org_id);
-- split
-- Usage records: what one organisation used of another's equipment or
-- service, read by the financial engine for L1311-15 participations and
-- usage keys. quantity_milli is the quantity in thousandths of unit (1 h 30
-- in hours is 1500), so that sums are exact integers on both engines.
-- (source_kind, source_ref) names the record's origin once: a booking
-- yields one record, updated when its real use changes.
CREATE TABLE usage_records (
	id {{id}},
	provider_org_id BIGINT NOT NULL REFERENCES organisations (id),
	user_org_id BIGINT NOT NULL REFERENCES organisations (id),
	agreement_id BIGINT REFERENCES agreements (id),
	source_kind TEXT NOT NULL CHECK (source_kind IN ('booking', 'service', 'manual', 'import')),
	source_ref TEXT NOT NULL,
	subject TEXT NOT NULL DEFAULT '',
	unit TEXT NOT NULL,
	quantity_milli BIGINT NOT NULL CHECK (quantity_milli >= 0),
	act_type TEXT NOT NULL DEFAULT '',
	occurred_on TEXT NOT NULL,
	note TEXT NOT NULL DEFAULT '',
	created_at {{timestamp}} NOT NULL,
	updated_at {{timestamp}} NOT NULL,
	UNIQUE (source_kind, source_ref)
);
-- split
CREATE INDEX usage_records_agreement ON usage_records (agreement_id, occurred_on);
-- split
CREATE INDEX usage_records_provider ON usage_records (provider_org_id, occurred_on);
-- split
CREATE INDEX usage_records_user ON usage_records (user_org_id, occurred_on);
-- split
-- Biens indivis (CGCT L5222-1 ff.): property held undivided by several
-- communes, managed by a commission syndicale (an organisation of kind
-- commission_syndicale).
CREATE TABLE undivided_properties (
	id {{id}},
	commission_org_id BIGINT NOT NULL REFERENCES organisations (id),
	name TEXT NOT NULL,
	description TEXT NOT NULL DEFAULT '',
	agreement_id BIGINT REFERENCES agreements (id),
	version BIGINT NOT NULL DEFAULT 1,
	created_at {{timestamp}} NOT NULL,
	updated_at {{timestamp}} NOT NULL,
	UNIQUE (commission_org_id, name)
);
-- split
-- Each co-owner's exact share (quote-part) from the titles, as a fraction
-- num/den; the shares of a property sum to exactly 1 (checked by the domain
-- in the transaction that writes them). position is the order of the titles,
-- the allocation's last tie-break.
CREATE TABLE undivided_shares (
	property_id BIGINT NOT NULL REFERENCES undivided_properties (id) ON DELETE CASCADE,
	org_id BIGINT NOT NULL REFERENCES organisations (id),
	position INTEGER NOT NULL,
	share_num BIGINT NOT NULL CHECK (share_num > 0),
	share_den BIGINT NOT NULL CHECK (share_den > 0),
	title TEXT NOT NULL DEFAULT '',
	PRIMARY KEY (property_id, org_id)
);
-- split
-- The commission's yearly receipts and expenses, in cents.
CREATE TABLE undivided_accounts (
	property_id BIGINT NOT NULL REFERENCES undivided_properties (id) ON DELETE CASCADE,
	year INTEGER NOT NULL,
	receipts BIGINT NOT NULL CHECK (receipts >= 0),
	expenses BIGINT NOT NULL CHECK (expenses >= 0),
	note TEXT NOT NULL DEFAULT '',
	recorded_by_name TEXT NOT NULL,
	recorded_at {{timestamp}} NOT NULL,
	PRIMARY KEY (property_id, year)
);
