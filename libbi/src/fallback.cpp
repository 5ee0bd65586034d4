// The token fallback. The command is any program: bi writes the request to its stdin and
// reads the reply from its stdout under a deadline, so no vendor SDK is linked and a slow or
// broken model cannot hang a caller. The SQL that comes back is only ever run by the guard.
#include "bi/fallback.hpp"

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <poll.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fmt/format.h>
#include <rapidjson/document.h>
#include <rapidjson/error/en.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "bi/catalog.hpp"
#include "bi/files.hpp"
#include "bi/format.hpp"
#include "bi/text.hpp"
#include "detail/strings.hpp"

extern char** environ;

namespace bi {

namespace fs = std::filesystem;

namespace {

using json_writer = rapidjson::Writer<rapidjson::StringBuffer>;

constexpr size_t max_reply_bytes = 1 << 20;
constexpr size_t max_stderr_bytes = 64 << 10;
constexpr int max_dimension_values = 30;
constexpr std::int64_t max_token_count = 1'000'000'000'000;

std::string quote_identifier(std::string_view name) {
    std::string out = "\"";
    for (char c : name) {
        if (c == '"') out += '"';
        out += c;
    }
    return out + "\"";
}

/// Collects a small result as text cells.
class text_rows : public row_sink {
public:
    void begin(const std::vector<column_info>&) override {}
    void row(const row_view& r) override {
        std::vector<std::string> cells;
        for (int i = 0; i < r.size(); ++i) cells.emplace_back(r.type(i) == column_type::null ? "" : r.text(i));
        rows.push_back(std::move(cells));
    }
    std::vector<std::vector<std::string>> rows;
};

/// The first line of a command's stderr, fit for a terminal: control characters (ANSI escapes
/// among them) and bad UTF-8 become U+FFFD, as the table renderer shows cells.
std::string first_line(std::string_view text, size_t max = 200) {
    auto t = detail::trim(text);
    auto nl = t.find('\n');
    auto line = t.substr(0, nl);
    if (line.size() > max) return printable_text(line.substr(0, max)) + "…";
    return printable_text(line);
}

/// Drops leading comment lines so a saved SQL body is never read as header lines.
std::string strip_leading_comments(std::string_view sql) {
    auto s = detail::trim(sql);
    while (s.substr(0, 2) == "--") {
        auto nl = s.find('\n');
        s = nl == std::string_view::npos ? std::string_view() : detail::trim(s.substr(nl + 1));
    }
    std::string out(s);
    while (!out.empty() && (out.back() == ';' || out.back() == ' ' || out.back() == '\n')) out.pop_back();
    return out;
}

}  // namespace

std::string normalized_question(std::string_view question) {
    std::string out;
    for (auto& w : words_of(question)) out += (out.empty() ? "" : " ") + w;
    return out;
}

std::string fallback_request(database& db, const router_index& index, const route_result& routed,
                             std::string_view question, const query_limits& limits) {
    rapidjson::StringBuffer b;
    json_writer w(b);
    w.StartObject();
    w.Key("protocol"); w.String("bi-fallback/1");
    w.Key("question"); w.String(question.data(), static_cast<rapidjson::SizeType>(question.size()));
    w.Key("dialect"); w.String(db.dialect());
    w.Key("instructions");
    w.String("Reply with one JSON object: {\"sql\": \"<one read-only SELECT statement in the given dialect that "
             "answers the question>\", \"usage\": {\"prompt_tokens\": N, \"completion_tokens\": N}}. Use only the "
             "tables and columns in 'schema'; give result columns short snake_case names; order the rows the way "
             "the question ranks them.");
    w.Key("schema");
    w.StartArray();
    for (auto& t : db.tables()) {
        w.StartObject();
        w.Key("table"); w.String(t.name);
        w.Key("ddl"); w.String(t.ddl);
        // Distinct values of small text columns tell the model how the data spells things.
        w.Key("values");
        w.StartObject();
        for (auto& c : t.columns) {
            auto type = detail::lower_ascii(c.decl_type);
            if (type.find("text") == std::string::npos && type.find("char") == std::string::npos) continue;
            text_rows values;
            db.query(fmt::format("SELECT DISTINCT {0} FROM {1} WHERE {0} IS NOT NULL ORDER BY 1 LIMIT {2}",
                                 quote_identifier(c.name), quote_identifier(t.name), max_dimension_values + 1),
                     values);
            if (values.rows.empty() || values.rows.size() > static_cast<size_t>(max_dimension_values)) continue;
            w.Key(c.name.c_str());
            w.StartArray();
            for (auto& v : values.rows) w.String(v[0]);
            w.EndArray();
        }
        w.EndObject();
        w.EndObject();
    }
    w.EndArray();
    w.Key("examples");
    w.StartArray();
    std::vector<int> picks;
    for (auto& c : routed.candidates)
        if (picks.size() < 3) picks.push_back(c.query);
    for (int i = 0; picks.size() < 3 && i < static_cast<int>(index.size()); ++i)
        if (std::find(picks.begin(), picks.end(), i) == picks.end()) picks.push_back(i);
    for (int i : picks) {
        auto& d = index.def(i);
        w.StartObject();
        w.Key("query"); w.String(d.id());
        w.Key("title"); w.String(d.title);
        w.Key("question"); w.String(index.query(i).example_texts.empty() ? d.title : index.query(i).example_texts.front());
        w.Key("sql"); w.String(d.sql);
        w.EndObject();
    }
    w.EndArray();
    w.Key("limits");
    w.StartObject();
    w.Key("max_rows"); w.Int64(limits.answer_max_rows);  // what an answer holds, not a dump
    w.Key("time_budget_ms"); w.Int64(limits.time_budget.count());
    w.EndObject();
    w.EndObject();
    return b.GetString();
}

fallback_reply parse_fallback_reply(std::string_view text) {
    rapidjson::Document doc;
    // Iterative: the reply is untrusted, and a deeply nested one ("[[[[…", up to the 1 MiB a
    // reply may have) overflows the stack of rapidjson's recursive parser.
    doc.Parse<rapidjson::kParseIterativeFlag>(text.data(), text.size());
    if (doc.HasParseError())
        throw fallback_error(fmt::format("reply is not valid JSON at byte {}: {}", doc.GetErrorOffset(),
                                         rapidjson::GetParseError_En(doc.GetParseError())), exit_code::fallback_reply);
    if (!doc.IsObject()) throw fallback_error("reply is not a JSON object", exit_code::fallback_reply);
    auto sql = doc.FindMember("sql");
    if (sql == doc.MemberEnd() || !sql->value.IsString() || detail::trim(sql->value.GetString()).empty())
        throw fallback_error("reply has no 'sql' string", exit_code::fallback_reply);
    auto usage = doc.FindMember("usage");
    if (usage == doc.MemberEnd() || !usage->value.IsObject())
        throw fallback_error("reply has no 'usage' object", exit_code::fallback_reply);
    auto count = [&](const char* key) {
        auto it = usage->value.FindMember(key);
        if (it == usage->value.MemberEnd() || !it->value.IsInt64() || it->value.GetInt64() < 0)
            throw fallback_error(fmt::format("reply has no 'usage.{}' count", key), exit_code::fallback_reply);
        // No model reads or writes a trillion tokens in one reply; a count like that is a broken
        // adapter, and summing two near INT64_MAX would overflow.
        if (it->value.GetInt64() > max_token_count)
            throw fallback_error(fmt::format("reply's 'usage.{}' count {} is more than {}", key, it->value.GetInt64(),
                                             max_token_count),
                                 exit_code::fallback_reply);
        return it->value.GetInt64();
    };
    fallback_reply r;
    r.sql.assign(sql->value.GetString(), sql->value.GetStringLength());
    r.prompt_tokens = count("prompt_tokens");
    r.completion_tokens = count("completion_tokens");
    return r;
}

fallback_reply run_fallback(const std::string& command, const std::string& request, std::chrono::milliseconds timeout) {
    int in[2], out[2], err[2];
    if (::pipe2(in, O_CLOEXEC) != 0 || ::pipe2(out, O_CLOEXEC) != 0 || ::pipe2(err, O_CLOEXEC) != 0)
        throw fallback_error(fmt::format("cannot create pipes: {}", std::strerror(errno)), exit_code::fallback);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, in[0], 0);
    posix_spawn_file_actions_adddup2(&actions, out[1], 1);
    posix_spawn_file_actions_adddup2(&actions, err[1], 2);
    posix_spawnattr_t attr;
    posix_spawnattr_init(&attr);
    // Its own process group, so a timeout kills the whole pipeline the shell started; and
    // SIGPIPE back to default, since the tools ignore it and the child would inherit that.
    sigset_t defaults;
    sigemptyset(&defaults);
    sigaddset(&defaults, SIGPIPE);
    posix_spawnattr_setsigdefault(&attr, &defaults);
    posix_spawnattr_setpgroup(&attr, 0);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF);
    const char* argv[] = {"/bin/sh", "-c", command.c_str(), nullptr};
    pid_t pid = 0;
    int rc = posix_spawn(&pid, "/bin/sh", &actions, &attr, const_cast<char**>(argv), environ);
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attr);
    ::close(in[0]);
    ::close(out[1]);
    ::close(err[1]);
    if (rc != 0) {
        ::close(in[1]);
        ::close(out[0]);
        ::close(err[0]);
        throw fallback_error(fmt::format("cannot start '{}': {}", command, std::strerror(rc)), exit_code::fallback);
    }
    for (int fd : {in[1], out[0], err[0]}) ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);

    auto deadline = std::chrono::steady_clock::now() + timeout;
    std::string reply, errors;
    size_t written = 0;
    int stdin_fd = in[1];
    bool out_open = true, err_open = true, too_big = false, timed_out = false;
    char buf[65536];
    while (out_open || err_open) {
        pollfd fds[3];
        nfds_t n = 0;
        if (stdin_fd >= 0) fds[n++] = {stdin_fd, POLLOUT, 0};
        if (out_open) fds[n++] = {out[0], POLLIN, 0};
        if (err_open) fds[n++] = {err[0], POLLIN, 0};
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) {
            timed_out = true;
            break;
        }
        int ready = ::poll(fds, n, static_cast<int>(std::min<long long>(left.count(), 1000)));
        if (ready < 0 && errno != EINTR) break;
        for (nfds_t i = 0; i < n; ++i) {
            if (!fds[i].revents) continue;
            if (fds[i].fd == stdin_fd) {
                auto k = ::write(stdin_fd, request.data() + written, request.size() - written);
                if (k > 0) written += static_cast<size_t>(k);
                if (k < 0 && errno != EAGAIN) written = request.size();  // the command stopped reading
                if (written >= request.size()) {
                    ::close(stdin_fd);
                    stdin_fd = -1;
                }
            } else {
                auto k = ::read(fds[i].fd, buf, sizeof buf);
                if (k > 0) {
                    auto& into = fds[i].fd == out[0] ? reply : errors;
                    if (fds[i].fd == out[0] || errors.size() < max_stderr_bytes) into.append(buf, static_cast<size_t>(k));
                    if (reply.size() > max_reply_bytes) too_big = true;
                } else if (k == 0 || (k < 0 && errno != EAGAIN)) {
                    (fds[i].fd == out[0] ? out_open : err_open) = false;
                }
            }
        }
        if (too_big) break;
    }
    if (stdin_fd >= 0) ::close(stdin_fd);
    ::close(out[0]);
    ::close(err[0]);
    if (timed_out || too_big) ::kill(-pid, SIGKILL);
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {}
    if (timed_out)
        throw fallback_error(fmt::format("command timed out after {} ms", timeout.count()), exit_code::fallback_timeout);
    if (too_big) throw fallback_error("reply is larger than 1 MiB", exit_code::fallback_reply);
    if (WIFSIGNALED(status))
        throw fallback_error(fmt::format("command was killed by signal {}", WTERMSIG(status)), exit_code::fallback);
    if (WEXITSTATUS(status) != 0) {
        auto why = first_line(errors);
        throw fallback_error(fmt::format("command exited with status {}{}{}", WEXITSTATUS(status), why.empty() ? "" : ": ", why),
                             exit_code::fallback);
    }
    return parse_fallback_reply(reply);
}

