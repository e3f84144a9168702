// Lake: a directory of tables; table names and their case-insensitive lookup.
#include <algorithm>

#include "table/table_internal.h"

namespace strata {

Status ValidateTableName(const std::string& name) {
  if (name.empty()) return Status::InvalidArgument("a table name cannot be empty");
  if (name.size() > 128)
    return Status::InvalidArgument("table name '" + name + "' is longer than 128 characters");
  if (name[0] == '.' || name[0] == '_') {
    return Status::InvalidArgument("table name '" + name + "' cannot start with '.' or '_'");
  }
  for (unsigned char c : name) {
    if (!std::isalnum(c) && c != '_' && c != '-' && c != '.') {
      return Status::InvalidArgument("table name '" + name +
                                     "' may hold only letters, digits, '_', '-' and '.'");
    }
  }
  return Status::OK();
}

// ---------------------------------------------------------------------------------------
// Lake

Status Lake::Init(const std::string& root) {
  auto fs = NewLocalFileSystem();
  STRATA_RETURN_NOT_OK(fs->CreateDirs(root + "/_strata"));
  return Status::OK();
}

Result<std::unique_ptr<Lake>> Lake::Open(const std::string& root, const LakeOptions& options) {
  std::shared_ptr<FileSystem> fs = options.file_system;
  if (!fs) fs = NewLocalFileSystem();
  if (!fs->Exists(root + "/_strata")) {
    if (!options.create_if_missing) {
      return Status::NotFound("no lake at '" + root + "': run 'strata --lake " + root +
                              " init' first");
    }
    STRATA_RETURN_NOT_OK(fs->CreateDirs(root + "/_strata"));
  }
  std::shared_ptr<Session> session = options.session;
  if (!session) {
    STRATA_ASSIGN_OR_RETURN(session, Session::Open());
  }
  return std::unique_ptr<Lake>(
      new Lake(root, std::move(session), std::move(fs), options.table_options));
}

Result<std::unique_ptr<Lake>> Lake::Open(const std::string& root, bool create,
                                         std::shared_ptr<Session> session) {
  LakeOptions options;
  options.session = std::move(session);
  options.create_if_missing = create;
  return Open(root, options);
}

Result<std::vector<std::string>> Lake::ListTables() {
  STRATA_ASSIGN_OR_RETURN(std::vector<std::string> names, fs_->ListDir(root_));
  std::vector<std::string> tables;
  for (const std::string& n : names) {
    if (ValidateTableName(n).ok() && fs_->Exists(root_ + "/" + n + "/_delta_log"))
      tables.push_back(n);
  }
  return tables;
}

Result<std::unique_ptr<Table>> Lake::OpenTable(const std::string& name) {
  return OpenTable(name, table_options_);
}

Result<std::unique_ptr<Table>> Lake::OpenTable(const std::string& name,
                                               const TableOptions& options) {
  STRATA_RETURN_NOT_OK(ValidateTableName(name));
  // Names are case-insensitive: an existing folder spelled otherwise is this table.
  auto same = [](const std::string& a, const std::string& b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
             return std::tolower(static_cast<unsigned char>(x)) ==
                    std::tolower(static_cast<unsigned char>(y));
           });
  };
  std::vector<std::string> matches;
  auto entries = fs_->ListDir(root_);
  if (entries.ok()) {
    for (const std::string& e : *entries) {
      if (same(e, name) && ValidateTableName(e).ok()) matches.push_back(e);
    }
  }
  if (matches.size() > 1) {
    std::string list;
    for (const auto& m : matches) list += (list.empty() ? "'" : ", '") + m + "'";
    return Status::InvalidArgument(
        "table name '" + name + "' is ambiguous: the lake at '" + root_ + "' holds " + list +
        ", which differ only in case; table names are case-insensitive, so rename all but one "
        "of those folders");
  }
  std::string stored = matches.empty() ? name : matches[0];
  return std::unique_ptr<Table>(
      new Table(stored, root_ + "/" + stored, session_, fs_.get(), options));
}

}  // namespace strata
