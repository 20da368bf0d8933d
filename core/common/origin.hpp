// Web origins ("https://shop.example.com", "http://127.0.0.1:8080") as browsers send
// them in the Origin header, and the checks made with them: a tenant's websites
// that may embed its widget, and "the server's own page" for the console's cookie.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sb {

// The origin in the form it is compared in: scheme http or https, lower case, no
// default port (":443" for https, ":80" for http), no path; nullopt when text is
// not such an origin (a path, a query, "null", another scheme, no host).
std::optional<std::string> normalize_origin(std::string_view text);

// True when allowed is empty (any website) or origin is one of its (normalized)
// entries. An empty origin (no Origin header: not a browser) is allowed.
bool origin_allowed(const std::vector<std::string>& allowed, std::string_view origin);

// True when origin names the host a request was sent to (its Host header): the
// console's own page, served by this server. The scheme is not compared, since a
// TLS proxy may stand in front of the server.
bool same_origin_as_host(std::string_view origin, std::string_view host);

// Who may open a tenant's visitor socket or upload as a visitor: the tenant's
// websites (origin_allowed), or the widget's chat frame, a page of this server
// (same_origin_as_host) that its frame-ancestors lets load only inside them.
bool widget_origin_allowed(const std::vector<std::string>& allowed, std::string_view origin,
                           std::string_view host);

}  // namespace sb
