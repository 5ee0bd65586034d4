// Value encoding shared by dumps and answers (see detail/json.hpp for the tagged forms).
#include <cstdint>
#include <limits>

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "detail/json.hpp"

namespace bi::detail {

// Base64 (RFC 4648, with padding) written out: the one use of OpenSSL was this, and loading
// libcrypto cost every bi-ask more start-up time than answering the question.
namespace {
constexpr char base64_alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

int base64_digit(char c) {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
}
}  // namespace

std::string base64_encode(std::string_view bytes) {
    auto byte = [&](std::size_t i) { return std::uint32_t{static_cast<unsigned char>(bytes[i])}; };
    std::string out;
    out.reserve(4 * ((bytes.size() + 2) / 3));
    std::size_t i = 0;
    for (; i + 3 <= bytes.size(); i += 3) {
        auto v = byte(i) << 16 | byte(i + 1) << 8 | byte(i + 2);
        for (int shift : {18, 12, 6, 0}) out += base64_alphabet[(v >> shift) & 63];
    }
    if (auto rest = bytes.size() - i; rest > 0) {
        auto v = byte(i) << 16 | (rest == 2 ? byte(i + 1) << 8 : 0);
        out += base64_alphabet[v >> 18];
        out += base64_alphabet[(v >> 12) & 63];
        out += rest == 2 ? base64_alphabet[(v >> 6) & 63] : '=';
        out += '=';
    }
    return out;
}

bool base64_decode(std::string_view text, std::string& out) {
    out.clear();
    if (text.size() % 4 != 0) return false;
    out.reserve(3 * (text.size() / 4));
    for (std::size_t i = 0; i < text.size(); i += 4) {
        bool last = i + 4 == text.size();
        int pad = 0;
        std::uint32_t v = 0;
        for (std::size_t k = 0; k < 4; ++k) {
            char c = text[i + k];
            if (c == '=' && last && k >= 2) {
                ++pad;
                v <<= 6;
                continue;
            }
            int d = base64_digit(c);
            if (d < 0 || pad > 0) return false;  // not base64, or a digit after padding
            v = v << 6 | static_cast<std::uint32_t>(d);
        }
        out += static_cast<char>(v >> 16);
        if (pad < 2) out += static_cast<char>((v >> 8) & 0xFF);
        if (pad < 1) out += static_cast<char>(v & 0xFF);
    }
    return true;
}

bool valid_utf8(std::string_view s) {
    size_t i = 0, n = s.size();
    while (i < n) {
        auto c = static_cast<unsigned char>(s[i]);
        if (c < 0x80) { ++i; continue; }
        size_t len;
        std::uint32_t cp;
        if ((c & 0xE0) == 0xC0) { len = 2; cp = c & 0x1F; }
        else if ((c & 0xF0) == 0xE0) { len = 3; cp = c & 0x0F; }
        else if ((c & 0xF8) == 0xF0) { len = 4; cp = c & 0x07; }
        else return false;
        if (i + len > n) return false;
        for (size_t k = 1; k < len; ++k) {
            auto cc = static_cast<unsigned char>(s[i + k]);
            if ((cc & 0xC0) != 0x80) return false;
            cp = (cp << 6) | (cc & 0x3F);
        }
        if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
            cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
            return false;
        i += len;
    }
    return true;
}

std::string number_text(double d) {
    if (std::isnan(d)) return "NaN";
    if (std::isinf(d)) return d > 0 ? "Infinity" : "-Infinity";
    rapidjson::StringBuffer buffer;
    rapidjson::Writer<rapidjson::StringBuffer> w(buffer);
    w.Double(d);
    return {buffer.GetString(), buffer.GetSize()};
}

bool read_value(const rapidjson::Value& json, value& out) {
    if (json.IsNull()) out = std::monostate{};
    else if (json.IsInt64()) out = json.GetInt64();
    else if (json.IsDouble() || json.IsUint64()) out = json.GetDouble();
    else if (json.IsString()) out = std::string(json.GetString(), json.GetStringLength());
    else if (json.IsBool()) out = std::int64_t{json.GetBool() ? 1 : 0};
    else if (json.IsObject() && json.MemberCount() == 1) {
        auto& m = *json.MemberBegin();
        if (!m.value.IsString()) return false;
        std::string_view name(m.name.GetString(), m.name.GetStringLength());
        std::string_view text(m.value.GetString(), m.value.GetStringLength());
        std::string bytes;
        if (name == "$blob") {
            if (!base64_decode(text, bytes)) return false;
            out = blob{std::move(bytes)};
        } else if (name == "$text_base64") {
            if (!base64_decode(text, bytes)) return false;
            out = std::move(bytes);
        } else if (name == "$real") {
            if (text == "Infinity") out = std::numeric_limits<double>::infinity();
            else if (text == "-Infinity") out = -std::numeric_limits<double>::infinity();
            else if (text == "NaN") out = std::numeric_limits<double>::quiet_NaN();
            else return false;
        } else {
            return false;
        }
    } else {
        return false;
    }
    return true;
}

std::string string_member(const rapidjson::Value& obj, const char* key) {
    auto it = obj.FindMember(key);
    if (it == obj.MemberEnd() || !it->value.IsString()) return {};
    return {it->value.GetString(), it->value.GetStringLength()};
}

std::string json_text(const rapidjson::Value& v) {
    rapidjson::StringBuffer buffer;
    rapidjson::Writer<rapidjson::StringBuffer> w(buffer);
    v.Accept(w);
    return {buffer.GetString(), buffer.GetSize()};
}

}  // namespace bi::detail
