// The range report as CSV (RFC 4180, CRLF) for spreadsheets. Group names and agent
// names are typed by people, so a cell that a spreadsheet would run as a formula
// is defused (the OWASP advice for CSV injection: a leading ').
#include "stats/conversation_stats.hpp"

namespace sb::stats {

std::string csv_field(std::string_view text) {
  std::string value;
  if (!text.empty() && std::string_view("=+-@\t\r").find(text.front()) != std::string_view::npos)
    value.push_back('\'');
  value.append(text);
  if (value.find_first_of(",\"\r\n") == std::string::npos) return value;
  std::string quoted = "\"";
  for (char c : value) {
    if (c == '"') quoted.push_back('"');
    quoted.push_back(c);
  }
  quoted.push_back('"');
  return quoted;
}

std::string report_csv(const Report& report, const AgentName& name_of) {
  std::string out =
      "date,group,agent_id,agent_name,conversations,closed,bot_resolved,handed_off\r\n";
  for (const auto& [key, counts] : report.cells) {
    const auto& [day, group, agent] = key;
    out += format_day(day) + ',' + csv_field(group) + ',' + csv_field(agent) + ',' +
           csv_field(agent.empty() ? std::string() : name_of(agent)) + ',' +
           std::to_string(counts.conversations) + ',' + std::to_string(counts.closed) + ',' +
           std::to_string(counts.bot_resolved) + ',' + std::to_string(counts.handed_off) + "\r\n";
  }
  return out;
}

}  // namespace sb::stats
