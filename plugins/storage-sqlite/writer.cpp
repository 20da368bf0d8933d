#include "writer.hpp"

#include <pthread.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <stdexcept>

#include "blob_files.hpp"
#include "schema.hpp"

namespace switchboard::sqlite {

Writer::Statements::Statements(Connection& db)
    : insert_message(
          db,
          "INSERT INTO messages (conversation_id, seq, message_id, sender_role, sender_id, "
          "sender_name, client_msg_id, text, ts_ms, flags, attachments) VALUES (?1, ?2, ?3, ?4, "
          "?5, ?6, ?7, ?8, ?9, ?10, ?11)"),
      // The rows above the mark (schema.cpp, version 9) are the ones not indexed yet.
      count_unindexed(
          db, "SELECT count(*) FROM messages WHERE rowid > (SELECT indexed_upto FROM search_mark)"),
      // One slice: the next rows above the mark, at most ?1 of them (index_slice).
      slice_end(db,
                "SELECT max(rowid) FROM (SELECT rowid FROM messages WHERE rowid > (SELECT "
                "indexed_upto FROM search_mark) ORDER BY rowid LIMIT ?1)"),
      index_unindexed(db,
                      "INSERT INTO messages_fts (rowid, text) SELECT rowid, text FROM messages "
                      "WHERE rowid > (SELECT indexed_upto FROM search_mark) AND rowid <= ?1"),
      advance_mark(db, "UPDATE search_mark SET indexed_upto = ?1"),
      merge_index(db, "INSERT INTO messages_fts (messages_fts, rank) VALUES ('merge', ?1)"),
      // REPLACE (not an upsert) gives the row a new rowid, which breaks ties in
      // "newest first" in favour of the record put last.
      put_conversation(db,
                       "INSERT OR REPLACE INTO conversations (id, status, visitor_id, assignee, "
                       "updated_ms, doc, group_name, created_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, "
                       "?7, ?8)"),
      delete_tags(db, "DELETE FROM conversation_tags WHERE conversation_id = ?1"),
      insert_tag(db,
                 "INSERT OR IGNORE INTO conversation_tags (tag, conversation_id) VALUES (?1, ?2)"),
      set_read(
          db,
          "INSERT INTO read_cursors (conversation_id, participant_id, seq) VALUES (?1, ?2, ?3) "
          "ON CONFLICT (conversation_id, participant_id) DO UPDATE SET seq = max(seq, "
          "excluded.seq)"),
      kv_put(db, "INSERT OR REPLACE INTO kv (ns, key, value) VALUES (?1, ?2, ?3)"),
      kv_delete(db, "DELETE FROM kv WHERE ns = ?1 AND key = ?2"),
      blob_total(db, "SELECT coalesce(sum(size), 0) FROM blobs"),
      insert_blob(db, "INSERT INTO blobs (id, size, meta, created_ms) VALUES (?1, ?2, ?3, ?4)"),
      delete_blob(db, "DELETE FROM blobs WHERE id = ?1"),
      // The highest seq given out: pruned entries leave theirs in log_counters.
      last_log_seq(db,
                   "SELECT max(coalesce((SELECT max(seq) FROM log_entries WHERE log = ?1), 0), "
                   "coalesce((SELECT last_seq FROM log_counters WHERE log = ?1), 0))"),
      insert_log(db,
                 "INSERT INTO log_entries (log, seq, ts_ms, kind, actor, data) VALUES (?1, ?2, ?3, "
                 "?4, ?5, ?6)"),
      delete_messages(db, "DELETE FROM messages WHERE conversation_id = ?1"),
      delete_read_cursors(db, "DELETE FROM read_cursors WHERE conversation_id = ?1"),
      delete_conversation(db, "DELETE FROM conversations WHERE id = ?1"),
      keep_log_counter(db,
                       "INSERT INTO log_counters (log, last_seq) SELECT ?1, max(seq) FROM "
                       "log_entries WHERE log = ?1 HAVING max(seq) IS NOT NULL ON CONFLICT (log) "
                       "DO UPDATE SET last_seq = max(last_seq, excluded.last_seq)"),
      prune_log(db, "DELETE FROM log_entries WHERE log = ?1 AND ts_ms < ?2"),
      read_log_mark(db, "SELECT applied_batch FROM durable_logs WHERE name = ?1"),
      set_log_mark(db,
                   "INSERT INTO durable_logs (name, applied_batch) VALUES (?1, ?2) ON CONFLICT "
                   "(name) DO UPDATE SET applied_batch = excluded.applied_batch"),
      drop_log_mark(db, "DELETE FROM durable_logs WHERE name = ?1") {}

Writer::Writer(HostRef host, const std::string& path, const StorageConfig& config)
    : host_(host),
      path_(path),
      max_batch_(config.max_batch_messages),
      commit_delay_(config.commit_delay_us),
      checkpoint_pages_(config.checkpoint_pages),
      db_(path, /*create=*/true),
      queue_(config.max_pending_messages),
      apply_delay_(config.durable_log_apply_ms) {
  configure_connection(db_, config.busy_timeout_ms);
  refuse_newer_schema(db_, path);
  // WAL lets the reader connection read while a commit runs; with synchronous=FULL
  // a commit returns only after the WAL is fsynced, which is what SB_OK promises.
  const std::string mode = db_.query_text("PRAGMA journal_mode = WAL");
  if (mode != "wal") {
    throw std::runtime_error("storage-sqlite: " + path + " cannot use WAL mode (journal_mode is '" +
                             mode + "'); is the file on a file system without shared memory?");
  }
  db_.exec_or_throw("PRAGMA synchronous = FULL");
  db_.exec_or_throw(("PRAGMA cache_size = -" + std::to_string(config.cache_mib * 1024)).c_str());
  migrate(db_, path);
  statements_.emplace(db_);
  // FTS5 merges the index's segments on its own when a level fills up, all of a
  // level at once: at 10,000 messages/s that stalled the writer for 20-40 ms now and
  // then, and every append waiting behind it. index_slice() merges instead, a
  // bounded amount after each slice (kMergePages). Kept in the table's config.
  db_.exec_or_throw("INSERT INTO messages_fts (messages_fts, rank) VALUES ('automerge', 0)");
  // Replaces SQLite's automatic checkpoint, which ran inside a COMMIT.
  checkpointer_.emplace(host, path, config.busy_timeout_ms);
  sqlite3_wal_hook(db_.get(), &Writer::on_wal_commit, this);
  {
    // Left above the mark by a crash (the kill -9 of a server whose writer had
    // not indexed its last appends yet): indexed at the first chance.
    Statement& count = statements_->count_unindexed;
    ResetOnExit reset(count);
    if (count.step() == SQLITE_ROW) unindexed_ = static_cast<size_t>(count.column_int(0));
    unindexed_since_ = std::chrono::steady_clock::now() - kIndexDelay;
  }
  // Before this writer's own log, and also with durable_log off: writes an earlier
  // writer acknowledged from its log are in no other place.
  recover_orphaned_logs();
  if (config.durable_log) {
    lookup_db_.emplace(path, /*create=*/false);
    configure_connection(*lookup_db_, config.busy_timeout_ms);
    lookup_highest_seq_.emplace(*lookup_db_,
                                "SELECT max(seq) FROM messages WHERE conversation_id = ?1");
    lookup_message_.emplace(*lookup_db_,
                            "SELECT 1 FROM messages WHERE conversation_id = ?1 AND seq = ?2");
    log_ = DurableLog::create(path);
    progress_ = std::make_shared<ApplyProgress>([this] { wake_applier(); });
    register_progress(path_, progress_);
    // From here on the database connection is the applier's until it stops.
    applier_ = std::thread([this] { run_applier(); });
  }
  thread_ = std::thread([this] { run(); });
}

Writer::~Writer() {
  queue_.close();
  if (thread_.joinable()) thread_.join();
}

void Writer::run() {
  // Named, like the plugin's other threads, so that `top -H`, `perf sched
  // timehist` and tests/bench/offcpu.py tell them apart from the server's loops.
  pthread_setname_np(pthread_self(), "sqlite-writer");
  std::vector<WriteOp> batch;
  batch.reserve(max_batch_);
  std::vector<std::string> errors;
  std::vector<std::string> results;
  size_t previous_batch = 0;
  for (;;) {
    // Idle with messages not indexed yet: wake when they are due (with the log on,
    // the applier indexes).
    const bool index_here = !log_ && unindexed_ > 0;
    const bool open =
        index_here ? queue_.pop_batch_until(batch, max_batch_, unindexed_since_ + kIndexDelay)
                   : queue_.pop_batch(batch, max_batch_);
    if (!open) break;
    if (!batch.empty()) {
      // Writes keep coming (the last transaction carried more than one): let more
      // join this one. A lone write, the common case on a quiet tenant, never waits.
      if (commit_delay_.count() > 0 && previous_batch > 1 && batch.size() < max_batch_)
        queue_.top_up_until(batch, max_batch_, std::chrono::steady_clock::now() + commit_delay_);
      previous_batch = batch.size();
      if (loggable(batch)) {
        results.assign(batch.size(), std::string());
        log_batch(batch, errors);
      } else if (log_) {
        commit_through_applier(batch, errors, results);
      } else {
        commit_batch(batch, errors, results);
        settle_files(batch, errors);
      }
      // Room is freed before the completions go out: whoever sees an op complete
      // can issue the next write without meeting "storage overloaded" because of it.
      queue_.finished(batch.size());
      for (size_t i = 0; i < batch.size(); ++i) {
        if (errors[i].empty()) {
          host_.complete_ok(batch[i].op, results[i]);
        } else {
          host_.complete_error(batch[i].op, errors[i]);
        }
      }
    }
    if (log_) continue;
    // After the completions: neither a checkpoint nor indexing delays an
    // acknowledgement it could have followed.
    if (checkpoint_here_) checkpoint_at_cap();
    if (unindexed_ >= kIndexBatch ||
        (unindexed_ > 0 && std::chrono::steady_clock::now() >= unindexed_since_ + kIndexDelay)) {
      index_slice();
    }
  }
  if (applier_.joinable()) {
    {
      std::lock_guard lock(apply_mutex_);
      applier_stopping_ = true;
    }
    apply_changed_.notify_all();
    applier_.join();
  }
  // The connection is this thread's again.
  close_log();
  // A clean stop leaves nothing to index.
  while (unindexed_ > 0 && index_slice() > 0) {
  }
}

int Writer::on_wal_commit(void* writer, sqlite3* /*db*/, const char* /*schema*/, int frames) {
  Writer& self = *static_cast<Writer*>(writer);
  if (frames < self.frames_at_request_) self.frames_at_request_ = 0;  // the WAL started again
  if (frames - self.frames_at_request_ >= self.checkpoint_pages_) {
    self.frames_at_request_ = frames;
    self.checkpointer_->request();
  }
  self.checkpoint_here_ = frames >= kCheckpointCap * self.checkpoint_pages_;
  return SQLITE_OK;
}

// Under a steady load the checkpointer's passes seldom end between two commits, and
// only a transaction that opens after a complete pass starts the WAL again. Here,
// between this writer's transactions, the pass copies everything: only the frames
// since the checkpointer's last pass are left by then. BUSY (a pass under way) is
// tried again after the next commit.
void Writer::checkpoint_at_cap() {
  checkpoint_here_ = false;
  int wal_frames = 0;
  int copied = 0;
  const auto started = std::chrono::steady_clock::now();
  const int rc = sqlite3_wal_checkpoint_v2(db_.get(), nullptr, SQLITE_CHECKPOINT_PASSIVE,
                                           &wal_frames, &copied);
  if (rc != SQLITE_OK) return;
  char line[128];
  std::snprintf(
      line, sizeof line, "checkpoint by the writer: %d of %d WAL frames copied in %.2f ms", copied,
      wal_frames,
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started)
          .count());
  host_.log(SB_LOG_DEBUG, line);
}

