// The dumps lock. flock (not fcntl locks) so that a shell's `flock DIR/.lock cmd` excludes a
// run just as another bi process does, and a crashed holder never leaves a stale lock.
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

dir_lock::dir_lock(const std::string& dir, std::chrono::seconds wait) {
    make_dirs(dir);
    auto path = dir + "/.lock";
    fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd_ < 0) throw error(fmt::format("'{}': cannot create the lock file: {}", path, std::strerror(errno)));
    auto deadline = std::chrono::steady_clock::now() + wait;
    while (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
        int e = errno;
        if (e == EINTR) continue;
        if (e != EWOULDBLOCK || std::chrono::steady_clock::now() >= deadline) {
            ::close(fd_);
            fd_ = -1;
            if (e != EWOULDBLOCK) throw error(fmt::format("'{}': cannot lock: {}", path, std::strerror(e)));
            throw error(fmt::format("another run holds the lock on '{}' (waited {} s)", dir, wait.count()),
                        exit_code::locked);
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
}

dir_lock::~dir_lock() {
    if (fd_ >= 0) ::close(fd_);
}

}  // namespace bi
