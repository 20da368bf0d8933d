/*
 * sb_plugin.h: the Switchboard plugin ABI. The only header a plugin includes.
 *
 * Plain C99, no C++ or library types. Rules every part of this file follows:
 *
 *  - One exported entry symbol, sb_plugin_entry, returns a descriptor. Everything
 *    else is reached through structs of function pointers.
 *  - Every struct that crosses starts with uint32_t struct_size. A reader ignores
 *    what lies past the size it knows; structs only ever grow at the end.
 *  - The host API is handed to the plugin, never linked against. Functions added
 *    after 1.0 are looked up by name with host->get_api("name") (NULL if absent).
 *  - Text crosses as sb_str (UTF-8, not NUL-terminated, pointer + length). JSON
 *    crosses as bytes in an sb_str.
 *  - Ownership: every pointer handed across a call is BORROWED for the duration of
 *    that call only, unless the function says otherwise. Copy what you keep.
 *  - No C++ exception ever crosses. Use sb_plugin_cpp.hpp for a catch-all wrapper.
 *  - Hooks must not block. Slow work returns SB_PENDING and finishes later through
 *    host->complete(op, ...), from any thread, exactly once.
 *  - Versioning: the host accepts a plugin whose major equals the host's major and
 *    whose minor is not higher than the host's minor.
 */
#ifndef SWITCHBOARD_SB_PLUGIN_H
#define SWITCHBOARD_SB_PLUGIN_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The ABI this header describes. tests/abi pins the layout of every struct per
 * version: changing a struct without bumping these numbers fails the build's tests. */
#define SB_ABI_MAJOR 1
#define SB_ABI_MINOR 11

/* A plugin states the ABI version it was WRITTEN for with SB_ABI_VERSION(major, minor)
 * in its descriptor. Rebuilding against newer headers keeps the number it wrote (so
 * it never silently claims a newer minor), and building against another major, or a
 * minor these headers do not have, fails to compile. */
#define SB_ABI_CHECK_(major, minor) \
  (0 * sizeof(char[((major) == SB_ABI_MAJOR && (minor) <= SB_ABI_MINOR) ? 1 : -1]))
#define SB_ABI_VERSION_MAJOR(major, minor) ((uint16_t)((major) + SB_ABI_CHECK_(major, minor)))
#define SB_ABI_VERSION_MINOR(major, minor) ((uint16_t)((minor) + SB_ABI_CHECK_(major, minor)))

#if defined(__GNUC__) || defined(__clang__)
#define SB_EXPORT __attribute__((visibility("default")))
#else
#define SB_EXPORT
#endif

/* The one symbol a plugin exports. */
#define SB_ENTRY_SYMBOL "sb_plugin_entry"

/* ---------------------------------------------------------------------------- */
/* Basic types                                                                   */
/* ---------------------------------------------------------------------------- */

/* A UTF-8 byte slice. ptr may be NULL when len is 0. */
typedef struct sb_str {
  const char* ptr;
  size_t len;
} sb_str;

/* Status of every call. Stored in int32_t fields so the size never depends on the
 * compiler's choice for enums. */
typedef enum sb_status {
  SB_OK = 0,
  SB_ERROR = 1,         /* failed; the sb_error buffer says why */
  SB_PENDING = 2,       /* accepted; the result comes through host->complete */
  SB_DEFER = 3,         /* no decision; the next plugin in the chain decides */
  SB_NOT_SUPPORTED = 4, /* this plugin does not do that */
  SB_OFFER = 5,         /* 1.1, routing: offer to every candidate, first accept wins */
  SB_REFUSED = 6        /* 1.11: the request itself is bad (a malformed argument, a
                         * value out of range); the sb_error buffer says why. The
                         * caller sees an error, as with SB_ERROR, but the plugin is
                         * not failing: the host's circuit breaker does not count it.
                         * Only for what the same request would get every time, never
                         * for an I/O failure, a timeout or an overload. */
} sb_status;

typedef enum sb_kind {
  SB_KIND_STORAGE = 1,
  SB_KIND_ROUTING = 2,
  SB_KIND_AUTOREPLY = 3,  /* since 1.1 */
  SB_KIND_LLM = 4,        /* since 1.1 */
  SB_KIND_CLUSTER_BUS = 5 /* since 1.6 (reserved before) */
} sb_kind;

typedef enum sb_log_level {
  SB_LOG_DEBUG = 0,
  SB_LOG_INFO = 1,
  SB_LOG_WARN = 2,
  SB_LOG_ERROR = 3
} sb_log_level;

/* A message buffer owned by the host. A plugin that fails writes a NUL-terminated
 * explanation of at most capacity - 1 bytes into message (or leaves it empty). */
typedef struct sb_error {
  uint32_t struct_size;
  char* message;
  size_t capacity;
  /* 1.8: a failure that ends by itself at a time the plugin knows: the same call
   * may succeed when made again this many ms from now (>= 1). The host sets 0 (the
   * plugin says nothing of when) before the call; a plugin sets it with
   * sb_error_set_retry_after, never directly (a host's struct may be smaller). Read
   * by the host after instance_new: storage shared by a cluster's nodes refusing a
   * tenant whose lease another node holds says when that lease ends
   * (docs/cluster.md), and the node tries again just then. */
  int64_t retry_after_ms;
} sb_error;

