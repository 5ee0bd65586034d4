// Whole generations of dumps, published by one rename (generations.hpp).
#include "bi/generations.hpp"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <vector>

#include <fmt/chrono.h>
#include <fmt/format.h>

#include "bi/error.hpp"
#include "bi/files.hpp"

namespace bi {

namespace fs = std::filesystem;

namespace {

std::string generations_root(const std::string& dumps_dir) {
    auto p = fs::path(dumps_dir);
    if (!p.has_filename()) p = p.parent_path();  // "dumps/" names "dumps"
    return p.string() + ".generations";
}

/// A name that sorts by time: 20261130T143012.123Z-4242.
std::string generation_id() {
    auto now = std::chrono::system_clock::now();
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
    return fmt::format("{:%Y%m%dT%H%M%S}.{:03}Z-{}", fmt::gmtime(std::chrono::system_clock::to_time_t(now)), ms, ::getpid());
}

}  // namespace

std::string pinned_dumps_dir(const std::string& dumps_dir) {
    std::error_code ec;
    if (!fs::is_symlink(dumps_dir, ec)) return dumps_dir;
    auto target = fs::canonical(dumps_dir, ec);
    return ec ? dumps_dir : target.string();
}

std::string lock_dir(const std::string& dumps_dir, int generations) {
    return generations > 0 ? generations_root(dumps_dir) : dumps_dir;
}

generation::generation(std::string dumps_dir, int keep)
    : dumps_dir_(std::move(dumps_dir)), root_(generations_root(dumps_dir_)), keep_(std::max(keep, 1)) {
    make_dirs(root_);
    dir_ = (fs::path(root_) / generation_id()).string();
    std::error_code ec;
    fs::create_directory(dir_, ec);
    if (ec) throw error(fmt::format("'{}': cannot create the generation: {}", dir_, ec.message()));
    // What this run does not write stays as it was: hard links, so the copy costs no space
    // and the files the run replaces (by rename) change in this generation only.
    auto current = pinned_dumps_dir(dumps_dir_);
    if (!fs::is_directory(current, ec)) return;
    for (auto it = fs::recursive_directory_iterator(current, ec); !ec && it != fs::recursive_directory_iterator();
         it.increment(ec)) {
        auto rel = fs::relative(it->path(), current);
        auto name = it->path().filename().string();
        if (name == ".lock" || name.find(".tmp.") != std::string::npos) continue;
        auto to = fs::path(dir_) / rel;
        std::error_code e;
        if (it->is_directory()) fs::create_directories(to, e);
        else if (it->is_regular_file()) fs::create_hard_link(it->path(), to, e);
        if (e) throw error(fmt::format("'{}': cannot start the generation from '{}': {}", dir_, it->path().string(), e.message()));
    }
    if (ec) throw error(fmt::format("'{}': cannot read: {}", current, ec.message()));
}

generation::~generation() {
    if (published_) return;
    std::error_code ec;
    fs::remove_all(dir_, ec);
}

void generation::publish() {
    std::error_code ec;
    auto link = fs::path(dumps_dir_);
    if (!link.has_filename()) link = link.parent_path();
    // The link is relative, so the pair can move or be copied together.
    auto target = fs::path(root_).filename() / fs::path(dir_).filename();
    auto temp = link.string() + fmt::format(".publishing.{}", ::getpid());
    fs::remove(temp, ec);
    fs::create_directory_symlink(target, temp, ec);
    if (ec) throw error(fmt::format("'{}': cannot publish the generation: {}", temp, ec.message()));
    // The first time, the dumps directory is a plain one: it becomes a generation of its own
    // (readers that start in the instant between the two renames find no dumps).
    if (fs::is_directory(fs::symlink_status(link, ec))) {
        fs::rename(link, fs::path(root_) / (generation_id() + "-plain"), ec);
        if (ec) {
            fs::remove(temp);
            throw error(fmt::format("'{}': cannot turn the dumps directory into generations: {}", link.string(), ec.message()));
        }
    }
    fs::rename(temp, link, ec);  // rename(2) replaces the old link atomically
    if (ec) {
        fs::remove(temp);
        throw error(fmt::format("'{}': cannot publish the generation: {}", link.string(), ec.message()));
    }
    published_ = true;
    // The newest `keep` generations stay; this one is the newest.
    std::vector<fs::path> all;
    for (auto& e : fs::directory_iterator(root_, ec))
        if (e.is_directory() && !e.is_symlink()) all.push_back(e.path());
    std::sort(all.begin(), all.end());
    auto published = fs::path(dir_);
    for (size_t i = 0; i + static_cast<size_t>(keep_) < all.size(); ++i)
        if (all[i] != published) fs::remove_all(all[i], ec);
}

}  // namespace bi
