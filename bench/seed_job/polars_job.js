// The seed's job in Polars (nodejs-polars). Usage: node polars_job.js EVENTS.csv [OUT.csv]
const pl = require("nodejs-polars");
const fs = require("fs");
const [file, out] = process.argv.slice(2);
const t0 = process.hrtime.bigint();
const result = pl.scanCSV(file)
  .withColumns(pl.col("timestamp").cast(pl.Datetime("us")), pl.col("value").fillNull(0))
  .filter(pl.col("quality_score").gt(0.8))
  .groupBy("category")
  .agg(pl.col("value").mean().alias("avg_value"), pl.col("value").std().alias("std_value"))
  .collectSync();
const ms = Number(process.hrtime.bigint() - t0) / 1e6;
console.error(`polars: ${result.height} groups in ${ms.toFixed(0)} ms`);
if (out) {
  const sorted = result.sort("category");
  const cat = sorted.getColumn("category").toArray();
  const avg = sorted.getColumn("avg_value").toArray();
  const std = sorted.getColumn("std_value").toArray();
  const lines = ["category,avg_value,std_value"];
  for (let i = 0; i < cat.length; i++) lines.push(`${cat[i]},${avg[i]},${std[i]}`);
  fs.writeFileSync(out, lines.join("\n") + "\n");
}
