// Content hashes used in dumps (the SQL's SHA-256) and fingerprints, and the fast checksums
// that let a reader notice a damaged dump, companion or index.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace bi {

/// Lower-case hex SHA-256 of `data` (with the CPU's SHA instructions where it has them).
std::string sha256_hex(std::string_view data);

namespace detail {
/// The same without the SHA instructions, so tests can compare the two on any machine.
std::string sha256_hex_portable(std::string_view data);
}  // namespace detail

/// XXH3-64 of `data`: a checksum against damage (a flipped bit, a torn block), not a
/// defence against anyone who can write the file.
std::uint64_t checksum64(std::string_view data);

/// The same computed piece by piece, for files written as a stream.
class checksum_stream {
public:
    checksum_stream();
    ~checksum_stream();
    checksum_stream(const checksum_stream&) = delete;
    checksum_stream& operator=(const checksum_stream&) = delete;
    void update(std::string_view data);
    std::uint64_t digest() const;

private:
    struct state;
    std::unique_ptr<state> state_;
};

/// How a text file names its checksum: "xxh3:" and 16 lower-case hex digits.
std::string checksum_text(std::uint64_t sum);
/// The checksum `text` names, or nullopt when it is not of checksum_text's form.
std::optional<std::uint64_t> parse_checksum_text(std::string_view text);

/// Every JSON file bi writes (a dump, index.json, model.json) ends with the member
/// `"checksum":"xxh3:<16 hex digits>"`, `}` and a newline: the checksum of every byte before
/// that member's comma. Throws parse_error naming `path` when `text` does not.
void check_json_checksum(std::string_view text, const std::string& path);

}  // namespace bi
