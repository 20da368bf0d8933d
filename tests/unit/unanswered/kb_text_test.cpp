// Edits of a knowledge-base file's text: everything but the change stays as written.
#include "api/kb_text.hpp"

#include <catch2/catch.hpp>

using namespace sb::api;

namespace {

constexpr const char* kFile = R"(# Our answers
[[entries]]
id = "hours"
questions = ["When are you open?", "营业时间"]  # both languages
answer = "9 to 5."

[[entries]]
id = "shipping"
questions = [
  "Where do you ship?",
  "配送范围",  # last, with a trailing comma
]
answer = { en = "Everywhere.", zh = "全球。" }
)";

}  // namespace

TEST_CASE("a question is added after an entry's last one, comments and layout kept") {
  std::string why;
  auto out = kb_with_question(kFile, "hours", "Are you open on \"Sunday\"?", why);
  REQUIRE(out);
  CHECK(*out == std::string(kFile).replace(
                    std::string(kFile).find("\"营业时间\"") + std::string("\"营业时间\"").size(), 0,
                    R"(, 'Are you open on "Sunday"?')"));
  CHECK(kb_entry_questions(*out, "hours") ==
        std::vector<std::string>{"When are you open?", "营业时间", "Are you open on \"Sunday\"?"});

  out = kb_with_question(kFile, "shipping", "能送到火星吗", why);
  REQUIRE(out);
  CHECK_THAT(*out,
             Catch::Contains("  \"配送范围\", '能送到火星吗',  # last, with a trailing comma\n]"));
  CHECK(kb_entry_questions(*out, "shipping").back() == "能送到火星吗");

  CHECK_FALSE(kb_with_question(kFile, "nope", "x", why));
  CHECK_THAT(why, Catch::Contains("nope"));
  CHECK_FALSE(kb_with_question("not = [toml", "hours", "x", why));
}

TEST_CASE("a new entry is appended as TOML the loader reads back") {
  NewKbEntry entry{
      "mars", {"Do you ship to Mars?"}, {{"en", "Not yet."}, {"zh", "暂不。"}}, {"shipping"}};
  const auto out = kb_with_entry(kFile, entry);
  CHECK(out.starts_with(kFile));
  CHECK(kb_entry_ids(out) == std::vector<std::string>{"hours", "shipping", "mars"});
  CHECK(kb_entry_questions(out, "mars") == std::vector<std::string>{"Do you ship to Mars?"});
  CHECK_THAT(out, Catch::Contains("answer = { en = 'Not yet.', zh = '暂不。' }"));
  // A plain answer with a newline and quotes stays one valid string.
  NewKbEntry plain{"p", {"q?"}, {{"", "Line one\nLine \"two\""}}, {}};
  CHECK(kb_entry_ids(kb_with_entry("", plain)) == std::vector<std::string>{"p"});
}

TEST_CASE(
    "a dismissed question joins not_for_bot before the entries, removed, it leaves no trace") {
  std::string why;
  auto once = kb_with_not_for_bot(kFile, "Can I return it to Amazon?", why);
  REQUIRE(once);
  // A top-level key before the first table, the rest as written.
  const std::string header = "[[entries]]\nid = \"hours\"";
  CHECK(*once == std::string(kFile).insert(
                     std::string(kFile).find(header),
                     "# Questions an admin dismissed: the bot leaves messages like them alone.\n"
                     "not_for_bot = ['Can I return it to Amazon?']\n\n"));
  auto twice = kb_with_not_for_bot(*once, "淘宝怎么退款", why);
  REQUIRE(twice);
  CHECK_THAT(*twice,
             Catch::Contains("not_for_bot = ['Can I return it to Amazon?', '淘宝怎么退款']\n"));
  CHECK(kb_not_for_bot(*twice) ==
        std::vector<std::string>{"Can I return it to Amazon?", "淘宝怎么退款"});
  CHECK(kb_entry_ids(*twice) == std::vector<std::string>{"hours", "shipping"});

  // Out again, first or last, with its comma.
  auto without_first = kb_without_not_for_bot(*twice, 0, why);
  REQUIRE(without_first);
  CHECK_THAT(*without_first, Catch::Contains("not_for_bot = ['淘宝怎么退款']\n"));
  auto without_last = kb_without_not_for_bot(*twice, 1, why);
  REQUIRE(without_last);
  CHECK(*without_last == *once);
  auto empty = kb_without_not_for_bot(*once, 0, why);
  REQUIRE(empty);
  CHECK(kb_not_for_bot(*empty).empty());
  CHECK_FALSE(kb_without_not_for_bot(*empty, 0, why));
  // An empty list is filled in place.
  auto refilled = kb_with_not_for_bot(*empty, "Amazon?", why);
  REQUIRE(refilled);
  CHECK(kb_not_for_bot(*refilled) == std::vector<std::string>{"Amazon?"});

  // A file of comments only: appended at the end.
  auto bare = kb_with_not_for_bot("# nothing yet", "Amazon?", why);
  REQUIRE(bare);
  CHECK(kb_not_for_bot(*bare) == std::vector<std::string>{"Amazon?"});
  CHECK_FALSE(kb_with_not_for_bot("not toml [", "Amazon?", why));
  CHECK_FALSE(kb_with_not_for_bot("not_for_bot = 3\n", "Amazon?", why));
}
