// File helpers. Atomic replacement is write-to-temp, fsync, rename, fsync the directory.
#include "bi/files.hpp"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <unistd.h>

#include <fmt/format.h>

#include "bi/error.hpp"
#include "bi/hash.hpp"

namespace bi {

namespace fs = std::filesystem;

std::string read_file(const std::string& path) {
    // O_NONBLOCK: a FIFO put where a file should be must not hang the reader in open().
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0) throw error(fmt::format("'{}': {}", path, std::strerror(errno)));
    struct stat st {};
    if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        ::close(fd);
        throw error(fmt::format("'{}': {}", path, S_ISDIR(st.st_mode) ? "is a directory" : "not a regular file"));
    }
    // One byte more than the file holds, so that the read finding its end needs no room of its
    // own: growing the string then would copy it into a buffer twice its size, and every fresh
    // page costs ~8 µs on a virtual machine (docs/benchmarks.md, seventh round).
    std::string out(static_cast<size_t>(st.st_size) + 1, '\0');
    size_t got = 0;
    for (;;) {
        if (got == out.size()) out.resize(out.size() + 4096);  // the file grew
        auto n = ::read(fd, out.data() + got, out.size() - got);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) {
            int e = errno;
            ::close(fd);
            throw error(fmt::format("'{}': read failed: {}", path, std::strerror(e)));
        }
        if (n == 0) break;
        got += static_cast<size_t>(n);
    }
    ::close(fd);
    out.resize(got);
    return out;
}

mapped_file::mapped_file(const std::string& path) {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);  // never a FIFO's hang
    if (fd < 0) throw error(fmt::format("'{}': {}", path, std::strerror(errno)));
    struct stat st {};
    if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        ::close(fd);
        throw error(fmt::format("'{}': {}", path, S_ISDIR(st.st_mode) ? "is a directory" : "not a regular file"));
    }
    if (st.st_size > 0) {
        void* p = ::mmap(nullptr, static_cast<size_t>(st.st_size), PROT_READ, MAP_PRIVATE, fd, 0);
        if (p == MAP_FAILED) {
            int e = errno;
            ::close(fd);
            throw error(fmt::format("'{}': cannot be mapped: {}", path, std::strerror(e)));
        }
        data_ = static_cast<const char*>(p);
        size_ = static_cast<size_t>(st.st_size);
    }
    ::close(fd);
}

mapped_file::~mapped_file() {
    if (data_) ::munmap(const_cast<char*>(data_), size_);
}

mapped_file::mapped_file(mapped_file&& o) noexcept : data_(o.data_), size_(o.size_) {
    o.data_ = nullptr;
    o.size_ = 0;
}

mapped_file& mapped_file::operator=(mapped_file&& o) noexcept {
    if (this != &o) {
        if (data_) ::munmap(const_cast<char*>(data_), size_);
        data_ = o.data_;
        size_ = o.size_;
        o.data_ = nullptr;
        o.size_ = 0;
    }
    return *this;
}

void make_dirs(const std::string& dir) {
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec) throw error(fmt::format("'{}': cannot create directory: {}", dir, ec.message()));
}