std::string saved_query_text(std::string_view question, std::string_view sql, const table& rows) {
    auto words = words_of(question);
    std::vector<std::string> content;
    for (auto& w : words)
        if (!is_stop_word(w) && w.size() > 1 && std::find(content.begin(), content.end(), w) == content.end())
            content.push_back(w);
    auto one_line = [](std::string_view s) {
        std::string out(detail::trim(s));
        for (auto& c : out)
            if (c == '\n' || c == '\r') c = ' ';
        return out;
    };
    std::string title = one_line(question);
    while (!title.empty() && (title.back() == '?' || title.back() == '.' || title.back() == '!')) title.pop_back();
    if (!title.empty() && title[0] >= 'a' && title[0] <= 'z') title[0] = static_cast<char>(title[0] - 'a' + 'A');
    std::string joined;
    for (auto& w : content) joined += (joined.empty() ? "" : " ") + w;
    if (joined.empty()) joined = detail::lower_ascii(title);

    std::string label = rows.columns.empty() ? "value" : rows.columns.front();
    std::vector<std::string> numeric;
    for (size_t i = 0; i < rows.columns.size(); ++i) {
        bool is_num = i < rows.types.size() && (rows.types[i] == "integer" || rows.types[i] == "real");
        if (is_num && rows.columns[i] != label) numeric.push_back(rows.columns[i]);
        else if (!is_num && label == rows.columns.front() && i == 0) label = rows.columns[i];
    }
    auto lower_label = detail::lower_ascii(label);
    bool time_label = lower_label.find("month") != std::string::npos || lower_label.find("date") != std::string::npos ||
                      lower_label.find("period") != std::string::npos || lower_label.find("week") != std::string::npos;
    // Keep the order the SQL gave its rows: the first column they are sorted by, numbers first.
    std::string sort = time_label || numeric.empty() ? label + " asc" : numeric.front() + " desc";
    auto sorted_by = [&](const std::string& column) -> std::string {
        int i = rows.index_of(column);
        if (i < 0 || rows.rows.size() < 2) return {};
        bool asc = true, desc = true;
        for (size_t r = 1; r < rows.rows.size(); ++r) {
            auto& a = rows.rows[r - 1][i];
            auto& b = rows.rows[r][i];
            bool numbers = is_number(a) && is_number(b);
            bool less = numbers ? as_double(a) < as_double(b) : a < b;
            bool greater = numbers ? as_double(a) > as_double(b) : b < a;
            asc = asc && !greater;
            desc = desc && !less;
        }
        return desc && !asc ? column + " desc" : asc && !desc ? column + " asc" : std::string();
    };
    std::vector<std::string> order_candidates = numeric;
    order_candidates.push_back(label);
    for (auto& column : order_candidates)
        if (auto found = sorted_by(column); !found.empty()) {
            sort = found;
            break;
        }
    if (numeric.size() > 3) numeric.resize(3);
    std::string values;
    for (auto& n : numeric) values += (values.empty() ? "" : ", ") + n;
    if (values.empty()) values = label;
    std::string columns;
    for (auto& c : rows.columns) columns += (columns.empty() ? "" : ", ") + c;

    std::string text;
    text += "-- title: " + title + "\n";
    text += "-- description: Saved from an LLM fallback answer to \"" + one_line(question) + "\".\n";
    text += "-- keywords: " + (content.empty() ? detail::lower_ascii(title) : [&] {
        std::string k;
        for (auto& w : content) k += (k.empty() ? "" : ", ") + w;
        return k;
    }()) + "\n";
    text += "-- example: " + one_line(question) + "\n";
    text += "-- example: " + joined + "\n";
    text += "-- example: show " + joined + "\n";
    text += "-- columns: " + columns + "\n";
    text += "-- sort: " + sort + "\n";
    text += std::string("-- chart: ") + (time_label ? "line" : "bar") + "\n";
    text += "-- chart_label: " + label + "\n";
    text += "-- chart_values: " + values + "\n";
    text += "-- schedule: daily\n";
    text += strip_leading_comments(sql) + ";\n";
    return text;
}

