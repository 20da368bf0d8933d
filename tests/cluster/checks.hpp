// The checker of issue 13's promises, over what PostgreSQL holds after a run and
// what the clients were told during it. Each function returns the problems found
// (empty: the promise held), every one naming the conversation and the seq.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "cluster/cluster.hpp"
#include "cluster/load.hpp"

namespace sb::cl {

// History is whole and exact: per conversation the seqs are 1..N without a gap or
// a repeat; every client_msg_id the load wrote ("ld-...") is stored at most once;
// every acknowledged message is stored exactly once, at the conversation and seq
// its ack named; one sender's messages are stored in the order it sent them.
std::vector<std::string> check_history(const std::vector<StoredMessage>& stored,
                                       const std::vector<Acked>& acked);

// No conversation is assigned to two agents, and no agent holds more open
// conversations than its max_concurrent (from the conversations table).
std::vector<std::string> check_assignments(const std::vector<it::TenantSpec>& tenants,
                                           const std::vector<StoredConversation>& stored,
                                           const std::vector<Assignment>& assignments);

// "tenant/conversation" -> the highest seq stored.
std::map<std::string, int64_t> last_stored_seqs(const std::vector<StoredMessage>& stored);

// The problems, one a line, at most `limit` of them.
std::string describe(const std::vector<std::string>& problems, size_t limit = 30);

}  // namespace sb::cl