size_t Writer::index_slice() {
  const auto started = std::chrono::steady_clock::now();
  std::string error;
  int64_t upto = 0;
  size_t indexed = 0;
  const auto run = [&](Statement& s) {
    ResetOnExit reset(s);
    if (s.step() != SQLITE_DONE) error = db_.last_error();
    return error.empty();
  };
  const auto find_end = [&] {
    Statement& end = statements_->slice_end;
    ResetOnExit reset(end);
    end.bind(1, static_cast<int64_t>(kIndexSlice));
    if (end.step() == SQLITE_ROW) {
      upto = end.column_int(0);  // NULL, read as 0, when nothing is above the mark
      return true;
    }
    error = db_.last_error();
    return false;
  };
  // The index and the mark move together in one transaction, so a crash loses both
  // or neither: losing both only means indexing those rows again at the next start.
  // That is why this commit need not wait for an fsync (synchronous=NORMAL: in WAL
  // mode no sync at commit); the next message commit's fsync covers it anyway, the
  // WAL being written in order.
  db_.exec("PRAGMA synchronous = NORMAL", error);
  if (error.empty() && db_.exec("BEGIN IMMEDIATE", error) == SQLITE_OK && find_end()) {
    bool ok = true;
    if (upto > 0) {
      statements_->index_unindexed.bind(1, upto);
      statements_->advance_mark.bind(1, upto);
      ok = run(statements_->index_unindexed);
      indexed = ok ? static_cast<size_t>(sqlite3_changes(db_.get())) : 0;
      ok = ok && run(statements_->advance_mark);
    }
    // At most about kMergePages pages of segment merging, and only where a level
    // holds enough segments to be worth it (FTS5's usermerge, 4).
    if (ok) {
      statements_->merge_index.bind(1, static_cast<int64_t>(kMergePages));
      ok = run(statements_->merge_index);
    }
    if (ok && db_.exec("COMMIT", error) == SQLITE_OK) {
      std::string sync_error;
      db_.exec("PRAGMA synchronous = FULL", sync_error);
      if (!sync_error.empty()) throw std::runtime_error("storage-sqlite: " + sync_error);
      char line[96];
      std::snprintf(
          line, sizeof line, "search index: %zu messages in %.2f ms", indexed,
          std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started)
              .count());
      host_.log(SB_LOG_DEBUG, line);
      unindexed_ = upto > 0 && indexed < unindexed_ ? unindexed_ - indexed : 0;
      return indexed;
    }
  }
  std::string ignored;
  if (!sqlite3_get_autocommit(db_.get())) db_.exec("ROLLBACK", ignored);
  db_.exec("PRAGMA synchronous = FULL", ignored);
  // The messages are stored and still found by search (reader.cpp scans them):
  // only the index waits. Try again after another delay.
  host_.log(SB_LOG_WARN, "storage: cannot index messages for search, will retry: " + error);
  unindexed_since_ = std::chrono::steady_clock::now();
  return 0;
}

