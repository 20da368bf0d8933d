// Files (ABI 1.2 blob functions): durable before the id is answered, invisible and
// uncounted until their row commits, swept when an upload never completed, and the
// attachments a message carries.
#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <fstream>

#include "storage_harness.hpp"

using namespace storage_test;
namespace json = boost::json;
namespace fs = std::filesystem;

namespace {

// Every regular file under data_dir/attachments, temp files included.
std::vector<fs::path> files_under(const fs::path& data_dir) {
  std::vector<fs::path> out;
  for (const auto& entry : fs::recursive_directory_iterator(data_dir / "attachments"))
    if (entry.is_regular_file()) out.push_back(entry.path());
  return out;
}

json::value result_json(const Call& call) {
  const Completion c = Storage::wait(call);
  INFO(c.error);
  REQUIRE(c.ok());
  return c.result.empty() ? json::value() : json::parse(c.result);
}

int64_t total_bytes(Storage& s) {
  return result_json(s.blob_usage()).at("total_bytes").as_int64();
}

void write_file(const fs::path& path, const std::string& bytes, bool old) {
  fs::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary) << bytes;
  // Older than the sweep's minimum age, as a file left by a crash long ago is.
  if (old) fs::last_write_time(path, fs::file_time_type::clock::now() - std::chrono::hours(1));
}

}  // namespace

TEST_CASE("a stored file is in place on disk, readable, described and counted") {
  TempDir dir;
  Storage s(dir.str());
  const std::string bytes("\x89PNG\r\n\x1a\n\0binary", 16);
  const auto put = result_json(s.blob_put("att_1", bytes, R"({"name":"a.png"})"));
  CHECK(put.at("stored").as_bool());
  CHECK(put.at("size").as_int64() == 16);
  CHECK(put.at("total_bytes").as_int64() == 16);

  // Completed means the file is in its final place, not in tmp/ (storage-sqlite
  // keeps files on disk; storage-postgres keeps them in their row).
  if (!backend_is_postgres()) {
    const auto files = files_under(dir.path());
    REQUIRE(files.size() == 1);
    CHECK(files[0].filename() == "att_1");
    CHECK(files[0].parent_path().parent_path().parent_path() == dir.path() / "attachments");
  }

  const Completion got = Storage::wait(s.blob_get("att_1"));
  REQUIRE(got.ok());
  CHECK(got.result == bytes);
  const auto meta = result_json(s.blob_meta("att_1"));
  CHECK(meta.at("id") == "att_1");
  CHECK(meta.at("size").as_int64() == 16);
  CHECK(meta.at("meta").at("name") == "a.png");
  CHECK(meta.at("created_at").as_int64() > 0);
  const auto usage = result_json(s.blob_usage());
  CHECK(usage.at("total_bytes").as_int64() == 16);
  CHECK(usage.at("count").as_int64() == 1);

  SECTION("absent files answer empty") {
    CHECK(Storage::wait(s.blob_get("att_none")).result.empty());
    CHECK(Storage::wait(s.blob_meta("att_none")).result.empty());
  }
  SECTION("an id already stored, an empty file and a bad id are refused") {
    CHECK(Storage::wait(s.blob_put("att_1", "other")).status == SB_ERROR);
    CHECK(Storage::wait(s.blob_get("att_1")).result == bytes);
    CHECK(Storage::wait(s.blob_put("att_2", "")).status == SB_REFUSED);
    CHECK(Storage::wait(s.blob_put("../escape", "x")).status == SB_REFUSED);
    CHECK(Storage::wait(s.blob_put("att_3", "x", "[1]")).status == SB_REFUSED);
    CHECK(total_bytes(s) == 16);
  }
  SECTION("a deleted file stops counting and leaves the disk") {
    CHECK(Storage::wait(s.blob_delete("att_1")).ok());
    CHECK(total_bytes(s) == 0);
    if (!backend_is_postgres()) CHECK(files_under(dir.path()).empty());
    CHECK(Storage::wait(s.blob_get("att_1")).result.empty());
  }
}

