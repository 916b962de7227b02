#include "concur/core/traceback.hpp"

#include <cstdlib>
#include <cxxabi.h>
#include <memory>
#include <typeinfo>
#include <unistd.h>

#include "concur/core/exceptions.hpp"

namespace concur {

namespace {

std::string demangle(const char* mangled) {
    int status = 0;
    std::unique_ptr<char, void (*)(void*)> name(
        abi::__cxa_demangle(mangled, nullptr, nullptr, &status), std::free);
    return status == 0 && name ? std::string(name.get()) : std::string(mangled);
}

} // namespace

std::string exception_type_name(const std::exception_ptr& exc) {
    if (!exc) {
        return {};
    }
    try {
        std::rethrow_exception(exc);
    } catch (const std::exception& e) {
        return demangle(typeid(e).name()); // the dynamic type: std::exception is polymorphic
    } catch (const BaseException& e) {
        return demangle(typeid(e).name());
    } catch (...) {
        const std::type_info* type = abi::__cxa_current_exception_type();
        return type != nullptr ? demangle(type->name()) : std::string("unknown exception");
    }
}

std::string exception_message(const std::exception_ptr& exc) {
    if (!exc) {
        return {};
    }
    try {
        std::rethrow_exception(exc);
    } catch (const std::exception& e) {
        return e.what();
    } catch (const BaseException& e) {
        return e.what();
    } catch (...) {
        return {};
    }
}

std::string format_exception(const std::exception_ptr& exc) {
    std::string text = exception_type_name(exc);
    std::string message = exception_message(exc);
    if (!message.empty()) {
        text += ": ";
        text += message;
    }
    return text;
}

void log_exception(std::string_view context, const std::exception_ptr& exc) {
    std::string text(context);
    if (!text.empty() && text.back() != '\n') {
        text += '\n';
    }
    if (exc) {
        text += format_exception(exc);
        text += '\n';
    }
    // One write(2) per report keeps reports from concurrent threads whole.
    const char* p = text.data();
    std::size_t left = text.size();
    while (left > 0) {
        const ssize_t n = ::write(STDERR_FILENO, p, left);
        if (n <= 0) {
            return;
        }
        p += n;
        left -= static_cast<std::size_t>(n);
    }
}

} // namespace concur