bool Writer::commit_batch(std::span<const WriteOp> batch, std::vector<std::string>& errors,
                          std::vector<std::string>& results, const LogMark* log_mark) {
  std::vector<const WriteOp*> ops;
  ops.reserve(batch.size());
  for (const WriteOp& op : batch) ops.push_back(&op);
  return commit_ops(ops, errors, results, log_mark);
}

bool Writer::commit_ops(std::span<const WriteOp* const> batch, std::vector<std::string>& errors,
                        std::vector<std::string>& results, const LogMark* log_mark) {
  const auto started = std::chrono::steady_clock::now();
  errors.assign(batch.size(), std::string());
  results.assign(batch.size(), std::string());
  auto fail_all = [&](const std::string& why) {
    for (auto& error : errors)
      if (error.empty()) error = why;
  };

  std::string error;
  bool committed = false;
  if (db_.exec("BEGIN IMMEDIATE", error) != SQLITE_OK) {
    fail_all("storage: cannot start a transaction: " + error);
  } else {
    for (size_t i = 0; i < batch.size(); ++i) {
      errors[i] = std::visit([&](const auto& command) { return apply(command, results[i]); },
                             batch[i]->command);
      // Errors such as a full disk roll the whole transaction back: nothing of
      // this batch is stored then, so every op fails.
      if (!errors[i].empty() && sqlite3_get_autocommit(db_.get())) {
        const std::string why = "storage: transaction rolled back: " + errors[i];
        for (auto& e : errors) e = why;
        break;
      }
    }
    if (log_mark && !sqlite3_get_autocommit(db_.get())) {
      Statement& mark = statements_->set_log_mark;
      ResetOnExit reset(mark);
      mark.bind(1, log_mark->name);
      mark.bind(2, log_mark->batch);
      if (mark.step() != SQLITE_DONE) {
        const std::string why = "storage: cannot store the durable log's mark: " + db_.last_error();
        for (auto& e : errors) e = why;
        std::string ignored;
        db_.exec("ROLLBACK", ignored);
      }
    }
    if (!sqlite3_get_autocommit(db_.get())) {
      if (db_.exec("COMMIT", error) == SQLITE_OK) {
        committed = true;
      } else {
        fail_all("storage: commit failed: " + error);
        std::string ignored;
        db_.exec("ROLLBACK", ignored);
      }
    }
  }
  for (size_t i = 0; i < batch.size(); ++i) {
    if (errors[i].empty() && std::holds_alternative<AppendMessage>(batch[i]->command)) {
      if (unindexed_++ == 0) unindexed_since_ = std::chrono::steady_clock::now();
    }
  }

  const double commit_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();

  size_t messages = 0;
  size_t failed = 0;
  for (size_t i = 0; i < batch.size(); ++i) {
    if (std::holds_alternative<AppendMessage>(batch[i]->command)) ++messages;
    if (!errors[i].empty()) ++failed;
  }

  // One line per transaction: what group commit achieved (writes per fsync, time
  // from BEGIN to the end of COMMIT) is visible in the host's debug log, and the
  // unit tests count these lines (logged before the completions, so a test that
  // saw its ops complete sees every line).
  char line[160];
  std::snprintf(line, sizeof line, "%s: %zu writes (%zu messages, %zu failed) in %.2f ms",
                log_mark ? "apply" : "commit", batch.size(), messages, failed, commit_ms);
  host_.log(SB_LOG_DEBUG, line);
  return committed;
}

