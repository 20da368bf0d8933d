// The steps of every admin write into a tenant file's table. The tenant's reader
// is the validator: the new text must load as the whole tenant file would, and
// what it reports about the table comes back as 422 on the field it names.
#include "api/table_write.hpp"

#include <boost/asio/post.hpp>
#include <boost/json.hpp>
#include <fstream>
#include <sstream>

#include "api/etag.hpp"
#include "api/responses.hpp"
#include "api/rest_api.hpp"
#include "config/toml_json.hpp"
#include "tenants/routing_file.hpp"
#include "tenants/table_file.hpp"

namespace sb::api {

namespace json = boost::json;
using hub::HttpResponse;

namespace {

std::optional<std::string> read_text(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) return std::nullopt;
  return std::move(text).str();
}

std::string dotted(const std::vector<std::string>& path) {
  std::string out;
  for (const auto& part : path) out += (out.empty() ? "" : ".") + part;
  return out;
}

HttpResponse with_etag(HttpResponse response, const std::optional<json::value>& view) {
  if (view) response.headers.emplace_back("ETag", etag_of(json::serialize(*view)));
  return response;
}

}  // namespace

namespace {

// Appends "path: before → after" for every leaf that differs, and the same as
// {"field","from","to"} to values when given.
void diff(const std::string& path, const json::value* before, const json::value* after,
          std::string& out, json::array* values = nullptr) {
  const bool objects = before && after && before->is_object() && after->is_object();
  if (objects) {
    for (const auto& [key, value] : before->get_object())
      diff(path.empty() ? std::string(key) : path + "." + std::string(key), &value,
           after->get_object().if_contains(key), out, values);
    for (const auto& [key, value] : after->get_object())
      if (!before->get_object().contains(key))
        diff(path.empty() ? std::string(key) : path + "." + std::string(key), nullptr, &value, out,
             values);
    return;
  }
  if (before && after && *before == *after) return;
  if (values)
    values->push_back(json::object{{"field", path},
                                   {"from", before ? *before : json::value(nullptr)},
                                   {"to", after ? *after : json::value(nullptr)}});
  if (!out.empty()) out += "; ";
  out += path + ": " + (before ? json::serialize(*before) : "none") + " → " +
         (after ? json::serialize(*after) : "none");
}

}  // namespace

std::string changed_fields(const json::value* before, const json::value* after) {
  if (!before || !after) return "";  // made or taken out whole: the action says so
  std::string out;
  diff("", before, after, out);
  return out.empty() ? "no change" : out;
}

json::array changed_values(const json::value& before, const json::value& after) {
  std::string ignored;
  json::array values;
  diff("", &before, &after, ignored, &values);
  return values;
}

void drop_defaults(toml::table& content, const toml::table& defaults, const toml::table* in_file) {
  std::vector<std::string> drop;
  for (auto&& [key, value] : content) {
    const toml::node* fallback = defaults.get(key.str());
    const toml::node* written = in_file ? in_file->get(key.str()) : nullptr;
    if (!fallback) continue;
    if (toml::table* sub = value.as_table(); sub && fallback->is_table()) {
      drop_defaults(*sub, *fallback->as_table(), written ? written->as_table() : nullptr);
      if (sub->empty() && !written) drop.emplace_back(key.str());
    } else if (!written && config::toml_to_json(value) == config::toml_to_json(*fallback)) {
      drop.emplace_back(key.str());
    }
  }
  for (const auto& key : drop) content.erase(key);
}

std::string field_of(const std::vector<std::string>& path, const std::string& key) {
  const std::string table = dotted(path);
  if (key == table) return "";
  if (key.starts_with(table) && key.size() > table.size() &&
      (key[table.size()] == '.' || key[table.size()] == '['))
    return key.substr(table.size() + (key[table.size()] == '.' ? 1 : 0));
  return key;
}

