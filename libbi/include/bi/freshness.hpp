// Freshness: whether a dump is still good enough to answer from. A dump is stale when it is
// older than its schedule's period plus a 25% grace (daily 30 h, weekly 8 d 18 h, monthly
// 38 d 18 h), or when the database's fingerprint is no longer the one the dump was made from.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "bi/dump.hpp"

namespace bi {

using utc_time = std::chrono::sys_seconds;

/// "Now" in UTC; `BI_NOW` (ISO 8601, e.g. 2026-06-15T02:00:00Z) fixes it, for tests. Throws
/// usage_error when BI_NOW is set to anything else.
utc_time utc_now();

/// Parses `YYYY-MM-DDTHH:MM:SSZ` (fractional seconds are ignored); nullopt when malformed.
std::optional<utc_time> parse_utc(std::string_view text);

/// Formats a time as `YYYY-MM-DDTHH:MM:SSZ`.
std::string format_utc(utc_time t);

/// How long a dump made on `schedule` may age: the schedule's period (daily 24 h, weekly 7 d,
/// monthly 31 d) plus 25% grace; nullopt for no schedule (ad-hoc dumps never age out).
std::optional<std::chrono::seconds> max_age(std::string_view schedule);

struct freshness {
    bool stale = false;
    std::int64_t age_seconds = 0;   ///< now - generated_at; 0 when generated_at is unreadable
    std::string reason;             ///< why it is stale; empty when fresh
};

/// Judges a dump made at `generated_at` on `schedule` from a database whose fingerprint was
/// `dump_fingerprint`. An empty `database_fingerprint` (database missing) is not judged.
freshness assess_freshness(std::string_view generated_at, std::string_view schedule,
                           std::string_view dump_fingerprint, std::string_view database_fingerprint,
                           utc_time now);

/// The same for a dump read back from disk.
freshness assess_freshness(const dump& d, std::string_view database_fingerprint, utc_time now);

/// A short hex fingerprint of a SQLite file's content version, "" when it cannot be read. It
/// is made from the content only (never the inode or times), so a copy is the same database:
/// the header (SQLite's file change counter, bumped by every committed transaction in rollback
/// mode; page count; schema cookie), a sample of 16 pages, and in WAL mode the WAL's salts
/// and its last commit frame's checksum. Any committed write changes it; so may a checkpoint
/// or VACUUM, which change the file but not the data.
std::string sqlite_file_fingerprint(const std::string& path);

/// A duration for people: "45 s", "3 h 5 min", "8 d 18 h".
std::string format_age(std::int64_t seconds);

}  // namespace bi
