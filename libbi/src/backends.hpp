// The database backends behind bi::open_database (database.hpp), for the code that picks one.
#pragma once

#include <memory>
#include <string>

#include "bi/database.hpp"

namespace bi {

/// PostgreSQL over libpq (postgresql.cpp); libpq is loaded on the first call.
std::unique_ptr<database> open_postgresql(const std::string& uri, const query_limits& limits);

}  // namespace bi
