// Dumps: every SQLite type and awkward text round-trips exactly; the catalog's dumps hold the
// same rows as the sqlite3 shell; dumping twice changes only timestamps; replacement is atomic.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstring>
#include <cmath>
#include <filesystem>
#include <limits>
#include <set>
#include <thread>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <fmt/format.h>
#include <rapidjson/document.h>

#include "bi/catalog.hpp"
#include "bi/database.hpp"
#include "bi/dump.hpp"
#include "bi/error.hpp"
#include "bi/files.hpp"
#include "bi/hash.hpp"
#include "bi/shape.hpp"
#include "support.hpp"

namespace fs = std::filesystem;

namespace {

/// Removes the two fields that legitimately differ between runs.
std::string without_timestamps(std::string text) {
    for (const char* key : {"\"generated_at\":\"", "\"duration_ms\":", "\"checksum\":\""}) {
        auto pos = text.find(key);
        REQUIRE(pos != std::string::npos);
        auto end = text.find_first_of(",}", pos + std::strlen(key) + 1);
        text.erase(pos, end - pos);
    }
    return text;
}

}  // namespace

TEST_CASE("every SQLite type and awkward text round-trips through a dump", "[dump]") {
    auto dir = bi::test::scratch_dir("dump_types");
    auto db_path = dir + "/types.db";
    bi::test::make_database(db_path,
        "CREATE TABLE t(id INTEGER PRIMARY KEY, v);"
        "INSERT INTO t(v) VALUES (NULL), (0), (-1), (9007199254740993), (9223372036854775807), (-9223372036854775808),"
        "(0.1), (-2.5e-300), (1.7976931348623157e308), (1.0), (-0.0), (1e999), (-1e999),"
        "('plain'), ('quote \" and backslash \\ and ''apostrophe'''), ('tab\tnewline\ncarriage\rbell' || char(7) || char(0x1f)),"
        "('naïve café — 東京 🚗'), (CAST(X'C328' AS TEXT)), (X''), (X'00FF10'), (''), (' ');");
    auto db = bi::open_database(db_path);
    auto expected = bi::query_all(*db, "SELECT id, v FROM t ORDER BY id");
    auto out = dir + "/types.json";
    auto stats = bi::write_sql_dump(*db, "SELECT id, v FROM t ORDER BY id", out);
    CHECK(stats.rows == static_cast<std::int64_t>(expected.rows.size()));

    auto d = bi::read_dump(out);
    REQUIRE(d.data.rows.size() == expected.rows.size());
    for (size_t i = 0; i < expected.rows.size(); ++i) {
        INFO("row " << i + 1);
        auto& want = expected.rows[i][1];
        auto& got = d.data.rows[i][1];
        REQUIRE(got.index() == want.index());
        if (auto w = std::get_if<double>(&want)) {
            auto g = std::get<double>(got);
            CHECK(std::signbit(*w) == std::signbit(g));
            if (std::isfinite(*w)) CHECK(g == *w);
            else CHECK(std::isinf(g));
        } else {
            CHECK(got == want);
        }
    }
    CHECK(d.data.types[1] == "mixed");
    CHECK(d.data.types[0] == "integer");

    // The file is plain JSON a generic parser accepts, with the documented tagged forms.
    rapidjson::Document doc;
    auto text = bi::read_file(out);
    doc.Parse(text.c_str());
    REQUIRE_FALSE(doc.HasParseError());
    CHECK(doc["data"][3]["v"].GetInt64() == 9007199254740993LL);
    CHECK(std::string(doc["data"][11]["v"]["$real"].GetString()) == "Infinity");
    CHECK(std::string(doc["data"][19]["v"]["$blob"].GetString()) == "AP8Q");
    CHECK(doc["data"][17]["v"].HasMember("$text_base64"));
    CHECK(doc["chart_config"].HasMember("type"));
}

