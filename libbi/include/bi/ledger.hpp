// The answer ledger: one JSON line per bi-ask answer in <log_dir>/ledger.jsonl, appended by
// many processes at once and rotated by size, for bi-status's hit rate, tokens and latency.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace bi {

class append_file;

struct ledger_entry {
    std::string time;                              ///< UTC ISO 8601
    std::string question;
    bool matched = false;
    std::string query;                             ///< category/name; "" is written as null
    double score = 0;
    std::map<std::string, std::string> filters;    ///< slot -> value (year as a number)
    std::string source;                            ///< dump, live, fallback; "" is written as null
    std::int64_t tokens = 0;                       ///< LLM tokens spent; 0 for dumps
    double latency_ms = 0;
};

/// How many rotated generations are kept: ledger.jsonl.1 (newest) .. ledger.jsonl.3.
constexpr int ledger_generations = 3;

/// <log_dir>/ledger.jsonl
std::string ledger_path(const std::string& log_dir);

/// The entry as one JSON object and a newline.
std::string ledger_line(const ledger_entry& e);

/// Reads a line back; nullopt when it is not a ledger entry (a torn or foreign line).
std::optional<ledger_entry> parse_ledger_line(std::string_view line);

/// An open ledger. Keeps its file open across appends (a batch) and follows rotations made
/// by other processes; rotates when the file passes `max_bytes` (0: never), under an flock
/// so that one process rotates.
class ledger {
public:
    ledger(std::string path, std::int64_t max_bytes);
    ~ledger();

    /// Appends one entry with one write(). Never throws: the first failure is returned as a
    /// message, "cannot write the ledger 'path': cause", for one warning line, and turns the
    /// ledger off; later calls return nullopt.
    std::optional<std::string> append(const ledger_entry& e);
    /// For batches: keep() holds an entry in memory; flush() appends every entry held with one
    /// write() (whole lines, as append does) and reports a failure as append does.
    void keep(const ledger_entry& e);
    std::optional<std::string> flush();

    const std::string& path() const { return path_; }

private:
    void open_current();
    void rotate_if_full();

    std::string path_;
    std::int64_t max_bytes_;
    std::unique_ptr<append_file> file_;
    std::string kept_;  // lines held by keep()
    bool off_ = false;
};

}  // namespace bi
