// Generating man pages and completions by walking a CLI::App's options. How an option's value
// completes is read from its name: *-dir takes a directory, --config/--database/--output a
// file, --category a catalog category, a `query` argument or --query a query name, and an
// option checked with CLI::IsMember its listed choices.
#include "cli_docs.hpp"

#include <sstream>
#include <vector>

#include "bi/error.hpp"

namespace bi::tool {

namespace {

enum class value_kind { none, any, file, directory, query, category, choices };

struct option_doc {
    std::vector<std::string> shorts;   ///< without the dash
    std::vector<std::string> longs;    ///< without the dashes
    std::string argument;              ///< a positional's name
    std::string description;
    std::string type;                  ///< TEXT, INT, ... as --help shows it
    value_kind kind = value_kind::none;
    std::vector<std::string> choices;
    bool repeatable = false;
};

bool ends_with(std::string_view s, std::string_view suffix) {
    return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

std::vector<option_doc> visible_options(const CLI::App& app) {
    std::vector<option_doc> out;
    for (const CLI::Option* opt : app.get_options([](const CLI::Option* o) { return !o->get_group().empty(); })) {
        option_doc d;
        d.shorts = opt->get_snames();
        d.longs = opt->get_lnames();
        if (!opt->nonpositional()) d.argument = opt->get_name(true);
        d.description = opt->get_description();
        d.repeatable = opt->get_expected_max() > 1 || opt->get_items_expected_max() > 1;
        if (opt->get_items_expected_max() == 0) {
            d.kind = value_kind::none;
        } else {
            auto full = opt->get_type_name();
            d.type = full.substr(0, full.find(':'));
            d.kind = value_kind::any;
            auto open = full.find('{'), close = full.rfind('}');
            std::string name = d.longs.empty() ? d.argument : d.longs.front();
            if (open != std::string::npos && close != std::string::npos && close > open) {
                d.kind = value_kind::choices;
                std::stringstream list(full.substr(open + 1, close - open - 1));
                std::string item;
                while (std::getline(list, item, ','))
                    if (!item.empty()) d.choices.push_back(item);
            } else if (ends_with(name, "-dir")) {
                d.kind = value_kind::directory;
            } else if (name == "config" || name == "database" || name == "output" || ends_with(name, "-file")) {
                d.kind = value_kind::file;
            } else if (name == "category") {
                d.kind = value_kind::category;
            } else if (name == "query") {
                d.kind = value_kind::query;
            }
        }
        out.push_back(std::move(d));
    }
    return out;
}

bool has_long(const std::vector<option_doc>& options, std::string_view name) {
    for (auto& o : options)
        for (auto& l : o.longs)
            if (l == name) return true;
    return false;
}

// ---------------------------------------------------------------------------------------------
// roff

/// Text safe in a roff line: backslashes escaped, hyphens as \-, no line starting with a
/// control character.
std::string roff(std::string_view s) {
    std::string out;
    bool line_start = true;
    for (char c : s) {
        if (line_start && (c == '.' || c == '\'')) out += "\\&";
        if (c == '\\') out += "\\e";
        else if (c == '-') out += "\\-";
        else out += c;
        line_start = c == '\n';
    }
    return out;
}

std::string upper(std::string_view s) {
    std::string out(s);
    for (auto& c : out)
        if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    return out;
}

}  // namespace

std::string man_page(const CLI::App& app) {
    auto options = visible_options(app);
    std::string name = app.get_name();
    std::string out;
    out += ".TH " + roff(upper(name)) + " 1 \"\" \"bi " BI_VERSION "\" \"User Commands\"\n";
    out += ".SH NAME\n" + roff(name) + " \\- " + roff(app.get_description()) + "\n";

    out += ".SH SYNOPSIS\n.B " + roff(name) + "\n[\\fIOPTIONS\\fR]";
    for (auto& o : options)
        if (!o.argument.empty()) out += " [\\fI" + roff(o.argument) + "\\fR" + (o.repeatable ? "...]" : "]");
    out += "\n";

    out += ".SH DESCRIPTION\n" + roff(app.get_description()) + ".\n";
    if (has_long(options, "config"))
        out += ".PP\nSettings resolve the same way for every bi tool: flags, then the environment, then the "
               "config file, then defaults.\n";

    bool any_argument = false;
    for (auto& o : options) any_argument = any_argument || !o.argument.empty();
    if (any_argument) {
        out += ".SH ARGUMENTS\n";
        for (auto& o : options) {
            if (o.argument.empty()) continue;
            out += ".TP\n\\fI" + roff(o.argument) + "\\fR" + (o.repeatable ? "..." : "") + "\n" + roff(o.description) + "\n";
        }
    }

    out += ".SH OPTIONS\n";
    for (auto& o : options) {
        if (!o.argument.empty()) continue;
        std::string names;
        for (auto& s : o.shorts) names += (names.empty() ? "" : ", ") + std::string("\\fB\\-") + roff(s) + "\\fR";
        for (auto& l : o.longs) names += (names.empty() ? "" : ", ") + std::string("\\fB\\-\\-") + roff(l) + "\\fR";
        if (o.kind != value_kind::none) {
            std::string value = o.type.empty() ? "VALUE" : o.type;
            if (o.kind == value_kind::choices) {
                value.clear();
                for (auto& c : o.choices) value += (value.empty() ? "" : "|") + c;
            }
            names += " \\fI" + roff(value) + "\\fR";
        }
        out += ".TP\n" + names + "\n" + roff(o.description) +
               (o.repeatable && o.description.find("repeatable") == std::string::npos ? " (repeatable)" : "") + "\n";
    }

    if (has_long(options, "config") || has_long(options, "color")) {
        out += ".SH ENVIRONMENT\n";
        if (has_long(options, "config")) {
            out += ".TP\n.B BI_CONFIG\nThe config file, when \\fB\\-\\-config\\fR is not given.\n";
            out += ".TP\n.B BI_DATABASE\\fR, \\fBBI_QUERIES_DIR\\fR, \\fBBI_DUMPS_DIR\\fR, \\fBBI_LOG_DIR\n"
                   "The database, catalog, dumps and log directories, when their flags are not given.\n";
        }
        if (has_long(options, "color")) {
            out += ".TP\n.B NO_COLOR\nWhen set and not empty, no colour unless \\fB\\-\\-color always\\fR.\n";
            out += ".TP\n.B COLUMNS\nThe width to fit when the terminal's own cannot be read.\n";
        }
        if (has_long(options, "format"))
            out += ".TP\n.B BI_CHARTJS\nChart.js (chart.umd.js) to inline in \\fB\\-\\-format html\\fR pages.\n";
    }

    if (auto footer = app.get_footer(); !footer.empty() && footer != "\n")
        out += ".SH NOTES\n" + roff(footer) + "\n";

    out += ".SH EXIT STATUS\nOne table for every bi tool:\n";
    const std::pair<exit_code, const char*> codes[] = {
        {exit_code::ok, "success (bi\\-ask: answered)"},
        {exit_code::failure, "runtime error, or some items of a run failed"},
        {exit_code::usage, "usage: bad flags or values, a question that is not text"},
        {exit_code::no_match, "bi\\-ask: no confident match (stdout still carries the answer with suggestions)"},
        {exit_code::locked, "another run holds the lock"},
        {exit_code::unreachable, "the database cannot be opened, is not SQLite, or stays locked"},
        {exit_code::refused, "SQL refused by the read\\-only guard"},
        {exit_code::fallback, "the LLM fallback command could not start or exited non\\-zero"},
        {exit_code::fallback_timeout, "the LLM fallback command ran past its timeout"},
        {exit_code::fallback_reply, "the LLM fallback command's reply is not a valid reply"},
    };
    for (auto& [code, meaning] : codes) out += ".TP\n.B " + std::to_string(static_cast<int>(code)) + "\n" + meaning + "\n";

    out += ".SH SEE ALSO\n";
    const char* tools[] = {"bi-ask", "bi-dump", "bi-regen", "bi-status", "bi-demo-db"};
    std::string see;
    for (auto* t : tools)
        if (name != t) see += (see.empty() ? "" : ",\n") + std::string("\\fB") + roff(t) + "\\fR(1)";
    out += see + "\n";
    return out;
}

namespace {

std::string function_name(std::string_view tool) {
    std::string out = "_";
    for (char c : tool) out += c == '-' ? '_' : c;
    return out;
}

/// Single-quoted for bash, zsh and fish alike: ' becomes '\'' (fish: \').
std::string shell_quoted(std::string_view s, bool fish = false) {
    std::string out = "'";
    for (char c : s) {
        if (c == '\'') out += fish ? "\\'" : "'\\''";
        else if (fish && c == '\\') out += "\\\\";
        else out += c;
    }
    return out + "'";
}

std::string bash_script(const std::string& tool, const std::vector<option_doc>& options) {
    std::string fn = function_name(tool);
    std::string words;
    for (auto& o : options) {
        for (auto& s : o.shorts) words += (words.empty() ? "-" : " -") + s;
        for (auto& l : o.longs) words += (words.empty() ? "--" : " --") + l;
    }
    std::string out = "# bash completion for " + tool + " (generated by `" + tool + " --completion bash`)\n\n";
    out += "# Catalog names, asked of the tool with the --config/--queries-dir already typed.\n";
    out += fn + "_catalog() {\n"
           "    local args=() i\n"
           "    for ((i = 1; i < ${#COMP_WORDS[@]} - 1; i++)); do\n"
           "        case ${COMP_WORDS[i]} in\n"
           "            --config|--queries-dir) args+=(\"${COMP_WORDS[i]}\" \"${COMP_WORDS[i+1]}\") ;;\n"
           "        esac\n"
           "    done\n"
           "    \"${COMP_WORDS[0]}\" \"${args[@]}\" --complete \"$1\" 2>/dev/null\n"
           "}\n\n";
    out += fn + "() {\n"
           "    local cur=${COMP_WORDS[COMP_CWORD]} prev=\n"
           "    ((COMP_CWORD > 0)) && prev=${COMP_WORDS[COMP_CWORD-1]}\n"
           "    COMPREPLY=()\n"
           "    case $prev in\n";
    auto names_of = [](const option_doc& o) {
        std::string n;
        for (auto& s : o.shorts) n += (n.empty() ? "-" : "|-") + s;
        for (auto& l : o.longs) n += (n.empty() ? "--" : "|--") + l;
        return n;
    };
    for (auto& o : options) {
        if (!o.argument.empty() || o.kind == value_kind::none) continue;
        std::string action;
        switch (o.kind) {
        case value_kind::file: action = "compopt -o filenames 2>/dev/null; COMPREPLY=($(compgen -f -- \"$cur\"))"; break;
        case value_kind::directory: action = "compopt -o filenames 2>/dev/null; COMPREPLY=($(compgen -d -- \"$cur\"))"; break;
        case value_kind::category: action = "COMPREPLY=($(compgen -W \"$(" + fn + "_catalog categories)\" -- \"$cur\"))"; break;
        case value_kind::query: action = "COMPREPLY=($(compgen -W \"$(" + fn + "_catalog queries)\" -- \"$cur\"))"; break;
        case value_kind::choices: {
            std::string list;
            for (auto& c : o.choices) list += (list.empty() ? "" : " ") + c;
            action = "COMPREPLY=($(compgen -W " + shell_quoted(list) + " -- \"$cur\"))";
            break;
        }
        default: action = ":";
        }
        out += "        " + names_of(o) + ") " + action + "; return ;;\n";
    }
    out += "    esac\n"
           "    if [[ $cur == -* ]]; then\n"
           "        COMPREPLY=($(compgen -W " + shell_quoted(words) + " -- \"$cur\"))\n"
           "        return\n"
           "    fi\n";
    for (auto& o : options) {
        if (o.argument.empty()) continue;
        if (o.argument == "query" || o.argument == "queries")
            out += "    COMPREPLY=($(compgen -W \"$(" + fn + "_catalog queries)\" -- \"$cur\"))\n";
        break;
    }
    out += "}\n\ncomplete -F " + fn + " " + tool + "\n";
    return out;
}

/// Text inside a zsh _arguments spec: [, ], :, and \ escaped.
std::string zsh_description(std::string_view s) {
    std::string out;
    for (char c : s) {
        if (c == '[' || c == ']' || c == ':' || c == '\\') out += '\\';
        if (c == '\'') out += "'\\''";
        else out += c;
    }
    return out;
}

std::string zsh_script(const std::string& tool, const std::vector<option_doc>& options) {
    std::string fn = function_name(tool);
    std::string out = "#compdef " + tool + "\n# zsh completion for " + tool + " (generated by `" + tool +
                      " --completion zsh`)\n\n";
    out += fn + "_catalog() {\n"
           "    local -a items args\n"
           "    local i\n"
           "    for ((i = 2; i < CURRENT; i++)); do\n"
           "        case ${words[i]} in\n"
           "            --config|--queries-dir) args+=(${words[i]} ${words[i+1]}) ;;\n"
           "        esac\n"
           "    done\n"
           "    items=(${(f)\"$(" + tool + " $args --complete $1 2>/dev/null)\"})\n"
           "    compadd -a items\n"
           "}\n\n";
    out += "_arguments -s -S \\\n";
    for (auto& o : options) {
        std::string action;
        switch (o.kind) {
        case value_kind::file: action = "_files"; break;
        case value_kind::directory: action = "_files -/"; break;
        case value_kind::category: action = fn + "_catalog categories"; break;
        case value_kind::query: action = fn + "_catalog queries"; break;
        case value_kind::choices: {
            action = "(";
            for (auto& c : o.choices) action += (action.size() > 1 ? " " : "") + c;
            action += ")";
            break;
        }
        default: action = " ";
        }
        std::string desc = zsh_description(o.description);
        if (!o.argument.empty()) {
            out += "  '" + std::string(o.repeatable ? "*" : "") + ":" + zsh_description(o.argument) + ":" + action + "' \\\n";
            continue;
        }
        std::vector<std::string> names;
        for (auto& s : o.shorts) names.push_back("-" + s);
        for (auto& l : o.longs) names.push_back("--" + l);
        std::string value = o.kind == value_kind::none ? "" : ":" + zsh_description(o.type.empty() ? "value" : o.type) + ":" + action;
        std::string repeat = o.repeatable ? "*" : "";
        for (auto& n : names) {
            std::string sep = o.kind == value_kind::none ? "" : (n.size() > 2 && n[1] == '-' ? "=" : "+");
            out += "  '" + repeat + n + sep + "[" + desc + "]" + value + "' \\\n";
        }
    }
    out += "  && return 0\n";
    return out;
}

std::string fish_script(const std::string& tool, const std::vector<option_doc>& options) {
    std::string out = "# fish completion for " + tool + " (generated by `" + tool + " --completion fish`)\n\n";
    out += "complete -c " + tool + " -f\n";
    for (auto& o : options) {
        std::string args;
        switch (o.kind) {
        case value_kind::none: break;
        case value_kind::file: args = " -r -F"; break;
        case value_kind::directory: args = " -x -a '(__fish_complete_directories)'"; break;
        case value_kind::category: args = " -x -a '(" + tool + " --complete categories 2>/dev/null)'"; break;
        case value_kind::query: args = " -x -a '(" + tool + " --complete queries 2>/dev/null)'"; break;
        case value_kind::choices: {
            std::string list;
            for (auto& c : o.choices) list += (list.empty() ? "" : " ") + c;
            args = " -x -a " + shell_quoted(list, true);
            break;
        }
        default: args = " -x";
        }
        if (!o.argument.empty()) {
            if (o.kind == value_kind::query) out += "complete -c " + tool + " -a '(" + tool + " --complete queries 2>/dev/null)'\n";
            continue;
        }
        std::string names;
        for (auto& s : o.shorts) names += " -s " + s;
        for (auto& l : o.longs) names += " -l " + l;
        out += "complete -c " + tool + names + args + " -d " + shell_quoted(o.description, true) + "\n";
    }
    return out;
}

}  // namespace

std::string completion_script(const CLI::App& app, std::string_view shell) {
    auto options = visible_options(app);
    // A positional named `query` completes query names: mark it so every shell sees it.
    for (auto& o : options)
        if (!o.argument.empty() && (o.argument == "query" || o.argument == "queries")) o.kind = value_kind::query;
    if (shell == "bash") return bash_script(app.get_name(), options);
    if (shell == "zsh") return zsh_script(app.get_name(), options);
    if (shell == "fish") return fish_script(app.get_name(), options);
    return {};
}

}  // namespace bi::tool
