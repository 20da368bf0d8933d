#include "durable_log.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include <boost/crc.hpp>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <map>
#include <stdexcept>
#include <utility>

namespace switchboard::sqlite {

namespace {

constexpr size_t kHeaderBytes = 16;  // length, crc, batch
// A record longer than this is taken for garbage (a batch is at most
// max_batch_messages writes of host-limited size).
constexpr uint32_t kMaxPayloadBytes = 1u << 30;

std::string errno_text(const char* what, const std::string& path) {
  return std::string(what) + " " + path + ": " + std::strerror(errno);
}

void put_u32(char* out, uint32_t v) {
  for (int i = 0; i < 4; ++i) out[i] = static_cast<char>((v >> (8 * i)) & 0xff);
}
void put_u64(char* out, uint64_t v) {
  for (int i = 0; i < 8; ++i) out[i] = static_cast<char>((v >> (8 * i)) & 0xff);
}
uint32_t get_u32(const char* in) {
  uint32_t v = 0;
  for (int i = 3; i >= 0; --i) v = (v << 8) | static_cast<unsigned char>(in[i]);
  return v;
}
uint64_t get_u64(const char* in) {
  uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | static_cast<unsigned char>(in[i]);
  return v;
}

// CRC-32C (Castagnoli's polynomial, as in iSCSI and ext4's metadata), reflected,
// with the usual pre- and post-inversion: "123456789" gives e3069283.
using Crc32c = boost::crc_optimal<32, 0x1EDC6F41, 0xFFFFFFFF, 0xFFFFFFFF, true, true>;

uint32_t record_crc(uint64_t batch, std::string_view payload) {
  char b[8];
  put_u64(b, batch);
  Crc32c crc;
  crc.process_bytes(b, sizeof b);
  crc.process_bytes(payload.data(), payload.size());
  return crc.checksum();
}

bool sync_directory_of(const std::string& path) {
  const std::string dir = std::filesystem::path(path).parent_path().string();
  const int fd = ::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return false;
  const bool ok = ::fsync(fd) == 0;
  ::close(fd);
  return ok;
}

std::string log_prefix(const std::string& database) {
  return std::filesystem::path(database).filename().string() + "-dlog-";
}

// ---- payload encoding ----

enum Tag : uint8_t { kAppendMessage = 1, kPutConversation = 2, kSetRead = 3, kKvPut = 4 };

void put_int(std::string& out, int64_t v) {
  char b[8];
  put_u64(b, static_cast<uint64_t>(v));
  out.append(b, 8);
}
void put_str(std::string& out, std::string_view s) {
  char b[4];
  put_u32(b, static_cast<uint32_t>(s.size()));
  out.append(b, 4);
  out.append(s);
}
template <class T>
void put_opt(std::string& out, const std::optional<T>& v) {
  out.push_back(v ? 1 : 0);
  if (!v) return;
  if constexpr (std::is_same_v<T, std::string>) {
    put_str(out, *v);
  } else {
    put_int(out, *v);
  }
}

struct Cursor {
  std::string_view in;
  bool ok = true;

