// CPU-bound work in a ProcessPoolExecutor: the sha384 of each text, with map.
#include <concur/futures/process_pool_executor.hpp>
#include <concur/multiprocessing.hpp>

#include <openssl/sha.h>

#include <cstdio>
#include <string>
#include <vector>

namespace mp = concur::multiprocessing;

std::string generate_hash(std::string text) {
    unsigned char digest[SHA384_DIGEST_LENGTH];
    SHA384(reinterpret_cast<const unsigned char*>(text.data()), text.size(), digest);
    std::string hex;
    char byte[3];
    for (const unsigned char b : digest) {
        std::snprintf(byte, sizeof byte, "%02x", b);
        hex += byte;
    }
    return hex;
}

int main(int argc, char** argv) {
    mp::freeze_support(argc, argv);
    const std::vector<std::string> texts{"this is good", "text is good"};
    concur::futures::ProcessPoolExecutor executor;
    auto hashes = executor.map(generate_hash, texts);
    auto text = texts.begin();
    for (const std::string& hash_t : hashes) {
        std::printf("%s hash is: %s\n", (text++)->c_str(), hash_t.c_str());
    }
}
