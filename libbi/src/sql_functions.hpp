// SQL functions the guarded connection runs in place of SQLite's: each call stays short.
#pragma once

struct sqlite3;

namespace bi::detail {

/// Registers instr(), replace(), trim(), ltrim() and rtrim() (linear-time versions) and printf()
/// and format() (SQLite's own, after a check of the format) on `db`: same results as SQLite's,
/// without single calls that run for seconds. Returns SQLite's error code, SQLITE_OK on success.
int install_guarded_functions(sqlite3* db);

}  // namespace bi::detail
