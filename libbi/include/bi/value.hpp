// A single SQL value as it travels between the database, dumps and answers.
#pragma once

#include <compare>
#include <cstdint>
#include <string>
#include <variant>

namespace bi {

/// Bytes of a BLOB, kept apart from text so the two never mix.
struct blob {
    std::string bytes;
    auto operator<=>(const blob&) const = default;
};

/// NULL, INTEGER, REAL, TEXT or BLOB, exactly as SQLite has them.
using value = std::variant<std::monostate, std::int64_t, double, std::string, blob>;

inline bool is_null(const value& v) { return std::holds_alternative<std::monostate>(v); }
inline bool is_number(const value& v) {
    return std::holds_alternative<std::int64_t>(v) || std::holds_alternative<double>(v);
}
/// The numeric value of an INTEGER or REAL; 0 for anything else.
inline double as_double(const value& v) {
    if (auto i = std::get_if<std::int64_t>(&v)) return static_cast<double>(*i);
    if (auto d = std::get_if<double>(&v)) return *d;
    return 0.0;
}

}  // namespace bi
