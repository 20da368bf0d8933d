#include "cluster/relay.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/post.hpp>
#include <boost/json.hpp>
#include <charconv>

#include "cluster/wire.hpp"
#include "engine/frames.hpp"

namespace sb::cluster {

namespace json = boost::json;

namespace {

json::object identity_json(const engine::Identity& who) {
  return {{"role", who.role == engine::Role::agent ? "agent" : "visitor"},
          {"id", who.id},
          {"name", who.name},
          {"agent_role", who.agent_role},
          {"epoch", who.epoch}};
}

// A string member of a parsed frame, or "".
std::string member(const json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  return v && v->is_string() ? std::string(v->get_string()) : std::string();
}

}  // namespace

class RelayHub::TenantRelay final : public hub::Relay {
 public:
  TenantRelay(std::weak_ptr<RelayHub> hub, std::string tenant_id)
      : hub_(std::move(hub)), tenant_id_(std::move(tenant_id)) {}

  void open(const engine::PeerPtr& peer, const engine::Identity& who) override {
    auto hub = hub_.lock();
    if (!hub) return peer->close(kCloseMoved, "this node is stopping; reconnect");
    hub->add(tenant_id_, peer);
    json::object entry{{"op", "open"},
                       {"node", hub->node_id_},
                       {"conn", peer->peer_id()},
                       {"n", 0},
                       {"who", identity_json(who)}};
    hub->send_to_owner(tenant_id_, peer->peer_id(), json::serialize(entry));
  }

  void frame(const engine::PeerPtr& peer, std::string_view text) override {
    auto hub = hub_.lock();
    if (!hub) return;
    const auto number = hub->number_entry(peer->peer_id());
    if (!number) return;  // closed meanwhile
    hub->expect_answer(peer->peer_id(), text);
    json::object entry{{"op", "frame"},
                       {"node", hub->node_id_},
                       {"conn", peer->peer_id()},
                       {"n", *number},
                       {"text", json::string(text)}};
    hub->send_to_owner(tenant_id_, peer->peer_id(), json::serialize(entry));
  }

  void close(uint64_t peer_id) override {
    auto hub = hub_.lock();
    if (!hub) return;
    const auto number = hub->remove(peer_id);
    json::object entry{{"op", "close"}, {"node", hub->node_id_}, {"conn", peer_id}};
    if (number) entry["n"] = *number;
    // Best effort: an owner that misses it drops the connection when this node
    // leaves the live nodes, or on the next frame of a reused id (none: ids grow).
    hub->bus_->stream_add(tenant_stream(tenant_id_), json::serialize(entry), hub->executor_,
                          [](plugin_host::CallResult) {});
  }

