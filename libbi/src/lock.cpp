// The dumps lock. flock (not fcntl locks) so that a shell's `flock DIR/.lock cmd` (or `flock
// DIR cmd`) excludes a run just as another bi process does, and a crashed holder never leaves
// a stale lock.
#include "bi/lock.hpp"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/file.h>
#include <thread>
#include <unistd.h>

#include <fmt/format.h>

#include "bi/error.hpp"
#include "bi/files.hpp"

namespace bi {

namespace {

/// Takes an exclusive flock on `fd`, retrying until `deadline`; closes `fd` and throws when
/// it cannot.
void lock_until(int fd, const std::string& shown, const std::string& dir, std::chrono::seconds wait,
                std::chrono::steady_clock::time_point deadline) {
    while (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
        int e = errno;
        if (e == EINTR) continue;
        if (e != EWOULDBLOCK || std::chrono::steady_clock::now() >= deadline) {
            ::close(fd);
            if (e != EWOULDBLOCK) throw error(fmt::format("'{}': cannot lock: {}", shown, std::strerror(e)));
            throw error(fmt::format("another run holds the lock on '{}' (waited {} s)", dir, wait.count()),
                        exit_code::locked);
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
}

}  // namespace

dir_lock::dir_lock(const std::string& dir, std::chrono::seconds wait) {
    make_dirs(dir);
    auto deadline = std::chrono::steady_clock::now() + wait;
    // The directory itself first: a run that holds it cannot be joined by a second one even
    // when someone deletes or replaces .lock meanwhile (the second would lock a new inode).
    dir_fd_ = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dir_fd_ < 0) throw error(fmt::format("'{}': cannot open the directory to lock it: {}", dir, std::strerror(errno)));
    try {
        lock_until(dir_fd_, dir, dir, wait, deadline);
    } catch (...) {
        dir_fd_ = -1;
        throw;
    }
    // Then .lock, which `flock DIR/.lock cmd` in a shell takes too. Never through a symlink:
    // the lock would create or truncate a file wherever the link points.
    auto path = dir + "/.lock";
    fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
    if (fd_ < 0) {
        int e = errno;
        ::close(dir_fd_);
        dir_fd_ = -1;
        if (e == ELOOP) throw error(fmt::format("'{}': is a symbolic link; the lock file must be a file", path));
        throw error(fmt::format("'{}': cannot create the lock file: {}", path, std::strerror(e)));
    }
    try {
        lock_until(fd_, path, dir, wait, deadline);
    } catch (...) {
        fd_ = -1;
        ::close(dir_fd_);
        dir_fd_ = -1;
        throw;
    }
}

dir_lock::~dir_lock() {
    if (fd_ >= 0) ::close(fd_);
    if (dir_fd_ >= 0) ::close(dir_fd_);
}

}  // namespace bi
