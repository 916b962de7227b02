#include "concur/futures/detail/multi_waiter.hpp"

namespace concur::futures::detail {

void MultiWaiter::Node::on_done(FutureStateBase& /*future*/) noexcept {
    // Runs with the future's list lock held; MultiWaiter never takes a list lock while holding
    // its own mutex, so the two cannot deadlock.
    {
        std::lock_guard lock(owner->mutex_);
        owner->finished_.push_back(index);
    }
    owner->changed_.notify_one();
}

MultiWaiter::MultiWaiter(std::vector<FutureStateBase*> states)
    : states_(std::move(states)), nodes_(new Node[states_.size()]), registered_(states_.size(), 0) {
    std::vector<std::size_t> already;
    for (std::size_t i = 0; i < states_.size(); ++i) {
        nodes_[i].owner = this;
        nodes_[i].index = i;
        if (states_[i]->add_listener(&nodes_[i])) {
            registered_[i] = 1;
        } else {
            already.push_back(i);
        }
    }
    // Those done before we looked come first, in input order, ahead of any that finished
    // while we were registering.
    std::lock_guard lock(mutex_);
    finished_.insert(finished_.begin(), already.begin(), already.end());
}

MultiWaiter::~MultiWaiter() {
    for (std::size_t i = 0; i < states_.size(); ++i) {
        if (registered_[i] != 0) {
            states_[i]->remove_listener(&nodes_[i]);
        }
    }
}

bool MultiWaiter::take(std::vector<std::size_t>& out, const Deadline& deadline) {
    std::unique_lock lock(mutex_);
    auto ready = [this] { return !finished_.empty(); };
    if (deadline.is_never()) {
        changed_.wait(lock, ready);
    } else if (!changed_.wait_until(lock, deadline.when(), ready)) {
        return false;
    }
    out.insert(out.end(), finished_.begin(), finished_.end());
    finished_.clear();
    return true;
}

} // namespace concur::futures::detail