std::string Writer::apply(const AppendMessage& m, std::string& /*result*/) {
  Statement& s = statements_->insert_message;
  ResetOnExit reset(s);
  s.bind(1, m.conversation_id);
  s.bind(2, m.seq);
  s.bind(3, m.message_id);
  s.bind(4, m.sender_role);
  s.bind(5, m.sender_id);
  s.bind(6, m.sender_name);
  s.bind(7, m.client_msg_id);
  s.bind(8, m.text);
  s.bind(9, m.ts_ms);
  s.bind(10, m.flags);
  s.bind(11, m.attachments);
  const int rc = s.step();
  if (rc == SQLITE_CONSTRAINT_PRIMARYKEY) {
    return "storage: conversation " + m.conversation_id + " already has a message with seq " +
           std::to_string(m.seq);
  }
  if (rc != SQLITE_DONE) return "storage: cannot store message: " + db_.last_error();
  // Searchable once the append completed: its rowid is above the search mark, so
  // search scans it until index_slice indexes it a moment later.
  return {};
}

std::string Writer::apply(const PutConversation& c, std::string& /*result*/) {
  Statement& s = statements_->put_conversation;
  ResetOnExit reset(s);
  s.bind(1, c.id);
  s.bind(2, c.status);
  c.visitor_id ? s.bind(3, *c.visitor_id) : s.bind_null(3);
  c.assignee ? s.bind(4, *c.assignee) : s.bind_null(4);
  s.bind(5, c.updated_ms);
  s.bind(6, c.doc);
  c.group ? s.bind(7, *c.group) : s.bind_null(7);
  c.created_ms ? s.bind(8, *c.created_ms) : s.bind_null(8);
  const auto failed = [&] {
    return "storage: cannot store conversation " + c.id + ": " + db_.last_error();
  };
  if (s.step() != SQLITE_DONE) return failed();
  // The tags are the record's: replaced with it, in the same transaction.
  Statement& drop = statements_->delete_tags;
  ResetOnExit reset_drop(drop);
  drop.bind(1, c.id);
  if (drop.step() != SQLITE_DONE) return failed();
  Statement& add = statements_->insert_tag;
  for (const auto& tag : c.tags) {
    ResetOnExit reset_add(add);
    add.bind(1, tag);
    add.bind(2, c.id);
    if (add.step() != SQLITE_DONE) return failed();
  }
  return {};
}

std::string Writer::apply(const SetRead& r, std::string& /*result*/) {
  Statement& s = statements_->set_read;
  ResetOnExit reset(s);
  s.bind(1, r.conversation_id);
  s.bind(2, r.participant_id);
  s.bind(3, r.seq);
  if (s.step() == SQLITE_DONE) return {};
  return "storage: cannot store read position: " + db_.last_error();
}

std::string Writer::apply(const KvPut& kv, std::string& /*result*/) {
  Statement& s = kv.value.empty() ? statements_->kv_delete : statements_->kv_put;
  ResetOnExit reset(s);
  s.bind(1, kv.ns);
  s.bind(2, kv.key);
  if (!kv.value.empty()) s.bind(3, kv.value);
  if (s.step() == SQLITE_DONE) return {};
  return "storage: cannot store key " + kv.key + ": " + db_.last_error();
}

void Writer::settle_files(const std::vector<WriteOp>& batch,
                          const std::vector<std::string>& errors) {
  for (size_t i = 0; i < batch.size(); ++i) {
    if (const auto* put = std::get_if<PutBlob>(&batch[i].command); put && !errors[i].empty())
      BlobFiles::remove(put->file);
    if (const auto* gone = std::get_if<DeleteBlob>(&batch[i].command); gone && errors[i].empty())
      BlobFiles::remove(gone->file);
  }
}

int64_t Writer::blob_total_bytes() {
  Statement& s = statements_->blob_total;
  ResetOnExit reset(s);
  return s.step() == SQLITE_ROW ? s.column_int(0) : -1;
}

