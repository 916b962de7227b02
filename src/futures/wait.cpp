#include "concur/futures/wait.hpp"

namespace concur::futures::detail {

std::vector<char> wait_states(std::vector<FutureStateBase*> states, const Deadline& deadline,
                              ReturnWhen return_when) {
    const std::size_t total = states.size();
    std::vector<char> done(total, 0);
    if (total == 0) {
        return done;
    }
    MultiWaiter waiter(std::move(states));
    std::size_t n_done = 0;
    bool raised = false;
    std::vector<std::size_t> finished;
    // The first take() returns at once if some were done already.
    for (;;) {
        const bool enough = (return_when == ReturnWhen::kFirstCompleted && n_done > 0) ||
                            (return_when == ReturnWhen::kFirstException && raised) ||
                            n_done == total;
        if (enough) {
            break;
        }
        finished.clear();
        if (!waiter.take(finished, deadline)) {
            break; // timed out
        }
        for (const std::size_t i : finished) {
            done[i] = 1;
            ++n_done;
            const FutureStateBase* state = waiter.state(i);
            raised =
                raised || (state->status() == FutureStateBase::kFinished && state->has_exception());
        }
    }
    // A future's status turns done a moment before its waiters are told (publish() tells them
    // after its compare-exchange). Count every future done by now, so that one known to have
    // finished first (before a future in `done` that waited for it) is never reported not done.
    for (std::size_t i = 0; i < total; ++i) {
        if (done[i] == 0 && waiter.state(i)->done()) {
            done[i] = 1;
        }
    }
    return done;
}

} // namespace concur::futures::detail
