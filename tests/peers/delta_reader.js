// An independent Delta reader, written from PROTOCOL.md and sharing no code with Strata:
// replays the JSON commits of a table (files keyed by path and deletion vector id),
// decodes deletion vectors itself (Z85, the file framing and CRC-32, the portable
// 64-bit Roaring layout with array, bitmap and run containers), reads the Parquet files
// with DuckDB (@duckdb/node-api, a benchmark peer) and prints the live rows as CSV, each
// value cast to text, rows sorted.
// With --from-checkpoint it starts from the checkpoint _last_checkpoint names instead
// (classic Parquet, or v2: JSON top-level file and Parquet sidecars), then the commits.
// Usage: node delta_reader.js TABLE_PATH [--from-checkpoint] > rows.csv
const { DuckDBInstance } = require("@duckdb/node-api");
const fs = require("fs");
const path = require("path");
const zlib = require("zlib");

const Z85 = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#";

function z85Decode(text) {
  if (text.length % 5) throw new Error(`Z85 text of length ${text.length}`);
  const out = Buffer.alloc((text.length / 5) * 4);
  for (let i = 0; i < text.length; i += 5) {
    let v = 0;
    for (let j = 0; j < 5; j++) {
      const d = Z85.indexOf(text[i + j]);
      if (d < 0) throw new Error(`not Z85: ${text[i + j]}`);
      v = v * 85 + d;
    }
    out.writeUInt32BE(v, (i / 5) * 4);
  }
  return out;
}

function crc32(buf) {
  if (zlib.crc32) return zlib.crc32(buf) >>> 0;
  let c, crc = 0xffffffff;
  for (const b of buf) {
    c = (crc ^ b) & 0xff;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xedb88320 : c >>> 1;
    crc = (crc >>> 8) ^ c;
  }
  return (crc ^ 0xffffffff) >>> 0;
}

// One 32-bit Roaring bitmap (RoaringFormatSpec) at `at`; returns [values, end].
function readRoaring32(buf, at, high) {
  const values = [];
  const cookie = buf.readUInt32LE(at);
  let pos = at + 4, count, runFlags = null;
  if ((cookie & 0xffff) === 12347) {
    count = (cookie >>> 16) + 1;
    runFlags = buf.subarray(pos, pos + Math.ceil(count / 8));
    pos += Math.ceil(count / 8);
  } else if (cookie === 12346) {
    count = buf.readUInt32LE(pos);
    pos += 4;
  } else {
    throw new Error(`bad Roaring cookie ${cookie}`);
  }
  const keys = [], cards = [];
  for (let i = 0; i < count; i++) {
    keys.push(buf.readUInt16LE(pos));
    cards.push(buf.readUInt16LE(pos + 2) + 1);
    pos += 4;
  }
  if (runFlags === null || count >= 4) pos += 4 * count;  // the offsets: not needed
  for (let i = 0; i < count; i++) {
    const base = high * 4294967296 + keys[i] * 65536;
    const isRun = runFlags !== null && (runFlags[i >> 3] >> (i & 7)) & 1;
    if (isRun) {
      const runs = buf.readUInt16LE(pos);
      pos += 2;
      for (let r = 0; r < runs; r++) {
        const start = buf.readUInt16LE(pos), len = buf.readUInt16LE(pos + 2);
        for (let v = start; v <= start + len; v++) values.push(base + v);
        pos += 4;
      }
    } else if (cards[i] > 4096) {
      for (let w = 0; w < 8192; w++) {
        const byte = buf[pos + w];
        for (let b = 0; b < 8; b++) if ((byte >> b) & 1) values.push(base + w * 8 + b);
      }
      pos += 8192;
    } else {
      for (let k = 0; k < cards[i]; k++) values.push(base + buf.readUInt16LE(pos + 2 * k));
      pos += 2 * cards[i];
    }
  }
  return [values, pos];
}

