// concur's core: exceptions, timeouts, generators and the small utilities every module builds
// on.
#pragma once

#include "concur/core/exceptions.hpp"
#include "concur/core/futex.hpp"
#include "concur/core/generator.hpp"
#include "concur/core/large_memory.hpp"
#include "concur/core/outcome.hpp"
#include "concur/core/slot_pool.hpp"
#include "concur/core/spin.hpp"
#include "concur/core/timeout.hpp"
#include "concur/core/traceback.hpp"
#include "concur/core/unique_function.hpp"
