#include "api/store_wait.hpp"

#include <chrono>
#include <future>
#include <memory>

namespace sb::api {

engine::StoreResult wait_for_store(const std::function<void(engine::StoreCallback)>& call) {
  constexpr auto kStorageWait = std::chrono::seconds(30);
  auto promise = std::make_shared<std::promise<engine::StoreResult>>();
  auto answer = promise->get_future();
  call([promise](engine::StoreResult r) { promise->set_value(std::move(r)); });
  if (answer.wait_for(kStorageWait) != std::future_status::ready)
    return {1, {}, "the storage did not answer in time"};
  return answer.get();
}

}  // namespace sb::api