/* Opaque handles. */
typedef struct sb_host_ctx sb_host_ctx; /* the host's side of one plugin instance */
typedef struct sb_instance sb_instance; /* the plugin's per-tenant state */
typedef struct sb_op sb_op;             /* one asynchronous operation */

/* ---------------------------------------------------------------------------- */
/* The host API, handed to sb_plugin_entry and valid until the plugin is unloaded */
/* ---------------------------------------------------------------------------- */

typedef struct sb_host_api {
  uint32_t struct_size;
  uint16_t abi_major; /* the host's ABI */
  uint16_t abi_minor;

  /* Memory the other side frees. Any thread. */
  void* (*alloc)(size_t size);
  void (*free)(void* ptr);

  /* Writes one log line tagged with the plugin and tenant of ctx (ctx may be NULL
   * for lines not tied to an instance). Any thread. message is borrowed. */
  void (*log)(sb_host_ctx* ctx, int32_t level, sb_str message);

  /* Clocks in milliseconds. Any thread. */
  int64_t (*monotonic_ms)(void);
  int64_t (*wall_clock_ms)(void);

  /* Finishes an operation for which a hook returned SB_PENDING. Any thread,
   * exactly once per op. status is SB_OK, SB_ERROR, SB_DEFER or (1.11)
   * SB_REFUSED; result and
   * error_message are borrowed for the call (the host copies them). After the
   * host timed the op out or cancelled it, completing it is still required and
   * harmless: the host drops the late result. */
  void (*complete)(sb_op* op, int32_t status, sb_str result, sb_str error_message);

  /* Reads a key of this instance's config table ([plugins.NAME] in the tenant
   * file) as text: strings as they are, numbers in decimal, booleans as
   * "true"/"false", arrays and tables as JSON. Returns 1 and sets *out (valid until
   * instance_free) when the key is present, else 0. Any thread. */
  int32_t (*config_get)(sb_host_ctx* ctx, const char* key, sb_str* out);

  /* Functions added after ABI 1.0, by name. NULL when this host has none by that
   * name. Any thread. */
  const void* (*get_api)(const char* name);
} sb_host_api;

/* ---------------------------------------------------------------------------- */
/* Events: every conversation and agent transition, in order per tenant          */
/* ---------------------------------------------------------------------------- */

/* Types in 1.0: "message.created", "conversation.opened", "conversation.queued",
 * "conversation.assigned", "conversation.transferred", "conversation.closed",
 * "agent.status", "tenant.reloaded". Added in 1.1: "conversation.bot_started",
 * "bot.turn", "conversation.bot_handed_off", "conversation.decided" (which routing
 * rule fired). payload_json is the event as a JSON
 * object. A plugin ignores types it does not know: later minors add more. */
typedef struct sb_event {
  uint32_t struct_size;
  sb_str type;
  sb_str tenant_id;
  sb_str conversation_id; /* empty when the event is not about one conversation */
  sb_str payload_json;
  int64_t ts_ms; /* wall clock */
} sb_event;

/* ---------------------------------------------------------------------------- */
/* The descriptor                                                                */
/* ---------------------------------------------------------------------------- */

typedef enum sb_config_type {
  SB_CONFIG_STRING = 1,
  SB_CONFIG_INTEGER = 2,
  SB_CONFIG_BOOLEAN = 3,
  SB_CONFIG_FLOAT = 4,
  SB_CONFIG_ARRAY = 5,
  SB_CONFIG_TABLE = 6
} sb_config_type;

/* One key the plugin accepts in its [plugins.NAME] table. The host rejects every
 * other key, and a value of another type, naming file, line and key. */
typedef struct sb_config_key {
  uint32_t struct_size;
  int32_t type; /* sb_config_type */
  const char* name;
} sb_config_key;

typedef struct sb_instance_args {
  uint32_t struct_size;
  sb_host_ctx* ctx; /* pass back to host calls; valid until instance_free returns */
  sb_str tenant_id;
  sb_str config_json; /* the instance's config table as a JSON object ("{}" if none) */
  sb_str data_dir;    /* a directory this instance alone may write to; it exists */
  /* 1.1: the directory of the tenant's TOML file. Relative file names in the
   * plugin's config (a knowledge base, a flow) are relative to it. Read it only when
   * struct_size covers it (a 1.0 host passes a shorter struct). */
  sb_str config_dir;
} sb_instance_args;

