// A Kafka peer for the stream tests and benchmark, on librdkafka alone:
//
//   strata_kafka_tool mock BOOTSTRAP_FILE [--brokers N] TOPIC:PARTITIONS...
//       starts librdkafka's mock cluster (the Kafka protocol over TCP on 127.0.0.1), makes
//       the topics, writes "host:port,..." to BOOTSTRAP_FILE and serves until SIGTERM/SIGINT.
//   strata_kafka_tool produce BOOTSTRAP TOPIC --from S --count N [--bad-every K] [--rate R]
//       produces N JSON messages {"seq":S..S+N-1,"event_score":..,"user":..,"sent_ms":..},
//       spread over the partitions by seq; every K-th one malformed (not JSON, a wrong type,
//       oversized: 100 KB, in turn); R messages per second at most (0: as fast as possible).
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

namespace {

volatile std::sig_atomic_t g_stop = 0;
void OnSignal(int) { g_stop = 1; }

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

int Mock(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: mock BOOTSTRAP_FILE [--brokers N] TOPIC:PARTITIONS...\n");
    return 2;
  }
  const std::string file = argv[2];
  int brokers = 3;
  std::vector<std::pair<std::string, int>> topics;
  for (int i = 3; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--brokers" && i + 1 < argc) {
      brokers = std::atoi(argv[++i]);
      continue;
    }
    const size_t colon = a.find(':');
    topics.emplace_back(a.substr(0, colon),
                        colon == std::string::npos ? 1 : std::atoi(a.c_str() + colon + 1));
  }
  char err[512];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  rd_kafka_conf_set(conf, "log_level", "0", err, sizeof err);
  rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
  if (rk == nullptr) {
    std::fprintf(stderr, "mock: %s\n", err);
    return 1;
  }
  rd_kafka_mock_cluster_t* mc = rd_kafka_mock_cluster_new(rk, brokers);
  if (mc == nullptr) {
    std::fprintf(stderr, "mock: the cluster did not start\n");
    return 1;
  }
  for (const auto& [name, n] : topics) {
    if (rd_kafka_mock_topic_create(mc, name.c_str(), n, std::min(brokers, 3)) !=
        RD_KAFKA_RESP_ERR_NO_ERROR) {
      std::fprintf(stderr, "mock: topic %s cannot be made\n", name.c_str());
      return 1;
    }
  }
  {
    std::ofstream out(file + ".tmp");
    out << rd_kafka_mock_cluster_bootstraps(mc) << "\n";
  }
  std::rename((file + ".tmp").c_str(), file.c_str());
  std::signal(SIGTERM, OnSignal);
  std::signal(SIGINT, OnSignal);
  while (!g_stop) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  rd_kafka_mock_cluster_destroy(mc);
  rd_kafka_destroy(rk);
  return 0;
}

