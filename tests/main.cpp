// The test runner's main(): Catch2 v2 with the environment every test expects, so a test
// run by hand (not through ctest) sees the same fixture and the same "today".
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>

#include <cstdlib>
#include <string>

int main(int argc, char* argv[]) {
    const std::string fixture = std::string(BI_BINARY_DIR) + "/tests/fixture";
    ::setenv("BI_TODAY", "2026-06-15", 0);
    ::setenv("BI_CONFIG", BI_SOURCE_DIR "/tests/data/test.conf", 0);
    ::setenv("BI_TEST_DB", (fixture + "/demo.db").c_str(), 0);
    ::setenv("BI_TEST_DUMPS", (fixture + "/dumps").c_str(), 0);
    return Catch::Session().run(argc, argv);
}