typedef struct sb_plugin_descriptor {
  uint32_t struct_size;
  uint16_t abi_major;  /* SB_ABI_VERSION_MAJOR(1, 0) */
  uint16_t abi_minor;  /* SB_ABI_VERSION_MINOR(1, 0) */
  int32_t kind;        /* sb_kind */
  const char* name;    /* e.g. "routing-least-busy"; tenants name the plugin by it */
  const char* version; /* the plugin's own version, e.g. "1.0.0" */

  const sb_config_key* config_keys; /* may be NULL when config_key_count is 0 */
  size_t config_key_count;

  /* MANDATORY. Creates the instance for one tenant. Called on a host thread at
   * start-up or on a tenant reload; may do blocking set-up (open files, migrate). */
  int32_t (*instance_new)(const sb_instance_args* args, sb_instance** out_instance, sb_error* err);
  /* MANDATORY. Frees an instance. The host calls it only after every operation of
   * the instance completed (or was completed late) and no hook runs. When it
   * returns, nothing the plugin started for the instance may still run (join its
   * threads): once a replaced or removed plugin's last instance is freed, the host
   * unloads the library. */
  void (*instance_free)(sb_instance* instance);
  /* OPTIONAL (NULL). Sees every event of the instance's tenant, in order, on the
   * tenant's engine thread. Must not block; the event is borrowed. */
  void (*on_event)(sb_instance* instance, const sb_event* event);

  /* The kind's own function table: sb_storage_api, sb_routing_api, since 1.1
   * sb_autoreply_api or sb_llm_api, since 1.6 sb_cluster_api. Static. */
  const void* kind_api;
} sb_plugin_descriptor;

/* The entry symbol's type. Returns a descriptor with static storage duration, or
 * NULL to refuse loading (e.g. host->abi_minor too old for what the plugin needs). */
typedef const sb_plugin_descriptor* (*sb_plugin_entry_fn)(const sb_host_api* host);

/* ---------------------------------------------------------------------------- */
/* Kind: storage                                                                 */
/* ---------------------------------------------------------------------------- */

typedef enum sb_message_flags {
  SB_MESSAGE_PRIVATE = 1 /* an agent-only note, never shown to the visitor */
} sb_message_flags;

typedef struct sb_message {
  uint32_t struct_size;
  uint32_t flags; /* sb_message_flags */
  sb_str conversation_id;
  sb_str message_id;
  uint64_t seq;       /* 1, 2, 3... per conversation, assigned by the host */
  sb_str sender_role; /* "visitor" | "agent" | "bot" | "system" */
  sb_str sender_id;
  sb_str sender_name;
  sb_str client_msg_id; /* the sender's idempotency key; may be empty */
  sb_str text;
  int64_t ts_ms; /* wall clock, when the host accepted it */
  /* 1.2: the files sent with the message, a JSON array
   * [{"id","name","content_type","size","thumbnail":bool}...], or empty for none.
   * Read it only when struct_size covers it (a 1.1 host passes a shorter struct);
   * store it as it is and give it back in load_messages as "attachments". */
  sb_str attachments_json;
} sb_message;

typedef struct sb_message_query {
  uint32_t struct_size;
  uint32_t limit; /* at most this many messages */
  sb_str conversation_id;
  uint64_t after_seq;  /* only seq > after_seq (0: from the start) */
  uint64_t before_seq; /* only seq < before_seq (0: no upper bound) */
  /* With before_seq set, the page is the `limit` messages just below it. Results
   * are always oldest first. */
} sb_message_query;

/* 1.2: one file to keep (blob_put). */
typedef struct sb_blob_put {
  uint32_t struct_size;
  uint32_t reserved;
  sb_str blob_id;   /* chosen by the host: 1..128 bytes of [A-Za-z0-9_.-], unique */
  sb_str meta_json; /* a JSON object kept with the file, returned by blob_meta */
  sb_str data;      /* the bytes (binary); borrowed for the call: copy them */
  /* Refuse the file (completing SB_OK with "stored":false) when the sizes of the
   * instance's files, this one included, would exceed it; 0 = no limit. Checked
   * atomically with the store, so concurrent puts never overshoot together. */
  uint64_t max_total_bytes;
} sb_blob_put;

/* 1.4: one entry for log_append. Every field is borrowed for the call. */
typedef struct sb_log_entry {
  uint32_t struct_size;
  uint32_t reserved;
  sb_str log;       /* the log's name: 1..64 bytes of [a-z0-9_.-] */
  sb_str kind;      /* what happened, e.g. "routing.saved": 0..128 bytes; log_list filters on it */
  sb_str actor;     /* who did it (an id), or empty: 0..256 bytes; log_list filters on it */
  sb_str data_json; /* the entry itself: a JSON object of at most 1 MiB, kept as it is */
  int64_t ts_ms;    /* when, wall clock; chosen by the host */
} sb_log_entry;

/* Every storage hook is called from any host thread, must not block, and returns
 * SB_PENDING (then completes op exactly once) or fails at once: "SB_ERROR" below is
 * SB_REFUSED (1.11) for bad arguments. Completions may come from plugin threads.
 *
 * Result JSON of each completion (UTF-8, borrowed for the complete call):
 *   append_message     ""  -- SB_OK means durable on disk
 *   load_messages      {"messages":[{"id","seq","from":{"role","id","name"},
 *                       "client_msg_id","text","ts","flags"}...]}
 *   put_conversation   ""
 *   list_conversations {"conversations":[{...record as put, plus "last_seq"}...]}
 *   set_read           ""
 *   load_reads         {"reads":[{"conversation_id","participant_id","seq"}...]}  (1.10)
 *   kv_put             ""
 *   kv_get             the stored value, or "" when the key is absent
 *   kv_list            {"items":[{"key":S,"value":JSON}...]}
 */
