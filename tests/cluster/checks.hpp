// The checker of issue 13's promises, over what PostgreSQL holds after a run and
// what the clients were told during it. Each function returns the problems found
// (empty: the promise held), every one naming the conversation and the seq.
#pragma once

#include <map>
#include <set>
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

// What one client's message frames of one conversation must look like, frame by
// frame (docs/protocol.md): each seq once, in increasing order, with one exception
// the protocol makes. An agent tab says where it was (hello with last_seq L) after
// its welcome, which listed the conversation at last_seq W; what it missed,
// L+1..W, is replayed then, and may come after live frames newer than W that
// reached the tab meanwhile (tests/integration/resume_test.cpp). That catch-up is
// in order again once it is done; a seq at or below L, or any seq twice on one
// connection, is still out of order.
class StreamOrder {
 public:
  // A new connection of the client; nothing of it expected out of order yet.
  void connected();
  // Its hello asked for what came after `asked_after`, and its welcome listed the
  // conversation at `welcome_last_seq`.
  void catching_up(int64_t asked_after, int64_t welcome_last_seq);
  // A message frame with this seq came: "" if the protocol allows it here, else
  // what is wrong ("seq 40 after 44").
  std::string frame(int64_t seq);
  // The client has this seq from elsewhere (an assignment's history).
  void had(int64_t seq) { highest_ = seq > highest_ ? seq : highest_; }
  int64_t highest() const { return highest_; }

 private:
  int64_t highest_ = 0;  // over every connection
  int64_t asked_after_ = 0;
  int64_t catch_up_until_ = 0;  // 0: no catch-up on this connection
  std::set<int64_t> here_;      // seqs this connection brought within the catch-up
};

// "tenant/conversation" -> the highest seq stored.
std::map<std::string, int64_t> last_stored_seqs(const std::vector<StoredMessage>& stored);

// The problems, one a line, at most `limit` of them.
std::string describe(const std::vector<std::string>& problems, size_t limit = 30);

}  // namespace sb::cl
