#include "strata/status.h"

#include <gtest/gtest.h>

#include "test_util.h"

namespace strata {
namespace {

Result<int> Half(int x) {
  if (x % 2 != 0) return Status::InvalidArgument(std::to_string(x) + " is odd");
  return x / 2;
}

Result<int> Quarter(int x) {
  STRATA_ASSIGN_OR_RETURN(int half, Half(x));
  STRATA_ASSIGN_OR_RETURN(int quarter, Half(half));
  return quarter;
}

Status CheckEven(int x) {
  STRATA_RETURN_NOT_OK(Half(x).status());
  return Status::OK();
}

TEST(Status, OkByDefault) {
  Status st;
  EXPECT_TRUE(st.ok());
  EXPECT_EQ(st.ToString(), "OK");
}

TEST(Status, CarriesCodeAndMessage) {
  Status st = Status::NotFound("table 'x' does not exist");
  EXPECT_FALSE(st.ok());
  EXPECT_EQ(st.code(), StatusCode::kNotFound);
  EXPECT_EQ(st.ToString(), "not found: table 'x' does not exist");
}

TEST(Status, WithContextPrefixesMessageAndKeepsCode) {
  Status st = Status::IOError("disk full").WithContext("writing 'a.parquet'");
  EXPECT_EQ(st.code(), StatusCode::kIOError);
  EXPECT_EQ(st.message(), "writing 'a.parquet': disk full");
  EXPECT_TRUE(Status::OK().WithContext("ignored").ok());
}

TEST(Result, HoldsValueOrStatus) {
  Result<int> good = Half(8);
  ASSERT_TRUE(good.ok());
  EXPECT_EQ(*good, 4);
  Result<int> bad = Half(3);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message(), "3 is odd");
  EXPECT_EQ(bad.ValueOr(-1), -1);
}

TEST(Result, MacrosPropagateTheFirstError) {
  EXPECT_EQ(*Quarter(8), 2);
  Result<int> r = Quarter(6);  // 6 -> 3, then 3 is odd
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "3 is odd");
  EXPECT_TRUE(CheckEven(2).ok());
  EXPECT_EQ(CheckEven(5).code(), StatusCode::kInvalidArgument);
}

TEST(Result, MoveOnlyValues) {
  Result<std::unique_ptr<int>> r = std::make_unique<int>(7);
  ASSERT_TRUE(r.ok());
  std::unique_ptr<int> p = std::move(r).value();
  EXPECT_EQ(*p, 7);
}

TEST(ResultDeathTest, ValueOfAnErrorPrintsItAndAbortsInEveryBuild) {
  // The guide's `Lake::Open("nolake").value()` must not be undefined behaviour under NDEBUG.
  Result<std::unique_ptr<int>> r = Status::NotFound("no lake at 'nolake'");
  EXPECT_DEATH((void)r.value(), "Result::value\\(\\) called on an error: .*no lake at 'nolake'");
  EXPECT_DEATH((void)**r, "no lake at 'nolake'");
}

}  // namespace
}  // namespace strata
