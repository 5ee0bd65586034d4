// Shared tool plumbing. CLI11's own exit codes (105, 106, ...) never reach a caller: every
// parse error becomes exit code 2.
#include "common.hpp"

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <link.h>
#include <malloc.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "bi/catalog.hpp"
#include "bi/error.hpp"
#include "cli_docs.hpp"

namespace bi::tool {

void add_common_options(CLI::App& app, common_options& o) {
    app.set_version_flag("--version", std::string(app.get_name()) + " " + BI_VERSION);
    app.add_option("--config", o.flags.config_file, "Config file (default: ./bi.conf, ~/.config/bi/bi.conf, then the installed one)")
        ->type_name("FILE");
    app.add_option("--database", o.flags.database, "SQLite file, or postgresql:// URI [env BI_DATABASE]")->type_name("DB");
    app.add_option("--queries-dir", o.flags.queries_dir, "Query catalog directory [env BI_QUERIES_DIR]")->type_name("DIR");
    app.add_option("--dumps-dir", o.flags.dumps_dir, "Dumps directory [env BI_DUMPS_DIR]")->type_name("DIR");
    app.add_option("--log-dir", o.flags.log_dir, "Log directory [env BI_LOG_DIR]")->type_name("DIR");
    app.add_flag("-q,--quiet", o.quiet, "Print nothing on stderr but errors");
    app.add_flag("--verbose", o.verbose, "Say on stderr which config file was read, and why");
    o.tool = app.get_name();
    // For the shell completions: catalog names, one a line, from the catalog the flags above
    // resolve to. Declared last, so its callback runs after theirs; prints nothing on error.
    app.add_option_function<std::string>(
           "--complete",
           [&o](const std::string& what) {
               try {
                   auto flags = o.flags;
                   flags.installed_config = installed_config();
                   auto catalog = load_catalog(resolve_config(flags).queries_dir);
                   if (what == "queries")
                       for (auto& q : catalog.queries) std::cout << q.name << '\n';
                   else if (what == "categories")
                       for (auto& c : catalog.categories()) std::cout << c << '\n';
               } catch (const std::exception&) {
               }
               throw CLI::Success();
           })
        ->group("");
}

namespace {

std::string executable_dir() {
    std::error_code ec;
    auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
    return ec ? std::string() : exe.parent_path().string();
}

}  // namespace

std::string installed_data(const std::string& relative) {
    auto dir = executable_dir();
    if (dir.empty()) return {};
    return (std::filesystem::path(dir) / BI_BIN_TO_DATA / relative).lexically_normal().string();
}

std::string installed_config() {
    auto dir = executable_dir();
    if (dir.empty()) return {};
    return (std::filesystem::path(dir) / BI_BIN_TO_SYSCONF / "bi.conf").lexically_normal().string();
}

config resolve(const common_options& options) {
    auto flags = options.flags;
    flags.installed_config = installed_config();
    auto c = resolve_config(flags);
    if (options.verbose) {
        if (c.config_file.empty()) std::cerr << options.tool << ": config: " << c.config_source << '\n';
        else std::cerr << options.tool << ": config: '" << c.config_file << "' (" << c.config_source << ")\n";
    }
    return c;
}

bool declares_every_flag(CLI::App& app, int argc, char** argv) {
    for (int i = 1; i < argc; ++i) {
        std::string_view word = argv[i];
        if (word == "--") break;  // the rest are positional either way
        if (word.size() < 2 || word[0] != '-') continue;
        if (!app.get_option_no_throw(std::string(word.substr(0, word.find('='))))) return false;
    }
    return true;
}

void warn(const CLI::App& app, const std::string& what) {
    std::cerr << app.get_name() << ": warning: " << what << '\n';
}

namespace {

int error_line(const CLI::App& app, const std::string& what, exit_code code) {
    std::cout.flush();
    std::cerr << app.get_name() << ": error: " << what << '\n';
    return static_cast<int>(code);
}

/// Returns 0 when stdout was written or its reader went away (`| head`), 1 otherwise.
int check_stdout(const CLI::App& app) {
    std::cout.flush();
    errno = 0;
    if (std::fflush(stdout) != 0 || std::ferror(stdout) || !std::cout) {
        if (errno == EPIPE) return 0;
        return error_line(app, "cannot write to standard output", exit_code::failure);
    }
    return 0;
}

}  // namespace

int run(CLI::App& app, int argc, char** argv, const std::function<int()>& body) {
    std::signal(SIGPIPE, SIG_IGN);
    // Hidden: the build writes the man page and the completions from the definitions --help uses.
    app.add_flag_callback("--man", [&app] {
           std::cout << man_page(app);
           throw CLI::Success();
       })->group("");
    app.add_option_function<std::string>("--completion", [&app](const std::string& shell) {
           auto script = completion_script(app, shell);
           if (script.empty()) throw CLI::ValidationError("--completion", "'" + shell + "' is not bash, zsh or fish");
           std::cout << script;
           throw CLI::Success();
       })->group("");
    try {
        app.parse(argc, argv);
    } catch (const CLI::Success& e) {
        app.exit(e);
        return check_stdout(app);
    } catch (const CLI::ParseError& e) {
        std::string what = e.what();
        return error_line(app, what + " (see --help)", exit_code::usage);
    }
    try {
        int code = body();
        int out = check_stdout(app);
        return code != 0 ? code : out;
    } catch (const bi::error& e) {
        return error_line(app, e.what(), e.code());
    } catch (const std::exception& e) {
        return error_line(app, e.what(), exit_code::failure);
    }
}

bool stdout_is_terminal() {
    return ::isatty(STDOUT_FILENO) == 1;
}

int terminal_width() {
    winsize size{};
    if (::ioctl(STDOUT_FILENO, TIOCGWINSZ, &size) == 0 && size.ws_col > 0) return size.ws_col;
    if (const char* columns = std::getenv("COLUMNS")) {
        char* end = nullptr;
        long n = std::strtol(columns, &end, 10);
        if (end != columns && *end == '\0' && n > 0 && n < 10000) return static_cast<int>(n);
    }
    return 80;
}

bool use_color(const std::string& when) {
    if (when == "always") return true;
    if (when == "never") return false;
    const char* no_color = std::getenv("NO_COLOR");
    const char* term = std::getenv("TERM");
    return stdout_is_terminal() && !(no_color && *no_color) && !(term && std::string(term) == "dumb");
}

std::vector<std::string> chartjs_candidates() {
    namespace fs = std::filesystem;
    const std::string relative = "node_modules/chart.js/dist/chart.umd.js";
    std::vector<std::string> out;
    if (const char* env = std::getenv("BI_CHARTJS"); env && *env) out.emplace_back(env);
    std::error_code ec;
    auto exe = fs::read_symlink("/proc/self/exe", ec);
    if (!ec) out.push_back((exe.parent_path() / ".." / ".." / relative).lexically_normal().string());
    auto cwd = fs::current_path(ec);
    if (!ec) out.push_back((cwd / relative).string());
    if (auto installed = installed_data("chart.umd.js"); !installed.empty()) out.push_back(installed);
    return out;
}

void line_reader::take(std::string& line, size_t end) {
    size_t room = max_line_ + 1 > line.size() ? max_line_ + 1 - line.size() : 0;
    size_t n = end - begin_;
    line.append(buffer_, begin_, std::min(n, room));
    if (n > room) cut_ = true;
}

bool line_reader::next(std::string& line) {
    line.clear();
    cut_ = false;
    bool any = false;
    for (;;) {
        auto newline = buffer_.find('\n', begin_);
        auto end = newline == std::string::npos ? buffer_.size() : newline;
        any = any || end > begin_ || newline != std::string::npos;
        take(line, end);
        if (newline != std::string::npos) {
            begin_ = newline + 1;
            return true;
        }
        begin_ = buffer_.size();
        if (end_) return any;
        // Everything buffered is in `line` now (or discarded): read the next piece afresh.
        buffer_.resize(64 << 10);
        begin_ = 0;
        ssize_t n;
        do n = ::read(fd_, buffer_.data(), buffer_.size());
        while (n < 0 && errno == EINTR);
        if (n < 0) throw error(std::string("cannot read standard input: ") + std::strerror(errno));
        buffer_.resize(static_cast<size_t>(n));
        if (n == 0) end_ = true;
    }
}

bool line_reader::more_buffered() const {
    return buffer_.find('\n', begin_) != std::string::npos || (end_ && begin_ < buffer_.size());
}

namespace {

#ifdef MADV_POPULATE_WRITE
constexpr std::uintptr_t huge_page = std::uintptr_t{2} << 20;  // x86-64's PMD-sized transparent huge page

/// Puts the top of malloc's heap at the start of a transparent huge page, mapped: true if it
/// could. On this guest the first write to each 4 KiB page costs ~6 µs even after
/// MADV_POPULATE_WRITE (the host fills its own page table then), and to a huge page mapped
/// ahead nothing: 2 MiB cost ~0.15–0.25 ms in all, where 1 MiB of small pages mapped ahead and
/// the ~130 a question writes cost ~0.9 ms (docs/benchmarks.md, ninth round).
///
/// malloc hands out fresh memory from the start of its top chunk, and a request larger than
/// anything free is carved from there: so the heap is grown past the next 2 MiB boundary, the
/// 2 MiB after it mapped as one huge page before anything is written to it, and a block from
/// the top up to the boundary allocated and kept (its pages, never written, cost nothing).
/// Where the kernel gives no huge page (transparent huge pages off, or none free) or malloc
/// does not behave as described, the heap is left as it was but for that check.
bool heap_on_huge_page() {
    const std::size_t probe_bytes = 2 * huge_page + 4096;  // reaches past boundary + huge_page
    constexpr std::uintptr_t chunk_header = 2 * sizeof(std::size_t);
    // Each block passes through a volatile, or the compiler may elide a malloc whose block is
    // never written, or decide that a fresh block's address cannot equal a computed one (clang
    // does both). The first probe's free merges any small free blocks next to the top into
    // it, so the second finds the top where it stays.
    void* volatile block = std::malloc(probe_bytes);
    std::free(block);
    block = std::malloc(probe_bytes);
    void* probe = block;
    if (!probe) return false;
    auto top = reinterpret_cast<std::uintptr_t>(probe) - chunk_header;
    auto boundary = (top + 64 + huge_page - 1) & ~(huge_page - 1);
    auto* at = reinterpret_cast<char*>(boundary);
    auto page = static_cast<std::uintptr_t>(::sysconf(_SC_PAGESIZE));
    unsigned char last = 0;
    // One page mapped, then asked whether the last page of the 2 MiB came with it.
    bool huge = ::madvise(at, huge_page, MADV_HUGEPAGE) == 0 && ::madvise(at, page, MADV_POPULATE_WRITE) == 0 &&
                ::mincore(at + huge_page - page, page, &last) == 0 && (last & 1);
    std::free(probe);
    if (!huge) return false;
    block = std::malloc(boundary - top - sizeof(std::size_t));
    void* pad = block;
    if (reinterpret_cast<std::uintptr_t>(pad) != top + chunk_header) {
        std::free(pad);
        return false;
    }
    return true;
}
#endif

}  // namespace

void prefault_heap(size_t bytes) {
#ifdef MADV_POPULATE_WRITE
    // Kept in the heap (not returned to the kernel, not a separate mapping), then freed for
    // malloc to hand out again.
    ::mallopt(M_MMAP_THRESHOLD, static_cast<int>(std::max<size_t>(bytes * 2, 3 * huge_page)));
    ::mallopt(M_TRIM_THRESHOLD, static_cast<int>(std::max<size_t>(bytes * 2, 3 * huge_page)));
    if (bytes <= huge_page && heap_on_huge_page()) return;
    void* block = std::malloc(bytes);
    if (!block) return;
    auto page = static_cast<uintptr_t>(::sysconf(_SC_PAGESIZE));
    auto start = (reinterpret_cast<uintptr_t>(block) + page - 1) & ~(page - 1);
    auto end = (reinterpret_cast<uintptr_t>(block) + bytes) & ~(page - 1);
    if (end > start) ::madvise(reinterpret_cast<void*>(start), end - start, MADV_POPULATE_WRITE);
    std::free(block);
#else
    (void)bytes;
#endif
}

void prefault_stack(size_t bytes) {
#ifdef MADV_POPULATE_WRITE
    char here;
    auto page = static_cast<uintptr_t>(::sysconf(_SC_PAGESIZE));
    auto top = reinterpret_cast<uintptr_t>(&here) & ~(page - 1);
    ::madvise(reinterpret_cast<void*>(top - bytes), bytes, MADV_POPULATE_WRITE);
#else
    (void)bytes;
#endif
}

void prefault_code(size_t bytes) {
#ifdef MADV_POPULATE_READ
    // The program itself is the first object dl_iterate_phdr reports.
    ::dl_iterate_phdr(
        [](dl_phdr_info* info, size_t, void* wanted) {
            for (int i = 0; i < info->dlpi_phnum; ++i) {
                auto& ph = info->dlpi_phdr[i];
                if (ph.p_type != PT_LOAD || !(ph.p_flags & PF_X)) continue;
                auto page = static_cast<uintptr_t>(::sysconf(_SC_PAGESIZE));
                auto start = (info->dlpi_addr + ph.p_vaddr) & ~(page - 1);
                auto end = std::min<uintptr_t>(info->dlpi_addr + ph.p_vaddr + ph.p_memsz, start + *static_cast<size_t*>(wanted));
                ::madvise(reinterpret_cast<void*>(start), end - start, MADV_POPULATE_READ);
                break;
            }
            return 1;
        },
        &bytes);
#else
    (void)bytes;
#endif
}

}  // namespace bi::tool
