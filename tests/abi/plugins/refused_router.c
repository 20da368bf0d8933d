/* One routing plugin the host must refuse, built once per reason with a define:
 *   REFUSE_MAJOR_TWO       written for ABI 2.0 (filled by hand: SB_ABI_VERSION
 *                          refuses to compile it, which is the point)
 *   REFUSE_MINOR_NEWER     written for a minor this host does not have yet
 *   REFUSE_NO_INSTANCE_NEW the mandatory instance_new hook is NULL
 *   REFUSE_NO_ROUTE        the routing kind's mandatory route is NULL
 *   REFUSE_SMALL_API       sb_routing_api.struct_size smaller than in 1.0 */
#include "switchboard/sb_plugin.h"

#if defined(REFUSE_MAJOR_TWO)
#define PLUGIN_NAME "abi-major-two"
#define PLUGIN_MAJOR 2
#define PLUGIN_MINOR 0
#elif defined(REFUSE_MINOR_NEWER)
#define PLUGIN_NAME "abi-minor-newer"
#define PLUGIN_MAJOR SB_ABI_MAJOR
#define PLUGIN_MINOR (SB_ABI_MINOR + 1)
#elif defined(REFUSE_NO_INSTANCE_NEW)
#define PLUGIN_NAME "abi-no-instance-new"
#elif defined(REFUSE_NO_ROUTE)
#define PLUGIN_NAME "abi-no-route"
#elif defined(REFUSE_SMALL_API)
#define PLUGIN_NAME "abi-small-api"
#else
#error "define one REFUSE_* reason"
#endif

#ifndef PLUGIN_MAJOR
#define PLUGIN_MAJOR SB_ABI_VERSION_MAJOR(1, 0)
#define PLUGIN_MINOR SB_ABI_VERSION_MINOR(1, 0)
#endif

#if !defined(REFUSE_NO_INSTANCE_NEW)
static int32_t refused_new(const sb_instance_args* args, sb_instance** out, sb_error* err) {
  (void)args;
  (void)err;
  *out = NULL;
  return SB_OK;
}
#endif

static void refused_free(sb_instance* inst) {
  (void)inst;
}

#if !defined(REFUSE_NO_ROUTE)
static int32_t refused_route(sb_instance* inst, const sb_route_request* req, size_t* out_index,
                             sb_op* op, sb_error* err) {
  (void)inst;
  (void)req;
  (void)op;
  (void)err;
  *out_index = 0;
  return SB_OK;
}
#endif

#if defined(REFUSE_NO_INSTANCE_NEW)
#define NEW_HOOK NULL
#else
#define NEW_HOOK refused_new
#endif

#if defined(REFUSE_NO_ROUTE)
#define ROUTE_HOOK NULL
#else
#define ROUTE_HOOK refused_route
#endif

#if defined(REFUSE_SMALL_API)
#define ROUTING_API_SIZE 4
#else
#define ROUTING_API_SIZE sizeof(sb_routing_api)
#endif

static const sb_routing_api refused_api = {ROUTING_API_SIZE, ROUTE_HOOK};

static const sb_plugin_descriptor refused_descriptor = {sizeof(sb_plugin_descriptor),
                                                        PLUGIN_MAJOR,
                                                        PLUGIN_MINOR,
                                                        SB_KIND_ROUTING,
                                                        PLUGIN_NAME,
                                                        "0.1.0",
                                                        NULL,
                                                        0,
                                                        NEW_HOOK,
                                                        refused_free,
                                                        NULL,
                                                        &refused_api};

SB_EXPORT const sb_plugin_descriptor* sb_plugin_entry(const sb_host_api* host) {
  (void)host;
  return &refused_descriptor;
}