function decodeVector(data) {
  const magic = data.readUInt32LE(0);
  if (magic !== 1681511377) throw new Error(`deletion vector magic ${magic}`);
  const count = Number(data.readBigUInt64LE(4));
  let pos = 12;
  const rows = [];
  for (let i = 0; i < count; i++) {
    const high = data.readUInt32LE(pos);
    const [values, end] = readRoaring32(data, pos + 4, high);
    rows.push(...values);
    pos = end;
  }
  return rows;
}

function deletedRows(table, dv) {
  let data;
  if (dv.storageType === "i") {
    data = z85Decode(dv.pathOrInlineDv).subarray(0, dv.sizeInBytes);
  } else {
    let file;
    if (dv.storageType === "u") {
      const p = dv.pathOrInlineDv, id = z85Decode(p.slice(-20)).toString("hex");
      const uuid = `${id.slice(0, 8)}-${id.slice(8, 12)}-${id.slice(12, 16)}-${id.slice(16, 20)}-${id.slice(20)}`;
      file = path.join(table, p.slice(0, -20), `deletion_vector_${uuid}.bin`);
    } else {
      file = decodeURIComponent(dv.pathOrInlineDv.replace(/^file:/, ""));
    }
    const buf = fs.readFileSync(file), at = dv.offset ?? 1;
    const size = buf.readUInt32BE(at);
    if (size !== dv.sizeInBytes) throw new Error(`${file}: size ${size} != ${dv.sizeInBytes}`);
    data = buf.subarray(at + 4, at + 4 + size);
    if (crc32(data) !== buf.readUInt32BE(at + 4 + size)) throw new Error(`${file}: bad checksum`);
  }
  const rows = decodeVector(data);
  if (rows.length !== dv.cardinality) throw new Error(`cardinality ${rows.length} != ${dv.cardinality}`);
  return rows;
}

const PRIMITIVE = { string: "VARCHAR", long: "BIGINT", integer: "INTEGER", short: "SMALLINT",
  byte: "TINYINT", double: "DOUBLE", float: "FLOAT", boolean: "BOOLEAN", date: "DATE",
  timestamp: "TIMESTAMPTZ", timestamp_ntz: "TIMESTAMP", binary: "BLOB" };
const sqlString = (s) => `'${String(s).replace(/'/g, "''")}'`;
const ident = (s) => `"${s.replace(/"/g, '""')}"`;

const fileKey = (f) => decodeURIComponent(f.path) + "|" +
  (f.deletionVector ? f.deletionVector.storageType + f.deletionVector.pathOrInlineDv +
    (f.deletionVector.offset != null ? "@" + f.deletionVector.offset : "") : "");

// The rows of Parquet files (a classic checkpoint, or a v2 checkpoint's sidecars) as
// actions: add, remove, metaData.
async function parquetActions(conn, files) {
  const list = files.map(sqlString).join(", ");
  const rows = (await conn.runAndReadAll(
    `SELECT to_json("add")::VARCHAR, to_json(remove)::VARCHAR, ` +
    `${files.some((f) => f.includes("_sidecars")) ? "NULL" : "to_json(metaData)::VARCHAR"} ` +
    `FROM read_parquet([${list}])`)).getRows();
  const actions = [];
  for (const [add, remove, metaData] of rows) {
    if (add && add !== "null") actions.push({ add: JSON.parse(add) });
    if (remove && remove !== "null") actions.push({ remove: JSON.parse(remove) });
    if (metaData && metaData !== "null") actions.push({ metaData: JSON.parse(metaData) });
  }
  return actions;
}

