#include "cluster/owner_endpoint.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <boost/asio/post.hpp>
#include <boost/json.hpp>
#include <chrono>
#include <functional>
#include <mutex>

#include "cluster/wire.hpp"
#include "engine/tenant_engine.hpp"

namespace sb::cluster {

namespace json = boost::json;

namespace {

// Relayed connections' peer ids, apart from local sockets' (which count from 1).
std::atomic<uint64_t> next_remote_id{uint64_t{1} << 62};

int64_t monotonic_us() {
  using namespace std::chrono;
  return duration_cast<microseconds>(steady_clock::now().time_since_epoch()).count();
}

std::string text_of(const json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  return v && v->is_string() ? std::string(v->get_string()) : std::string();
}

}  // namespace

// A client connected to another node, as the engine sees it.
class RemotePeer final : public engine::Peer, public std::enable_shared_from_this<RemotePeer> {
 public:
  RemotePeer(std::shared_ptr<plugin_host::ClusterClient> bus, boost::asio::any_io_executor strand,
             std::string stream, std::string node, uint64_t conn, int64_t lease_epoch)
      : bus_(std::move(bus)),
        strand_(std::move(strand)),
        stream_(std::move(stream)),
        channel_(node_channel(node)),
        prefix_(connection_address(conn, lease_epoch) + " "),
        id_(next_remote_id.fetch_add(1)) {}

  void send(std::shared_ptr<const std::string> frame) override {
    if (broken_.load(std::memory_order_relaxed)) return;
    settle(*frame);
    publish("f" + prefix_ + *frame);
  }
  void close(uint16_t code, std::string reason) override {
    publish("c" + prefix_ + std::to_string(code) + " " + reason);
  }
  uint64_t peer_id() const override { return id_; }
  // close() that says (on the strand) whether the bus took it.
  void try_close(uint16_t code, const std::string& reason, std::function<void(bool)> done) {
    bus_->publish(channel_, "c" + prefix_ + std::to_string(code) + " " + reason, strand_,
                  [done = std::move(done)](plugin_host::CallResult r) { done(r.status == SB_OK); });
  }
  bool closing = false;  // on the strand: a try_close is under way

  // A message entry, acknowledged once its ack or error goes out.
  void await_answer(const std::string& client_msg_id, const std::string& ref,
                    const std::string& entry_id) {
    std::lock_guard lock(mutex_);
    awaiting_.push_back({client_msg_id, ref, entry_id});
  }
  bool broken() const { return broken_.load(std::memory_order_relaxed); }
  void set_broken() { broken_.store(true, std::memory_order_relaxed); }

 private:
  struct Awaited {
    std::string client_msg_id, ref, entry_id;
  };

  void publish(const std::string& payload) {
    bus_->publish(channel_, payload, strand_, [weak = weak_from_this()](plugin_host::CallResult r) {
      // Lost on its way: the client's stream has a hole, so it must resume.
      if (auto self = weak.lock(); self && r.status != SB_OK) self->set_broken();
    });
  }

  // The ack or error that answers an awaited message settles its stream entry.
  void settle(const std::string& frame) {
    const bool ack = frame.starts_with(R"({"type":"ack")");
    if (!ack && !frame.starts_with(R"({"type":"error")")) return;
    std::vector<std::string> entries;
    {
      std::lock_guard lock(mutex_);
      if (awaiting_.empty()) return;
      boost::system::error_code ec;
      const json::value v = json::parse(frame, ec);
      if (ec || !v.is_object()) return;
      const std::string id = text_of(v.get_object(), ack ? "client_msg_id" : "ref");
      if (id.empty()) return;
      std::erase_if(awaiting_, [&](const Awaited& a) {
        const bool match = ack ? a.client_msg_id == id : (a.ref == id || a.client_msg_id == id);
        if (match) entries.push_back(a.entry_id);
        return match;
      });
    }
    for (const auto& entry : entries)
      bus_->stream_ack(stream_, entry, strand_, [](plugin_host::CallResult) {});
  }

