// The lock that keeps two runs from writing the same dumps at once: an exclusive flock on
// <dir> and on <dir>/.lock, held for the life of the object and released by the kernel if
// the process dies.
#pragma once

#include <chrono>
#include <string>

namespace bi {

class dir_lock {
public:
    /// Takes the lock on `dir` (creating the directory and its .lock file), retrying for up
    /// to `wait`. Throws error(exit_code::locked) "another run holds the lock on 'dir'
    /// (waited N s)" when it stays held, error naming the file when it cannot be created.
    dir_lock(const std::string& dir, std::chrono::seconds wait);
    ~dir_lock();
    dir_lock(const dir_lock&) = delete;
    dir_lock& operator=(const dir_lock&) = delete;

private:
    int dir_fd_ = -1;  // the directory, locked first
    int fd_ = -1;      // its .lock file
};

}  // namespace bi