int Produce(int argc, char** argv) {
  if (argc < 4) {
    std::fprintf(stderr,
                 "usage: produce BOOTSTRAP TOPIC --from S --count N [--bad-every K] [--rate R]\n");
    return 2;
  }
  const std::string bootstrap = argv[2], topic = argv[3];
  long long from = 0, count = 0, bad_every = 0, rate = 0;
  for (int i = 4; i + 1 < argc; i += 2) {
    const std::string a = argv[i];
    const long long v = std::atoll(argv[i + 1]);
    if (a == "--from") from = v;
    if (a == "--count") count = v;
    if (a == "--bad-every") bad_every = v;
    if (a == "--rate") rate = v;
  }
  char err[512];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  const std::vector<std::pair<const char*, std::string>> props = {
      {"bootstrap.servers", bootstrap}, {"linger.ms", rate > 0 ? "1" : "20"},
      {"batch.num.messages", "10000"},  {"queue.buffering.max.messages", "1000000"},
      {"enable.idempotence", "true"},   {"message.max.bytes", "4000000"}};
  for (const auto& [k, v] : props) {
    if (rd_kafka_conf_set(conf, k, v.c_str(), err, sizeof err) != RD_KAFKA_CONF_OK) {
      std::fprintf(stderr, "produce: %s: %s\n", k, err);
      return 1;
    }
  }
  rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
  if (rk == nullptr) {
    std::fprintf(stderr, "produce: %s\n", err);
    return 1;
  }
  const rd_kafka_metadata_t* md = nullptr;
  rd_kafka_topic_t* rkt = rd_kafka_topic_new(rk, topic.c_str(), nullptr);
  if (rd_kafka_metadata(rk, 0, rkt, &md, 10000) != RD_KAFKA_RESP_ERR_NO_ERROR ||
      md->topic_cnt != 1 || md->topics[0].partition_cnt <= 0) {
    std::fprintf(stderr, "produce: topic %s not found\n", topic.c_str());
    return 1;
  }
  const int partitions = md->topics[0].partition_cnt;
  rd_kafka_metadata_destroy(md);
  rd_kafka_topic_destroy(rkt);
  const auto start = std::chrono::steady_clock::now();
  const std::string big(100 << 10, 'x');  // above a test's 64KB max_message_bytes
  char buf[256];
  for (long long i = 0; i < count; ++i) {
    const long long seq = from + i;
    std::string value;
    if (bad_every > 0 && (i + 1) % bad_every == 0) {
      switch ((i / bad_every) % 3) {
        case 0:
          std::snprintf(buf, sizeof buf, "not json %lld", seq);
          value = buf;
          break;
        case 1:
          std::snprintf(buf, sizeof buf,
                        "{\"seq\":%lld,\"event_score\":\"high\",\"user\":\"u%lld\"}", seq,
                        seq % 1000);
          value = buf;
          break;
        default:
          value = "{\"seq\":" + std::to_string(seq) + ",\"pad\":\"" + big + "\"}";
          break;
      }
    } else {
      std::snprintf(buf, sizeof buf,
                    "{\"seq\":%lld,\"event_score\":%.4f,\"user\":\"u%03lld\",\"kind\":\"view\","
                    "\"sent_ms\":%lld}",
                    seq, static_cast<double>((seq * 7919) % 10000) / 10000.0, seq % 1000,
                    static_cast<long long>(NowMs()));
      value = buf;
    }
    const std::string key = "k" + std::to_string(seq);
    for (;;) {
      rd_kafka_resp_err_t e =
          rd_kafka_producev(rk, RD_KAFKA_V_TOPIC(topic.c_str()),
                            RD_KAFKA_V_PARTITION(static_cast<int32_t>(seq % partitions)),
                            RD_KAFKA_V_VALUE(const_cast<char*>(value.data()), value.size()),
                            RD_KAFKA_V_KEY(key.data(), key.size()),
                            RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_END);
      if (e == RD_KAFKA_RESP_ERR_NO_ERROR) break;
      if (e != RD_KAFKA_RESP_ERR__QUEUE_FULL) {
        std::fprintf(stderr, "produce: %s\n", rd_kafka_err2str(e));
        return 1;
      }
      rd_kafka_poll(rk, 10);
    }
    rd_kafka_poll(rk, 0);
    if (rate > 0 && (i + 1) % 100 == 0) {
      const auto due = start + std::chrono::microseconds((i + 1) * 1000000 / rate);
      std::this_thread::sleep_until(due);
    }
  }
  if (rd_kafka_flush(rk, 120000) != RD_KAFKA_RESP_ERR_NO_ERROR) {
    std::fprintf(stderr, "produce: not every message was delivered\n");
    return 1;
  }
  rd_kafka_destroy(rk);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc >= 2 && std::strcmp(argv[1], "mock") == 0) return Mock(argc, argv);
  if (argc >= 2 && std::strcmp(argv[1], "produce") == 0) return Produce(argc, argv);
  std::fprintf(stderr, "usage: strata_kafka_tool mock|produce ...\n");
  return 2;
}
