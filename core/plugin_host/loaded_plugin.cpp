#include "plugin_host/loaded_plugin.hpp"

#include <dlfcn.h>
#include <elf.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>

#include <cstring>
#include <exception>
#include <fstream>
#include <vector>

#include "plugin_host/descriptor_check.hpp"
#include "plugin_host/host_api.hpp"

namespace sb::plugin_host {

namespace {

std::shared_ptr<const PluginSchema> schema_of(const sb_plugin_descriptor& d) {
  auto schema = std::make_shared<PluginSchema>(PluginSchema{d.name, d.kind, {}});
  for (size_t i = 0; i < d.config_key_count; ++i) {
    const sb_config_key& key = config_key_at(d, i);
    schema->keys.emplace_back(key.name, key.type);
  }
  return schema;
}

// dlopen maps a library's segments from the file as its headers give them; a file
// cut short (a copy or a build interrupted, then renamed into place, or a cp over
// the plugin seen between two of its writes) has segments that reach past its end,
// and touching those pages raises SIGBUS: the whole server died with the plugin it
// was only trying. So the headers are checked against the file's size first (the
// private copy's, which nothing writes any more). Not an ELF file, or another
// class than the host's: left to dlopen, which refuses those with its own words.
std::string cut_short(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  Elf64_Ehdr header{};
  if (!in.read(reinterpret_cast<char*>(&header), sizeof header)) return {};
  if (std::memcmp(header.e_ident, ELFMAG, SELFMAG) != 0 || header.e_ident[EI_CLASS] != ELFCLASS64)
    return {};
  std::error_code ec;
  const uint64_t size = std::filesystem::file_size(file, ec);
  if (ec) return {};
  const auto too_short = [&](uint64_t needed) {
    return "the file is cut short: " + std::to_string(size) + " bytes where its headers need " +
           std::to_string(needed) + " (an interrupted copy or build? install it whole, by rename)";
  };
  const uint64_t program_headers_end =
      header.e_phoff + uint64_t{header.e_phnum} * sizeof(Elf64_Phdr);
  if (header.e_phentsize != sizeof(Elf64_Phdr) || program_headers_end > size)
    return too_short(program_headers_end);
  std::vector<Elf64_Phdr> segments(header.e_phnum);
  in.seekg(static_cast<std::streamoff>(header.e_phoff));
  if (!in.read(reinterpret_cast<char*>(segments.data()),
               static_cast<std::streamsize>(segments.size() * sizeof(Elf64_Phdr))))
    return too_short(program_headers_end);
  for (const auto& segment : segments)
    if (segment.p_offset + segment.p_filesz > size)
      return too_short(segment.p_offset + segment.p_filesz);
  if (header.e_shoff != 0) {
    const uint64_t sections_end = header.e_shoff + uint64_t{header.e_shnum} * header.e_shentsize;
    if (sections_end > size) return too_short(sections_end);
  }
  return {};
}

}  // namespace

LoadedPlugin::~LoadedPlugin() {
  if (retired_logger)
    retired_logger->info("unloading plugin {} {} (generation {}, {}): no instance uses it any more",
                         info.name, info.version, info.generation, info.path);
  library.unload();
  std::error_code ignored;
  if (!copy.empty()) std::filesystem::remove(copy, ignored);
}

FileIdentity identity_of_stat(const struct stat& st) {
  return FileIdentity{static_cast<uint64_t>(st.st_dev), static_cast<uint64_t>(st.st_ino),
                      static_cast<int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec,
                      static_cast<int64_t>(st.st_size)};
}

FileIdentity identity_of(const std::filesystem::path& file) {
  struct stat st {};
  if (::stat(file.c_str(), &st) != 0) return {};
  return identity_of_stat(st);
}

std::shared_ptr<LoadedPlugin> load_plugin(const std::filesystem::path& file, PrivateCopies& copies,
                                          LoadRefusal& refusal) {
  auto copy = copies.make(file);
  if (copy.path.empty()) {
    refusal.why = copy.error;
    refusal.still_changing = copy.source_changed;
    return nullptr;
  }
  auto plugin = std::make_shared<LoadedPlugin>();
  plugin->file = copy.source;
  plugin->copy = copy.path;
  if (refusal.why = cut_short(plugin->copy); !refusal.why.empty()) return nullptr;
  boost::dll::fs::error_code ec;
  // RTLD_NOW: a missing symbol refuses the plugin now, not mid-call. RTLD_LOCAL: one
  // plugin's symbols never satisfy another's.
  plugin->library.load(plugin->copy, ec,
                       boost::dll::load_mode::rtld_now | boost::dll::load_mode::rtld_local);
  if (ec) {
    // Boost.DLL reports every dlopen failure as one error code; dlerror() says why.
    const char* why = dlerror();
    refusal.why = std::string("not a loadable library: ") + (why ? why : ec.message().c_str());
    // The copy's file system may forbid running code (mounted noexec).
    if (refusal.why.find("failed to map segment") != std::string::npos)
      refusal.why += " (the server maps plugins from " + copies.dir().string() +
                     ": is that file system mounted noexec?)";
    return nullptr;
  }
  if (!plugin->library.has(SB_ENTRY_SYMBOL)) {
    refusal.why = "not a Switchboard plugin: no " SB_ENTRY_SYMBOL " symbol";
    return nullptr;
  }

  const sb_plugin_descriptor* descriptor = nullptr;
  try {
    auto& entry =
        plugin->library.get<const sb_plugin_descriptor*(const sb_host_api*)>(SB_ENTRY_SYMBOL);
    descriptor = entry(host_api());
  } catch (const std::exception& e) {
    refusal.why = std::string(SB_ENTRY_SYMBOL " threw: ") + e.what();
    return nullptr;
  } catch (...) {
    refusal.why = SB_ENTRY_SYMBOL " threw an exception";
    return nullptr;
  }
  if (!descriptor) {
    refusal.why = SB_ENTRY_SYMBOL " returned no descriptor (the plugin declined this host)";
    return nullptr;
  }

  // struct_size, abi_major and abi_minor sit at the same offsets in every version.
  refusal.plugin_abi = std::make_pair(descriptor->abi_major, descriptor->abi_minor);
  refusal.why = descriptor_problem(*descriptor);
  if (!refusal.why.empty()) return nullptr;

  plugin->descriptor = descriptor;
  plugin->info = PluginInfo{descriptor->name, descriptor->version,   file.string(),
                            descriptor->kind, descriptor->abi_major, descriptor->abi_minor};
  plugin->schema = schema_of(*descriptor);
  return plugin;
}

}  // namespace sb::plugin_host
