// DurableLog: the append-only file that makes a write durable before SQLite has
// it (tests/bench/RESULTS.md, "Eighth pass: durable log").
//
// An acknowledgement needs the write on disk, not in the database's B-trees: the
// writer appends each batch as one record (one writev, one fdatasync), completes
// its ops, and applies logged batches to SQLite later in large transactions that
// store the last applied batch number beside the data (table durable_logs). A
// record is
//
//   u32 payload length | u32 crc32c of (batch number, payload) | u64 batch | payload
//
// little-endian. After a crash the records past the applied number are applied
// again; the first record that is short or fails its checksum ends the log (a
// torn tail: its batch was never acknowledged), and the file is cut there.
//
// Each writer has a log file of its own, `<database>-dlog-<pid>-<nanoseconds>`,
// locked with flock while the writer lives: two instances on one file (a tenant
// reload) never share a log, and a log whose lock is free at open is an orphan of
// a stopped or killed process, applied and removed by the instance that opens.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "operations.hpp"

namespace switchboard::sqlite {

struct LogRecord {
  uint64_t batch = 0;
  std::string payload;
};

class DurableLog {
 public:
  // Creates a new log file beside database (exclusive, locked) and makes its name
  // durable in the directory. Throws std::runtime_error naming the file.
  static std::unique_ptr<DurableLog> create(const std::string& database);
  // Opens an existing log when its lock is free and it is still the file at path
  // (not removed meanwhile by another instance); nullptr otherwise.
  static std::unique_ptr<DurableLog> adopt(const std::string& path);
  // The log files beside database, whether live or orphaned.
  static std::vector<std::string> list(const std::string& database);

  ~DurableLog();
  DurableLog(const DurableLog&) = delete;
  DurableLog& operator=(const DurableLog&) = delete;

  // Every whole, valid record from the start of the file. The file is cut after the
  // last of them (and that made durable) so that appends follow whole records;
  // dropped_bytes says how much of a torn tail went.
  std::vector<LogRecord> recover(uint64_t& dropped_bytes, std::string& error);
  // One record: one writev, then fdatasync. "" or why it failed; a failed append
  // is cut off again. broken() says whether the record may still be in the file
  // (the fdatasync or the cut failed): the log takes no more records then.
  std::string append(uint64_t batch, std::string_view payload);
  // Empties the file (every record in it is applied and durable in SQLite).
  std::string truncate();
  // Unlinks the file (and syncs the directory); the lock goes with close.
  std::string remove();

  uint64_t size() const { return size_; }
  const std::string& path() const { return path_; }
  // The file name alone: the key of its row in durable_logs.
  const std::string& name() const { return name_; }
  bool broken() const { return broken_; }

 private:
  DurableLog(int fd, std::string path, uint64_t size);

  int fd_ = -1;
  std::string path_;
  std::string name_;
  uint64_t size_ = 0;
  bool broken_ = false;
};

// The ops a log record carries: the writes whose effect needs no answer from the
// database (append_message, put_conversation, set_read, kv_put).
bool is_loggable(const WriteOp& op);
// Appends op's command (is_loggable) to payload.
void encode_op(const WriteOp& op, std::string& payload);
// The ops of one payload; false when it does not parse (a bug or a foreign file:
// the checksum matched).
bool decode_ops(std::string_view payload, std::vector<WriteOp>& out);

// What one writer with a durable log has acknowledged and applied, in ops since it
// started, for the reads of the same file in this process to wait on: a read
// issued after an acknowledgement must see that write, and until the applier has
// reached it only the log holds it.
class ApplyProgress {
 public:
  explicit ApplyProgress(std::function<void()> wake_writer)
      : wake_writer_(std::move(wake_writer)) {}

  // The writer, before it completes ops it logged / after a commit applied ops.
  void add_logged(uint64_t ops) { logged_.fetch_add(ops, std::memory_order_release); }
  void add_applied(uint64_t ops);
  // The writer stops: everything is applied; nobody waits any more.
  void close();
  // Whether a reader asked for an apply now (cleared by the call).
  bool take_wanted() { return wanted_.exchange(false, std::memory_order_acq_rel); }

  uint64_t logged() const { return logged_.load(std::memory_order_acquire); }
  // Waits until the writer applied target ops (asking it to apply now); false on timeout.
  bool wait_applied(uint64_t target, std::chrono::steady_clock::time_point deadline);

 private:
  std::atomic<uint64_t> logged_{0};
  std::atomic<bool> wanted_{false};
  std::mutex mutex_;
  std::condition_variable changed_;
  uint64_t applied_ = 0;
  bool closed_ = false;
  std::function<void()> wake_writer_;  // cleared by close()
};

// The writers with a durable log on each database file of this process (several
// during a tenant reload). Shared by the instances' threads: a process-wide table
// is the one place where the instances of one file meet.
void register_progress(const std::string& database, const std::shared_ptr<ApplyProgress>& p);
void unregister_progress(const std::string& database, const ApplyProgress* p);
// Waits until every writer on database applied what it had acknowledged when the
// call began. False when one has not by timeout.
bool wait_until_applied(const std::string& database, std::chrono::milliseconds timeout);

}  // namespace switchboard::sqlite
