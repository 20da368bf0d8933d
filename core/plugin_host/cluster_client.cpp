#include "plugin_host/cluster_client.hpp"

#include <spdlog/spdlog.h>

#include <stdexcept>

#include "plugin_host/host_api.hpp"

namespace sb::plugin_host {

namespace {

sb_str str(std::string_view s) {
  return sb_str{s.data(), s.size()};
}

std::string_view view(sb_str s) {
  return s.len ? std::string_view(s.ptr, s.len) : std::string_view();
}

// The sink of ctx, with the exception barrier: the plugin's thread never sees one.
template <class F>
void to_sink(sb_host_ctx* ctx, const char* what, F&& f) {
  if (!ctx || !ctx->cluster_sink) return;
  try {
    f(*ctx->cluster_sink);
  } catch (const std::exception& e) {
    spdlog::error("[{}] cluster {} handler threw: {}", ctx->plugin_name, what, e.what());
  } catch (...) {
    spdlog::error("[{}] cluster {} handler threw", ctx->plugin_name, what);
  }
}

void on_message(sb_host_ctx* ctx, sb_str channel, sb_str payload) {
  to_sink(ctx, "message", [&](ClusterSink& s) { s.on_message(view(channel), view(payload)); });
}

void on_entry(sb_host_ctx* ctx, const sb_cluster_entry* entry) {
  if (!entry || entry->struct_size < sizeof(sb_cluster_entry)) return;
  to_sink(ctx, "entry", [&](ClusterSink& s) {
    s.on_entry(view(entry->stream), view(entry->entry_id), view(entry->payload),
               entry->redelivered != 0);
  });
}

void on_link(sb_host_ctx* ctx, int32_t up, sb_str detail) {
  to_sink(ctx, "link", [&](ClusterSink& s) { s.on_link(up != 0, view(detail)); });
}

const sb_cluster_events kEvents = {sizeof(sb_cluster_events), on_message, on_entry, on_link};

}  // namespace

const sb_cluster_events* cluster_events() {
  return &kEvents;
}

ClusterClient::ClusterClient(std::shared_ptr<Instance> instance)
    : instance_(std::move(instance)), api_(instance_ ? instance_->cluster_api() : nullptr) {
  if (!api_) throw std::invalid_argument("ClusterClient needs a cluster-bus plugin instance");
}

void ClusterClient::publish(std::string_view channel, std::string_view payload, Executor executor,
                            Callback cb) {
  instance_->call_async(
      [&](sb_instance* inst, sb_op* op, sb_error* err) {
        return api_->publish(inst, str(channel), str(payload), op, err);
      },
      std::move(executor), std::move(cb));
}

void ClusterClient::subscribe(std::string_view channel, Executor executor, Callback cb) {
  instance_->call_async([&](sb_instance* inst, sb_op* op,
                            sb_error* err) { return api_->subscribe(inst, str(channel), op, err); },
                        std::move(executor), std::move(cb));
}

int32_t ClusterClient::unsubscribe(std::string_view channel, std::string& error) {
  return instance_->call_sync(
      [&](sb_instance* inst, sb_error* err) { return api_->unsubscribe(inst, str(channel), err); },
      error);
}

void ClusterClient::stream_add(std::string_view stream, std::string_view payload, Executor executor,
                               Callback cb) {
  instance_->call_async(
      [&](sb_instance* inst, sb_op* op, sb_error* err) {
        return api_->stream_add(inst, str(stream), str(payload), op, err);
      },
      std::move(executor), std::move(cb));
}

void ClusterClient::stream_consume(std::string_view stream, Executor executor, Callback cb) {
  instance_->call_async(
      [&](sb_instance* inst, sb_op* op, sb_error* err) {
        return api_->stream_consume(inst, str(stream), op, err);
      },
      std::move(executor), std::move(cb));
}

int32_t ClusterClient::stream_stop(std::string_view stream, std::string& error) {
  return instance_->call_sync(
      [&](sb_instance* inst, sb_error* err) { return api_->stream_stop(inst, str(stream), err); },
      error);
}

void ClusterClient::stream_ack(std::string_view stream, std::string_view entry_id,
                               Executor executor, Callback cb) {
  instance_->call_async(
      [&](sb_instance* inst, sb_op* op, sb_error* err) {
        return api_->stream_ack(inst, str(stream), str(entry_id), op, err);
      },
      std::move(executor), std::move(cb));
}

void ClusterClient::set_put(std::string_view set, std::string_view member, std::string_view value,
                            int64_t ttl_ms, Executor executor, Callback cb) {
  instance_->call_async(
      [&](sb_instance* inst, sb_op* op, sb_error* err) {
        return api_->set_put(inst, str(set), str(member), str(value), ttl_ms, op, err);
      },
      std::move(executor), std::move(cb));
}

void ClusterClient::set_delete(std::string_view set, std::string_view member, Executor executor,
                               Callback cb) {
  instance_->call_async(
      [&](sb_instance* inst, sb_op* op, sb_error* err) {
        return api_->set_delete(inst, str(set), str(member), op, err);
      },
      std::move(executor), std::move(cb));
}

void ClusterClient::set_list(std::string_view set, Executor executor, Callback cb) {
  instance_->call_async([&](sb_instance* inst, sb_op* op,
                            sb_error* err) { return api_->set_list(inst, str(set), op, err); },
                        std::move(executor), std::move(cb));
}

}  // namespace sb::plugin_host
