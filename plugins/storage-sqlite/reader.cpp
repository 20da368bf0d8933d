#include "reader.hpp"

#include <pthread.h>

#include <algorithm>
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <set>

#include "blob_files.hpp"
#include "durable_log.hpp"
#include "result_json.hpp"
#include "snippet.hpp"

namespace switchboard::sqlite {

namespace json = boost::json;

namespace {

constexpr size_t kReadsPerWakeup = 64;
constexpr const char* kMessageColumns =
    "SELECT message_id, seq, sender_role, sender_id, sender_name, client_msg_id, text, ts_ms, "
    "flags, attachments "
    "FROM messages ";

Connection& configured(Connection& db, int busy_timeout_ms) {
  configure_connection(db, busy_timeout_ms);
  // This connection never writes; make a slip impossible rather than unlikely.
  db.exec_or_throw("PRAGMA query_only = ON");
  return db;
}

// An FTS5 query for the rows holding every trigram (three code points) of q, each
// one a quoted string ("" inside), each given once: "abc" AND "bcd" AND ...
std::string every_trigram(std::string_view q) {
  std::vector<size_t> starts;  // byte offset of each code point, then the end
  for (size_t i = 0; i < q.size(); ++i) {
    if ((static_cast<unsigned char>(q[i]) & 0xC0) != 0x80) starts.push_back(i);
  }
  starts.push_back(q.size());
  std::set<std::string_view> seen;
  std::string out;
  for (size_t i = 0; i + 3 < starts.size(); ++i) {
    const std::string_view trigram = q.substr(starts[i], starts[i + 3] - starts[i]);
    if (!seen.insert(trigram).second) continue;
    if (!out.empty()) out += " AND ";
    out += '"';
    for (char c : trigram) {
      if (c == '"') out += '"';
      out += c;
    }
    out += '"';
  }
  return out;
}

// Queries shorter than a trigram cannot use the index: they scan the newest
// kShortQueryWindow messages of the tenant (LIKE), a bounded cost.
constexpr int64_t kShortQueryWindow = 20000;

}  // namespace

Reader::Reader(HostRef host, const std::string& path, const StorageConfig& config)
    : host_(host),
      path_(path),
      apply_wait_(config.busy_timeout_ms + 10000),
      db_(path, /*create=*/false),
      messages_from_start_(configured(db_, config.busy_timeout_ms),
                           std::string(kMessageColumns) +
                               "WHERE conversation_id = ?1 AND seq > ?2 ORDER BY seq ASC LIMIT ?3"),
      // The page just below before_seq: newest first here, reversed before answering.
      messages_below_(
          db_,
          std::string(kMessageColumns) +
              "WHERE conversation_id = ?1 AND seq > ?2 AND seq < ?3 ORDER BY seq DESC LIMIT ?4"),
      kv_get_(db_, "SELECT value FROM kv WHERE ns = ?1 AND key = ?2"),
      kv_list_(db_, "SELECT key, value FROM kv WHERE ns = ?1 ORDER BY key"),
      blob_meta_(db_, "SELECT id, size, created_ms, meta FROM blobs WHERE id = ?1"),
      blob_usage_(db_, "SELECT coalesce(sum(size), 0), count(*) FROM blobs"),
      // The ids arrive as one JSON array: one statement for any number of them.
      reads_(db_,
             "SELECT conversation_id, participant_id, seq FROM read_cursors WHERE "
             "conversation_id IN (SELECT value FROM json_each(?1))"),
      queue_(config.max_pending_messages) {
  thread_ = std::thread([this] { run(); });
}

Reader::~Reader() {
  queue_.close();
  if (thread_.joinable()) thread_.join();
}

void Reader::run() {
  pthread_setname_np(pthread_self(), "sqlite-reader");
  std::vector<ReadOp> batch;
  while (queue_.pop_batch(batch, kReadsPerWakeup)) {
    // Every read of the batch was issued by now: what was acknowledged by now is
    // what it must see.
    const bool applied = wait_until_applied(path_, apply_wait_);
    for (ReadOp& read : batch) {
      Answer result =
          applied ? std::visit([&](const auto& query) { return answer(query); }, read.command)
                  : Answer{false,
                           "storage: acknowledged writes are not applied to the database yet "
                           "(it is locked or failing); try again"};
      queue_.finished(1);  // before completing, as in the writer
      if (result.ok) {
        host_.complete_ok(read.op, result.body);
      } else {
        host_.complete_error(read.op, result.body);
      }
    }
  }
}

Reader::Answer Reader::failed(std::string_view what) {
  return {false, "storage: " + std::string(what) + ": " + db_.last_error()};
}

Reader::Answer Reader::answer(const LoadMessages& q) {
  const bool below = q.before_seq > 0;
  Statement& s = below ? messages_below_ : messages_from_start_;
  ResetOnExit reset(s);
  s.bind(1, q.conversation_id);
  s.bind(2, q.after_seq);
  if (below) {
    s.bind(3, q.before_seq);
    s.bind(4, q.limit);
  } else {
    s.bind(3, q.limit);
  }
  json::array messages;
  int rc;
  while ((rc = s.step()) == SQLITE_ROW) messages.push_back(message_from_row(s));
  if (rc != SQLITE_DONE) return failed("cannot load messages");
  if (below) std::reverse(messages.begin(), messages.end());
  return {true, messages_result(std::move(messages))};
}

Reader::Answer Reader::answer(const ListConversations& q) {
  if (q.statuses && q.statuses->empty()) return {true, conversations_result({})};
  // Built per call: the filters present decide the WHERE clause. Parameters are
  // numbered in the order the clauses are added.
  std::string sql =
      "SELECT c.doc, (SELECT coalesce(max(m.seq), 0) FROM messages m WHERE m.conversation_id = "
      "c.id) "
      "FROM conversations c WHERE 1";
  std::vector<std::string_view> params;
  if (q.statuses) {
    sql += " AND c.status IN (";
    for (size_t i = 0; i < q.statuses->size(); ++i) {
      sql += i ? ",?" : "?";
      params.push_back((*q.statuses)[i]);
    }
    sql += ")";
  }
  if (q.visitor_id) {
    sql += " AND c.visitor_id = ?";
    params.push_back(*q.visitor_id);
  }
  if (q.assignee) {
    sql += " AND c.assignee = ?";
    params.push_back(*q.assignee);
  }
  if (q.id) {
    sql += " AND c.id = ?";
    params.push_back(*q.id);
  }
  if (q.group) {
    sql += " AND c.group_name = ?";
    params.push_back(*q.group);
  }
  if (q.tag) {
    sql += " AND c.id IN (SELECT t.conversation_id FROM conversation_tags t WHERE t.tag = ?)";
    params.push_back(*q.tag);
  }
  // Times are bound after the text parameters, in this order.
  std::vector<int64_t> times;
  if (q.created_since) {
    sql += " AND c.created_ms >= ?";
    times.push_back(*q.created_since);
  }
  if (q.created_until) {
    sql += " AND c.created_ms < ?";
    times.push_back(*q.created_until);
  }
  if (q.updated_since) {
    sql += " AND c.updated_ms >= ?";
    times.push_back(*q.updated_since);
  }
  sql += " ORDER BY c.updated_ms DESC, c.rowid DESC LIMIT ?";

  Statement s;
  try {
    s = Statement(db_, sql);
  } catch (const std::exception& e) {
    return {false, e.what()};
  }
  int index = 1;
  for (std::string_view p : params) s.bind(index++, p);
  for (int64_t t : times) s.bind(index++, t);
  s.bind(index, q.limit);
  ResetOnExit reset(s);
  json::array conversations;
  int rc;
  while ((rc = s.step()) == SQLITE_ROW) {
    conversations.push_back(conversation_with_last_seq(s.column_text(0), s.column_int(1)));
  }
  if (rc != SQLITE_DONE) return failed("cannot list conversations");
  return {true, conversations_result(std::move(conversations))};
}

// Newest first, paged by rowid (the cursor is the rowid of the last hit given).
// Three characters or more: the trigram index (schema.cpp, version 10: which rows
// hold a trigram, not where), asked for the rows holding every trigram of q, each
// one quoted so FTS5 syntax in q is plain text; those rows are then checked with
// LIKE, which makes the hit exact (the trigrams in order, with % and _ literal)
// and case-insensitive for ASCII, as every other source of hits here. Plus a scan
// (LIKE) of the messages the writer has not indexed yet (the rows above
// search_mark, schema.cpp version 9: at most a few hundred, a quarter of a
// second's worth), both read in one snapshot and merged. Fewer: LIKE over the
// newest kShortQueryWindow messages. Within one conversation: LIKE over that
// conversation's messages (its primary key range), whatever the length: the index
// would walk every hit of the tenant newest first to find the few of an old
// conversation.
// The index cannot take the LIKE itself: SQLite hands a LIKE with ESCAPE (needed
// for % and _ in q) to no virtual table, so FTS5 would read all of it.
Reader::Answer Reader::answer(const Search& q) {
  const bool indexed = code_points(q.q) >= 3 && !q.conversation_id;
  const std::string trigrams = indexed ? every_trigram(q.q) : std::string();
  std::string like = "%";
  for (char c : q.q) {
    if (c == '%' || c == '_' || c == '\\') like += '\\';
    like += c;
  }
  like += '%';

  // The filters every source shares.
  std::string filters;
  std::vector<int64_t> numbers;
  std::vector<std::string_view> texts;
  if (q.before_rowid) {
    filters += " AND m.rowid < ?";
    numbers.push_back(*q.before_rowid);
  }
  if (q.since) {
    filters += " AND m.ts_ms >= ?";
    numbers.push_back(*q.since);
  }
  if (q.until) {
    filters += " AND m.ts_ms < ?";
    numbers.push_back(*q.until);
  }
  if (!q.include_private) filters += " AND (m.flags & 1) = 0";
  // Numbers are bound before texts, in the order their ?s appear.
  if (q.conversation_id) {
    filters += " AND m.conversation_id = ?";
    texts.push_back(*q.conversation_id);
  }
  if (q.status) {
    filters += " AND m.conversation_id IN (SELECT id FROM conversations WHERE status = ?)";
    texts.push_back(*q.status);
  }
  if (q.assignee) {
    filters += " AND m.conversation_id IN (SELECT id FROM conversations WHERE assignee = ?)";
    texts.push_back(*q.assignee);
  }

  struct Hit {
    int64_t rowid;
    json::object hit;
  };
  std::vector<Hit> hits;
  // The source's own patterns are ?1 (and ?2); the filters' anonymous ?s follow.
  const auto collect = [&](const std::string& from_where,
                           std::initializer_list<std::string_view> patterns,
                           const char* order_by) -> bool {
    const std::string sql =
        "SELECT m.rowid, m.conversation_id, m.seq, m.message_id, m.sender_role, m.sender_id, "
        "m.sender_name, m.text, m.ts_ms, m.flags FROM " +
        from_where + filters + " ORDER BY " + order_by + " DESC LIMIT ?";
    Statement s;
    try {
      s = Statement(db_, sql);
    } catch (const std::exception&) {
      return false;
    }
    int index = 1;
    for (std::string_view p : patterns) s.bind(index++, p);
    for (int64_t n : numbers) s.bind(index++, n);
    for (std::string_view t : texts) s.bind(index++, t);
    s.bind(index, q.limit + 1);  // one more than asked: whether a next page exists
    ResetOnExit reset(s);
    int rc;
    while ((rc = s.step()) == SQLITE_ROW) {
      hits.push_back({s.column_int(0), json::object{
                                           {"conversation_id", s.column_text(1)},
                                           {"seq", s.column_int(2)},
                                           {"message_id", s.column_text(3)},
                                           {"from", json::object{{"role", s.column_text(4)},
                                                                 {"id", s.column_text(5)},
                                                                 {"name", s.column_text(6)}}},
                                           {"text", snippet(s.column_text(7), q.q)},
                                           {"ts", s.column_int(8)},
                                           {"flags", s.column_int(9)},
                                       }});
    }
    return rc == SQLITE_DONE;
  };

  bool ok;
  if (indexed) {
    // One snapshot: a message the writer indexes meanwhile is seen exactly once.
    std::string error;
    if (db_.exec("BEGIN", error) != SQLITE_OK) return failed("cannot search messages");
    ok = collect(
             "messages_fts f JOIN messages m ON m.rowid = f.rowid WHERE messages_fts MATCH ?1 AND "
             "m.text LIKE ?2 ESCAPE '\\'",
             {trigrams, like}, "f.rowid") &&
         collect(
             "messages m WHERE m.text LIKE ?1 ESCAPE '\\' AND m.rowid > (SELECT indexed_upto "
             "FROM search_mark)",
             {like}, "m.rowid");
    db_.exec("COMMIT", error);
    std::sort(hits.begin(), hits.end(),
              [](const Hit& a, const Hit& b) { return a.rowid > b.rowid; });
  } else {
    std::string where = "messages m WHERE m.text LIKE ?1 ESCAPE '\\'";
    if (!q.conversation_id) {
      where +=
          " AND m.rowid >= (SELECT coalesce(min(r), 0) FROM (SELECT rowid AS r FROM messages "
          "ORDER BY rowid DESC LIMIT " +
          std::to_string(kShortQueryWindow) + "))";
    }
    ok = collect(where, {like}, "m.rowid");
  }
  if (!ok) return failed("cannot search messages");

  const bool more = static_cast<int64_t>(hits.size()) > q.limit;
  if (more) hits.resize(static_cast<size_t>(q.limit));
  json::array page;
  page.reserve(hits.size());
  for (auto& h : hits) page.push_back(std::move(h.hit));
  json::object result{{"hits", std::move(page)}};
  if (more && !hits.empty()) result["next_cursor"] = std::to_string(hits.back().rowid);
  return {true, json::serialize(result)};
}

// Newest first from the cursor (the seq of the last entry given), one range of the
// primary key or of the kind/actor index (schema.cpp, version 5).
Reader::Answer Reader::answer(const ListLog& q) {
  std::string sql = "SELECT seq, ts_ms, kind, actor, data FROM log_entries WHERE log = ?";
  std::vector<std::string_view> texts{q.log};
  if (q.kind) {
    sql += " AND kind = ?";
    texts.push_back(*q.kind);
  }
  if (q.actor) {
    sql += " AND actor = ?";
    texts.push_back(*q.actor);
  }
  std::vector<int64_t> numbers;
  if (q.seq) {
    sql += " AND seq = ?";
    numbers.push_back(*q.seq);
  }
  if (q.before_seq) {
    sql += " AND seq < ?";
    numbers.push_back(*q.before_seq);
  }
  sql += " ORDER BY seq DESC LIMIT ?";
  Statement s;
  try {
    s = Statement(db_, sql);
  } catch (const std::exception& e) {
    return {false, e.what()};
  }
  int index = 1;
  for (std::string_view t : texts) s.bind(index++, t);
  for (int64_t n : numbers) s.bind(index++, n);
  // One more than asked: whether a next page exists.
  s.bind(index, q.limit + 1);
  ResetOnExit reset(s);
  json::array entries;
  int64_t last_seq = 0;
  bool more = false;
  int rc;
  while ((rc = s.step()) == SQLITE_ROW) {
    if (static_cast<int64_t>(entries.size()) == q.limit) {
      more = true;
      continue;
    }
    last_seq = s.column_int(0);
    boost::system::error_code ec;
    json::value data = json::parse(s.column_text(4), ec);
    if (ec) data = json::object{};  // checked on append; never expected
    entries.push_back(json::object{{"seq", last_seq},
                                   {"ts", s.column_int(1)},
                                   {"kind", s.column_text(2)},
                                   {"actor", s.column_text(3)},
                                   {"data", std::move(data)}});
  }
  if (rc != SQLITE_DONE) return failed("cannot list the log");
  json::object result{{"entries", std::move(entries)}};
  if (more) result["next_cursor"] = std::to_string(last_seq);
  return {true, json::serialize(result)};
}

Reader::Answer Reader::answer(const KvGet& q) {
  ResetOnExit reset(kv_get_);
  kv_get_.bind(1, q.ns);
  kv_get_.bind(2, q.key);
  const int rc = kv_get_.step();
  if (rc == SQLITE_ROW) return {true, std::string(kv_get_.column_text(0))};
  if (rc == SQLITE_DONE) return {true, std::string()};
  return failed("cannot read key");
}

Reader::Answer Reader::answer(const KvList& q) {
  ResetOnExit reset(kv_list_);
  kv_list_.bind(1, q.ns);
  std::string out = R"({"items":[)";
  bool first = true;
  int rc;
  while ((rc = kv_list_.step()) == SQLITE_ROW) {
    if (!first) out += ',';
    first = false;
    append_kv_item(out, kv_list_.column_text(0), kv_list_.column_text(1));
  }
  if (rc != SQLITE_DONE) return failed("cannot list keys");
  out += "]}";
  return {true, out};
}

Reader::Answer Reader::answer(const LoadReads& q) {
  ResetOnExit reset(reads_);
  // Bound as it is (not copied): it must outlive the statement's steps.
  const std::string ids =
      json::serialize(json::array(q.conversation_ids.begin(), q.conversation_ids.end()));
  reads_.bind(1, ids);
  json::array reads;
  int rc;
  while ((rc = reads_.step()) == SQLITE_ROW)
    reads.push_back(json::object{{"conversation_id", reads_.column_text(0)},
                                 {"participant_id", reads_.column_text(1)},
                                 {"seq", reads_.column_int(2)}});
  if (rc != SQLITE_DONE) return failed("cannot load read positions");
  return {true, json::serialize(json::object{{"reads", std::move(reads)}})};
}

// The row first: a file whose row is not committed (an upload in flight, or one
// a crash interrupted) does not exist for readers.
Reader::Answer Reader::answer(const GetBlob& q) {
  Answer record = answer(BlobMeta{q.id});
  if (!record.ok || record.body.empty()) return record;
  auto bytes = BlobFiles::read(q.file);
  if (!bytes) return {false, "storage: file " + q.id + " has a record but cannot be read"};
  return {true, std::move(*bytes)};
}

Reader::Answer Reader::answer(const BlobMeta& q) {
  ResetOnExit reset(blob_meta_);
  blob_meta_.bind(1, q.id);
  const int rc = blob_meta_.step();
  if (rc == SQLITE_DONE) return {true, std::string()};
  if (rc != SQLITE_ROW) return failed("cannot read file record");
  return {true, blob_meta_result(blob_meta_)};
}

Reader::Answer Reader::answer(const BlobUsage&) {
  ResetOnExit reset(blob_usage_);
  if (blob_usage_.step() != SQLITE_ROW) return failed("cannot sum the stored files");
  return {true, R"({"total_bytes":)" + std::to_string(blob_usage_.column_int(0)) + R"(,"count":)" +
                    std::to_string(blob_usage_.column_int(1)) + "}"};
}

}  // namespace switchboard::sqlite
