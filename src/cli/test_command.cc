// strata test FILE...: pipeline tests.
#include <unistd.h>

#include <cstdio>

#include "cli/commands.h"
#include "cli/output.h"
#include "strata/pipeline.h"

namespace strata::cli {
namespace {

int RunTests(const std::vector<std::string>& files) {
  const bool tty = ::isatty(1) != 0;
  int passed = 0, failed = 0;
  for (const auto& file : files) {
    auto report = pipeline::RunPipelineTests(file);
    if (!report.ok()) return ReportError(report.status(), 2);
    for (const auto& c : report->cases) {
      if (c.passed) {
        std::printf("%s  %s: %s\n", tty ? "\033[32mPASS\033[0m" : "PASS", file.c_str(),
                    c.name.c_str());
      } else {
        std::printf("%s  %s: %s\n", tty ? "\033[31mFAIL\033[0m" : "FAIL", file.c_str(),
                    c.name.c_str());
        for (const auto& f : c.failures) std::printf("        %s\n", f.c_str());
      }
    }
    passed += report->passed;
    failed += report->failed;
  }
  std::printf("%d passed, %d failed\n", passed, failed);
  return failed > 0 ? 1 : 0;
}

}  // namespace

void RegisterTest(CLI::App& app, int* exit_code) {
  auto files = std::make_shared<std::vector<std::string>>();
  auto* cmd = app.add_subcommand(
      "test",
      "Run pipeline tests: each case runs a pipeline on fixtures in a temporary lake "
      "and checks expectations on step outputs");
  cmd->add_option("files", *files, "Test files (YAML)")->required();
  cmd->footer("Exit code: 0 when every case passed, 1 when one failed, 2 for a bad test file.");
  cmd->callback([files, exit_code] { *exit_code = RunTests(*files); });
}

}  // namespace strata::cli
