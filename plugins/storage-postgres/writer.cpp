#include "writer.hpp"

#include <algorithm>
#include <cstdio>
#include <map>
#include <pqxx/binarystring>
#include <pqxx/except>
#include <pqxx/nontransaction>
#include <pqxx/pqxx>
#include <pqxx/subtransaction>
#include <tuple>

#include "schema.hpp"

namespace switchboard::postgres {

namespace {

using Clock = std::chrono::steady_clock;

// message_seqs refuses a (conversation, seq) stored before; only the rows it took
// become messages, and the answer names them.
constexpr const char* kStoreBatch =
    "WITH batch AS ("
    "  SELECT * FROM unnest($1::text[], $2::bigint[], $3::text[], $4::text[], $5::text[], "
    "  $6::text[], $7::text[], $8::text[], $9::bigint[], $10::bigint[], $11::text[]) "
    "  AS b(conversation_id, seq, message_id, sender_role, sender_id, sender_name, "
    "  client_msg_id, text, ts_ms, flags, attachments)), "
    "fresh AS ("
    "  INSERT INTO message_seqs (conversation_id, seq) SELECT conversation_id, seq FROM batch "
    "  ON CONFLICT DO NOTHING RETURNING conversation_id, seq), "
    "stored AS ("
    "  INSERT INTO messages (conversation_id, seq, message_id, sender_role, sender_id, "
    "  sender_name, client_msg_id, text, ts_ms, flags, attachments) "
    "  SELECT b.conversation_id, b.seq, b.message_id, b.sender_role, b.sender_id, "
    "  b.sender_name, b.client_msg_id, b.text, b.ts_ms, b.flags, b.attachments "
    "  FROM batch b JOIN fresh f USING (conversation_id, seq) "
    "  RETURNING conversation_id, seq) "
    "SELECT conversation_id, seq FROM stored";

// A PostgreSQL array literal ({"a","b\"c"}) built one element at a time; every
// element quoted, so any text (checked storable_text) goes in as it is.
class ArrayLiteral {
 public:
  void add(std::string_view text) {
    out_ += out_.size() > 1 ? ",\"" : "\"";
    for (char c : text) {
      if (c == '"' || c == '\\') out_ += '\\';
      out_ += c;
    }
    out_ += '"';
  }
  void add(int64_t number) {
    if (out_.size() > 1) out_ += ',';
    out_ += std::to_string(number);
  }
  std::string done() { return out_ + "}"; }

