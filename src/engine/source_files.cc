// Local source files: checks that name a missing, empty or unreadable file before DuckDB
// reads it, and what a file's extension says it holds.
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <regex>

#include "engine/csv_diagnose.h"
#include "engine/plan.h"

namespace strata {

namespace detail {

bool HasGlob(const std::string& path) { return path.find_first_of("*?[") != std::string::npos; }

Status CheckLocalFile(const std::string& path, const std::string& what) {
  if (path.find("://") != std::string::npos || HasGlob(path)) return Status::OK();
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) {
    return Status::NotFound(what + " file '" + path + "' does not exist");
  }
  if (S_ISDIR(st.st_mode)) {
    return Status::InvalidArgument("'" + path + "' is a directory, not a " + what + " file");
  }
  if (st.st_size == 0) return Status::InvalidArgument(what + " file '" + path + "' is empty");
  if (::access(path.c_str(), R_OK) != 0) {
    return Status::IOError(what + " file '" + path + "' is not readable");
  }
  return Status::OK();
}

bool IsJsonPath(const std::string& path) {
  return HasExtension(path, ".json") || HasExtension(path, ".ndjson") ||
         HasExtension(path, ".jsonl");
}

std::string WhatFor(const std::string& path) {
  if (HasExtension(path, ".parquet")) return "Parquet";
  if (IsJsonPath(path)) return "JSON";
  return "CSV";
}

}  // namespace detail

using detail::CheckLocalFile;
using detail::HasGlob;
using detail::WhatFor;

bool HasExtension(const std::string& path, const std::string& extension) {
  return path.size() >= extension.size() &&
         std::equal(extension.rbegin(), extension.rend(), path.rbegin(), [](char e, char p) {
           return std::tolower(static_cast<unsigned char>(e)) ==
                  std::tolower(static_cast<unsigned char>(p));
         });
}

Status CheckFilesReferencedBy(const std::string& sql) {
  static const std::regex kPathRe(R"((?:\bFROM|\bJOIN|\bread_\w+\s*\()\s*'((?:[^']|'')*)')",
                                  std::regex::icase);
  for (auto it = std::sregex_iterator(sql.begin(), sql.end(), kPathRe);
       it != std::sregex_iterator(); ++it) {
    std::string path;
    std::string raw = (*it)[1];
    for (size_t i = 0; i < raw.size(); ++i) {
      path += raw[i];
      if (raw[i] == '\'' && i + 1 < raw.size() && raw[i + 1] == '\'') ++i;
    }
    struct stat st;
    // Paths that do not exist are left to DuckDB, whose message names them.
    if (path.find("://") != std::string::npos || HasGlob(path) || ::stat(path.c_str(), &st) != 0)
      continue;
    STRATA_RETURN_NOT_OK(CheckLocalFile(path, WhatFor(path)));
    // A CSV named bare is read by DuckDB's sniffer, which turns a ragged file into one
    // column; name the first ragged line instead, as every other reader does. (The
    // sniffer's sample: later lines are DuckDB's to report.)
    const bool bare = std::string((*it)[0]).find('(') == std::string::npos;
    if (bare && WhatFor(path) == "CSV") {
      const std::string shape = engine::DiagnoseCsvShape(path, 20480);
      if (!shape.empty()) return Status::InvalidArgument("CSV file '" + path + "': " + shape);
    }
  }
  return Status::OK();
}

}  // namespace strata
