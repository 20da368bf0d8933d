/* abi-c-router: a routing plugin in plain C99 (ABI rule 13: a plugin written in C
 * loads). Picks the candidate with the most free capacity, the first one on ties;
 * with config pick = "last", always the last candidate.
 * Built a second time with C_ROUTER_V2 as version 0.2.0 of the same plugin, which
 * always picks the last candidate: the file a hot-reload test swaps in. */
#include <string.h>

#include "switchboard/sb_plugin.h"

#ifdef C_ROUTER_V2
#define C_ROUTER_VERSION "0.2.0"
#define C_ROUTER_PICK_LAST 1
#else
#define C_ROUTER_VERSION "0.1.0"
#define C_ROUTER_PICK_LAST 0
#endif

static const sb_host_api* g_host = NULL;

typedef struct c_router {
  sb_host_ctx* ctx;
  int pick_last;
} c_router;

static int32_t c_router_new(const sb_instance_args* args, sb_instance** out, sb_error* err) {
  c_router* self = (c_router*)g_host->alloc(sizeof(c_router));
  sb_str pick;
  if (!self) {
    sb_error_set(err, "out of memory");
    return SB_ERROR;
  }
  self->ctx = args->ctx;
  self->pick_last = C_ROUTER_PICK_LAST;
  if (g_host->config_get(args->ctx, "pick", &pick) && pick.len == 4 &&
      memcmp(pick.ptr, "last", 4) == 0) {
    self->pick_last = 1;
  }
  g_host->log(args->ctx, SB_LOG_INFO, sb_str_from("c router ready"));
  *out = (sb_instance*)self;
  return SB_OK;
}

static void c_router_free(sb_instance* inst) {
  g_host->free(inst);
}

static int32_t c_router_route(sb_instance* inst, const sb_route_request* req, size_t* out_index,
                              sb_op* op, sb_error* err) {
  const c_router* self = (const c_router*)inst;
  size_t i, best = 0;
  long best_free = -1;
  (void)op;
  (void)err;
  if (req->candidate_count == 0) return SB_DEFER;
  if (self->pick_last) {
    *out_index = req->candidate_count - 1;
    return SB_OK;
  }
  for (i = 0; i < req->candidate_count; ++i) {
    const sb_agent_candidate* c = req->candidates[i];
    long free_slots = (long)c->max_concurrent - (long)c->open_conversations;
    if (free_slots > best_free) {
      best_free = free_slots;
      best = i;
    }
  }
  *out_index = best;
  return SB_OK;
}

/* Events reach plugins too: log each one's type, which the integration tests read
 * from the server's log to see the whole path (engine -> bus -> plugin). */
static void c_router_on_event(sb_instance* inst, const sb_event* event) {
  const c_router* self = (const c_router*)inst;
  char line[96] = "c router saw ";
  size_t used = strlen(line);
  size_t n = event->type.len < sizeof(line) - used - 1 ? event->type.len : sizeof(line) - used - 1;
  memcpy(line + used, event->type.ptr, n);
  line[used + n] = '\0';
  g_host->log(self->ctx, SB_LOG_INFO, sb_str_from(line));
}

static const sb_config_key c_router_keys[] = {{sizeof(sb_config_key), SB_CONFIG_STRING, "pick"}};

static const sb_routing_api c_router_api = {sizeof(sb_routing_api), c_router_route};

static const sb_plugin_descriptor c_router_descriptor = {sizeof(sb_plugin_descriptor),
                                                         SB_ABI_VERSION_MAJOR(1, 0),
                                                         SB_ABI_VERSION_MINOR(1, 0),
                                                         SB_KIND_ROUTING,
                                                         "abi-c-router",
                                                         C_ROUTER_VERSION,
                                                         c_router_keys,
                                                         1,
                                                         c_router_new,
                                                         c_router_free,
                                                         c_router_on_event,
                                                         &c_router_api};

SB_EXPORT const sb_plugin_descriptor* sb_plugin_entry(const sb_host_api* host) {
  g_host = host;
  return &c_router_descriptor;
}
