// concur::http: an HTTP client on the asyncio loop (aiohttp) and a blocking facade (requests),
// both on libcurl.
#pragma once

#include "concur/http/blocking.hpp"
#include "concur/http/exceptions.hpp"
#include "concur/http/headers.hpp"
#include "concur/http/options.hpp"
#include "concur/http/response.hpp"
#include "concur/http/session.hpp"
