// storage-postgres: the storage backend for deployments that outgrow one machine.
// Every tenant of every node lives in one PostgreSQL database; row-level security
// keeps tenants apart on every read and write (session.hpp, schema.cpp), and a
// lease with an epoch fences a node that lost a tenant (lease.hpp).
//
// Writes go through one writer thread per tenant with group commit (writer.hpp);
// reads through one reader thread on its own connection (reader.hpp). Every hook
// only checks and copies its arguments, queues them and returns SB_PENDING, or
// answers at once: SB_REFUSED for a bad argument (ABI 1.11), SB_ERROR for "storage
// overloaded" past max_pending_messages. The checks are storage-sqlite's (request_parsing.hpp), so
// both backends accept and refuse the same input.
//
// Files (ABI 1.2) are rows with their bytes (bytea), search (ABI 1.3) an ILIKE over
// a trigram index, logs (ABI 1.4) rows of log_entries keyed by (log, seq). Of ABI
// 1.5 it has delete_conversation and log_prune; backup is the database's own tools'.
// Of ABI 1.7 it has lease_epoch: the owner node tags what it relays with it. Of ABI
// 1.9 release_lease: a node handing a tenant over or stopping gives its lease up.
// Of ABI 1.10 load_reads: the read positions set_read keeps in read_cursors.
// Of ABI 1.11 SB_REFUSED, for every bad argument.
//
// Config ([plugins.storage-postgres]): connection, node_id, lease_ms,
// partitions_ahead_months, max_batch_messages, max_pending_messages,
// statement_timeout_ms (see pg_config.hpp and README.md).
#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>

#include "lease.hpp"
#include "request_parsing.hpp"
#include "session.hpp"
#include "storage_instance.hpp"
#include "switchboard/sb_plugin.h"
#include "switchboard/sb_plugin_cpp.hpp"

namespace {

using switchboard::postgres::storable_text;
using switchboard::postgres::StorageInstance;

const sb_host_api* g_host = nullptr;  // set once by sb_plugin_entry, read-only after

constexpr uint64_t kMaxSeq = static_cast<uint64_t>(std::numeric_limits<int64_t>::max());

StorageInstance& self(sb_instance* inst) {
  return *reinterpret_cast<StorageInstance*>(inst);
}

// Whether a caller's struct is large enough to hold member up to `end` bytes.
bool has_fields(uint32_t struct_size, size_t end) {
  return struct_size >= end;
}

// A bad argument: SB_REFUSED (ABI 1.11), which the host's circuit breaker does not
// count, so no number of bad requests makes the tenant's storage unavailable.
int32_t refuse(sb_error* err, const std::string& why) {
  return sb_error_refuse(err, why.c_str());
}

// Whether every text a read filters on can be a PostgreSQL text parameter. libpq takes
// text parameters up to their first NUL byte: unchecked, a filter "v1\0x" read as
// "v1" and matched another visitor's conversations (a visitor's data export and
// erasure list them so), where storage-sqlite matches nothing.
bool storable_filter(const std::optional<std::string>& text) {
  return !text || storable_text(*text);
}
bool storable_filter(const switchboard::sqlite::ListConversations& q) {
  if (q.statuses)
    for (const auto& status : *q.statuses)
      if (!storable_text(status)) return false;
  return storable_filter(q.visitor_id) && storable_filter(q.assignee) && storable_filter(q.id) &&
         storable_filter(q.group) && storable_filter(q.tag);
}
bool storable_filter(const switchboard::sqlite::Search& q) {
  return storable_text(q.q) && storable_filter(q.conversation_id) && storable_filter(q.status) &&
         storable_filter(q.assignee);
}
bool storable_filter(const switchboard::sqlite::ListLog& q) {
  return storable_text(q.log) && storable_filter(q.kind) && storable_filter(q.actor);
}
constexpr const char* kUnstorableFilter = "a filter's text must be UTF-8 without NUL bytes";

// The same rule as storage-sqlite's file names: 1..128 bytes of [A-Za-z0-9_.-].
bool valid_blob_id(std::string_view id) {
  if (id.empty() || id.size() > 128) return false;
  for (char c : id) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '_' || c == '.' || c == '-';
    if (!ok) return false;
  }
  return true;
}

int64_t now_ms() {
  return g_host->wall_clock_ms ? g_host->wall_clock_ms() : 0;
}

