// Freshness of dumps. Times are whole UTC seconds: dumps record generated_at to the second.
#include "bi/freshness.hpp"

#include <cstdlib>

#include <fmt/format.h>

#include "bi/catalog.hpp"
#include "bi/error.hpp"

namespace bi {

namespace {

/// The grace on top of a schedule's period, as a fraction of it: a nightly job that runs
/// late or takes long still counts as on time until 30 h have passed.
constexpr double grace = 0.25;

bool digits(std::string_view s, size_t from, size_t n, int& out) {
    out = 0;
    for (size_t i = from; i < from + n; ++i) {
        if (i >= s.size() || s[i] < '0' || s[i] > '9') return false;
        out = out * 10 + (s[i] - '0');
    }
    return true;
}

}  // namespace

std::optional<utc_time> parse_utc(std::string_view s) {
    int y, mo, d, h, mi, sec;
    if (s.size() < 20 || !digits(s, 0, 4, y) || s[4] != '-' || !digits(s, 5, 2, mo) || s[7] != '-' ||
        !digits(s, 8, 2, d) || s[10] != 'T' || !digits(s, 11, 2, h) || s[13] != ':' || !digits(s, 14, 2, mi) ||
        s[16] != ':' || !digits(s, 17, 2, sec))
        return std::nullopt;
    size_t i = 19;
    if (i < s.size() && s[i] == '.') {
        ++i;
        while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
    }
    if (i + 1 != s.size() || s[i] != 'Z') return std::nullopt;
    using namespace std::chrono;
    year_month_day date{year{y}, month{static_cast<unsigned>(mo)}, day{static_cast<unsigned>(d)}};
    if (!date.ok() || h > 23 || mi > 59 || sec > 60) return std::nullopt;
    return sys_days(date) + hours(h) + minutes(mi) + seconds(sec);
}

std::string format_utc(utc_time t) {
    using namespace std::chrono;
    auto day = floor<days>(t);
    year_month_day date(day);
    hh_mm_ss time(t - day);
    return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z", static_cast<int>(date.year()),
                       static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()), time.hours().count(),
                       time.minutes().count(), time.seconds().count());
}

utc_time utc_now() {
    if (const char* fixed = std::getenv("BI_NOW"); fixed && *fixed) {
        if (auto t = parse_utc(fixed)) return *t;
        throw usage_error(fmt::format("BI_NOW='{}' is not a UTC time like 2026-06-15T02:00:00Z", fixed));
    }
    return std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
}

std::optional<std::chrono::seconds> max_age(std::string_view schedule) {
    using namespace std::chrono;
    auto s = parse_schedule(schedule);
    if (!s) return std::nullopt;
    hours period = *s == schedule::daily ? hours(24) : *s == schedule::weekly ? hours(24 * 7) : hours(24 * 31);
    return duration_cast<seconds>(period * (1 + grace));
}

std::string format_age(std::int64_t s) {
    if (s < 0) return fmt::format("-{}", format_age(-s));
    if (s < 60) return fmt::format("{} s", s);
    if (s < 3600) return fmt::format("{} min", s / 60);
    if (s < 86400) return s % 3600 / 60 ? fmt::format("{} h {} min", s / 3600, s % 3600 / 60) : fmt::format("{} h", s / 3600);
    return s % 86400 / 3600 ? fmt::format("{} d {} h", s / 86400, s % 86400 / 3600) : fmt::format("{} d", s / 86400);
}

freshness assess_freshness(std::string_view generated_at, std::string_view schedule,
                           std::string_view dump_fingerprint, std::string_view database_fingerprint,
                           utc_time now) {
    freshness f;
    auto made = parse_utc(generated_at);
    std::string why;
    if (!made) {
        why = fmt::format("its generated_at '{}' is not a UTC time", generated_at);
    } else {
        f.age_seconds = (now - *made).count();
        if (auto limit = max_age(schedule); limit && f.age_seconds > limit->count())
            why = fmt::format("{} old, more than its {} schedule allows ({})", format_age(f.age_seconds), schedule,
                              format_age(limit->count()));
    }
    if (!database_fingerprint.empty() && dump_fingerprint != database_fingerprint)
        why += fmt::format("{}the database changed since it was made", why.empty() ? "" : "; ");
    f.stale = !why.empty();
    f.reason = std::move(why);
    return f;
}

freshness assess_freshness(const dump& d, std::string_view database_fingerprint, utc_time now) {
    return assess_freshness(d.generated_at, d.schedule, d.source.fingerprint, database_fingerprint, now);
}

}  // namespace bi
