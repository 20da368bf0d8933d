// ABI rule 13: the SDK headers compile as C++20, and the key sizes and offsets are
// pinned at compile time (LP64). The full layout is pinned by the abi_layout test;
// these fail the build itself, before any test runs.
#include <cstddef>
#include <type_traits>

#include "switchboard/sb_plugin.h"
#include "switchboard/sb_plugin_cpp.hpp"

static_assert(SB_ABI_MAJOR == 1 && SB_ABI_MINOR == 11,
              "ABI bumped: update these pins with the new layout");
static_assert(std::is_standard_layout_v<sb_plugin_descriptor> &&
              std::is_trivial_v<sb_plugin_descriptor>);

static_assert(sizeof(sb_str) == 16);
static_assert(offsetof(sb_str, len) == 8);

// The first three descriptor fields must never move: the host reads them to decide
// whether it can read the rest.
static_assert(offsetof(sb_plugin_descriptor, struct_size) == 0);
static_assert(offsetof(sb_plugin_descriptor, abi_major) == 4);
static_assert(offsetof(sb_plugin_descriptor, abi_minor) == 6);
static_assert(offsetof(sb_plugin_descriptor, kind) == 8);
static_assert(offsetof(sb_plugin_descriptor, kind_api) == 72);
static_assert(sizeof(sb_plugin_descriptor) == 80);

static_assert(offsetof(sb_host_api, alloc) == 8);
static_assert(offsetof(sb_host_api, complete) == 48);
static_assert(offsetof(sb_host_api, get_api) == 64);
static_assert(sizeof(sb_host_api) == 72);

static_assert(sizeof(sb_message) == 152);
static_assert(offsetof(sb_message, seq) == 40);
static_assert(offsetof(sb_message, ts_ms) == 128);

static_assert(sizeof(sb_agent_candidate) == 96);
static_assert(offsetof(sb_agent_candidate, agent_id) == 16);
static_assert(offsetof(sb_agent_candidate, last_assigned_ms) == 48);

static_assert(sizeof(sb_route_request) == 88);
static_assert(offsetof(sb_route_request, candidates) == 72);

static_assert(sizeof(sb_storage_api) == 184);
static_assert(sizeof(sb_routing_api) == 16);
static_assert(sizeof(sb_event) == 80);
static_assert(sizeof(sb_instance_args) == 80);
static_assert(sizeof(sb_status) == 4);

int abi_header_cpp20_check() {
  char buffer[8];
  sb_error err{sizeof(sb_error), buffer, sizeof(buffer), 0};
  return sb::guarded(&err, [] { return static_cast<int32_t>(SB_OK); });
}

// 1.1 additions.
static_assert(offsetof(sb_instance_args, data_dir) == 48);
static_assert(offsetof(sb_instance_args, config_dir) == 64);
static_assert(sizeof(sb_autoreply_request) == 128);
static_assert(offsetof(sb_autoreply_request, deadline_ms) == 120);
static_assert(sizeof(sb_llm_request) == 48);
static_assert(sizeof(sb_http_request) == 72);
static_assert(sizeof(sb_http_response) == 56);

// 1.2 additions: attachments on messages, files on the storage API.
static_assert(offsetof(sb_message, attachments_json) == 136);
static_assert(offsetof(sb_storage_api, kv_list) == 64);
static_assert(offsetof(sb_storage_api, blob_put) == 72);
static_assert(offsetof(sb_storage_api, blob_usage) == 104);
static_assert(offsetof(sb_storage_api, search) == 112);
static_assert(offsetof(sb_storage_api, log_append) == 120);
static_assert(offsetof(sb_storage_api, log_list) == 128);
// 1.5 additions: data protection (erasure, retention, backups).
static_assert(offsetof(sb_storage_api, delete_conversation) == 136);
static_assert(offsetof(sb_storage_api, log_prune) == 144);
static_assert(offsetof(sb_storage_api, backup) == 152);
static_assert(sizeof(sb_log_entry) == 80);
static_assert(offsetof(sb_log_entry, data_json) == 56);
static_assert(offsetof(sb_log_entry, ts_ms) == 72);
static_assert(sizeof(sb_blob_put) == 64);
static_assert(offsetof(sb_blob_put, max_total_bytes) == 56);
// 1.6 additions: the cluster-bus kind.
static_assert(sizeof(sb_cluster_entry) == 56);
static_assert(offsetof(sb_cluster_entry, payload) == 40);
static_assert(sizeof(sb_cluster_events) == 32);
static_assert(sizeof(sb_cluster_api) == 88);
static_assert(offsetof(sb_cluster_api, set_list) == 80);
// 1.7 additions: the storage's lease epoch (cluster mode).
static_assert(offsetof(sb_storage_api, lease_epoch) == 160);

// 1.8 additions: when a refusal ends (sb_error.retry_after_ms).
static_assert(offsetof(sb_error, retry_after_ms) == 24);
static_assert(sizeof(sb_error) == 32);

// 1.9 additions: a storage gives its lease up (cluster mode).
static_assert(offsetof(sb_storage_api, release_lease) == 168);

// 1.10 additions: a storage gives the read positions it recorded back.
static_assert(offsetof(sb_storage_api, load_reads) == 176);

// 1.11 additions: a status for a bad request, which the circuit breaker does not
// count; the statuses before it keep their values.
static_assert(SB_OFFER == 5 && SB_REFUSED == 6);
