// Linear-time replacements for SQLite's string functions that take quadratic time on their own.
#pragma once

struct sqlite3;

namespace bi::detail {

/// Registers instr(), replace(), trim(), ltrim() and rtrim() on `db` in place of SQLite's own:
/// same results, in time linear in the input. Returns SQLite's error code, SQLITE_OK on success.
int install_linear_string_functions(sqlite3* db);

}  // namespace bi::detail
