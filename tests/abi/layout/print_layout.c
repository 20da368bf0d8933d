/* ABI layout pin (ABI rule 13): prints the size of every struct in sb_plugin.h, the
 * offset and size of every field, and every constant, headed by the ABI version.
 * The CTest abi_layout compares this output with layout/<major>.<minor>.txt.
 *
 * When that test fails you changed the ABI. Then:
 *   1. Bump the version in sdk-headers/switchboard/sb_plugin.h:
 *      SB_ABI_MINOR when the change is additive (a field appended at the END of a
 *      struct, a new constant, a new function reached through get_api);
 *      SB_ABI_MAJOR (and SB_ABI_MINOR back to 0) for anything else: a field moved,
 *      removed, resized or retyped, a constant changed.
 *   2. Record the new layout next to the old ones (never edit an old file):
 *        cmake --build BUILD --target abi_print_layout
 *        BUILD/tests/abi/abi_print_layout > tests/abi/layout/<major>.<minor>.txt
 *   3. Commit the header and the new layout file together.
 * The test also checks that every field and constant recorded for an older minor of
 * the same major is still where it was, so a "minor" bump cannot hide a break. */
#include <stddef.h>
#include <stdio.h>

#include "switchboard/sb_plugin.h"

#define STRUCT(T) \
  printf("struct %s size %lu align %lu\n", #T, (unsigned long)sizeof(T), (unsigned long)ALIGN_OF(T))
#define FIELD(T, f)                                                                  \
  printf("field %s.%s offset %lu size %lu\n", #T, #f, (unsigned long)offsetof(T, f), \
         (unsigned long)sizeof(((T*)0)->f))
#define CONST(c) printf("const %s %ld\n", #c, (long)(c))

/* C99 has no _Alignof: the offset of T after a char is its alignment. */
#define ALIGN_OF(T) \
  offsetof(         \
      struct {      \
        char c;     \
        T t;        \
      },            \
      t)

int main(void) {
  printf("abi %d.%d\n", SB_ABI_MAJOR, SB_ABI_MINOR);

  STRUCT(sb_str);
  FIELD(sb_str, ptr);
  FIELD(sb_str, len);

  STRUCT(sb_error);
  FIELD(sb_error, struct_size);
  FIELD(sb_error, message);
  FIELD(sb_error, capacity);
  FIELD(sb_error, retry_after_ms);

  STRUCT(sb_host_api);
  FIELD(sb_host_api, struct_size);
  FIELD(sb_host_api, abi_major);
  FIELD(sb_host_api, abi_minor);
  FIELD(sb_host_api, alloc);
  FIELD(sb_host_api, free);
  FIELD(sb_host_api, log);
  FIELD(sb_host_api, monotonic_ms);
  FIELD(sb_host_api, wall_clock_ms);
  FIELD(sb_host_api, complete);
  FIELD(sb_host_api, config_get);
  FIELD(sb_host_api, get_api);

  STRUCT(sb_event);
  FIELD(sb_event, struct_size);
  FIELD(sb_event, type);
  FIELD(sb_event, tenant_id);
  FIELD(sb_event, conversation_id);
  FIELD(sb_event, payload_json);
  FIELD(sb_event, ts_ms);

  STRUCT(sb_config_key);
  FIELD(sb_config_key, struct_size);
  FIELD(sb_config_key, type);
  FIELD(sb_config_key, name);

  STRUCT(sb_instance_args);
  FIELD(sb_instance_args, struct_size);
  FIELD(sb_instance_args, ctx);
  FIELD(sb_instance_args, tenant_id);
  FIELD(sb_instance_args, config_json);
  FIELD(sb_instance_args, data_dir);
  FIELD(sb_instance_args, config_dir);

  STRUCT(sb_plugin_descriptor);
  FIELD(sb_plugin_descriptor, struct_size);
  FIELD(sb_plugin_descriptor, abi_major);
  FIELD(sb_plugin_descriptor, abi_minor);
  FIELD(sb_plugin_descriptor, kind);
  FIELD(sb_plugin_descriptor, name);
  FIELD(sb_plugin_descriptor, version);
  FIELD(sb_plugin_descriptor, config_keys);
  FIELD(sb_plugin_descriptor, config_key_count);
  FIELD(sb_plugin_descriptor, instance_new);
  FIELD(sb_plugin_descriptor, instance_free);
  FIELD(sb_plugin_descriptor, on_event);
  FIELD(sb_plugin_descriptor, kind_api);

  STRUCT(sb_message);
  FIELD(sb_message, struct_size);
  FIELD(sb_message, flags);
  FIELD(sb_message, conversation_id);
  FIELD(sb_message, message_id);
  FIELD(sb_message, seq);
  FIELD(sb_message, sender_role);
  FIELD(sb_message, sender_id);
  FIELD(sb_message, sender_name);
  FIELD(sb_message, client_msg_id);
  FIELD(sb_message, text);
  FIELD(sb_message, ts_ms);
  FIELD(sb_message, attachments_json);

  STRUCT(sb_message_query);
  FIELD(sb_message_query, struct_size);
  FIELD(sb_message_query, limit);
  FIELD(sb_message_query, conversation_id);
  FIELD(sb_message_query, after_seq);
  FIELD(sb_message_query, before_seq);

  STRUCT(sb_storage_api);
  FIELD(sb_storage_api, struct_size);
  FIELD(sb_storage_api, append_message);
  FIELD(sb_storage_api, load_messages);
  FIELD(sb_storage_api, put_conversation);
  FIELD(sb_storage_api, list_conversations);
  FIELD(sb_storage_api, set_read);
  FIELD(sb_storage_api, kv_put);
  FIELD(sb_storage_api, kv_get);
  FIELD(sb_storage_api, kv_list);
  FIELD(sb_storage_api, blob_put);
  FIELD(sb_storage_api, blob_get);
  FIELD(sb_storage_api, blob_meta);
  FIELD(sb_storage_api, blob_delete);
  FIELD(sb_storage_api, blob_usage);
  FIELD(sb_storage_api, search);
  FIELD(sb_storage_api, log_append);
  FIELD(sb_storage_api, log_list);
  FIELD(sb_storage_api, delete_conversation);
  FIELD(sb_storage_api, log_prune);
  FIELD(sb_storage_api, backup);
  FIELD(sb_storage_api, lease_epoch);
  FIELD(sb_storage_api, release_lease);
  FIELD(sb_storage_api, load_reads);

  STRUCT(sb_log_entry);
  FIELD(sb_log_entry, struct_size);
  FIELD(sb_log_entry, reserved);
  FIELD(sb_log_entry, log);
  FIELD(sb_log_entry, kind);
  FIELD(sb_log_entry, actor);
  FIELD(sb_log_entry, data_json);
  FIELD(sb_log_entry, ts_ms);

  STRUCT(sb_blob_put);
  FIELD(sb_blob_put, struct_size);
  FIELD(sb_blob_put, reserved);
  FIELD(sb_blob_put, blob_id);
  FIELD(sb_blob_put, meta_json);
  FIELD(sb_blob_put, data);
  FIELD(sb_blob_put, max_total_bytes);

  STRUCT(sb_agent_candidate);
  FIELD(sb_agent_candidate, struct_size);
  FIELD(sb_agent_candidate, open_conversations);
  FIELD(sb_agent_candidate, max_concurrent);
  FIELD(sb_agent_candidate, reserved);
  FIELD(sb_agent_candidate, agent_id);
  FIELD(sb_agent_candidate, name);
  FIELD(sb_agent_candidate, last_assigned_ms);
  FIELD(sb_agent_candidate, online_since_ms);
  FIELD(sb_agent_candidate, groups_json);
  FIELD(sb_agent_candidate, skills_json);

  STRUCT(sb_route_request);
  FIELD(sb_route_request, struct_size);
  FIELD(sb_route_request, reserved);
  FIELD(sb_route_request, conversation_id);
  FIELD(sb_route_request, visitor_id);
  FIELD(sb_route_request, group);
  FIELD(sb_route_request, attributes_json);
  FIELD(sb_route_request, candidates);
  FIELD(sb_route_request, candidate_count);

  STRUCT(sb_routing_api);
  FIELD(sb_routing_api, struct_size);
  FIELD(sb_routing_api, route);

  STRUCT(sb_autoreply_request);
  FIELD(sb_autoreply_request, struct_size);
  FIELD(sb_autoreply_request, reserved);
  FIELD(sb_autoreply_request, conversation_id);
  FIELD(sb_autoreply_request, visitor_id);
  FIELD(sb_autoreply_request, text);
  FIELD(sb_autoreply_request, language);
  FIELD(sb_autoreply_request, attributes_json);
  FIELD(sb_autoreply_request, state_json);
  FIELD(sb_autoreply_request, context_json);
  FIELD(sb_autoreply_request, deadline_ms);

  STRUCT(sb_autoreply_api);
  FIELD(sb_autoreply_api, struct_size);
  FIELD(sb_autoreply_api, reply);

  STRUCT(sb_llm_request);
  FIELD(sb_llm_request, struct_size);
  FIELD(sb_llm_request, max_tokens);
  FIELD(sb_llm_request, conversation_id);
  FIELD(sb_llm_request, messages_json);
  FIELD(sb_llm_request, deadline_ms);

  STRUCT(sb_llm_api);
  FIELD(sb_llm_api, struct_size);
  FIELD(sb_llm_api, chat);

  STRUCT(sb_http_request);
  FIELD(sb_http_request, struct_size);
  FIELD(sb_http_request, timeout_ms);
  FIELD(sb_http_request, method);
  FIELD(sb_http_request, url);
  FIELD(sb_http_request, headers_json);
  FIELD(sb_http_request, body);

  STRUCT(sb_http_response);
  FIELD(sb_http_response, struct_size);
  FIELD(sb_http_response, status);
  FIELD(sb_http_response, body);
  FIELD(sb_http_response, content_type);
  FIELD(sb_http_response, error);

  STRUCT(sb_http_api);
  FIELD(sb_http_api, struct_size);
  FIELD(sb_http_api, request);

  /* 1.6: the cluster-bus kind. */
  STRUCT(sb_cluster_entry);
  FIELD(sb_cluster_entry, struct_size);
  FIELD(sb_cluster_entry, redelivered);
  FIELD(sb_cluster_entry, stream);
  FIELD(sb_cluster_entry, entry_id);
  FIELD(sb_cluster_entry, payload);

  STRUCT(sb_cluster_events);
  FIELD(sb_cluster_events, struct_size);
  FIELD(sb_cluster_events, on_message);
  FIELD(sb_cluster_events, on_entry);
  FIELD(sb_cluster_events, on_link);

  STRUCT(sb_cluster_api);
  FIELD(sb_cluster_api, struct_size);
  FIELD(sb_cluster_api, publish);
  FIELD(sb_cluster_api, subscribe);
  FIELD(sb_cluster_api, unsubscribe);
  FIELD(sb_cluster_api, stream_add);
  FIELD(sb_cluster_api, stream_consume);
  FIELD(sb_cluster_api, stream_stop);
  FIELD(sb_cluster_api, stream_ack);
  FIELD(sb_cluster_api, set_put);
  FIELD(sb_cluster_api, set_delete);
  FIELD(sb_cluster_api, set_list);

  CONST(sizeof(sb_status));
  CONST(SB_OK);
  CONST(SB_ERROR);
  CONST(SB_PENDING);
  CONST(SB_DEFER);
  CONST(SB_NOT_SUPPORTED);
  CONST(SB_OFFER);
  CONST(SB_REFUSED);
  CONST(SB_KIND_STORAGE);
  CONST(SB_KIND_ROUTING);
  CONST(SB_KIND_AUTOREPLY);
  CONST(SB_KIND_LLM);
  CONST(SB_KIND_CLUSTER_BUS);
  CONST(SB_LOG_DEBUG);
  CONST(SB_LOG_INFO);
  CONST(SB_LOG_WARN);
  CONST(SB_LOG_ERROR);
  CONST(SB_CONFIG_STRING);
  CONST(SB_CONFIG_INTEGER);
  CONST(SB_CONFIG_BOOLEAN);
  CONST(SB_CONFIG_FLOAT);
  CONST(SB_CONFIG_ARRAY);
  CONST(SB_CONFIG_TABLE);
  CONST(SB_MESSAGE_PRIVATE);
  printf("symbol %s\n", SB_ENTRY_SYMBOL);
  printf("service %s\n", SB_HTTP_API_V1);
  printf("service %s\n", SB_CLUSTER_EVENTS_V1);
  return 0;
}
