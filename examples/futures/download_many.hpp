// A stand-in for the network of the flags examples: "downloading" a flag takes a little
// while, and a few country codes are missing on the server.
#pragma once

#include <chrono>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

inline const std::vector<std::string> POP20_CC = {"CN", "IN", "US", "ID", "BR", "PK", "NG",
                                                  "BD", "RU", "JP", "MX", "PH", "VN", "ET",
                                                  "EG", "DE", "IR", "TR", "CD", "FR"};

/// Fetches one flag: 100 ms of "network", a 404 for the codes the server lacks.
inline std::string download_one(const std::string& cc) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    if (cc == "CD" || cc == "ET") {
        throw std::runtime_error("404 Not Found: " + cc);
    }
    return cc.substr(0, 1) + "-flag-bytes-" + cc;
}
