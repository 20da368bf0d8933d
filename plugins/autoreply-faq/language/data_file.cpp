#include "data_file.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <charconv>

namespace switchboard::faq {
namespace {

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

}  // namespace

DataFile::DataFile(const std::filesystem::path& file) {
  const int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return;
  ok_ = true;
  struct stat info {};
  if (::fstat(fd, &info) == 0 && S_ISDIR(info.st_mode)) {
    ::close(fd);
    return;  // nothing to read, as std::ifstream finds
  }
  if (S_ISREG(info.st_mode) && info.st_size > 0) {
    // MAP_POPULATE: the page tables are filled at once rather than a fault per page.
    void* mapped = ::mmap(nullptr, static_cast<std::size_t>(info.st_size), PROT_READ,
                          MAP_PRIVATE | MAP_POPULATE, fd, 0);
    if (mapped != MAP_FAILED) {
      ::close(fd);
      mapping_ = mapped;
      mapping_size_ = static_cast<std::size_t>(info.st_size);
      text_ = std::string_view(static_cast<const char*>(mapped), mapping_size_);
      return;
    }
  }
  char buffer[1 << 16];
  for (;;) {
    const ssize_t got = ::read(fd, buffer, sizeof buffer);
    if (got <= 0) break;  // the end, or an error: what was read so far
    copy_.append(buffer, static_cast<std::size_t>(got));
  }
  ::close(fd);
  text_ = copy_;
}

DataFile::~DataFile() {
  if (mapping_) ::munmap(mapping_, mapping_size_);
}

bool next_line(std::string_view& text, std::string_view& line) {
  if (text.empty()) return false;
  const auto end = text.find('\n');
  line = text.substr(0, end);
  text.remove_prefix(end == std::string_view::npos ? text.size() : end + 1);
  return true;
}

std::string_view next_field(std::string_view& line) {
  std::size_t start = 0;
  while (start < line.size() && is_space(line[start])) ++start;
  std::size_t end = start;
  while (end < line.size() && !is_space(line[end])) ++end;
  const auto field = line.substr(start, end - start);
  line.remove_prefix(end);
  return field;
}

bool parse_number(std::string_view field, double& value) {
  if (field.empty()) return false;
  const char* first = field.data();
  const char* last = field.data() + field.size();
  if (*first == '+') {  // istream accepts a plus sign, from_chars does not
    ++first;
    if (first == last || *first == '-') return false;
  }
  const auto [end, error] = std::from_chars(first, last, value);
  return error == std::errc() && end == last;
}

}  // namespace switchboard::faq
