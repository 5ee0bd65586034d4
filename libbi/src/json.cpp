// Value encoding shared by dumps and answers (see detail/json.hpp for the tagged forms).
#include <limits>

#include <openssl/evp.h>

#include "detail/json.hpp"

namespace bi::detail {

std::string base64_encode(std::string_view bytes) {
    std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
    int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                            reinterpret_cast<const unsigned char*>(bytes.data()), static_cast<int>(bytes.size()));
    out.resize(n < 0 ? 0 : n);
    return out;
}

bool base64_decode(std::string_view text, std::string& out) {
    if (text.size() % 4 != 0) return false;
    out.assign(3 * (text.size() / 4) + 1, '\0');
    int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                            reinterpret_cast<const unsigned char*>(text.data()), static_cast<int>(text.size()));
    if (n < 0) return false;
    // EVP_DecodeBlock counts the padding as zero bytes.
    size_t pad = 0;
    if (!text.empty() && text.back() == '=') pad = (text.size() > 1 && text[text.size() - 2] == '=') ? 2 : 1;
    out.resize(static_cast<size_t>(n) - pad);
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

}  // namespace bi::detail
