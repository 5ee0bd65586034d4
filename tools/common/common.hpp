// The part every bi tool shares: common flags, config resolution, and turning errors into
// one-line messages and the toolchain's exit codes.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "bi/config.hpp"

namespace bi::tool {

struct common_options {
    config_flags flags;
    bool quiet = false;
    bool verbose = false;
    std::string tool;           // the tool's name, for --verbose lines
};

/// Declares --config, --database, --queries-dir, --dumps-dir, --log-dir, --quiet, --verbose
/// and --version, and the hidden --complete queries|categories the shell completions call.
void add_common_options(CLI::App& app, common_options& options);

/// Resolves the configuration from the common flags, the environment and the config file
/// (the installed one is <bin>/../etc/bi/bi.conf). With --verbose, says on stderr which
/// config file was read and why.
config resolve(const common_options& options);

/// A path under the installed share/bi directory, found from the executable's own location.
std::string installed_data(const std::string& relative);

/// The installed bi.conf, found from the executable's own location.
std::string installed_config();

/// Parses argv, runs `body`, and maps every error to its message on stderr and exit code.
/// Messages read `<tool>: error: <what>`. Checks stdout was written before returning 0.
int run(CLI::App& app, int argc, char** argv, const std::function<int()>& body);

/// True when every word of argv that looks like a flag (before a `--`) names one of `app`'s
/// options: then CLI11 parses argv with `app` as it would with more options declared. A tool
/// whose usual command line needs few of its flags declares those first and asks this.
bool declares_every_flag(CLI::App& app, int argc, char** argv);

/// Prints a warning line on stderr: `<tool>: warning: <what>`.
void warn(const CLI::App& app, const std::string& what);

/// Grows the heap by `bytes` and has the kernel map all of it in one call (MADV_POPULATE_WRITE),
/// kept for the process: a short-lived tool then takes no page fault per fresh heap page, which
/// on a virtual machine costs more than the work (docs/benchmarks.md). Up to 2 MiB, malloc's
/// next blocks are put on one transparent huge page instead, where the kernel gives one. A
/// no-op where the kernel lacks the call (before Linux 5.14).
void prefault_heap(size_t bytes);

/// The same for the `bytes` of stack below the caller's frame (inside the stack the kernel
/// sets up at exec, 128 KiB beyond the arguments and environment).
void prefault_stack(size_t bytes);

/// Maps the first `bytes` of the program's code in one call (MADV_POPULATE_READ): where lld
/// lays the functions answering runs (tools/startup-order.txt), so that start-up takes one
/// call instead of a page fault per 64 KiB it reaches. A no-op where the kernel lacks it.
void prefault_code(size_t bytes);

/// True when stdout is a terminal.
bool stdout_is_terminal();

/// The width of the terminal on stdout (TIOCGWINSZ), else $COLUMNS, else 80.
int terminal_width();

/// Whether to colour output for `--color always|never|auto`: auto means stdout is a terminal,
/// NO_COLOR is unset or empty and TERM is not "dumb".
bool use_color(const std::string& when);

/// Where Chart.js's chart.umd.js may be, in order: $BI_CHARTJS, node_modules of the source
/// tree the executable was built in (build/bin/../../node_modules), of the working directory,
/// then the installed copy (<bin>/../share/bi/chart.umd.js).
std::vector<std::string> chartjs_candidates();

/// Lines from a file descriptor, read in large pieces (--batch). more_buffered() says whether a
/// whole line is already in memory: when it is not, the next line may block, so a caller that
/// holds output writes it first — a program feeding questions one at a time gets each answer
/// before it sends the next, and a file or pipe full of questions is answered in bulk.
class line_reader {
public:
    /// Lines longer than `max_line` bytes are cut to max_line + 1 and the rest discarded as it
    /// is read, so one endless line never holds more than that in memory.
    explicit line_reader(int fd, size_t max_line = size_t{1} << 40) : fd_(fd), max_line_(max_line) {}
    /// The next line without its '\n' (a last line may lack one); false at the end of input.
    /// Throws error when reading fails.
    bool next(std::string& line);
    /// True when the line next() returned last was longer than max_line and was cut.
    bool cut() const { return cut_; }
    bool more_buffered() const;

private:
    void take(std::string& line, size_t end);
    int fd_;
    size_t max_line_;
    std::string buffer_;
    size_t begin_ = 0;  // where the next line starts in buffer_
    bool end_ = false;
    bool cut_ = false;
};

}  // namespace bi::tool
