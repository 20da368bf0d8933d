/* routing-manual: pushes conversations to no one. It answers SB_OFFER (ABI 1.1), and
 * the host offers the conversation to every agent who may take it now (online,
 * below max_concurrent, in its group) with a conversation.offered frame; the first
 * agent to send `accept` takes it, and the others see the offer withdrawn. The host
 * keeps the offers current as agents come, go and fill up, so this plugin holds no
 * state and makes no choice.
 *
 * In a chain it goes last, after the strategies that may push: with
 * ["routing-sticky", "routing-manual"] a returning visitor goes straight back to
 * their agent when that agent is free, and everyone else is offered.
 *
 * Config: none. No candidates: SB_DEFER (the conversation waits in the queue; the
 * host offers it when someone comes online). Written in C99, like any plugin may be. */
#include "switchboard/sb_plugin.h"

/* Nothing to keep per tenant; the instance pointer only has to be non-null. */
static char g_instance_tag;

static int32_t manual_new(const sb_instance_args* args, sb_instance** out, sb_error* err) {
  (void)args;
  (void)err;
  *out = (sb_instance*)&g_instance_tag;
  return SB_OK;
}

static void manual_free(sb_instance* inst) {
  (void)inst;
}

static int32_t manual_route(sb_instance* inst, const sb_route_request* req, size_t* out_index,
                            sb_op* op, sb_error* err) {
  (void)inst;
  (void)out_index;
  (void)op;
  (void)err;
  return req->candidate_count == 0 ? SB_DEFER : SB_OFFER;
}

static const sb_routing_api manual_api = {sizeof(sb_routing_api), manual_route};

static const sb_plugin_descriptor manual_descriptor = {sizeof(sb_plugin_descriptor),
                                                       SB_ABI_VERSION_MAJOR(1, 1),
                                                       SB_ABI_VERSION_MINOR(1, 1),
                                                       SB_KIND_ROUTING,
                                                       "routing-manual",
                                                       "1.0.0",
                                                       NULL,
                                                       0,
                                                       manual_new,
                                                       manual_free,
                                                       NULL,
                                                       &manual_api};

SB_EXPORT const sb_plugin_descriptor* sb_plugin_entry(const sb_host_api* host) {
  /* A 1.0 host does not know SB_OFFER: refuse to load rather than fail every route. */
  if (host->abi_major != 1 || host->abi_minor < 1) return NULL;
  return &manual_descriptor;
}
