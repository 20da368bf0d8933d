// The routing graph's saved versions (who saved, when, the graph), for the admin
// editor's history and restore.
//
// Kept in the tenant's storage, in the append-only log "routing.versions" (ABI 1.4):
// every save is kept, the newest 50 are listed. A tenant whose storage plugin has no
// logs keeps them as before in a hidden file beside its tenant file
// (.ID.routing-versions.jsonl, the last 50). Such a file left by an older server is
// imported into the log once, oldest first, and then renamed to
// .ID.routing-versions.jsonl.imported (kept, not deleted).
//
// Every function here blocks on file I/O and on the storage's answer: call them
// from the blocking pool, whose one thread also keeps two saves from interleaving.
#pragma once

#include <boost/json/object.hpp>
#include <filesystem>
#include <map>
#include <optional>
#include <string>

#include "engine/ports.hpp"
#include "hub/http_types.hpp"
#include "routing_graph/graph.hpp"

namespace sb::api {

// A graph's version: a hash of its exact JSON form, quoted as an ETag.
std::string graph_etag(const routing_graph::Graph& graph);

class RoutingVersions {
 public:
  RoutingVersions(engine::Store& store, std::filesystem::path tenant_file);

  // Records graph as saved by `by` ({"id","name"}); first `before` (what the file
  // had) when the newest version kept is not it: a hand edit, or the graph as it was
  // before any save. Returns the seq of an earlier version that had exactly this
  // graph (a restore), if one of the listed ones did. A failure is logged: the save
  // itself stands.
  std::optional<int64_t> keep(const routing_graph::Graph* before, const routing_graph::Graph& graph,
                              const boost::json::object& by);

  // GET …/routing/versions: {"versions":[{"seq","at","by","etag","rules"}]} newest
  // first; with ?seq=N that version with its "graph", or 404.
  hub::HttpResponse answer(const std::map<std::string, std::string>& query);

 private:
  // The newest versions kept (at most `limit`), newest first, with their graphs;
  // nullopt when the storage has no logs; an error response when it failed.
  struct Listed {
    bool supported = true;
    std::string error;
    std::vector<boost::json::object> versions;
  };
  Listed list_log(std::optional<int64_t> seq);
  bool append(const boost::json::object& version, std::string& why);
  // Moves a legacy versions file into the log once (see the top of this file).
  void import_file();

  engine::Store& store_;
  std::filesystem::path tenant_file_;
  std::filesystem::path legacy_file_;
};

}  // namespace sb::api