typedef struct sb_storage_api {
  uint32_t struct_size;

  /* Stores one message. Completes with SB_OK only once it is durable. The plugin
   * may batch many messages into one commit (group commit). Storing a message whose
   * (conversation_id, seq) already exists fails that message alone. */
  int32_t (*append_message)(sb_instance* inst, const sb_message* msg, sb_op* op, sb_error* err);

  /* A page of a conversation's messages; see sb_message_query. */
  int32_t (*load_messages)(sb_instance* inst, const sb_message_query* query, sb_op* op,
                           sb_error* err);

  /* Creates or replaces a conversation record. conversation_json is an object with
   * at least "id" and "status"; the plugin keeps the whole object and indexes "id",
   * "status", "visitor_id" and "assignee", and since 1.1 "group", "created_at" (ms)
   * and "tags" ([S...]). */
  int32_t (*put_conversation)(sb_instance* inst, sb_str conversation_json, sb_op* op,
                              sb_error* err);

  /* Conversation records matching filter_json: {"status":[S...]?, "visitor_id":S?,
   * "assignee":S?, "id":S?, "limit":N?}, newest first, each with "last_seq" (the
   * highest stored seq, 0 if none) added. Since 1.1 also "group":S?, "tag":S? (records
   * carrying that tag), "created_since":MS?, "created_until":MS? (created_since <=
   * created_at < created_until) and "updated_since":MS?. A plugin answers SB_ERROR for
   * a key it does not know, so a filter is never silently ignored. */
  int32_t (*list_conversations)(sb_instance* inst, sb_str filter_json, sb_op* op, sb_error* err);

  /* Records that participant_id has read conversation_id up to seq. Never lowers a
   * recorded value. load_reads (1.10) gives the recorded values back. */
  int32_t (*set_read)(sb_instance* inst, sb_str conversation_id, sb_str participant_id,
                      uint64_t seq, sb_op* op, sb_error* err);

  /* A small document store for everything else the host persists (agents created
   * over the API, dialog state, ...). value_json empty = delete. kv_get completes
   * with SB_OK and the value, or SB_OK and an empty result when absent. */
  int32_t (*kv_put)(sb_instance* inst, sb_str ns, sb_str key, sb_str value_json, sb_op* op,
                    sb_error* err);
  int32_t (*kv_get)(sb_instance* inst, sb_str ns, sb_str key, sb_op* op, sb_error* err);
  int32_t (*kv_list)(sb_instance* inst, sb_str ns, sb_op* op, sb_error* err);

  /* 1.2, OPTIONAL: files (chat attachments). A plugin without them leaves these NULL
   * (or has a shorter struct); the host then refuses uploads. Results:
   *   blob_put    {"stored":true,"size":N,"total_bytes":N} once the bytes AND the
   *               record are durable (a crash before leaves nothing visible and
   *               nothing counted), or {"stored":false,"total_bytes":N} when
   *               max_total_bytes refused it. An id already stored is SB_ERROR.
   *   blob_get    the bytes, or "" when there is no such file (files are never
   *               empty; the host refuses empty uploads)
   *   blob_meta   {"id","size","created_at":MS,"meta":{...as put}}, or "" when absent
   *   blob_delete ""  (also when absent); the file stops counting at once
   *   blob_usage  {"total_bytes":N,"count":N}: every stored file of the instance */
  int32_t (*blob_put)(sb_instance* inst, const sb_blob_put* blob, sb_op* op, sb_error* err);
  int32_t (*blob_get)(sb_instance* inst, sb_str blob_id, sb_op* op, sb_error* err);
  int32_t (*blob_meta)(sb_instance* inst, sb_str blob_id, sb_op* op, sb_error* err);
  int32_t (*blob_delete)(sb_instance* inst, sb_str blob_id, sb_op* op, sb_error* err);
  int32_t (*blob_usage)(sb_instance* inst, sb_op* op, sb_error* err);

  /* 1.3, OPTIONAL: full-text search over the text of the instance's messages (the
   * instance is one tenant, so a search never leaves the tenant). A plugin without
   * it leaves it NULL (or has a shorter struct); the host then answers "not
   * supported". query_json:
   *   {"q":S (non-empty, UTF-8), "limit":N? (1..100, default 20), "cursor":S? (a
   *    next_cursor from an earlier answer), "conversation_id":S?, "status":S?,
   *    "assignee":S? (of the conversation's record), "since":MS?, "until":MS?
   *    (since <= ts < until), "include_private":bool? (agent notes; default false)}
   * Unknown keys are SB_ERROR, as in list_conversations. "q" is found as a
   * substring (case-insensitive for ASCII), also in the middle of a Chinese
   * sentence. Result, newest message first:
   *   {"hits":[{"conversation_id","seq","message_id","text","ts","from":{"role","id",
   *    "name"},"flags"}...],"next_cursor":S?}
   * where "text" is a snippet of the message around the first match (at most about
   * 100 characters; the whole text when short) and next_cursor is there when more
   * hits may follow. */
  int32_t (*search)(sb_instance* inst, sb_str query_json, sb_op* op, sb_error* err);

  /* 1.4, OPTIONAL: append-only logs (the admins' audit log, the routing graph's
   * saved versions). A log is named; entries are never changed or removed, and each
   * gets the next number of its log (seq 1, 2, 3...). A plugin without logs leaves
   * both NULL (or has a shorter struct); the host then answers "not supported".
   *   log_append  {"seq":N} once the entry is durable. An entry that breaks
   *               sb_log_entry's limits fails at once with SB_ERROR.
   *   log_list    query_json: {"log":S, "limit":N? (1..500, default 50),
   *               "cursor":S? (a next_cursor from an earlier answer), "kind":S?,
   *               "actor":S? (entries with exactly that kind / actor), "seq":N? (only
   *               that entry)}; unknown keys are SB_ERROR. Result, newest first:
   *               {"entries":[{"seq","ts","kind","actor","data":{...as appended}}...],
   *                "next_cursor":S?}, next_cursor there when more entries may follow.
   *               A log never appended to is empty, not an error. */
  int32_t (*log_append)(sb_instance* inst, const sb_log_entry* entry, sb_op* op, sb_error* err);
  int32_t (*log_list)(sb_instance* inst, sb_str query_json, sb_op* op, sb_error* err);

  /* 1.5, OPTIONAL: what an operator needs to keep the data safe and to delete it on
   * request (a visitor's erasure, retention periods, backups). A plugin without one
   * leaves it NULL (or has a shorter struct); the host then answers "not supported"
   * for that action alone.
   *   delete_conversation  removes the conversation's record, its tags, every message
   *                 (and so its search index entries) and read positions, durably,
   *                 in one transaction; {"messages":N} (how many messages went).
   *                 Files are not touched: the host deletes them with blob_delete.
   *                 Applied in order with the other writes, so a put_conversation
   *                 issued after it stores a fresh record (an anonymous one).
   *   log_prune    removes the entries of the log `log` with ts_ms < before_ts_ms,
   *                durably; {"deleted":N}. Numbering goes on: a later log_append
   *                never reuses a seq that was given out.
   *   backup       writes a consistent copy of everything the instance keeps (its
   *                database, its files) into dir, an existing empty directory (an
   *                absolute path), while the instance keeps serving: every write
   *                completed before the call is in the copy, and the copy is one
   *                moment of the data (no write half in it). An instance created
   *                with that directory as its data_dir reads the same data.
   *                Slow (the copy runs on the plugin's own thread); the host waits
   *                longer than for other calls. {"files":N,"bytes":N} */
  int32_t (*delete_conversation)(sb_instance* inst, sb_str conversation_id, sb_op* op,
                                 sb_error* err);
  int32_t (*log_prune)(sb_instance* inst, sb_str log, int64_t before_ts_ms, sb_op* op,
                       sb_error* err);
  int32_t (*backup)(sb_instance* inst, sb_str dir, sb_op* op, sb_error* err);

  /* 1.7, OPTIONAL: storage shared by the nodes of a cluster (docs/cluster.md). The
   * epoch of the tenant's lease this instance holds, which fences every write of
   * it: SB_OK with *epoch (>= 1; it never changes for the instance's life: an
   * instance that loses its lease only fails), or SB_NOT_SUPPORTED when it holds
   * none (a single node, a read-only instance). Any thread; answers at once from
   * what the instance knows, never asks the database. The host tags what the owner
   * sends to other nodes with it, so that a node which lost the tenant cannot
   * reach its clients any more. */
  int32_t (*lease_epoch)(sb_instance* inst, int64_t* epoch, sb_error* err);

  /* 1.9, OPTIONAL: storage shared by the nodes of a cluster (docs/cluster.md). Gives
   * up the tenant's lease this instance holds, so that another node may take the
   * tenant at once instead of when the lease would have run out. Every write queued
   * before the call is committed (or failed) first; every write after it fails, as
   * after a lost lease, and the instance never renews the lease again. The lease is
   * ended only while it is still this instance's (its node and epoch): a lease
   * another node took meanwhile is never touched. Completes with {"released":true}
   * when it ended the lease, {"released":false} when the lease was no longer this
   * instance's (nothing changed); SB_NOT_SUPPORTED at once when it holds none (a
   * single node, a read-only instance). The host calls it once it wrote what it
   * meant to (a graceful handover, a graceful stop); a node killed outright leaves
   * its lease to expire. */
  int32_t (*release_lease)(sb_instance* inst, sb_op* op, sb_error* err);

  /* 1.10, OPTIONAL: the read positions set_read recorded, given back to the host
   * when it loads conversations from storage (a restart, a cluster node taking a
   * tenant over, a closed conversation reopened), so that the visitor and the agent
   * see again how far the other has read. query_json:
   *   {"conversation_ids":[S...]}  1..1000 ids; unknown keys are SB_ERROR.
   * Result: {"reads":[{"conversation_id":S,"participant_id":S,"seq":N}...]}, every
   * position recorded for those conversations (the highest set_read stored, as it
   * is), in no particular order; a conversation with none (or unknown) is absent.
   * It sees every set_read completed before the call. A plugin without it leaves it
   * NULL (or has a shorter struct): the host then loads conversations with no read
   * positions, as before 1.10. */
  int32_t (*load_reads)(sb_instance* inst, sb_str query_json, sb_op* op, sb_error* err);
} sb_storage_api;

