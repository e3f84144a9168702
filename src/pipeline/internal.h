// Pieces of the pipeline runner shared by its files: parameter substitution, content
// hashes and fingerprints.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "strata/catalog.h"
#include "strata/pipeline.h"
#include "strata/status.h"

namespace strata::pipeline {

// Replaces ${name} with the parameter's value and, when `resolve_env`, ${env:NAME} with the
// environment variable's value (else ${env:NAME} is kept as written, so records and
// fingerprints never hold environment values). `$${` is a literal `${`. InvalidArgument
// naming `where`, an unknown parameter and the known ones, or an unset variable.
Result<std::string> Substitute(std::string_view text,
                               const std::map<std::string, std::string>& params, bool resolve_env,
                               const std::string& where);

// `s` with parameters substituted into `resolved` (and, when `resolve_env`, environment
// variables), and the text that stands for its definition in its fingerprint.
Result<std::string> ResolveStep(const StepSpec& s, const std::map<std::string, std::string>& params,
                                bool resolve_env, StepSpec* resolved);

// Which steps a --select list (`name`, `+name`, `name+`) names (`selected`: they run), and
// which must be available for them (`needed`: selected, or upstream of one, reused from an
// earlier run). `ins` and `outs` are each step's input and output step indexes. Every step
// when `select` is empty. InvalidArgument for a name that is not a step.
Status SelectSteps(const PipelineSpec& spec, const std::vector<std::string>& select,
                   const std::vector<std::vector<size_t>>& ins,
                   const std::vector<std::vector<size_t>>& outs, std::vector<bool>* selected,
                   std::vector<bool>* needed);

// xxh3-128 of bytes, as 32 hex digits.
std::string HashBytes(std::string_view bytes);

// Accumulates the parts of a fingerprint; each part is length-prefixed, so no two lists
// of parts hash alike.
class Fingerprint {
 public:
  Fingerprint& Add(std::string_view part);
  std::string Finish() const { return HashBytes(buffer_); }

 private:
  std::string buffer_;
};

// The content hash of a local file, from the catalog's cache when the path, size and
// modification time are unchanged, else by reading it (and then cached). Fills `ref`
// (kind file, name, hash, bytes).
Status HashFile(catalog::Catalog* catalog, const std::string& path, catalog::DataRef* ref);

// Files matching a path or glob, sorted. NotFound naming the pattern when none does.
Result<std::vector<std::string>> ExpandGlob(const std::string& pattern);

}  // namespace strata::pipeline
