// Little-endian binary records for the caches bi-ask reads for every question (model.bin,
// lexicon.bin): numbers as their bytes, strings length-prefixed, read back in place.
#pragma once

#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace bi::detail {

class bin_writer {
public:
    template <typename T>
    void num(T v) { s_.append(reinterpret_cast<const char*>(&v), sizeof v); }
    void str(std::string_view v) {
        num(static_cast<std::uint32_t>(v.size()));
        s_.append(v);
    }
    void strs(const std::vector<std::string>& v) {
        num(static_cast<std::uint32_t>(v.size()));
        for (auto& x : v) str(x);
    }
    std::string& bytes() { return s_; }

private:
    std::string s_;
};

/// Reads what bin_writer wrote; every read past the end throws std::out_of_range, so a file
/// cut short or damaged in a length is caught (its checksum is checked first, too).
class bin_reader {
public:
    bin_reader(const char* p, const char* end) : p_(p), end_(end) {}
    template <typename T>
    T num() {
        T v{};
        need(sizeof v);
        std::memcpy(&v, p_, sizeof v);
        p_ += sizeof v;
        return v;
    }
    std::string_view view() {
        auto n = num<std::uint32_t>();
        need(n);
        std::string_view v(p_, n);
        p_ += n;
        return v;
    }
    std::string str() { return std::string(view()); }
    std::vector<std::string> strs() {
        auto n = num<std::uint32_t>();
        expect(n, 4);  // each at least its length
        std::vector<std::string> v;
        v.reserve(n);
        for (std::uint32_t i = 0; i < n; ++i) v.emplace_back(view());
        return v;
    }
    /// `n` items of `size` bytes each, in place; moves past them.
    const char* take(std::size_t n, std::size_t size) {
        if (size && n > static_cast<std::size_t>(end_ - p_) / size) throw std::out_of_range("binary record cut short");
        auto at = p_;
        p_ += n * size;
        return at;
    }
    /// Throws unless `n` records of at least `least` bytes each can follow (before sizing a
    /// vector by a count read from the file).
    void expect(std::size_t n, std::size_t least) const {
        if (least && n > static_cast<std::size_t>(end_ - p_) / least) throw std::out_of_range("binary record cut short");
    }
    bool done() const { return p_ == end_; }

private:
    void need(std::size_t n) const {
        if (static_cast<std::size_t>(end_ - p_) < n) throw std::out_of_range("binary record cut short");
    }
    const char* p_;
    const char* end_;
};

}  // namespace bi::detail