int32_t instance_new(const sb_instance_args* args, sb_instance** out, sb_error* err) {
  return sb::guarded(err, [&] {
    switchboard::sqlite::HostRef host{g_host, args->ctx};
    try {
      auto* instance = new StorageInstance(host, sb::view(args->tenant_id));
      *out = reinterpret_cast<sb_instance*>(instance);
    } catch (const switchboard::postgres::LeaseHeld& held) {
      // Another node's lease: taking the tenant can succeed once it ends.
      sb_error_set(err, held.what());
      sb_error_set_retry_after(err, held.left_ms());
      return static_cast<int32_t>(SB_ERROR);
    }
    return static_cast<int32_t>(SB_OK);
  });
}

void instance_free(sb_instance* inst) {
  if (!inst) return;
  const switchboard::sqlite::HostRef host = self(inst).host();
  sb::guarded_void(host.api, host.ctx, [&] { delete &self(inst); });
}

int32_t append_message(sb_instance* inst, const sb_message* msg, sb_op* op, sb_error* err) {
  return sb::guarded(err, [&] {
    if (!msg) return refuse(err, "append_message: msg is NULL");
    if (!has_fields(msg->struct_size, offsetof(sb_message, ts_ms) + sizeof(msg->ts_ms)))
      return refuse(err, "sb_message is too small for this plugin");
    if (msg->seq == 0 || msg->seq > kMaxSeq) return refuse(err, "seq must be from 1 to 2^63-1");
    if (msg->conversation_id.len == 0) return refuse(err, "conversation_id is empty");
    switchboard::sqlite::AppendMessage m;
    if (auto why = switchboard::sqlite::copy_message(*msg, m); !why.empty())
      return refuse(err, why);
    // One bad row would fail the whole INSERT of a batch: refuse it here, alone.
    for (std::string_view field : {m.conversation_id(), m.message_id(), m.sender_role(),
                                   m.sender_id(), m.sender_name(), m.client_msg_id(), m.text()}) {
      if (!storable_text(field))
        return refuse(err, "append_message: text fields must be UTF-8 without NUL bytes");
    }
    return self(inst).write({std::move(m), op}, err);
  });
}

int32_t load_messages(sb_instance* inst, const sb_message_query* query, sb_op* op, sb_error* err) {
  return sb::guarded(err, [&] {
    if (!query) return refuse(err, "load_messages: query is NULL");
    if (!has_fields(query->struct_size,
                    offsetof(sb_message_query, before_seq) + sizeof(query->before_seq)))
      return refuse(err, "sb_message_query is too small for this plugin");
    switchboard::sqlite::LoadMessages q;
    q.conversation_id = sb::view(query->conversation_id);
    if (!storable_text(q.conversation_id))
      return refuse(err, "load_messages: conversation_id must be UTF-8 without NUL bytes");
    q.after_seq = static_cast<int64_t>(std::min(query->after_seq, kMaxSeq));
    q.before_seq = static_cast<int64_t>(std::min(query->before_seq, kMaxSeq));
    q.limit = query->limit;
    return self(inst).read({std::move(q), op}, err);
  });
}

int32_t put_conversation(sb_instance* inst, sb_str conversation_json, sb_op* op, sb_error* err) {
  return sb::guarded(err, [&] {
    switchboard::sqlite::PutConversation c;
    if (auto why =
            switchboard::sqlite::parse_conversation(sb::view(conversation_json), now_ms(), c);
        !why.empty())
      return refuse(err, why);
    return self(inst).write({std::move(c), op}, err);
  });
}

int32_t list_conversations(sb_instance* inst, sb_str filter_json, sb_op* op, sb_error* err) {
  return sb::guarded(err, [&] {
    switchboard::sqlite::ListConversations q;
    if (auto why = switchboard::sqlite::parse_filter(sb::view(filter_json), q); !why.empty())
      return refuse(err, why);
    if (!storable_filter(q)) return refuse(err, std::string("filter_json: ") + kUnstorableFilter);
    return self(inst).read({std::move(q), op}, err);
  });
}

int32_t set_read(sb_instance* inst, sb_str conversation_id, sb_str participant_id, uint64_t seq,
                 sb_op* op, sb_error* err) {
  return sb::guarded(err, [&] {
    if (seq > kMaxSeq) return refuse(err, "seq must be at most 2^63-1");
    switchboard::sqlite::SetRead r{std::string(sb::view(conversation_id)),
                                   std::string(sb::view(participant_id)),
                                   static_cast<int64_t>(seq)};
    return self(inst).write({std::move(r), op}, err);
  });
}

int32_t load_reads(sb_instance* inst, sb_str query_json, sb_op* op, sb_error* err) {
  return sb::guarded(err, [&] {
    switchboard::sqlite::LoadReads q;
    if (auto why = switchboard::sqlite::parse_reads_query(sb::view(query_json), q); !why.empty())
      return refuse(err, "load_reads: " + why);
    return self(inst).read({std::move(q), op}, err);
  });
}

