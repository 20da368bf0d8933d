// The load-time rules of the ABI, on descriptors built by hand.
#include "plugin_host/descriptor_check.hpp"

#include <catch2/catch.hpp>

using sb::plugin_host::descriptor_problem;

namespace {

int32_t new_ok(const sb_instance_args*, sb_instance** out, sb_error*) {
  *out = nullptr;
  return SB_OK;
}
void free_ok(sb_instance*) {}
int32_t reply_ok(sb_instance*, const sb_autoreply_request*, sb_op*, sb_error*) {
  return SB_DEFER;
}
int32_t chat_ok(sb_instance*, const sb_llm_request*, sb_op*, sb_error*) {
  return SB_ERROR;
}
int32_t publish_ok(sb_instance*, sb_str, sb_str, sb_op*, sb_error*) {
  return SB_ERROR;
}
int32_t subscribe_ok(sb_instance*, sb_str, sb_op*, sb_error*) {
  return SB_ERROR;
}
int32_t name_ok(sb_instance*, sb_str, sb_error*) {
  return SB_OK;
}
int32_t ack_ok(sb_instance*, sb_str, sb_str, sb_op*, sb_error*) {
  return SB_ERROR;
}
int32_t set_put_ok(sb_instance*, sb_str, sb_str, sb_str, int64_t, sb_op*, sb_error*) {
  return SB_ERROR;
}
int32_t set_list_ok(sb_instance*, sb_str, sb_op*, sb_error*) {
  return SB_ERROR;
}
int32_t route_ok(sb_instance*, const sb_route_request*, size_t* index, sb_op*, sb_error*) {
  *index = 0;
  return SB_OK;
}

struct Good {
  sb_routing_api api{sizeof(sb_routing_api), route_ok};
  sb_config_key keys[2] = {{sizeof(sb_config_key), SB_CONFIG_STRING, "a"},
                           {sizeof(sb_config_key), SB_CONFIG_INTEGER, "b"}};
  sb_plugin_descriptor d{sizeof(sb_plugin_descriptor),
                         SB_ABI_MAJOR,
                         SB_ABI_MINOR,
                         SB_KIND_ROUTING,
                         "r",
                         "1",
                         keys,
                         2,
                         new_ok,
                         free_ok,
                         nullptr,
                         &api};
};

}  // namespace

TEST_CASE("descriptor: a complete routing descriptor is accepted") {
  Good good;
  CHECK(descriptor_problem(good.d).empty());
}

TEST_CASE("descriptor: versions follow the rule (same major, minor not above the host's)") {
  Good good;
  good.d.abi_major = SB_ABI_MAJOR + 1;
  CHECK_THAT(descriptor_problem(good.d), Catch::Contains("major"));
  good.d.abi_major = SB_ABI_MAJOR;
  good.d.abi_minor = SB_ABI_MINOR + 1;
  CHECK_THAT(descriptor_problem(good.d), Catch::Contains("minor"));
}

TEST_CASE("descriptor: every mandatory part is checked") {
  Good good;
  SECTION("size") {
    good.d.struct_size = 8;
    CHECK_THAT(descriptor_problem(good.d), Catch::Contains("smaller"));
  }
  SECTION("a larger descriptor from a newer 1.x is fine") {
    good.d.struct_size += 16;
    CHECK(descriptor_problem(good.d).empty());
  }
  SECTION("kind") {
    good.d.kind = 99;
    CHECK_THAT(descriptor_problem(good.d), Catch::Contains("not supported"));
  }
  SECTION("instance_free") {
    good.d.instance_free = nullptr;
    CHECK_THAT(descriptor_problem(good.d), Catch::Contains("instance_free"));
  }
  SECTION("kind_api") {
    good.d.kind_api = nullptr;
    CHECK_THAT(descriptor_problem(good.d), Catch::Contains("kind_api"));
  }
  SECTION("a storage plugin must have every storage function") {
    sb_storage_api storage{};
    storage.struct_size = sizeof(storage);
    good.d.kind = SB_KIND_STORAGE;
    good.d.kind_api = &storage;
    CHECK_THAT(descriptor_problem(good.d), Catch::Contains("append_message"));
  }
  SECTION("config keys need names and known types") {
    good.keys[1].type = 99;
    CHECK_THAT(descriptor_problem(good.d), Catch::Contains("b has an unknown type"));
  }
}

TEST_CASE("descriptor: the 1.1 kinds need their one function and a 1.1 plugin") {
  Good good;
  sb_autoreply_api autoreply{sizeof(sb_autoreply_api), reply_ok};
  sb_llm_api llm{sizeof(sb_llm_api), chat_ok};
  good.d.abi_minor = 1;
  SECTION("a complete auto-reply descriptor is accepted") {
    good.d.kind = SB_KIND_AUTOREPLY;
    good.d.kind_api = &autoreply;
    CHECK(descriptor_problem(good.d).empty());
    SECTION("but not from a plugin that says it was written for 1.0") {
      good.d.abi_minor = 0;
      CHECK_THAT(descriptor_problem(good.d), Catch::Contains("auto-reply needs ABI 1.1"));
    }
    SECTION("reply is mandatory") {
      autoreply.reply = nullptr;
      CHECK_THAT(descriptor_problem(good.d), Catch::Contains("sb_autoreply_api.reply is missing"));
    }
    SECTION("its table is at least the 1.1 size") {
      autoreply.struct_size = 4;
      CHECK_THAT(descriptor_problem(good.d), Catch::Contains("sb_autoreply_api is smaller"));
    }
  }
  SECTION("a complete LLM descriptor is accepted") {
    good.d.kind = SB_KIND_LLM;
    good.d.kind_api = &llm;
    CHECK(descriptor_problem(good.d).empty());
    SECTION("chat is mandatory") {
      llm.chat = nullptr;
      CHECK_THAT(descriptor_problem(good.d), Catch::Contains("sb_llm_api.chat is missing"));
    }
    SECTION("its table is at least the 1.1 size") {
      llm.struct_size = 8;
      CHECK_THAT(descriptor_problem(good.d), Catch::Contains("sb_llm_api is smaller"));
    }
  }
}

TEST_CASE("descriptor: the cluster-bus kind needs every function and a 1.6 plugin") {
  Good good;
  sb_cluster_api cluster{sizeof(sb_cluster_api),
                         publish_ok,
                         subscribe_ok,
                         name_ok,
                         publish_ok,
                         subscribe_ok,
                         name_ok,
                         ack_ok,
                         set_put_ok,
                         ack_ok,
                         set_list_ok};
  good.d.kind = SB_KIND_CLUSTER_BUS;
  good.d.kind_api = &cluster;
  good.d.abi_minor = 6;
  CHECK(descriptor_problem(good.d).empty());
  SECTION("not from a plugin written for 1.5, when the kind was only reserved") {
    good.d.abi_minor = 5;
    CHECK_THAT(descriptor_problem(good.d), Catch::Contains("cluster-bus needs ABI 1.6"));
  }
  SECTION("no function may be missing") {
    cluster.stream_ack = nullptr;
    CHECK_THAT(descriptor_problem(good.d), Catch::Contains("sb_cluster_api lacks a function"));
  }
  SECTION("its table is at least the 1.6 size") {
    cluster.struct_size = 16;
    CHECK_THAT(descriptor_problem(good.d), Catch::Contains("sb_cluster_api is smaller"));
  }
}
