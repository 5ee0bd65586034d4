// Operations: freshness by age and by fingerprint, the ledger's line format and rotation,
// the job log, the dumps lock, and bi-status's figures from a hand-written ledger.
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <thread>

#include <catch2/catch.hpp>
#include <sqlite3.h>
#include <fmt/format.h>
#include <rapidjson/document.h>

#include "bi/database.hpp"
#include "bi/error.hpp"
#include "bi/files.hpp"
#include "bi/freshness.hpp"
#include "bi/ledger.hpp"
#include "bi/lock.hpp"
#include "bi/regen.hpp"
#include "bi/status.hpp"
#include "support.hpp"

namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace {

bi::utc_time at(const char* iso) {
    auto t = bi::parse_utc(iso);
    REQUIRE(t);
    return *t;
}

std::vector<std::string> lines_of(const std::string& path) {
    std::ifstream in(path);
    std::vector<std::string> out;
    std::string line;
    while (std::getline(in, line)) out.push_back(line);
    return out;
}

bi::ledger_entry entry(std::string question, bool matched, std::string source, double latency_ms, std::int64_t tokens = 0) {
    bi::ledger_entry e;
    e.time = "2026-06-15T10:00:00Z";
    e.question = std::move(question);
    e.matched = matched;
    e.query = matched ? "sales_analytics/top_models_by_region" : "";
    e.score = matched ? 0.9 : 0.1;
    e.source = std::move(source);
    e.tokens = tokens;
    e.latency_ms = latency_ms;
    return e;
}

}  // namespace

TEST_CASE("UTC times parse, print and honour BI_NOW", "[freshness]") {
    CHECK(bi::format_utc(at("2026-06-15T02:03:04Z")) == "2026-06-15T02:03:04Z");
    CHECK(bi::format_utc(at("2024-02-29T23:59:59.250Z")) == "2024-02-29T23:59:59Z");
    CHECK_FALSE(bi::parse_utc("2026-06-15 02:03:04"));
    CHECK_FALSE(bi::parse_utc("2026-02-30T00:00:00Z"));
    CHECK_FALSE(bi::parse_utc("2026-06-15T02:03:04+02:00"));
    ::setenv("BI_NOW", "2030-01-02T03:04:05Z", 1);
    auto now = bi::utc_now();
    ::unsetenv("BI_NOW");
    CHECK(bi::format_utc(now) == "2030-01-02T03:04:05Z");
}

TEST_CASE("a dump goes stale past its schedule plus 25% grace", "[freshness]") {
    CHECK(bi::max_age("daily") == 30h);
    CHECK(bi::max_age("weekly") == std::chrono::hours(7 * 24 + 42));
    CHECK(bi::max_age("monthly") == std::chrono::hours(31 * 24 + 186));
    CHECK_FALSE(bi::max_age(""));

    auto made = "2026-06-01T02:00:00Z";
    auto judge = [&](const char* schedule, std::chrono::seconds later) {
        return bi::assess_freshness(made, schedule, "fp", "fp", at(made) + later);
    };
    CHECK_FALSE(judge("daily", 29h).stale);
    CHECK_FALSE(judge("daily", 30h).stale);
    auto old = judge("daily", 30h + 1s);
    CHECK(old.stale);
    CHECK(old.age_seconds == 30 * 3600 + 1);
    CHECK_THAT(old.reason, Catch::Contains("daily schedule"));
    CHECK_FALSE(judge("weekly", 8 * 24h).stale);
    CHECK(judge("weekly", 9 * 24h).stale);
    CHECK_FALSE(judge("monthly", 38 * 24h).stale);
    CHECK(judge("monthly", 39 * 24h).stale);
    CHECK_FALSE(judge("", 3650 * 24h).stale);  // ad-hoc dumps have no schedule to miss
}

TEST_CASE("a dump goes stale when the database's fingerprint changes", "[freshness]") {
    auto made = "2026-06-01T02:00:00Z";
    auto now = at(made) + 1h;
    auto changed = bi::assess_freshness(made, "daily", "aaaa", "bbbb", now);
    CHECK(changed.stale);
    CHECK_THAT(changed.reason, Catch::Contains("database changed"));
    CHECK_FALSE(bi::assess_freshness(made, "daily", "aaaa", "aaaa", now).stale);
    // A missing database (no fingerprint) cannot be compared: age alone decides.
    CHECK_FALSE(bi::assess_freshness(made, "daily", "aaaa", "", now).stale);
    auto both = bi::assess_freshness(made, "daily", "aaaa", "bbbb", at(made) + 48h);
    CHECK_THAT(both.reason, Catch::Contains("daily schedule") && Catch::Contains("database changed"));
    CHECK(bi::assess_freshness("yesterday", "daily", "a", "a", now).stale);
}

