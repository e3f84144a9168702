// "Did you mean": the known names nearest to a misspelt one, by edit distance.
#pragma once

#include <string>
#include <vector>

namespace strata {

// Levenshtein distance between `a` and `b`.
size_t EditDistance(const std::string& a, const std::string& b);
// Up to `n` of `known` nearest to `word`, nearest first (ties in the order given).
std::vector<std::string> ClosestNames(const std::string& word,
                                      const std::vector<std::string>& known, size_t n = 3);

}  // namespace strata
