// Search latency on one tenant with 1,000,000 stored messages (issue 11: p95 <= 50 ms).
// Not a test: built with the unit tests, run by hand (tests/bench/RESULTS.md).
//
// 1. Creates the tenant's file through the plugin (so it has the plugin's schema,
//    FTS5 index and triggers), closes it.
// 2. Inserts N messages straight into that file in one transaction, through the
//    same triggers that keep the index on every append (faster than N appends over
//    the ABI, which bench_storage_sqlite measures; the index ends up the same).
//    Texts are mixed Chinese and English sentences from a fixed-seed generator.
// 3. Opens the file with the plugin again and times each query of a fixed set
//    through the ABI search call (queue, reader thread, snippet, JSON), several
//    rounds, and prints p50/p95/max per query class and overall.
// Usage: bench_search_sqlite [messages=1000000] [rounds=20] [dir=temp]
#include <sqlite3.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <string>
#include <vector>

#include "storage_harness.hpp"

using namespace storage_test;

namespace {

struct Rng {  // xorshift64*: the same sequence on every machine
  uint64_t s = 0x9E3779B97F4A7C15ull;
  uint64_t next() {
    s ^= s >> 12;
    s ^= s << 25;
    s ^= s >> 27;
    return s * 2685821657736338717ull;
  }
  size_t pick(size_t n) { return static_cast<size_t>(next() % n); }
};

const std::vector<std::string> kZhStart = {"您好，",     "请问",       "我想问一下", "麻烦帮我看看",
                                           "客服你好，", "不好意思，", "我昨天",     "刚才",
                                           "上周",       "你们"};
const std::vector<std::string> kZhMiddle = {"买的蓝牙耳机一直连不上手机",
                                            "订单号还没有发货",
                                            "退款申请已经提交了三天",
                                            "发票抬头写错了需要重开",
                                            "收到的快递包装破损",
                                            "会员积分没有到账",
                                            "优惠券无法使用",
                                            "商品颜色和图片不一样",
                                            "物流信息一直没有更新",
                                            "想把收货地址改到北京",
                                            "充电器插上去没有反应",
                                            "屏幕出现了一条竖线",
                                            "账号登录不上去",
                                            "支付的时候提示余额不足",
                                            "尺码偏小想换大一号",
                                            "客服电话一直打不通",
                                            "安装师傅什么时候上门",
                                            "保修期内可以免费维修吗",
                                            "产品说明书丢了",
                                            "能不能开增值税专用发票"};
const std::vector<std::string> kZhEnd = {"，怎么办？", "，谢谢。", "，请尽快处理。", "。", "，急！",
                                         "，麻烦了。", "吗？",     "，等你们回复。"};
const std::vector<std::string> kEnWords = {
    "order",   "refund",  "shipping", "delivery",  "invoice", "account", "password", "payment",
    "headset", "charger", "screen",   "warranty",  "address", "coupon",  "package",  "tracking",
    "please",  "thanks",  "today",    "yesterday", "broken",  "missing", "wrong",    "size",
    "color",   "replace", "cancel",   "support",   "help",    "urgent",  "number",   "email"};

std::string sentence(Rng& rng) {
  if (rng.pick(10) < 6) {
    std::string s = kZhStart[rng.pick(kZhStart.size())] + kZhMiddle[rng.pick(kZhMiddle.size())];
    if (rng.pick(4) == 0) s += "，" + kZhMiddle[rng.pick(kZhMiddle.size())];
    if (rng.pick(5) == 0) s += " order " + std::to_string(100000 + rng.pick(900000));
    return s + kZhEnd[rng.pick(kZhEnd.size())];
  }
  std::string s = "Hi,";
  const size_t words = 5 + rng.pick(12);
  for (size_t i = 0; i < words; ++i) s += " " + kEnWords[rng.pick(kEnWords.size())];
  if (rng.pick(5) == 0) s += " #" + std::to_string(100000 + rng.pick(900000));
  return s + (rng.pick(2) ? "." : "?");
}

void check(int rc, sqlite3* db, const char* what) {
  if (rc != SQLITE_OK && rc != SQLITE_DONE) {
    std::fprintf(stderr, "%s: %s\n", what, sqlite3_errmsg(db));
    std::exit(1);
  }
}

void populate(const std::string& file, int64_t count) {
  sqlite3* db = nullptr;
  check(sqlite3_open(file.c_str(), &db), db, "open");
  check(sqlite3_exec(db, "PRAGMA synchronous = OFF; BEGIN", nullptr, nullptr, nullptr), db,
        "begin");
  sqlite3_stmt* insert = nullptr;
  check(sqlite3_prepare_v2(db,
                           "INSERT INTO messages (conversation_id, seq, message_id, sender_role, "
                           "sender_id, sender_name, client_msg_id, text, ts_ms, flags) VALUES "
                           "(?1, ?2, ?3, ?4, ?5, ?6, '', ?7, ?8, 0)",
                           -1, &insert, nullptr),
        db, "prepare");
  Rng rng;
  const int64_t per_conversation = 100;
  const int64_t start_ms = 1700000000000;
  for (int64_t i = 0; i < count; ++i) {
    const std::string cid = "conv-" + std::to_string(i / per_conversation);
    const int64_t seq = i % per_conversation + 1;
    const std::string mid = cid + "-" + std::to_string(seq);
    const bool visitor = seq % 2 == 1;
    const std::string text = sentence(rng);
    sqlite3_bind_text(insert, 1, cid.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(insert, 2, seq);
    sqlite3_bind_text(insert, 3, mid.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(insert, 4, visitor ? "visitor" : "agent", -1, SQLITE_STATIC);
    sqlite3_bind_text(insert, 5, visitor ? "v" : "dana", -1, SQLITE_STATIC);
    sqlite3_bind_text(insert, 6, visitor ? "Visitor" : "Dana", -1, SQLITE_STATIC);
    sqlite3_bind_text(insert, 7, text.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(insert, 8, start_ms + i * 1000);
    check(sqlite3_step(insert), db, "insert");
    sqlite3_reset(insert);
  }
  sqlite3_finalize(insert);
  // The plugin indexes each message as it appends it; rows loaded behind its back
  // are indexed in one go, and the search mark (schema.cpp, version 9) says so:
  // else the writer would index them all again when the plugin opens the file.
  check(sqlite3_exec(db,
                     "INSERT INTO messages_fts (messages_fts) VALUES ('rebuild'); UPDATE "
                     "search_mark SET indexed_upto = (SELECT max(rowid) FROM messages)",
                     nullptr, nullptr, nullptr),
        db, "index");
  check(sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr), db, "commit");
  sqlite3_close(db);
}

double percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<size_t>(p * v.size()))];
}

}  // namespace

