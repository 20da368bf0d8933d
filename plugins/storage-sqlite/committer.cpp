#include "committer.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <stdexcept>

#include "blob_files.hpp"
#include "schema.hpp"

namespace switchboard::sqlite {

Committer::Statements::Statements(Connection& db)
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

Committer::Committer(HostRef host, const std::string& path, const StorageConfig& config)
    : host_(host), checkpoint_pages_(config.checkpoint_pages), db_(path, /*create=*/true) {
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
  sqlite3_wal_hook(db_.get(), &Committer::on_wal_commit, this);
  {
    // Left above the mark by a crash (the kill -9 of a server whose writer had
    // not indexed its last appends yet): indexed at the first chance.
    Statement& count = statements_->count_unindexed;
    ResetOnExit reset(count);
    if (count.step() == SQLITE_ROW) unindexed_ = static_cast<size_t>(count.column_int(0));
    unindexed_since_ = std::chrono::steady_clock::now() - kIndexDelay;
  }
}

int Committer::on_wal_commit(void* committer, sqlite3* /*db*/, const char* /*schema*/, int frames) {
  Committer& self = *static_cast<Committer*>(committer);
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
void Committer::checkpoint_at_cap() {
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

size_t Committer::index_slice() {
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

bool Committer::commit_batch(std::span<const WriteOp> batch, std::vector<std::string>& errors,
                             std::vector<std::string>& results, const LogMark* log_mark) {
  std::vector<const WriteOp*> ops;
  ops.reserve(batch.size());
  for (const WriteOp& op : batch) ops.push_back(&op);
  return commit_ops(ops, errors, results, log_mark);
}

bool Committer::commit_ops(std::span<const WriteOp* const> batch, std::vector<std::string>& errors,
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

bool Committer::commit_logged(std::span<const WriteOp* const> ops, std::vector<std::string>& errors,
                              std::vector<std::string>& results, const LogMark& log_mark) {
  std::string error;
  db_.exec("PRAGMA synchronous = NORMAL", error);
  bool committed = false;
  if (error.empty()) {
    committed = commit_ops(ops, errors, results, &log_mark);
  } else {
    errors.assign(ops.size(), error);
    results.assign(ops.size(), std::string());
  }
  std::string ignored;
  db_.exec("PRAGMA synchronous = FULL", ignored);
  return committed;
}

int64_t Committer::log_mark(const std::string& name) {
  Statement& read = statements_->read_log_mark;
  ResetOnExit reset(read);
  read.bind(1, name);
  return read.step() == SQLITE_ROW ? read.column_int(0) : 0;
}

bool Committer::store_log_mark_durably(const LogMark& log_mark, std::string& error) {
  if (db_.exec("BEGIN IMMEDIATE", error) == SQLITE_OK) {
    Statement& mark = statements_->set_log_mark;
    ResetOnExit reset(mark);
    mark.bind(1, log_mark.name);
    mark.bind(2, log_mark.batch);
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
  return false;
}

void Committer::drop_log_mark(const std::string& name) {
  Statement& drop = statements_->drop_log_mark;
  ResetOnExit reset(drop);
  drop.bind(1, name);
  drop.step();
}

std::string Committer::apply(const AppendMessage& m, std::string& /*result*/) {
  Statement& s = statements_->insert_message;
  ResetOnExit reset(s);
  s.bind(1, m.conversation_id());
  s.bind(2, m.seq);
  s.bind(3, m.message_id());
  s.bind(4, m.sender_role());
  s.bind(5, m.sender_id());
  s.bind(6, m.sender_name());
  s.bind(7, m.client_msg_id());
  s.bind(8, m.text());
  s.bind(9, m.ts_ms);
  s.bind(10, m.flags);
  s.bind(11, m.attachments());
  const int rc = s.step();
  if (rc == SQLITE_CONSTRAINT_PRIMARYKEY) {
    return "storage: conversation " + std::string(m.conversation_id()) +
           " already has a message with seq " + std::to_string(m.seq);
  }
  if (rc != SQLITE_DONE) return "storage: cannot store message: " + db_.last_error();
  // Searchable once the append completed: its rowid is above the search mark, so
  // search scans it until index_slice indexes it a moment later.
  return {};
}

std::string Committer::apply(const PutConversation& c, std::string& /*result*/) {
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

std::string Committer::apply(const SetRead& r, std::string& /*result*/) {
  Statement& s = statements_->set_read;
  ResetOnExit reset(s);
  s.bind(1, r.conversation_id);
  s.bind(2, r.participant_id);
  s.bind(3, r.seq);
  if (s.step() == SQLITE_DONE) return {};
  return "storage: cannot store read position: " + db_.last_error();
}

std::string Committer::apply(const KvPut& kv, std::string& /*result*/) {
  Statement& s = kv.value.empty() ? statements_->kv_delete : statements_->kv_put;
  ResetOnExit reset(s);
  s.bind(1, kv.ns);
  s.bind(2, kv.key);
  if (!kv.value.empty()) s.bind(3, kv.value);
  if (s.step() == SQLITE_DONE) return {};
  return "storage: cannot store key " + kv.key + ": " + db_.last_error();
}

void Committer::settle_files(const std::vector<WriteOp>& batch,
                             const std::vector<std::string>& errors) {
  for (size_t i = 0; i < batch.size(); ++i) {
    if (const auto* put = std::get_if<PutBlob>(&batch[i].command); put && !errors[i].empty())
      BlobFiles::remove(put->file);
    if (const auto* gone = std::get_if<DeleteBlob>(&batch[i].command); gone && errors[i].empty())
      BlobFiles::remove(gone->file);
  }
}

int64_t Committer::blob_total_bytes() {
  Statement& s = statements_->blob_total;
  ResetOnExit reset(s);
  return s.step() == SQLITE_ROW ? s.column_int(0) : -1;
}

std::string Committer::apply(const PutBlob& b, std::string& result) {
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

std::string Committer::apply(const DeleteBlob& b, std::string& /*result*/) {
  Statement& s = statements_->delete_blob;
  ResetOnExit reset(s);
  s.bind(1, b.id);
  if (s.step() == SQLITE_DONE) return {};
  return "storage: cannot delete file " + b.id + ": " + db_.last_error();
}

// The next seq is read in the same transaction as the insert, on the one write
// connection, so two entries of a log never get the same number.
std::string Committer::apply(const AppendLog& e, std::string& result) {
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
std::string Committer::apply(const DeleteConversation& d, std::string& result) {
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

std::string Committer::apply(const PruneLog& p, std::string& result) {
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

std::optional<Committer::Clock::time_point> Committer::index_at() const {
  if (unindexed_ == 0) return std::nullopt;
  return unindexed_since_ + kIndexDelay;
}

}  // namespace switchboard::sqlite
