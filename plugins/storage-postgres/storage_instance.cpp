#include "storage_instance.hpp"

#include "schema.hpp"

namespace sb_postgres {

StorageInstance::StorageInstance(HostRef host, std::string_view tenant_id)
    : host_(host), config_(read_config(host)) {
  if (tenant_id.empty() || !storable_text(tenant_id))
    throw std::invalid_argument("storage-postgres: the tenant id is empty or not UTF-8");
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

}  // namespace sb_postgres
