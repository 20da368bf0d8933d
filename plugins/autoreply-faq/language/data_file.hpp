#pragma once
// Reading the language data files (the jieba dictionary and word weights, WordNet):
// a whole file as one string_view, then its lines and whitespace-separated fields as
// string_views into it, so that parsing allocates nothing per line or field.
#include <filesystem>
#include <string>
#include <string_view>

namespace switchboard::faq {

// A file's bytes, mapped into memory (read from the page cache without a copy) for
// as long as the object lives; read into a string when it cannot be mapped (a pipe).
// A directory reads as empty, as std::ifstream reads it. The files are Debian's, which
// dpkg replaces by renaming a new file over the old, never by rewriting one in place,
// so a mapping never sees one change under it.
class DataFile {
 public:
  explicit DataFile(const std::filesystem::path& file);
  ~DataFile();
  DataFile(const DataFile&) = delete;
  DataFile& operator=(const DataFile&) = delete;

  // False when the file could not be opened.
  bool ok() const { return ok_; }
  std::string_view text() const { return text_; }

 private:
  bool ok_ = false;
  void* mapping_ = nullptr;
  std::size_t mapping_size_ = 0;
  std::string copy_;  // when not mapped
  std::string_view text_;
};

// The next line of text (without its '\n'), taken off the front of text; false at the
// end.
bool next_line(std::string_view& text, std::string_view& line);

// The next field of a line, as istream's >> into a std::string reads it: leading
// whitespace skipped, then up to the next whitespace; "" when the line has no more.
std::string_view next_field(std::string_view& line);

// A field read as istream's >> into a double reads a whole one: false unless the
// whole field is a number.
bool parse_number(std::string_view field, double& value);

}  // namespace switchboard::faq
