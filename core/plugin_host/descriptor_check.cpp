#include "plugin_host/descriptor_check.hpp"

#include "common/plugin_kind.hpp"

namespace sb::plugin_host {

namespace {

std::string storage_api_problem(const sb_storage_api* api) {
  if (api->struct_size < kStorageApiSize_1_0) return "sb_storage_api is smaller than in ABI 1.0";
  if (!api->append_message) return "sb_storage_api.append_message is missing";
  if (!api->load_messages) return "sb_storage_api.load_messages is missing";
  if (!api->put_conversation) return "sb_storage_api.put_conversation is missing";
  if (!api->list_conversations) return "sb_storage_api.list_conversations is missing";
  if (!api->set_read) return "sb_storage_api.set_read is missing";
  if (!api->kv_put) return "sb_storage_api.kv_put is missing";
  if (!api->kv_get) return "sb_storage_api.kv_get is missing";
  if (!api->kv_list) return "sb_storage_api.kv_list is missing";
  return {};
}

std::string routing_api_problem(const sb_routing_api* api) {
  if (api->struct_size < kRoutingApiSize_1_0) return "sb_routing_api is smaller than in ABI 1.0";
  if (!api->route) return "sb_routing_api.route is missing";
  return {};
}

std::string autoreply_api_problem(const sb_autoreply_api* api) {
  if (api->struct_size < kAutoreplyApiSize_1_1)
    return "sb_autoreply_api is smaller than in ABI 1.1";
  if (!api->reply) return "sb_autoreply_api.reply is missing";
  return {};
}

std::string llm_api_problem(const sb_llm_api* api) {
  if (api->struct_size < kLlmApiSize_1_1) return "sb_llm_api is smaller than in ABI 1.1";
  if (!api->chat) return "sb_llm_api.chat is missing";
  return {};
}

std::string cluster_api_problem(const sb_cluster_api* api) {
  if (api->struct_size < kClusterApiSize_1_6) return "sb_cluster_api is smaller than in ABI 1.6";
  // Every function is mandatory: a transport without one of them cannot keep the
  // cluster's promises (docs/cluster.md).
  if (!api->publish || !api->subscribe || !api->unsubscribe || !api->stream_add ||
      !api->stream_consume || !api->stream_stop || !api->stream_ack || !api->set_put ||
      !api->set_delete || !api->set_list)
    return "sb_cluster_api lacks a function (every one is mandatory)";
  return {};
}

bool kind_is_supported(int32_t kind) {
  return kind == SB_KIND_STORAGE || kind == SB_KIND_ROUTING || kind == SB_KIND_AUTOREPLY ||
         kind == SB_KIND_LLM || kind == SB_KIND_CLUSTER_BUS;
}

std::string kind_api_problem(const sb_plugin_descriptor& d) {
  switch (d.kind) {
    case SB_KIND_STORAGE:
      return storage_api_problem(static_cast<const sb_storage_api*>(d.kind_api));
    case SB_KIND_ROUTING:
      return routing_api_problem(static_cast<const sb_routing_api*>(d.kind_api));
    case SB_KIND_AUTOREPLY:
      return autoreply_api_problem(static_cast<const sb_autoreply_api*>(d.kind_api));
    case SB_KIND_CLUSTER_BUS:
      return cluster_api_problem(static_cast<const sb_cluster_api*>(d.kind_api));
    default:
      return llm_api_problem(static_cast<const sb_llm_api*>(d.kind_api));
  }
}

}  // namespace

const char* kind_name(int32_t kind) {
  return plugin_kind_name(kind);
}

const sb_config_key& config_key_at(const sb_plugin_descriptor& descriptor, size_t i) {
  const auto* base = reinterpret_cast<const char*>(descriptor.config_keys);
  return *reinterpret_cast<const sb_config_key*>(base + i * descriptor.config_keys[0].struct_size);
}

std::string descriptor_problem(const sb_plugin_descriptor& d) {
  if (d.abi_major != SB_ABI_MAJOR) return "ABI major version differs from the host's";
  if (d.abi_minor > SB_ABI_MINOR) return "ABI minor version is newer than the host's";
  if (d.struct_size < kDescriptorSize_1_0) return "sb_plugin_descriptor is smaller than in ABI 1.0";
  if (!kind_is_supported(d.kind)) {
    return std::string("plugin kind ") + kind_name(d.kind) + " (" + std::to_string(d.kind) +
           ") is not supported by this host";
  }
  // A 1.0 plugin cannot have meant a kind 1.0 only reserved.
  if ((d.kind == SB_KIND_AUTOREPLY || d.kind == SB_KIND_LLM) && d.abi_minor < 1) {
    return std::string("plugin kind ") + kind_name(d.kind) + " needs ABI 1.1, the plugin says 1." +
           std::to_string(d.abi_minor);
  }
  // Reserved until 1.6.
  if (d.kind == SB_KIND_CLUSTER_BUS && d.abi_minor < 6) {
    return std::string("plugin kind ") + kind_name(d.kind) + " needs ABI 1.6, the plugin says 1." +
           std::to_string(d.abi_minor);
  }
  if (!d.name || !*d.name) return "the descriptor has no name";
  if (!d.version) return "the descriptor has no version";
  if (!d.instance_new) return "instance_new is missing";
  if (!d.instance_free) return "instance_free is missing";
  if (!d.kind_api) return "kind_api is missing";
  const std::string api_problem = kind_api_problem(d);
  if (!api_problem.empty()) return api_problem;
  if (d.config_key_count > 0) {
    if (!d.config_keys) return "config_key_count is set but config_keys is NULL";
    if (d.config_keys[0].struct_size < kConfigKeySize_1_0)
      return "sb_config_key is smaller than in ABI 1.0";
    for (size_t i = 0; i < d.config_key_count; ++i) {
      const sb_config_key& key = config_key_at(d, i);
      if (!key.name || !*key.name) return "a config key has no name";
      if (key.type < SB_CONFIG_STRING || key.type > SB_CONFIG_TABLE) {
        return std::string("config key ") + key.name + " has an unknown type";
      }
    }
  }
  return {};
}

}  // namespace sb::plugin_host