 private:
  std::weak_ptr<RelayHub> hub_;
  const std::string tenant_id_;
};

RelayHub::RelayHub(std::shared_ptr<plugin_host::ClusterClient> bus,
                   boost::asio::any_io_executor executor, std::string node_id,
                   std::chrono::milliseconds command_timeout)
    : bus_(std::move(bus)),
      executor_(std::move(executor)),
      node_id_(std::move(node_id)),
      command_timeout_(command_timeout),
      sweep_timer_(executor_) {}

void RelayHub::start() {
  bus_->subscribe(node_channel(node_id_), executor_, [](plugin_host::CallResult r) {
    // While the link is down the plugin subscribes once it is back.
    if (r.status != SB_OK)
      spdlog::info("cluster: this node's channel is subscribed once the bus answers ({})", r.error);
  });
  boost::asio::post(executor_, [self = shared_from_this()] { self->sweep(); });
}

void RelayHub::stop() {
  boost::asio::post(executor_, [self = shared_from_this()] {
    self->stopped_ = true;
    self->sweep_timer_.cancel();
  });
  close_all({}, "this node is stopping; reconnect");
}

std::shared_ptr<hub::Relay> RelayHub::relay_for(const std::string& tenant_id) {
  return std::make_shared<TenantRelay>(weak_from_this(), tenant_id);
}

void RelayHub::add(const std::string& tenant_id, const engine::PeerPtr& peer) {
  std::lock_guard lock(mutex_);
  connections_[peer->peer_id()] = Connection{peer, tenant_id, {}, 1};
}

std::optional<uint64_t> RelayHub::number_entry(uint64_t peer_id) {
  std::lock_guard lock(mutex_);
  auto it = connections_.find(peer_id);
  if (it == connections_.end()) return std::nullopt;
  return it->second.next_entry++;
}

std::optional<uint64_t> RelayHub::remove(uint64_t peer_id) {
  std::lock_guard lock(mutex_);
  fence_.forget(peer_id);
  auto it = connections_.find(peer_id);
  if (it == connections_.end()) return std::nullopt;
  const uint64_t last = it->second.next_entry;
  connections_.erase(it);
  return last;
}

void RelayHub::expect_answer(uint64_t peer_id, std::string_view text) {
  // Only messages are worth the parse: they are what a client waits an ack for.
  if (text.find("\"message\"") == std::string_view::npos) return;
  boost::system::error_code ec;
  const json::value v = json::parse(text, ec);
  if (ec || !v.is_object() || member(v.get_object(), "type") != "message") return;
  Pending p{member(v.get_object(), "client_msg_id"), member(v.get_object(), "ref"),
            std::chrono::steady_clock::now() + command_timeout_};
  if (p.client_msg_id.empty() && p.ref.empty()) return;
  std::lock_guard lock(mutex_);
  if (auto it = connections_.find(peer_id); it != connections_.end())
    it->second.pending.push_back(std::move(p));
}

void RelayHub::answered(Connection& c, std::string_view frame) {
  if (c.pending.empty()) return;
  const bool ack = frame.starts_with(R"({"type":"ack")");
  if (!ack && !frame.starts_with(R"({"type":"error")")) return;
  boost::system::error_code ec;
  const json::value v = json::parse(frame, ec);
  if (ec || !v.is_object()) return;
  const std::string id = member(v.get_object(), ack ? "client_msg_id" : "ref");
  if (id.empty()) return;
  std::erase_if(c.pending, [&](const Pending& p) {
    return ack ? p.client_msg_id == id : (p.ref == id || p.client_msg_id == id);
  });
}

void RelayHub::deliver(std::string_view payload) {
  // "<op><conn>[@<epoch>] <rest>" (wire.hpp)
  if (payload.size() < 2) return;
  const char op = payload.front();
  const size_t space = payload.find(' ');
  if (space == std::string_view::npos) return;
  const std::string_view address = payload.substr(1, space - 1);
  const size_t at = address.find('@');
  const std::string_view digits = address.substr(0, at);
  uint64_t peer_id = 0;
  if (std::from_chars(digits.data(), digits.data() + digits.size(), peer_id).ec != std::errc{})
    return;
  int64_t epoch = 0;
  if (at != std::string_view::npos) {
    const std::string_view e = address.substr(at + 1);
    if (std::from_chars(e.data(), e.data() + e.size(), epoch).ec != std::errc{}) return;
  }
  const std::string_view rest = payload.substr(space + 1);
  engine::PeerPtr peer;
  OwnerFence::Verdict verdict;
  {
    std::lock_guard lock(mutex_);
    auto it = connections_.find(peer_id);
    if (it == connections_.end()) return;  // closed meanwhile
    const std::string& tenant = it->second.tenant_id;
    const int64_t newest_before = fence_.newest(tenant);
    verdict = fence_.frame(tenant, peer_id, epoch);
    if (epoch > 0 && epoch < newest_before && stale_logged_.emplace(tenant, epoch).second)
      spdlog::info(
          "cluster: tenant {}: frames of a former owner (lease epoch {}) no longer reach "
          "clients here; the owner's epoch is {}",
          tenant, epoch, newest_before);
    if (newest_before > 0 && epoch > newest_before)
      spdlog::info(
          "cluster: tenant {}: its owner is at lease epoch {} now (was {}); {} connection(s) "
          "that heard the former owner reconnect",
          tenant, epoch, newest_before,
          verdict.reconnect_too.size() + (verdict.fate == OwnerFence::Fate::reconnect ? 1 : 0));
    if (verdict.fate == OwnerFence::Fate::deliver) {
      peer = it->second.peer.lock();
      if (op == 'f') answered(it->second, rest);
    }
  }
  for (const uint64_t other : verdict.reconnect_too)
    fail_connection(other, "the tenant's owner changed; send it again after the reconnect",
                    "the tenant's owner changed; reconnect");
  if (verdict.fate == OwnerFence::Fate::reconnect)
    return fail_connection(peer_id, "the tenant's owner changed; send it again after the reconnect",
                           "the tenant's owner changed; reconnect");
  if (!peer) return;
  if (op == 'f') {
    peer->send(std::make_shared<const std::string>(rest));
  } else if (op == 'c') {
    uint16_t code = kCloseMoved;
    const size_t reason_at = rest.find(' ');
    std::from_chars(rest.data(), rest.data() + std::min(reason_at, rest.size()), code);
    peer->close(code, std::string(reason_at == rest.npos ? "" : rest.substr(reason_at + 1)));
  }
}

void RelayHub::close_all(const std::string& tenant_id, const std::string& reason) {
  std::vector<engine::PeerPtr> peers;
  {
    std::lock_guard lock(mutex_);
    for (auto& [id, c] : connections_)
      if (tenant_id.empty() || c.tenant_id == tenant_id)
        if (auto peer = c.peer.lock()) peers.push_back(std::move(peer));
  }
  for (auto& peer : peers) peer->close(kCloseMoved, reason);
}

void RelayHub::send_to_owner(const std::string& tenant_id, uint64_t peer_id, std::string payload) {
  bus_->stream_add(tenant_stream(tenant_id), payload, executor_,
                   [weak = weak_from_this(), peer_id](plugin_host::CallResult r) {
                     auto self = weak.lock();
                     if (self && r.status != SB_OK)
                       self->fail_connection(peer_id, "the cluster bus is unavailable: " + r.error,
                                             "the tenant's node cannot be reached; reconnect");
                   });
}

// A frame that did not reach the stream, or an owner the connection can no longer
// trust: whatever was waiting is answered `unavailable` and the socket closed, so
// the client reconnects and resends.
void RelayHub::fail_connection(uint64_t peer_id, const std::string& why,
                               const std::string& close_reason) {
  engine::PeerPtr peer;
  std::vector<Pending> pending;
  {
    std::lock_guard lock(mutex_);
    auto it = connections_.find(peer_id);
    if (it == connections_.end()) return;
    peer = it->second.peer.lock();
    pending.swap(it->second.pending);
  }
  if (!peer) return;
  for (const auto& p : pending)
    peer->send(engine::frames::error("unavailable", why, p.ref.empty() ? p.client_msg_id : p.ref));
  peer->close(kCloseMoved, close_reason);
}

void RelayHub::sweep() {
  if (stopped_) return;
  const auto now = std::chrono::steady_clock::now();
  std::vector<std::pair<engine::PeerPtr, Pending>> late;
  {
    std::lock_guard lock(mutex_);
    for (auto& [id, c] : connections_) {
      auto peer = c.peer.lock();
      std::erase_if(c.pending, [&](Pending& p) {
        if (p.deadline > now) return false;
        if (peer) late.emplace_back(peer, std::move(p));
        return true;
      });
    }
  }
  for (auto& [peer, p] : late)
    peer->send(engine::frames::error("unavailable",
                                     "the tenant's node did not answer in time; send it again",
                                     p.ref.empty() ? p.client_msg_id : p.ref));
  sweep_timer_.expires_after(std::chrono::milliseconds(200));
  sweep_timer_.async_wait([weak = weak_from_this()](const boost::system::error_code& ec) {
    if (auto self = weak.lock(); self && !ec) self->sweep();
  });
}

}  // namespace sb::cluster
