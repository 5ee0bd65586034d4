// How values are written to and read from JSON, the same in dumps and in answers.
// JSON has no BLOB, no infinity and no invalid UTF-8, so those are tagged objects:
//   {"$blob": "<base64>"}, {"$real": "Infinity"|"-Infinity"}, {"$text_base64": "<base64>"}.
#pragma once

#include <cmath>
#include <string>
#include <string_view>

#include <rapidjson/document.h>

#include "bi/value.hpp"

namespace bi::detail {

std::string base64_encode(std::string_view bytes);
/// Decodes base64; returns false on malformed input.
bool base64_decode(std::string_view text, std::string& out);
bool valid_utf8(std::string_view s);

template <typename Writer>
void write_text(Writer& w, std::string_view s) {
    if (valid_utf8(s)) {
        w.String(s.data(), static_cast<rapidjson::SizeType>(s.size()));
        return;
    }
    w.StartObject();
    w.Key("$text_base64");
    w.String(base64_encode(s));
    w.EndObject();
}

template <typename Writer>
void write_real(Writer& w, double d) {
    if (std::isfinite(d)) {
        w.Double(d);
        return;
    }
    w.StartObject();
    w.Key("$real");
    w.String(std::isnan(d) ? "NaN" : (d > 0 ? "Infinity" : "-Infinity"));
    w.EndObject();
}

template <typename Writer>
void write_blob(Writer& w, std::string_view bytes) {
    w.StartObject();
    w.Key("$blob");
    w.String(base64_encode(bytes));
    w.EndObject();
}

template <typename Writer>
void write_value(Writer& w, const value& v) {
    if (auto i = std::get_if<std::int64_t>(&v)) w.Int64(*i);
    else if (auto d = std::get_if<double>(&v)) write_real(w, *d);
    else if (auto s = std::get_if<std::string>(&v)) write_text(w, *s);
    else if (auto b = std::get_if<blob>(&v)) write_blob(w, b->bytes);
    else w.Null();
}

/// `"key": ["a", "b"]`.
template <typename Writer, typename Strings>
void write_strings(Writer& w, const char* key, const Strings& list) {
    w.Key(key);
    w.StartArray();
    for (auto& s : list) w.String(s.data(), static_cast<rapidjson::SizeType>(s.size()));
    w.EndArray();
}

/// A REAL as JSON writes it ("44767049.83", "1.0"); NaN, Infinity, -Infinity for the rest.
std::string number_text(double d);

/// Reads a value written by write_value; returns false for anything else.
bool read_value(const rapidjson::Value& json, value& out);

/// The string member `key` of `obj`, or "" when it is missing or not a string.
std::string string_member(const rapidjson::Value& obj, const char* key);

/// `v` written back as compact JSON text.
std::string json_text(const rapidjson::Value& v);

}  // namespace bi::detail
