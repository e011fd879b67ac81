-- Personal API access tokens: a user's scripts and finance software call the
-- JSON API with "Authorization: Bearer vsn_…" and act as that user. Only the
-- SHA-256 (hex) of the secret is kept; a revoked or expired token keeps its
-- row for 90 days (the list and the audit log still name it), then the
-- hourly job deletes it (auth.PurgeTokens). last_used_at moves at most once
-- a minute.
CREATE TABLE api_tokens (
	id {{id}},
	user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	token_hash TEXT NOT NULL UNIQUE,
	name TEXT NOT NULL,
	scope TEXT NOT NULL CHECK (scope IN ('read', 'write')),
	created_at {{timestamp}} NOT NULL,
	expires_at {{timestamp}} NOT NULL,
	last_used_at {{timestamp}},
	revoked_at {{timestamp}}
);
-- split
CREATE INDEX api_tokens_user ON api_tokens (user_id, id);
