// Freshness of dumps. Times are whole UTC seconds: dumps record generated_at to the second.
// A SQLite file's content version is read from what SQLite itself keeps (the header, the WAL's
// commits), so a copy with the same content is fresh and every committed write is seen.
#include "bi/freshness.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>

#include <fmt/format.h>

#include "bi/catalog.hpp"
#include "bi/error.hpp"
#include "bi/hash.hpp"

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

std::uint32_t big_endian32(const unsigned char* p) {
    return (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) | p[3];
}

/// A regular file opened for reading without blocking on a FIFO; closed on destruction.
struct read_only_file {
    int fd = -1;
    std::int64_t size = 0;
    explicit read_only_file(const std::string& path) {
        if (path.find('\0') != std::string::npos) return;
        fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
        struct stat st {};
        if (fd >= 0 && (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))) {
            ::close(fd);
            fd = -1;
        }
        size = st.st_size;
    }
    ~read_only_file() {
        if (fd >= 0) ::close(fd);
    }
    read_only_file(const read_only_file&) = delete;
    read_only_file& operator=(const read_only_file&) = delete;
    /// `n` bytes at `offset`, or "" when the file is shorter.
    std::string read(std::int64_t offset, std::size_t n) const {
        std::string out(n, '\0');
        auto k = ::pread(fd, out.data(), n, offset);
        return k == static_cast<ssize_t>(n) ? out : std::string();
    }
};

// Pages hashed besides the header: they tell apart two databases whose counters agree (a
// rebuild that ran the same number of transactions), at the cost of a few small reads.
constexpr std::int64_t sampled_pages = 16;

/// The database file: its header (change counter, page count, schema cookie…) and a sample of
/// its pages, the first and last among them.
std::string main_file_material(const read_only_file& f) {
    auto head = f.read(0, 100);
    if (head.empty()) return f.read(0, static_cast<std::size_t>(f.size));  // shorter than a header
    auto* h = reinterpret_cast<const unsigned char*>(head.data());
    std::int64_t page_size = (h[16] << 8) | h[17];
    if (page_size == 1) page_size = 65536;
    if (page_size < 512 || (page_size & (page_size - 1)) != 0) page_size = 4096;  // not SQLite: still sample
    std::int64_t pages = f.size / page_size;
    std::string material = head;
    for (std::int64_t i = 0; i < std::min(pages, sampled_pages); ++i) {
        auto page = pages <= sampled_pages ? i : i * (pages - 1) / (sampled_pages - 1);
        material += sha256_hex(f.read(page * page_size, static_cast<std::size_t>(page_size)));
    }
    return material;
}

/// The WAL's committed content: its salts (new at every reset) and the running checksum of its
/// last commit frame, which covers every frame before it. Frames after the last commit are
/// a transaction still being written, and frames with old salts are left from before a reset.
std::string wal_material(const std::string& path) {
    read_only_file f(path);
    if (f.fd < 0) return "";
    auto head = f.read(0, 32);
    if (head.empty()) return "";
    auto* h = reinterpret_cast<const unsigned char*>(head.data());
    auto magic = big_endian32(h);
    if (magic != 0x377f0682 && magic != 0x377f0683) return "";
    std::int64_t page_size = big_endian32(h + 8);
    if (page_size < 512 || page_size > 65536) return "";
    std::string last_commit;
    std::int64_t frame = 0;
    for (std::int64_t at = 32; at + 24 + page_size <= f.size; at += 24 + page_size, ++frame) {
        auto fh = f.read(at, 24);
        if (fh.empty() || fh.compare(8, 8, head, 16, 8) != 0) break;
        if (big_endian32(reinterpret_cast<const unsigned char*>(fh.data()) + 4) != 0)
            last_commit = fmt::format("{}:{}", frame, sha256_hex(fh.substr(16, 8)));
    }
    if (last_commit.empty()) return "";
    return ":wal:" + sha256_hex(head.substr(16, 8)) + ":" + last_commit;
}

}  // namespace

std::string sqlite_file_fingerprint(const std::string& path) {
    read_only_file f(path);
    if (f.fd < 0) return "";
    auto material = main_file_material(f) + wal_material(path + "-wal");
    return sha256_hex(material).substr(0, 16);  // the first 8 bytes of the SHA-256, as hex
}

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
