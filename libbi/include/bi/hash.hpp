// Content hashes used in dumps (the SQL's SHA-256) and fingerprints.
#pragma once

#include <string>
#include <string_view>

namespace bi {

/// Lower-case hex SHA-256 of `data`.
std::string sha256_hex(std::string_view data);

}  // namespace bi
