// Appends/s of one tenant with N writers, each appending to its own conversation
// and waiting for durability before the next (what a connected client does).
// Usage: bench_storage_sqlite (or bench_storage_postgres) [writers=64] [seconds=5] [dir=temp]
//
// With RATE=R in the environment it offers R appends/s instead (open loop, like the
// server's visitors: one thread issues them round-robin over CONVERSATIONS=1000
// conversations without waiting, another waits for each in turn) and prints the
// process's CPU per durable append: the storage plugin's own cost per message,
// apart from the network and the engine. STORAGE_CONFIG="key=value,..." sets the
// instance's config keys (e.g. commit_delay_us=0,cache_mib=2).
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <tuple>
#include <utility>
#include <vector>

#include "storage_harness.hpp"

using namespace storage_test;

namespace {

double process_cpu_s() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  const auto seconds = [](const timeval& t) { return t.tv_sec + t.tv_usec / 1e6; };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

// CPU seconds of each thread of this process by name (the plugin names its own:
// sqlite-writer, sqlite-applier, ...), read before the threads end.
std::map<std::string, double> thread_cpu_s() {
  std::map<std::string, double> out;
  for (const auto& task : std::filesystem::directory_iterator("/proc/self/task")) {
    std::ifstream stat(task.path() / "stat");
    std::string line;
    std::getline(stat, line);
    const size_t open = line.find('(');
    const size_t close = line.rfind(')');
    if (open == std::string::npos || close == std::string::npos) continue;
    std::istringstream fields(line.substr(close + 2));
    std::string field;
    double ticks = 0;
    for (int i = 3; fields >> field && i <= 15; ++i)
      if (i == 14 || i == 15) ticks += std::stod(field);
    out[line.substr(open + 1, close - open - 1)] +=
        ticks / static_cast<double>(sysconf(_SC_CLK_TCK));
  }
  return out;
}

// CPU seconds of the busiest thread of this process (the plugin's writer, under
// this load).
double busiest_thread_cpu_s(const std::map<std::string, double>& threads) {
  double busiest = 0;
  for (const auto& [name, seconds] : threads) busiest = std::max(busiest, seconds);
  return busiest;
}

Storage::Config config_from_env() {
  Storage::Config config;
  const char* text = std::getenv("STORAGE_CONFIG");
  std::string rest = text ? text : "";
  while (!rest.empty()) {
    const size_t comma = rest.find(',');
    const std::string pair = rest.substr(0, comma);
    rest = comma == std::string::npos ? "" : rest.substr(comma + 1);
    const size_t eq = pair.find('=');
    if (eq != std::string::npos) config[pair.substr(0, eq)] = pair.substr(eq + 1);
  }
  return config;
}

int run_at_rate(double rate, int conversations, int seconds, const std::string& dir) {
  Storage storage(dir, config_from_env());
  std::mutex mutex;
  // Each append with when it was issued: the waiter takes them in order, so an
  // append's latency (issue to durable) is read within its wake-up time (≤ 0.2 ms).
  std::deque<std::pair<Call, std::chrono::steady_clock::time_point>> issued;
  bool done = false;
  uint64_t appended = 0, failed = 0;
  std::vector<double> ack_ms;
  std::thread waiter([&] {
    for (;;) {
      Call call;
      std::chrono::steady_clock::time_point at;
      {
        std::lock_guard lock(mutex);
        if (issued.empty()) {
          if (done) return;
        } else {
          std::tie(call, at) = issued.front();
          issued.pop_front();
        }
      }
      if (!call.op && call.status == -1) {
        std::this_thread::sleep_for(std::chrono::microseconds(200));
        continue;
      }
      (Storage::wait(call).ok() ? appended : failed)++;
      ack_ms.push_back(
          std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - at).count());
    }
  });
  std::vector<uint64_t> next_seq(static_cast<size_t>(conversations), 1);
  Message m;
  m.text = "a typical chat message of about sixty bytes, give or take..";
  const auto started = std::chrono::steady_clock::now();
  const double cpu_before = process_cpu_s();
  const uint64_t total = static_cast<uint64_t>(rate * seconds);
  for (uint64_t i = 0; i < total; ++i) {
    std::this_thread::sleep_until(started + std::chrono::duration_cast<std::chrono::nanoseconds>(
                                                std::chrono::duration<double>(i / rate)));
    const auto c = static_cast<size_t>(i % static_cast<uint64_t>(conversations));
    m.conversation_id = "c-" + std::to_string(c);
    m.seq = next_seq[c]++;
    m.message_id = m.conversation_id + "-" + std::to_string(m.seq);
    const auto at = std::chrono::steady_clock::now();
    Call call = storage.append(m);
    std::lock_guard lock(mutex);
    issued.emplace_back(call, at);
  }
  {
    std::lock_guard lock(mutex);
    done = true;
  }
  waiter.join();
  const auto threads = thread_cpu_s();  // the plugin's threads still run
  const double writer_cpu_s = busiest_thread_cpu_s(threads);
  const double cpu_s = process_cpu_s() - cpu_before;
  const double elapsed_s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  const auto lines = storage.log_lines("commit:");
  const auto commits = lines.size();
  // "commit: N writes (...) in X ms": how long the writer held each batch.
  std::vector<double> commit_ms;
  for (const auto& line : lines)
    commit_ms.push_back(std::atof(line.c_str() + line.rfind(" in ") + 4));
  std::sort(commit_ms.begin(), commit_ms.end());
  const auto at = [&](double q) {
    return commit_ms.empty() ? 0.0 : commit_ms[static_cast<size_t>(q * (commit_ms.size() - 1))];
  };
  // storage-sqlite's checkpointer: "checkpoint: C of W WAL frames ... after X ms".
  std::vector<double> checkpoint_ms;
  for (const auto& line : storage.log_lines("checkpoint:"))
    checkpoint_ms.push_back(std::atof(line.c_str() + line.rfind(" after ") + 7));
  std::sort(checkpoint_ms.begin(), checkpoint_ms.end());
  if (!checkpoint_ms.empty())
    std::printf("checkpoints=%zu checkpoint_ms_p50=%.2f max=%.2f\n", checkpoint_ms.size(),
                checkpoint_ms[checkpoint_ms.size() / 2], checkpoint_ms.back());
  // storage-sqlite's search indexing: "search index: N messages in X ms".
  std::vector<double> index_ms;
  for (const auto& line : storage.log_lines("search index:"))
    index_ms.push_back(std::atof(line.c_str() + line.rfind(" in ") + 4));
  std::sort(index_ms.begin(), index_ms.end());
  if (!index_ms.empty())
    std::printf("index_passes=%zu index_ms_p50=%.2f p99=%.2f max=%.2f\n", index_ms.size(),
                index_ms[index_ms.size() / 2], index_ms[(index_ms.size() - 1) * 99 / 100],
                index_ms.back());
  // Per thread: which of the plugin's threads does the work (with the durable log,
  // the writer only logs and the applier applies).
  for (const auto& [name, seconds] : threads) {
    if (name.rfind("sqlite-", 0) == 0 && appended > 0)
      std::printf("thread %s cpu_us_per_append=%.1f\n", name.c_str(),
                  seconds * 1e6 / static_cast<double>(appended));
  }
  std::sort(ack_ms.begin(), ack_ms.end());
  const auto ack_at = [&](double q) {
    return ack_ms.empty() ? 0.0 : ack_ms[static_cast<size_t>(q * (ack_ms.size() - 1))];
  };
  std::printf("append_to_durable_ms p50=%.2f p99=%.2f p999=%.2f max=%.2f\n", ack_at(0.5),
              ack_at(0.99), ack_at(0.999), ack_at(1.0));
  std::error_code ignored;
  const auto wal_bytes = std::filesystem::file_size(dir + "/switchboard.db-wal", ignored);
  std::printf(
      "rate=%.0f conversations=%d seconds=%.2f appends=%llu failed=%llu commits=%zu "
      "messages_per_commit=%.1f commit_ms_p50=%.2f p99=%.2f p999=%.2f max=%.2f wal_mib=%.1f "
      "cpu_us_per_append=%.1f busiest_thread_us_per_append=%.1f\n",
      rate, conversations, elapsed_s, static_cast<unsigned long long>(appended),
      static_cast<unsigned long long>(failed), commits,
      commits ? static_cast<double>(appended) / commits : 0.0, at(0.5), at(0.99), at(0.999),
      at(1.0), wal_bytes == static_cast<std::uintmax_t>(-1) ? 0.0 : wal_bytes / 1048576.0,
      appended ? cpu_s * 1e6 / static_cast<double>(appended) : 0.0,
      appended ? writer_cpu_s * 1e6 / static_cast<double>(appended) : 0.0);
  return failed == 0 ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  if (const char* rate = std::getenv("RATE")) {
    const char* conversations = std::getenv("CONVERSATIONS");
    TempDir temp;
    return run_at_rate(std::atof(rate), conversations ? std::atoi(conversations) : 1000,
                       argc > 2 ? std::atoi(argv[2]) : 5, argc > 3 ? argv[3] : temp.str());
  }
  const int writers = argc > 1 ? std::atoi(argv[1]) : 64;
  const int seconds = argc > 2 ? std::atoi(argv[2]) : 5;
  TempDir temp;
  const std::string dir = argc > 3 ? argv[3] : temp.str();
  Storage storage(dir);
  std::atomic<bool> stop{false};
  std::atomic<uint64_t> appended{0}, failed{0};
  std::vector<std::thread> threads;
  const auto started = std::chrono::steady_clock::now();
  for (int w = 0; w < writers; ++w) {
    threads.emplace_back([&, w] {
      Message m;
      m.conversation_id = "bench-" + std::to_string(w);
      m.text = "a typical chat message of about sixty bytes, give or take..";
      for (uint64_t seq = 1; !stop.load(std::memory_order_relaxed); ++seq) {
        m.seq = seq;
        (Storage::wait(storage.append(m)).ok() ? appended : failed)++;
      }
    });
  }
  std::this_thread::sleep_for(std::chrono::seconds(seconds));
  stop = true;
  for (auto& t : threads) t.join();
  const double elapsed_s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  const auto lines = storage.log_lines("commit:");
  const auto commits = lines.size();
  // "commit: N writes (...) in X ms": the writer's own time per transaction.
  std::vector<double> commit_ms;
  for (const auto& line : lines)
    commit_ms.push_back(std::atof(line.c_str() + line.rfind(" in ") + 4));
  std::sort(commit_ms.begin(), commit_ms.end());
  const double median_commit_ms = commit_ms.empty() ? 0.0 : commit_ms[commit_ms.size() / 2];
  std::printf(
      "writers=%d seconds=%.2f appends=%llu failed=%llu appends_per_s=%.0f commits=%zu "
      "messages_per_commit=%.1f median_commit_ms=%.2f\n",
      writers, elapsed_s, static_cast<unsigned long long>(appended.load()),
      static_cast<unsigned long long>(failed.load()), appended.load() / elapsed_s, commits,
      commits ? static_cast<double>(appended.load()) / commits : 0.0, median_commit_ms);
  return failed.load() == 0 ? 0 : 1;
}
