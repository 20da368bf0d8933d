// One entry of an append-only log in a tenant's storage (ABI 1.4; sb_log_entry in
// sb_plugin.h says the limits): kind and actor are what a listing filters on,
// data_json the entry. The engine's Store writes it; the audit log and the
// unanswered questions make it.
#pragma once

#include <cstdint>
#include <string>

namespace sb::records {

struct LogEntry {
  std::string log;
  std::string kind;
  std::string actor;
  std::string data_json;
  int64_t ts_ms = 0;
};

}  // namespace sb::records