std::string Writer::apply(const PutBlob& b, std::string& result) {
  const int64_t total = blob_total_bytes();
  if (total < 0) return "storage: cannot sum the stored files: " + db_.last_error();
  if (b.max_total_bytes > 0 && total + b.size > b.max_total_bytes) {
    // Refused, not failed: the host tells the uploader the quota is reached.
    BlobFiles::remove(b.file);
    result = R"({"stored":false,"total_bytes":)" + std::to_string(total) + "}";
    return {};
  }
  Statement& s = statements_->insert_blob;
  ResetOnExit reset(s);
  s.bind(1, b.id);
  s.bind(2, b.size);
  s.bind(3, b.meta);
  s.bind(4, b.created_ms);
  const int rc = s.step();
  if (rc == SQLITE_CONSTRAINT_PRIMARYKEY) return "storage: a file with id " + b.id + " is stored";
  if (rc != SQLITE_DONE) return "storage: cannot store file " + b.id + ": " + db_.last_error();
  result = R"({"stored":true,"size":)" + std::to_string(b.size) + R"(,"total_bytes":)" +
           std::to_string(total + b.size) + "}";
  return {};
}

std::string Writer::apply(const DeleteBlob& b, std::string& /*result*/) {
  Statement& s = statements_->delete_blob;
  ResetOnExit reset(s);
  s.bind(1, b.id);
  if (s.step() == SQLITE_DONE) return {};
  return "storage: cannot delete file " + b.id + ": " + db_.last_error();
}

// The next seq is read in the same transaction as the insert, on the one writer
// thread, so two entries of a log never get the same number.
std::string Writer::apply(const AppendLog& e, std::string& result) {
  Statement& last = statements_->last_log_seq;
  int64_t seq = 0;
  {
    ResetOnExit reset(last);
    last.bind(1, e.log);
    if (last.step() != SQLITE_ROW) return "storage: cannot number the entry: " + db_.last_error();
    seq = last.column_int(0) + 1;
  }
  Statement& s = statements_->insert_log;
  ResetOnExit reset(s);
  s.bind(1, e.log);
  s.bind(2, seq);
  s.bind(3, e.ts_ms);
  s.bind(4, e.kind);
  s.bind(5, e.actor);
  s.bind(6, e.data);
  if (s.step() != SQLITE_DONE)
    return "storage: cannot append to log " + e.log + ": " + db_.last_error();
  result = R"({"seq":)" + std::to_string(seq) + "}";
  return {};
}

// One transaction with the rest of the batch: the messages go with their search
// index entries (the messages_fts_delete trigger), then the read positions, the
// tags and the record.
std::string Writer::apply(const DeleteConversation& d, std::string& result) {
  const auto failed = [&] {
    return "storage: cannot delete conversation " + d.id + ": " + db_.last_error();
  };
  int64_t messages = 0;
  for (Statement* s : {&statements_->delete_messages, &statements_->delete_read_cursors,
                       &statements_->delete_tags, &statements_->delete_conversation}) {
    ResetOnExit reset(*s);
    s->bind(1, d.id);
    if (s->step() != SQLITE_DONE) return failed();
    if (s == &statements_->delete_messages) messages = sqlite3_changes(db_.get());
  }
  result = R"({"messages":)" + std::to_string(messages) + "}";
  return {};
}

std::string Writer::apply(const PruneLog& p, std::string& result) {
  const auto failed = [&] {
    return "storage: cannot prune log " + p.log + ": " + db_.last_error();
  };
  {
    Statement& keep = statements_->keep_log_counter;
    ResetOnExit reset(keep);
    keep.bind(1, p.log);
    if (keep.step() != SQLITE_DONE) return failed();
  }
  Statement& prune = statements_->prune_log;
  ResetOnExit reset(prune);
  prune.bind(1, p.log);
  prune.bind(2, p.before_ts_ms);
  if (prune.step() != SQLITE_DONE) return failed();
  result = R"({"deleted":)" + std::to_string(sqlite3_changes(db_.get())) + "}";
  return {};
}

// ---- the durable log: the writer thread ----

bool Writer::is_duplicate(const AppendMessage& m, std::span<const WriteOp> earlier,
                          const std::vector<std::string>& errors) {
  auto highest = highest_seq_.find(m.conversation_id);
  if (highest == highest_seq_.end()) {
    // First seen since the cache was last emptied, which happens only with nothing
    // unapplied: the database knows its highest seq.
    Statement& max_seq = *lookup_highest_seq_;
    ResetOnExit reset(max_seq);
    max_seq.bind(1, m.conversation_id);
    const int64_t stored = max_seq.step() == SQLITE_ROW ? max_seq.column_int(0) : 0;
    highest = highest_seq_.emplace(m.conversation_id, stored).first;
  }
  // The engine numbers a conversation's messages upwards: the common case.
  if (m.seq > highest->second) {
    highest->second = m.seq;
    return false;
  }
  // At or below the highest: look for it among this batch's accepted ops, the
  // logged writes not applied yet, and the database. In that order: a logged
  // batch leaves the applier's queue only after its transaction committed, so
  // what is no longer in the queue is in the database.
  const auto same = [&](const WriteOp& op) {
    const auto* other = std::get_if<AppendMessage>(&op.command);
    return other && other->seq == m.seq && other->conversation_id == m.conversation_id;
  };
  for (size_t i = 0; i < earlier.size(); ++i)
    if (errors[i].empty() && same(earlier[i])) return true;
  {
    std::lock_guard lock(apply_mutex_);
    for (const auto& logged : unapplied_)
      for (const WriteOp& op : logged->ops)
        if (same(op)) return true;
  }
  Statement& exists = *lookup_message_;
  ResetOnExit reset(exists);
  exists.bind(1, m.conversation_id);
  exists.bind(2, m.seq);
  return exists.step() == SQLITE_ROW;
}

