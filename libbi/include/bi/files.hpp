// File helpers: whole-file reads, atomic replacement, directory creation.
#pragma once

#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace bi {

/// Reads a whole file; throws error naming the file when it cannot.
std::string read_file(const std::string& path);

/// A whole regular file mapped read-only, for as long as this lives. Reading a cache this way
/// takes the page cache's pages instead of copying into fresh heap pages, which on a virtual
/// machine cost ~8 µs each (docs/benchmarks.md, seventh round). bi replaces its files by
/// rename, never in place, so a mapping keeps the bytes it was opened with.
class mapped_file {
public:
    mapped_file() = default;
    /// Maps `path`; throws error naming it when it cannot be opened or is not a regular file.
    explicit mapped_file(const std::string& path);
    ~mapped_file();
    mapped_file(mapped_file&& o) noexcept;
    mapped_file& operator=(mapped_file&& o) noexcept;
    std::string_view bytes() const { return {data_, size_}; }

private:
    const char* data_ = nullptr;
    std::size_t size_ = 0;
};

/// Creates `dir` and its parents; throws error naming the directory when it cannot.
void make_dirs(const std::string& dir);

/// What identifies one version of a file: a binary cache records the stamp of the file it was
/// made from, and is trusted only while that file still has it. Size and modification time
/// (to the nanosecond) decide; the inode is kept for messages but not compared, so a copy that
/// keeps times (rsync -a, cp -a, hard links between generations) keeps its caches valid.
struct file_stamp {
    std::uint64_t inode = 0;
    std::int64_t size = -1;
    std::int64_t mtime_ns = 0;
    bool operator==(const file_stamp& o) const { return size == o.size && mtime_ns == o.mtime_ns; }
};

/// The stamp of `path`, or nullopt when it cannot be read.
std::optional<file_stamp> stamp_of(const std::string& path);

/// What a cache of a small source file (model.json) records of it: its stamp, and its content's
/// checksum for when the stamp no longer holds. A copy that did not keep times (`cp -r`, a
/// checkout, an archive unpacked without them) still has the content, so the cache stays valid
/// at the price of reading the source once; without this the reader's lexicon would be built
/// again for every question (~0.7 s instead of ~15 ms). Large sources (a dump) keep stamps only.
struct source_version {
    file_stamp stamp;
    std::uint64_t content = 0;
};

/// The version of the file at `path` now (it is read whole), or nullopt when it cannot be read.
std::optional<source_version> source_version_of(const std::string& path);

/// Is the file at `path` still the one `written` was taken of: the same stamp, or else the same
/// size and content.
bool is_still(const source_version& written, const std::string& path);

/// What atomic_file does with a symlink, device or FIFO at its target.
enum class replace_mode {
    follow,  ///< an output the user named: a symlink is followed, a device or FIFO written in place
    entry,   ///< a file bi owns (a dump, a cache): whatever is at the path is replaced by a regular file
};

/// A file written under a temporary name in the target's directory and renamed over the
/// target on commit(), so a reader sees the old file or the new one, never half of one.
/// Not committed (an exception, a full disk) ⇒ the temporary is removed and the target kept.
/// In replace_mode::follow, a symlink is followed (the file it names is replaced, never the
/// link) and a device or FIFO is written in place, never replaced.
/// The temporary is named `<target>.tmp.XXXXXX` (temp_file_marker): a run killed before
/// commit() leaves it behind, and remove_stale_temp_files() finds it by that name.
class atomic_file {
public:
    explicit atomic_file(std::string target, replace_mode mode = replace_mode::follow);
    ~atomic_file();
    atomic_file(const atomic_file&) = delete;
    atomic_file& operator=(const atomic_file&) = delete;

    std::FILE* stream() const { return file_; }
    /// Flushes, syncs and renames over the target; throws error (and keeps the old file) on failure.
    void commit();

private:
    void open_temp();
    std::string target_;
    std::string temp_;
    std::FILE* file_ = nullptr;
    bool direct_ = false;  ///< a device or FIFO, written in place
};

/// What names atomic_file's temporaries: `<target>.tmp.` and six characters from mkstemp.
constexpr std::string_view temp_file_marker = ".tmp.";

/// Removes atomic_file temporaries under `dir` (recursively) last modified before `before`
/// (ns since the epoch): what a killed run left. Files of any other name are never touched.
/// Returns the paths removed; a file that cannot be removed is skipped.
std::vector<std::string> remove_stale_temp_files(const std::string& dir, std::int64_t before_ns);

/// A log file opened for appending (O_APPEND): each line goes out in one write(), so lines
/// from concurrent processes never interleave.
class append_file {
public:
    /// Opens `path`, creating it and its directory; throws error naming the file when it cannot.
    explicit append_file(std::string path);
    ~append_file();
    append_file(const append_file&) = delete;
    append_file& operator=(const append_file&) = delete;

    /// Writes whole lines (each ending in '\n') with one write(); throws error naming the file.
    void write_line(std::string_view line);
    int fd() const { return fd_; }
    const std::string& path() const { return path_; }

private:
    std::string path_;
    int fd_ = -1;
};

}  // namespace bi
