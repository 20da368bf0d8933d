// Appends/s of one tenant with N writers, each appending to its own conversation
// and waiting for durability before the next (what a connected client does).
// Usage: bench_storage_sqlite (or bench_storage_postgres) [writers=64] [seconds=5] [dir=temp]
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <thread>
#include <vector>

#include "storage_harness.hpp"

using namespace storage_test;

int main(int argc, char** argv) {
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
