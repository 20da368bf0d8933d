// One asynchronous plugin operation (the sb_op a hook receives). Internal.
//
// Lifetime: the op holds its Instance (so instance_free and dlclose wait for it) and,
// while the plugin may still complete it, itself (held_for_plugin). complete()
// takes that reference back and hands it to the caller's executor, so the last
// reference to the op, and maybe to the instance, is dropped on a host thread and
// never inside the plugin's own thread. Its timeout is no timer of its own: the
// instance's watch list and one timer for all of them (Instance::watch).
#pragma once

#include <atomic>
#include <boost/asio/any_io_executor.hpp>
#include <chrono>
#include <memory>

#include "plugin_host/plugin_info.hpp"
#include "switchboard/sb_plugin.h"

namespace sb::plugin_host {
class Instance;
}

struct sb_op : std::enable_shared_from_this<sb_op> {
  sb_op(std::shared_ptr<sb::plugin_host::Instance> owner, boost::asio::any_io_executor exec,
        sb::plugin_host::Callback cb, std::chrono::milliseconds limit)
      : instance(std::move(owner)),
        executor(std::move(exec)),
        callback(std::move(cb)),
        timeout(limit) {}
  // Leaves the instance's watch list if it is still there (an op whose delivery was
  // dropped unrun, with its io_context).
  ~sb_op();
  sb_op(const sb_op&) = delete;
  sb_op& operator=(const sb_op&) = delete;

  std::shared_ptr<sb::plugin_host::Instance> instance;
  boost::asio::any_io_executor executor;
  sb::plugin_host::Callback callback;  // empty once delivered
  std::chrono::milliseconds timeout;
  // Set by whoever delivers the result first: the completion, the timeout, or the
  // hook's own non-pending status. Makes the callback run exactly once.
  std::atomic<bool> finished{false};
  std::shared_ptr<sb_op> held_for_plugin;

  // The instance's watch list (Instance::watch), under its watch_mutex_: ops the
  // plugin has yet to answer, the soonest deadline first.
  std::chrono::steady_clock::time_point deadline;
  sb_op* watch_prev = nullptr;
  sb_op* watch_next = nullptr;
  std::atomic<bool> watched{false};  // read without the lock only to skip it
};

namespace sb::plugin_host {

// host->complete: copies the borrowed result and finishes the op on its executor.
void complete_op(sb_op* op, int32_t status, sb_str result, sb_str error_message);

}  // namespace sb::plugin_host
