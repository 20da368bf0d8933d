// A storage call made from the REST handlers' blocking pool, waited for there: the
// handlers that must read, check and write with nothing in between (a routing save,
// a canned reply's version, an unanswered question's decision) run on the pool's one
// thread and wait for each answer. Never call it on the tenant's strand or a loop.
#pragma once

#include <functional>

#include "engine/ports.hpp"

namespace sb::api {

// Makes the call and waits for its answer; a storage that does not answer within
// 30 s (its host times a call out on its own, so this bounds a wait that should
// never come to it) is an error result.
engine::StoreResult wait_for_store(const std::function<void(engine::StoreCallback)>& call);

}  // namespace sb::api
