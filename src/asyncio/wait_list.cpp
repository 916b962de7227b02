#include "concur/asyncio/detail/wait_list.hpp"

#include "concur/core/exceptions.hpp"

namespace concur::asyncio::detail {

WaitList::~WaitList() {
    for (WaitNode* node = head_; node != nullptr;) {
        WaitNode* next = node->next_;
        node->prev_ = node->next_ = nullptr;
        node->list_ = nullptr;
        node->orphaned_ = true;
        node = next;
    }
}

std::exception_ptr cancelled_error_of(const PromiseBase& task) {
    const std::string* message = task.cancel_message();
    return std::make_exception_ptr(CancelledError(message != nullptr ? *message : ""));
}

void LoopBound::throw_different_loop(const std::string& repr) {
    throw RuntimeError(repr + " is bound to a different event loop");
}

} // namespace concur::asyncio::detail
