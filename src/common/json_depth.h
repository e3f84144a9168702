// How deeply JSON text nests, found without parsing it: a guard to run before a
// recursive parser or printer sees text from disk or from a user.
#pragma once

#include <algorithm>
#include <cstddef>
#include <string_view>

namespace strata {

// The deepest nesting of [ and { in `text`, outside strings. Linear, no allocation.
inline size_t JsonDepth(std::string_view text) {
  size_t depth = 0, max_depth = 0;
  bool in_string = false;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (in_string) {
      if (c == '\\')
        ++i;
      else if (c == '"')
        in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      max_depth = std::max(max_depth, ++depth);
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
  }
  return max_depth;
}

}  // namespace strata
