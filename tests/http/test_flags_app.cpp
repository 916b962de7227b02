// The flags application (apps/flags) against nginx: each mode downloads every flag, counts the
// missing ones, saves the files byte for byte; network errors are listed and set the status.
#include <sys/wait.h>

#include <cstdio>

#include "helpers.hpp"

#ifdef CONCUR_FLAGS_APP

using concur_test::nginx;

namespace {
struct AppRun {
    int status = -1;
    std::string output; // stdout and stderr
};

AppRun run_flags(const std::string& args) {
    // Under ASan, tests/http/lsan.supp (OpenSSL's per-thread state); ignored otherwise.
    const std::string cmd = std::string("LSAN_OPTIONS=suppressions=") + CONCUR_HTTP_LSAN_SUPP +
                            " " + CONCUR_FLAGS_APP + " " + args + " 2>&1";
    AppRun run;
    std::FILE* p = ::popen(cmd.c_str(), "r");
    char buf[4096];
    std::size_t n = 0;
    while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) {
        run.output.append(buf, n);
    }
    const int raw = ::pclose(p);
    run.status = WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
    return run;
}

class TempDir {
public:
    TempDir() {
        char tmpl[] = "/tmp/concur-flags-XXXXXX";
        path_ = ::mkdtemp(tmpl);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    ~TempDir() { std::filesystem::remove_all(path_); }
    [[nodiscard]] const std::string& path() const { return path_; }

private:
    std::string path_;
};

class FlagsApp : public testing::TestWithParam<const char*> {};
} // namespace

TEST_P(FlagsApp, DownloadsEveryFlagAndCountsTheMissing) {
    TempDir dest;
    // --all asks for every two-letter code: the 247 flags there are, and 429 that are not.
    const AppRun run = run_flags("--all --no-progress -c 10 --mode " + std::string(GetParam()) +
                                 " --base-url " + nginx().base() + "/flags --dest " + dest.path());
    EXPECT_EQ(run.status, 0) << run.output;
    const auto ccs = concur_test::country_codes();
    EXPECT_NE(run.output.find(std::to_string(ccs.size()) + " flags downloaded."), std::string::npos)
        << run.output;
    EXPECT_NE(run.output.find(std::to_string(26 * 26 - ccs.size()) + " not found."),
              std::string::npos)
        << run.output;
    EXPECT_EQ(run.output.find("error"), std::string::npos) << run.output;
    std::size_t files = 0;
    for (const auto& e : std::filesystem::directory_iterator(dest.path())) {
        const std::string name = e.path().filename().string();
        EXPECT_EQ(concur_test::read_file(e.path().string()),
                  concur_test::read_file(std::string(concur_test::kFlagsDir) + "/" + name))
            << name;
        ++files;
    }
    EXPECT_EQ(files, ccs.size()); // no temporary file left behind
}

TEST_P(FlagsApp, ListsNetworkErrorsAndFails) {
    TempDir dest;
    const std::string dead = "http://127.0.0.1:" + std::to_string(concur_test::free_port());
    const AppRun run = run_flags("br cn in --no-progress --mode " + std::string(GetParam()) +
                                 " --base-url " + dead + " --dest " + dest.path());
    EXPECT_EQ(run.status, 1) << run.output;
    EXPECT_NE(run.output.find("0 flags downloaded."), std::string::npos) << run.output;
    EXPECT_NE(run.output.find("3 errors."), std::string::npos) << run.output;
    for (const char* cc : {"br", "cn", "in"}) {
        EXPECT_NE(run.output.find(std::string("*** Error for ") + cc + ": cannot connect"),
                  std::string::npos)
            << run.output;
    }
}

TEST_P(FlagsApp, ShowsPlainProgressLinesWhenNotOnATerminal) {
    TempDir dest;
    const AppRun run = run_flags("br cn --mode " + std::string(GetParam()) + " --base-url " +
                                 nginx().base() + "/flags --dest " + dest.path());
    EXPECT_EQ(run.status, 0) << run.output;
    EXPECT_NE(run.output.find("2/2 ["), std::string::npos) << run.output;
    EXPECT_EQ(run.output.find('\r'), std::string::npos) << run.output;
}

INSTANTIATE_TEST_SUITE_P(Modes, FlagsApp, testing::Values("sequential", "threads", "asyncio"));

#endif
