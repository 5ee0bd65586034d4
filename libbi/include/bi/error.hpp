// Typed errors thrown by libbi and the one table of exit codes every bi tool uses.
#pragma once

#include <stdexcept>
#include <string>

namespace bi {

/// Exit codes shared by the whole toolchain (documented in README.md, "Exit codes").
enum class exit_code : int {
    ok = 0,
    failure = 1,         ///< runtime error, or some items of a run failed
    usage = 2,           ///< bad flags, bad flag values, bad input text
    no_match = 3,        ///< bi-ask: no confident match for the question
    locked = 4,          ///< another run holds the lock
    unreachable = 5,     ///< the database cannot be opened or is not a usable SQLite file
    refused = 6,         ///< SQL refused by the read-only guard
    fallback = 7,        ///< the LLM fallback command could not start or exited non-zero
    fallback_timeout = 8,  ///< the LLM fallback command ran past its timeout
    fallback_reply = 9,  ///< the LLM fallback command's reply is not a valid reply
};

/// Base of every error libbi throws; carries the exit code a tool should end with.
class error : public std::runtime_error {
public:
    explicit error(const std::string& what, exit_code code = exit_code::failure)
        : std::runtime_error(what), code_(code) {}
    exit_code code() const noexcept { return code_; }

private:
    exit_code code_;
};

/// Bad input from the user: flag values, question text, config values.
class usage_error : public error {
public:
    explicit usage_error(const std::string& what) : error(what, exit_code::usage) {}
};

/// SQL the guard will not run; `what()` names the rule it broke.
class refused_error : public error {
public:
    explicit refused_error(const std::string& rule) : error("refused: " + rule, exit_code::refused) {}
};

/// The database cannot be opened, is not SQLite, or is locked past the busy timeout.
class unreachable_error : public error {
public:
    explicit unreachable_error(const std::string& what) : error(what, exit_code::unreachable) {}
};

/// A malformed input file; the message reads `file:line: what is wrong`.
class parse_error : public error {
public:
    parse_error(const std::string& file, int line, const std::string& what)
        : error(line > 0 ? file + ":" + std::to_string(line) + ": " + what : file + ": " + what),
          file_(file), line_(line) {}
    const std::string& file() const noexcept { return file_; }
    int line() const noexcept { return line_; }

private:
    std::string file_;
    int line_;
};

}  // namespace bi
