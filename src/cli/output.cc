#include "cli/output.h"

#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <ctime>

#include <nlohmann/json.hpp>

namespace strata::cli {

int ReportError(const Status& status, int exit_code) {
  std::string msg = status.message();
  for (char& c : msg) {
    if (c == '\n' || c == '\r') c = ' ';
  }
  std::fprintf(stderr, "strata: error: %s\n", msg.c_str());
  return exit_code;
}

Status NamingInput(const Status& status, const std::string& path) {
  if (status.ok() || path.empty() || status.message().find(path) != std::string::npos ||
      status.code() == StatusCode::kCorruption || status.code() == StatusCode::kConflict ||
      status.code() == StatusCode::kAlreadyExists)
    return status;
  return status.WithContext("'" + path + "'");
}

std::string FormatTime(int64_t ms) {
  std::time_t secs = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::string FormatHours(double hours) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", hours);
  return buf;
}

std::string HumanBytes(int64_t b) {
  const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  double v = static_cast<double>(b);
  int u = 0;
  while (v >= 1024 && u < 4) v /= 1024, ++u;
  char buf[32];
  std::snprintf(buf, sizeof buf, u == 0 ? "%.0f %s" : "%.1f %s", v, units[u]);
  return buf;
}

Result<std::unique_ptr<Table>> OpenTable(const GlobalOptions& g, const std::string& name,
                                         std::unique_ptr<Lake>* lake_out, ProgressLine* progress) {
  std::shared_ptr<Session> session;
  if (progress != nullptr && progress->Callback()) {
    engine::DatabaseOptions options;
    options.progress = progress->Callback();
    STRATA_ASSIGN_OR_RETURN(session, Session::Open(options));
  }
  STRATA_ASSIGN_OR_RETURN(*lake_out, Lake::Open(g.lake, false, session));
  return (*lake_out)->OpenTable(name);
}

CsvOptions CsvArgs::ToOptions() const {
  CsvOptions o;
  o.delimiter = delimiter == "\\t" || delimiter == "tab" ? "\t" : delimiter;
  o.has_header = !no_header;
  o.null_values = nulls;
  o.date_format = date_format;
  o.timestamp_format = timestamp_format;
  return o;
}

void AddCsvOptions(CLI::App* cmd, CsvArgs* args) {
  cmd->add_option("--delimiter", args->delimiter,
                  "CSV field delimiter: one character, or \\t (default: found from the header "
                  "line among , | ; and tab)");
  cmd->add_flag("--no-header", args->no_header, "The CSV has no header line (columns column0...)");
  OneValueEach(cmd->add_option("--null", args->nulls,
                               "A CSV text read as null, besides empty fields (repeatable)"));
  cmd->add_option("--date-format", args->date_format,
                  "strftime format of CSV dates, e.g. %d/%m/%Y");
  cmd->add_option("--timestamp-format", args->timestamp_format,
                  "strftime format of CSV timestamps, e.g. '%d/%m/%Y %H:%M'");
}

std::string JsonSafeSql(const std::string& sql, const std::vector<engine::ColumnSchema>& columns,
                        std::set<std::string>* json_columns) {
  std::string replace;
  for (const auto& c : columns) {
    const std::string& t = c.sql_type;
    const bool nested = t.find('[') != std::string::npos || t.rfind("STRUCT", 0) == 0 ||
                        t.rfind("MAP", 0) == 0 || t.rfind("UNION", 0) == 0;
    if (!nested) continue;
    const std::string q = engine::QuoteIdentifier(c.name);
    replace +=
        (replace.empty() ? "" : ", ") + std::string("CAST(to_json(") + q + ") AS VARCHAR) AS " + q;
    json_columns->insert(c.name);
  }
  if (replace.empty()) return sql;
  return "SELECT * REPLACE (" + replace + ") FROM (" + sql + ") AS _q";
}

namespace {

std::string CsvField(const Column& col, size_t row) {
  if (col.IsNull(row)) return "";
  std::string v = col.Format(row);
  bool quote = v.find_first_of(",\"\n\r") != std::string::npos ||
               (col.kind() == ValueKind::kString && v.empty());
  if (!quote) return v;
  std::string out = "\"";
  for (char c : v) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

nlohmann::ordered_json JsonValue(const Column& col, size_t row, bool json_text) {
  if (col.IsNull(row)) return nullptr;
  switch (col.kind()) {
    case ValueKind::kBool:
      return col.GetBool(row);
    case ValueKind::kInt64:
      return col.GetInt64(row);
    case ValueKind::kFloat64: {
      // JSON has no infinity or NaN: they are null, as in Polars' and DuckDB's JSON.
      double v = col.GetDouble(row);
      if (std::isfinite(v)) return v;
      return nullptr;
    }
    default:
      // Lists, structs and maps come as DuckDB's JSON text (see JsonSafeSql).
      if (json_text) {
        auto parsed = nlohmann::ordered_json::parse(col.GetString(row), nullptr, false);
        if (!parsed.is_discarded()) return parsed;
      }
      return col.Format(row);
  }
}

}  // namespace

Status PrintResult(engine::QueryResult* result, OutputFormat format, size_t max_rows,
                   std::FILE* out, const std::set<std::string>& json_columns) {
  if (format == OutputFormat::kTable) {
    // Read max_rows + 1 rows at most: enough to know whether there are more.
    std::vector<Column> cols = result->NewColumns();
    size_t rows = 0;
    for (;;) {
      STRATA_ASSIGN_OR_RETURN(size_t n, result->AppendNextChunk(&cols));
      rows += n;
      if (n == 0 || rows > max_rows) break;
    }
    if (rows <= max_rows) {
      std::fputs(DataFrame(std::move(cols)).ToString(max_rows).c_str(), out);
      return Status::OK();
    }
    std::vector<Column> head = result->NewColumns();
    for (size_t c = 0; c < cols.size(); ++c) {
      const Column& src = cols[c];
      for (size_t r = 0; r < max_rows; ++r) {
        if (src.IsNull(r))
          head[c].AppendNull();
        else if (src.kind() == ValueKind::kFloat64)
          head[c].AppendDouble(src.GetDouble(r));
        else if (src.kind() == ValueKind::kString)
          head[c].AppendString(src.GetString(r));
        else
          head[c].AppendInt64(src.GetInt64(r));
      }
    }
    // The shape line counts every row, as Polars' does: the rest is read and counted.
    for (;;) {
      std::vector<Column> rest = result->NewColumns();
      STRATA_ASSIGN_OR_RETURN(size_t n, result->AppendNextChunk(&rest));
      if (n == 0) break;
      rows += n;
    }
    const size_t ncols = head.size();
    std::string text = DataFrame(std::move(head)).ToString(max_rows);
    text.replace(0, text.find('\n'),
                 "shape: (" + std::to_string(rows) + ", " + std::to_string(ncols) + ")");
    text += "(showing the first " + std::to_string(max_rows) + " of " + std::to_string(rows) +
            " rows; use --max-rows, --format csv or --out FILE for all)\n";
    std::fputs(text.c_str(), out);
    return Status::OK();
  }

  // CSV and JSON stream chunk by chunk.
  const auto& schema = result->columns();
  if (format == OutputFormat::kCsv) {
    std::string header;
    for (size_t c = 0; c < schema.size(); ++c) {
      Column name_col(schema[c].name, ValueKind::kString, "VARCHAR");
      name_col.AppendString(schema[c].name);
      header += (c ? "," : "") + CsvField(name_col, 0);
    }
    std::fprintf(out, "%s\n", header.c_str());
  } else {
    std::fputs("[", out);
  }
  bool first_row = true;
  for (;;) {
    std::vector<Column> cols = result->NewColumns();
    STRATA_ASSIGN_OR_RETURN(size_t n, result->AppendNextChunk(&cols));
    if (n == 0) break;
    std::string buf;
    for (size_t r = 0; r < n; ++r) {
      if (format == OutputFormat::kCsv) {
        for (size_t c = 0; c < cols.size(); ++c) buf += (c ? "," : "") + CsvField(cols[c], r);
        buf += "\n";
      } else {
        nlohmann::ordered_json obj = nlohmann::ordered_json::object();
        for (size_t c = 0; c < cols.size(); ++c)
          obj[cols[c].name()] = JsonValue(cols[c], r, json_columns.count(cols[c].name()) > 0);
        buf += (first_row ? "\n" : ",\n") + obj.dump();
        first_row = false;
      }
    }
    std::fwrite(buf.data(), 1, buf.size(), out);
  }
  if (format == OutputFormat::kJson) std::fputs(first_row ? "]\n" : "\n]\n", out);
  if (std::ferror(out)) return Status::IOError("cannot write the result to standard output");
  return Status::OK();
}

namespace {
// Bytes this process has read and written so far, from /proc/self/io (rchar, wchar:
// through the page cache or not); zeros where that file does not exist.
std::pair<int64_t, int64_t> ProcessIo() {
  std::FILE* f = std::fopen("/proc/self/io", "r");
  if (f == nullptr) return {0, 0};
  long long rchar = 0, wchar = 0;
  char key[32];
  long long value = 0;
  while (std::fscanf(f, "%31s %lld", key, &value) == 2) {
    if (std::strcmp(key, "rchar:") == 0) rchar = value;
    if (std::strcmp(key, "wchar:") == 0) wchar = value;
  }
  std::fclose(f);
  return {rchar, wchar};
}

std::string Env(const char* name) {
  const char* value = std::getenv(name);
  return value != nullptr ? value : "";
}
}  // namespace

// For tests: STRATA_PROGRESS_AFTER_MS sets the delay before the line shows (1000 ms), and
// STRATA_PROGRESS=always shows it where stderr is not a terminal.
ProgressLine::ProgressLine(std::string label)
    : label_(std::move(label)),
      enabled_(::isatty(STDERR_FILENO) != 0 || Env("STRATA_PROGRESS") == "always"),
      delay_(Env("STRATA_PROGRESS_AFTER_MS").empty()
                 ? 1000
                 : std::atoi(Env("STRATA_PROGRESS_AFTER_MS").c_str())),
      start_(std::chrono::steady_clock::now()),
      io_start_(ProcessIo()) {}

ProgressLine::~ProgressLine() { Done(); }

void ProgressLine::Done() {
  std::lock_guard<std::mutex> lock(mu_);
  if (shown_) std::fputs("\r\033[K", stderr);
  shown_ = false;
  enabled_ = false;
}

void ProgressLine::Update(const engine::Progress& p) {
  std::lock_guard<std::mutex> lock(mu_);
  if (!enabled_) return;
  auto elapsed = std::chrono::steady_clock::now() - start_;
  if (elapsed < delay_) return;
  double secs = std::chrono::duration<double>(elapsed).count();
  std::string line = "\r\033[K" + label_;
  char buf[64];
  if (p.percentage >= 0) {
    std::snprintf(buf, sizeof buf, "%s[%5.1f%%]", label_.empty() ? "" : " ", p.percentage);
    line += buf;
  }
  // Under 64 KiB is noise (this line's own writes count too).
  auto [read, written] = ProcessIo();
  read -= io_start_.first;
  written -= io_start_.second;
  if (read >= 65536) line += " " + HumanBytes(read) + " read";
  if (written >= 65536) line += (read >= 65536 ? ", " : " ") + HumanBytes(written) + " written";
  std::snprintf(buf, sizeof buf, " %.1fs", secs);
  line += buf;
  std::fputs(line.c_str(), stderr);
  std::fflush(stderr);
  shown_ = true;
}

Status ParseKeyValues(const std::vector<std::string>& words, const std::string& what,
                      std::map<std::string, std::string>* out) {
  for (const std::string& kv : words) {
    size_t eq = kv.find('=');
    if (eq == std::string::npos || eq == 0)
      return Status::InvalidArgument(what + " '" + kv + "': expected KEY=VALUE");
    (*out)[kv.substr(0, eq)] = kv.substr(eq + 1);
  }
  return Status::OK();
}

}  // namespace strata::cli
