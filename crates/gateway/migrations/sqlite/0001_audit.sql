-- The audit trail: one intent row per operation attempt, committed before
-- anything is forwarded, and at most one outcome row per intent, appended
-- after the answer. Nothing is ever updated; only retention deletes.
CREATE TABLE audit_intents (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    at_ms         INTEGER NOT NULL,
    -- After this, an intent without an outcome can no longer be in flight
    -- (the gateway's total timeout has passed): its outcome is unknown.
    deadline_ms   INTEGER NOT NULL,
    operator      TEXT    NOT NULL,
    email         TEXT,
    roles         TEXT    NOT NULL,
    source        TEXT    NOT NULL,
    user_agent    TEXT,
    execution_id  TEXT,
    document_id   TEXT,
    operation     TEXT    NOT NULL,
    reason        TEXT,
    request_id    TEXT    NOT NULL,
    gateway       TEXT    NOT NULL
);
CREATE INDEX audit_intents_by_execution ON audit_intents (execution_id, id);
CREATE INDEX audit_intents_by_operator ON audit_intents (operator, id);
CREATE INDEX audit_intents_by_time ON audit_intents (at_ms);

CREATE TABLE audit_outcomes (
    intent_id            INTEGER PRIMARY KEY REFERENCES audit_intents (id),
    outcome              TEXT    NOT NULL CHECK (outcome IN ('succeeded', 'failed', 'refused', 'unknown')),
    http_status          INTEGER,
    error_code           TEXT,
    error_msg            TEXT,
    upstream_request_id  TEXT,
    new_execution_id     TEXT,
    latency_ms           INTEGER,
    finished_ms          INTEGER NOT NULL
);

CREATE TRIGGER audit_intents_append_only BEFORE UPDATE ON audit_intents
BEGIN SELECT RAISE(ABORT, 'audit records are append-only'); END;
CREATE TRIGGER audit_outcomes_append_only BEFORE UPDATE ON audit_outcomes
BEGIN SELECT RAISE(ABORT, 'audit records are append-only'); END;
