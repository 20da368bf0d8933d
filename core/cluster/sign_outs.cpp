#include "cluster/sign_outs.hpp"

#include <boost/json.hpp>

namespace sb::cluster {

namespace json = boost::json;

namespace {

std::optional<auth::SignOut> from_value(const json::value& value) {
  const auto* o = value.if_object();
  if (!o) return std::nullopt;
  auth::SignOut sign_out;
  const auto text = [&](std::string_view key, std::string& out) {
    const auto* v = o->if_contains(key);
    if (v && v->is_string()) out = std::string(v->as_string());
    return v == nullptr || v->is_string();
  };
  const auto number = [&](std::string_view key, int64_t& out) {
    const auto* v = o->if_contains(key);
    if (!v || !v->is_int64()) return false;
    out = v->as_int64();
    return true;
  };
  if (!text("tenant", sign_out.tenant) || !text("agent", sign_out.agent) ||
      !text("session", sign_out.session) || !number("cutoff_ms", sign_out.cutoff_ms) ||
      !number("until_s", sign_out.until_s))
    return std::nullopt;
  if (sign_out.tenant.empty() || sign_out.agent.empty()) return std::nullopt;
  if (sign_out.session.empty() && sign_out.cutoff_ms <= 0) return std::nullopt;
  return sign_out;
}

}  // namespace

std::string sign_out_key(const auth::SignOut& sign_out) {
  return sign_out.session.empty() ? "agent/" + sign_out.agent : "session/" + sign_out.session;
}

std::string sign_out_json(const auth::SignOut& sign_out) {
  return json::serialize(json::object{{"tenant", sign_out.tenant},
                                      {"agent", sign_out.agent},
                                      {"session", sign_out.session},
                                      {"cutoff_ms", sign_out.cutoff_ms},
                                      {"until_s", sign_out.until_s}});
}

std::optional<auth::SignOut> parse_sign_out(std::string_view text) {
  boost::system::error_code ec;
  const auto value = json::parse(text, ec);
  if (ec) return std::nullopt;
  return from_value(value);
}

std::vector<auth::SignOut> parse_sign_out_list(std::string_view kv_list_body, size_t& bad) {
  bad = 0;
  std::vector<auth::SignOut> sign_outs;
  boost::system::error_code ec;
  const auto body = json::parse(kv_list_body, ec);
  const auto* items = !ec && body.is_object() ? body.as_object().if_contains("items") : nullptr;
  if (!items || !items->is_array()) {
    ++bad;
    return sign_outs;
  }
  for (const auto& item : items->as_array()) {
    const auto* entry = item.if_object();
    const auto* value = entry ? entry->if_contains("value") : nullptr;
    // A storage plugin may hand the value back as JSON or as its text.
    std::optional<auth::SignOut> sign_out;
    if (value && value->is_string())
      sign_out = parse_sign_out(value->as_string());
    else if (value)
      sign_out = from_value(*value);
    if (sign_out)
      sign_outs.push_back(std::move(*sign_out));
    else
      ++bad;
  }
  return sign_outs;
}

}  // namespace sb::cluster