/* ---------------------------------------------------------------------------- */
/* Kind: routing                                                                 */
/* ---------------------------------------------------------------------------- */

/* An agent who may take the conversation now: online and below max_concurrent.
 * The host never offers anyone else and checks the answer again. */
typedef struct sb_agent_candidate {
  uint32_t struct_size;
  uint32_t open_conversations;
  uint32_t max_concurrent;
  uint32_t reserved;
  sb_str agent_id;
  sb_str name;
  int64_t last_assigned_ms; /* monotonic; 0 = never assigned since the host started */
  int64_t online_since_ms;  /* monotonic */
  sb_str groups_json;       /* ["support", ...] */
  sb_str skills_json;       /* {"billing": 3, ...} */
} sb_agent_candidate;

typedef struct sb_route_request {
  uint32_t struct_size;
  uint32_t reserved;
  /* Empty for a dry run (the admin asking "who would get it?"): answer as usual,
   * but change no state (no rotation advanced, no outside system told). */
  sb_str conversation_id;
  sb_str visitor_id;
  sb_str group;           /* the group asked for; empty = any */
  sb_str attributes_json; /* visitor attributes and page meta, a JSON object */
  /* Candidates in a stable order (by agent id). An array of pointers so that a
   * larger host struct never shifts what an older plugin reads. */
  const sb_agent_candidate* const* candidates;
  size_t candidate_count;
} sb_route_request;