TEST_CASE("reals and money are written in their shortest exact form", "[dump]") {
    auto dir = bi::test::scratch_dir("dump_reals");
    auto db_path = dir + "/reals.db";
    bi::test::make_database(db_path, "CREATE TABLE t(v REAL);"
                                     "INSERT INTO t VALUES (27000.0), (24100.25), (-0.07), (0.05), (12.5), (-3.0), (0.0),"
                                     "(0.1), (1.0/3), (123456789.99), (1e15), (1e21), (2.5e-8), (0.001);");
    auto db = bi::open_database(db_path);
    auto out = dir + "/reals.json";
    bi::write_sql_dump(*db, "SELECT v FROM t", out);
    auto text = bi::read_file(out);
    for (auto written : {"27000.0", "24100.25", "-0.07", "0.05", "12.5", "-3.0", "0.0", "0.1", "0.3333333333333333",
                         "123456789.99", "1000000000000000.0", "1e21", "2.5e-8", "0.001"})
        CHECK_THAT(text, Catch::Matchers::Contains(std::string("{\"v\":") + written + "}"));
    auto d = bi::read_dump(out);
    REQUIRE(d.data.rows.size() == 14);
    CHECK(std::get<double>(d.data.rows[1][0]) == 24100.25);
    CHECK(std::get<double>(d.data.rows[2][0]) == -0.07);
}

TEST_CASE("a truncated or hand-edited dump is reported, never half-read", "[dump]") {
    auto dumps = bi::test::env("BI_TEST_DUMPS");
    auto good = bi::read_file(dumps + "/sales_analytics/top_models_by_region.json");
    CHECK_NOTHROW(bi::parse_dump(good, "x.json"));
    CHECK_THROWS_WITH(bi::parse_dump(good.substr(0, good.size() / 2), "x.json"), Catch::Matchers::Contains("x.json: not valid JSON"));
    CHECK_THROWS_WITH(bi::parse_dump("[]", "x.json"), Catch::Matchers::Contains("not a bi dump"));
    CHECK_THROWS_WITH(bi::parse_dump("", "x.json"), Catch::Matchers::Contains("x.json: not valid JSON"));
    auto pos = good.find("\"row_count\":");
    REQUIRE(pos != std::string::npos);
    auto edited = good.substr(0, pos + 12) + "1" + good.substr(pos + 12);
    CHECK_THROWS_WITH(bi::parse_dump(edited, "x.json"), Catch::Matchers::Contains("row_count says"));
    CHECK_THROWS_AS(bi::read_dump("/nonexistent/dump.json"), bi::error);
}

TEST_CASE("blobs in a dump are base64 with padding, and bad base64 is refused", "[dump]") {
    auto dump = [](std::string_view blob) {
        return fmt::format(R"({{"query_name":"x","category":"c","title":"t","generated_at":"g","row_count":1,)"
                           R"("columns":[{{"name":"v","type":"blob"}}],"chart_config":{{}},"data":[{{"v":{{"$blob":"{}"}}}}]}})",
                           blob);
    };
    // RFC 4648's test vectors ("", "f", "fo", "foo", "foob", "fooba", "foobar").
    for (auto [encoded, bytes] : std::vector<std::pair<std::string, std::string>>{
             {"", ""}, {"Zg==", "f"}, {"Zm8=", "fo"}, {"Zm9v", "foo"}, {"Zm9vYg==", "foob"}, {"Zm9vYmE=", "fooba"},
             {"Zm9vYmFy", "foobar"}, {"AP8Q", std::string("\x00\xff\x10", 3)}, {"+/+/", "\xfb\xff\xbf"}}) {
        INFO(encoded);
        auto d = bi::parse_dump(dump(encoded), "x.json");
        REQUIRE(d.data.rows.size() == 1);
        CHECK(std::get<bi::blob>(d.data.rows[0][0]).bytes == bytes);
    }
    for (auto bad : {"Zg=", "Zg", "Z===", "Zg=a", "Zm9v!A==", "Zg==Zg=="}) {
        INFO(bad);
        CHECK_THROWS_AS(bi::parse_dump(dump(bad), "x.json"), bi::error);
    }
}

