// Fuzzes the JSON readers of outside text: any bytes as a dump must parse or throw
// parse_error, and as a fallback reply must parse or throw fallback_error.
#include <cstdint>
#include <string_view>

#include "bi/dump.hpp"
#include "bi/error.hpp"
#include "bi/fallback.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view text(reinterpret_cast<const char*>(data), size);
    try {
        (void)bi::parse_dump(text, "fuzz/dump.json");
    } catch (const bi::parse_error&) {
    }
    try {
        (void)bi::parse_fallback_reply(text);
    } catch (const bi::fallback_error&) {
    }
    return 0;
}