atomic_file::atomic_file(std::string target, replace_mode mode) : target_(std::move(target)) {
    struct stat st {};
    if (mode == replace_mode::entry) {
        // bi's own file: a link or FIFO put in its place is replaced, never written through.
        if (::lstat(target_.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) throw error(fmt::format("'{}': is a directory", target_));
        open_temp();
        return;
    }
    // A symlink is never replaced by a file: the file it names is written (made if missing).
    if (::lstat(target_.c_str(), &st) == 0 && S_ISLNK(st.st_mode)) {
        std::error_code ec;
        auto real = fs::weakly_canonical(target_, ec);
        if (ec) throw error(fmt::format("'{}': cannot follow the link: {}", target_, ec.message()));
        target_ = real.string();
    }
    // A device, FIFO or socket cannot be replaced, and must not be (`-o /dev/null` as root
    // would break the machine): it is written directly, as `sort -o` and `cp` do.
    if (::stat(target_.c_str(), &st) == 0 && !S_ISREG(st.st_mode)) {
        if (S_ISDIR(st.st_mode)) throw error(fmt::format("'{}': is a directory", target_));
        int fd = ::open(target_.c_str(), O_WRONLY | O_CLOEXEC);
        if (fd < 0 || !(file_ = ::fdopen(fd, "wb"))) {
            if (fd >= 0) ::close(fd);
            throw error(fmt::format("'{}': cannot write: {}", target_, std::strerror(errno)));
        }
        direct_ = true;
        return;
    }
    open_temp();
}

void atomic_file::open_temp() {
    auto dir = fs::path(target_).parent_path();
    if (!dir.empty()) make_dirs(dir.string());
    temp_ = target_ + std::string(temp_file_marker) + "XXXXXX";
    int fd = ::mkstemp(temp_.data());
    if (fd < 0)
        throw error(fmt::format("'{}': cannot write: {}", target_, std::strerror(errno)));
    ::fchmod(fd, 0644);
    file_ = ::fdopen(fd, "wb");
    if (!file_) {
        ::close(fd);
        ::unlink(temp_.c_str());
        throw error(fmt::format("'{}': cannot write: {}", target_, std::strerror(errno)));
    }
}

atomic_file::~atomic_file() {
    if (file_) {
        std::fclose(file_);
        if (!direct_) ::unlink(temp_.c_str());
    }
}

void atomic_file::commit() {
    if (direct_) {
        bool ok = std::fflush(file_) == 0 && !std::ferror(file_);
        int saved = errno;
        ok = std::fclose(file_) == 0 && ok;
        file_ = nullptr;
        if (!ok) throw error(fmt::format("'{}': write failed: {}", target_, std::strerror(saved)));
        return;
    }
    bool ok = std::fflush(file_) == 0 && !std::ferror(file_) && ::fsync(::fileno(file_)) == 0;
    int saved = errno;
    ok = (std::fclose(file_) == 0) && ok;
    file_ = nullptr;
    if (!ok || ::rename(temp_.c_str(), target_.c_str()) != 0) {
        if (ok) saved = errno;
        ::unlink(temp_.c_str());
        throw error(fmt::format("'{}': write failed: {}", target_, std::strerror(saved)));
    }
    auto dir = fs::path(target_).parent_path();
    int dfd = ::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY);
    if (dfd >= 0) {
        ::fsync(dfd);
        ::close(dfd);
    }
}

append_file::append_file(std::string path) : path_(std::move(path)) {
    auto dir = fs::path(path_).parent_path();
    if (!dir.empty()) make_dirs(dir.string());
    // Never through a symlink at the log's own name: appending would create or grow a file
    // wherever it points (a log directory that is itself a link is followed as usual).
    fd_ = ::open(path_.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
    if (fd_ < 0 && errno == ELOOP) throw error(fmt::format("'{}': is a symbolic link; refusing to write through it", path_));
    if (fd_ < 0) throw error(fmt::format("'{}': {}", path_, std::strerror(errno)));
}

append_file::~append_file() {
    if (fd_ >= 0) ::close(fd_);
}

void append_file::write_line(std::string_view line) {
    // One write() for the whole line: with O_APPEND the kernel places it at the end as a
    // unit. A short write (disk full) is an error, not something to finish with a second
    // write that another process's line could land in front of.
    ssize_t n;
    do n = ::write(fd_, line.data(), line.size());
    while (n < 0 && errno == EINTR);
    if (n < 0) throw error(fmt::format("'{}': {}", path_, std::strerror(errno)));
    if (static_cast<size_t>(n) != line.size()) throw error(fmt::format("'{}': short write (disk full?)", path_));
}

std::vector<std::string> remove_stale_temp_files(const std::string& dir, std::int64_t before_ns) {
    std::vector<std::string> removed;
    std::error_code ec;
    fs::recursive_directory_iterator it(dir, fs::directory_options::skip_permission_denied, ec), end;
    for (; !ec && it != end; it.increment(ec)) {
        auto name = it->path().filename().string();
        auto at = name.rfind(temp_file_marker);
        // Exactly mkstemp's six characters after the marker, on a regular file (never a link).
        if (at == std::string::npos || at == 0 || name.size() != at + temp_file_marker.size() + 6) continue;
        struct stat st {};
        if (::lstat(it->path().c_str(), &st) != 0 || !S_ISREG(st.st_mode)) continue;
        if (static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec >= before_ns) continue;
        if (::unlink(it->path().c_str()) == 0) removed.push_back(it->path().string());
    }
    return removed;
}

std::optional<file_stamp> stamp_of(const std::string& path) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) return std::nullopt;
    return file_stamp{static_cast<std::uint64_t>(st.st_ino), static_cast<std::int64_t>(st.st_size),
                      static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec};
}

std::optional<source_version> source_version_of(const std::string& path) {
    auto stamp = stamp_of(path);
    if (!stamp) return std::nullopt;
    try {
        return source_version{*stamp, checksum64(read_file(path))};
    } catch (const error&) {
        return std::nullopt;
    }
}

bool is_still(const source_version& written, const std::string& path) {
    auto stamp = stamp_of(path);
    if (!stamp || stamp->size != written.stamp.size) return false;
    if (*stamp == written.stamp) return true;
    try {
        return checksum64(read_file(path)) == written.content;
    } catch (const error&) {
        return false;
    }
}

}  // namespace bi