// A filtered read of a binary companion goes through its value index when the filter names
// a slot column; it must keep exactly the rows a full read and value_matches keep, in order.
TEST_CASE("filtered reads through the value index keep exactly the matching rows", "[dump]") {
    auto dumps = bi::test::env("BI_TEST_DUMPS");
    auto c = bi::load_catalog(std::string(BI_SOURCE_DIR) + "/queries");
    int checked = 0;
    for (auto& q : c.queries) {
        if (q.slots.empty()) continue;
        auto path = bi::dump_path(dumps, q);
        auto whole = bi::read_dump(path);
        auto expect = [&](const std::vector<std::pair<std::string, bi::value>>& filters) {
            std::vector<std::vector<bi::value>> rows;
            for (auto& row : whole.data.rows) {
                bool keep = true;
                for (auto& [column, wanted] : filters)
                    keep = keep && bi::value_matches(row[static_cast<size_t>(whole.data.index_of(column))], wanted);
                if (keep) rows.push_back(row);
            }
            return rows;
        };
        auto check = [&](const std::vector<std::pair<std::string, bi::value>>& filters) {
            auto got = bi::read_binary_dump(path, filters);
            REQUIRE(got);
            CHECK(got->data.rows == expect(filters));
            ++checked;
        };
        for (auto& [slot, column] : q.slots) {
            INFO(q.id() << " " << column);
            int i = whole.data.index_of(column);
            REQUIRE(i >= 0);
            std::set<bi::value> values;
            for (auto& row : whole.data.rows) values.insert(row[static_cast<size_t>(i)]);
            for (auto& v : values) {
                check({{column, v}});
                if (auto t = std::get_if<std::string>(&v)) {
                    std::string upper = *t;
                    for (auto& ch : upper) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
                    check({{column, upper}});  // text matches without ASCII case
                }
                if (auto n = std::get_if<std::int64_t>(&v)) check({{column, static_cast<double>(*n)}});
            }
            check({{column, std::string("no such value")}});
            // Two filters intersect; the second may be an unindexed column.
            if (!values.empty() && q.slots.size() > 1) {
                auto& other = q.slots.back().second == column ? q.slots.front().second : q.slots.back().second;
                int j = whole.data.index_of(other);
                if (j >= 0 && !whole.data.rows.empty())
                    check({{column, *values.begin()}, {other, whole.data.rows.front()[static_cast<size_t>(j)]}});
            }
            check({{column, *values.begin()}, {whole.data.columns.back(), whole.data.rows.front().back()}});
        }
    }
    CHECK(checked > 100);
}

TEST_CASE("a deeply nested dump is refused, not a stack overflow", "[dump]") {
    CHECK_THROWS_WITH(bi::parse_dump(std::string(1'000'000, '['), "x.json"), Catch::Matchers::Contains("x.json: not valid JSON"));
}

TEST_CASE("numbers in a dump are read exactly, also a zero with an exponent", "[dump]") {
    // rapidjson 1.1.0's full-precision reader turned -0e99 into -6.5e296.
    auto d = bi::parse_dump(R"({"query_name":"x","category":"c","title":"t","generated_at":"g","row_count":4,)"
                            R"("columns":[{"name":"v","type":"mixed"}],"chart_config":{},)"
                            R"("data":[{"v":-0e99},{"v":0e308},{"v":0.1},{"v":9223372036854775807}]})",
                            "x.json");
    REQUIRE(d.data.rows.size() == 4);
    CHECK(std::get<double>(d.data.rows[0][0]) == 0.0);
    CHECK(std::get<double>(d.data.rows[1][0]) == 0.0);
    CHECK(std::get<double>(d.data.rows[2][0]) == 0.1);
    CHECK(std::get<std::int64_t>(d.data.rows[3][0]) == 9223372036854775807LL);
}

