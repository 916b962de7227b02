// multiprocessing.reduction: how values travel between processes. Python pickles; concur
// serialises with cereal's binary archive, so "picklable" means "cereal can serialise it".
#pragma once

#include <cstddef>
#include <cstring>
#include <istream>
#include <ostream>
#include <streambuf>
#include <string>
#include <string_view>
#include <type_traits>

#include <cereal/archives/binary.hpp>
#include <cereal/types/array.hpp>
#include <cereal/types/chrono.hpp>
#include <cereal/types/map.hpp>
#include <cereal/types/memory.hpp>
#include <cereal/types/optional.hpp>
#include <cereal/types/set.hpp>
#include <cereal/types/string.hpp>
#include <cereal/types/tuple.hpp>
#include <cereal/types/unordered_map.hpp>
#include <cereal/types/unordered_set.hpp>
#include <cereal/types/utility.hpp>
#include <cereal/types/variant.hpp>
#include <cereal/types/vector.hpp>

namespace concur::multiprocessing {

using OutputArchive = cereal::BinaryOutputArchive;
using InputArchive = cereal::BinaryInputArchive;

/// True for types that can be sent to another process: cereal can save and load them
/// (standard containers, arithmetic types, and classes with serialize() or save()/load()).
template <class T>
concept Picklable = std::is_void_v<T> ||
    (cereal::traits::is_output_serializable<T, OutputArchive>::value&&
         cereal::traits::is_input_serializable<T, InputArchive>::value);

/// Instantiating this with a type that cannot be sent names the type in the compiler's error.
template <class T>
struct must_be_picklable {
    static_assert(Picklable<T>,
                  "concur::multiprocessing: this type cannot be sent to another process: give it "
                  "a cereal serialize(Archive&) member (or save/load), or send something that has "
                  "one (see the type in the instantiation of must_be_picklable<T> below)");
    static constexpr bool value = true;
};

namespace detail {

/// A stream buffer appending to a std::string: what cereal writes through, without the
/// copies and locale work of std::ostringstream.
class StringSink final : public std::streambuf {
public:
    explicit StringSink(std::string& out) : out_(out) {}

protected:
    std::streamsize xsputn(const char* s, std::streamsize n) override {
        out_.append(s, static_cast<std::size_t>(n));
        return n;
    }
    int_type overflow(int_type ch) override {
        if (!traits_type::eq_int_type(ch, traits_type::eof())) {
            out_.push_back(traits_type::to_char_type(ch));
        }
        return traits_type::not_eof(ch);
    }

private:
    std::string& out_;
};

/// A stream buffer reading a byte range in place.
class ViewSource final : public std::streambuf {
public:
    explicit ViewSource(std::string_view in) {
        char* p = const_cast<char*>(in.data()); // NOLINT: std::streambuf's API is non-const
        setg(p, p, p + in.size());
    }
};

} // namespace detail

/// Appends the serialised form of each value to `out`.
template <class... T>
void dump_into(std::string& out, const T&... values) {
    static_assert((must_be_picklable<T>::value && ...));
    detail::StringSink sink(out);
    std::ostream stream(&sink);
    OutputArchive archive(stream);
    archive(values...);
}

/// The serialised form of `value` (Python's pickle.dumps).
template <class T>
std::string dumps(const T& value) {
    std::string out;
    dump_into(out, value);
    return out;
}

/// The value serialised in `data` (Python's pickle.loads). Throws cereal::Exception if the
/// data is cut short.
template <class T>
T loads(std::string_view data) {
    static_assert(must_be_picklable<T>::value);
    detail::ViewSource source(data);
    std::istream stream(&source);
    InputArchive archive(stream);
    T value{};
    archive(value);
    return value;
}

} // namespace concur::multiprocessing
