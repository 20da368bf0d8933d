// hiredis's asynchronous context driven by Asio. hiredis 0.14 (Debian 12) ships
// adapters for libevent, libev, libuv... but none for Asio: this is that adapter.
//
// hiredis tells its event library through five hooks (ev.addRead, delRead,
// addWrite, delWrite, cleanup) when it wants to know that its socket is readable or
// writable; the adapter waits for that with a posix::stream_descriptor on the same
// file descriptor and calls redisAsyncHandleRead / redisAsyncHandleWrite. hiredis
// owns the socket: the descriptor is released, never closed, when hiredis cleans up.
#pragma once

#include <hiredis/async.h>

#include <boost/asio/io_context.hpp>

namespace switchboard::redis {

// Attaches ac (just created by redisAsyncConnect*, nothing attached yet) to io.
// From then on the context must be used only on io's thread. Returns false when
// ac already has an event library. The adapter frees itself in hiredis's cleanup
// hook (when the context is freed).
bool attach_asio(redisAsyncContext* ac, boost::asio::io_context& io);

}  // namespace switchboard::redis
