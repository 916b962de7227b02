#include "concur/multiprocessing/detail/code_address.hpp"

#include <link.h>

#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "concur/core/exceptions.hpp"

namespace concur::multiprocessing::detail {
namespace {

struct Module {
    std::uintptr_t base;
    std::uintptr_t begin; // the lowest and highest addresses of its loaded segments
    std::uintptr_t end;
    std::uint32_t name_hash;
};

std::uint32_t hash_name(std::string_view name) noexcept {
    std::uint32_t h = 2166136261U; // FNV-1a
    for (const char c : name) {
        h = (h ^ static_cast<unsigned char>(c)) * 16777619U;
    }
    return h;
}

int collect(dl_phdr_info* info, std::size_t /*size*/, void* data) {
    auto& modules = *static_cast<std::vector<Module>*>(data);
    Module m{info->dlpi_addr, UINTPTR_MAX, 0, hash_name(info->dlpi_name ? info->dlpi_name : "")};
    for (int i = 0; i < info->dlpi_phnum; ++i) {
        const auto& ph = info->dlpi_phdr[i];
        if (ph.p_type == PT_LOAD) {
            const std::uintptr_t lo = info->dlpi_addr + ph.p_vaddr;
            m.begin = std::min(m.begin, lo);
            m.end = std::max(m.end, static_cast<std::uintptr_t>(lo + ph.p_memsz));
        }
    }
    modules.push_back(m);
    return 0;
}

// The module list changes only with dlopen/dlclose: it is read again on a miss.
class ModuleTable {
public:
    template <class Fn>
    auto with(bool refresh, Fn&& fn) {
        std::lock_guard lock(mutex_);
        if (refresh || modules_.empty()) {
            modules_.clear();
            dl_iterate_phdr(collect, &modules_);
        }
        return fn(modules_);
    }

private:
    std::mutex mutex_;
    std::vector<Module> modules_;
};

ModuleTable& table() {
    static ModuleTable instance;
    return instance;
}

bool find(const std::vector<Module>& modules, std::uintptr_t address, CodeAddress& out) {
    for (std::size_t i = 0; i < modules.size(); ++i) {
        const Module& m = modules[i];
        if (address >= m.begin && address < m.end) {
            out = {static_cast<std::uint32_t>(i), m.name_hash, address - m.base};
            return true;
        }
    }
    return false;
}

bool locate(const std::vector<Module>& modules, const CodeAddress& where, std::uintptr_t& out) {
    auto at = [&](std::size_t i) {
        out = modules[i].base + where.offset;
        return true;
    };
    if (where.module < modules.size() && modules[where.module].name_hash == where.name_hash) {
        return at(where.module);
    }
    for (std::size_t i = 0; i < modules.size(); ++i) {
        if (modules[i].name_hash == where.name_hash) {
            return at(i);
        }
    }
    return false;
}

} // namespace

CodeAddress code_address(std::uintptr_t address) {
    CodeAddress out;
    if (table().with(false, [&](const auto& m) { return find(m, address, out); }) ||
        table().with(true, [&](const auto& m) { return find(m, address, out); })) {
        return out;
    }
    throw ValueError("cannot send a function at " + std::to_string(address) +
                     " to another process: it is in no loaded module");
}

std::uintptr_t code_pointer(const CodeAddress& where) {
    std::uintptr_t out = 0;
    if (table().with(false, [&](const auto& m) { return locate(m, where, out); }) ||
        table().with(true, [&](const auto& m) { return locate(m, where, out); })) {
        return out;
    }
    throw RuntimeError("a function sent by another process is in a module this process has not "
                       "loaded (module #" +
                       std::to_string(where.module) + ")");
}

} // namespace concur::multiprocessing::detail
