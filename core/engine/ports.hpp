// What the conversation engine needs from the outside world, as small interfaces:
// the connections it talks to (Peer), the tenant's storage backend (Store) and its
// routing strategies (Router). The server wires them to the hub and to plugins;
// unit tests wire them to fakes.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/inline_function.hpp"
#include "records/log_entry.hpp"

namespace sb::engine {

enum class Role : uint8_t { visitor, agent };

// Who is on the other end of a connection, as authenticated by the hub.
struct Identity {
  Role role = Role::visitor;
  std::string id;          // visitor id or agent id
  std::string name;        // display name
  std::string agent_role;  // "agent" | "admin" for agents, empty for visitors
  uint32_t epoch = 0;      // agents: the password epoch their token was issued in
};

// What the website said about a visitor in hello's "meta": unverified, as a
// visitor can send anything; the routing graph's conditions read it.
struct VisitorMeta {
  std::string page;                    // meta.page: the URL the chat was opened on
  std::string language;                // meta.lang
  std::string attributes_json = "{}";  // meta's other keys, as a JSON object
  // hello's "email" (checked to look like an address, not verified): shown to agents.
  // A hello without one keeps the visitor's earlier one.
  std::string email;

  bool operator==(const VisitorMeta&) const = default;
};

// One client connection. The engine keeps shared pointers to the peers of each
// participant and sends them frames; the hub implements it.
class Peer {
 public:
  virtual ~Peer() = default;
  // Queues one text frame. Any thread, never blocks. The frame is shared so that one
  // serialization serves every recipient.
  virtual void send(std::shared_ptr<const std::string> frame) = 0;
  // Sends a close frame with a code and reason after what is queued. Any thread.
  virtual void close(uint16_t code, std::string reason) = 0;
  virtual uint64_t peer_id() const = 0;
};
using PeerPtr = std::shared_ptr<Peer>;

// The close code of an agent socket whose session or token ended (expired, signed
// out, password changed, agent removed); the reason says which. The console sends
// the agent back to sign-in with it.
inline constexpr uint16_t kCloseSessionEnded = 4001;

// Result of a storage call; body is the plugin's result JSON (see sb_plugin.h).
struct StoreResult {
  int32_t status = 0;  // sb_status: 0 = SB_OK
  std::string body;
  std::string error;
  // The plugin refused the request as bad (ABI 1.11 SB_REFUSED; status is then
  // SB_ERROR): the caller's input, not the storage, is at fault.
  bool refused = false;
  bool ok() const { return status == 0; }
};
// Holds the engine's callable inline when it is no larger than this: a message's
// write (TenantEngine::write_message) passes a shared_ptr, a pointer and a seq, and
// StoppableStore's stop flag beside them, without an allocation.
inline constexpr size_t kStoreCallbackBytes = 48;
using StoreCallback = sb::InlineFunction<void(StoreResult), kStoreCallbackBytes>;

// sb_message_flags: an agent's private note, never shown to the visitor.
inline constexpr uint32_t kPrivateNote = 1;

struct StoredMessage {
  std::string conversation_id;
  std::string message_id;
  uint64_t seq = 0;
  std::string sender_role;  // "visitor" | "agent" | "bot" | "system"
  std::string sender_id;
  std::string sender_name;
  std::string client_msg_id;
  std::string text;
  int64_t ts_ms = 0;
  uint32_t flags = 0;
  // The files sent with it: "" or [{"id","name","content_type","size","thumbnail"}...].
  std::string attachments_json;
};

// One file for Store::blob_put; the bytes are shared, not copied, on their way.
struct BlobPut {
  std::string id;
  std::string meta_json;
  std::shared_ptr<const std::string> data;
  uint64_t max_total_bytes = 0;  // 0 = no limit
};

// One entry of an append-only log (records/log_entry.hpp).
using LogEntry = records::LogEntry;

// sb_status SB_NOT_SUPPORTED: the storage plugin keeps no files.
inline constexpr int32_t kStoreNotSupported = 4;

// The tenant's storage backend. Every callback runs on the engine's strand,
// exactly once (timeouts and plugin failures arrive as an error result).
class Store {
 public:
  virtual ~Store() = default;
  virtual void append_message(const StoredMessage& message, StoreCallback done) = 0;
  // Messages with after_seq < seq < before_seq (before_seq 0 = no bound), at most
  // limit, oldest first; with before_seq set, the page just below it.
  virtual void load_messages(const std::string& conversation_id, uint64_t after_seq,
                             uint64_t before_seq, uint32_t limit, StoreCallback done) = 0;
  virtual void put_conversation(std::string conversation_json, StoreCallback done) = 0;
  virtual void list_conversations(std::string filter_json, StoreCallback done) = 0;
  virtual void set_read(const std::string& conversation_id, const std::string& participant_id,
                        uint64_t seq, StoreCallback done) = 0;
  // What set_read recorded for these conversations (1..kMaxReadsPerLoad ids; ABI
  // 1.10): {"reads":[{"conversation_id","participant_id","seq"}...]}. Every store
  // says what it does: one that gives none back answers kStoreNotSupported, and the
  // engine then loads conversations without read marks.
  virtual void load_reads(std::vector<std::string> conversation_ids, StoreCallback done) = 0;
  static constexpr size_t kMaxReadsPerLoad = 1000;
  // The small document store (agents created over the API, ...): value "" deletes;
  // kv_list answers {"items":[{"key":S,"value":JSON}...]}.
  virtual void kv_put(const std::string& ns, const std::string& key, std::string value_json,
                      StoreCallback done) = 0;
  virtual void kv_list(const std::string& ns, StoreCallback done) = 0;
  // One key's value, or "" when absent.
  virtual void kv_get(const std::string& ns, const std::string& key, StoreCallback done) {
    (void)ns, (void)key;
    done({kStoreNotSupported, {}, "kv_get is not supported"});
  }

