// One asynchronous plugin operation (the sb_op a hook receives). Internal.
//
// Lifetime: the op holds its Instance (so instance_free and dlclose wait for it) and,
// while the plugin may still complete it, itself (held_for_plugin). complete()
// takes that reference back and hands it to the caller's executor, so the last
// reference to the op, and maybe to the instance, is dropped on a host thread and
// never inside the plugin's own thread.
#pragma once

#include <atomic>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <memory>

#include "plugin_host/plugin_info.hpp"
#include "switchboard/sb_plugin.h"

namespace sb::plugin_host {
class Instance;
}

struct sb_op {
  sb_op(std::shared_ptr<sb::plugin_host::Instance> owner, boost::asio::any_io_executor exec,
        sb::plugin_host::Callback cb, std::chrono::milliseconds limit)
      : instance(std::move(owner)),
        executor(std::move(exec)),
        callback(std::move(cb)),
        timer(executor),
        timeout(limit) {}

  std::shared_ptr<sb::plugin_host::Instance> instance;
  boost::asio::any_io_executor executor;
  sb::plugin_host::Callback callback;  // empty once delivered
  boost::asio::steady_timer timer;     // the call timeout
  std::chrono::milliseconds timeout;
  // Set by whoever delivers the result first: the completion, the timeout, or the
  // hook's own non-pending status. Makes the callback run exactly once.
  std::atomic<bool> finished{false};
  std::shared_ptr<sb_op> held_for_plugin;
};

namespace sb::plugin_host {

// host->complete: copies the borrowed result and finishes the op on its executor.
void complete_op(sb_op* op, int32_t status, sb_str result, sb_str error_message);

}  // namespace sb::plugin_host