typedef struct sb_routing_api {
  uint32_t struct_size;
  /* Chooses one of req->candidates. Called on the tenant's engine thread; must not
   * block. Returns:
   *   SB_OK      *out_index is the chosen candidate's index;
   *   SB_DEFER   no choice; the next strategy of the tenant's chain decides;
   *   SB_PENDING the answer comes through host->complete(op, SB_OK, agent_id) or
   *              (op, SB_DEFER, ""); the host re-checks the agent is still free;
   *   SB_ERROR   treated like SB_DEFER, and counted against the plugin;
   *   SB_OFFER   (1.1) no push: the host offers the conversation to every
   *              candidate and gives it to the first who accepts (exactly one). */
  int32_t (*route)(sb_instance* inst, const sb_route_request* req, size_t* out_index, sb_op* op,
                   sb_error* err);
} sb_routing_api;

/* ---------------------------------------------------------------------------- */
/* Kind: auto-reply (since 1.1)                                                  */
/* ---------------------------------------------------------------------------- */

/* One visitor message while a bot owns the conversation. The host runs the
 * tenant's pipeline (e.g. flow -> intent -> faq -> llm): each auto-reply stage in
 * order gets the message until one answers. */
typedef struct sb_autoreply_request {
  uint32_t struct_size;
  uint32_t reserved;
  sb_str conversation_id;
  sb_str visitor_id;
  sb_str text;            /* the visitor's message */
  sb_str language;        /* the visitor's language as the widget reported it ("en",
                             "zh-CN", ...), or empty */
  sb_str attributes_json; /* visitor attributes and page meta, a JSON object */
  /* What this stage returned as "state" for this conversation last time, "" the
   * first time. The host stores it with the conversation, so it survives a restart
   * and a move to another node. */
  sb_str state_json;
  /* What the earlier stages of this turn found, a JSON object, e.g.
   * {"intent":{"name":"refund","confidence":0.91}}, plus "history": the last
   * messages of the conversation as [{"role":"visitor"|"bot"|"agent","text":S}]. */
  sb_str context_json;
  int64_t deadline_ms; /* monotonic: the host gives up on this stage after it */
} sb_autoreply_request;

/* Result JSON of an auto-reply completion (all keys optional):
 *   {"reply": S,                    a message the bot sends to the visitor
 *    "quick_replies": [S...],       options shown with the reply
 *    "handoff": {"group"?: S, "reason"?: S},  hand to a human through the routing
 *                                    graph (the group, when set, is asked for)
 *    "close": true,                 close the conversation after the reply
 *    "set_attributes": {K: V...},   merged into the visitor's attributes
 *    "state": JSON | null,          this stage's new state (null clears it; absent
 *                                    leaves it as it was)
 *    "context": {K: V...},          merged into context_json for later stages
 *    "ask_llm": true,               let the pipeline's LLM stage answer this turn
 *    "score": N, "source": S,       why it answered, shown to the admin
 *    "declined": {"why": S, ...}}   with SB_DEFER: why it would not answer, in
 *                                    bot.turn (the FAQ stage's "not_for_bot": like
 *                                    a question an admin dismissed); optional
 * SB_OK with a reply, a handoff, close or ask_llm ends the turn; SB_DEFER (its
 * result may still carry "state" and "context") passes the turn to the next stage. */
typedef struct sb_autoreply_api {
  uint32_t struct_size;
  /* Called on a host thread; must not block. Returns SB_DEFER at once (no answer),
   * SB_ERROR (counted against the stage; the pipeline goes on), or SB_PENDING and
   * completes op exactly once with SB_OK or SB_DEFER and the result JSON; the
   * completion may come from any thread, even before this call returns. */
  int32_t (*reply)(sb_instance* inst, const sb_autoreply_request* req, sb_op* op, sb_error* err);
} sb_autoreply_api;

/* ---------------------------------------------------------------------------- */
/* Kind: LLM provider (since 1.1)                                                */
/* ---------------------------------------------------------------------------- */