std::string save_query(const std::string& queries_dir, std::string_view id, const std::string& text) {
    auto slash = id.find('/');
    auto valid = [](std::string_view s) {
        return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
            return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
        });
    };
    if (slash == std::string_view::npos || !valid(id.substr(0, slash)) || !valid(id.substr(slash + 1)))
        throw usage_error(fmt::format("--save-as needs category/name in lower case letters, digits and '_', not '{}'", id));
    auto category = std::string(id.substr(0, slash));
    auto name = std::string(id.substr(slash + 1));
    auto path = (fs::path(queries_dir) / category / (name + ".sql")).string();
    std::error_code ec;
    if (fs::exists(path, ec)) throw usage_error(fmt::format("'{}' already exists; choose another name", path));
    parse_query(text, path, category, name);  // never write a file the loader would refuse
    atomic_file out(path);
    std::fwrite(text.data(), 1, text.size(), out.stream());
    out.commit();
    return path;
}

std::optional<std::string> cached_fallback_sql(const std::string& log_dir, std::string_view question) {
    auto path = (fs::path(log_dir) / "fallback_cache.jsonl").string();
    std::error_code ec;
    if (!fs::exists(path, ec)) return std::nullopt;
    std::string text;
    try {
        text = read_file(path);
    } catch (const error&) {
        return std::nullopt;
    }
    auto key = normalized_question(question);
    std::optional<std::string> found;
    for (auto line : detail::split_lines(text)) {
        rapidjson::Document doc;
        doc.Parse(line.data(), line.size());
        if (doc.HasParseError() || !doc.IsObject() || !doc.HasMember("question") || !doc["question"].IsString() ||
            !doc.HasMember("sql") || !doc["sql"].IsString())
            continue;  // a torn or hand-edited line costs that entry only
        if (key == doc["question"].GetString()) found = doc["sql"].GetString();
    }
    return found;
}

void cache_fallback_sql(const std::string& log_dir, std::string_view question, std::string_view sql) {
    rapidjson::StringBuffer b;
    json_writer w(b);
    w.StartObject();
    w.Key("question"); w.String(normalized_question(question));
    w.Key("sql"); w.String(sql.data(), static_cast<rapidjson::SizeType>(sql.size()));
    w.EndObject();
    append_file((fs::path(log_dir) / "fallback_cache.jsonl").string()).write_line(std::string(b.GetString()) + "\n");
}

}  // namespace bi
