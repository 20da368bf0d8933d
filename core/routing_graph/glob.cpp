#include "routing_graph/glob.hpp"

namespace sb::routing_graph {

namespace {

// The end of the set starting at glob[open] ('['), or npos when it never closes.
// A ']' right after "[" or "[!" is a member, as in shells.
std::size_t set_end(std::string_view glob, std::size_t open) {
  std::size_t i = open + 1;
  if (i < glob.size() && glob[i] == '!') ++i;
  if (i < glob.size() && glob[i] == ']') ++i;
  for (; i < glob.size(); ++i) {
    if (glob[i] == '\\')
      ++i;
    else if (glob[i] == ']')
      return i;
  }
  return std::string_view::npos;
}

bool in_set(std::string_view set, char c) {  // set: between '[' and ']'
  bool negate = !set.empty() && set[0] == '!';
  if (negate) set.remove_prefix(1);
  bool found = false;
  for (std::size_t i = 0; i < set.size(); ++i) {
    char low = set[i];
    if (low == '\\' && i + 1 < set.size()) low = set[++i];
    char high = low;
    if (i + 2 < set.size() && set[i + 1] == '-') {
      high = set[i + 2];
      if (high == '\\' && i + 3 < set.size()) high = set[++i + 2];
      i += 2;
    }
    if (c >= low && c <= high) found = true;
  }
  return found != negate;
}

}  // namespace

bool is_valid_glob(std::string_view glob, std::string& why) {
  for (std::size_t i = 0; i < glob.size(); ++i) {
    if (glob[i] == '\\') {
      if (++i == glob.size()) {
        why = "ends with a lone '\\' (write \"\\\\\\\\\" for a backslash)";
        return false;
      }
    } else if (glob[i] == '[') {
      std::size_t end = set_end(glob, i);
      if (end == std::string_view::npos) {
        why = "has a '[' at " + std::to_string(i + 1) +
              " that is never closed (write \"\\\\[\" for a bracket)";
        return false;
      }
      i = end;
    }
  }
  return true;
}

bool glob_matches(std::string_view glob, std::string_view text) {
  // Iterative matching with one backtrack point: the last '*' seen.
  std::size_t g = 0, t = 0;
  std::size_t star_g = std::string_view::npos, star_t = 0;
  while (t < text.size()) {
    if (g < glob.size()) {
      char c = glob[g];
      if (c == '*') {
        star_g = g++;
        star_t = t;
        continue;
      }
      if (c == '?') {
        ++g, ++t;
        continue;
      }
      if (c == '[') {
        std::size_t end = set_end(glob, g);
        if (in_set(glob.substr(g + 1, end - g - 1), text[t])) {
          g = end + 1, ++t;
          continue;
        }
      } else {
        if (c == '\\') c = glob[++g];
        if (c == text[t]) {
          ++g, ++t;
          continue;
        }
      }
    }
    if (star_g == std::string_view::npos) return false;
    g = star_g + 1;
    t = ++star_t;
  }
  while (g < glob.size() && glob[g] == '*') ++g;
  return g == glob.size();
}

}  // namespace sb::routing_graph
