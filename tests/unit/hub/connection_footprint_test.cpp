// What every held WebSocket connection keeps allocated, against the allocator's
// size classes (jemalloc, linked into the server, rounds each allocation up to its
// next class: ... 448, 512, ... 2,560, 3,072). A few bytes over a boundary cost the
// whole gap on every one of thousands of idle connections: Beast's WebSocket state
// at 2,688 bytes took 3,072 (issue 12; tests/bench/RESULTS.md, "Thirteenth pass").
#include <boost/smart_ptr/make_shared.hpp>
#include <catch2/catch.hpp>
#include <cstddef>
#include <memory>
#include <type_traits>

#include "hub/ws_session.hpp"
#include "support/recording_allocator.hpp"

namespace {

using WebSocket = boost::beast::websocket::stream<sb::hub::CoalescingStream, false>;

// Beast's per-connection state is a private type of its stream; an explicit
// instantiation may name it, and reports what Beast's boost::make_shared asks for
// (the state inside its control block).
std::size_t beast_state_request();
template <class State>
struct BeastStateRequest {
  friend std::size_t beast_state_request() {
    return sizeof(boost::detail::sp_counted_impl_pd<State*, boost::detail::sp_ms_deleter<State>>);
  }
};
template struct BeastStateRequest<WebSocket::impl_type>;

}  // namespace

TEST_CASE("a held WebSocket's Beast state fits jemalloc's 2,560-byte class") {
  // Our stream (CoalescingStream over TransportStream) lives inside it: its write
  // buffers stay apart while idle, and the bare socket has no type-erased executor.
  CHECK(beast_state_request() <= 2560);
}

TEST_CASE("a held WebSocket's session fits jemalloc's 448-byte class") {
  // A stand-in of the session's size and alignment: the session itself needs a
  // running tenant to be torn down.
  using StandIn = std::aligned_storage_t<sizeof(sb::hub::WsSession), alignof(sb::hub::WsSession)>;
  // (as std::make_shared would: the object inside its control block)
  auto session = std::allocate_shared<StandIn>(sb::test::RecordingAllocator<StandIn>());
  CHECK(sb::test::recorded_request > sizeof(sb::hub::WsSession));
  CHECK(sb::test::recorded_request <= 448);
}
