#include "options.hpp"

#include <CLI/CLI.hpp>
#include <cstdlib>

namespace loadgen {

Options parse_options(int argc, char** argv) {
  Options o;
  CLI::App app{"loadgen: open-loop WebSocket load generator for Switchboard"};
  app.footer(
      "Exit status: 0 done; 1 no connection held, nothing delivered, or (--strict) any failure; "
      "2 a fatal error such as an unresolvable --url. Method and results: tests/bench/RESULTS.md");
  app.add_option("--url", o.urls,
                 "server base URL, http://HOST:PORT; repeat it (or separate by commas) for the "
                 "nodes of a cluster: visitors and agents are spread over them")
      ->required()
      ->delimiter(',');
  app.add_option("--tenant", o.tenant, "tenant id")->capture_default_str();
  app.add_option("--visitors", o.visitors, "visitor connections")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  app.add_option("--agents", o.agents, "agent connections (each logs in first)")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  app.add_option("--agent-email-pattern", o.agent_email_pattern, "agent email; {i} = 1..agents")
      ->capture_default_str();
  app.add_option("--agent-password", o.agent_password, "password shared by all agents")
      ->capture_default_str();
  app.add_option("--rate", o.rate_msgs_per_s,
                 "total offered visitor->agent messages per second (open loop)")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  app.add_option("--duration", o.duration_s, "measured seconds (with --idle: seconds to hold)")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  app.add_option("--warmup", o.warmup_s, "seconds of sending before measuring")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  app.add_option("--connect-rate", o.connect_rate_per_s, "new connections per second")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  app.add_option("--connect-timeout", o.connect_timeout_s,
                 "seconds allowed for the whole connect phase")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  app.add_option("--drain", o.drain_s, "seconds to wait for late acks and deliveries")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  app.add_flag("--idle", o.idle, "only connect, hold for --duration and report");
  app.add_flag("--echo", o.echo,
               "the server is tests/bench/echo: visitors are ready after the upgrade and each "
               "echoed message counts as its ack and its delivery (use --agents 0)");
  app.add_option("--server-pid", o.server_pid, "server pid: report its RSS growth per connection");
  app.add_option("--message-bytes", o.message_bytes, "bytes of text per message")
      ->check(CLI::Range(24, 1 << 20))
      ->capture_default_str();
  app.add_flag("--json", o.json, "print the summary as one JSON object");
  app.add_flag("--strict", o.strict,
               "exit 1 unless every connection held and every measured message was acked and "
               "delivered (smoke tests)");
  app.add_option("--json-out", o.json_out,
                 "also write the JSON summary to this file (text still goes to stdout)");
  app.add_option("--threads", o.threads, "client threads, one io_context each")
      ->check(CLI::Range(1, 64))
      ->capture_default_str();
  app.add_option(
         "--source-addresses", o.source_addresses,
         "bind visitors round-robin to 127.0.0.2..127.0.0.(1+N); 0 = auto (one per 20k visitors)")
      ->check(CLI::Range(0, 250))
      ->capture_default_str();
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    std::exit(app.exit(e));
  }
  return o;
}

std::string agent_email(const Options& options, int index_from_1) {
  std::string email = options.agent_email_pattern;
  const std::string placeholder = "{i}";
  for (auto pos = email.find(placeholder); pos != std::string::npos;
       pos = email.find(placeholder, pos)) {
    const std::string number = std::to_string(index_from_1);
    email.replace(pos, placeholder.size(), number);
    pos += number.size();
  }
  return email;
}

}  // namespace loadgen
