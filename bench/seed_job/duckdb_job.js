// The seed's job as one hand-written DuckDB query (@duckdb/node-api).
// Usage: node duckdb_job.js EVENTS.csv [OUT.csv]
const { DuckDBInstance } = require("@duckdb/node-api");
const fs = require("fs");
(async () => {
  const [file, out] = process.argv.slice(2);
  const t0 = process.hrtime.bigint();
  const db = await DuckDBInstance.create(":memory:");
  const conn = await db.connect();
  const path = file.replace(/'/g, "''");
  const reader = await conn.runAndReadAll(
    `SELECT category, avg(coalesce(value, 0)) AS avg_value, stddev_samp(coalesce(value, 0)) AS std_value
     FROM (SELECT * REPLACE (CAST("timestamp" AS TIMESTAMP) AS "timestamp") FROM read_csv('${path}'))
     WHERE quality_score > 0.8 GROUP BY category ORDER BY category`);
  const rows = reader.getRows();
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  console.error(`duckdb: ${rows.length} groups in ${ms.toFixed(0)} ms`);
  if (out) {
    const lines = ["category,avg_value,std_value"];
    for (const r of rows) lines.push(`${r[0]},${r[1]},${r[2]}`);
    fs.writeFileSync(out, lines.join("\n") + "\n");
  }
})().catch((e) => { console.error(e.message); process.exit(1); });