bool Writer::loggable(const std::vector<WriteOp>& batch) {
  if (!log_) return false;
  {
    std::lock_guard lock(log_mutex_);
    if (log_->broken()) return false;
  }
  for (const auto& op : batch)
    if (!is_loggable(op)) return false;
  return true;
}

void Writer::log_batch(std::vector<WriteOp>& batch, std::vector<std::string>& errors) {
  const auto started = std::chrono::steady_clock::now();
  if (highest_seq_.size() > kMaxCachedConversations) {
    // With nothing unapplied the database alone knows every highest seq again.
    std::lock_guard lock(apply_mutex_);
    if (unapplied_.empty()) highest_seq_.clear();
  }
  errors.assign(batch.size(), std::string());
  log_payload_.clear();
  size_t logged = 0;
  size_t messages = 0;
  for (size_t i = 0; i < batch.size(); ++i) {
    if (const auto* m = std::get_if<AppendMessage>(&batch[i].command)) {
      ++messages;
      // A duplicate (conversation_id, seq) fails alone, as SQLite's primary key
      // fails it in a transaction.
      if (is_duplicate(*m, std::span<const WriteOp>(batch.data(), i), errors)) {
        errors[i] = "storage: conversation " + m->conversation_id +
                    " already has a message with seq " + std::to_string(m->seq);
        continue;
      }
    }
    encode_op(batch[i], log_payload_);
    ++logged;
  }
  std::string why;
  bool record_may_survive = false;
  if (logged > 0) {
    std::lock_guard lock(log_mutex_);
    why = log_->append(next_batch_, log_payload_);
    if (why.empty()) last_logged_batch_ = next_batch_;
    record_may_survive = !why.empty() && log_->broken();
  }
  if (record_may_survive) {
    commit_unsure_record(batch, errors, why);
    return;
  }
  auto accepted = std::make_unique<LoggedBatch>();
  accepted->batch = next_batch_;
  accepted->logged_at = started;
  accepted->ops.reserve(logged);
  size_t failed = 0;
  for (size_t i = 0; i < batch.size(); ++i) {
    if (!errors[i].empty()) {
      ++failed;
      continue;
    }
    if (!why.empty()) {
      errors[i] = "storage: cannot write the durable log: " + why;
      ++failed;
      continue;
    }
    // The sb_op stays in batch[i] for the completion.
    accepted->ops.push_back(WriteOp{std::move(batch[i].command), nullptr});
  }
  if (logged > 0 && why.empty()) {
    ++next_batch_;
    bool wake = false;
    {
      std::unique_lock lock(apply_mutex_);
      // Memory stays bounded when the database cannot keep up (or is locked): the
      // writer holds back, and writes queue (and are refused past
      // max_pending_messages) as without the log.
      apply_changed_.wait(lock, [&] { return unapplied_ops_ < kMaxUnappliedOps; });
      // The first one sets the applier's clock; a full transaction's worth is due.
      wake = unapplied_.empty() || unapplied_ops_ + logged >= kApplyMaxOps;
      unapplied_ops_ += logged;
      unapplied_.push_back(std::move(accepted));
    }
    if (wake) apply_changed_.notify_all();
    progress_->add_logged(logged);
  } else if (!why.empty()) {
    host_.log(SB_LOG_ERROR,
              "storage: cannot write the durable log: " + why +
                  (log_->broken() ? "; writes are committed to SQLite directly now" : ""));
  }
  // As a transaction's line: this record was the batch's one fsync.
  char line[160];
  std::snprintf(
      line, sizeof line, "commit: %zu writes (%zu messages, %zu failed) in %.2f ms (log)",
      batch.size(), messages, failed,
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started)
          .count());
  host_.log(SB_LOG_DEBUG, line);
}

// The record may be on disk or not, so neither "failed" nor "logged" is true yet.
// Committed to SQLite with the record's number as the applied mark, the writes
// are stored, and a replay after a crash skips the record whether it survived or
// not. Only if that commit fails too do they fail, and then the record, if it
// survived, may still be applied at the next open (the database could not take
// the mark).
void Writer::commit_unsure_record(std::vector<WriteOp>& batch, std::vector<std::string>& errors,
                                  const std::string& why) {
  host_.log(SB_LOG_ERROR, "storage: cannot write the durable log: " + why +
                              "; its last batch and every write after it are committed to "
                              "SQLite directly");
  std::vector<WriteOp> accepted;
  std::vector<size_t> positions;
  for (size_t i = 0; i < batch.size(); ++i) {
    if (!errors[i].empty()) continue;
    accepted.push_back(WriteOp{batch[i].command, nullptr});
    positions.push_back(i);
  }
  const LogMark mark{log_->name(), static_cast<int64_t>(next_batch_++)};
  std::vector<std::string> accepted_errors;
  std::vector<std::string> results;
  commit_through_applier(accepted, accepted_errors, results, &mark);
  for (size_t k = 0; k < positions.size(); ++k) errors[positions[k]] = accepted_errors[k];
}

