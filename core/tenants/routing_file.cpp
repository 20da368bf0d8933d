#include "tenants/routing_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <toml++/toml.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <random>
#include <set>
#include <vector>

#include "tenants/tenant_text.hpp"

namespace sb::tenants {

namespace {

struct HeaderLines {
  std::set<uint32_t> graph_headers;  // [[routing.rules]], [routing.fallback], their sub-tables
  std::set<uint32_t> other_headers;  // every other table header
  std::vector<std::pair<uint32_t, uint32_t>> inline_graph;  // rules = [...] etc.: first, last
};

bool is_graph_key(const std::string& parent, std::string_view key) {
  return parent == "routing" && (key == "rules" || key == "fallback");
}

// Records where tables are declared ([a] / [[a]]) and where inline graph values are.
void scan(const toml::table& table, const std::string& path, bool in_graph, HeaderLines& lines) {
  if (!path.empty() && !table.is_inline())
    (in_graph ? lines.graph_headers : lines.other_headers).insert(table.source().begin.line);
  for (auto&& [key, node] : table) {
    const bool graph = in_graph || is_graph_key(path, key.str());
    const std::string child =
        path.empty() ? std::string(key.str()) : path + "." + std::string(key.str());
    bool declared_by_headers = false;
    if (const toml::table* sub = node.as_table()) {
      declared_by_headers = !sub->is_inline();
      scan(*sub, child, graph, lines);
    } else if (const toml::array* array = node.as_array()) {
      for (const toml::node& item : *array) {
        if (const toml::table* sub = item.as_table()) {
          declared_by_headers = declared_by_headers || !sub->is_inline();
          if (!sub->is_inline()) scan(*sub, child, graph, lines);
        }
      }
    }
    if (graph && !in_graph && !declared_by_headers)
      lines.inline_graph.emplace_back(key.source().begin.line, node.source().end.line);
  }
}

}  // namespace

std::optional<std::string> with_routing_graph(std::string_view text_in, std::string_view graph_toml,
                                              std::string& why) {
  auto root = text::parse(text_in, why);
  if (!root) return std::nullopt;
  HeaderLines found;
  scan(*root, "", false, found);
  // [[routing.rules]] without a [routing] table declares that table implicitly, on
  // the same line: the line is the graph's.
  for (uint32_t header : found.graph_headers) found.other_headers.erase(header);

  const std::vector<std::string_view> lines = text::split_lines(text_in);
  std::vector<bool> drop(lines.size() + 2, false);
  auto drop_range = [&](uint32_t first, uint32_t last) {  // 1-based, inclusive
    for (uint32_t l = first; l <= last && l <= lines.size(); ++l) drop[l] = true;
  };

  for (auto [first, last] : found.inline_graph) drop_range(first, last);
  for (uint32_t header : found.graph_headers)
    drop_range(header, text::table_end(lines, found.other_headers, header));

  // The marked section (with whatever is in it now) gives way to the new one.
  std::optional<std::size_t> insert_at;  // index into kept lines
  std::vector<std::string_view> kept;
  bool in_marked = false;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    auto t = text::trimmed(lines[i]);
    if (!in_marked && t.starts_with(kGraphBeginMarker)) {
      in_marked = true;
      if (!insert_at) insert_at = kept.size();
      continue;
    }
    if (in_marked) {
      if (t.starts_with(kGraphEndMarker)) in_marked = false;
      continue;
    }
    if (!drop[i + 1]) kept.push_back(lines[i]);
  }

  std::string section = std::string(kGraphBeginMarker) +
                        ": PUT /v1/tenants/ID/routing rewrites everything down to the end "
                        "marker; edits by hand are fine too ---\n" +
                        std::string(graph_toml);
  section += std::string(kGraphEndMarker) + " ---\n";

  std::string out;
  if (!insert_at) {
    while (!kept.empty() && text::trimmed(kept.back()).empty()) kept.pop_back();
    insert_at = kept.size();
  }
  for (std::size_t i = 0; i < kept.size(); ++i) {
    if (i == *insert_at) out += section;
    out += kept[i];
    out += '\n';
  }
  if (*insert_at >= kept.size()) {
    if (!kept.empty() && !text::trimmed(kept.back()).empty()) out += '\n';
    out += section;
  }
  return out;
}

bool replace_file(const std::filesystem::path& file, std::string_view text, std::string& why) {
  const auto temporary = file.parent_path() / ("." + file.filename().string() + ".tmp" +
                                               std::to_string(std::random_device{}()));
  int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) {
    why = "cannot create " + temporary.string() + ": " + std::strerror(errno);
    return false;
  }
  auto fail = [&](const char* step) {
    why = std::string(step) + " " + temporary.string() + ": " + std::strerror(errno);
    ::close(fd);
    ::unlink(temporary.c_str());
    return false;
  };
  for (std::size_t written = 0; written < text.size();) {
    ssize_t n = ::write(fd, text.data() + written, text.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return fail("cannot write");
    written += static_cast<std::size_t>(n);
  }
  // Keep the file's permissions (it may hold password hashes).
  struct stat original {};
  if (::stat(file.c_str(), &original) == 0) ::fchmod(fd, original.st_mode & 07777);
  if (::fsync(fd) != 0) return fail("cannot sync");
  ::close(fd);
  if (::rename(temporary.c_str(), file.c_str()) != 0) {
    why = "cannot replace " + file.string() + ": " + std::strerror(errno);
    ::unlink(temporary.c_str());
    return false;
  }
  return true;
}

}  // namespace sb::tenants
