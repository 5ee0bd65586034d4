// Helpers shared by the unit tests: fixture paths, scratch directories, fixture databases.
#pragma once

#include <string>
#include <vector>

namespace bi::test {

/// An environment variable the test run sets (see tests/CMakeLists.txt); fails the test when unset.
std::string env(const char* name);

/// A fresh empty directory under the build tree, named for the test.
std::string scratch_dir(const std::string& name);

/// Creates a SQLite file at `path` by running `sql` (the fixture may write; the guard never does).
void make_database(const std::string& path, const std::string& sql);

/// Runs a shell command; returns its exit status and fills `out` with its stdout.
int run_command(const std::string& command, std::string& out);

/// Lines of a data file in tests/data, without comments and blank lines, split on TAB.
std::vector<std::vector<std::string>> read_table(const std::string& name);

/// The bytes of a file.
std::string file_bytes(const std::string& path);

}  // namespace bi::test
