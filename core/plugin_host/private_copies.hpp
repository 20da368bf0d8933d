// Where plugin libraries are mapped from. Internal.
//
// The host never maps a file of the plugin directory itself: an operator who writes
// over a loaded plugin (`cp new.so plugins/x.so` truncates it and writes it again in
// the same inode) would change the pages of code that is running, and the server
// would die of SIGBUS or run garbage. Each load copies the file first, into a
// directory of the host's own, under a name used once, and maps the copy; nobody
// writes the copy again, and it is removed when the library is unloaded. So
// writing over, truncating or deleting the plugin directory's file never touches
// running code: it is only a new file for the next scan.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

#include "plugin_host/file_identity.hpp"

namespace sb::plugin_host {

class PrivateCopies {
 public:
  // dir: a directory this host owns alone (the server's is in its data dir, under
  // the data dir's lock); whatever is in it when the first copy is made is left
  // from an earlier run (a crash, kill -9) and is removed. Empty: a new directory
  // under the system's temporary directory, made at the first copy.
  explicit PrivateCopies(std::filesystem::path dir);
  // Removes the directory with whatever is still in it.
  ~PrivateCopies();
  PrivateCopies(const PrivateCopies&) = delete;
  PrivateCopies& operator=(const PrivateCopies&) = delete;

  // Creates the directory, removing an earlier run's copies first (counted in
  // leftovers); false and why when it cannot. make() calls it too; once it
  // succeeded it does nothing.
  bool prepare(std::string& error, size_t* leftovers = nullptr);

  struct Copy {
    std::filesystem::path path;  // the private copy; empty when there is none
    FileIdentity source;         // the file copied, as it was while it was read
    std::string error;           // why there is no copy
    // The file changed while it was read (still being written): no copy, and no
    // refusal either; the next scan looks at it again.
    bool source_changed = false;
  };
  // Copies the file into a new file of the directory (mode 0500, never opened for
  // writing again).
  Copy make(const std::filesystem::path& file);

  // Removes the directory and every copy in it, mapped or not (a mapped library
  // keeps its pages: the kernel frees the inode when it is unmapped). For a
  // process about to end without unloading its plugins (the server's stop).
  void remove_all();

  // Where the copies are ("" before the first copy of a temporary directory).
  const std::filesystem::path& dir() const { return dir_; }

 private:
  std::filesystem::path dir_;
  bool temporary_;
  bool prepared_ = false;
  uint64_t copies_made_ = 0;  // numbers each copy's name
};

}  // namespace sb::plugin_host
