// The answer ledger. Many bi-ask processes append at once: O_APPEND and one write() per line
// keep lines whole, and rotation is a rename under an flock on the file being rotated, so a
// writer holding the old file only ever adds to ledger.jsonl.1, never loses a line.
#include "bi/ledger.hpp"

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <sys/file.h>
#include <sys/stat.h>

#include <fmt/format.h>
#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "bi/error.hpp"
#include "bi/files.hpp"

namespace bi {

namespace {

bool all_digits(std::string_view s) {
    if (s.empty() || s.size() > 9) return false;
    for (char c : s)
        if (c < '0' || c > '9') return false;
    return true;
}

std::string string_of(const rapidjson::Value& v) {
    return v.IsString() ? std::string(v.GetString(), v.GetStringLength()) : std::string();
}

}  // namespace

std::string ledger_path(const std::string& log_dir) {
    return log_dir.empty() ? "ledger.jsonl" : log_dir + "/ledger.jsonl";
}

std::string ledger_line(const ledger_entry& e) {
    rapidjson::StringBuffer b;
    rapidjson::Writer<rapidjson::StringBuffer> w(b);
    auto text = [&](const std::string& s) { w.String(s.data(), static_cast<rapidjson::SizeType>(s.size())); };
    auto text_or_null = [&](const std::string& s) {
        if (s.empty()) w.Null();
        else text(s);
    };
    w.StartObject();
    w.Key("time"); text(e.time);
    w.Key("question"); text(e.question);
    w.Key("matched"); w.Bool(e.matched);
    w.Key("query"); text_or_null(e.query);
    w.Key("score"); w.Double(std::round(e.score * 1e4) / 1e4);
    w.Key("filters");
    w.StartObject();
    for (auto& [slot, v] : e.filters) {
        text(slot);
        if (slot == "year" && all_digits(v)) w.Int(std::stoi(v));
        else text(v);
    }
    w.EndObject();
    w.Key("source"); text_or_null(e.source);
    w.Key("tokens"); w.Int64(e.tokens);
    w.Key("latency_ms"); w.Double(std::round(e.latency_ms * 1e3) / 1e3);
    w.EndObject();
    std::string line(b.GetString(), b.GetSize());
    line += '\n';
    return line;
}

std::optional<ledger_entry> parse_ledger_line(std::string_view line) {
    rapidjson::Document d;
    d.Parse(line.data(), line.size());
    if (d.HasParseError() || !d.IsObject()) return std::nullopt;
    auto matched = d.FindMember("matched");
    auto question = d.FindMember("question");
    if (matched == d.MemberEnd() || !matched->value.IsBool() || question == d.MemberEnd() || !question->value.IsString())
        return std::nullopt;
    ledger_entry e;
    e.matched = matched->value.GetBool();
    e.question = string_of(question->value);
    if (auto it = d.FindMember("time"); it != d.MemberEnd()) e.time = string_of(it->value);
    if (auto it = d.FindMember("query"); it != d.MemberEnd()) e.query = string_of(it->value);
    if (auto it = d.FindMember("source"); it != d.MemberEnd()) e.source = string_of(it->value);
    if (auto it = d.FindMember("score"); it != d.MemberEnd() && it->value.IsNumber()) e.score = it->value.GetDouble();
    if (auto it = d.FindMember("tokens"); it != d.MemberEnd() && it->value.IsInt64()) e.tokens = it->value.GetInt64();
    if (auto it = d.FindMember("latency_ms"); it != d.MemberEnd() && it->value.IsNumber())
        e.latency_ms = it->value.GetDouble();
    if (auto it = d.FindMember("filters"); it != d.MemberEnd() && it->value.IsObject())
        for (auto& m : it->value.GetObject())
            e.filters[string_of(m.name)] = m.value.IsInt() ? std::to_string(m.value.GetInt()) : string_of(m.value);
    return e;
}

ledger::ledger(std::string path, std::int64_t max_bytes) : path_(std::move(path)), max_bytes_(max_bytes) {}

ledger::~ledger() = default;

void ledger::open_current() {
    // Another process may have rotated the file we hold: follow the name, not the inode.
    if (file_) {
        struct stat ours {}, named {};
        if (::fstat(file_->fd(), &ours) == 0 && ::stat(path_.c_str(), &named) == 0 && ours.st_ino == named.st_ino &&
            ours.st_dev == named.st_dev)
            return;
    }
    file_ = std::make_unique<append_file>(path_);
}

void ledger::rotate_if_full() {
    struct stat st {};
    if (max_bytes_ <= 0 || ::fstat(file_->fd(), &st) != 0 || st.st_size <= max_bytes_) return;
    int fd = file_->fd();
    if (::flock(fd, LOCK_EX) != 0) return;  // rotation waits for the next line; the line is written
    struct stat named {};
    // Whoever got the lock first has rotated already when the name points elsewhere now.
    bool ours = ::stat(path_.c_str(), &named) == 0 && named.st_ino == st.st_ino && named.st_dev == st.st_dev;
    std::string failure;
    if (ours) {
        for (int g = ledger_generations - 1; g >= 1 && failure.empty(); --g) {
            auto from = fmt::format("{}.{}", path_, g), to = fmt::format("{}.{}", path_, g + 1);
            if (std::rename(from.c_str(), to.c_str()) != 0 && errno != ENOENT)
                failure = fmt::format("'{}': cannot rotate: {}", from, std::strerror(errno));
        }
        if (failure.empty() && std::rename(path_.c_str(), (path_ + ".1").c_str()) != 0)
            failure = fmt::format("'{}': cannot rotate: {}", path_, std::strerror(errno));
    }
    ::flock(fd, LOCK_UN);
    if (!failure.empty()) throw error(failure);
    file_.reset();
}

std::optional<std::string> ledger::append(const ledger_entry& e) {
    keep(e);
    return flush();
}

void ledger::keep(const ledger_entry& e) {
    if (!off_) kept_ += ledger_line(e);
}

std::optional<std::string> ledger::flush() {
    if (off_ || kept_.empty()) return std::nullopt;
    try {
        open_current();
        file_->write_line(kept_);
        kept_.clear();
        rotate_if_full();
        return std::nullopt;
    } catch (const std::exception& err) {
        off_ = true;
        kept_.clear();
        file_.reset();
        std::string cause = err.what();
        if (auto named = "'" + path_ + "': "; cause.rfind(named, 0) == 0) cause.erase(0, named.size());
        return fmt::format("cannot write the ledger '{}': {}", path_, cause);
    }
}

}  // namespace bi
