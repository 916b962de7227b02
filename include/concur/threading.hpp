// concur::threading: Python's threading module.
#pragma once

#include "concur/threading/event.hpp"
#include "concur/threading/excepthook.hpp"
#include "concur/threading/lock.hpp"
#include "concur/threading/thread.hpp"
#include "concur/threading/timer.hpp"