namespace {

/// A writing connection held open, so a WAL is not checkpointed away by its close.
class open_writer {
public:
    explicit open_writer(const std::string& path) { REQUIRE(sqlite3_open(path.c_str(), &db_) == SQLITE_OK); }
    ~open_writer() { sqlite3_close(db_); }
    open_writer(const open_writer&) = delete;
    open_writer& operator=(const open_writer&) = delete;
    void exec(const std::string& sql) {
        char* message = nullptr;
        int rc = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &message);
        std::string why = message ? message : "";
        sqlite3_free(message);
        REQUIRE(rc == SQLITE_OK);
        REQUIRE(why.empty());
    }

private:
    sqlite3* db_ = nullptr;
};

}  // namespace

TEST_CASE("a database's fingerprint follows its content, not the file", "[freshness]") {
    auto dir = bi::test::scratch_dir("ops_fingerprint");
    auto db = dir + "/x.db";
    bi::test::make_database(db, "CREATE TABLE t(x); INSERT INTO t VALUES (1), (2);");
    auto before = bi::database_fingerprint(db);
    REQUIRE(before.size() == 16);

    fs::last_write_time(db, fs::last_write_time(db) + 1s);
    CHECK(bi::database_fingerprint(db) == before);  // touched: same content
    fs::copy_file(db, dir + "/copy.db");
    CHECK(bi::database_fingerprint(dir + "/copy.db") == before);  // a new inode and mtime
    fs::rename(dir + "/copy.db", dir + "/moved.db");
    CHECK(bi::database_fingerprint(dir + "/moved.db") == before);

    SECTION("a committed write in rollback-journal mode changes it") {
        { open_writer(db).exec("INSERT INTO t VALUES (3)"); }
        CHECK(bi::database_fingerprint(db) != before);
    }
    SECTION("an update that keeps the size and the page count changes it") {
        { open_writer(db).exec("UPDATE t SET x = 9 WHERE x = 1"); }
        CHECK(fs::file_size(db) == fs::file_size(dir + "/moved.db"));
        CHECK(bi::database_fingerprint(db) != before);
    }
    SECTION("another database with the same counters differs") {
        bi::test::make_database(dir + "/other.db", "CREATE TABLE t(x); INSERT INTO t VALUES (1), (5);");
        CHECK(bi::database_fingerprint(dir + "/other.db") != before);
    }
}

TEST_CASE("in WAL mode every commit changes the fingerprint, checkpointed or not", "[freshness]") {
    auto dir = bi::test::scratch_dir("ops_fingerprint_wal");
    auto db = dir + "/w.db";
    bi::test::make_database(db, "PRAGMA journal_mode = WAL; CREATE TABLE t(x);");
    open_writer w(db);
    w.exec("PRAGMA wal_autocheckpoint = 0");
    w.exec("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 20) "
           "INSERT INTO t SELECT zeroblob(3000) FROM n");
    auto first = bi::database_fingerprint(db);
    CHECK(bi::database_fingerprint(db) == first);
    w.exec("INSERT INTO t VALUES (1)");
    auto second = bi::database_fingerprint(db);
    CHECK(second != first);  // the commit is in the WAL only: the file's header is unchanged

    // After a checkpoint the next writer starts the WAL over from its beginning, within the
    // file's old size: only the salts and the commit frames tell the commits apart.
    w.exec("PRAGMA wal_checkpoint(RESTART)");
    auto wal_size = fs::file_size(db + "-wal");
    w.exec("INSERT INTO t VALUES (2)");
    auto third = bi::database_fingerprint(db);
    w.exec("INSERT INTO t VALUES (3)");
    auto fourth = bi::database_fingerprint(db);
    CHECK(fs::file_size(db + "-wal") == wal_size);
    CHECK(third != second);
    CHECK(fourth != third);
    w.exec("BEGIN; INSERT INTO t VALUES (4)");
    CHECK(bi::database_fingerprint(db) == fourth);  // not committed yet (still in the cache)
    w.exec("COMMIT");
    CHECK(bi::database_fingerprint(db) != fourth);
}

