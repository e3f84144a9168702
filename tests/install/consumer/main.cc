// Links the installed libstrata: a lazy query and a quality check.
#include <strata/frame.h>
#include <strata/quality.h>
#include <strata/version.h>

#include <cstdio>

int main() {
  auto frame = strata::sql("SELECT range AS id FROM range(10)");
  strata::quality::Suite suite("consumer");
  suite.expect_column_values_to_be_unique("id");
  auto result = strata::quality::Validate(frame, suite);
  if (!result.ok()) return 2;
  std::printf("strata %s: suite %s\n", strata::kVersion, result->success ? "passed" : "failed");
  return result->success ? 0 : 1;
}