typedef struct sb_llm_request {
  uint32_t struct_size;
  uint32_t max_tokens; /* for the answer; 0 = the provider's default */
  sb_str conversation_id;
  /* The chat so far, system prompt first: [{"role":"system"|"user"|"assistant",
   * "content":S}...]. The host builds it (tenant prompt, knowledge-base context,
   * recent history). */
  sb_str messages_json;
  int64_t deadline_ms; /* monotonic: the host gives up after it */
} sb_llm_request;

/* Result JSON of an LLM completion with SB_OK:
 *   {"text": S, "usage": {"prompt_tokens": N, "completion_tokens": N}}
 * An empty text is a failure. */
typedef struct sb_llm_api {
  uint32_t struct_size;
  /* Called on a host thread; must not block: returns SB_PENDING and completes op
   * exactly once (SB_OK with the result, or SB_ERROR with a message), or fails at
   * once with SB_ERROR. */
  int32_t (*chat)(sb_instance* inst, const sb_llm_request* req, sb_op* op, sb_error* err);
} sb_llm_api;

/* ---------------------------------------------------------------------------- */
/* Kind: cluster bus (since 1.6)                                                 */
/* ---------------------------------------------------------------------------- */

/* What moves between the nodes of a cluster (docs/cluster.md): live messages
 * (publish/subscribe, at most once), commands to whichever node consumes a stream
 * (at least once, surviving that node's death) and sets whose members expire
 * (membership, presence). Nothing here is the only copy of anything: the host keeps
 * what must last in storage.
 *
 * The host creates ONE instance per node, not per tenant: sb_instance_args.tenant_id
 * is empty and the config is the server's [cluster] table. Every channel, stream
 * and set name the host passes carries the tenant itself; names are 1..512 bytes
 * of printable ASCII (no space), payloads any bytes up to 16 MiB.
 *
 * The plugin reports what arrives through sb_cluster_events, which the host hands
 * out as host->get_api(SB_CLUSTER_EVENTS_V1); a host without it cannot run the kind
 * (instance_new fails). */
#define SB_CLUSTER_EVENTS_V1 "sb_cluster_events_v1"

/* One entry of a stream this node consumes. Borrowed for the on_entry call. */
typedef struct sb_cluster_entry {
  uint32_t struct_size;
  /* 0: delivered for the first time. 1: it may have been delivered before (to a
   * consumer that died or lost its link before stream_ack): process it
   * idempotently. */
  uint32_t redelivered;
  sb_str stream;
  sb_str entry_id; /* pass to stream_ack */
  sb_str payload;
} sb_cluster_entry;

/* The host's side: called on the plugin's thread, one call at a time, in order;
 * must not block (hand the work to another thread). Every argument is borrowed for
 * the call. ctx is the instance's (sb_instance_args.ctx). */
typedef struct sb_cluster_events {
  uint32_t struct_size;
  /* A message published on a channel this instance subscribed to. */
  void (*on_message)(sb_host_ctx* ctx, sb_str channel, sb_str payload);
  /* An entry of a stream this instance consumes. Entries of one stream come in
   * stream order. Acknowledge it with stream_ack once its effect is durable; an
   * entry never acknowledged goes to the stream's next consumer. */
  void (*on_entry)(sb_host_ctx* ctx, const sb_cluster_entry* entry);
  /* The link to the bus went down (up = 0) or is back (up = 1). Between the two,
   * messages published by anyone may have been missed: the host catches up from
   * storage. "Up" is reported only once every subscription and every consumed
   * stream is active again. detail says why (for the log). */
  void (*on_link)(sb_host_ctx* ctx, int32_t up, sb_str detail);
} sb_cluster_events;

/* Every hook is called from any host thread and must not block. The ones with an
 * op return SB_PENDING and complete it exactly once (from the plugin's thread), or
 * fail at once with SB_ERROR (a bad name, or the link is down: the message then
 * starts with "unavailable"). A completion with SB_ERROR after the command was
 * sent means its outcome is unknown; SB_OK is never reported for what the bus did
 * not confirm.
 *
 * Result JSON of each completion:
 *   publish         {"receivers":N}  how many subscribers Redis (or the bus) handed
 *                   it to, on every node together
 *   subscribe       ""  the subscription is active
 *   stream_add      {"id":S}  the entry's id; it is stored in the bus
 *   stream_consume  ""  consuming: pending entries were handed over (on_entry)
 *   stream_ack      ""
 *   set_put         ""
 *   set_delete      ""
 *   set_list        {"members":[{"member":S,"value":S,"ttl_ms":N}...]}  the live
 *                   members, by member name */
