/* abi-c-autoreply: an auto-reply plugin in plain C99 (ABI 1.1): a plain-C plugin of
 * the new kind loads and answers. To "hello" it answers at once, completing the op
 * inside the hook, with {"reply":"hello from C","state":{"turns":N}} where N counts
 * the turns in the stage state it got back; to anything else it defers. It logs the
 * config directory the host passed, which the tests read. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "switchboard/sb_plugin.h"

static const sb_host_api* g_host = NULL;

typedef struct c_autoreply {
  sb_host_ctx* ctx;
} c_autoreply;

static int32_t c_autoreply_new(const sb_instance_args* args, sb_instance** out, sb_error* err) {
  c_autoreply* self = (c_autoreply*)g_host->alloc(sizeof(c_autoreply));
  char line[512];
  int config_dir_len = 0;
  const char* config_dir = "";
  if (!self) {
    sb_error_set(err, "out of memory");
    return SB_ERROR;
  }
  self->ctx = args->ctx;
  if (args->struct_size >= offsetof(sb_instance_args, config_dir) + sizeof(sb_str)) {
    config_dir = args->config_dir.ptr ? args->config_dir.ptr : "";
    config_dir_len = (int)args->config_dir.len;
  }
  snprintf(line, sizeof(line), "c autoreply ready, config_dir=%.*s", config_dir_len, config_dir);
  g_host->log(args->ctx, SB_LOG_INFO, sb_str_from(line));
  *out = (sb_instance*)self;
  return SB_OK;
}

static void c_autoreply_free(sb_instance* inst) {
  g_host->free(inst);
}

/* The number after "turns": in the state, 0 when there is none. */
static long turns_in(sb_str state) {
  char copy[64];
  const char* at;
  size_t n = state.len < sizeof(copy) - 1 ? state.len : sizeof(copy) - 1;
  if (n) memcpy(copy, state.ptr, n);
  copy[n] = '\0';
  at = strstr(copy, "\"turns\":");
  return at ? strtol(at + 8, NULL, 10) : 0;
}

static int32_t c_autoreply_reply(sb_instance* inst, const sb_autoreply_request* req, sb_op* op,
                                 sb_error* err) {
  char result[128];
  (void)inst;
  (void)err;
  if (req->text.len != 5 || memcmp(req->text.ptr, "hello", 5) != 0) return SB_DEFER;
  snprintf(result, sizeof(result), "{\"reply\":\"hello from C\",\"state\":{\"turns\":%ld}}",
           turns_in(req->state_json) + 1);
  g_host->complete(op, SB_OK, sb_str_from(result), sb_str_from(""));
  return SB_PENDING;
}

static const sb_autoreply_api c_autoreply_api = {sizeof(sb_autoreply_api), c_autoreply_reply};

static const sb_plugin_descriptor c_autoreply_descriptor = {sizeof(sb_plugin_descriptor),
                                                            SB_ABI_VERSION_MAJOR(1, 1),
                                                            SB_ABI_VERSION_MINOR(1, 1),
                                                            SB_KIND_AUTOREPLY,
                                                            "abi-c-autoreply",
                                                            "0.1.0",
                                                            NULL,
                                                            0,
                                                            c_autoreply_new,
                                                            c_autoreply_free,
                                                            NULL,
                                                            &c_autoreply_api};

SB_EXPORT const sb_plugin_descriptor* sb_plugin_entry(const sb_host_api* host) {
  g_host = host;
  return &c_autoreply_descriptor;
}