void Writer::commit_through_applier(const std::vector<WriteOp>& batch,
                                    std::vector<std::string>& errors,
                                    std::vector<std::string>& results, const LogMark* log_mark) {
  HandedBatch handed{&batch, &errors, &results, log_mark};
  {
    std::unique_lock lock(apply_mutex_);
    handed_ = &handed;
    apply_changed_.notify_all();
    apply_changed_.wait(lock, [&] { return handed.done; });
    handed_ = nullptr;
  }
  // The cache of highest seqs follows what was committed: a deleted conversation's
  // numbers are free again, a message appended here raises its conversation's.
  for (size_t i = 0; i < batch.size(); ++i) {
    if (!errors[i].empty()) continue;
    if (const auto* d = std::get_if<DeleteConversation>(&batch[i].command)) {
      highest_seq_.erase(d->id);
    } else if (const auto* m = std::get_if<AppendMessage>(&batch[i].command)) {
      if (auto it = highest_seq_.find(m->conversation_id); it != highest_seq_.end())
        it->second = std::max(it->second, m->seq);
    }
  }
}

// ---- the durable log: the applier thread ----

void Writer::wake_applier() {
  {
    std::lock_guard lock(apply_mutex_);
    applier_woken_ = true;
  }
  apply_changed_.notify_all();
}

void Writer::run_applier() {
  pthread_setname_np(pthread_self(), "sqlite-applier");
  using Clock = std::chrono::steady_clock;
  std::unique_lock lock(apply_mutex_);
  for (;;) {
    applier_woken_ = false;
    if (progress_->take_wanted()) reader_waits_ = true;
    if (unapplied_.empty()) reader_waits_ = false;
    const auto now = Clock::now();
    if (handed_ && !handed_->done) {
      // The writer waits: what was logged before its batch goes first, whether or
      // not an apply failed a moment ago.
      HandedBatch& handed = *handed_;  // set until done
      lock.unlock();
      const bool applied = apply_all_logged();
      if (applied) {
        if (commit_batch(*handed.ops, *handed.errors, *handed.results, handed.log_mark) &&
            handed.log_mark)
          applied_batch_ = static_cast<uint64_t>(handed.log_mark->batch);
      } else {
        handed.errors->assign(handed.ops->size(),
                              "storage: cannot apply the durable log's writes first (see the log)");
        handed.results->assign(handed.ops->size(), std::string());
      }
      settle_files(*handed.ops, *handed.errors);
      lock.lock();
      handed.done = true;
      apply_changed_.notify_all();
      continue;
    }
    if (!unapplied_.empty()) {
      const bool due = applier_stopping_ || reader_waits_ || unapplied_ops_ >= kApplyMaxOps ||
                       now >= unapplied_.front()->logged_at + apply_delay_;
      if (due && (applier_stopping_ || now >= apply_retry_at_)) {
        lock.unlock();
        const bool applied = apply_logged(kApplyMaxOps);
        lock.lock();
        // A stop with the database failing leaves the rest to the log and the next open.
        if (!applied && applier_stopping_) break;
        continue;
      }
    } else if (applier_stopping_) {
      break;
    }
    // Between applies: a checkpoint at the cap, then the search index, a slice at a
    // time (a reader or the writer may be waiting for the next apply).
    if (checkpoint_here_) {
      lock.unlock();
      checkpoint_at_cap();
      lock.lock();
      continue;
    }
    if (unindexed_ >= kIndexBatch || (unindexed_ > 0 && now >= unindexed_since_ + kIndexDelay)) {
      lock.unlock();
      index_slice();
      lock.lock();
      continue;
    }
    std::optional<Clock::time_point> wake_at;
    if (!unapplied_.empty())
      wake_at = std::max(unapplied_.front()->logged_at + apply_delay_, apply_retry_at_);
    if (unindexed_ > 0) {
      const auto index_at = unindexed_since_ + kIndexDelay;
      wake_at = wake_at ? std::min(*wake_at, index_at) : index_at;
    }
    const bool was_empty = unapplied_.empty();
    const auto woken = [&] {
      return applier_woken_ || applier_stopping_ || (handed_ && !handed_->done) ||
             unapplied_ops_ >= kApplyMaxOps || (was_empty && !unapplied_.empty());
    };
    if (wake_at) {
      apply_changed_.wait_until(lock, *wake_at, woken);
    } else {
      apply_changed_.wait(lock, woken);
    }
  }
}

bool Writer::apply_logged(size_t max_ops) {
  std::vector<const WriteOp*> ops;
  size_t batches = 0;
  uint64_t last_batch = 0;
  {
    // Entries stay put while this thread applies them (only the writer adds, at
    // the back), so their ops are read without the lock.
    std::lock_guard lock(apply_mutex_);
    for (const auto& logged : unapplied_) {
      if (batches > 0 && ops.size() + logged->ops.size() > max_ops) break;
      for (const WriteOp& op : logged->ops) ops.push_back(&op);
      last_batch = logged->batch;
      ++batches;
    }
  }
  if (batches == 0) return true;
  const LogMark mark{log_->name(), static_cast<int64_t>(last_batch)};

  // No fsync of its own: the log holds these writes durably. A crash may lose this
  // transaction, mark and all, and the next open applies the batches again.
  std::string error;
  db_.exec("PRAGMA synchronous = NORMAL", error);
  std::vector<std::string> errors;
  std::vector<std::string> results;
  const bool committed = error.empty() && commit_ops(ops, errors, results, &mark);
  std::string ignored;
  db_.exec("PRAGMA synchronous = FULL", ignored);
  if (!committed) {
    apply_retry_at_ = std::chrono::steady_clock::now() + std::chrono::seconds(1);
    host_.log(SB_LOG_WARN, "storage: cannot apply the durable log to the database, will retry: " +
                               (error.empty() && !errors.empty() ? errors.front() : error));
    return false;
  }
  for (const auto& why : errors) {
    // Refused on its own after it was acknowledged: checked before logging, so
    // this means the database changed behind the writer's back.
    if (!why.empty())
      host_.log(SB_LOG_ERROR, "storage: an acknowledged write could not be applied: " + why);
  }
  {
    std::lock_guard lock(apply_mutex_);
    unapplied_.erase(unapplied_.begin(), unapplied_.begin() + static_cast<ptrdiff_t>(batches));
    unapplied_ops_ -= ops.size();
  }
  apply_changed_.notify_all();  // a writer held back by kMaxUnappliedOps
  applied_batch_ = last_batch;
  progress_->add_applied(ops.size());
  truncate_log_when_applied();
  return true;
}

