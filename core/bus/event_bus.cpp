#include "bus/event_bus.hpp"

#include <algorithm>

namespace sb::bus {

EventBus::SubscriptionId EventBus::subscribe(Subscriber subscriber) {
  const SubscriptionId id = next_id_++;
  subscribers_.push_back(Entry{id, std::move(subscriber)});
  return id;
}

void EventBus::unsubscribe(SubscriptionId id) {
  std::erase_if(subscribers_, [id](const Entry& e) { return e.id == id; });
}

void EventBus::publish(const Event& event) const {
  for (const auto& entry : subscribers_) entry.fn(event);
}

}  // namespace sb::bus
