// getaddrinfo/getnameinfo off the loop (Python's loop.getaddrinfo, loop.getnameinfo), on
// numeric names only, so that no test depends on a DNS server.
#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "concur/asyncio.hpp"

namespace {

namespace asyncio = concur::asyncio;

TEST(Resolver, ANumericAddressResolvesToItself) {
    const std::vector<asyncio::AddrInfo> r = asyncio::run(asyncio::getaddrinfo(
        "127.0.0.1", "8080",
        {.family = AF_INET, .type = SOCK_STREAM, .flags = AI_NUMERICHOST | AI_NUMERICSERV}));
    ASSERT_EQ(r.size(), 1U);
    EXPECT_EQ(r[0].family, AF_INET);
    EXPECT_EQ(r[0].type, SOCK_STREAM);
    ASSERT_EQ(r[0].address_length, sizeof(sockaddr_in));
    const auto* in = reinterpret_cast<const sockaddr_in*>(&r[0].address);
    EXPECT_EQ(ntohs(in->sin_port), 8080);
    EXPECT_EQ(ntohl(in->sin_addr.s_addr), INADDR_LOOPBACK);
}

TEST(Resolver, AnEmptyHostWithPassiveIsTheWildcard) {
    const auto r = asyncio::run(asyncio::getaddrinfo(
        "", "0", {.family = AF_INET6, .type = SOCK_STREAM, .flags = AI_PASSIVE}));
    ASSERT_FALSE(r.empty());
    const auto* in6 = reinterpret_cast<const sockaddr_in6*>(&r[0].address);
    EXPECT_TRUE(IN6_IS_ADDR_UNSPECIFIED(&in6->sin6_addr));
}

TEST(Resolver, AnUnresolvableNameIsAGaierror) {
    try {
        asyncio::run(asyncio::getaddrinfo("not-a-number", "80", {.flags = AI_NUMERICHOST}));
        FAIL() << "no exception";
    } catch (const asyncio::gaierror& e) {
        EXPECT_EQ(e.code().value(), EAI_NONAME);
        EXPECT_NE(std::string(e.what()).find("Errno"), std::string::npos);
    }
}

TEST(Resolver, AGaierrorIsAnOSError) {
    EXPECT_THROW(asyncio::run(asyncio::getaddrinfo("", "")), concur::OSError)
        << "neither host nor service";
}

TEST(Resolver, GetnameinfoGivesHostAndService) {
    sockaddr_storage address{};
    auto* in = reinterpret_cast<sockaddr_in*>(&address);
    in->sin_family = AF_INET;
    in->sin_port = htons(4242);
    in->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    const auto [host, service] = asyncio::run(
        asyncio::getnameinfo(address, sizeof(sockaddr_in), NI_NUMERICHOST | NI_NUMERICSERV));
    EXPECT_EQ(host, "127.0.0.1");
    EXPECT_EQ(service, "4242");
}

} // namespace
