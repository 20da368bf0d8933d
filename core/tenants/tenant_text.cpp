#include "tenants/tenant_text.hpp"

namespace sb::tenants::text {

std::optional<toml::table> parse(std::string_view text, std::string& why) {
  try {
    return toml::parse(text);
  } catch (const toml::parse_error& error) {
    why = "the tenant file does not parse as it is (line " +
          std::to_string(error.source().begin.line) + ": " + std::string(error.description()) +
          "); fix it first";
    return std::nullopt;
  }
}

std::vector<std::string_view> split_lines(std::string_view text) {
  std::vector<std::string_view> lines;
  for (std::size_t at = 0; at <= text.size();) {
    std::size_t end = text.find('\n', at);
    if (end == std::string_view::npos) end = text.size();
    lines.push_back(text.substr(at, end - at));
    at = end + 1;
  }
  if (!text.empty() && text.back() == '\n') lines.pop_back();
  return lines;
}

std::string_view trimmed(std::string_view line) {
  auto begin = line.find_first_not_of(" \t\r");
  if (begin == std::string_view::npos) return {};
  return line.substr(begin);
}

bool blank_or_comment(std::string_view line) {
  auto t = trimmed(line);
  return t.empty() || t.front() == '#';
}

uint32_t table_end(const std::vector<std::string_view>& lines, const std::set<uint32_t>& headers,
                   uint32_t header) {
  auto next = headers.upper_bound(header);
  if (next == headers.end()) return static_cast<uint32_t>(lines.size());
  uint32_t end = *next - 1;
  while (end > header && blank_or_comment(lines[end - 1])) --end;
  return end;
}

}  // namespace sb::tenants::text
