import type { DatabaseSync } from "node:sqlite";

/** Bumped whenever the tables change; stored in `PRAGMA user_version`. */
export const SCHEMA_VERSION = 1;

/**
 * One row per actor (index, creation input and state together: one write per commit) and
 * one per scheduled event. Events go with their actor (`ON DELETE CASCADE`).
 */
const V1 = `
CREATE TABLE IF NOT EXISTS actors (
  actor_id   TEXT PRIMARY KEY,
  name       TEXT NOT NULL,
  key_json   TEXT NOT NULL,
  index_key  TEXT NOT NULL UNIQUE,
  created_at INTEGER NOT NULL,
  input      TEXT,
  state      TEXT
);
CREATE INDEX IF NOT EXISTS actors_by_name ON actors (name);
CREATE TABLE IF NOT EXISTS events (
  event_id TEXT PRIMARY KEY,
  actor_id TEXT NOT NULL REFERENCES actors (actor_id) ON DELETE CASCADE,
  at       INTEGER NOT NULL,
  action   TEXT NOT NULL,
  args     TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS events_by_time ON events (at);
CREATE INDEX IF NOT EXISTS events_by_actor ON events (actor_id);
`;

/** Creates or upgrades the tables; refuses a database written by a newer Troupe. */
export function migrate(db: DatabaseSync): void {
  const { user_version: version } = db.prepare("PRAGMA user_version").get() as { user_version: number };
  if (version > SCHEMA_VERSION) {
    throw new Error(
      `The Troupe database has schema version ${version}, newer than this @troupe/node understands (${SCHEMA_VERSION}). Upgrade @troupe/node.`,
    );
  }
  if (version === SCHEMA_VERSION) return;
  db.exec("BEGIN IMMEDIATE");
  try {
    db.exec(V1);
    db.exec(`PRAGMA user_version = ${SCHEMA_VERSION}`);
    db.exec("COMMIT");
  } catch (err) {
    db.exec("ROLLBACK");
    throw err;
  }
}
