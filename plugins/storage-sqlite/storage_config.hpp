// The [plugins.storage-sqlite] keys of one tenant, read through host->config_get
// and checked once in instance_new.
#pragma once

#include <cstddef>
#include <string>

#include "host_ref.hpp"

namespace switchboard::sqlite {

struct StorageConfig {
  // The database file, a plain file name inside the instance's data_dir. A path
  // leaving data_dir (absolute, "..", sub-directories) is refused so that one
  // tenant can never point at another tenant's file.
  std::string file = "switchboard.db";
  // Most write operations one transaction (one fsync) carries.
  size_t max_batch_messages = 2048;
  // Group commit delay: while writes keep coming (the last transaction carried
  // more than one), the writer waits up to this long after taking a batch for more
  // writes to join it before it commits. Fewer, larger transactions: less fsync,
  // WAL and lock work per write, for at most this much more latency. 0 = off.
  int commit_delay_us = 500;
  // The writer connection's page cache. A message insert touches its
  // conversation's leaf of the (conversation_id, seq) index; with a cache smaller
  // than the leaves of the conversations in flight, every insert reads its leaf
  // back from the file (or the WAL) first.
  int cache_mib = 16;
  // New WAL pages after which the checkpointer copies them into the database file
  // (checkpointer.hpp). Larger: a page written by many commits is copied once, for
  // a larger WAL file (at most about 4 times this many pages).
  int checkpoint_pages = 1000;
  // Writes accepted but not yet committed (and, separately, reads not yet
  // answered); past it a call fails at once with "storage overloaded".
  size_t max_pending_messages = 100000;
  // How long a connection waits for a lock held by another connection of the
  // same file (e.g. the old instance during a tenant reload).
  int busy_timeout_ms = 5000;
  // Writes are made durable in an append-only log (durable_log.hpp) and acknowledged
  // from there; SQLite gets them later in large transactions. Off: each batch is
  // one SQLite transaction with its fsync. On by default since the quiet A/B of
  // tests/bench/RESULTS.md, "The quiet rerun asked for": less CPU per message and an ack
  // median 5-10 times lower at 10,000 msgs/s.
  bool durable_log = true;
  // How long logged writes may wait before the applier thread puts them into SQLite
  // in one transaction (a read, a backup or a write that needs the database has
  // them applied at once). Longer: more messages per conversation share a page
  // write, for a longer transaction on the applier.
  int durable_log_apply_ms = 1000;
};

// The keys declared in the descriptor; the host rejects any other.
extern const sb_config_key kConfigKeys[];
extern const size_t kConfigKeyCount;

// Reads and validates the config. Throws std::invalid_argument naming the key.
StorageConfig read_config(const HostRef& host);

}  // namespace switchboard::sqlite
