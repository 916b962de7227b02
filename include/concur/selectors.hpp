// concur::selectors: Python's selectors module, on epoll, and the Waker of the event loop.
#pragma once

#include "concur/selectors/base_selector.hpp"
#include "concur/selectors/epoll_selector.hpp"
#include "concur/selectors/poll_selector.hpp"
#include "concur/selectors/waker.hpp"