void RestApi::write_table(const TenantView& tenant, TableWrite write, Respond respond) {
  // File work off the I/O threads; the pool's one thread also keeps two writes
  // from interleaving their read-modify-write of the same file.
  boost::asio::post(blocking_pool_, [this, file = tenant.config->file, id = tenant.config->id,
                                     write = std::move(write),
                                     respond = std::move(respond)]() mutable {
    auto text = read_text(file);
    if (!text)
      return respond(error_response(500, "internal", "cannot read " + file.filename().string()));
    // The version the admin edited must still be the one in the file (read here, on
    // the pool's one thread, so a write just made counts even before its reload),
    // else someone changed it meanwhile, by the API or by hand: not overwritten unseen.
    ConfigErrors ignored;
    auto on_disk = backend_.check_tenant_text(*text, file, ignored);
    auto live = on_disk ? std::nullopt : backend_.tenant(id);
    const tenants::TenantConfig* before = on_disk ? on_disk.get()
                                          : live  ? live->config.get()
                                                  : nullptr;
    const auto now = before ? write.view(*before) : std::nullopt;
    if (!write.if_none_match.empty() && now && names_etag(write.if_none_match, "*"))
      return respond(with_etag(error_response(412, write.changed_code,
                                              write.what + " exists already (made by another "
                                                           "admin or in the tenant file)"),
                               now));
    if (!write.if_match.empty() &&
        (!now || !names_etag(write.if_match, etag_of(json::serialize(*now)))))
      return respond(with_etag(
          error_response(412, write.changed_code,
                         write.what + " changed since you loaded it (by another admin or in the "
                                      "tenant file); load it again and redo your change"),
          now));

    std::string why;
    auto edited =
        tenants::with_table(*text, write.path, write.content ? &*write.content : nullptr, why);
    if (!edited) return respond(error_response(409, "conflict", why));
    ConfigErrors problems;
    auto config = backend_.check_tenant_text(*edited, file, problems);
    if (!config) {
      // What the reader says about this table is the admin's to fix; anything else
      // was wrong in the file before (or breaks because of this change elsewhere).
      const std::string table = dotted(write.path);
      json_fields::FieldErrors errors;
      for (const auto& problem : problems)
        if (problem.key == table || problem.key.starts_with(table + ".") ||
            problem.key.starts_with(table + "["))
          errors.push_back({"invalid_field", field_of(write.path, problem.key), problem.message});
      if (!errors.empty()) return respond(field_errors_response(errors));
      return respond(error_response(
          409, "conflict",
          "the tenant file would not load with this change: " +
              (problems.empty() ? std::string("unknown problem") : problems.front().to_string())));
    }
    const auto wanted = write.view(*config);
    // The same content in the form a person would write (checked above in the
    // form the admin sent, so errors name the admin's fields), when it loads as the
    // very same table.
    if (write.content && write.tidy) {
      const toml::table* before_table = nullptr;
      toml::table file_root;
      try {
        file_root = toml::parse(*text);
        const toml::node* at = &file_root;
        for (const auto& part : write.path)
          at = at && at->is_table() ? at->as_table()->get(part) : nullptr;
        before_table = at ? at->as_table() : nullptr;
      } catch (const toml::parse_error&) {
      }
      toml::table tidy = *write.content;
      write.tidy(tidy, before_table);
      std::string ignored_why;
      ConfigErrors ignored_problems;
      if (auto tidied = tenants::with_table(*text, write.path, &tidy, ignored_why)) {
        auto tidy_config = backend_.check_tenant_text(*tidied, file, ignored_problems);
        if (tidy_config && write.view(*tidy_config) == wanted) edited = std::move(tidied);
      }
    }
    if (!tenants::replace_file(file, *edited, why))
      return respond(error_response(500, "internal", why));
    audit::Change change{write.audit_action, write.audit_target,
                         changed_fields(now ? &*now : nullptr, wanted ? &*wanted : nullptr)};
    change.object = std::move(write.audit_object);
    if (now && wanted)
      change.detail = {{"code", "settings.fields"}, {"changes", changed_values(*now, *wanted)}};
    backend_.reload_tenants([this, id, wanted, created = !now && wanted,
                             status = write.created_status, view = std::move(write.view),
                             actor = std::move(write.actor), change = std::move(change),
                             respond = std::move(respond)] {
      auto tenant = backend_.tenant(id);
      const auto live = tenant ? view(*tenant->config) : std::nullopt;
      if (!tenant || live != wanted)
        return respond(error_response(500, "internal",
                                      "the change is in the tenant file but could not be "
                                      "applied; the server log says why"));
      if (!wanted)
        respond(HttpResponse{204, "application/json", {}, {}});
      else
        respond(with_etag(json_response(created ? status : 200, *wanted), wanted));
      record_change(*tenant, actor, change);
    });
  });
}

}  // namespace sb::api
