// A private S3-compatible store for the Thumbnail Maker's tests: npm's s3rver (installed by
// scripts/install-deps.sh) run by node as a child of ours (killed with us by PR_SET_PDEATHSIG),
// on 127.0.0.1 and a free port, with its buckets in a temp dir removed on stop.
//
// s3rver 3.7.1 checks the access key (an unknown one: 403 InvalidAccessKeyId) and that a SigV4
// request has x-amz-content-sha256, but not the signature itself: any secret key is accepted.
#pragma once

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "nginx_server.hpp" // free_port, can_connect
#include "thumbnail_maker/tool/s3.hpp"

namespace concur_test {

inline constexpr const char* kS3rverPrefix = "/usr/local/lib/concur-s3rver";
inline constexpr const char* kS3rverScript =
    "/usr/local/lib/concur-s3rver/node_modules/s3rver/bin/s3rver.js";

class S3Server {
public:
    /// The keys s3rver's one account has (its built-in S3RVER/S3RVER).
    static constexpr const char* kAccessKey = "S3RVER";
    static constexpr const char* kSecretKey = "S3RVER";

    /// Starts s3rver with these buckets, empty. Throws std::runtime_error when s3rver is not
    /// installed or does not answer within 10 s.
    explicit S3Server(std::vector<std::string> buckets = {"test-bucket"})
        : buckets_(std::move(buckets)) {
        if (!std::filesystem::exists(kS3rverScript)) {
            throw std::runtime_error(std::string("s3rver is not installed (no ") + kS3rverScript +
                                     "): run scripts/install-deps.sh");
        }
        char tmpl[] = "/tmp/concur-s3rver-XXXXXX";
        if (::mkdtemp(tmpl) == nullptr) {
            throw std::runtime_error("mkdtemp failed");
        }
        dir_ = tmpl;
        for (int attempt = 0; attempt < 5; ++attempt) {
            port_ = free_port();
            if (launch()) {
                return;
            }
        }
        const std::string log = read_log();
        stop();
        throw std::runtime_error("could not start s3rver with node (scripts/install-deps.sh "
                                 "installs both); its log: " +
                                 log);
    }
    S3Server(const S3Server&) = delete;
    S3Server& operator=(const S3Server&) = delete;
    ~S3Server() { stop(); }

    [[nodiscard]] std::string endpoint() const {
        return "http://127.0.0.1:" + std::to_string(port_);
    }
    [[nodiscard]] int port() const { return port_; }
    [[nodiscard]] const std::string& bucket() const { return buckets_.front(); }
    /// Where s3rver keeps the objects (its own file layout).
    [[nodiscard]] std::filesystem::path data_dir() const { return dir_ / "data"; }

    /// A configuration for the client that reaches this server with its keys.
    [[nodiscard]] thumbnail_maker::s3::Config config() const {
        return {.endpoint = endpoint(),
                .region = "us-east-1",
                .access_key = kAccessKey,
                .secret_key = kSecretKey,
                .session_token = ""};
    }

    /// Stores an object directly (a signed PUT through the client).
    void put(const std::string& key, const std::string& bytes,
             const std::string& bucket_name = {}) const {
        thumbnail_maker::s3::put_object(config(), bucket_name.empty() ? bucket() : bucket_name, key,
                                        bytes, "application/octet-stream", 10);
    }
    /// Stores a file's bytes as an object.
    void put_file(const std::string& key, const std::filesystem::path& file,
                  const std::string& bucket_name = {}) const {
        std::ifstream in(file, std::ios::binary);
        if (!in) {
            throw std::runtime_error("cannot read " + file.string());
        }
        std::stringstream ss;
        ss << in.rdbuf();
        put(key, ss.str(), bucket_name);
    }

    void stop() {
        kill_child();
        if (!dir_.empty()) {
            std::error_code ec;
            std::filesystem::remove_all(dir_, ec);
            dir_.clear();
        }
    }

private:
    [[nodiscard]] std::string read_log() const {
        std::ifstream in(dir_ / "s3rver.log");
        std::stringstream ss;
        ss << in.rdbuf();
        return ss.str();
    }

    void kill_child() { stop_child(pid_, SIGTERM); }

    bool launch() {
        // The arguments, built before fork: the child only execs.
        // s3rver makes its ListObjectsV2 continuation tokens with DES, which OpenSSL 3 keeps in
        // its legacy provider: without it every truncated listing is a 500.
        std::vector<std::string> args = {"node",
                                         "--openssl-legacy-provider",
                                         kS3rverScript,
                                         "--directory",
                                         (dir_ / "data").string(),
                                         "--address",
                                         "127.0.0.1",
                                         "--port",
                                         std::to_string(port_),
                                         "--silent",
                                         "--no-vhost-buckets"};
        for (const auto& b : buckets_) {
            args.emplace_back("--configure-bucket");
            args.push_back(b);
        }
        pid_ = start_server(std::move(args), (dir_ / "s3rver.log").string());
        // node takes a moment to load s3rver: up to 10 s.
        if (wait_listening(pid_, port_, std::chrono::seconds(10))) {
            return true;
        }
        kill_child();
        return false;
    }

    std::vector<std::string> buckets_;
    std::filesystem::path dir_;
    int port_ = 0;
    pid_t pid_ = -1;
};

} // namespace concur_test
