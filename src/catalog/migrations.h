// The catalog's schema, as numbered migrations applied in order on open. A migration is
// never edited once released: a change is a new migration. The SQL is portable (SQLite
// and PostgreSQL): no AUTOINCREMENT, no SQLite-only types or functions.
#pragma once

#include <array>
#include <string_view>

namespace strata::catalog {

struct Migration {
  int version;
  std::string_view sql;
};

inline constexpr std::array<Migration, 2> kMigrations{{
    {1, R"sql(
CREATE TABLE runs (
  run_id TEXT PRIMARY KEY,
  pipeline TEXT NOT NULL,
  pipeline_file TEXT NOT NULL,
  status TEXT NOT NULL,
  started_ms BIGINT NOT NULL,
  ended_ms BIGINT NOT NULL,
  params_json TEXT NOT NULL,
  host TEXT NOT NULL,
  pid BIGINT NOT NULL,
  error TEXT NOT NULL,
  resumed_from TEXT NOT NULL
);
CREATE INDEX runs_by_pipeline ON runs (pipeline, started_ms);
CREATE INDEX runs_by_start ON runs (started_ms);
CREATE TABLE step_runs (
  run_id TEXT NOT NULL,
  step TEXT NOT NULL,
  seq BIGINT NOT NULL,
  kind TEXT NOT NULL,
  status TEXT NOT NULL,
  started_ms BIGINT NOT NULL,
  ended_ms BIGINT NOT NULL,
  attempts INTEGER NOT NULL,
  rows_out BIGINT NOT NULL,
  bytes_out BIGINT NOT NULL,
  error TEXT NOT NULL,
  fingerprint TEXT NOT NULL,
  output TEXT NOT NULL,
  log TEXT NOT NULL,
  PRIMARY KEY (run_id, step)
);
CREATE INDEX step_runs_by_fingerprint ON step_runs (step, fingerprint);
CREATE TABLE step_data (
  run_id TEXT NOT NULL,
  step TEXT NOT NULL,
  direction TEXT NOT NULL,
  seq INTEGER NOT NULL,
  kind TEXT NOT NULL,
  name TEXT NOT NULL,
  version BIGINT NOT NULL,
  hash TEXT NOT NULL,
  row_count BIGINT NOT NULL,
  bytes BIGINT NOT NULL,
  PRIMARY KEY (run_id, step, direction, seq)
);
CREATE TABLE file_hashes (
  path TEXT PRIMARY KEY,
  size BIGINT NOT NULL,
  mtime_ns BIGINT NOT NULL,
  hash TEXT NOT NULL
);
)sql"},
    {2, R"sql(
CREATE TABLE stream_batches (
  stream TEXT NOT NULL,
  topic TEXT NOT NULL,
  kafka_partition INTEGER NOT NULL,
  first_offset BIGINT NOT NULL,
  last_offset BIGINT NOT NULL,
  messages BIGINT NOT NULL,
  table_version BIGINT NOT NULL,
  committed_ms BIGINT NOT NULL,
  PRIMARY KEY (stream, topic, kafka_partition)
);
)sql"},
}};

}  // namespace strata::catalog
