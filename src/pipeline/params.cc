// ${name} and ${env:NAME} in pipeline text.
#include <cstdlib>

#include "pipeline/internal.h"

namespace strata::pipeline {

Result<std::string> Substitute(std::string_view text,
                               const std::map<std::string, std::string>& params, bool resolve_env,
                               const std::string& where) {
  std::string out;
  out.reserve(text.size());
  size_t i = 0;
  while (i < text.size()) {
    if (text.compare(i, 3, "$${") == 0) {
      out += "${";
      i += 3;
      continue;
    }
    if (text.compare(i, 2, "${") != 0) {
      out += text[i++];
      continue;
    }
    size_t close = text.find('}', i + 2);
    if (close == std::string_view::npos)
      return Status::InvalidArgument(where + ": '${' without a closing '}'");
    std::string name(text.substr(i + 2, close - i - 2));
    if (name.rfind("env:", 0) == 0) {
      if (!resolve_env) {
        out += text.substr(i, close - i + 1);
      } else {
        const char* v = std::getenv(name.substr(4).c_str());
        if (v == nullptr)
          return Status::InvalidArgument(where + ": environment variable " + name.substr(4) +
                                         " is not set");
        out += v;
      }
    } else {
      auto it = params.find(name);
      if (it == params.end()) {
        std::string known;
        for (const auto& [k, v] : params) known += (known.empty() ? "" : ", ") + k;
        return Status::InvalidArgument(where + ": unknown parameter '" + name +
                                       "' (known: " + (known.empty() ? "none" : known) + ")");
      }
      out += it->second;
    }
    i = close + 1;
  }
  return out;
}

}  // namespace strata::pipeline