int32_t kv_put(sb_instance* inst, sb_str ns, sb_str key, sb_str value_json, sb_op* op,
               sb_error* err) {
  return sb::guarded(err, [&] {
    if (auto why = switchboard::sqlite::check_kv_value(sb::view(value_json)); !why.empty())
      return refuse(err, why);
    switchboard::sqlite::KvPut kv{std::string(sb::view(ns)), std::string(sb::view(key)),
                                  std::string(sb::view(value_json))};
    return self(inst).write({std::move(kv), op}, err);
  });
}

int32_t kv_get(sb_instance* inst, sb_str ns, sb_str key, sb_op* op, sb_error* err) {
  return sb::guarded(err, [&] {
    switchboard::sqlite::KvGet q{std::string(sb::view(ns)), std::string(sb::view(key))};
    return self(inst).read({std::move(q), op}, err);
  });
}

int32_t kv_list(sb_instance* inst, sb_str ns, sb_op* op, sb_error* err) {
  return sb::guarded(err, [&] {
    switchboard::sqlite::KvList q{std::string(sb::view(ns))};
    return self(inst).read({std::move(q), op}, err);
  });
}

int32_t blob_put(sb_instance* inst, const sb_blob_put* blob, sb_op* op, sb_error* err) {
  return sb::guarded(err, [&] {
    if (!blob) return refuse(err, "blob_put: blob is NULL");
    if (!has_fields(blob->struct_size,
                    offsetof(sb_blob_put, max_total_bytes) + sizeof(blob->max_total_bytes)))
      return refuse(err, "sb_blob_put is too small for this plugin");
    const std::string_view id = sb::view(blob->blob_id);
    if (!valid_blob_id(id))
      return refuse(err, "blob_id must be 1..128 bytes of letters, digits, '_', '-' and '.'");
    if (blob->data.len == 0) return refuse(err, "a file must not be empty");
    if (blob->max_total_bytes > kMaxSeq) return refuse(err, "max_total_bytes is out of range");
    if (auto why = switchboard::sqlite::check_blob_meta(sb::view(blob->meta_json)); !why.empty())
      return refuse(err, why);
    switchboard::postgres::StoreBlob store;
    store.record.id = id;
    store.record.meta = sb::view(blob->meta_json);
    store.record.size = static_cast<int64_t>(blob->data.len);
    store.record.created_ms = now_ms();
    store.record.max_total_bytes = static_cast<int64_t>(blob->max_total_bytes);
    store.data.assign(blob->data.ptr, blob->data.len);
    return self(inst).write({std::move(store), op}, err);
  });
}

int32_t blob_get(sb_instance* inst, sb_str blob_id, sb_op* op, sb_error* err) {
  return sb::guarded(err, [&] {
    const std::string_view id = sb::view(blob_id);
    if (!valid_blob_id(id)) return refuse(err, "blob_id is not a valid id");
    switchboard::sqlite::GetBlob q{std::string(id), {}};
    return self(inst).read({std::move(q), op}, err);
  });
}

int32_t blob_meta(sb_instance* inst, sb_str blob_id, sb_op* op, sb_error* err) {
  return sb::guarded(err, [&] {
    const std::string_view id = sb::view(blob_id);
    if (!storable_text(id)) return refuse(err, "blob_id is not a valid id");
    switchboard::sqlite::BlobMeta q{std::string(id)};
    return self(inst).read({std::move(q), op}, err);
  });
}

int32_t blob_delete(sb_instance* inst, sb_str blob_id, sb_op* op, sb_error* err) {
  return sb::guarded(err, [&] {
    const std::string_view id = sb::view(blob_id);
    if (!valid_blob_id(id)) return refuse(err, "blob_id is not a valid id");
    switchboard::sqlite::DeleteBlob d{std::string(id), {}};
    return self(inst).write({std::move(d), op}, err);
  });
}

int32_t blob_usage(sb_instance* inst, sb_op* op, sb_error* err) {
  return sb::guarded(err, [&] {
    return self(inst).read({switchboard::sqlite::BlobUsage{}, op}, err);
  });
}

int32_t search(sb_instance* inst, sb_str query_json, sb_op* op, sb_error* err) {
  return sb::guarded(err, [&] {
    switchboard::sqlite::Search q;
    if (auto why = switchboard::sqlite::parse_search(sb::view(query_json), q); !why.empty())
      return refuse(err, why);
    if (!storable_filter(q)) return refuse(err, std::string("query_json: ") + kUnstorableFilter);
    return self(inst).read({std::move(q), op}, err);
  });
}

