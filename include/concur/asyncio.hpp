// concur::asyncio: Python's asyncio.
#pragma once

#include "concur/asyncio/async_generator.hpp"
#include "concur/asyncio/coroutine.hpp"
#include "concur/asyncio/events.hpp"
#include "concur/asyncio/future.hpp"
#include "concur/asyncio/gather.hpp"
#include "concur/asyncio/runners.hpp"
#include "concur/asyncio/sleep.hpp"
#include "concur/asyncio/task.hpp"
#include "concur/asyncio/taskgroups.hpp"
#include "concur/asyncio/testing.hpp"
#include "concur/asyncio/threads.hpp"
#include "concur/asyncio/timeouts.hpp"
#include "concur/asyncio/wait.hpp"
#include "concur/asyncio/wait_for.hpp"
