// A message's text fields in one owned buffer: the append_message hook (on the
// server's loop thread) and the durable log's decoding (on the applier) copy a
// message's eight strings with one allocation, not one per field past the
// string's 15-byte inline buffer. The fields are read back as views into the
// buffer; offsets, not pointers, so moving or copying the whole keeps them valid.
#pragma once

#include <array>
#include <cstdint>
#include <cstring>
#include <limits>
#include <stdexcept>
#include <string>
#include <string_view>

namespace switchboard::sqlite {

class MessageFields {
 public:
  enum Field : uint8_t {
    kConversationId,
    kMessageId,
    kSenderRole,
    kSenderId,
    kSenderName,
    kClientMsgId,
    kText,
    kAttachments,
    kFieldCount
  };
  using Views = std::array<std::string_view, kFieldCount>;

  MessageFields() = default;
  explicit MessageFields(const Views& fields) { assign(fields); }

  // Copies every field into the buffer, sized once for all of them.
  void assign(const Views& fields) {
    size_t total = 0;
    for (std::string_view f : fields) total += f.size();
    if (total > std::numeric_limits<uint32_t>::max())
      throw std::length_error("a message's fields exceed 4 GiB");
    buffer_.clear();
    buffer_.reserve(total);
    for (size_t i = 0; i < kFieldCount; ++i) {
      buffer_.append(fields[i]);
      ends_[i] = static_cast<uint32_t>(buffer_.size());
    }
  }

  std::string_view get(Field f) const {
    const uint32_t begin = f == 0 ? 0 : ends_[f - 1];
    return std::string_view(buffer_).substr(begin, ends_[f] - begin);
  }

  // The bytes of all fields together (what the message costs to hold).
  size_t size() const { return buffer_.size(); }

 private:
  std::string buffer_;
  std::array<uint32_t, kFieldCount> ends_{};
};

}  // namespace switchboard::sqlite
