// A private nginx for the HTTP tests and the flags benchmark: Debian's /usr/sbin/nginx run as a
// child of ours (`daemon off`, killed with us by PR_SET_PDEATHSIG), on 127.0.0.1 and a free
// port, with its config, logs and temp files in a temp dir removed on stop. It serves the flag
// images under /flags/, and test locations (delays, echoes, redirects, statuses).
#pragma once

#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "child_process.hpp"

namespace concur_test {

inline constexpr const char* kFlagsDir = "/usr/share/flags/countries/16x11";
inline constexpr const char* kNginx = "/usr/sbin/nginx";
inline constexpr const char* kEchoModule = "/usr/lib/nginx/modules/ngx_http_echo_module.so";

struct NginxOptions {
    /// Delay of every response under /slow/ (echo_sleep, then the file): 0 for none.
    int delay_ms = 0;
    /// Log each request with its connection serial and its number on that connection.
    bool access_log = true;
    /// More folders to serve: {"/photos/", "/some/dir"} serves /some/dir/x at /photos/x.
    std::vector<std::pair<std::string, std::string>> folders = {};
    /// A WebDAV folder at /dav/ (PUT, DELETE, MKCOL; GET to read back), kept in the temp dir:
    /// an HTTP file store to upload to. dav_dir() is where its files land.
    bool dav = false;
};

class NginxServer {
public:
    explicit NginxServer(NginxOptions options = {}) : options_(options) {
        char tmpl[] = "/tmp/concur-nginx-XXXXXX";
        if (::mkdtemp(tmpl) == nullptr) {
            throw std::runtime_error("mkdtemp failed");
        }
        prefix_ = tmpl;
        std::filesystem::create_directories(prefix_ / "tmp");
        std::filesystem::create_directories(prefix_ / "dav");
        for (int attempt = 0; attempt < 5; ++attempt) {
            port_ = free_port();
            write_config();
            if (launch()) {
                return;
            }
        }
        stop();
        throw std::runtime_error("could not start nginx; see " + (prefix_ / "error.log").string());
    }
    NginxServer(const NginxServer&) = delete;
    NginxServer& operator=(const NginxServer&) = delete;
    ~NginxServer() { stop(); }

    [[nodiscard]] std::string base() const { return "http://127.0.0.1:" + std::to_string(port_); }
    [[nodiscard]] int port() const { return port_; }
    /// The folder behind /dav/ (with NginxOptions::dav).
    [[nodiscard]] std::filesystem::path dav_dir() const { return prefix_ / "dav"; }
    /// The access log: one line per request, "connection requests method uri status".
    [[nodiscard]] std::string access_log() const {
        std::ifstream in(prefix_ / "access.log");
        std::stringstream ss;
        ss << in.rdbuf();
        return ss.str();
    }

    void stop() {
        kill_child();
        if (!prefix_.empty()) {
            std::error_code ec;
            std::filesystem::remove_all(prefix_, ec);
            prefix_.clear();
        }
    }

private:
    void kill_child() {
        stop_child(pid_, SIGQUIT); // graceful: workers finish, then exit
    }

    void write_config() {
        std::ofstream conf(prefix_ / "nginx.conf");
        const std::string p = prefix_.string();
        conf << "load_module " << kEchoModule
             << ";\n"
             // One process, the child we started: if we die it dies (PR_SET_PDEATHSIG) and no
             // orphaned worker is left behind.
             << "master_process off;\n"
             << "worker_processes 1;\n"
             << "pid " << p << "/nginx.pid;\n"
             << "error_log " << p << "/error.log warn;\n"
             << (::geteuid() == 0 ? "user root;\n" : "") << "events { worker_connections 4096; }\n"
             << "http {\n"
             << "  log_format conn '$connection $connection_requests $request_method "
                "$request_uri $status';\n"
             << (options_.access_log ? "  access_log " + p + "/access.log conn;\n"
                                     : "  access_log off;\n")
             << "  sendfile on; tcp_nopush on; tcp_nodelay on;\n"
             << "  keepalive_timeout 60; keepalive_requests 100000;\n"
             << "  types { image/png png; image/jpeg jpg jpeg; image/webp webp; }\n"
             << "  default_type application/octet-stream;\n"
             << "  client_body_temp_path " << p << "/tmp/body;\n"
             << "  proxy_temp_path " << p << "/tmp/proxy;\n"
             << "  fastcgi_temp_path " << p << "/tmp/fastcgi;\n"
             << "  uwsgi_temp_path " << p << "/tmp/uwsgi;\n"
             << "  scgi_temp_path " << p << "/tmp/scgi;\n"
             << "  server {\n"
             << "    listen 127.0.0.1:" << port_ << ";\n"
             << "    location /flags/ { alias " << kFlagsDir
             << "/; }\n"
             // /slow/<path>: <path> after the configured delay.
             << "    location ~ ^/slow/(.*)$ { echo_sleep "
             << static_cast<double>(options_.delay_ms) / 1000.0
             << "; echo_exec /$1; }\n"
             // /sleep?s=N: "slept" after N seconds, for timeouts and cancellation.
             << "    location = /sleep { echo_sleep $arg_s; echo slept; }\n"
             // /drip: a first line at once, the second after ?s= seconds (sock_read).
             << "    location = /drip { echo first; echo_flush; echo_sleep $arg_s; echo second; }\n"
             << "    location = /echo { echo_read_request_body; echo_request_body; }\n"
             << "    location = /meta { echo \"$request_method|$content_type|$http_x_test|$args\"; "
                "}\n"
             << "    location = /auth { echo \"$http_authorization\"; }\n"
             << "    location = /redirect { return 302 /flags/br.png; }\n"
             << "    location = /loop { return 302 /loop; }\n"
             << "    location = /status/500 { return 500 'oops'; }\n"
             << "    location = /json { default_type application/json; "
                "return 200 '{\"name\": \"concur\", \"n\": [1, 2, 3]}'; }\n";
        for (const auto& [where, folder] : options_.folders) {
            conf << "    location " << where << " { alias " << folder << "/; }\n";
        }
        if (options_.dav) {
            conf << "    location /dav/ { alias " << p
                 << "/dav/; dav_methods PUT DELETE MKCOL; create_full_put_path on; "
                    "client_max_body_size 0; }\n";
        }
        conf << "  }\n"
             << "}\n";
    }

    bool launch() {
        const std::string p = prefix_.string();
        const std::string conf = p + "/nginx.conf";
        const std::string err = p + "/error.log";
        pid_ = start_server({kNginx, "-p", p, "-c", conf, "-e", err, "-g", "daemon off;"});
        if (wait_listening(pid_, port_, std::chrono::seconds(5))) {
            return true;
        }
        kill_child();
        return false;
    }

    NginxOptions options_;
    std::filesystem::path prefix_;
    int port_ = 0;
    pid_t pid_ = -1;
};

} // namespace concur_test
