// Table references (`name`, `name@VERSION`, `name@'TIME'`): the one parser, and their
// resolution to a table and snapshot.
#include <charconv>

#include "strata/table.h"
#include "table/delta_log.h"

namespace strata {

Result<TableRef> TableRef::Parse(std::string_view text) {
  TableRef ref;
  size_t at = text.find('@');
  ref.name = std::string(text.substr(0, at));
  STRATA_RETURN_NOT_OK(
      ValidateTableName(ref.name).WithContext("table reference '" + std::string(text) + "'"));
  if (at == std::string_view::npos) return ref;
  std::string_view spec = text.substr(at + 1);
  auto bad = [&](const std::string& why) {
    return Status::InvalidArgument("table reference '" + std::string(text) + "': " + why +
                                   "; write NAME, NAME@VERSION (such as events@3) or "
                                   "NAME@'TIME' (such as events@'2026-11-20T10:00:00Z')");
  };
  if (spec.empty()) return bad("nothing follows '@'");
  if (spec.front() == '\'') {
    if (spec.size() < 2 || spec.back() != '\'')
      return bad("the time after '@' has no closing quote");
    std::string_view inner = spec.substr(1, spec.size() - 2);
    if (inner.empty()) return bad("the time after '@' is empty");
    if (inner.find('\'') != std::string_view::npos || inner.find('\0') != std::string_view::npos)
      return bad("the time after '@' holds a quote or a NUL byte");
    ref.time = std::string(inner);
    return ref;
  }
  for (char c : spec) {
    if (c < '0' || c > '9')
      return bad("the version '" + std::string(spec) + "' is not a whole number 0 or above");
  }
  int64_t version = 0;
  auto [end, ec] = std::from_chars(spec.data(), spec.data() + spec.size(), version);
  if (ec != std::errc() || end != spec.data() + spec.size())
    return bad("the version '" + std::string(spec) + "' is too large");
  ref.version = version;
  return ref;
}

std::string TableRef::ToString() const {
  if (version) return name + "@" + std::to_string(*version);
  if (time) return name + "@'" + *time + "'";
  return name;
}

Result<std::string> Lake::ReferenceSql(const std::string& reference) {
  STRATA_ASSIGN_OR_RETURN(TableRef ref, TableRef::Parse(reference));
  STRATA_ASSIGN_OR_RETURN(ResolvedTable resolved, Resolve(ref));
  STRATA_ASSIGN_OR_RETURN(Frame scan, resolved.table->Scan(*resolved.snapshot));
  return scan.to_sql();
}

Result<ResolvedTable> Lake::Resolve(const TableRef& ref) {
  ResolvedTable out;
  STRATA_ASSIGN_OR_RETURN(out.table, OpenTable(ref.name));
  if (ref.version) {
    STRATA_ASSIGN_OR_RETURN(out.snapshot, out.table->AtVersion(*ref.version));
  } else if (ref.time) {
    STRATA_ASSIGN_OR_RETURN(auto conn, session_->database()->Connect());
    auto ms = conn->Collect("SELECT epoch_ms(TRY_CAST(" + engine::QuoteString(*ref.time) +
                            " AS TIMESTAMPTZ))");
    if (!ms.ok() || ms->num_rows() != 1 || ms->column(0).IsNull(0)) {
      return Status::InvalidArgument("table reference '" + ref.ToString() + "': '" + *ref.time +
                                     "' is not a time; write ISO 8601, such as "
                                     "'2026-11-20T10:00:00Z'");
    }
    STRATA_ASSIGN_OR_RETURN(out.snapshot, out.table->AsOf(ms->column(0).GetInt64(0)));
  } else {
    STRATA_ASSIGN_OR_RETURN(out.snapshot, out.table->Latest());
  }
  return out;
}

}  // namespace strata