TEST_CASE("files survive a reopen: they were durable when the put completed") {
  TempDir dir;
  {
    Storage s(dir.str());
    CHECK(result_json(s.blob_put("att_a", "first file")).at("stored").as_bool());
    CHECK(result_json(s.blob_put("att_b", "second")).at("stored").as_bool());
  }
  Storage again(dir.str());
  CHECK(Storage::wait(again.blob_get("att_a")).result == "first file");
  CHECK(Storage::wait(again.blob_get("att_b")).result == "second");
  CHECK(total_bytes(again) == 16);
}

TEST_CASE("max_total_bytes refuses a file that would pass it, and nothing of it stays") {
  TempDir dir;
  Storage s(dir.str());
  CHECK(result_json(s.blob_put("att_1", std::string(60, 'a'), "{}", 100)).at("stored").as_bool());
  const auto refused = result_json(s.blob_put("att_2", std::string(41, 'b'), "{}", 100));
  CHECK_FALSE(refused.at("stored").as_bool());
  CHECK(refused.at("total_bytes").as_int64() == 60);
  CHECK(Storage::wait(s.blob_get("att_2")).result.empty());
  if (!backend_is_postgres()) CHECK(files_under(dir.path()).size() == 1);
  CHECK(Storage::wait(s.blob_meta("att_2")).result.empty());
  // Exactly up to the limit is fine.
  CHECK(result_json(s.blob_put("att_3", std::string(40, 'c'), "{}", 100)).at("stored").as_bool());
  CHECK(total_bytes(s) == 100);
}

TEST_CASE("leftovers of an interrupted upload are never visible nor counted, and are swept",
          "[sqlite]") {
  TempDir dir;
  fs::path stored_file;
  {
    Storage s(dir.str());
    CHECK(result_json(s.blob_put("att_kept", "kept")).at("stored").as_bool());
    stored_file = files_under(dir.path()).at(0);
  }
  // What a kill -9 leaves: a temp file mid-write, and a file renamed into place
  // whose row never committed (same directory layout as a stored one).
  const fs::path temp = dir.path() / "attachments" / "tmp" / "att_x.1-0.tmp";
  const fs::path orphan = stored_file.parent_path() / "att_orphan";
  const fs::path young_orphan = stored_file.parent_path() / "att_young";
  write_file(temp, "half a fi", true);
  write_file(orphan, "no row", true);
  write_file(young_orphan, "in flight elsewhere", false);

  Storage s(dir.str());
  CHECK_FALSE(fs::exists(temp));
  CHECK_FALSE(fs::exists(orphan));
  // Possibly another instance's upload in flight (a reload): left alone, but not
  // visible or counted either.
  CHECK(fs::exists(young_orphan));
  CHECK(Storage::wait(s.blob_get("att_young")).result.empty());
  CHECK(fs::exists(stored_file));
  CHECK(Storage::wait(s.blob_get("att_kept")).result == "kept");
  const auto usage = result_json(s.blob_usage());
  CHECK(usage.at("total_bytes").as_int64() == 4);
  CHECK(usage.at("count").as_int64() == 1);
  CHECK(s.log_lines("removed 2 file(s)").size() == 1);
}

TEST_CASE("a message keeps its attachments and load_messages gives them back") {
  TempDir dir;
  Storage s(dir.str());
  Message with;
  with.text = "";
  with.attachments_json =
      R"([{"id":"att_1","name":"a.png","content_type":"image/png","size":3,"thumbnail":true}])";
  CHECK(Storage::wait(s.append(with)).ok());
  Message plain;
  plain.seq = 2;
  CHECK(Storage::wait(s.append(plain)).ok());
  Message broken;
  broken.seq = 3;
  broken.attachments_json = "{not json";
  CHECK(Storage::wait(s.append(broken)).status == SB_REFUSED);

  const auto messages = result_json(s.load("c1", 0, 0, 10)).at("messages").as_array();
  REQUIRE(messages.size() == 2);
  CHECK(messages[0].at("attachments").at(0).at("id") == "att_1");
  CHECK(messages[0].at("attachments").at(0).at("thumbnail") == true);
  CHECK_FALSE(messages[1].as_object().contains("attachments"));
}
