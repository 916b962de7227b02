// A function's address as another process of the same program can find it: the loaded module
// it lives in and its offset there, which stay the same across fork, exec and ASLR.
#pragma once

#include <cstdint>

namespace concur::multiprocessing::detail {

struct CodeAddress {
    std::uint32_t module = 0;    // index in the dynamic loader's list of modules
    std::uint32_t name_hash = 0; // of the module's file name, to check the index
    std::uint64_t offset = 0;    // from the module's load address

    template <class Archive>
    void serialize(Archive& archive) {
        archive(module, name_hash, offset);
    }
};

/// The portable form of a code address in this process; ValueError if no module holds it.
CodeAddress code_address(std::uintptr_t address);

/// The address in this process; RuntimeError if this process has no such module.
std::uintptr_t code_pointer(const CodeAddress& where);

/// The portable form of a function pointer.
template <class R, class... A>
CodeAddress code_address(R (*fn)(A...)) {
    return code_address(reinterpret_cast<std::uintptr_t>(fn));
}

/// The function pointer of type Fn at a portable address.
template <class Fn>
Fn function_at(const CodeAddress& where) {
    return reinterpret_cast<Fn>(code_pointer(where));
}

} // namespace concur::multiprocessing::detail