  std::shared_ptr<plugin_host::ClusterClient> bus_;
  boost::asio::any_io_executor strand_;
  const std::string stream_;
  const std::string channel_;
  const std::string prefix_;
  const uint64_t id_;
  std::atomic<bool> broken_{false};
  std::mutex mutex_;
  std::vector<Awaited> awaiting_;  // guarded by mutex_
};

OwnerEndpoint::OwnerEndpoint(std::shared_ptr<plugin_host::ClusterClient> bus,
                             std::shared_ptr<hub::TenantGate> gate, const auth::TokenSigner* signer,
                             int64_t lease_epoch)
    : bus_(std::move(bus)),
      gate_(std::move(gate)),
      signer_(signer),
      lease_epoch_(lease_epoch),
      stream_(tenant_stream(gate_->id())),
      strand_(gate_->engine()->executor()),
      sweep_timer_(strand_) {}

void OwnerEndpoint::start() {
  bus_->stream_consume(stream_, strand_, [id = gate_->id()](plugin_host::CallResult r) {
    if (r.status != SB_OK)
      spdlog::warn("tenant {}: its command stream is consumed once the bus answers ({})", id,
                   r.error);
  });
  boost::asio::post(strand_, [self = shared_from_this()] { self->close_broken(); });
}

void OwnerEndpoint::close_broken() {
  if (stopped_) return;
  std::vector<std::string> broken;
  for (const auto& [key, remote] : remotes_)
    if (remote.peer->broken()) broken.push_back(key);
  for (const auto& key : broken) {
    auto peer = remotes_.at(key).peer;
    if (peer->closing) continue;
    peer->closing = true;
    // Let go once the close reached the bus; tried again next second otherwise.
    peer->try_close(kCloseMoved, "frames to this connection were lost; reconnect",
                    [weak = weak_from_this(), key, peer](bool sent) {
                      auto self = weak.lock();
                      if (!self) return;
                      peer->closing = false;
                      auto it = self->remotes_.find(key);
                      if (sent && it != self->remotes_.end() && it->second.peer == peer)
                        self->drop(key);
                    });
  }
  sweep_timer_.expires_after(std::chrono::seconds(1));
  sweep_timer_.async_wait([weak = weak_from_this()](const boost::system::error_code& ec) {
    if (auto self = weak.lock(); self && !ec) self->close_broken();
  });
}

void OwnerEndpoint::stop() {
  std::string error;
  bus_->stream_stop(stream_, error);
  boost::asio::post(strand_, [self = shared_from_this()] {
    self->stopped_ = true;
    self->sweep_timer_.cancel();
    for (auto& [key, remote] : self->remotes_) {
      remote.peer->close(kCloseMoved, "the tenant moved to another node; reconnect");
      if (remote.state.registered) self->gate_->engine()->disconnect(remote.peer, remote.state.who);
    }
    self->remotes_.clear();
  });
}

void OwnerEndpoint::on_entry(std::string entry_id, std::string payload, bool redelivered) {
  boost::asio::post(strand_, [self = shared_from_this(), entry_id = std::move(entry_id),
                              payload = std::move(payload), redelivered] {
    // Stopped: left unacknowledged, for the tenant's next owner.
    if (!self->stopped_) self->handle(entry_id, payload, redelivered);
  });
}

void OwnerEndpoint::ack(const std::string& entry_id) {
  bus_->stream_ack(stream_, entry_id, strand_, [](plugin_host::CallResult) {});
}

void OwnerEndpoint::handle(const std::string& entry_id, const std::string& payload,
                           bool redelivered) {
  boost::system::error_code ec;
  const json::value parsed = json::parse(payload, ec);
  const json::object* o = parsed.if_object();
  const json::value* conn_value = o ? o->if_contains("conn") : nullptr;
  if (ec || !o || !conn_value || !conn_value->is_number()) {
    spdlog::warn("tenant {}: a malformed command entry {} is dropped", gate_->id(), entry_id);
    return ack(entry_id);
  }
  const std::string op = text_of(*o, "op");
  const std::string node = text_of(*o, "node");
  const uint64_t conn = conn_value->to_number<uint64_t>();
  const std::string key = node + " " + std::to_string(conn);
  auto it = remotes_.find(key);

  if (redelivered && op != "close") {
    // Read before by an owner that may have acted on it: replaying it now would
    // act on what the connection said back then (a hello's last seq, long since
    // passed), not on what it has seen since. So the connection starts over: the
    // client reconnects, resumes from the seqs it really holds and sends again
    // what was not acknowledged (the same ack for what was stored).
    return start_over(entry_id, node, conn);
  }

  if (op == "open") {
    if (it != remotes_.end()) drop(key);
    Remote remote;
    remote.peer = std::make_shared<RemotePeer>(bus_, strand_, stream_, node, conn, lease_epoch_);
    remote.state.gate = gate_;
    remote.state.signer = signer_;
    if (const auto* who = o->if_contains("who"); who && who->is_object()) {
      const auto& w = who->get_object();
      remote.state.who.role =
          text_of(w, "role") == "agent" ? engine::Role::agent : engine::Role::visitor;
      remote.state.who.id = text_of(w, "id");
      remote.state.who.name = text_of(w, "name");
      remote.state.who.agent_role = text_of(w, "agent_role");
      if (const auto* e = w.if_contains("epoch"); e && e->is_number())
        remote.state.who.epoch = e->to_number<uint32_t>();
    }
    if (remote.state.who.role == engine::Role::agent) {
      // The agent's token was checked by the node the socket is on.
      remote.state.registered = true;
      gate_->engine()->agent_connect(remote.peer, remote.state.who);
    }
    if (const auto* n = o->if_contains("n"); n && n->is_number())
      remote.next_entry = n->to_number<uint64_t>() + 1;
    remotes_.emplace(key, std::move(remote));
    return ack(entry_id);
  }
  if (op == "close") {
    if (it != remotes_.end()) drop(key);
    return ack(entry_id);
  }
  if (op != "frame") return ack(entry_id);

  if (it == remotes_.end() || it->second.peer->broken()) {
    // Not known here (its owner changed, or frames to it were lost): the client
    // reconnects and resumes. Its command was never answered, so it resends it.
    return start_over(entry_id, node, conn);
  }
  Remote& remote = it->second;
  if (const auto* n = o->if_contains("n"); n && n->is_number() && remote.next_entry) {
    const auto number = n->to_number<uint64_t>();
    if (number != *remote.next_entry) {
      spdlog::info(
          "tenant {}: entry {} of connection {} came where {} was due (another consumer read "
          "it); the connection starts over",
          gate_->id(), number, key, *remote.next_entry);
      return start_over(entry_id, node, conn);
    }
    remote.next_entry = number + 1;
  }
  const std::string text = text_of(*o, "text");
  // A message is settled by its answer; anything else once the engine has it.
  bool awaits = false;
  if (text.find("\"message\"") != std::string::npos) {
    const json::value frame = json::parse(text, ec);
    if (!ec && frame.is_object() && text_of(frame.get_object(), "type") == "message") {
      const auto cmid = text_of(frame.get_object(), "client_msg_id");
      const auto ref = text_of(frame.get_object(), "ref");
      if (!cmid.empty() || !ref.empty()) {
        remote.peer->await_answer(cmid, ref, entry_id);
        awaits = true;
      }
    }
  }
  const auto verdict = hub::handle_text_frame(remote.state, remote.peer, text, monotonic_us());
  if (!awaits) ack(entry_id);
  if (verdict == hub::FrameVerdict::close_policy) {
    remote.peer->close(1008, "too many bad frames");
    drop(key);
  }
}

void OwnerEndpoint::start_over(const std::string& entry_id, const std::string& node,
                               uint64_t conn) {
  const std::string key = node + " " + std::to_string(conn);
  auto it = remotes_.find(key);
  auto peer = it != remotes_.end()
                  ? it->second.peer
                  : std::make_shared<RemotePeer>(bus_, strand_, stream_, node, conn, lease_epoch_);
  if (it != remotes_.end()) drop(key);
  peer->close(kCloseMoved, "the tenant's node changed; reconnect");
  ack(entry_id);
}

void OwnerEndpoint::drop(const std::string& key) {
  auto it = remotes_.find(key);
  if (it == remotes_.end()) return;
  if (it->second.state.registered)
    gate_->engine()->disconnect(it->second.peer, it->second.state.who);
  remotes_.erase(it);
}

void OwnerEndpoint::keep_nodes(std::vector<std::string> live_nodes) {
  boost::asio::post(strand_, [self = shared_from_this(), live = std::move(live_nodes)] {
    std::vector<std::string> gone;
    for (const auto& [key, remote] : self->remotes_) {
      const std::string node = key.substr(0, key.find(' '));
      if (std::find(live.begin(), live.end(), node) == live.end()) gone.push_back(key);
    }
    for (const auto& key : gone) self->drop(key);
  });
}

void OwnerEndpoint::link_lost() {
  boost::asio::post(strand_, [self = shared_from_this()] {
    for (auto& [key, remote] : self->remotes_) remote.peer->set_broken();
  });
}

}  // namespace sb::cluster