typedef struct sb_cluster_api {
  uint32_t struct_size;

  int32_t (*publish)(sb_instance* inst, sb_str channel, sb_str payload, sb_op* op, sb_error* err);
  /* The channel stays subscribed, across the bus's reconnects, until unsubscribe.
   * The op completes once the bus confirmed the subscription, or with SB_ERROR when
   * the link is down (the subscription is made when it is back, before on_link up). */
  int32_t (*subscribe)(sb_instance* inst, sb_str channel, sb_op* op, sb_error* err);
  /* SB_OK at once; the subscription ends soon after (a message already on its way
   * may still be reported: the host ignores channels it no longer wants). */
  int32_t (*unsubscribe)(sb_instance* inst, sb_str channel, sb_error* err);

  /* Appends an entry to a stream (created if absent). */
  int32_t (*stream_add)(sb_instance* inst, sb_str stream, sb_str payload, sb_op* op, sb_error* err);
  /* This node becomes a consumer of the stream (of its one consumer group), until
   * stream_stop; kept across reconnects. Entries pending in the group (delivered to
   * a consumer that never acknowledged them) are handed over first, then new ones.
   * The op completes as for subscribe. */
  int32_t (*stream_consume)(sb_instance* inst, sb_str stream, sb_op* op, sb_error* err);
  /* SB_OK at once; consuming ends soon after (an entry already on its way may still
   * be reported: the host leaves it unacknowledged). Entries not acknowledged stay
   * pending for the stream's next consumer. */
  int32_t (*stream_stop)(sb_instance* inst, sb_str stream, sb_error* err);
  int32_t (*stream_ack)(sb_instance* inst, sb_str stream, sb_str entry_id, sb_op* op,
                        sb_error* err);

  /* Adds or refreshes a member of a set; it expires ttl_ms after this call (the
   * bus's clock) unless put again. ttl_ms 1..86400000. */
  int32_t (*set_put)(sb_instance* inst, sb_str set, sb_str member, sb_str value, int64_t ttl_ms,
                     sb_op* op, sb_error* err);
  int32_t (*set_delete)(sb_instance* inst, sb_str set, sb_str member, sb_op* op, sb_error* err);
  int32_t (*set_list)(sb_instance* inst, sb_str set, sb_op* op, sb_error* err);
} sb_cluster_api;

/* ---------------------------------------------------------------------------- */
/* Host service: outbound HTTP(S) (since 1.1; host->get_api(SB_HTTP_API_V1))     */
/* ---------------------------------------------------------------------------- */

/* Plugins never open sockets of their own: the host runs the requests on its I/O
 * threads (keep-alive connections reused per host, TLS verified), with a time
 * limit on each. */
#define SB_HTTP_API_V1 "sb_http_v1"

typedef struct sb_http_request {
  uint32_t struct_size;
  uint32_t timeout_ms; /* whole request, connect to last byte; 0 = 10000 */
  sb_str method;       /* "GET", "POST", ... */
  sb_str url;          /* http://host[:port]/path or https://... */
  sb_str headers_json; /* {"Authorization":"Bearer ...", ...} or empty */
  sb_str body;
} sb_http_request;

typedef struct sb_http_response {
  uint32_t struct_size;
  int32_t status; /* the HTTP status; 0 when no response came (see error) */
  sb_str body;    /* the whole body; empty when it was streamed to on_chunk */
  sb_str content_type;
  sb_str error; /* why no response came: "timeout", "connect: ...", ... */
} sb_http_response;

/* Body bytes as they arrive (for streamed answers such as server-sent events).
 * Called on a host thread, in order, never concurrently for one request; chunk is
 * borrowed. */
typedef void (*sb_http_chunk_fn)(void* user, sb_str chunk);
/* The end of a request: called exactly once, on a host thread, after the last
 * chunk. response is borrowed. */
typedef void (*sb_http_done_fn)(void* user, const sb_http_response* response);

typedef struct sb_http_api {
  uint32_t struct_size;
  /* Starts a request for the instance of ctx. Any thread, never blocks. Returns
   * SB_OK (on_done will be called exactly once) or SB_ERROR (a malformed request;
   * nothing will be called). With on_chunk NULL the body is buffered (at most
   * 8 MiB) and handed to on_done. The host calls instance_free only after on_done
   * of every request of the instance returned. */
  int32_t (*request)(sb_host_ctx* ctx, const sb_http_request* req, sb_http_chunk_fn on_chunk,
                     sb_http_done_fn on_done, void* user, sb_error* err);
} sb_http_api;

/* ---------------------------------------------------------------------------- */
/* Helpers (header-only, no linking)                                             */
/* ---------------------------------------------------------------------------- */

static inline sb_str sb_str_from(const char* nul_terminated) {
  sb_str s;
  s.ptr = nul_terminated;
  s.len = 0;
  if (nul_terminated) {
    while (nul_terminated[s.len]) ++s.len;
  }
  return s;
}

/* Copies at most capacity - 1 bytes of message into err, NUL-terminated. */
static inline void sb_error_set(sb_error* err, const char* message) {
  size_t i = 0;
  if (!err || !err->message || err->capacity == 0) return;
  for (; message && message[i] && i + 1 < err->capacity; ++i) err->message[i] = message[i];
  err->message[i] = '\0';
}

/* 1.8: sets err->retry_after_ms (at least 1) when err is large enough to have it. */
static inline void sb_error_set_retry_after(sb_error* err, int64_t ms) {
  if (!err || err->struct_size < offsetof(sb_error, retry_after_ms) + sizeof(int64_t)) return;
  err->retry_after_ms = ms < 1 ? 1 : ms;
}

/* 1.11: refuses a bad request: writes why into err and returns SB_REFUSED, for
 * `return sb_error_refuse(err, "...");`. */
static inline int32_t sb_error_refuse(sb_error* err, const char* message) {
  sb_error_set(err, message);
  return SB_REFUSED;
}

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* SWITCHBOARD_SB_PLUGIN_H */