  bool take(size_t n, const char*& at) {
    if (!ok || in.size() < n) return ok = false;
    at = in.data();
    in.remove_prefix(n);
    return true;
  }
  int64_t num() {
    const char* at = nullptr;
    return take(8, at) ? static_cast<int64_t>(get_u64(at)) : 0;
  }
  // A field of the payload, valid while the payload is.
  std::string_view view() {
    const char* at = nullptr;
    if (!take(4, at)) return {};
    const uint32_t n = get_u32(at);
    if (!take(n, at)) return {};
    return std::string_view(at, n);
  }
  std::string str() { return std::string(view()); }
  uint8_t byte() {
    const char* at = nullptr;
    return take(1, at) ? static_cast<uint8_t>(*at) : 0;
  }
  std::optional<std::string> opt_str() {
    if (byte() == 0) return std::nullopt;
    return str();
  }
  std::optional<int64_t> opt_num() {
    if (byte() == 0) return std::nullopt;
    return num();
  }
};

std::mutex registry_mutex;
std::multimap<std::string, std::shared_ptr<ApplyProgress>> registry;

}  // namespace

// ---- the file ----

DurableLog::DurableLog(int fd, std::string path, uint64_t size)
    : fd_(fd),
      path_(std::move(path)),
      name_(std::filesystem::path(path_).filename().string()),
      size_(size) {}

DurableLog::~DurableLog() {
  if (fd_ >= 0) ::close(fd_);
}

std::unique_ptr<DurableLog> DurableLog::create(const std::string& database) {
  const auto nanos = std::chrono::duration_cast<std::chrono::nanoseconds>(
                         std::chrono::system_clock::now().time_since_epoch())
                         .count();
  const std::string path =
      (std::filesystem::path(database).parent_path() /
       (log_prefix(database) + std::to_string(::getpid()) + "-" + std::to_string(nanos)))
          .string();
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_EXCL | O_APPEND | O_CLOEXEC, 0600);
  if (fd < 0) throw std::runtime_error("storage-sqlite: " + errno_text("cannot create", path));
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0 || !sync_directory_of(path)) {
    const std::string why = errno_text("cannot lock or sync", path);
    ::close(fd);
    ::unlink(path.c_str());
    throw std::runtime_error("storage-sqlite: " + why);
  }
  return std::unique_ptr<DurableLog>(new DurableLog(fd, path, 0));
}

std::unique_ptr<DurableLog> DurableLog::adopt(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDWR | O_APPEND | O_CLOEXEC);
  if (fd < 0) return nullptr;
  struct stat held {};
  struct stat named {};
  // Locked: its writer lives. Gone or replaced since the open: another instance
  // applied and removed it first.
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0 || ::fstat(fd, &held) != 0 ||
      ::stat(path.c_str(), &named) != 0 || held.st_ino != named.st_ino ||
      held.st_dev != named.st_dev) {
    ::close(fd);
    return nullptr;
  }
  return std::unique_ptr<DurableLog>(new DurableLog(fd, path, static_cast<uint64_t>(held.st_size)));
}

