#include "lineage/http_transport.h"

#include <httplib.h>

#include <chrono>

namespace strata::lineage {

Result<CollectorUrl> CollectorUrl::Parse(const std::string& url) {
  CollectorUrl u;
  const size_t sep = url.find("://");
  if (sep == std::string::npos)
    return Status::InvalidArgument("collector URL '" + url +
                                   "' has no scheme (http:// or https://)");
  u.scheme = url.substr(0, sep);
  if (u.scheme != "http" && u.scheme != "https")
    return Status::InvalidArgument("collector URL '" + url + "': the scheme must be http or https");
  std::string rest = url.substr(sep + 3);
  const size_t slash = rest.find('/');
  std::string authority = rest.substr(0, slash);
  u.path = slash == std::string::npos ? "" : rest.substr(slash);
  if (authority.empty() || authority.find_first_of(" @?#") != std::string::npos)
    return Status::InvalidArgument("collector URL '" + url + "' has no valid host");
  u.port = u.scheme == "https" ? 443 : 80;
  const size_t colon = authority.rfind(':');
  if (colon != std::string::npos && authority.find(']') == std::string::npos) {
    const std::string port = authority.substr(colon + 1);
    char* end = nullptr;
    long p = std::strtol(port.c_str(), &end, 10);
    if (port.empty() || *end != '\0' || p < 1 || p > 65535)
      return Status::InvalidArgument("collector URL '" + url + "': the port '" + port +
                                     "' is not 1..65535");
    u.port = static_cast<int>(p);
    authority = authority.substr(0, colon);
  }
  if (authority.empty()) return Status::InvalidArgument("collector URL '" + url + "' has no host");
  u.host = authority;
  if (u.path.empty() || u.path == "/") u.path = "/api/v1/lineage";
  return u;
}

std::string CollectorUrl::ToString() const {
  return scheme + "://" + host + ":" + std::to_string(port) + path;
}

Status PostEvent(const CollectorUrl& url, const std::string& api_key, const std::string& event_json,
                 double timeout_seconds, int attempts) {
  httplib::Client client(url.scheme + "://" + url.host + ":" + std::to_string(url.port));
  const auto timeout = std::chrono::milliseconds(static_cast<int64_t>(timeout_seconds * 1000));
  client.set_connection_timeout(timeout);
  client.set_read_timeout(timeout);
  client.set_write_timeout(timeout);
  httplib::Headers headers;
  if (!api_key.empty()) headers.emplace("Authorization", "Bearer " + api_key);
  std::string error;
  for (int attempt = 0; attempt < attempts; ++attempt) {
    if (attempt > 0) std::this_thread::sleep_for(std::chrono::milliseconds(100 << attempt));
    auto res = client.Post(url.path, headers, event_json, "application/json");
    if (res && res->status >= 200 && res->status < 300) return Status::OK();
    error = res ? "HTTP " + std::to_string(res->status) : httplib::to_string(res.error());
    if (res && res->status >= 400 && res->status < 500 && res->status != 429)
      break;  // will not change
  }
  return Status::IOError("collector " + url.ToString() + ": " + error);
}

HttpSender::HttpSender(CollectorUrl url, std::string api_key, double timeout_seconds,
                       size_t max_queue)
    : state_(std::make_shared<State>()) {
  state_->url = std::move(url);
  state_->api_key = std::move(api_key);
  state_->timeout = timeout_seconds;
  state_->max_queue = max_queue;
  thread_ = std::thread([state = state_] { Loop(state); });
}

HttpSender::~HttpSender() {
  {
    std::lock_guard lock(state_->mu);
    state_->stop = true;
  }
  state_->cv.notify_all();
  thread_.detach();  // it ends after its current request, holding its own state
}

void HttpSender::Enqueue(std::string event_json) {
  {
    std::lock_guard lock(state_->mu);
    if (state_->queue.size() >= state_->max_queue) {
      ++state_->undelivered;
      state_->last_error = "the queue of " + std::to_string(state_->max_queue) + " events was full";
      return;
    }
    state_->queue.push_back(std::move(event_json));
  }
  state_->cv.notify_all();
}

void HttpSender::Loop(const std::shared_ptr<State>& s) {
  std::unique_lock lock(s->mu);
  for (;;) {
    s->cv.wait(lock, [&] { return s->stop || !s->queue.empty(); });
    if (s->stop) {
      // What is left is undelivered (it is in the lineage files, for `strata lineage send`).
      s->undelivered += static_cast<int64_t>(s->queue.size());
      s->queue.clear();
      return;
    }
    std::string event = std::move(s->queue.front());
    s->queue.pop_front();
    s->busy = true;
    lock.unlock();
    Status st = PostEvent(s->url, s->api_key, event, s->timeout, 3);
    lock.lock();
    s->busy = false;
    if (!st.ok()) {
      ++s->undelivered;
      s->last_error = st.message();
    }
    s->cv.notify_all();
  }
}

int64_t HttpSender::Drain(double seconds, std::string* last_error) {
  std::unique_lock lock(state_->mu);
  state_->cv.wait_for(lock, std::chrono::milliseconds(static_cast<int64_t>(seconds * 1000)),
                      [&] { return state_->queue.empty() && !state_->busy; });
  if (last_error != nullptr) *last_error = state_->last_error;
  return state_->undelivered + static_cast<int64_t>(state_->queue.size()) + (state_->busy ? 1 : 0);
}

}  // namespace strata::lineage