bool Writer::apply_all_logged() {
  for (;;) {
    {
      std::lock_guard lock(apply_mutex_);
      if (unapplied_.empty()) return true;
    }
    if (!apply_logged(kApplyMaxOps)) return false;
  }
}

void Writer::truncate_log_when_applied() {
  // The writer appends under this lock and numbers the record before it lets go:
  // a record not applied yet is always seen here.
  std::lock_guard lock(log_mutex_);
  if (log_->size() < kLogTruncateBytes || last_logged_batch_ != applied_batch_) return;
  if (!make_applied_durable()) return;
  const std::string why = log_->truncate();
  if (!why.empty()) host_.log(SB_LOG_ERROR, "storage: " + why);
}

bool Writer::make_applied_durable() {
  if (applied_batch_ == 0) return true;
  std::string error;
  if (db_.exec("BEGIN IMMEDIATE", error) == SQLITE_OK) {
    Statement& mark = statements_->set_log_mark;
    ResetOnExit reset(mark);
    mark.bind(1, log_->name());
    mark.bind(2, static_cast<int64_t>(applied_batch_));
    if (mark.step() == SQLITE_DONE) {
      mark.reset();
      // synchronous=FULL: this COMMIT fsyncs the WAL, and with it every earlier
      // transaction in it.
      if (db_.exec("COMMIT", error) == SQLITE_OK) return true;
    } else {
      error = db_.last_error();
    }
    std::string ignored;
    if (!sqlite3_get_autocommit(db_.get())) db_.exec("ROLLBACK", ignored);
  }
  host_.log(SB_LOG_WARN, "storage: cannot make the applied log durable: " + error);
  return false;
}

// After the applier stopped: the connection is the writer thread's again.
void Writer::close_log() {
  if (!log_) return;
  bool ok = apply_all_logged() && make_applied_durable();
  if (ok) {
    const std::string why = log_->remove();
    if (!why.empty()) {
      host_.log(SB_LOG_WARN, "storage: " + why);
      ok = false;
    }
  }
  if (ok) {
    // After the file: a mark without its file is harmless, a file without its
    // mark would be applied again.
    Statement& drop = statements_->drop_log_mark;
    ResetOnExit reset(drop);
    drop.bind(1, log_->name());
    drop.step();
  } else {
    host_.log(SB_LOG_ERROR, "storage: " + log_->path() +
                                " keeps writes not applied to the database; the next open "
                                "applies them");
  }
  progress_->close();
  unregister_progress(path_, progress_.get());
  log_.reset();
}

void Writer::recover_orphaned_logs() {
  for (const std::string& path : DurableLog::list(path_)) {
    std::unique_ptr<DurableLog> log = DurableLog::adopt(path);
    if (!log) continue;  // a live writer's (a reload), or gone meanwhile
    if (!replay(*log)) continue;
    const std::string why = log->remove();
    if (!why.empty()) {
      host_.log(SB_LOG_WARN, "storage: " + why);
      continue;
    }
    Statement& drop = statements_->drop_log_mark;
    ResetOnExit reset(drop);
    drop.bind(1, log->name());
    drop.step();
  }
}

bool Writer::replay(DurableLog& log) {
  uint64_t dropped = 0;
  std::string error;
  const std::vector<LogRecord> records = log.recover(dropped, error);
  if (!error.empty()) {
    host_.log(SB_LOG_ERROR, "storage: cannot read the durable log: " + error);
    return false;
  }
  int64_t applied = 0;
  {
    Statement& read = statements_->read_log_mark;
    ResetOnExit reset(read);
    read.bind(1, log.name());
    if (read.step() == SQLITE_ROW) applied = read.column_int(0);
  }
  std::vector<WriteOp> ops;
  LogMark mark{log.name(), applied};
  size_t records_applied = 0;
  for (const LogRecord& record : records) {
    if (static_cast<int64_t>(record.batch) <= applied) continue;
    if (!decode_ops(record.payload, ops)) {
      host_.log(SB_LOG_ERROR, "storage: " + log.path() + ": batch " + std::to_string(record.batch) +
                                  " does not parse; the file is kept");
      return false;
    }
    mark.batch = static_cast<int64_t>(record.batch);
    ++records_applied;
  }
  if (!ops.empty()) {
    // synchronous=FULL (the connection's setting): durable before the file goes.
    std::vector<std::string> errors;
    std::vector<std::string> results;
    if (!commit_batch(ops, errors, results, &mark)) {
      host_.log(SB_LOG_ERROR, "storage: cannot apply " + log.path() + ": " + errors.front());
      return false;
    }
    for (const auto& why : errors)
      if (!why.empty()) host_.log(SB_LOG_WARN, "storage: a logged write failed to apply: " + why);
  }
  char line[256];
  std::snprintf(line, sizeof line,
                "durable log: %zu writes of %zu batches applied from %s, %llu bytes of a torn "
                "tail dropped",
                ops.size(), records_applied, log.name().c_str(),
                static_cast<unsigned long long>(dropped));
  host_.log(SB_LOG_INFO, line);
  return true;
}

}  // namespace switchboard::sqlite
