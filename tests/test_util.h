// Helpers shared by Strata's tests.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "strata/status.h"

namespace strata::testing {

// A fresh directory under the system temp dir, removed when the test ends.
class TempDir {
 public:
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "strata-test-XXXXXX").string();
    path_ = ::mkdtemp(tmpl.data());
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  const std::string& path() const { return path_; }
  std::string operator/(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

inline void WriteText(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
}

inline std::string ReadText(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

}  // namespace strata::testing

namespace strata::testing {
inline ::testing::AssertionResult IsOk(const Status& st) {
  if (st.ok()) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "not OK: " << st.ToString();
}
template <typename T>
::testing::AssertionResult IsOk(const Result<T>& r) {
  return IsOk(r.status());
}
}  // namespace strata::testing

#define ASSERT_OK(expr) ASSERT_TRUE(::strata::testing::IsOk(expr))
#define EXPECT_OK(expr) EXPECT_TRUE(::strata::testing::IsOk(expr))

// `lhs = value of rexpr` (a Result), failing the test when it is an error.
#define ASSERT_OK_AND_ASSIGN(lhs, rexpr)                                   \
  auto STRATA_CONCAT(_res_, __LINE__) = (rexpr);                           \
  ASSERT_TRUE(STRATA_CONCAT(_res_, __LINE__).ok())                         \
      << "not OK: " << STRATA_CONCAT(_res_, __LINE__).status().ToString(); \
  lhs = std::move(STRATA_CONCAT(_res_, __LINE__)).value()
