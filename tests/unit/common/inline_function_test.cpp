// sb::InlineFunction: a callable kept inside when it fits, on the heap otherwise,
// and the storage callbacks built on it (engine::StoreCallback inside
// plugin_host::Callback) nesting without an allocation.
#include "common/inline_function.hpp"

#include <catch2/catch.hpp>
#include <functional>
#include <memory>
#include <string>

#include "support/counting_new.hpp"

namespace {
struct Result {
  int status = 0;
  std::string body;
};
using Small = sb::InlineFunction<void(Result), 48>;
using Outer = sb::InlineFunction<void(Result), 64>;

// Counts its live copies, to see each is destroyed once.
struct Tracked {
  std::shared_ptr<int> alive = std::make_shared<int>(0);
  Tracked() { ++*alive; }
  Tracked(const Tracked& other) : alive(other.alive) { ++*alive; }
  Tracked(Tracked&& other) noexcept : alive(other.alive) { ++*alive; }
  ~Tracked() { --*alive; }
};
}  // namespace

TEST_CASE("an inline function keeps a callable of its size without allocating",
          "[inline_function][allocations]") {
  auto owner = std::make_shared<int>(7);
  std::string seen;
  // 40 bytes: a shared_ptr, a pointer and a number, as the engine's write answer.
  auto fits = [owner, out = &seen, n = uint64_t{3}](Result r) {
    *out = r.body + std::to_string(n);
  };
  static_assert(Small::kept_inline<decltype(fits)>);
  Small f;
  CHECK(sb::test::count_news([&] { f = fits; }) == 0);
  CHECK(sb::test::count_news([&] {
          Small moved = std::move(f);
          Small copied = moved;
          copied(Result{0, "x"});
          f = std::move(copied);
        }) == 0);
  CHECK(seen == "x3");
  CHECK(f);

  // One inside another (the store adapter's answer inside the plugin host's): none.
  auto outer = [inner = std::move(f)](Result r) { inner(std::move(r)); };
  static_assert(Outer::kept_inline<decltype(outer)>);
  CHECK(sb::test::count_news([&] {
          Outer o = std::move(outer);
          o(Result{0, "y"});
        }) == 0);
  CHECK(seen == "y3");
}

TEST_CASE("an inline function puts a larger callable on the heap and owns it",
          "[inline_function][allocations]") {
  const std::string big(100, 'b');
  Tracked tracked;
  std::string seen;
  auto large = [big, tracked, out = &seen, pad = std::string(40, 'p')](Result) { *out = big; };
  static_assert(!Small::kept_inline<decltype(large)>);
  {
    Small f;
    // The callable itself (and its two strings past the inline buffer of 15).
    CHECK(sb::test::count_news([&] { f = large; }) == 3);
    CHECK(*tracked.alive == 3);  // tracked, large's copy, f's
    Small moved = std::move(f);
    CHECK(!f);  // NOLINT(bugprone-use-after-move): moved from is empty, as documented
    Small copied = moved;
    CHECK(*tracked.alive == 4);
    copied(Result{});
    CHECK(seen == big);
  }
  CHECK(*tracked.alive == 2);  // every copy the functions held was destroyed once
}

TEST_CASE("an inline function is empty as std::function is", "[inline_function]") {
  Small none;
  CHECK(!none);
  CHECK(none == nullptr);
  CHECK_THROWS_AS(none(Result{}), std::bad_function_call);
  const std::function<void(Result)> empty;
  Small from_empty = empty;  // an empty std::function makes an empty one
  CHECK(!from_empty);
  void (*null_pointer)(Result) = nullptr;
  Small from_null = null_pointer;
  CHECK(!from_null);
  int calls = 0;
  Small f = [&calls](Result) { ++calls; };
  f = nullptr;
  CHECK(!f);
  f = [&calls](Result) { ++calls; };
  f(Result{});
  f = f;  // self-assignment keeps it
  f(Result{});
  CHECK(calls == 2);
  // A mutable callable keeps its state across calls (operator() is const, as
  // std::function's).
  const Small counter = [n = 0, &calls](Result) mutable { calls = ++n; };
  counter(Result{});
  counter(Result{});
  CHECK(calls == 2);
}
