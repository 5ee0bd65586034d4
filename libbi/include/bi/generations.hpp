// Dumps published a whole generation at a time, for machines that answer from a copy.
//
// With `generations = N` in bi.conf, a dumps directory is a symlink to one generation in a
// sibling directory:
//     dumps -> dumps.generations/20261130T143012.123Z-4242
//     dumps.generations/<id>/{index.json, model.json, lexicon.txt, <category>/<name>.json…}
//     dumps.generations/.lock      (the writers' lock)
// A run writes a new generation (starting from hard links to the current one, so what it does
// not regenerate stays), then swaps the symlink with one rename(2): a reader sees the old
// generation or the new one, never half of each. Readers resolve the symlink once when they
// start (pinned_dumps_dir) and read that generation throughout; the newest N are kept, so a
// reader's generation outlives the next publications. scripts/sync-dumps does the same on a
// machine that copies the dumps with rsync.
#pragma once

#include <string>

namespace bi {

/// The directory a reader should read: the generation `dumps_dir` points to now, or
/// `dumps_dir` itself when it is a plain directory.
std::string pinned_dumps_dir(const std::string& dumps_dir);

/// Where the writers' lock lives: `<dumps_dir>.generations` when publishing generations
/// (the dumps directory itself is replaced by each run), else `dumps_dir`.
std::string lock_dir(const std::string& dumps_dir, int generations);

/// One run's new generation: made on construction, published by publish(), removed by the
/// destructor when never published (a run that failed publishes nothing).
class generation {
public:
    /// Creates `<dumps_dir>.generations/<id>` with hard links to the files of the current
    /// generation (or of `dumps_dir`, a plain directory the first time). Throws error.
    generation(std::string dumps_dir, int keep);
    ~generation();
    generation(const generation&) = delete;
    generation& operator=(const generation&) = delete;

    /// The directory to write this run's dumps into.
    const std::string& dir() const { return dir_; }
    /// Points `dumps_dir` at this generation (one rename) and removes all but the newest
    /// `keep` generations. Throws error when the symlink cannot be swapped.
    void publish();

private:
    std::string dumps_dir_, root_, dir_;
    int keep_;
    bool published_ = false;
};

}  // namespace bi
