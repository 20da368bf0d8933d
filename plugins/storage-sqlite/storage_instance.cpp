#include "storage_instance.hpp"

#include <pthread.h>

#include <vector>

#include "schema.hpp"

namespace switchboard::sqlite {

namespace {
// Uploads accepted but not yet on disk. Each holds its bytes (up to the host's
// upload limit), so the bound is a memory bound.
constexpr size_t kMaxPendingBlobWrites = 8;

std::string database_path(std::string_view data_dir, const std::string& file) {
  std::string path(data_dir);
  if (!path.empty() && path.back() != '/') path += '/';
  return path + file;
}
}  // namespace

StorageInstance::StorageInstance(HostRef host, std::string_view data_dir)
    : host_(host),
      config_(read_config(host)),
      path_(database_path(data_dir, config_.file)),
      files_(std::string(data_dir)),
      blob_queue_(kMaxPendingBlobWrites),
      backups_(host_, path_, files_) {
  // The writer creates and migrates the file; the reader opens it afterwards.
  writer_ = std::make_unique<Writer>(host_, path_, config_);
  reader_ = std::make_unique<Reader>(host_, path_, config_);
  sweep_files();
  blob_thread_ = std::thread([this] { run_blob_writes(); });
  host_.log(SB_LOG_INFO, "opened " + path_ + " (schema version " +
                             std::to_string(latest_schema_version()) + ")");
}

StorageInstance::~StorageInstance() {
  // Files still queued reach the writer before it drains.
  blob_queue_.close();
  if (blob_thread_.joinable()) blob_thread_.join();
  writer_.reset();
  reader_.reset();
}

void StorageInstance::sweep_files() {
  Connection db(path_, /*create=*/false);
  Statement has_row(db, "SELECT 1 FROM blobs WHERE id = ?1");
  const size_t removed = files_.sweep(
      [&](const std::string& id) {
        ResetOnExit reset(has_row);
        has_row.bind(1, id);
        return has_row.step() == SQLITE_ROW;
      },
      kSweepMinAge);
  if (removed)
    host_.log(SB_LOG_INFO,
              "removed " + std::to_string(removed) + " file(s) of uploads that never completed");
}

void StorageInstance::run_blob_writes() {
  pthread_setname_np(pthread_self(), "sqlite-blobs");
  std::vector<BlobWrite> batch;
  while (blob_queue_.pop_batch(batch, 1)) {
    BlobWrite& blob = batch.front();
    const std::string why = files_.write_durably(blob.put.id, blob.data);
    blob_queue_.finished(1);
    if (!why.empty()) {
      host_.complete_error(blob.op, "storage: " + why);
      continue;
    }
    const std::filesystem::path file = blob.put.file;
    if (!writer_->submit(WriteOp{std::move(blob.put), blob.op})) {
      BlobFiles::remove(file);
      host_.complete_error(blob.op, "storage overloaded: too many writes are waiting for the disk");
    }
  }
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

int32_t StorageInstance::write_blob(BlobWrite&& blob, sb_error* err) {
  if (blob_queue_.push(std::move(blob))) return SB_PENDING;
  sb_error_set(err, ("storage overloaded: " + std::to_string(kMaxPendingBlobWrites) +
                     " files are waiting to be written")
                        .c_str());
  return SB_ERROR;
}

}  // namespace switchboard::sqlite
