-- Foundation: the official territory (COG), geography, organisations, people,
-- sessions and the audit log. Type words in {{…}} are spelled per engine by
-- store.typeWords; statements are separated by "-- split" lines.

CREATE TABLE regions (
	code TEXT PRIMARY KEY,
	name TEXT NOT NULL,
	chef_lieu TEXT NOT NULL DEFAULT '',
	zone TEXT NOT NULL DEFAULT ''
);
-- split
CREATE TABLE departements (
	code TEXT PRIMARY KEY,
	name TEXT NOT NULL,
	region_code TEXT NOT NULL DEFAULT '',
	chef_lieu TEXT NOT NULL DEFAULT '',
	zone TEXT NOT NULL DEFAULT ''
);
-- split
-- EPCI à fiscalité propre (CC, CA, CU, METRO, MET69). Populations as published in
-- epci.json, with their source and vintage.
CREATE TABLE epcis (
	siren TEXT PRIMARY KEY,
	name TEXT NOT NULL,
	type TEXT NOT NULL,
	financing TEXT NOT NULL,
	population_municipale BIGINT,
	population_totale BIGINT,
	population_source TEXT NOT NULL DEFAULT '',
	population_vintage TEXT NOT NULL DEFAULT '',
	-- retired: no longer in the latest imported COG (merged or dissolved); kept
	-- because organisations and agreements may still refer to it.
	retired {{bool}} NOT NULL DEFAULT FALSE
);
-- split
-- Current communes of the official geographic code. lat/lon (WGS84) are filled by
-- the geography import; epci_siren is the EPCI à fiscalité propre the commune is a
-- member of (a few islands have none). search_name is the name folded for search
-- (lower case, no accents, punctuation as spaces). retired: no longer in the latest
-- imported COG (merged into a commune nouvelle); kept because organisations and
-- agreements may still refer to it.
CREATE TABLE communes (
	code TEXT PRIMARY KEY,
	name TEXT NOT NULL,
	search_name TEXT NOT NULL DEFAULT '',
	siren TEXT UNIQUE,
	departement_code TEXT NOT NULL,
	region_code TEXT NOT NULL DEFAULT '',
	arrondissement TEXT NOT NULL DEFAULT '',
	zone TEXT NOT NULL DEFAULT '',
	postal_codes TEXT NOT NULL DEFAULT '',
	epci_siren TEXT REFERENCES epcis (siren),
	alsace_moselle {{bool}} NOT NULL DEFAULT FALSE,
	retired {{bool}} NOT NULL DEFAULT FALSE,
	lat {{float}},
	lon {{float}}
);
-- split
CREATE INDEX communes_departement ON communes (departement_code);
-- split
CREATE INDEX communes_epci ON communes (epci_siren);
-- split
-- Every population figure is kept with what it measures (municipale, totale, dgf),
-- where it comes from and its vintage: figures of different sources are never mixed.
CREATE TABLE commune_populations (
	commune_code TEXT NOT NULL REFERENCES communes (code),
	measure TEXT NOT NULL CHECK (measure IN ('municipale', 'totale', 'dgf')),
	source TEXT NOT NULL,
	vintage TEXT NOT NULL,
	value BIGINT NOT NULL CHECK (value >= 0),
	PRIMARY KEY (commune_code, measure, source)
);
-- split
-- Pairs of communes sharing a border (code_a < code_b), border length in metres.
CREATE TABLE commune_adjacency (
	code_a TEXT NOT NULL REFERENCES communes (code),
	code_b TEXT NOT NULL REFERENCES communes (code),
	border_m BIGINT NOT NULL DEFAULT 0,
	PRIMARY KEY (code_a, code_b),
	CHECK (code_a < code_b)
);
-- split
CREATE INDEX commune_adjacency_b ON commune_adjacency (code_b);
-- split
CREATE TABLE import_runs (
	id {{id}},
	kind TEXT NOT NULL,
	source TEXT NOT NULL,
	summary TEXT NOT NULL,
	started_at {{timestamp}} NOT NULL,
	finished_at {{timestamp}} NOT NULL
);
-- split
-- Organisations act in Voisines: every commune and EPCI of the territory, and
-- the syndicats, commissions syndicales, départements, attached public bodies
-- and associations created by users.
CREATE TABLE organisations (
	id {{id}},
	kind TEXT NOT NULL CHECK (kind IN ('commune', 'epci', 'syndicat_communes', 'syndicat_mixte',
		'commission_syndicale', 'departement', 'region', 'epa_rattache', 'association', 'organisme_prive')),
	name TEXT NOT NULL,
	siren TEXT UNIQUE,
	commune_code TEXT UNIQUE REFERENCES communes (code),
	epci_siren TEXT UNIQUE REFERENCES epcis (siren),
	departement_code TEXT NOT NULL DEFAULT '',
	-- Public contact details, kept up to date by the organisation itself.
	address TEXT NOT NULL DEFAULT '',
	email TEXT NOT NULL DEFAULT '',
	phone TEXT NOT NULL DEFAULT '',
	website TEXT NOT NULL DEFAULT '',
	representative TEXT NOT NULL DEFAULT '',
	-- version increases on every change; an update naming an older version is refused.
	version BIGINT NOT NULL DEFAULT 1,
	created_at {{timestamp}} NOT NULL,
	updated_at {{timestamp}} NOT NULL
);
-- split
CREATE INDEX organisations_name ON organisations (name);
-- split
CREATE INDEX organisations_kind ON organisations (kind, departement_code);
-- split
-- email is stored in lower case (auth normalises it), so UNIQUE is case-blind.
CREATE TABLE users (
	id {{id}},
	email TEXT NOT NULL UNIQUE,
	name TEXT NOT NULL,
	password_hash TEXT NOT NULL,
	platform_admin {{bool}} NOT NULL DEFAULT FALSE,
	disabled {{bool}} NOT NULL DEFAULT FALSE,
	created_at {{timestamp}} NOT NULL
);
-- split
CREATE TABLE memberships (
	user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	org_id BIGINT NOT NULL REFERENCES organisations (id),
	role TEXT NOT NULL CHECK (role IN ('admin', 'clerk', 'elected', 'readonly')),
	PRIMARY KEY (user_id, org_id)
);
-- split
CREATE INDEX memberships_org ON memberships (org_id);
-- split
-- Sessions live in the database so that any serve instance can answer any
-- request. Only a hash of the cookie value is stored.
CREATE TABLE sessions (
	token_hash TEXT PRIMARY KEY,
	user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	csrf_token TEXT NOT NULL,
	created_at {{timestamp}} NOT NULL,
	expires_at {{timestamp}} NOT NULL,
	last_seen_at {{timestamp}} NOT NULL
);
-- split
CREATE INDEX sessions_user ON sessions (user_id);
-- split
CREATE INDEX sessions_expires ON sessions (expires_at);
-- split
-- Login attempts, for throttling across instances: one row per attempt and key
-- ("email:…" and "client:…"); rows older than a day are pruned.
CREATE TABLE login_attempts (
	id {{id}},
	key TEXT NOT NULL,
	at {{timestamp}} NOT NULL,
	success {{bool}} NOT NULL
);
-- split
CREATE INDEX login_attempts_key ON login_attempts (key, at);
-- split
CREATE INDEX login_attempts_at ON login_attempts (at);
-- split
-- Append-only audit log; each record's hash covers its content and the previous
-- record's hash, so that `voisines audit verify` detects any change or deletion.
CREATE TABLE audit_log (
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
	hash TEXT NOT NULL UNIQUE
);
-- split
CREATE INDEX audit_log_org ON audit_log (org_id, id);
-- split
-- The audit log's checkpoint: the last record's id and hash, updated with every
-- record, so that deleting records from the end of the log is detected too.
CREATE TABLE audit_checkpoint (
	id INTEGER PRIMARY KEY CHECK (id = 1),
	last_id BIGINT NOT NULL,
	last_hash TEXT NOT NULL,
	updated_at {{timestamp}} NOT NULL
);