(async () => {
  const table = process.argv[2];
  // With --from-checkpoint: start from the checkpoint _last_checkpoint names (classic
  // Parquet, or v2: a JSON top-level file and its Parquet sidecars), then the commits.
  const fromCheckpoint = process.argv[3] === "--from-checkpoint";
  const log = path.join(table, "_delta_log");
  const db = await DuckDBInstance.create(":memory:");
  const conn = await db.connect();
  let metadata = null;
  const files = new Map();
  const apply = (a) => {
    if (a.metaData) metadata = a.metaData;
    if (a.add) files.set(fileKey(a.add), a.add);
    if (a.remove) files.delete(fileKey(a.remove));
  };
  let start = 0;
  if (fromCheckpoint) {
    const last = JSON.parse(fs.readFileSync(path.join(log, "_last_checkpoint"), "utf8"));
    const version = String(last.version).padStart(20, "0");
    if (last.v2Checkpoint) {
      const sidecars = [];
      for (const line of fs.readFileSync(path.join(log, last.v2Checkpoint.path), "utf8").split("\n")) {
        if (!line.trim()) continue;
        const a = JSON.parse(line);
        if (a.checkpointMetadata && a.checkpointMetadata.version !== last.version)
          throw new Error("checkpointMetadata names another version");
        if (a.sidecar) sidecars.push(path.join(log, "_sidecars", decodeURIComponent(a.sidecar.path)));
        else apply(a);
      }
      if (sidecars.length) (await parquetActions(conn, sidecars)).forEach(apply);
    } else {
      (await parquetActions(conn, [path.join(log, `${version}.checkpoint.parquet`)])).forEach(apply);
    }
    // Checkpoints hold tombstones as removes: only adds are live.
    start = last.version + 1;
    console.error(`delta_reader: from the checkpoint of version ${last.version}` +
                  (last.v2Checkpoint ? " (v2, with sidecars)" : ""));
  }
  const commits = fs.readdirSync(log).filter((n) => /^\d{20}\.json$/.test(n)).sort()
    .filter((n) => Number(n.slice(0, 20)) >= start);
  commits.forEach((name, i) => {
    if (Number(name.slice(0, 20)) !== start + i) throw new Error(`log gap at ${name}`);
    for (const line of fs.readFileSync(path.join(log, name), "utf8").split("\n")) {
      if (!line.trim()) continue;
      apply(JSON.parse(line));
    }
  });
  const schema = JSON.parse(metadata.schemaString).fields;
  const partitions = new Set(metadata.partitionColumns);
  const mode = (metadata.configuration || {})["delta.columnMapping.mode"];
  const mapped = mode === "name" || mode === "id";
  // Timestamps print as text; both sides in UTC (Strata's default session time zone).
  await conn.run("SET TimeZone = 'UTC'");
  const parts = [];
  for (const f of files.values()) {
    const file = path.join(table, decodeURIComponent(f.path));
    const present = new Set((await conn.runAndReadAll(
      `DESCRIBE SELECT * FROM read_parquet(${sqlString(file)})`)).getRows().map((r) => r[0]));
    const cols = schema.map((c) => {
      const type = PRIMITIVE[c.type] ?? (c.type.startsWith("decimal") ? c.type.toUpperCase() : "VARCHAR");
      // Column mapping: files and partition values use the physical name (top level).
      const stored = mapped ? c.metadata["delta.columnMapping.physicalName"] : c.name;
      let expr = "NULL";
      if (partitions.has(c.name)) {
        const v = f.partitionValues[stored];
        expr = v == null ? "NULL" : `CAST(${sqlString(v)} AS ${type})`;
      } else if (present.has(stored)) {
        expr = ident(stored);
      }
      return `CAST(${expr} AS VARCHAR) AS ${ident(c.name)}`;
    });
    const deleted = f.deletionVector ? deletedRows(table, f.deletionVector) : [];
    const where = deleted.length
      ? ` WHERE file_row_number NOT IN (SELECT unnest(string_split(${sqlString(deleted.join(","))}, ','))::BIGINT)`
      : "";
    parts.push(`SELECT ${cols.join(", ")} FROM read_parquet(${sqlString(file)}, file_row_number=true)${where}`);
  }
  const header = schema.map((c) => c.name).join(",");
  if (!parts.length) { console.log(header); return; }
  const reader = await conn.runAndReadAll(`SELECT * FROM (${parts.join(" UNION ALL ")}) ORDER BY ALL`);
  const lines = [header];
  for (const r of reader.getRows()) lines.push(r.map((v) => (v === null ? "" : v)).join(","));
  console.log(lines.join("\n"));
})().catch((e) => { console.error(`delta_reader: ${e.message}`); process.exit(1); });
