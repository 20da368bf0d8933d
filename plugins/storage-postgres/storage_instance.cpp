#include "storage_instance.hpp"

#include "schema.hpp"

namespace switchboard::postgres {

StorageInstance::StorageInstance(HostRef host, std::string_view tenant_id)
    : host_(host), config_(read_config(host)) {
  if (tenant_id.empty() || !storable_text(tenant_id))
    throw std::invalid_argument("storage-postgres: the tenant id is empty or not UTF-8");
  if (config_.read_only) {
    // Another node owns the tenant: read what it wrote, take no lease.
    reader_ = std::make_unique<Reader>(host_, config_, std::string(tenant_id));
    host_.log(SB_LOG_INFO, "connected read-only (node '" + config_.node_id + "', no lease)");
    return;
  }
  // The writer migrates the schema and takes the lease; the reader comes after.
  writer_ = std::make_unique<Writer>(host_, config_, std::string(tenant_id));
  reader_ = std::make_unique<Reader>(host_, config_, std::string(tenant_id));
  host_.log(SB_LOG_INFO, "connected (schema version " + std::to_string(latest_schema_version()) +
                             ", node '" + writer_->lease().node_id + "', lease epoch " +
                             std::to_string(writer_->lease().epoch) + ")");
}

StorageInstance::~StorageInstance() {
  writer_.reset();
  reader_.reset();
}

int32_t StorageInstance::write(WriteOp&& op, sb_error* err) {
  if (!writer_) {
    sb_error_set(err, ("unavailable: this node (" + config_.node_id +
                       ") reads the tenant read-only; another node owns it and writes")
                          .c_str());
    return SB_ERROR;
  }
  if (writer_->submit(std::move(op))) return SB_PENDING;
  sb_error_set(err, ("storage overloaded: " + std::to_string(config_.max_pending_messages) +
                     " writes are waiting for the database (max_pending_messages)")
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

}  // namespace switchboard::postgres