TEST_CASE("dumps of the catalog hold exactly the rows the sqlite3 shell returns", "[dump]") {
    auto db_path = bi::test::env("BI_TEST_DB");
    auto dumps = bi::test::env("BI_TEST_DUMPS");
    auto c = bi::load_catalog(std::string(BI_SOURCE_DIR) + "/queries");
    REQUIRE(c.queries.size() == 27);  // 16 reports, 11 cubes
    for (auto& q : c.queries) {
        INFO(q.id());
        auto d = bi::read_dump(bi::dump_path(dumps, q));
        CHECK(d.row_count > 0);
        CHECK(d.query_name == q.name);
        CHECK(d.category == q.category);
        CHECK(d.schedule == std::string(bi::to_string(q.when)));
        CHECK(d.source.sql_sha256.size() == 64);

        std::string out;
        REQUIRE(bi::test::run_command("sqlite3 -json '" + db_path + "' < '" + q.file + "'", out) == 0);
        rapidjson::Document shell;
        shell.Parse<rapidjson::kParseFullPrecisionFlag>(out.c_str());
        REQUIRE_FALSE(shell.HasParseError());
        REQUIRE(shell.IsArray());
        REQUIRE(shell.Size() == d.data.rows.size());
        for (rapidjson::SizeType r = 0; r < shell.Size(); ++r) {
            for (size_t col = 0; col < d.data.columns.size(); ++col) {
                auto& cell = shell[r][d.data.columns[col].c_str()];
                auto& mine = d.data.rows[r][col];
                INFO("row " << r << " column " << d.data.columns[col]);
                if (cell.IsNull()) CHECK(bi::is_null(mine));
                else if (cell.IsString()) CHECK(std::get<std::string>(mine) == cell.GetString());
                else if (cell.IsInt64()) CHECK(std::get<std::int64_t>(mine) == cell.GetInt64());
                else CHECK(bi::as_double(mine) == Approx(cell.GetDouble()).epsilon(1e-12));
            }
        }
    }
}

TEST_CASE("dumping the same database twice changes nothing but timestamps", "[dump]") {
    auto dir = bi::test::scratch_dir("dump_twice");
    auto db = bi::open_database(bi::test::env("BI_TEST_DB"));
    auto c = bi::load_catalog(std::string(BI_SOURCE_DIR) + "/queries");
    for (auto& q : c.queries) {
        INFO(q.id());
        bi::write_dump(*db, q, dir + "/a.json");
        bi::write_dump(*db, q, dir + "/b.json");
        CHECK(without_timestamps(bi::read_file(dir + "/a.json")) == without_timestamps(bi::read_file(dir + "/b.json")));
    }
}

TEST_CASE("a reader polling during rewrites never sees a partial dump", "[dump]") {
    auto dir = bi::test::scratch_dir("dump_atomic");
    auto db = bi::open_database(bi::test::env("BI_TEST_DB"));
    auto c = bi::load_catalog(std::string(BI_SOURCE_DIR) + "/queries");
    auto q = c.find("sales_analytics/dealer_performance");
    REQUIRE(q);
    auto target = dir + "/dump.json";
    bi::write_dump(*db, *q, target);
    std::atomic<bool> done{false};
    std::atomic<int> reads{0}, bad{0};
    std::thread reader([&] {
        while (!done) {
            try {
                bi::read_dump(target);
            } catch (const std::exception&) {
                ++bad;
            }
            ++reads;
        }
    });
    for (int i = 0; i < 30; ++i) bi::write_dump(*db, *q, target);
    done = true;
    reader.join();
    CHECK(reads > 0);
    CHECK(bad == 0);
    // No temporary files are left behind: only the dump and its binary companion.
    std::set<std::string> files;
    for (auto& e : fs::directory_iterator(dir))
        if (e.is_regular_file()) files.insert(e.path().filename().string());
    CHECK(files == std::set<std::string>{"dump.json", "dump.bin"});
}

