// The host's sb_http_v1 service (ABI 1.1): plugins' outbound HTTP(S) requests, run
// by sb::http_client on one I/O thread of the host's own. Internal to the host.
#pragma once

#include "switchboard/sb_plugin.h"

namespace sb::plugin_host {

// The service's function table (static storage). The first call starts the I/O
// thread and loads the CA store.
const sb_http_api* http_api();

}  // namespace sb::plugin_host
