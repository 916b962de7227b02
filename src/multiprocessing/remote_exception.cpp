#include "concur/multiprocessing/detail/remote_exception.hpp"

#include <cxxabi.h>

#include <cstdlib>
#include <memory>
#include <new>
#include <stdexcept>
#include <system_error>
#include <typeinfo>

#include "concur/core/exceptions.hpp"
#include "concur/multiprocessing/exceptions.hpp"
#include "concur/multiprocessing/reduction.hpp"

namespace concur::multiprocessing::detail {
namespace {

std::string demangle(const std::type_info* type) {
    if (type == nullptr) {
        return "unknown exception";
    }
    int status = 0;
    std::unique_ptr<char, void (*)(void*)> name(
        abi::__cxa_demangle(type->name(), nullptr, nullptr, &status), std::free);
    return status == 0 && name ? std::string(name.get()) : std::string(type->name());
}

struct Record {
    std::string type;
    std::string message;
    int error = 0; // errno of a std::system_error, else 0
    bool has_error = false;
    std::string context;

    template <class Archive>
    void serialize(Archive& archive) {
        archive(type, message, error, has_error, context);
    }
};

template <class E>
std::exception_ptr make(const Record& r) {
    return std::make_exception_ptr(E(r.message));
}

std::exception_ptr rebuild(const Record& r) {
    using Factory = std::exception_ptr (*)(const Record&);
    struct Known {
        std::string_view name;
        Factory factory;
    };
    static constexpr Known kKnown[] = {
        {"std::runtime_error", make<std::runtime_error>},
        {"std::logic_error", make<std::logic_error>},
        {"std::invalid_argument", make<std::invalid_argument>},
        {"std::out_of_range", make<std::out_of_range>},
        {"std::length_error", make<std::length_error>},
        {"std::domain_error", make<std::domain_error>},
        {"std::range_error", make<std::range_error>},
        {"std::overflow_error", make<std::overflow_error>},
        {"std::underflow_error", make<std::underflow_error>},
        {"std::bad_alloc", [](const Record&) { return std::make_exception_ptr(std::bad_alloc()); }},
        {"concur::NotImplementedError", make<NotImplementedError>},
        {"concur::TypeError", make<TypeError>},
        {"concur::KeyError", make<KeyError>},
        {"concur::InvalidStateError", make<InvalidStateError>},
        {"concur::BrokenExecutor", make<BrokenExecutor>},
        {"concur::CancelledError", make<CancelledError>},
        {"concur::KeyboardInterrupt", make<KeyboardInterrupt>},
        {"concur::TimeoutError", make<TimeoutError>},
        {"concur::multiprocessing::ProcessError", make<ProcessError>},
        {"concur::multiprocessing::BufferTooShort", make<BufferTooShort>},
        {"concur::multiprocessing::BrokenProcessPool", make<BrokenProcessPool>},
    };
    for (const Known& k : kKnown) {
        if (k.name == r.type) {
            return k.factory(r);
        }
    }
    // OSError and the subclasses Python picks by errno.
    if (r.has_error && r.type.starts_with("concur::") && r.type.ends_with("Error")) {
        return make_os_error(r.error, r.message);
    }
    if (r.has_error && r.type == "std::system_error") {
        return std::make_exception_ptr(
            std::system_error(r.error, std::generic_category(), r.message));
    }
    return std::make_exception_ptr(RemoteError(r.type, r.message, r.context));
}

Record current_record(std::string_view context) {
    Record r;
    r.type = demangle(abi::__cxa_current_exception_type());
    r.context = std::string(context);
    try {
        throw;
    } catch (const std::system_error& e) {
        r.message = e.what();
        r.error = e.code().value();
        r.has_error = true;
    } catch (const std::exception& e) {
        r.message = e.what();
    } catch (const BaseException& e) {
        r.message = e.what();
    } catch (...) {
    }
    return r;
}

} // namespace

void dump_current_exception(std::string& out, std::string_view context) {
    dump_into(out, current_record(context));
}

std::string describe_current_exception() {
    const Record r = current_record({});
    return r.type + ": " + r.message;
}

std::exception_ptr load_exception(std::string_view record) {
    try {
        return rebuild(loads<Record>(record));
    } catch (const std::exception& e) {
        return std::make_exception_ptr(
            RemoteError("unknown", "a worker's exception could not be read", e.what()));
    }
}

} // namespace concur::multiprocessing::detail
