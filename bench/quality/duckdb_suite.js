// The seed's three expectations as one hand-written DuckDB query.
const { DuckDBInstance } = require("@duckdb/node-api");
(async () => {
  const t0 = process.hrtime.bigint();
  const db = await DuckDBInstance.create(":memory:");
  const conn = await db.connect();
  const f = process.argv[2].replace(/'/g, "''");
  const r = await conn.runAndReadAll(`SELECT count(*) - count(feature_id),
      count(*) FILTER (WHERE normalized_value < 0 OR normalized_value > 1),
      count(*) FILTER (WHERE dup > 1)
    FROM (SELECT feature_id, normalized_value, count(sample_id) OVER (PARTITION BY sample_id) AS dup FROM read_csv('${f}'))`);
  console.error(`duckdb: ${JSON.stringify(r.getRows()[0].map(String))} in ${Number(process.hrtime.bigint() - t0) / 1e6} ms`);
})().catch((e) => { console.error(e.message); process.exit(1); });