std::vector<std::string> DurableLog::list(const std::string& database) {
  std::vector<std::string> out;
  const std::filesystem::path dir = std::filesystem::path(database).parent_path();
  const std::string prefix = log_prefix(database);
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir.empty() ? "." : dir, ec)) {
    const std::string name = entry.path().filename().string();
    if (name.compare(0, prefix.size(), prefix) == 0) out.push_back(entry.path().string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<LogRecord> DurableLog::recover(uint64_t& dropped_bytes, std::string& error) {
  std::vector<LogRecord> records;
  std::string content(size_, '\0');
  size_t got = 0;
  while (got < content.size()) {
    const ssize_t n =
        ::pread(fd_, content.data() + got, content.size() - got, static_cast<off_t>(got));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      error = errno_text("cannot read", path_);
      return {};
    }
    got += static_cast<size_t>(n);
  }
  size_t at = 0;
  while (content.size() - at >= kHeaderBytes) {
    const uint32_t length = get_u32(content.data() + at);
    const uint32_t crc = get_u32(content.data() + at + 4);
    const uint64_t batch = get_u64(content.data() + at + 8);
    if (length > kMaxPayloadBytes || content.size() - at - kHeaderBytes < length) break;
    const std::string_view payload(content.data() + at + kHeaderBytes, length);
    if (record_crc(batch, payload) != crc) break;
    records.push_back({batch, std::string(payload)});
    at += kHeaderBytes + length;
  }
  dropped_bytes = content.size() - at;
  if (dropped_bytes > 0) {
    if (::ftruncate(fd_, static_cast<off_t>(at)) != 0 || ::fdatasync(fd_) != 0) {
      error = errno_text("cannot cut the torn tail of", path_);
      return {};
    }
    size_ = at;
  }
  return records;
}

std::string DurableLog::append(uint64_t batch, std::string_view payload) {
  char header[kHeaderBytes];
  put_u32(header, static_cast<uint32_t>(payload.size()));
  put_u32(header + 4, record_crc(batch, payload));
  put_u64(header + 8, batch);
  iovec parts[2] = {{header, kHeaderBytes}, {const_cast<char*>(payload.data()), payload.size()}};
  const size_t total = kHeaderBytes + payload.size();
  std::string why;
  const ssize_t n = ::writev(fd_, parts, 2);
  if (n != static_cast<ssize_t>(total)) {
    why = n < 0 ? errno_text("cannot write", path_) : "short write to " + path_;
  } else if (::fdatasync(fd_) != 0) {
    why = errno_text("cannot fdatasync", path_);
    // After a failed fdatasync the kernel may have dropped the error with the
    // pages: whether this record (or the cut below) reaches the disk is unknown,
    // so the file takes no more records.
    broken_ = true;
  }
  if (why.empty()) {
    size_ += total;
    return {};
  }
  // Whatever of the record reached the file goes again, so the next record follows
  // the last whole one; if even that fails, the writer stops using this log.
  if (::ftruncate(fd_, static_cast<off_t>(size_)) != 0 || ::fdatasync(fd_) != 0) broken_ = true;
  return why;
}

std::string DurableLog::truncate() {
  if (::ftruncate(fd_, 0) != 0 || ::fdatasync(fd_) != 0) {
    broken_ = true;
    return errno_text("cannot empty", path_);
  }
  size_ = 0;
  return {};
}

std::string DurableLog::remove() {
  if (::unlink(path_.c_str()) != 0) return errno_text("cannot remove", path_);
  if (!sync_directory_of(path_)) return errno_text("cannot sync the directory of", path_);
  return {};
}

// ---- payloads ----

bool is_loggable(const WriteOp& op) {
  return std::holds_alternative<AppendMessage>(op.command) ||
         std::holds_alternative<PutConversation>(op.command) ||
         std::holds_alternative<SetRead>(op.command) || std::holds_alternative<KvPut>(op.command);
}

void encode_op(const WriteOp& op, std::string& out) {
  if (const auto* m = std::get_if<AppendMessage>(&op.command)) {
    out.push_back(static_cast<char>(kAppendMessage));
    put_str(out, m->conversation_id());
    put_str(out, m->message_id());
    put_int(out, m->seq);
    put_str(out, m->sender_role());
    put_str(out, m->sender_id());
    put_str(out, m->sender_name());
    put_str(out, m->client_msg_id());
    put_str(out, m->text());
    put_int(out, m->ts_ms);
    put_int(out, m->flags);
    put_str(out, m->attachments());
  } else if (const auto* c = std::get_if<PutConversation>(&op.command)) {
    out.push_back(static_cast<char>(kPutConversation));
    put_str(out, c->id);
    put_str(out, c->status);
    put_opt(out, c->visitor_id);
    put_opt(out, c->assignee);
    put_opt(out, c->group);
    put_opt(out, c->created_ms);
    put_int(out, static_cast<int64_t>(c->tags.size()));
    for (const auto& tag : c->tags) put_str(out, tag);
    put_int(out, c->updated_ms);
    put_str(out, c->doc);
  } else if (const auto* r = std::get_if<SetRead>(&op.command)) {
    out.push_back(static_cast<char>(kSetRead));
    put_str(out, r->conversation_id);
    put_str(out, r->participant_id);
    put_int(out, r->seq);
  } else if (const auto* kv = std::get_if<KvPut>(&op.command)) {
    out.push_back(static_cast<char>(kKvPut));
    put_str(out, kv->ns);
    put_str(out, kv->key);
    put_str(out, kv->value);
  }
}

bool decode_ops(std::string_view payload, std::vector<WriteOp>& out) {
  Cursor in{payload};
  while (in.ok && !in.in.empty()) {
    switch (in.byte()) {
      case kAppendMessage: {
        // Views into the payload first, then one copy of them all.
        AppendMessage m;
        MessageFields::Views fields;
        fields[MessageFields::kConversationId] = in.view();
        fields[MessageFields::kMessageId] = in.view();
        m.seq = in.num();
        fields[MessageFields::kSenderRole] = in.view();
        fields[MessageFields::kSenderId] = in.view();
        fields[MessageFields::kSenderName] = in.view();
        fields[MessageFields::kClientMsgId] = in.view();
        fields[MessageFields::kText] = in.view();
        m.ts_ms = in.num();
        m.flags = in.num();
        fields[MessageFields::kAttachments] = in.view();
        m.fields.assign(fields);
        out.push_back(WriteOp{std::move(m), nullptr});
        break;
      }
      case kPutConversation: {
        PutConversation c;
        c.id = in.str();
        c.status = in.str();
        c.visitor_id = in.opt_str();
        c.assignee = in.opt_str();
        c.group = in.opt_str();
        c.created_ms = in.opt_num();
        const int64_t tags = in.num();
        for (int64_t i = 0; in.ok && i < tags; ++i) c.tags.push_back(in.str());
        c.updated_ms = in.num();
        c.doc = in.str();
        out.push_back(WriteOp{std::move(c), nullptr});
        break;
      }
      case kSetRead: {
        SetRead r;
        r.conversation_id = in.str();
        r.participant_id = in.str();
        r.seq = in.num();
        out.push_back(WriteOp{std::move(r), nullptr});
        break;
      }
      case kKvPut: {
        KvPut kv;
        kv.ns = in.str();
        kv.key = in.str();
        kv.value = in.str();
        out.push_back(WriteOp{std::move(kv), nullptr});
        break;
      }
      default:
        return false;
    }
  }
  return in.ok;
}

// ---- progress ----

void ApplyProgress::add_applied(uint64_t ops) {
  {
    std::lock_guard lock(mutex_);
    applied_ += ops;
  }
  changed_.notify_all();
}

void ApplyProgress::close() {
  {
    std::lock_guard lock(mutex_);
    closed_ = true;
    wake_writer_ = nullptr;
  }
  changed_.notify_all();
}

bool ApplyProgress::wait_applied(uint64_t target, std::chrono::steady_clock::time_point deadline) {
  std::unique_lock lock(mutex_);
  if (closed_ || applied_ >= target) return true;
  wanted_.store(true, std::memory_order_release);
  if (wake_writer_) wake_writer_();
  return changed_.wait_until(lock, deadline, [&] { return closed_ || applied_ >= target; });
}

void register_progress(const std::string& database, const std::shared_ptr<ApplyProgress>& p) {
  std::lock_guard lock(registry_mutex);
  registry.emplace(database, p);
}

void unregister_progress(const std::string& database, const ApplyProgress* p) {
  std::lock_guard lock(registry_mutex);
  auto [first, last] = registry.equal_range(database);
  for (auto it = first; it != last; ++it) {
    if (it->second.get() == p) {
      registry.erase(it);
      return;
    }
  }
}

bool wait_until_applied(const std::string& database, std::chrono::milliseconds timeout) {
  std::vector<std::pair<std::shared_ptr<ApplyProgress>, uint64_t>> targets;
  {
    std::lock_guard lock(registry_mutex);
    auto [first, last] = registry.equal_range(database);
    for (auto it = first; it != last; ++it) targets.emplace_back(it->second, it->second->logged());
  }
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (auto& [progress, target] : targets) {
    if (!progress->wait_applied(target, deadline)) return false;
  }
  return true;
}

}  // namespace switchboard::sqlite
