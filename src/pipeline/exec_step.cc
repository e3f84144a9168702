// exec steps: an external command (a training script, say) in its own process group.
// Its inputs are handed over as Parquet files named in environment variables
// (STRATA_INPUT_<NAME>); the file it declares as its output is read back as the step's
// result; its stdout and stderr go to a log whose tail is kept with the step run.
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cctype>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include "pipeline/run_context.h"

extern char** environ;

namespace strata::pipeline {

namespace {

constexpr size_t kLogTail = 4096;

// The last kLogTail bytes of the log, from the first whole line in them: a training
// script's log may be gigabytes, and only its end is kept.
std::string Tail(const std::string& path) {
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  if (!in) return "";
  const std::streamoff size = in.tellg();
  const std::streamoff from = size > static_cast<std::streamoff>(kLogTail) ? size - kLogTail : 0;
  in.seekg(from);
  std::string s(static_cast<size_t>(size - from), '\0');
  in.read(s.data(), static_cast<std::streamsize>(s.size()));
  if (from == 0) return s;
  const size_t nl = s.find('\n');
  return nl == std::string::npos ? s : s.substr(nl + 1);
}

std::string EnvName(const std::string& step) {
  std::string out = "STRATA_INPUT_";
  for (char c : step) out += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace

Result<StepWork> ExecuteCommand(RunContext& ctx, const StepSpec& step, const StepInputs& inputs,
                                const std::string& fingerprint, Interrupter* interrupter,
                                std::string* log) {
  const std::string dir = ctx.tmp_dir + "/" + step.name;
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return Status::IOError("cannot create " + dir + ": " + ec.message());

  std::vector<std::string> env_entries;
  for (char** e = environ; *e != nullptr; ++e) env_entries.emplace_back(*e);
  for (size_t i = 0; i < inputs.names.size(); ++i) {
    const std::string path = dir + "/" + inputs.names[i] + ".parquet";
    STRATA_ASSIGN_OR_RETURN(std::string sql, inputs.frames[i].to_sql());
    STRATA_RETURN_NOT_OK(WriteParquet(ctx, sql, path, interrupter).status());
    env_entries.push_back(EnvName(inputs.names[i]) + "=" + path);
  }
  std::string output_path;
  if (!step.output.empty()) {
    output_path = std::filesystem::absolute(step.output, ec).string();
    std::filesystem::remove(output_path, ec);  // what the command writes now, not before
    env_entries.push_back("STRATA_OUTPUT=" + output_path);
  }
  env_entries.push_back("STRATA_RUN_ID=" + ctx.run_id);
  env_entries.push_back("STRATA_STEP=" + step.name);
  env_entries.push_back("STRATA_LAKE=" + ctx.lake_root);
  for (const auto& [k, v] : step.env) env_entries.push_back(k + "=" + v);
  std::vector<char*> envp;
  envp.reserve(env_entries.size() + 1);
  for (auto& e : env_entries) envp.push_back(e.data());
  envp.push_back(nullptr);

  std::vector<std::string> args = step.command;
  if (args.size() == 1) args = {"/bin/sh", "-c", step.command[0]};
  std::vector<char*> argv;
  argv.reserve(args.size() + 1);
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);

  const std::string log_path = dir + "/output.log";
  int log_fd = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (log_fd < 0) return Status::IOError("cannot create " + log_path);
  pid_t pid = ::fork();
  if (pid < 0) {
    ::close(log_fd);
    return Status::IOError("cannot start '" + args[0] + "': fork failed");
  }
  if (pid == 0) {
    ::setpgid(0, 0);
    ::dup2(log_fd, 1);
    ::dup2(log_fd, 2);
    int null_fd = ::open("/dev/null", O_RDONLY);
    if (null_fd >= 0) ::dup2(null_fd, 0);
    ::execvpe(argv[0], argv.data(), envp.data());
    const char msg[] = "strata: cannot run the command (execvp failed)\n";
    (void)!::write(2, msg, sizeof msg - 1);
    ::_exit(127);
  }
  ::close(log_fd);
  ::setpgid(pid, pid);
  interrupter->AttachProcess(pid);
  int status = 0;
  auto fired_at = std::chrono::steady_clock::time_point::max();
  for (;;) {
    pid_t r = ::waitpid(pid, &status, WNOHANG);
    if (r == pid) break;
    if (r < 0 && errno != EINTR) break;
    if (interrupter->fired()) {
      const auto now = std::chrono::steady_clock::now();
      if (fired_at == std::chrono::steady_clock::time_point::max()) fired_at = now;
      if (now - fired_at > std::chrono::seconds(5)) ::kill(-pid, SIGKILL);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  interrupter->Detach();
  ::kill(-pid, SIGKILL);  // anything the command left running in its group
  StepWork work;
  work.log = Tail(log_path);
  if (log != nullptr) *log = work.log;
  if (interrupter->fired()) return Status::Interrupted("the command was stopped");
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    std::string how = WIFEXITED(status)
                          ? "exited with code " + std::to_string(WEXITSTATUS(status))
                          : "was killed by signal " + std::to_string(WTERMSIG(status));
    std::string tail = work.log;
    // The last few lines are what a person needs on the terminal; the record keeps 4 KB.
    size_t cut = tail.size();
    for (int lines = 0; lines < 6 && cut > 0; ++lines) {
      size_t nl = tail.rfind('\n', cut > 1 ? cut - 2 : 0);
      cut = nl == std::string::npos ? 0 : nl + 1;
    }
    return Status::IOError("command '" + step.command[0] + "' " + how +
                           (tail.empty() ? "" : "; its last output:\n" + tail.substr(cut)));
  }
  if (output_path.empty()) return work;
  struct stat sb {};
  if (::stat(output_path.c_str(), &sb) != 0) {
    return Status::NotFound("command '" + step.command[0] +
                            "' succeeded but did not write its "
                            "declared output " +
                            output_path);
  }
  Frame out = ctx.session->scan_file(output_path);
  STRATA_ASSIGN_OR_RETURN(std::string sql, out.to_sql());
  std::string tail = work.log;
  STRATA_ASSIGN_OR_RETURN(work, KeepOutput(ctx, step, sql, fingerprint, interrupter));
  work.log = std::move(tail);
  catalog::DataRef written;
  written.kind = catalog::DataRef::Kind::kFile;
  written.name = output_path;
  written.bytes = sb.st_size;
  work.outputs.push_back(written);
  return work;
}

}  // namespace strata::pipeline