  // Files (ABI 1.2; results as sb_plugin.h says). A store without them answers
  // kStoreNotSupported.
  virtual void blob_put(const BlobPut& blob, StoreCallback done) {
    (void)blob;
    done({kStoreNotSupported, {}, "this storage keeps no files"});
  }
  virtual void blob_get(const std::string& id, StoreCallback done) {
    (void)id;
    done({kStoreNotSupported, {}, "this storage keeps no files"});
  }
  virtual void blob_meta(const std::string& id, StoreCallback done) {
    (void)id;
    done({kStoreNotSupported, {}, "this storage keeps no files"});
  }
  virtual void blob_delete(const std::string& id, StoreCallback done) {
    (void)id;
    done({kStoreNotSupported, {}, "this storage keeps no files"});
  }

  // Full-text search over the tenant's messages (ABI 1.3; query and result as
  // sb_plugin.h says). A store without it answers kStoreNotSupported.
  virtual void search(std::string query_json, StoreCallback done) {
    (void)query_json;
    done({kStoreNotSupported, {}, "this storage cannot search"});
  }

  // Append-only logs (ABI 1.4; results as sb_plugin.h says: {"seq"} once durable,
  // and {"entries":[...],"next_cursor"?} newest first). A store without them
  // answers kStoreNotSupported.
  virtual void log_append(const LogEntry& entry, StoreCallback done) {
    (void)entry;
    done({kStoreNotSupported, {}, "this storage keeps no logs"});
  }
  virtual void log_list(std::string query_json, StoreCallback done) {
    (void)query_json;
    done({kStoreNotSupported, {}, "this storage keeps no logs"});
  }

  // Data protection (ABI 1.5; results as sb_plugin.h says). A store without one
  // answers kStoreNotSupported. delete_conversation removes the record, messages
  // (and their search entries), tags and read positions; log_prune the log's
  // entries older than before_ts_ms; backup copies everything into dir (absolute,
  // existing, empty) while the store serves.
  virtual void delete_conversation(const std::string& conversation_id, StoreCallback done) {
    (void)conversation_id;
    done({kStoreNotSupported, {}, "this storage cannot delete conversations"});
  }
  virtual void log_prune(const std::string& log, int64_t before_ts_ms, StoreCallback done) {
    (void)log, (void)before_ts_ms;
    done({kStoreNotSupported, {}, "this storage cannot prune logs"});
  }
  virtual void backup(const std::string& dir, StoreCallback done) {
    (void)dir;
    done({kStoreNotSupported, {}, "this storage cannot back up online"});
  }
};

// An agent who may take a conversation now (online, below capacity).
struct Candidate {
  std::string agent_id;
  std::string name;
  uint32_t open_conversations = 0;
  uint32_t max_concurrent = 0;
  int64_t last_assigned_ms = 0;  // monotonic, 0 = never
  int64_t online_since_ms = 0;
  std::string groups_json = "[]";
  std::string skills_json = "{}";
};

struct RouteInput {
  std::string conversation_id;
  std::string visitor_id;
  std::string group;
  std::string attributes_json = "{}";
  const std::vector<Candidate>* candidates = nullptr;
};

struct RouteDecision {
  // offer: no push; every eligible agent is offered the conversation and the first
  // to accept takes it (manual routing, SB_OFFER).
  enum class Kind : uint8_t { chosen, deferred, pending, offer };
  Kind kind = Kind::deferred;
  size_t index = 0;  // valid when chosen
};

// One routing strategy of the tenant's chain. route() runs on the engine strand;
// when it answers `pending`, on_pending runs later on the strand with the chosen
// agent id, or nullopt to defer.
class Router {
 public:
  virtual ~Router() = default;
  virtual const std::string& name() const = 0;
  virtual RouteDecision route(const RouteInput& input,
                              std::function<void(std::optional<std::string>)> on_pending) = 0;
};
using RouterPtr = std::shared_ptr<Router>;

}  // namespace sb::engine