int main(int argc, char** argv) {
  const int64_t count = argc > 1 ? std::atoll(argv[1]) : 1000000;
  const int rounds = argc > 2 ? std::atoi(argv[2]) : 20;
  TempDir temp;
  const std::string dir = argc > 3 ? argv[3] : temp.str();
  { Storage create(dir); }
  const std::string file = dir + "/switchboard.db";
  auto t0 = std::chrono::steady_clock::now();
  populate(file, count);
  const double load_s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::printf("inserted %lld messages (indexed in one rebuild) in %.1f s\n",
              static_cast<long long>(count), load_s);

  // class, query
  const std::vector<std::pair<std::string, std::string>> queries = {
      {"zh-mid-phrase", "蓝牙耳机"},
      {"zh-mid-phrase", "连不上手机"},
      {"zh-mid-phrase", "增值税专用"},
      {"zh-mid-phrase", "没有到账"},
      {"zh-mid-phrase", "收货地址改到北京"},
      {"zh-rare", "竖线，账号"},
      {"zh-absent", "蓝牙鼠标"},
      {"en-word", "refund"},
      {"en-word", "WARRANTY"},
      {"en-phrase", "broken screen"},
      {"en-rare", "order 123456"},
      {"en-absent", "xylophone"},
      {"number", "654321"},
      {"short-2", "退款"},
      {"short-2", "ok"},
      {"mixed", "北京 order"},
      // Not in ALL: a frequent word limited to the oldest conversation walks that
      // word's hits newest first until it gets there (the filters' worst case).
      {"filtered-worst", "refund\",\"conversation_id\":\"conv-0"},
      {"filtered-worst", "蓝牙耳机\",\"conversation_id\":\"conv-0"},
  };
  std::map<std::string, std::vector<double>> by_class;
  std::vector<double> all;
  Storage storage(dir);
  for (int round = 0; round < rounds + 1; ++round) {
    for (const auto& [cls, q] : queries) {
      const std::string query = "{\"q\":\"" + q + "\",\"limit\":20}";
      const auto start = std::chrono::steady_clock::now();
      Completion c = Storage::wait(storage.search(query));
      const double ms =
          std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
              .count();
      if (!c.ok()) {
        std::fprintf(stderr, "query %s failed: %s\n", q.c_str(), c.error.c_str());
        return 1;
      }
      if (round == 0) {  // a warm-up round, not counted; shows what each query finds
        const size_t hits = std::count(c.result.begin(), c.result.end(), '{') / 2;
        std::printf("  %-14s %-24s ~%zu hits on the first page, %.2f ms (warm-up)\n", cls.c_str(),
                    q.c_str(), hits, ms);
        continue;
      }
      by_class[cls].push_back(ms);
      if (cls != "filtered-worst") all.push_back(ms);
    }
  }
  for (const auto& [cls, v] : by_class)
    std::printf("%-14s n=%-4zu p50=%.2f ms p95=%.2f ms max=%.2f ms\n", cls.c_str(), v.size(),
                percentile(v, 0.5), percentile(v, 0.95), *std::max_element(v.begin(), v.end()));
  std::printf("ALL            n=%-4zu p50=%.2f ms p95=%.2f ms max=%.2f ms\n", all.size(),
              percentile(all, 0.5), percentile(all, 0.95),
              *std::max_element(all.begin(), all.end()));
  return 0;
}
