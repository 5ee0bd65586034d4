// Fuzzes the catalog parsers: any bytes as a query file and as vocabulary.conf must parse or
// throw parse_error, nothing else.
#include <cstdint>
#include <string_view>

#include "bi/catalog.hpp"
#include "bi/error.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view text(reinterpret_cast<const char*>(data), size);
    try {
        auto q = bi::parse_query(text, "fuzz/query.sql", "fuzz", "query");
        (void)q.slot_column("region");
        if (!q.sort.column.empty()) (void)q.measure(q.sort.column);
    } catch (const bi::parse_error&) {
    }
    try {
        (void)bi::parse_vocabulary(text, "fuzz/vocabulary.conf");
    } catch (const bi::parse_error&) {
    }
    return 0;
}