TEST_CASE("a ledger line is one JSON object with every field", "[ledger]") {
    bi::ledger_entry e = entry("top \"models\"\nin the\tnorth", true, "dump", 1.23456);
    e.filters = {{"region", "Northeast"}, {"year", "2025"}};
    auto line = bi::ledger_line(e);
    REQUIRE(line.back() == '\n');
    CHECK(line.find('\n') == line.size() - 1);
    rapidjson::Document d;
    d.Parse(line.c_str());
    REQUIRE_FALSE(d.HasParseError());
    CHECK(std::string(d["time"].GetString()) == "2026-06-15T10:00:00Z");
    CHECK(std::string(d["question"].GetString()) == "top \"models\"\nin the\tnorth");
    CHECK(d["matched"].GetBool());
    CHECK(std::string(d["query"].GetString()) == "sales_analytics/top_models_by_region");
    CHECK(d["score"].GetDouble() == Approx(0.9));
    CHECK(std::string(d["filters"]["region"].GetString()) == "Northeast");
    CHECK(d["filters"]["year"].GetInt() == 2025);
    CHECK(std::string(d["source"].GetString()) == "dump");
    CHECK(d["tokens"].GetInt64() == 0);
    CHECK(d["latency_ms"].GetDouble() == Approx(1.235));

    auto none = bi::ledger_line(entry("weather?", false, "", 0.5));
    d.Parse(none.c_str());
    REQUIRE_FALSE(d.HasParseError());
    CHECK(d["query"].IsNull());
    CHECK(d["source"].IsNull());
    CHECK_FALSE(d["matched"].GetBool());
    CHECK(d["filters"].ObjectEmpty());

    auto back = bi::parse_ledger_line(line);
    REQUIRE(back);
    CHECK(back->question == e.question);
    CHECK(back->filters == e.filters);
    CHECK_FALSE(bi::parse_ledger_line("{\"question\":\"x\""));
}

TEST_CASE("the ledger rotates past its size cap and keeps three generations", "[ledger]") {
    auto dir = bi::test::scratch_dir("ops_rotation");
    auto path = bi::ledger_path(dir);
    auto line_size = static_cast<std::int64_t>(bi::ledger_line(entry("q 00", true, "dump", 1)).size());
    const std::int64_t cap = line_size * 4;  // the fifth line passes the cap
    bi::ledger ledger(path, cap);
    for (int i = 0; i < 10; ++i) REQUIRE_FALSE(ledger.append(entry(fmt::format("q {:02}", i), true, "dump", 1)));
    // Lines 0-4 filled the first file, 5-9 the second: both rotated, nothing current yet.
    CHECK(lines_of(path + ".2").size() == 5);
    CHECK(lines_of(path + ".1").size() == 5);
    CHECK_FALSE(fs::exists(path + ".3"));
    for (int i = 10; i < 26; ++i) REQUIRE_FALSE(ledger.append(entry(fmt::format("q {:02}", i), true, "dump", 1)));
    CHECK_FALSE(fs::exists(path + ".4"));
    auto newest = lines_of(path);
    REQUIRE(newest.size() == 1);
    CHECK_THAT(newest[0], Catch::Contains("\"q 25\""));
    CHECK_THAT(lines_of(path + ".1").front(), Catch::Contains("\"q 20\""));
    CHECK_THAT(lines_of(path + ".3").front(), Catch::Contains("\"q 10\""));  // q 00-09 dropped
    for (auto& f : {path, path + ".1", path + ".2", path + ".3"})
        for (auto& l : lines_of(f)) CHECK(bi::parse_ledger_line(l));
}

TEST_CASE("a second ledger writer follows a rotation made by the first", "[ledger]") {
    auto dir = bi::test::scratch_dir("ops_follow");
    auto path = bi::ledger_path(dir);
    auto line_size = static_cast<std::int64_t>(bi::ledger_line(entry("q", true, "dump", 1)).size());
    bi::ledger a(path, line_size * 2), b(path, 0);
    REQUIRE_FALSE(b.append(entry("q", true, "dump", 1)));
    REQUIRE_FALSE(a.append(entry("q", true, "dump", 1)));
    REQUIRE_FALSE(a.append(entry("q", true, "dump", 1)));  // a rotates: 3 lines to .1
    REQUIRE_FALSE(b.append(entry("q", true, "dump", 1)));  // b must write to the new file
    CHECK(lines_of(path + ".1").size() == 3);
    CHECK(lines_of(path).size() == 1);
}

