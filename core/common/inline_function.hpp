// A callable like std::function, with room inside itself for a callable of up to
// Bytes (std::function keeps only 16 bytes of trivially copyable state inline, so a
// lambda holding a shared_ptr and an id, or another callback, costs it an
// allocation). A callable that does not fit, or whose move may throw, goes on the
// heap as with std::function. Copyable when its callable is, and moved without
// allocating. The storage callbacks use it (engine::StoreCallback,
// plugin_host::Callback): a message's write answer crosses the engine, the store
// adapter and the plugin host without an allocation per layer (RESULTS.md, the
// twenty-second pass).
#pragma once

#include <cstddef>
#include <functional>
#include <new>
#include <type_traits>
#include <utility>

namespace sb {

namespace inline_function_detail {
template <class T>
struct is_std_function : std::false_type {};
template <class S>
struct is_std_function<std::function<S>> : std::true_type {};
}  // namespace inline_function_detail

template <class Signature, std::size_t Bytes>
class InlineFunction;

template <class R, class... Args, std::size_t Bytes>
class InlineFunction<R(Args...), Bytes> {
 public:
  // Whether a callable of type F is kept inside, without an allocation.
  template <class F>
  static constexpr bool kept_inline =
      sizeof(F) <= Bytes && alignof(F) <= alignof(void*) && std::is_nothrow_move_constructible_v<F>;

  InlineFunction() noexcept = default;
  InlineFunction(std::nullptr_t) noexcept {}  // NOLINT(google-explicit-constructor)

  template <class F, class D = std::decay_t<F>,
            class = std::enable_if_t<!std::is_same_v<D, InlineFunction> &&
                                     std::is_invocable_r_v<R, D&, Args...>>>
  InlineFunction(F&& f) {  // NOLINT(google-explicit-constructor): as std::function
    if constexpr (std::is_pointer_v<D> || std::is_member_pointer_v<D> ||
                  inline_function_detail::is_std_function<D>::value) {
      // An empty std::function or a null pointer makes an empty one, as with
      // std::function.
      if (!static_cast<bool>(f)) return;
    }
    if constexpr (kept_inline<D>) {
      ::new (static_cast<void*>(storage_)) D(std::forward<F>(f));
      ops_ = &inline_ops<D>;
    } else {
      ::new (static_cast<void*>(storage_)) D*(new D(std::forward<F>(f)));
      ops_ = &heap_ops<D>;
    }
  }

  InlineFunction(const InlineFunction& other) : ops_(nullptr) {
    if (other.ops_) other.ops_->copy(other.storage_, storage_);
    ops_ = other.ops_;
  }
  InlineFunction(InlineFunction&& other) noexcept : ops_(other.ops_) {
    if (ops_) ops_->move(other.storage_, storage_);
    other.ops_ = nullptr;
  }
  InlineFunction& operator=(const InlineFunction& other) {
    if (this != &other) *this = InlineFunction(other);
    return *this;
  }
  InlineFunction& operator=(InlineFunction&& other) noexcept {
    if (this == &other) return *this;
    reset();
    if (other.ops_) other.ops_->move(other.storage_, storage_);
    ops_ = other.ops_;
    other.ops_ = nullptr;
    return *this;
  }
  InlineFunction& operator=(std::nullptr_t) noexcept {
    reset();
    return *this;
  }
  template <class F, class D = std::decay_t<F>,
            class = std::enable_if_t<!std::is_same_v<D, InlineFunction> &&
                                     std::is_invocable_r_v<R, D&, Args...>>>
  InlineFunction& operator=(F&& f) {
    return *this = InlineFunction(std::forward<F>(f));
  }
  ~InlineFunction() { reset(); }

  explicit operator bool() const noexcept { return ops_ != nullptr; }
  friend bool operator==(const InlineFunction& f, std::nullptr_t) noexcept { return !f; }

  // Const as std::function's is: the callable itself may change (a mutable lambda).
  R operator()(Args... args) const {
    if (!ops_) throw std::bad_function_call();
    return ops_->call(storage_, std::forward<Args>(args)...);
  }

 private:
  struct Ops {
    R (*call)(void* self, Args&&... args);
    void (*copy)(const void* from, void* to);
    void (*move)(void* from, void* to) noexcept;  // and destroys `from`
    void (*destroy)(void* self) noexcept;
  };

  template <class D>
  static constexpr Ops inline_ops{
      [](void* self, Args&&... args) -> R {
        return std::invoke(*static_cast<D*>(self), std::forward<Args>(args)...);
      },
      [](const void* from, void* to) { ::new (to) D(*static_cast<const D*>(from)); },
      [](void* from, void* to) noexcept {
        ::new (to) D(std::move(*static_cast<D*>(from)));
        static_cast<D*>(from)->~D();
      },
      [](void* self) noexcept { static_cast<D*>(self)->~D(); }};

  template <class D>
  static constexpr Ops heap_ops{
      [](void* self, Args&&... args) -> R {
        return std::invoke(**static_cast<D**>(self), std::forward<Args>(args)...);
      },
      [](const void* from, void* to) { ::new (to) D*(new D(**static_cast<D* const*>(from))); },
      [](void* from, void* to) noexcept { ::new (to) D*(*static_cast<D**>(from)); },
      [](void* self) noexcept { delete *static_cast<D**>(self); }};

  void reset() noexcept {
    if (ops_) ops_->destroy(storage_);
    ops_ = nullptr;
  }

  alignas(void*) mutable unsigned char storage_[Bytes < sizeof(void*) ? sizeof(void*) : Bytes];
  const Ops* ops_ = nullptr;
};

}  // namespace sb
