#include "storage_instance.hpp"

#include "schema.hpp"

namespace sb_sqlite {

StorageInstance::StorageInstance(HostRef host, std::string_view data_dir)
    : host_(host), config_(read_config(host)) {
  path_ = std::string(data_dir);
  if (!path_.empty() && path_.back() != '/') path_ += '/';
  path_ += config_.file;
  // The writer creates and migrates the file; the reader opens it afterwards.
  writer_ = std::make_unique<Writer>(host_, path_, config_);
  reader_ = std::make_unique<Reader>(host_, path_, config_);
  host_.log(SB_LOG_INFO, "opened " + path_ + " (schema version " +
                             std::to_string(latest_schema_version()) + ")");
}

StorageInstance::~StorageInstance() {
  writer_.reset();
  reader_.reset();
}

int32_t StorageInstance::write(WriteOp&& op, sb_error* err) {
  if (writer_->submit(std::move(op))) return SB_PENDING;
  sb_error_set(err, ("storage overloaded: " + std::to_string(config_.max_pending_messages) +
                     " writes are waiting for the disk (max_pending_messages)")
                        .c_str());
  return SB_ERROR;
}

int32_t StorageInstance::read(ReadOp&& op, sb_error* err) {
  if (reader_->submit(std::move(op))) return SB_PENDING;
  sb_error_set(err, ("storage overloaded: " + std::to_string(config_.max_pending_messages) +
                     " reads are waiting (max_pending_messages)")
                        .c_str());
  return SB_ERROR;
}

}  // namespace sb_sqlite
