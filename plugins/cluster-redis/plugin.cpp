// cluster-redis: the cluster bus over Redis (ABI 1.6, kind cluster-bus), for
// deployments of several nodes (docs/cluster.md). One instance per node.
//
// Pub/Sub for live messages, Redis Streams with one consumer group for commands to
// whichever node owns what a stream is for, and sorted sets + hashes changed by Lua
// scripts for members that expire (membership, presence). hiredis 0.14 on the
// plugin's own Asio thread (asio_adapter.hpp), three connections that reconnect by
// themselves (link.hpp, bus.hpp).
//
// Every hook checks its names, copies its arguments to the plugin's thread and
// returns SB_PENDING (or SB_OK for the ones without an op); nothing blocks.
#include <cstddef>
#include <cstdint>
#include <memory>

#include "bus.hpp"
#include "switchboard/sb_plugin.h"
#include "switchboard/sb_plugin_cpp.hpp"

namespace {

using switchboard::redis::Bus;

const sb_host_api* g_host = nullptr;  // set once by sb_plugin_entry, read-only after

constexpr size_t kMaxPayload = 16u << 20;

struct Instance {
  sb::Host host;
  std::unique_ptr<Bus> bus;
};

Bus& bus(sb_instance* inst) {
  return *reinterpret_cast<Instance*>(inst)->bus;
}

int32_t fail(sb_error* err, const std::string& why) {
  sb_error_set(err, why.c_str());
  return SB_ERROR;
}

// The checks every hook shares; "" when the arguments are fine.
std::string name_problem(const char* what, sb_str name) {
  if (!switchboard::redis::valid_name(sb::view(name)))
    return std::string("cluster-redis: the ") + what +
           " name must be 1..512 bytes of printable ASCII without spaces";
  return {};
}

int32_t instance_new(const sb_instance_args* args, sb_instance** out, sb_error* err) {
  return sb::guarded(err, [&] {
    const sb::Host host{g_host, args->ctx};
    const auto* events =
        g_host->get_api
            ? static_cast<const sb_cluster_events*>(g_host->get_api(SB_CLUSTER_EVENTS_V1))
            : nullptr;
    if (!events || events->struct_size < sizeof(sb_cluster_events) || !events->on_message ||
        !events->on_entry || !events->on_link)
      return fail(err, "cluster-redis: this host does not take cluster events (" +
                           std::string(SB_CLUSTER_EVENTS_V1) + ")");
    auto instance = std::make_unique<Instance>();
    instance->host = host;
    instance->bus = std::make_unique<Bus>(host, events, switchboard::redis::read_config(host));
    *out = reinterpret_cast<sb_instance*>(instance.release());
    return static_cast<int32_t>(SB_OK);
  });
}

void instance_free(sb_instance* inst) {
  if (!inst) return;
  auto* instance = reinterpret_cast<Instance*>(inst);
  const sb::Host host = instance->host;
  sb::guarded_void(host.api, host.ctx, [&] { delete instance; });
}

int32_t publish(sb_instance* inst, sb_str channel, sb_str payload, sb_op* op, sb_error* err) {
  return sb::guarded(err, [&] {
    if (auto why = name_problem("channel", channel); !why.empty()) return fail(err, why);
    if (payload.len > kMaxPayload) return fail(err, "cluster-redis: the payload exceeds 16 MiB");
    bus(inst).publish(std::string(sb::view(channel)), std::string(sb::view(payload)),
                      sb::Completion(g_host, op));
    return static_cast<int32_t>(SB_PENDING);
  });
}

int32_t subscribe(sb_instance* inst, sb_str channel, sb_op* op, sb_error* err) {
  return sb::guarded(err, [&] {
    if (auto why = name_problem("channel", channel); !why.empty()) return fail(err, why);
    bus(inst).subscribe(std::string(sb::view(channel)), sb::Completion(g_host, op));
    return static_cast<int32_t>(SB_PENDING);
  });
}

int32_t unsubscribe(sb_instance* inst, sb_str channel, sb_error* err) {
  return sb::guarded(err, [&] {
    if (auto why = name_problem("channel", channel); !why.empty()) return fail(err, why);
    bus(inst).unsubscribe(std::string(sb::view(channel)));
    return static_cast<int32_t>(SB_OK);
  });
}

int32_t stream_add(sb_instance* inst, sb_str stream, sb_str payload, sb_op* op, sb_error* err) {
  return sb::guarded(err, [&] {
    if (auto why = name_problem("stream", stream); !why.empty()) return fail(err, why);
    if (payload.len > kMaxPayload) return fail(err, "cluster-redis: the payload exceeds 16 MiB");
    bus(inst).stream_add(std::string(sb::view(stream)), std::string(sb::view(payload)),
                         sb::Completion(g_host, op));
    return static_cast<int32_t>(SB_PENDING);
  });
}

int32_t stream_consume(sb_instance* inst, sb_str stream, sb_op* op, sb_error* err) {
  return sb::guarded(err, [&] {
    if (auto why = name_problem("stream", stream); !why.empty()) return fail(err, why);
    bus(inst).stream_consume(std::string(sb::view(stream)), sb::Completion(g_host, op));
    return static_cast<int32_t>(SB_PENDING);
  });
}

int32_t stream_stop(sb_instance* inst, sb_str stream, sb_error* err) {
  return sb::guarded(err, [&] {
    if (auto why = name_problem("stream", stream); !why.empty()) return fail(err, why);
    bus(inst).stream_stop(std::string(sb::view(stream)));
    return static_cast<int32_t>(SB_OK);
  });
}

int32_t stream_ack(sb_instance* inst, sb_str stream, sb_str entry_id, sb_op* op, sb_error* err) {
  return sb::guarded(err, [&] {
    if (auto why = name_problem("stream", stream); !why.empty()) return fail(err, why);
    if (auto why = name_problem("entry", entry_id); !why.empty()) return fail(err, why);
    bus(inst).stream_ack(std::string(sb::view(stream)), std::string(sb::view(entry_id)),
                         sb::Completion(g_host, op));
    return static_cast<int32_t>(SB_PENDING);
  });
}

int32_t set_put(sb_instance* inst, sb_str set, sb_str member, sb_str value, int64_t ttl_ms,
                sb_op* op, sb_error* err) {
  return sb::guarded(err, [&] {
    if (auto why = name_problem("set", set); !why.empty()) return fail(err, why);
    if (auto why = name_problem("member", member); !why.empty()) return fail(err, why);
    if (value.len > kMaxPayload) return fail(err, "cluster-redis: the value exceeds 16 MiB");
    if (ttl_ms < 1 || ttl_ms > 86400000)
      return fail(err, "cluster-redis: ttl_ms must be from 1 to 86400000");
    bus(inst).set_put(std::string(sb::view(set)), std::string(sb::view(member)),
                      std::string(sb::view(value)), ttl_ms, sb::Completion(g_host, op));
    return static_cast<int32_t>(SB_PENDING);
  });
}

int32_t set_delete(sb_instance* inst, sb_str set, sb_str member, sb_op* op, sb_error* err) {
  return sb::guarded(err, [&] {
    if (auto why = name_problem("set", set); !why.empty()) return fail(err, why);
    if (auto why = name_problem("member", member); !why.empty()) return fail(err, why);
    bus(inst).set_delete(std::string(sb::view(set)), std::string(sb::view(member)),
                         sb::Completion(g_host, op));
    return static_cast<int32_t>(SB_PENDING);
  });
}

int32_t set_list(sb_instance* inst, sb_str set, sb_op* op, sb_error* err) {
  return sb::guarded(err, [&] {
    if (auto why = name_problem("set", set); !why.empty()) return fail(err, why);
    bus(inst).set_list(std::string(sb::view(set)), sb::Completion(g_host, op));
    return static_cast<int32_t>(SB_PENDING);
  });
}

const sb_cluster_api kClusterApi = {
    sizeof(sb_cluster_api),
    publish,
    subscribe,
    unsubscribe,
    stream_add,
    stream_consume,
    stream_stop,
    stream_ack,
    set_put,
    set_delete,
    set_list,
};

const sb_plugin_descriptor kDescriptor = {
    sizeof(sb_plugin_descriptor),
    SB_ABI_VERSION_MAJOR(1, 6),
    SB_ABI_VERSION_MINOR(1, 6),
    SB_KIND_CLUSTER_BUS,
    "cluster-redis",
    "0.1.0",
    switchboard::redis::kConfigKeys,
    switchboard::redis::kConfigKeyCount,
    instance_new,
    instance_free,
    nullptr,
    &kClusterApi,
};

}  // namespace

extern "C" SB_EXPORT const sb_plugin_descriptor* sb_plugin_entry(const sb_host_api* host) {
  g_host = host;
  return &kDescriptor;
}
