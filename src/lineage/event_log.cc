// The lineage folder: OpenLineage events as JSON lines, one file per UTC day, appended one
// whole line per write (O_APPEND), and read back skipping lines a killed writer cut short.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "common/time_format.h"
#include "lineage/http_transport.h"
#include "strata/lineage.h"

namespace strata::lineage {

Result<std::shared_ptr<OpenLineageObserver>> OpenLineageObserver::Open(
    const std::string& lake_root, const ObserverOptions& options) {
  std::error_code ec;
  if (!std::filesystem::is_directory(lake_root + "/_strata", ec)) {
    return Status::NotFound("'" + lake_root +
                            "' is not a lake (no _strata/ folder); run 'strata init'");
  }
  std::string dir = options.directory.empty() ? lake_root + "/_strata/lineage" : options.directory;
  std::unique_ptr<HttpSender> sender;
  if (!options.url.empty()) {
    STRATA_ASSIGN_OR_RETURN(CollectorUrl url, CollectorUrl::Parse(options.url));
    sender = std::make_unique<HttpSender>(url, options.api_key, options.timeout_seconds, 10000);
  }
  std::filesystem::create_directories(dir, ec);
  if (ec) return Status::IOError("cannot create the lineage folder " + dir + ": " + ec.message());
  auto observer = std::shared_ptr<OpenLineageObserver>(new OpenLineageObserver(lake_root, dir));
  observer->sender_ = std::move(sender);
  observer->timeout_ = options.timeout_seconds;
  return observer;
}

OpenLineageObserver::OpenLineageObserver(std::string lake_root, std::string directory)
    : lake_root_(std::move(lake_root)), directory_(std::move(directory)) {}

OpenLineageObserver::~OpenLineageObserver() = default;

int64_t OpenLineageObserver::Finish(std::string* error) {
  if (!sender_) return 0;
  return sender_->Drain(timeout_, error);
}

Result<SendReport> SendEvents(const std::string& lake_root, const std::string& since_day,
                              const ObserverOptions& options) {
  STRATA_ASSIGN_OR_RETURN(CollectorUrl url, CollectorUrl::Parse(options.url));
  STRATA_ASSIGN_OR_RETURN(
      EventLog log,
      ReadEvents(options.directory.empty() ? lake_root + "/_strata/lineage" : options.directory,
                 since_day));
  SendReport report;
  report.skipped = log.skipped;
  for (const auto& e : log.events) {
    Status st = PostEvent(url, options.api_key, e, options.timeout_seconds, 3);
    if (st.ok()) {
      ++report.sent;
    } else {
      ++report.failed;
      report.last_error = st.message();
    }
  }
  return report;
}

void OpenLineageObserver::OnRunEvent(const RunEvent& event) {
  std::string line = ToOpenLineage(event) + "\n";
  const std::string day = IsoTimeMs(event.time_ms).substr(0, 10);
  const std::string path = directory_ + "/" + day + ".jsonl";
  std::lock_guard lock(mu_);
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  ssize_t n = fd < 0 ? -1 : ::write(fd, line.data(), line.size());
  if (fd >= 0) ::close(fd);
  if (n != static_cast<ssize_t>(line.size())) {
    if (status_.ok()) status_ = Status::IOError("cannot append a lineage event to " + path);
    return;
  }
  if (sender_) sender_->Enqueue(line.substr(0, line.size() - 1));
}

Status OpenLineageObserver::status() const {
  std::lock_guard lock(mu_);
  return status_;
}

Result<EventLog> ReadEvents(const std::string& directory, const std::string& since_day) {
  EventLog log;
  std::error_code ec;
  if (!std::filesystem::is_directory(directory, ec)) return log;
  std::vector<std::string> files;
  for (const auto& entry : std::filesystem::directory_iterator(directory, ec)) {
    const std::string name = entry.path().filename().string();
    if (name.size() != 16 || name.substr(10) != ".jsonl") continue;
    if (!since_day.empty() && name.substr(0, 10) < since_day) continue;
    files.push_back(entry.path().string());
  }
  std::sort(files.begin(), files.end());
  for (const auto& f : files) {
    std::ifstream in(f, std::ios::binary);
    std::string line;
    int64_t number = 0;
    while (std::getline(in, line)) {
      ++number;
      if (line.empty()) continue;
      auto j = nlohmann::json::parse(line, nullptr, false);
      if (j.is_discarded() || !j.is_object() || !j.contains("eventType")) {
        log.skipped.push_back(f + " line " + std::to_string(number) +
                              ": not a whole OpenLineage event (cut short by a killed writer?)");
        continue;
      }
      log.events.push_back(std::move(line));
    }
  }
  return log;
}

}  // namespace strata::lineage
