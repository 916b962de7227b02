// progress::tqdm and Bar: counts, totals, the bar and the plain lines, written to a memory file.
#include <concur/progress.hpp>

#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <list>
#include <string>
#include <vector>

namespace progress = concur::progress;
using namespace std::chrono_literals;

namespace {
// A FILE* writing to memory: what was drawn, read back after fclose().
class MemFile {
public:
    MemFile() : file_(::open_memstream(&buf_, &size_)) {}
    MemFile(const MemFile&) = delete;
    MemFile& operator=(const MemFile&) = delete;
    ~MemFile() {
        close();
        std::free(buf_);
    }
    std::FILE* get() const noexcept { return file_; }
    std::string text() {
        close();
        return std::string(buf_, size_);
    }

private:
    void close() {
        if (file_ != nullptr) {
            std::fclose(file_);
            file_ = nullptr;
        }
    }
    char* buf_ = nullptr;
    std::size_t size_ = 0;
    std::FILE* file_;
};

std::size_t count(const std::string& s, const std::string& what) {
    std::size_t n = 0;
    for (auto pos = s.find(what); pos != std::string::npos; pos = s.find(what, pos + 1)) {
        ++n;
    }
    return n;
}
} // namespace

TEST(Progress, WrapsAVectorAndCountsEveryItem) {
    MemFile out;
    std::vector<int> items{1, 2, 3, 4};
    int sum = 0;
    {
        progress::tqdm bar(items, {.desc = "items", .file = out.get(), .dynamic = false});
        for (int& i : bar) {
            sum += i;
        }
        EXPECT_EQ(bar.bar().n(), 4U);
        EXPECT_EQ(bar.bar().format().rfind("items: 100%|", 0), 0U) << bar.bar().format();
    }
    EXPECT_EQ(sum, 10);
    const std::string text = out.text();
    // Plain lines (not a terminal): no carriage return, a final line with the total.
    EXPECT_EQ(text.find('\r'), std::string::npos);
    EXPECT_NE(text.find("4/4"), std::string::npos) << text;
    EXPECT_NE(text.find("it/s]"), std::string::npos) << text;
}

TEST(Progress, PlainLinesAreRateLimited) {
    MemFile out;
    {
        progress::Bar bar({.total = 1000,
                           .file = out.get(),
                           .dynamic = false,
                           .line_interval = std::chrono::hours(1)});
        for (int i = 0; i < 1000; ++i) {
            bar.update();
        }
    }
    // Nothing while counting (the interval never passed), one final line.
    EXPECT_EQ(count(out.text(), "\n"), 1U);
}

TEST(Progress, DrawsABarInPlaceOnATerminal) {
    MemFile out;
    {
        progress::Bar bar({.total = 8,
                           .desc = "dl",
                           .unit = "flag",
                           .file = out.get(),
                           .dynamic = true,
                           .mininterval = 0s});
        EXPECT_TRUE(bar.dynamic());
        for (int i = 0; i < 4; ++i) {
            bar.update();
        }
        EXPECT_NE(bar.format().find(" 50%|"), std::string::npos) << bar.format();
        bar.write("a message");
        bar.update(4);
    }
    const std::string text = out.text();
    EXPECT_GE(count(text, "\r"), 5U);
    EXPECT_NE(text.find("a message\n"), std::string::npos);
    EXPECT_NE(text.find("100%|█████████████████████████| 8/8"), std::string::npos) << text;
    EXPECT_NE(text.find("flag/s]"), std::string::npos);
    EXPECT_EQ(text.back(), '\n'); // leave=true keeps the final bar
}

TEST(Progress, UnknownTotalShowsACount) {
    MemFile out;
    std::list<int> items{1, 2, 3};
    {
        progress::Bar bar({.file = out.get(), .dynamic = false});
        bar.update(3);
        EXPECT_EQ(bar.format().rfind("3it [", 0), 0U) << bar.format();
    }
}

TEST(Progress, DisabledDrawsNothing) {
    MemFile out;
    {
        progress::Bar bar({.total = 3, .file = out.get(), .disable = true});
        bar.update(3);
        bar.write("hidden");
    }
    EXPECT_EQ(out.text(), "");
}
