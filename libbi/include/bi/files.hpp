// File helpers: whole-file reads, atomic replacement, directory creation.
#pragma once

#include <cstdio>
#include <string>

namespace bi {

/// Reads a whole file; throws error naming the file when it cannot.
std::string read_file(const std::string& path);

/// Creates `dir` and its parents; throws error naming the directory when it cannot.
void make_dirs(const std::string& dir);

/// A file written under a temporary name in the target's directory and renamed over the
/// target on commit(), so a reader sees the old file or the new one, never half of one.
/// Not committed (an exception, a full disk) ⇒ the temporary is removed and the target kept.
class atomic_file {
public:
    explicit atomic_file(std::string target);
    ~atomic_file();
    atomic_file(const atomic_file&) = delete;
    atomic_file& operator=(const atomic_file&) = delete;

    std::FILE* stream() const { return file_; }
    /// Flushes, syncs and renames over the target; throws error (and keeps the old file) on failure.
    void commit();

private:
    std::string target_;
    std::string temp_;
    std::FILE* file_ = nullptr;
};

}  // namespace bi
