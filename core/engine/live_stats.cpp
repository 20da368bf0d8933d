// The admin dashboard's live numbers: who is online and how loaded, what is open,
// who waits where and since when, and how many messages went by lately. Read on
// the strand in one step, so the numbers agree with each other.
#include <algorithm>

#include "common/clock.hpp"
#include "engine/internal.hpp"

namespace sb::engine {

void TenantEngine::live_stats(size_t minutes, std::function<void(LiveStats)> done) {
  auto stopped = refusal(done);
  on_strand_or(std::move(stopped), [this, minutes, done = std::move(done)] {
    LiveStats out;
    for (const auto& [id, a] : agents_)
      out.agents.push_back({id, a.name, a.status, a.load(), a.max_concurrent});

    for (const auto& [id, c] : conversations_) {
      if (c.status == ConversationStatus::bot) ++out.with_bot;
      if (c.status == ConversationStatus::queued) ++out.queued;
      if (c.status == ConversationStatus::assigned) ++out.assigned;
    }

    // Every configured group shows, waiting or not; a queue for a group the config
    // no longer has (or the default one) shows while someone waits in it.
    std::map<std::string, LiveStats::Queue> queues;
    queues[""].group = "";
    for (const auto& [id, group] : groups_) queues[id].group = id;
    for (const auto& id : queue_) {
      auto it = conversations_.find(id);
      if (it == conversations_.end()) continue;
      LiveStats::Queue& q = queues[it->second.group];
      q.group = it->second.group;
      ++q.length;
      const int64_t joined = joined_ms(it->second);
      if (!q.oldest_joined_ms || joined < q.oldest_joined_ms) q.oldest_joined_ms = joined;
    }
    for (auto& [group, q] : queues) out.queues.push_back(std::move(q));

    out.messages_per_minute = message_rate_.recent(wall_clock_ms(), minutes);
    done(std::move(out));
  });
}

void TenantEngine::stored_records(std::string filter_json, StoreCallback done) {
  // A storage answer the engine drops as it stops still answers the caller (503).
  done = refused_if_dropped(std::move(done), store_);
  auto stopped = refusal(done);
  on_strand_or(std::move(stopped), [this, filter = std::move(filter_json),
                                    done = std::move(done)]() mutable {
    after_records_stored([this, filter = std::move(filter), done = std::move(done)]() mutable {
      store_->list_conversations(std::move(filter), std::move(done));
    });
  });
}

}  // namespace sb::engine