TEST_CASE("a failed write keeps the previous dump", "[dump]") {
    auto dir = bi::test::scratch_dir("dump_keep");
    auto db = bi::open_database(bi::test::env("BI_TEST_DB"));
    auto target = dir + "/x.json";
    bi::write_sql_dump(*db, "SELECT 1 AS one", target);
    auto before = bi::read_file(target);
    CHECK_THROWS_AS(bi::write_sql_dump(*db, "SELECT nosuchcolumn FROM sales", target), bi::error);
    CHECK_THROWS_AS(bi::write_sql_dump(*db, "DELETE FROM sales", target), bi::refused_error);
    CHECK(bi::read_file(target) == before);
    int files = 0;
    for (auto& e : fs::directory_iterator(dir)) files += e.is_regular_file() ? 1 : 0;
    CHECK(files == 1);
}

TEST_CASE("sha256_hex gives the FIPS 180-4 digests", "[dump]") {
    CHECK(bi::sha256_hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    CHECK(bi::sha256_hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    CHECK(bi::sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq") ==
          "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    CHECK(bi::sha256_hex(std::string(1000000, 'a')) == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST_CASE("sha256_hex with the CPU's SHA instructions agrees with the portable rounds", "[dump]") {
    // Every length around the block and padding boundaries, and a database page's worth.
    std::string data;
    std::uint32_t x = 12345;
    for (int i = 0; i < 4096 + 130; ++i) {
        x = x * 1103515245u + 12345u;
        data.push_back(static_cast<char>(x >> 24));
    }
    for (size_t n = 0; n <= 200; ++n) CHECK(bi::sha256_hex(std::string_view(data).substr(0, n)) == bi::detail::sha256_hex_portable(std::string_view(data).substr(0, n)));
    for (size_t n : {size_t{4095}, size_t{4096}, size_t{4097}, data.size()})
        CHECK(bi::sha256_hex(std::string_view(data).substr(0, n)) == bi::detail::sha256_hex_portable(std::string_view(data).substr(0, n)));
    CHECK(bi::detail::sha256_hex_portable("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST_CASE("the binary companion holds the JSON dump's rows and filters them while reading", "[dump]") {
    auto path = bi::test::env("BI_TEST_DUMPS") + "/sales_analytics/top_models_by_region.json";
    auto json = bi::read_dump(path);
    auto bin = bi::read_binary_dump(path);
    REQUIRE(bin);
    CHECK(bin->data.columns == json.data.columns);
    CHECK(bin->data.types == json.data.types);
    CHECK(bin->data.rows == json.data.rows);
    CHECK(bin->generated_at == json.generated_at);
    CHECK(bin->schedule == json.schedule);
    CHECK(bin->source.fingerprint == json.source.fingerprint);
    CHECK(bin->row_count == json.row_count);

    bi::value wanted = std::string("NORTHEAST");
    int region = json.data.index_of("region");
    REQUIRE(region >= 0);
    size_t matching = 0;
    for (auto& row : json.data.rows) matching += bi::value_matches(row[region], wanted) ? 1 : 0;
    auto filtered = bi::read_binary_dump(path, {{"region", wanted}});
    REQUIRE(filtered);
    CHECK(matching > 0);
    CHECK(filtered->data.rows.size() == matching);

    // A companion beside a JSON file it was not written with is never used.
    auto dir = std::filesystem::temp_directory_path() / ("bi-binary-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    std::filesystem::copy_file(path, dir / "d.json", std::filesystem::copy_options::overwrite_existing);
    std::filesystem::copy_file(bi::binary_dump_path(path), dir / "d.bin", std::filesystem::copy_options::overwrite_existing);
    CHECK_FALSE(bi::read_binary_dump((dir / "d.json").string()));
    std::filesystem::remove_all(dir);
}

TEST_CASE("a flipped bit anywhere in a companion or a dump is caught by its checksum", "[dump]") {
    auto source = bi::test::env("BI_TEST_DUMPS") + "/sales_analytics/top_models_by_region.json";
    auto dir = fs::temp_directory_path() / ("bi-checksum-" + std::to_string(::getpid()));
    fs::create_directories(dir / "sales_analytics");
    auto json = (dir / "sales_analytics/top_models_by_region.json").string();
    fs::copy_file(source, json, fs::copy_options::overwrite_existing);
    auto good = bi::read_file(json);
    auto expected = bi::read_dump(json);
    // Copied with its times, so the companion still names this JSON file.
    fs::copy_file(bi::binary_dump_path(source), bi::binary_dump_path(json), fs::copy_options::overwrite_existing);
    fs::last_write_time(json, fs::last_write_time(source));
    auto companion = bi::read_file(bi::binary_dump_path(json));
    REQUIRE(bi::read_binary_dump(json));
    // Every 97th byte of the companion, one at a time: never a different row, always named.
    for (size_t at = 0; at < companion.size(); at += 97) {
        auto bad = companion;
        bad[at] = static_cast<char>(bad[at] ^ 1);
        {
            bi::atomic_file out(bi::binary_dump_path(json));
            std::fwrite(bad.data(), 1, bad.size(), out.stream());
            out.commit();
        }
        std::string damage;
        auto d = bi::read_binary_dump(json, {}, &damage);
        INFO("byte " << at);
        CHECK_FALSE(d);
        CHECK(damage.find("is damaged") != std::string::npos);
    }
    // A changed digit in the JSON.
    auto digit = good.find("\"units\":") + 8;
    auto edited = good;
    edited[digit] = edited[digit] == '9' ? '8' : static_cast<char>(edited[digit] + 1);
    {
        bi::atomic_file out(json);
        std::fwrite(edited.data(), 1, edited.size(), out.stream());
        out.commit();
    }
    CHECK_THROWS_WITH(bi::read_dump(json), Catch::Matchers::Contains("does not match its checksum"));
    bi::query_def q;
    q.name = "top_models_by_region";
    q.category = "sales_analytics";
    CHECK_FALSE(bi::dump_damage(json, q).empty());
    fs::remove_all(dir);
}

TEST_CASE("only temporaries older than the run, named as atomic_file names them, are removed", "[dump]") {
    auto dir = fs::temp_directory_path() / ("bi-temps-" + std::to_string(::getpid()));
    fs::create_directories(dir / "cat");
    auto touch = [&](const std::string& name) {
        std::FILE* f = std::fopen((dir / name).c_str(), "w");
        REQUIRE(f);
        std::fclose(f);
    };
    for (auto name : {"cat/a.json.tmp.Ab12Cd", "index.bin.tmp.zzzzzz", "cat/b.json.tmp.TOOLONG1", "notes.tmp.x", "cat/c.json"})
        touch(name);
    auto now = std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch());
    auto later = now + std::chrono::seconds(10);
    CHECK(bi::remove_stale_temp_files(dir.string(), (now - std::chrono::seconds(60)).count()).empty());  // newer than that
    auto removed = bi::remove_stale_temp_files(dir.string(), later.count());
    std::sort(removed.begin(), removed.end());
    REQUIRE(removed.size() == 2);
    CHECK(fs::path(removed[0]).filename() == "a.json.tmp.Ab12Cd");
    CHECK(fs::path(removed[1]).filename() == "index.bin.tmp.zzzzzz");
    CHECK(fs::exists(dir / "cat/b.json.tmp.TOOLONG1"));
    CHECK(fs::exists(dir / "notes.tmp.x"));
    CHECK(fs::exists(dir / "cat/c.json"));
    fs::remove_all(dir);
}
