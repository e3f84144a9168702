// Sending OpenLineage events to a collector (Marquez's POST /api/v1/lineage, which
// DataHub and the cloud catalogs also accept): a bounded queue drained by one thread,
// retries with backoff, a timeout on every request, so a collector that is down never
// fails or slows a run beyond the timeout.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "strata/status.h"

namespace strata::lineage {

struct CollectorUrl {
  std::string scheme;  // http or https
  std::string host;
  int port = 0;
  std::string path;  // the endpoint: the URL's path, or /api/v1/lineage when it has none
  // Parses http(s)://host[:port][/path]. InvalidArgument saying what is wrong.
  static Result<CollectorUrl> Parse(const std::string& url);
  std::string ToString() const;
};

// Posts one event (with retries); OK when the collector answered 2xx.
Status PostEvent(const CollectorUrl& url, const std::string& api_key, const std::string& event_json,
                 double timeout_seconds, int attempts);

class HttpSender {
 public:
  HttpSender(CollectorUrl url, std::string api_key, double timeout_seconds, size_t max_queue);
  ~HttpSender();
  // Queues an event; a full queue drops it (counted as undelivered).
  void Enqueue(std::string event_json);
  // Waits until the queue is empty or `seconds` passed; returns the events not delivered
  // (failed after their retries, dropped, or still queued), and the last error.
  int64_t Drain(double seconds, std::string* last_error);

 private:
  // Shared with the sending thread, which is detached when the sender is destroyed while a
  // request is in flight (a blackholed collector must not hold up the process).
  struct State {
    CollectorUrl url;
    std::string api_key;
    double timeout = 2;
    size_t max_queue = 1000;
    std::mutex mu;
    std::condition_variable cv;
    std::deque<std::string> queue;
    bool stop = false;
    bool busy = false;
    int64_t undelivered = 0;
    std::string last_error;
  };
  static void Loop(const std::shared_ptr<State>& state);

  std::shared_ptr<State> state_;
  std::thread thread_;
};

}  // namespace strata::lineage