int32_t log_append(sb_instance* inst, const sb_log_entry* entry, sb_op* op, sb_error* err) {
  return sb::guarded(err, [&] {
    if (!entry) return refuse(err, "log_append: entry is NULL");
    if (!has_fields(entry->struct_size, offsetof(sb_log_entry, ts_ms) + sizeof(entry->ts_ms)))
      return refuse(err, "sb_log_entry is too small for this plugin");
    switchboard::sqlite::AppendLog e;
    if (auto why = switchboard::sqlite::parse_log_entry(sb::view(entry->log), sb::view(entry->kind),
                                                        sb::view(entry->actor),
                                                        sb::view(entry->data_json), e);
        !why.empty())
      return refuse(err, "log_append: " + why);
    if (!storable_text(e.kind) || !storable_text(e.actor))
      return refuse(err, "log_append: kind and actor must be UTF-8 without NUL bytes");
    e.ts_ms = entry->ts_ms;
    return self(inst).write({std::move(e), op}, err);
  });
}

int32_t log_list(sb_instance* inst, sb_str query_json, sb_op* op, sb_error* err) {
  return sb::guarded(err, [&] {
    switchboard::sqlite::ListLog q;
    if (auto why = switchboard::sqlite::parse_log_query(sb::view(query_json), q); !why.empty())
      return refuse(err, why);
    if (!storable_filter(q)) return refuse(err, std::string("query_json: ") + kUnstorableFilter);
    return self(inst).read({std::move(q), op}, err);
  });
}

int32_t delete_conversation(sb_instance* inst, sb_str conversation_id, sb_op* op, sb_error* err) {
  return sb::guarded(err, [&] {
    if (conversation_id.len == 0)
      return refuse(err, "delete_conversation: conversation_id is empty");
    switchboard::sqlite::DeleteConversation d{std::string(sb::view(conversation_id))};
    if (!storable_text(d.id))
      return refuse(err, "delete_conversation: conversation_id must be UTF-8 without NUL bytes");
    return self(inst).write({std::move(d), op}, err);
  });
}

int32_t log_prune(sb_instance* inst, sb_str log, int64_t before_ts_ms, sb_op* op, sb_error* err) {
  return sb::guarded(err, [&] {
    switchboard::sqlite::AppendLog check;
    if (auto why = switchboard::sqlite::parse_log_entry(sb::view(log), "", "", "{}", check);
        !why.empty())
      return refuse(err, "log_prune: " + why);
    switchboard::sqlite::PruneLog p{std::string(sb::view(log)), before_ts_ms};
    return self(inst).write({std::move(p), op}, err);
  });
}

int32_t lease_epoch(sb_instance* inst, int64_t* epoch, sb_error* err) {
  return sb::guarded(err, [&] {
    if (!epoch) return refuse(err, "lease_epoch: epoch is NULL");
    const int64_t held = self(inst).lease_epoch();
    if (held < 1) return static_cast<int32_t>(SB_NOT_SUPPORTED);
    *epoch = held;
    return static_cast<int32_t>(SB_OK);
  });
}

int32_t release_lease(sb_instance* inst, sb_op* op, sb_error* err) {
  return sb::guarded(err, [&] {
    if (self(inst).lease_epoch() < 1) return static_cast<int32_t>(SB_NOT_SUPPORTED);
    return self(inst).write({switchboard::postgres::ReleaseLease{}, op}, err);
  });
}

const sb_storage_api kStorageApi = {
    sizeof(sb_storage_api),
    append_message,
    load_messages,
    put_conversation,
    list_conversations,
    set_read,
    kv_put,
    kv_get,
    kv_list,
    blob_put,
    blob_get,
    blob_meta,
    blob_delete,
    blob_usage,
    search,
    log_append,
    log_list,
    delete_conversation,
    log_prune,
    // backup: a copy of one tenant's rows is not a PostgreSQL backup; the operator
    // backs the database up with its own tools (pg_dump, pg_basebackup), so the
    // host answers "not supported" here.
    nullptr,
    lease_epoch,
    release_lease,
    load_reads,
};

const sb_plugin_descriptor kDescriptor = {
    sizeof(sb_plugin_descriptor),
    SB_ABI_VERSION_MAJOR(1, 11),
    SB_ABI_VERSION_MINOR(1, 11),
    SB_KIND_STORAGE,
    "storage-postgres",
    "1.2.0",
    switchboard::postgres::kConfigKeys,
    switchboard::postgres::kConfigKeyCount,
    instance_new,
    instance_free,
    nullptr,
    &kStorageApi,
};

}  // namespace

extern "C" SB_EXPORT const sb_plugin_descriptor* sb_plugin_entry(const sb_host_api* host) {
  g_host = host;
  return &kDescriptor;
}
