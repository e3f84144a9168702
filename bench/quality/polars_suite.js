// The seed's three expectations as one Polars select (counts of unexpected values).
const pl = require("nodejs-polars");
const t0 = process.hrtime.bigint();
const df = pl.scanCSV(process.argv[2]).select(
  pl.col("feature_id").isNull().sum().alias("null_feature_id"),
  pl.col("normalized_value").lt(0).or(pl.col("normalized_value").gt(1)).sum().alias("out_of_range"),
  pl.col("sample_id").isDuplicated().sum().alias("duplicated")).collectSync();
console.error(`polars: ${JSON.stringify(df.toRecords()[0])} in ${Number(process.hrtime.bigint() - t0) / 1e6} ms`);
