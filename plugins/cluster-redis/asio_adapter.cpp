#include "asio_adapter.hpp"

#include <boost/asio/posix/stream_descriptor.hpp>
#include <memory>

namespace switchboard::redis {

namespace {

namespace asio = boost::asio;

// One per context. Kept alive by hiredis (ev.data holds a shared_ptr on the heap)
// and by every wait in flight, so a wait that completes after hiredis cleaned up
// finds the object still there, sees context == nullptr and does nothing.
class Events : public std::enable_shared_from_this<Events> {
 public:
  Events(redisAsyncContext* ac, asio::io_context& io) : context_(ac), socket_(io, ac->c.fd) {}

  static void add_read(void* data) { self(data)->want(true); }
  static void del_read(void* data) { self(data)->want_read_ = false; }
  static void add_write(void* data) { self(data)->want(false); }
  static void del_write(void* data) { self(data)->want_write_ = false; }
  static void cleanup(void* data) {
    auto* holder = static_cast<std::shared_ptr<Events>*>(data);
    Events& events = **holder;
    events.context_ = nullptr;
    events.want_read_ = events.want_write_ = false;
    // hiredis closes the socket itself after this hook: give the descriptor back
    // (waits in flight end with operation_aborted).
    events.socket_.release();
    delete holder;
  }

 private:
  static Events* self(void* data) { return static_cast<std::shared_ptr<Events>*>(data)->get(); }

  void want(bool read) {
    (read ? want_read_ : want_write_) = true;
    arm(read);
  }

  // Idempotent, as hiredis asks of its hooks: one wait per direction at a time.
  void arm(bool read) {
    bool& waiting = read ? reading_ : writing_;
    if (waiting || !context_) return;
    waiting = true;
    socket_.async_wait(read ? asio::posix::stream_descriptor::wait_read
                            : asio::posix::stream_descriptor::wait_write,
                       [self = shared_from_this(), read](const boost::system::error_code& ec) {
                         (read ? self->reading_ : self->writing_) = false;
                         if (ec || !self->context_) return;
                         const bool& wanted = read ? self->want_read_ : self->want_write_;
                         if (!wanted) return;  // hiredis lost interest while we waited
                         if (read) {
                           redisAsyncHandleRead(self->context_);
                         } else {
                           redisAsyncHandleWrite(self->context_);
                         }
                         // The handler may have freed the context (cleanup ran): then nothing more.
                         if (self->context_ && (read ? self->want_read_ : self->want_write_))
                           self->arm(read);
                       });
  }

  redisAsyncContext* context_;
  asio::posix::stream_descriptor socket_;
  bool want_read_ = false;
  bool want_write_ = false;
  bool reading_ = false;
  bool writing_ = false;
};

}  // namespace

bool attach_asio(redisAsyncContext* ac, asio::io_context& io) {
  if (ac->ev.data != nullptr) return false;
  auto events = std::make_shared<Events>(ac, io);
  ac->ev.data = new std::shared_ptr<Events>(events);
  ac->ev.addRead = &Events::add_read;
  ac->ev.delRead = &Events::del_read;
  ac->ev.addWrite = &Events::add_write;
  ac->ev.delWrite = &Events::del_write;
  ac->ev.cleanup = &Events::cleanup;
  // A non-blocking connect completes when the socket becomes writable; replies
  // are read from then on. hiredis 0.14 asks for neither by itself here.
  Events::add_read(ac->ev.data);
  Events::add_write(ac->ev.data);
  return true;
}

}  // namespace switchboard::redis