TEST_CASE("a batch's ledger lines are written together at a flush", "[ledger]") {
    auto dir = bi::test::scratch_dir("ops_keep");
    auto path = bi::ledger_path(dir);
    bi::ledger ledger(path, 0);
    for (int i = 0; i < 3; ++i) ledger.keep(entry(fmt::format("q {}", i), true, "dump", 1));
    CHECK_FALSE(fs::exists(path));
    REQUIRE_FALSE(ledger.flush());
    auto lines = lines_of(path);
    REQUIRE(lines.size() == 3);
    CHECK_THAT(lines[2], Catch::Contains("\"q 2\""));
    REQUIRE_FALSE(ledger.flush());  // nothing held: nothing written
    REQUIRE_FALSE(ledger.append(entry("q 3", true, "dump", 1)));
    CHECK(lines_of(path).size() == 4);
}

TEST_CASE("a ledger that cannot be written warns once and never throws", "[ledger]") {
    auto dir = bi::test::scratch_dir("ops_unwritable");
    std::ofstream(dir + "/file") << "not a directory";
    bi::ledger ledger(bi::ledger_path(dir + "/file/logs"), 0);
    auto first = ledger.append(entry("q", true, "dump", 1));
    REQUIRE(first);
    CHECK_THAT(*first, Catch::StartsWith("cannot write the ledger '" + dir + "/file/logs/ledger.jsonl': "));
    CHECK_FALSE(ledger.append(entry("q", true, "dump", 1)));
}

TEST_CASE("ledger figures from a known ledger", "[status]") {
    // 10 questions: 6 from dumps, 1 live, 3 unanswered (two the same question written
    // differently); one line torn. Latencies 1..10 ms: nearest-rank p50 = 5, p95 = 10.
    std::vector<bi::ledger_entry> entries = {
        entry("top models", true, "dump", 3),        entry("What's the  WEATHER?", false, "", 1),
        entry("dealer performance", true, "dump", 10), entry("kpi health", true, "dump", 2),
        entry("stock levels", true, "live", 9),      entry("what's the weather?", false, "", 4),
        entry("margins", true, "dump", 5),           entry("asdf", false, "", 7),
        entry("claims by model", true, "dump", 6),   entry("repeat repairs", true, "dump", 8),
    };
    bi::ledger_tally tally(100);
    for (auto& e : entries) tally.add_line(bi::ledger_line(e));
    tally.add_line("{\"time\":\"2026-06-15T10:00:00Z\",\"quest");
    auto f = tally.figures();
    CHECK(f.answers == 10);
    CHECK(f.matched == 7);
    CHECK(f.from_dumps == 6);
    CHECK(f.hit_rate == Approx(0.6));
    CHECK(f.tokens_spent == 0);
    // ceil((100 + len) / 4) for each of the 7 matched zero-token answers.
    std::int64_t saved = 0;
    for (auto& e : entries)
        if (e.matched) saved += (100 + static_cast<std::int64_t>(e.question.size()) + 3) / 4;
    CHECK(f.tokens_saved == saved);
    CHECK(f.tokens_saved == 199);
    CHECK(f.p50_ms == 5);
    CHECK(f.p95_ms == 10);
    CHECK(f.unreadable_lines == 1);
    REQUIRE(f.top_unanswered.size() == 2);
    CHECK(f.top_unanswered[0] == std::pair<std::string, std::int64_t>{"what's the weather?", 2});
    CHECK(f.top_unanswered[1] == std::pair<std::string, std::int64_t>{"asdf", 1});
}

TEST_CASE("tokens spent by the fallback count, and save nothing", "[status]") {
    bi::ledger_tally tally(40);
    tally.add(entry("new question", true, "fallback", 900, 1500));
    tally.add(entry("top models", true, "dump", 1));
    auto f = tally.figures();
    CHECK(f.tokens_spent == 1500);
    CHECK(f.tokens_saved == (40 + 10 + 3) / 4);
    CHECK(f.hit_rate == Approx(0.5));
}

TEST_CASE("the top unanswered questions are the ten most frequent", "[status]") {
    bi::ledger_tally tally(0);
    for (int q = 0; q < 12; ++q)
        for (int n = 0; n <= q; ++n) tally.add(entry(fmt::format("Question {}", q), false, "", 1));
    auto f = tally.figures();
    REQUIRE(f.top_unanswered.size() == 10);
    CHECK(f.top_unanswered.front().first == "question 11");
    CHECK(f.top_unanswered.front().second == 12);
    CHECK(f.top_unanswered.back().first == "question 2");
    CHECK(bi::ledger_tally(0).figures().p95_ms == 0);
}