 private:
  std::string out_ = "{";
};

std::string duplicate_seq(const AppendMessage& m) {
  return "storage: conversation " + std::string(m.conversation_id()) +
         " already has a message with seq " + std::to_string(m.seq);
}

// A parameter that is NULL when absent (libpqxx 6 binds a null const char* as NULL).
const char* or_null(const std::optional<std::string>& value) {
  return value ? value->c_str() : nullptr;
}

int64_t wall_clock_ms(const HostRef& host) {
  if (host.api->wall_clock_ms) return host.api->wall_clock_ms();
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

Writer::Writer(HostRef host, const PgConfig& config, std::string tenant_id)
    : host_(host),
      config_(config),
      tenant_id_(std::move(tenant_id)),
      // Each write transaction locks the tenant's lease row (the epoch check). A node
      // frozen inside one would keep that lock, and the next owner could not take
      // the lease after it expired: PostgreSQL ends a transaction left idle this
      // long, well inside the lease (a live writer never waits inside one).
      session_(config, host, "writer",
               [idle_ms = std::max<int64_t>(config.lease_ms / 2, 100)](pqxx::connection& db) {
                 pqxx::nontransaction tx(db);
                 tx.exec("SET idle_in_transaction_session_timeout = " + std::to_string(idle_ms));
               }),
      queue_(config.max_pending_messages) {
  pqxx::connection& db = session_.connection();
  migrate(db);
  {
    pqxx::work tx(db);
    enter_tenant(tx, tenant_id_);
    lease_ = acquire_lease(tx, config_.node_id, config_.lease_ms);
    tx.commit();
  }
  lease_renewed_ = Clock::now();
  const int64_t this_month = month_of(wall_clock_ms(host_));
  for (int64_t month = this_month; month <= this_month + config_.partitions_ahead_months; ++month) {
    ensure_partition(db, month);
    months_ready_.insert(month);
  }
  ahead_from_month_ = this_month;
  thread_ = std::thread([this] { run(); });
}

Writer::~Writer() {
  queue_.close();
  if (thread_.joinable()) thread_.join();
}

void Writer::run() {
  std::vector<WriteOp> batch;
  batch.reserve(config_.max_batch_messages);
  std::vector<std::string> errors;
  std::vector<std::string> results;
  const auto renew_every = std::chrono::milliseconds(config_.lease_ms / 3);
  while (queue_.pop_batch_until(batch, config_.max_batch_messages, lease_renewed_ + renew_every)) {
    keep_partitions_ahead();
    if (batch.empty()) {
      renew_lease();
      continue;
    }
    // A release ends the batch: what was queued before it is committed first, what
    // came after it fails (the lease is no longer this writer's to renew).
    const size_t queued = batch.size();
    std::vector<WriteOp> after_release;
    const auto release = std::find_if(batch.begin(), batch.end(), [](const WriteOp& w) {
      return std::holds_alternative<ReleaseLease>(w.command);
    });
    if (released_) {
      after_release = std::move(batch);
      batch.clear();
    } else if (release != batch.end()) {
      after_release.assign(std::make_move_iterator(release), std::make_move_iterator(batch.end()));
      batch.erase(release, batch.end());
    }
    if (!batch.empty()) commit_batch(batch, errors, results);
    // Room is freed before the completions go out, as in storage-sqlite.
    queue_.finished(queued);
    for (size_t i = 0; i < batch.size(); ++i) {
      if (errors[i].empty()) {
        host_.complete_ok(batch[i].op, results[i]);
      } else {
        host_.complete_error(batch[i].op, errors[i]);
      }
    }
    for (auto& write : after_release) {
      if (!released_ && std::holds_alternative<ReleaseLease>(write.command)) {
        release_now(write.op);
      } else {
        host_.complete_error(write.op, "storage: this node ('" + lease_.node_id + "', epoch " +
                                           std::to_string(lease_.epoch) +
                                           ") gave the tenant's lease up; nothing was written");
      }
    }
  }
}

void Writer::release_now(sb_op* op) {
  // From now on nothing is written or renewed, even when the release itself fails:
  // the lease then runs out by itself.
  released_ = true;
  try {
    pqxx::work tx(session_.connection());
    enter_tenant(tx, tenant_id_);
    const bool ended = release_lease(tx, lease_);
    tx.commit();
    host_.log(SB_LOG_INFO, ended ? "gave the tenant's lease up (epoch " +
                                       std::to_string(lease_.epoch) + "): another node may take it"
                                 : "the tenant's lease was another node's already; left as it is");
    host_.complete_ok(op, ended ? R"({"released":true})" : R"({"released":false})");
  } catch (const std::exception& e) {
    session_.drop();
    host_.complete_error(op, std::string("storage: cannot give the tenant's lease up (it runs out "
                                         "by itself): ") +
                                 e.what());
  }
}

void Writer::renew_lease() {
  lease_renewed_ = Clock::now();  // tried now: the next try is a third of lease_ms away
  if (released_) return;          // given up: renewing would take it back
  try {
    pqxx::work tx(session_.connection());
    enter_tenant(tx, tenant_id_);
    check_lease(tx, lease_, config_.lease_ms);
    tx.commit();
  } catch (const LeaseLost& e) {
    // Said once: every write of the tenant fails with the same words from now on.
    if (!lease_lost_logged_) host_.log(SB_LOG_ERROR, e.what());
    lease_lost_logged_ = true;
  } catch (const std::exception& e) {
    session_.drop();
    host_.log(SB_LOG_WARN, std::string("cannot renew the tenant's lease: ") + e.what());
  }
}

void Writer::keep_partitions_ahead() {
  const int64_t this_month = month_of(wall_clock_ms(host_));
  if (this_month == ahead_from_month_) return;
  try {
    for (int64_t month = this_month; month <= this_month + config_.partitions_ahead_months;
         ++month) {
      if (months_ready_.count(month) || months_detached_.count(month)) continue;
      if (ensure_partition(session_.connection(), month)) {
        months_ready_.insert(month);
        host_.log(SB_LOG_INFO, "messages partition " + partition_name(month) + " is ready");
      } else {
        months_detached_.insert(month);
      }
    }
    ahead_from_month_ = this_month;
  } catch (const std::exception& e) {
    // The database is away: the writes fail on their own; this is tried again.
    session_.drop();
    host_.log(SB_LOG_WARN, std::string("cannot create the month partitions ahead: ") + e.what());
  }
}

void Writer::ensure_partitions(const std::vector<WriteOp>& batch,
                               std::vector<std::string>& errors) {
  for (size_t i = 0; i < batch.size(); ++i) {
    const auto* m = std::get_if<AppendMessage>(&batch[i].command);
    if (!m || !errors[i].empty()) continue;
    const int64_t month = month_of(m->ts_ms);
    if (months_ready_.count(month)) continue;
    if (!months_detached_.count(month)) {
      if (ensure_partition(session_.connection(), month)) {
        months_ready_.insert(month);
        host_.log(SB_LOG_INFO, "messages partition " + partition_name(month) + " is ready");
        continue;
      }
      months_detached_.insert(month);
    }
    errors[i] = "storage: the month of this message (" + partition_name(month) +
                ") was detached from messages; it is not stored";
  }
}

void Writer::commit_batch(std::vector<WriteOp>& batch, std::vector<std::string>& errors,
                          std::vector<std::string>& results) {
  const auto started = Clock::now();
  errors.assign(batch.size(), std::string());
  // Two messages of one batch with the same (conversation, seq): the later fails.
  std::set<std::pair<std::string_view, int64_t>> seen;
  for (size_t i = 0; i < batch.size(); ++i) {
    const auto* m = std::get_if<AppendMessage>(&batch[i].command);
    if (m && !seen.emplace(m->conversation_id(), m->seq).second) errors[i] = duplicate_seq(*m);
  }
  std::vector<std::string> checked = errors;
  auto fail_all = [&](const std::string& why) {
    errors = checked;
    for (auto& error : errors)
      if (error.empty()) error = why;
  };

  // Tried twice: a connection found broken (the database restarted) is replaced
  // once; nothing of a transaction that never reached COMMIT is stored.
  for (int attempt = 0; attempt < 2; ++attempt) {
    errors = checked;
    results.assign(batch.size(), std::string());
    try {
      ensure_partitions(batch, errors);
      checked = errors;
      run_transaction(batch, errors, results);
      lease_renewed_ = Clock::now();
      break;
    } catch (const pqxx::in_doubt_error& e) {
      session_.drop();
      fail_all(std::string("storage unavailable: the connection broke during COMMIT, the outcome "
                           "is unknown: ") +
               e.what());
      break;
    } catch (const pqxx::check_violation& e) {
      // "no partition of relation found": a month was detached after this writer
      // saw it. Forget what it knew and try again: that month's messages then fail
      // alone (ensure_partitions).
      months_ready_.clear();
      if (attempt == 0) continue;
      fail_all(std::string("storage: transaction rolled back: ") + e.what());
      break;
    } catch (const LeaseLost& e) {
      fail_all(e.what());
      if (!lease_lost_logged_) host_.log(SB_LOG_ERROR, e.what());
      lease_lost_logged_ = true;
      break;
    } catch (const std::exception& e) {
      const bool lost =
          dynamic_cast<const pqxx::broken_connection*>(&e) != nullptr || !session_.is_open();
      if (lost) {
        session_.drop();
        if (attempt == 0) continue;
        fail_all(std::string("storage unavailable: cannot reach PostgreSQL: ") + e.what());
      } else {
        fail_all(std::string("storage: transaction rolled back: ") + e.what());
      }
      break;
    }
  }

  const double commit_ms =
      std::chrono::duration<double, std::milli>(Clock::now() - started).count();
  size_t messages = 0;
  size_t failed = 0;
  for (size_t i = 0; i < batch.size(); ++i) {
    if (std::holds_alternative<AppendMessage>(batch[i].command)) ++messages;
    if (!errors[i].empty()) ++failed;
  }
  // One line per transaction, as storage-sqlite writes it: group commit at work is
  // visible in the debug log, and the tests count these lines.
  char line[160];
  std::snprintf(line, sizeof line, "commit: %zu writes (%zu messages, %zu failed) in %.2f ms",
                batch.size(), messages, failed, commit_ms);
  host_.log(SB_LOG_DEBUG, line);
}

void Writer::run_transaction(std::vector<WriteOp>& batch, std::vector<std::string>& errors,
                             std::vector<std::string>& results) {
  pqxx::work tx(session_.connection());
  enter_tenant_and_check_lease(tx, tenant_id_, lease_, config_.lease_ms);
  store_messages(tx, batch, errors);
  for (size_t i = 0; i < batch.size(); ++i) {
    if (!errors[i].empty() || std::holds_alternative<AppendMessage>(batch[i].command)) continue;
    // A savepoint each: a write that fails undoes only itself.
    pqxx::subtransaction savepoint(tx, "write");
    std::string why;
    try {
      why = std::visit([&](const auto& command) { return apply(savepoint, command, results[i]); },
                       batch[i].command);
    } catch (const pqxx::broken_connection&) {
      throw;
    } catch (const pqxx::sql_error& e) {
      why = std::string("storage: ") + e.what();
    }
    if (why.empty()) {
      savepoint.commit();
    } else {
      savepoint.abort();
      errors[i] = why;
      results[i].clear();
    }
  }
  tx.commit();
}

void Writer::store_messages(pqxx::transaction_base& tx, std::vector<WriteOp>& batch,
                            std::vector<std::string>& errors) {
  std::vector<size_t> pending;
  for (size_t i = 0; i < batch.size(); ++i)
    if (errors[i].empty() && std::holds_alternative<AppendMessage>(batch[i].command))
      pending.push_back(i);
  if (pending.empty()) return;
  // The batch's messages as one array per column: one statement stores them all.
  ArrayLiteral conversation_ids, seqs, message_ids, roles, sender_ids, sender_names, client_msg_ids,
      texts, timestamps, flags, attachments;
  for (size_t i : pending) {
    const auto& m = std::get<AppendMessage>(batch[i].command);
    conversation_ids.add(m.conversation_id());
    seqs.add(m.seq);
    message_ids.add(m.message_id());
    roles.add(m.sender_role());
    sender_ids.add(m.sender_id());
    sender_names.add(m.sender_name());
    client_msg_ids.add(m.client_msg_id());
    texts.add(m.text());
    timestamps.add(m.ts_ms);
    flags.add(m.flags);
    attachments.add(m.attachments());
  }
  const pqxx::result rows =
      tx.exec_params(kStoreBatch, conversation_ids.done(), seqs.done(), message_ids.done(),
                     roles.done(), sender_ids.done(), sender_names.done(), client_msg_ids.done(),
                     texts.done(), timestamps.done(), flags.done(), attachments.done());
  std::set<std::pair<std::string, int64_t>> stored;
  for (const pqxx::row& row : rows) stored.emplace(row[0].as<std::string>(), row[1].as<int64_t>());
  for (size_t i : pending) {
    const auto& m = std::get<AppendMessage>(batch[i].command);
    if (stored.count({std::string(m.conversation_id()), m.seq})) continue;
    // A COMMIT whose connection broke may have gone through: the sender was told
    // "unavailable" and resends the same message. The row already there being this
    // very message (its id and text) makes the resend a success, not a duplicate;
    // any other message at that seq is refused.
    const pqxx::result same = tx.exec_params(
        "SELECT 1 FROM messages WHERE conversation_id = $1 AND seq = $2 AND message_id = $3 "
        "AND text = $4",
        std::string(m.conversation_id()), m.seq, std::string(m.message_id()),
        std::string(m.text()));
    if (m.message_id().empty() || same.empty()) errors[i] = duplicate_seq(m);
  }
}

std::string Writer::apply(pqxx::transaction_base& tx, const PutConversation& c,
                          std::string& /*result*/) {
  // Each put takes a new put_order, which breaks ties in "newest first" in favour
  // of the record put last (as storage-sqlite's REPLACE does with its rowid).
  ArrayLiteral tag_list;
  for (const auto& tag : c.tags) tag_list.add(tag);
  const std::string tags = tag_list.done();
  const std::optional<std::string> created_ms =
      c.created_ms ? std::optional(std::to_string(*c.created_ms)) : std::nullopt;
  tx.exec_params(
      "INSERT INTO conversations (id, status, visitor_id, assignee, group_name, created_ms, "
      "updated_ms, tags, doc) VALUES ($1, $2, $3, $4, $5, $6, $7, $8::text[], $9) "
      "ON CONFLICT (tenant_id, id) DO UPDATE SET status = excluded.status, visitor_id = "
      "excluded.visitor_id, assignee = excluded.assignee, group_name = excluded.group_name, "
      "created_ms = excluded.created_ms, updated_ms = excluded.updated_ms, tags = excluded.tags, "
      "doc = excluded.doc, put_order = nextval('conversations_put_order')",
      c.id, c.status, or_null(c.visitor_id), or_null(c.assignee), or_null(c.group),
      or_null(created_ms), c.updated_ms, tags, c.doc);
  return {};
}

std::string Writer::apply(pqxx::transaction_base& tx, const SetRead& r, std::string& /*result*/) {
  tx.exec_params(
      "INSERT INTO read_cursors (conversation_id, participant_id, seq) VALUES ($1, $2, $3) "
      "ON CONFLICT (tenant_id, conversation_id, participant_id) DO UPDATE SET seq = "
      "greatest(read_cursors.seq, excluded.seq)",
      r.conversation_id, r.participant_id, r.seq);
  return {};
}

std::string Writer::apply(pqxx::transaction_base& tx, const KvPut& kv, std::string& /*result*/) {
  if (kv.value.empty()) {
    tx.exec_params("DELETE FROM kv WHERE ns = $1 AND key = $2", kv.ns, kv.key);
  } else {
    tx.exec_params(
        "INSERT INTO kv (ns, key, value) VALUES ($1, $2, $3) ON CONFLICT (tenant_id, ns, key) DO "
        "UPDATE SET value = excluded.value",
        kv.ns, kv.key, kv.value);
  }
  return {};
}

// The sum and the insert run on the tenant's one writer (and the lease keeps other
// nodes out), so concurrent puts never overshoot max_total_bytes together.
std::string Writer::apply(pqxx::transaction_base& tx, const StoreBlob& b, std::string& result) {
  const switchboard::sqlite::PutBlob& r = b.record;
  const int64_t total = tx.exec1("SELECT coalesce(sum(size), 0) FROM blobs")[0].as<int64_t>();
  if (r.max_total_bytes > 0 && total + r.size > r.max_total_bytes) {
    result = R"({"stored":false,"total_bytes":)" + std::to_string(total) + "}";
    return {};
  }
  const pqxx::binarystring bytes(b.data.data(), b.data.size());
  const pqxx::result inserted = tx.exec_params(
      "INSERT INTO blobs (id, size, meta, created_ms, data) VALUES ($1, $2, $3, $4, $5) "
      "ON CONFLICT (tenant_id, id) DO NOTHING RETURNING 1",
      r.id, r.size, r.meta, r.created_ms, bytes);
  if (inserted.empty()) return "storage: a file with id " + r.id + " is stored";
  result = R"({"stored":true,"size":)" + std::to_string(r.size) + R"(,"total_bytes":)" +
           std::to_string(total + r.size) + "}";
  return {};
}

std::string Writer::apply(pqxx::transaction_base& tx, const DeleteBlob& b,
                          std::string& /*result*/) {
  tx.exec_params("DELETE FROM blobs WHERE id = $1", b.id);
  return {};
}

// log_counters holds each log's last number, so numbering goes on after a prune.
// A log without a counter yet (written before schema version 3) starts from its
// highest stored seq. One writer per tenant, and the primary key refuses a second
// entry with the same number regardless.
std::string Writer::apply(pqxx::transaction_base& tx, const AppendLog& e, std::string& result) {
  const pqxx::row row = tx.exec_params1(
      "INSERT INTO log_counters (log, last_seq) "
      "SELECT $1, coalesce(max(seq), 0) + 1 FROM log_entries WHERE log = $1 "
      "ON CONFLICT (tenant_id, log) DO UPDATE SET last_seq = log_counters.last_seq + 1 "
      "RETURNING last_seq",
      e.log);
  const int64_t seq = row[0].as<int64_t>();
  tx.exec_params(
      "INSERT INTO log_entries (log, seq, ts_ms, kind, actor, data) VALUES ($1, $2, $3, $4, $5, "
      "$6)",
      e.log, seq, e.ts_ms, e.kind, e.actor, e.data);
  result = R"({"seq":)" + std::to_string(seq) + "}";
  return {};
}

// ABI 1.5: the record, its messages (search reads them, so they leave it too),
// their seqs and the read positions, in the batch's transaction.
std::string Writer::apply(pqxx::transaction_base& tx, const DeleteConversation& d,
                          std::string& result) {
  const pqxx::result gone = tx.exec_params("DELETE FROM messages WHERE conversation_id = $1", d.id);
  tx.exec_params("DELETE FROM message_seqs WHERE conversation_id = $1", d.id);
  tx.exec_params("DELETE FROM read_cursors WHERE conversation_id = $1", d.id);
  tx.exec_params("DELETE FROM conversations WHERE id = $1", d.id);
  result = R"({"messages":)" + std::to_string(gone.affected_rows()) + "}";
  return {};
}

// ABI 1.5: the counter is made to exist first, so the numbers of what goes are
// never given out again.
std::string Writer::apply(pqxx::transaction_base& tx, const PruneLog& p, std::string& result) {
  tx.exec_params(
      "INSERT INTO log_counters (log, last_seq) SELECT $1, coalesce(max(seq), 0) FROM "
      "log_entries WHERE log = $1 ON CONFLICT (tenant_id, log) DO NOTHING",
      p.log);
  const pqxx::result gone = tx.exec_params("DELETE FROM log_entries WHERE log = $1 AND ts_ms < $2",
                                           p.log, p.before_ts_ms);
  result = R"({"deleted":)" + std::to_string(gone.affected_rows()) + "}";
  return {};
}

}  // namespace switchboard::postgres
