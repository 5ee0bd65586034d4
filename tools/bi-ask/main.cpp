// bi-ask: answers a business question from the dumps, with zero tokens.
#include <iostream>
#include <iterator>
#include <string>

#include "bi/answer.hpp"
#include "bi/catalog.hpp"
#include "bi/error.hpp"
#include "bi/index.hpp"
#include "common.hpp"

namespace {

struct options {
    bi::tool::common_options common;
    std::vector<std::string> question;
    bool batch = false;
    bool explain = false;
    bool list = false;
    std::string suggest;
};

void setup(CLI::App& app, options& o) {
    bi::tool::add_common_options(app, o.common);
    app.add_option("question", o.question, "The question (several words, or '-' to read it from stdin)");
    app.add_flag("--batch", o.batch, "Read one question a line from stdin, write one JSON answer a line");
    app.add_flag("--explain", o.explain, "Add why: matched terms, slots, candidates and scores");
    app.add_option("--suggest", o.suggest, "List catalog example questions that fit a partial question");
    app.add_flag("--list", o.list, "List categories, queries and their example questions");
}

std::string join(const std::vector<std::string>& words) {
    std::string out;
    for (auto& w : words) out += (out.empty() ? "" : " ") + w;
    return out;
}

void print_notes(const CLI::App& app, const bi::answer& a, bool quiet) {
    if (quiet) return;
    for (auto& n : a.notes) bi::tool::warn(app, n);
}

int run(const options& o, const CLI::App& app) {
    auto cfg = bi::tool::resolve(o.common);
    int modes = (o.batch ? 1 : 0) + (o.list ? 1 : 0) + (!o.suggest.empty() ? 1 : 0);
    if (modes > 1) throw bi::usage_error("--batch, --list and --suggest cannot be combined");
    if (modes == 1 && !o.question.empty()) throw bi::usage_error("a question cannot be combined with --batch, --list or --suggest");

    bi::router_index index;
    auto path = bi::index_path(cfg.dumps_dir);
    try {
        index = bi::load_index(path);
    } catch (const bi::error& e) {
        // No usable index: route from the catalog itself, with the slot values the dumps hold.
        if (!o.common.quiet) bi::tool::warn(app, std::string(e.what()) + "; reading the catalog instead");
        index = bi::build_index(bi::load_catalog(cfg.queries_dir), cfg.dumps_dir);
    }
    bi::answerer answerer(cfg, std::move(index));

    if (o.list) {
        std::cout << answerer.list_json() << '\n';
        return 0;
    }
    if (!o.suggest.empty()) {
        for (auto& s : answerer.suggest(o.suggest)) std::cout << s << '\n';
        return 0;
    }
    if (o.batch) {
        std::string line;
        while (std::getline(std::cin, line)) {
            try {
                auto a = answerer.ask(line, o.explain);
                print_notes(app, a, o.common.quiet);
                std::cout << a.json << '\n';
            } catch (const bi::usage_error& e) {
                std::cout << answerer.error_json(e.what()) << '\n';
            }
        }
        return 0;
    }
    if (o.question.empty()) throw bi::usage_error("no question given (try: bi-ask \"top selling models in the Northeast\")");
    std::string question = join(o.question);
    if (question == "-") question.assign(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
    auto a = answerer.ask(question, o.explain);
    print_notes(app, a, o.common.quiet);
    std::cout << a.json << '\n';
    return static_cast<int>(a.code);
}

}  // namespace

int main(int argc, char** argv) {
    CLI::App app{"Answer a business question from the pre-computed dumps, with zero tokens", "bi-ask"};
    options o;
    setup(app, o);
    return bi::tool::run(app, argc, argv, [&] { return run(o, app); });
}