TEST_CASE("the job log keeps one record per query run, the last one wins", "[regen]") {
    auto dir = bi::test::scratch_dir("ops_job_log");
    auto path = bi::job_log_path(dir);
    CHECK(path == dir + "/job_logs/regen.jsonl");
    bi::dump_outcome ok{"sales_analytics/x", true, 12, 3.25, "2026-06-15T02:00:00Z", "2026-06-15T02:00:01Z", ""};
    bi::dump_outcome bad{"sales_analytics/x", false, 0, 1, "2026-06-16T02:00:00Z", "2026-06-16T02:00:01Z", "no such table: y"};
    auto line = bi::job_log_line(bad);
    rapidjson::Document d;
    d.Parse(line.c_str());
    REQUIRE_FALSE(d.HasParseError());
    for (auto* key : {"start", "end", "query", "rows", "duration_ms", "outcome", "error"}) CHECK(d.HasMember(key));
    CHECK(std::string(d["outcome"].GetString()) == "failed");
    d.Parse(bi::job_log_line(ok).c_str());
    CHECK(d["error"].IsNull());
    CHECK(std::string(d["outcome"].GetString()) == "ok");

    fs::create_directories(dir + "/job_logs");
    std::ofstream(path) << bi::job_log_line(ok) << bi::job_log_line(bad) << "{\"torn";
    auto last = bi::last_runs(path);
    REQUIRE(last.count("sales_analytics/x"));
    CHECK_FALSE(last["sales_analytics/x"].ok);
    CHECK(last["sales_analytics/x"].error == "no such table: y");
}

TEST_CASE("the dumps lock excludes a second holder until released", "[regen]") {
    auto dir = bi::test::scratch_dir("ops_lock");
    auto first = std::make_unique<bi::dir_lock>(dir, 0s);
    CHECK(fs::exists(dir + "/.lock"));
    try {
        bi::dir_lock second(dir, 0s);
        FAIL("the second lock was taken");
    } catch (const bi::error& e) {
        CHECK(e.code() == bi::exit_code::locked);
        CHECK(std::string(e.what()) == "another run holds the lock on '" + dir + "' (waited 0 s)");
    }
    std::thread release([&] {
        std::this_thread::sleep_for(300ms);
        first.reset();
    });
    CHECK_NOTHROW(bi::dir_lock(dir, 5s));
    release.join();
}

TEST_CASE("deleting or replacing .lock while a run holds it lets no second run in", "[regen]") {
    auto dir = bi::test::scratch_dir("ops_lock_deleted");
    bi::dir_lock first(dir, 0s);
    fs::remove(dir + "/.lock");
    CHECK_THROWS_MATCHES(bi::dir_lock(dir, 0s), bi::error,
                         Catch::Predicate<bi::error>([](auto& e) { return e.code() == bi::exit_code::locked; }));
    std::ofstream(dir + "/.lock") << "";
    CHECK_THROWS_MATCHES(bi::dir_lock(dir, 0s), bi::error,
                         Catch::Predicate<bi::error>([](auto& e) { return e.code() == bi::exit_code::locked; }));
}

TEST_CASE("a symlink at .lock or at a log's name is refused, never followed", "[regen]") {
    auto dir = bi::test::scratch_dir("ops_lock_symlink");
    fs::create_directories(dir + "/dumps");
    fs::create_symlink(dir + "/target", dir + "/dumps/.lock");
    CHECK_THROWS_WITH(bi::dir_lock(dir + "/dumps", 0s),
                      "'" + dir + "/dumps/.lock': is a symbolic link; the lock file must be a file");
    fs::create_symlink(dir + "/log-target", dir + "/log.jsonl");
    CHECK_THROWS_WITH(bi::append_file(dir + "/log.jsonl"),
                      "'" + dir + "/log.jsonl': is a symbolic link; refusing to write through it");
    CHECK_FALSE(fs::exists(dir + "/target"));
    CHECK_FALSE(fs::exists(dir + "/log-target"));
    fs::remove(dir + "/dumps/.lock");
    CHECK_NOTHROW(bi::dir_lock(dir + "/dumps", 0s));  // the failed attempt left the directory unlocked
}
