// The load-time checks of a plugin's descriptor (ABI rules 2 and 4): version, sizes,
// mandatory hooks. Pure functions so the rules are testable without a .so.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "switchboard/sb_plugin.h"

namespace sb::plugin_host {

// The sizes the 1.0 structs had. A struct may be larger (a newer minor appended
// fields the host ignores) but never smaller. Computed from the last 1.0 member so
// that they stay right when later versions append members.
inline constexpr size_t kDescriptorSize_1_0 =
    offsetof(sb_plugin_descriptor, kind_api) + sizeof(void*);
inline constexpr size_t kStorageApiSize_1_0 = offsetof(sb_storage_api, kv_list) + sizeof(void*);
inline constexpr size_t kRoutingApiSize_1_0 = offsetof(sb_routing_api, route) + sizeof(void*);
inline constexpr size_t kConfigKeySize_1_0 = offsetof(sb_config_key, name) + sizeof(void*);
// The same for the kinds 1.1 added.
inline constexpr size_t kAutoreplyApiSize_1_1 = offsetof(sb_autoreply_api, reply) + sizeof(void*);
inline constexpr size_t kLlmApiSize_1_1 = offsetof(sb_llm_api, chat) + sizeof(void*);
// And for the cluster-bus kind of 1.6.
inline constexpr size_t kClusterApiSize_1_6 = offsetof(sb_cluster_api, set_list) + sizeof(void*);

// Why the host refuses this descriptor, or "" when it accepts it. Checks, in order:
// ABI major equal to the host's, minor not above the host's, descriptor size, a
// kind this host runs (auto-reply and LLM only from plugins written for 1.1,
// cluster-bus only from 1.6), a name,
// instance_new/instance_free, the kind's function table (size and every mandatory function) and the
// config keys.
std::string descriptor_problem(const sb_plugin_descriptor& descriptor);

// Config key i of the descriptor. The array's stride is the plugin's own
// sb_config_key size, so a plugin built with a larger struct still reads right.
const sb_config_key& config_key_at(const sb_plugin_descriptor& descriptor, size_t i);

const char* kind_name(int32_t kind);

}  // namespace sb::plugin_host
