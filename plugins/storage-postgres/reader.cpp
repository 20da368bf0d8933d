#include "reader.hpp"

#include <algorithm>
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/string.hpp>
#include <pqxx/binarystring>
#include <pqxx/except>
#include <pqxx/pqxx>
#include <pqxx/prepared_statement>
#include <variant>

#include "snippet.hpp"

namespace switchboard::postgres {

namespace json = boost::json;

namespace {

constexpr size_t kReadsPerWakeup = 64;
constexpr const char* kMessageColumns =
    "SELECT message_id, seq, sender_role, sender_id, sender_name, client_msg_id, text, ts_ms, "
    "flags, attachments FROM messages ";

// Stored JSON was checked when it was written; a row edited by hand answers with
// the fallback rather than failing the read.
json::value parsed_or(std::string_view text, json::value fallback) {
  boost::system::error_code ec;
  json::value value = json::parse(text, ec);
  return ec ? fallback : value;
}

std::string_view text_of(const pqxx::field& f) {
  return f.is_null() ? std::string_view() : std::string_view(f.c_str(), f.size());
}

json::value message_from_row(const pqxx::row& row) {
  json::object message{
      {"id", text_of(row[0])},
      {"seq", row[1].as<int64_t>()},
      {"from",
       json::object{{"role", text_of(row[2])}, {"id", text_of(row[3])}, {"name", text_of(row[4])}}},
      {"client_msg_id", text_of(row[5])},
      {"text", text_of(row[6])},
      {"ts", row[7].as<int64_t>()},
      {"flags", row[8].as<int64_t>()},
  };
  if (const std::string_view attachments = text_of(row[9]); !attachments.empty())
    message["attachments"] = parsed_or(attachments, json::array{});
  return message;
}

// Parameters of a query built per call: add() returns the next "$n".
struct Params {
  std::vector<std::string> values;
  std::string add(std::string value) {
    values.push_back(std::move(value));
    return "$" + std::to_string(values.size());
  }
};

pqxx::result query(pqxx::transaction_base& tx, const std::string& sql, const Params& params) {
  return tx.exec_params(sql, pqxx::prepare::make_dynamic_params(params.values));
}

std::string like_pattern(std::string_view q) {
  std::string pattern = "%";
  for (char c : q) {
    if (c == '%' || c == '_' || c == '\\') pattern += '\\';
    pattern += c;
  }
  pattern += '%';
  return pattern;
}

}  // namespace

Reader::Reader(HostRef host, const PgConfig& config, std::string tenant_id)
    : host_(host),
      tenant_id_(std::move(tenant_id)),
      before_schema_is_empty_(config.read_only),
      session_(config, host, "reader"),
      queue_(config.max_pending_messages) {
  session_.connection();  // fails the instance at once when the database is not there
  thread_ = std::thread([this] { run(); });
}

Reader::~Reader() {
  queue_.close();
  if (thread_.joinable()) thread_.join();
}

void Reader::run() {
  std::vector<ReadOp> batch;
  while (queue_.pop_batch(batch, kReadsPerWakeup)) {
    for (ReadOp& read : batch) {
      Answer result = answer(read);
      queue_.finished(1);  // before completing, as in the writer
      if (result.ok) {
        host_.complete_ok(read.op, result.body);
      } else {
        host_.complete_error(read.op, result.body);
      }
    }
  }
}

Reader::Answer Reader::answer(const ReadOp& read) {
  for (int attempt = 0; attempt < 2; ++attempt) {
    try {
      pqxx::read_transaction tx(session_.connection());
      enter_tenant(tx, tenant_id_);
      std::string body =
          std::visit([&](const auto& query) { return answer(tx, query); }, read.command);
      tx.commit();
      return {true, std::move(body)};
    } catch (const pqxx::undefined_table& e) {
      // Nothing was ever stored: the owner creates the tables as it starts. Agents,
      // sign-outs and counters read at a relayed node's start are then simply none.
      if (before_schema_is_empty_ &&
          std::holds_alternative<switchboard::sqlite::KvList>(read.command))
        return {true, R"({"items":[]})"};
      if (before_schema_is_empty_ &&
          std::holds_alternative<switchboard::sqlite::KvGet>(read.command))
        return {true, std::string()};
      return {false, std::string("storage: ") + e.what()};
    } catch (const std::exception& e) {
      const bool lost =
          dynamic_cast<const pqxx::broken_connection*>(&e) != nullptr || !session_.is_open();
      if (!lost) return {false, std::string("storage: ") + e.what()};
      session_.drop();
      if (attempt == 1)
        return {false, std::string("storage unavailable: cannot reach PostgreSQL: ") + e.what()};
    }
  }
  return {false, "storage unavailable"};
}

std::string Reader::answer(pqxx::transaction_base& tx, const switchboard::sqlite::LoadMessages& q) {
  const bool below = q.before_seq > 0;
  pqxx::result rows =
      below ? tx.exec_params(std::string(kMessageColumns) +
                                 "WHERE conversation_id = $1 AND seq > $2 AND seq < $3 "
                                 "ORDER BY seq DESC LIMIT $4",
                             q.conversation_id, q.after_seq, q.before_seq, q.limit)
            : tx.exec_params(std::string(kMessageColumns) +
                                 "WHERE conversation_id = $1 AND seq > $2 ORDER BY seq LIMIT $3",
                             q.conversation_id, q.after_seq, q.limit);
  json::array messages;
  for (const pqxx::row& row : rows) messages.push_back(message_from_row(row));
  if (below) std::reverse(messages.begin(), messages.end());
  return json::serialize(json::object{{"messages", std::move(messages)}});
}

std::string Reader::answer(pqxx::transaction_base& tx,
                           const switchboard::sqlite::ListConversations& q) {
  if (q.statuses && q.statuses->empty()) return R"({"conversations":[]})";
  Params p;
  std::string sql =
      "SELECT c.doc, (SELECT coalesce(max(s.seq), 0) FROM message_seqs s WHERE "
      "s.conversation_id = c.id) FROM conversations c WHERE true";
  if (q.statuses) {
    sql += " AND c.status IN (";
    for (size_t i = 0; i < q.statuses->size(); ++i) sql += (i ? "," : "") + p.add((*q.statuses)[i]);
    sql += ")";
  }
  if (q.visitor_id) sql += " AND c.visitor_id = " + p.add(*q.visitor_id);
  if (q.assignee) sql += " AND c.assignee = " + p.add(*q.assignee);
  if (q.id) sql += " AND c.id = " + p.add(*q.id);
  if (q.group) sql += " AND c.group_name = " + p.add(*q.group);
  if (q.tag) sql += " AND c.tags @> ARRAY[" + p.add(*q.tag) + "::text]";
  if (q.created_since) sql += " AND c.created_ms >= " + p.add(std::to_string(*q.created_since));
  if (q.created_until) sql += " AND c.created_ms < " + p.add(std::to_string(*q.created_until));
  if (q.updated_since) sql += " AND c.updated_ms >= " + p.add(std::to_string(*q.updated_since));
  sql += " ORDER BY c.updated_ms DESC, c.put_order DESC LIMIT " + p.add(std::to_string(q.limit));
  json::array conversations;
  for (const pqxx::row& row : query(tx, sql, p)) {
    json::value record = parsed_or(text_of(row[0]), json::object{});
    if (!record.is_object()) record = json::object{};
    record.get_object()["last_seq"] = row[1].as<int64_t>();
    conversations.push_back(std::move(record));
  }
  return json::serialize(json::object{{"conversations", std::move(conversations)}});
}

// The ids travel as one JSON array (one parameter for any number of them);
// row-level security keeps the read inside the tenant.
std::string Reader::answer(pqxx::transaction_base& tx, const switchboard::sqlite::LoadReads& q) {
  const pqxx::result rows = tx.exec_params(
      "SELECT conversation_id, participant_id, seq FROM read_cursors WHERE conversation_id IN "
      "(SELECT jsonb_array_elements_text($1::jsonb))",
      json::serialize(json::array(q.conversation_ids.begin(), q.conversation_ids.end())));
  json::array reads;
  for (const pqxx::row& row : rows)
    reads.push_back(json::object{{"conversation_id", text_of(row[0])},
                                 {"participant_id", text_of(row[1])},
                                 {"seq", row[2].as<int64_t>()}});
  return json::serialize(json::object{{"reads", std::move(reads)}});
}

// Newest first, paged by the message's id (the cursor is the id of the last hit
// given). ILIKE '%q%' is served by the trigram index (schema.cpp, version 2) for
// three characters or more; row-level security keeps it inside the tenant.
std::string Reader::answer(pqxx::transaction_base& tx, const switchboard::sqlite::Search& q) {
  Params p;
  std::string sql =
      "SELECT m.id, m.conversation_id, m.seq, m.message_id, m.sender_role, m.sender_id, "
      "m.sender_name, m.text, m.ts_ms, m.flags FROM messages m WHERE m.text ILIKE " +
      p.add(like_pattern(q.q));
  if (q.before_rowid) sql += " AND m.id < " + p.add(std::to_string(*q.before_rowid));
  if (q.since) sql += " AND m.ts_ms >= " + p.add(std::to_string(*q.since));
  if (q.until) sql += " AND m.ts_ms < " + p.add(std::to_string(*q.until));
  if (!q.include_private) sql += " AND (m.flags & 1) = 0";
  if (q.conversation_id) sql += " AND m.conversation_id = " + p.add(*q.conversation_id);
  if (q.status)
    sql += " AND m.conversation_id IN (SELECT id FROM conversations WHERE status = " +
           p.add(*q.status) + ")";
  if (q.assignee)
    sql += " AND m.conversation_id IN (SELECT id FROM conversations WHERE assignee = " +
           p.add(*q.assignee) + ")";
  // One more than asked: whether a next page exists.
  sql += " ORDER BY m.id DESC LIMIT " + p.add(std::to_string(q.limit + 1));
  json::array hits;
  int64_t last_id = 0;
  bool more = false;
  for (const pqxx::row& row : query(tx, sql, p)) {
    if (static_cast<int64_t>(hits.size()) == q.limit) {
      more = true;
      break;
    }
    last_id = row[0].as<int64_t>();
    hits.push_back(json::object{
        {"conversation_id", text_of(row[1])},
        {"seq", row[2].as<int64_t>()},
        {"message_id", text_of(row[3])},
        {"from",
         json::object{
             {"role", text_of(row[4])}, {"id", text_of(row[5])}, {"name", text_of(row[6])}}},
        {"text", switchboard::sqlite::snippet(text_of(row[7]), q.q)},
        {"ts", row[8].as<int64_t>()},
        {"flags", row[9].as<int64_t>()},
    });
  }
  json::object result{{"hits", std::move(hits)}};
  if (more) result["next_cursor"] = std::to_string(last_id);
  return json::serialize(result);
}

// Newest first from the cursor (the seq of the last entry given).
std::string Reader::answer(pqxx::transaction_base& tx, const switchboard::sqlite::ListLog& q) {
  Params p;
  std::string sql =
      "SELECT seq, ts_ms, kind, actor, data FROM log_entries WHERE log = " + p.add(q.log);
  if (q.kind) sql += " AND kind = " + p.add(*q.kind);
  if (q.actor) sql += " AND actor = " + p.add(*q.actor);
  if (q.seq) sql += " AND seq = " + p.add(std::to_string(*q.seq));
  if (q.before_seq) sql += " AND seq < " + p.add(std::to_string(*q.before_seq));
  sql += " ORDER BY seq DESC LIMIT " + p.add(std::to_string(q.limit + 1));
  json::array entries;
  int64_t last_seq = 0;
  bool more = false;
  for (const pqxx::row& row : query(tx, sql, p)) {
    if (static_cast<int64_t>(entries.size()) == q.limit) {
      more = true;
      break;
    }
    last_seq = row[0].as<int64_t>();
    entries.push_back(json::object{{"seq", last_seq},
                                   {"ts", row[1].as<int64_t>()},
                                   {"kind", text_of(row[2])},
                                   {"actor", text_of(row[3])},
                                   {"data", parsed_or(text_of(row[4]), json::object{})}});
  }
  json::object result{{"entries", std::move(entries)}};
  if (more) result["next_cursor"] = std::to_string(last_seq);
  return json::serialize(result);
}

std::string Reader::answer(pqxx::transaction_base& tx, const switchboard::sqlite::KvGet& q) {
  const pqxx::result rows =
      tx.exec_params("SELECT value FROM kv WHERE ns = $1 AND key = $2", q.ns, q.key);
  return rows.empty() ? std::string() : std::string(text_of(rows[0][0]));
}

std::string Reader::answer(pqxx::transaction_base& tx, const switchboard::sqlite::KvList& q) {
  std::string out = R"({"items":[)";
  bool first = true;
  for (const pqxx::row& row :
       tx.exec_params("SELECT key, value FROM kv WHERE ns = $1 ORDER BY key", q.ns)) {
    if (!first) out += ',';
    first = false;
    out += R"({"key":)";
    out += json::serialize(json::string(text_of(row[0])));
    out += R"(,"value":)";
    out += text_of(row[1]);
    out += '}';
  }
  out += "]}";
  return out;
}

std::string Reader::answer(pqxx::transaction_base& tx, const switchboard::sqlite::GetBlob& q) {
  const pqxx::result rows = tx.exec_params("SELECT data FROM blobs WHERE id = $1", q.id);
  if (rows.empty()) return {};
  return pqxx::binarystring(rows[0][0]).str();
}

std::string Reader::answer(pqxx::transaction_base& tx, const switchboard::sqlite::BlobMeta& q) {
  const pqxx::result rows =
      tx.exec_params("SELECT id, size, created_ms, meta FROM blobs WHERE id = $1", q.id);
  if (rows.empty()) return {};
  return json::serialize(json::object{{"id", text_of(rows[0][0])},
                                      {"size", rows[0][1].as<int64_t>()},
                                      {"created_at", rows[0][2].as<int64_t>()},
                                      {"meta", parsed_or(text_of(rows[0][3]), json::object{})}});
}

std::string Reader::answer(pqxx::transaction_base& tx, const switchboard::sqlite::BlobUsage&) {
  const pqxx::row row = tx.exec1("SELECT coalesce(sum(size), 0), count(*) FROM blobs");
  return R"({"total_bytes":)" + row[0].as<std::string>() + R"(,"count":)" +
         row[1].as<std::string>() + "}";
}

}  // namespace switchboard::postgres
