#include "concur/threading/excepthook.hpp"

#include <mutex>

#include "concur/core/traceback.hpp"
#include "thread_state.hpp"

namespace concur::threading {

namespace {

std::mutex& hook_mutex() {
    static auto* m = new std::mutex();
    return *m;
}

std::shared_ptr<ExceptHook>& hook_slot() {
    static auto* slot = new std::shared_ptr<ExceptHook>();
    return *slot;
}

} // namespace

void default_excepthook(const ExceptHookArgs& args) {
    std::string context = "Exception in thread ";
    // Without a thread, Python names the caller by its identifier.
    context += args.thread ? args.thread->name() : std::to_string(get_ident());
    context += ":";
    log_exception(context, args.exc_value);
}

void set_excepthook(ExceptHook hook) {
    auto slot = hook ? std::make_shared<ExceptHook>(std::move(hook)) : nullptr;
    std::lock_guard lock(hook_mutex());
    hook_slot() = std::move(slot);
}

ExceptHook get_excepthook() {
    std::lock_guard lock(hook_mutex());
    if (hook_slot()) {
        return *hook_slot();
    }
    return default_excepthook;
}

namespace detail {

void report_uncaught(std::exception_ptr exc) {
    ExceptHookArgs args{exception_type_name(exc), exc, current_thread()};
    try {
        get_excepthook()(args);
    } catch (...) {
        log_exception("Exception in threading.excepthook:", std::current_exception());
        default_excepthook(args);
    }
}

} // namespace detail

} // namespace concur::threading
