// The router, stage by stage, and the labelled question suite (tests/data/questions.tsv):
// routing accuracy must be at least 97% and no out-of-scope input may get an answer.
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <map>
#include <set>
#include <sstream>
#include <tuple>

#include <catch2/catch.hpp>
#include <rapidjson/document.h>
#ifdef BI_STEMMER_ENGLISH_ONLY
#include <libstemmer.h>
#endif

#include "bi/answer.hpp"
#include "bi/format.hpp"
#include "bi/catalog.hpp"
#include "bi/error.hpp"
#include "bi/index.hpp"
#include "bi/router.hpp"
#include "bi/text.hpp"
#include "support.hpp"

namespace {

using strings = std::vector<std::string>;

bi::config test_config() {
    bi::config c;
    c.database = bi::test::env("BI_TEST_DB");
    c.dumps_dir = bi::test::env("BI_TEST_DUMPS");
    c.queries_dir = std::string(BI_SOURCE_DIR) + "/queries";
    return c;
}

const bi::router_index& test_index() {
    static bi::router_index index = bi::load_index(bi::index_path(bi::test::env("BI_TEST_DUMPS")));
    return index;
}

bi::answerer& test_answerer() {
    static bi::answerer a(test_config(), test_index());
    return a;
}

}  // namespace

TEST_CASE("the normaliser folds case, punctuation, Unicode and number words", "[text]") {
    CHECK(bi::words_of("What were the TOP-selling models?") == strings{"what", "were", "the", "top", "selling", "models"});
    CHECK(bi::words_of("F&I conversion") == strings{"f", "and", "i", "conversion"});
    CHECK(bi::words_of("the dealer\xE2\x80\x99s margin \xE2\x80\x94 north\xE2\x80\x93" "east") ==
          strings{"the", "dealer", "margin", "north", "east"});
    // Unicode: NFKC case folding and accents stripped (libutf8proc), both in names and questions.
    CHECK(bi::words_of("Café Noir") == strings{"cafe", "noir"});
    CHECK(bi::words_of("STRASSE BÜCHER") == bi::words_of("Straße Bücher"));
    CHECK(bi::words_of("Straße Bücher") == strings{"strasse", "bucher"});
    CHECK(bi::words_of("ＴＯＰ ５ Señores") == strings{"top", "5", "senores"});  // fullwidth forms
    CHECK(bi::fold_text("\xC3\x28 BAD") == "\xC3\x28 bad");  // not UTF-8: bytes kept, ASCII lower-cased
    CHECK(bi::fold_text("ÉCOLE") == "ecole");
    CHECK(bi::words_of("top three models") == strings{"top", "3", "models"});
    CHECK(bi::words_of("twenty five worst dealers") == strings{"25", "worst", "dealers"});
    // years said aloud, and amounts
    CHECK(bi::words_of("revenue in twenty twenty five") == strings{"revenue", "in", "2025"});
    CHECK(bi::words_of("twenty nineteen") == strings{"2019"});
    CHECK(bi::words_of("two thousand and twenty four") == strings{"2024"});
    CHECK(bi::words_of("two thousand five hundred units") == strings{"2500", "units"});
    CHECK(bi::words_of("over forty million") == strings{"over", "40000000"});
    CHECK(bi::words_of("above 45 grand") == strings{"above", "45000"});
    CHECK(bi::words_of("the grand total") == strings{"the", "grand", "total"});
    CHECK(bi::words_of("5 grand total") == strings{"5", "grand", "total"});
    CHECK(bi::words_of("margin %, 12.5") == strings{"margin", "percent", "12.5"});
    CHECK(bi::words_of("  \t ").empty());
}

TEST_CASE("stems come from Snowball's English stemmer", "[text]") {
    CHECK(bi::stem("selling") == "sell");
    CHECK(bi::stem("claims") == "claim");
    CHECK(bi::stem("repairs") == bi::stem("repair"));
    CHECK(bi::stem("availability") == "avail");
    CHECK(bi::stem("2025") == "2025");
    CHECK(bi::is_stop_word("the"));
    CHECK_FALSE(bi::is_stop_word("worst"));
    CHECK_FALSE(bi::is_stop_word("top"));
}

#ifdef BI_STEMMER_ENGLISH_ONLY
// libbi calls Snowball's English stemmer directly when linked statically (libbi/src/text.cpp);
// it must stem exactly as libstemmer's public API does, on every word of the catalog and docs.
TEST_CASE("the direct English stemmer agrees with sb_stemmer", "[text]") {
    std::set<std::string> words;
    std::vector<std::filesystem::path> files{std::string(BI_SOURCE_DIR) + "/README.md"};
    for (auto dir : {"queries", "docs", "tests/data"})
        for (auto& e : std::filesystem::recursive_directory_iterator(std::string(BI_SOURCE_DIR) + "/" + dir))
            if (e.is_regular_file()) files.push_back(e.path());
    for (auto& f : files) {
        std::ifstream in(f);
        std::stringstream text;
        text << in.rdbuf();
        for (auto& w : bi::words_of(text.str())) words.insert(w);
    }
    for (auto w : {"", "a", "ies", "generously", "skies", "dying", "news", "cañon", "\xE2\x80\x94"}) words.insert(w);
    REQUIRE(words.size() > 2000);
    sb_stemmer* reference = sb_stemmer_new("english", "UTF_8");
    REQUIRE(reference);
    size_t compared = 0;
    for (auto& w : words) {
        if (!w.empty() && std::isdigit(static_cast<unsigned char>(w.front()))) continue;  // bi::stem keeps numbers
        auto out = sb_stemmer_stem(reference, reinterpret_cast<const sb_symbol*>(w.data()), static_cast<int>(w.size()));
        REQUIRE(out);
        INFO(w);
        CHECK(bi::stem(w) == std::string(reinterpret_cast<const char*>(out), static_cast<size_t>(sb_stemmer_length(reference))));
        ++compared;
    }
    sb_stemmer_delete(reference);
    CHECK(compared > 2000);
}
#endif

TEST_CASE("the stop stems are the stems of the stop words", "[text]") {
    auto words = bi::stop_words_list();
    CHECK(std::is_sorted(words.begin(), words.end()));
    CHECK(std::adjacent_find(words.begin(), words.end()) == words.end());
    std::set<std::string> stems;
    for (auto w : words) {
        INFO(w);
        CHECK(bi::is_stop_word(w));
        CHECK(bi::is_stop_stem(bi::stem(w)));
        stems.insert(bi::stem(w));
    }
    // Exactly these: on a change to the stop words, this says what stop_stems must hold.
    std::string expected;
    for (auto& s : stems) expected += "\"" + s + "\", ";
    INFO("libbi/src/text.cpp's stop_stems should be: " << expected);
    auto listed = bi::stop_stems_list();
    CHECK(std::vector<std::string>(listed.begin(), listed.end()) == std::vector<std::string>(stems.begin(), stems.end()));
    CHECK_FALSE(bi::is_stop_stem("dealer"));
    CHECK_FALSE(bi::is_stop_word("dealer"));
}

TEST_CASE("edit distance counts a transposition as one edit", "[text]") {
    CHECK(bi::edit_distance("warranty", "warrenty", 2) == 1);
    CHECK(bi::edit_distance("modle", "model", 2) == 1);
    CHECK(bi::edit_distance("stock", "stock", 1) == 0);
    CHECK(bi::edit_distance("weather", "leather", 0) == 1);
    CHECK(bi::edit_distance("abcdefgh", "zyxwvuts", 2) == 3);
}

TEST_CASE("slots are recognised from the data's values and the catalog's aliases", "[router]") {
    bi::route_options o;
    o.today = "2026-06-15";
    auto r = bi::route(test_index(), "top 3 models in the north-east in 2025", o);
    std::map<std::string, std::string> slots;
    for (auto& s : r.slots) slots[s.slot] = s.value;
    CHECK(slots["region"] == "Northeast");
    CHECK(slots["year"] == "2025");
    CHECK(r.limit == 3);
    CHECK_FALSE(r.asks_worst);
    CHECK_FALSE(r.asks_least);

    r = bi::route(test_index(), "bottom five dealers last year at Lansing", o);
    slots.clear();
    for (auto& s : r.slots) slots[s.slot] = s.value;
    CHECK(slots["year"] == "2025");
    CHECK(slots["plant"] == "Lansing");
    CHECK(r.limit == 5);
    CHECK(r.asks_least);

    r = bi::route(test_index(), "stock of brake pads this year", o);
    slots.clear();
    for (auto& s : r.slots) slots[s.slot] = s.value;
    CHECK(slots["component"] == "Brake Pads");
    CHECK(slots["year"] == "2026");

    r = bi::route(test_index(), "at least 3 claims", o);
    CHECK_FALSE(r.asks_least);

    r = bi::route(test_index(), "Brisas sold in FY25", o);
    slots.clear();
    for (auto& s : r.slots) slots[s.slot] = s.value;
    CHECK(slots["model"] == "Brisa");
    CHECK(slots["year"] == "2025");
    r = bi::route(test_index(), "claims two years ago", o);
    REQUIRE_FALSE(r.slots.empty());
    CHECK(r.slots[0].value == "2024");
}

TEST_CASE("typos are corrected against the catalog's vocabulary", "[router]") {
    bi::route_options o;
    auto r = bi::route(test_index(), "warrenty claims by modle", o);
    CHECK(std::find(r.corrections.begin(), r.corrections.end(), "warrenty→warranty") != r.corrections.end());
    REQUIRE(r.outcome == bi::route_outcome::answered);
    CHECK(test_index().query(r.candidates[0].query).id == "warranty_analysis/claims_by_model");
}

TEST_CASE("text that is not a question is a usage error", "[router]") {
    bi::route_options o;
    CHECK_THROWS_AS(bi::route(test_index(), "", o), bi::usage_error);
    CHECK_THROWS_AS(bi::route(test_index(), "   ?!  ", o), bi::usage_error);
    CHECK_THROWS_AS(bi::route(test_index(), std::string(100'000, 'a'), o), bi::usage_error);
    CHECK_THROWS_AS(bi::route(test_index(), "caf\xC3", o), bi::usage_error);
    CHECK_THROWS_AS(bi::route(test_index(), std::string("top\0models", 10), o), bi::usage_error);
}

TEST_CASE("routing is deterministic", "[router]") {
    bi::route_options o;
    auto a = bi::route(test_index(), "dealer gross profit in the midwest", o);
    auto b = bi::route(test_index(), "dealer gross profit in the midwest", o);
    REQUIRE(a.candidates.size() == b.candidates.size());
    for (size_t i = 0; i < a.candidates.size(); ++i) {
        CHECK(a.candidates[i].query == b.candidates[i].query);
        CHECK(a.candidates[i].score == b.candidates[i].score);
    }
}

TEST_CASE("the labelled question suite routes at least 97% right and answers no out-of-scope input", "[router][suite]") {
    auto cases = bi::test::read_table("questions.tsv");
    REQUIRE(cases.size() >= 360);
    auto& answerer = test_answerer();
    bi::route_options routing;
    routing.today = "2026-06-15";
    struct tally { int total = 0, right = 0; };
    std::map<std::string, tally> per_category;
    int in_scope = 0, right = 0, out_scope = 0, wrongly_answered = 0;
    std::ostringstream failures;
    for (auto& c : cases) {
        REQUIRE(c.size() >= 2);
        c.resize(5);
        const auto& question = c[0];
        const auto& expected = c[1];
        const auto& filters = c[2];
        const auto& limit = c[3];
        const auto& direction = c[4];
        bool none = expected == "-";
        std::string category = none ? "(out of scope)" : expected.substr(0, expected.find('/'));
        auto& t = per_category[category];
        ++t.total;
        // The suite measures the report router: which curated report a question reaches when
        // the report path answers it (questions naming a measure go to the semantic model, and
        // tests/eval grades those by value). Out-of-scope input must get no answer at all.
        std::string got_query, got_filters, got_limit, got_direction;
        bool matched = false;
        try {
            if (none) {
                rapidjson::Document doc;
                doc.Parse(bi::render_json(answerer.ask(question)).c_str());
                REQUIRE_FALSE(doc.HasParseError());
                matched = doc["matched"].GetBool();
                if (matched) got_query = doc["query"].GetString();
            } else {
                auto& index = answerer.index();
                auto r = bi::route(index, question, routing);
                matched = r.outcome == bi::route_outcome::answered;
                if (matched) {
                    auto& def = index.def(static_cast<size_t>(r.candidates[0].query));
                    got_query = def.id();
                    std::map<std::string, std::string> f;
                    for (auto& slot : r.slots)
                        if (def.slot_column(slot.slot) && !f.count(slot.slot)) f[slot.slot] = slot.value;
                    for (auto& [k, v] : f) got_filters += (got_filters.empty() ? "" : ";") + k + "=" + v;
                    got_limit = r.limit ? std::to_string(*r.limit) : "";
                    got_direction = bi::wants_reverse(r, def) ? "reverse" : "";
                }
            }
        } catch (const bi::usage_error&) {
            matched = false;
        }
        if (none) {
            ++out_scope;
            if (matched) {
                ++wrongly_answered;
                failures << "  ANSWERED out-of-scope: \"" << question << "\" → " << got_query << "\n";
            } else {
                ++t.right;
            }
            continue;
        }
        ++in_scope;
        // Expected filters in canonical order.
        std::map<std::string, std::string> want;
        std::stringstream fs(filters);
        std::string part;
        while (std::getline(fs, part, ';'))
            if (auto eq = part.find('='); eq != std::string::npos) want[part.substr(0, eq)] = part.substr(eq + 1);
        std::string want_filters;
        for (auto& [k, v] : want) want_filters += (want_filters.empty() ? "" : ";") + k + "=" + v;
        bool ok = matched && got_query == expected && got_filters == want_filters && got_limit == limit && got_direction == direction;
        if (ok) {
            ++right;
            ++t.right;
        } else {
            failures << "  \"" << question << "\"\n      want " << expected << " [" << want_filters << "] limit=" << limit
                     << " " << direction << "\n      got  " << (matched ? got_query : "(no match)") << " [" << got_filters
                     << "] limit=" << got_limit << " " << got_direction << "\n";
        }
    }
    double accuracy = in_scope ? 100.0 * right / in_scope : 0;
    std::cout << "\nlabelled question suite: " << right << "/" << in_scope << " in-scope right (" << std::fixed
              << std::setprecision(1) << accuracy << "%), " << (out_scope - wrongly_answered) << "/" << out_scope
              << " out-of-scope refused\n";
    for (auto& [category, t] : per_category)
        std::cout << "  " << std::left << std::setw(22) << category << std::right << std::setw(4) << t.right << "/"
                  << t.total << "  " << std::setprecision(1) << 100.0 * t.right / t.total << "%\n";
    if (!failures.str().empty()) std::cout << "misrouted:\n" << failures.str();
    CHECK(accuracy >= 97.0);
    CHECK(wrongly_answered == 0);
}

TEST_CASE("a damaged index.bin is reported as such, never read out of bounds", "[index]") {
    // index.bin is checked where it is read (loading touches none of its tables): damage in
    // a file that still names its index.json shows as a parse error when routing reaches it.
    auto source = bi::test::scratch_dir("index_damaged_source");
    std::filesystem::copy_file(bi::index_path(bi::test::env("BI_TEST_DUMPS")), bi::index_path(source),
                               std::filesystem::copy_options::overwrite_existing);
    auto dir = bi::test::scratch_dir("index_damaged");
    auto path = bi::index_path(dir);
    bi::write_index(bi::load_index(bi::index_path(source)), path);
    auto bin = std::filesystem::path(path).replace_extension(".bin").string();
    std::string original;
    {
        std::ifstream in(bin, std::ios::binary);
        std::stringstream b;
        b << in.rdbuf();
        original = b.str();
    }
    REQUIRE(original.size() > 10000);
    bi::route_options o;
    o.today = "2026-06-15";
    int reported = 0, answered = 0;
    for (size_t at = 4; at + 4 < original.size() - 40; at += original.size() / 97) {
        auto damaged = original;
        for (size_t k = 0; k < 4; ++k) damaged[at + k] = '\xff';
        {
            std::fstream out(bin, std::ios::binary | std::ios::in | std::ios::out);  // in place: index.json's stamp holds
            out.write(damaged.data(), static_cast<std::streamsize>(damaged.size()));
        }
        try {
            auto index = bi::load_index(path);
            for (auto q : {"top selling models in the northeast", "warranty claims by model", "kpi health scores"}) {
                auto r = bi::route(index, q, o);
                for (auto& c : r.candidates) (void)index.def(static_cast<size_t>(c.query)).sql;
            }
            ++answered;
        } catch (const bi::error& e) {
            ++reported;
        }
    }
    INFO(reported << " damaged copies reported, " << answered << " routed");
    CHECK(reported > 0);
    CHECK(reported + answered > 90);
}

TEST_CASE("index.bin routes exactly as index.json, and is ignored once index.json changes", "[index]") {
    // The fixture's index.bin is what test_index() loaded; a copy of index.json alone has no
    // matching companion, so it loads from the JSON.
    auto dir = bi::test::scratch_dir("index_json_only");
    std::filesystem::copy_file(bi::index_path(bi::test::env("BI_TEST_DUMPS")), bi::index_path(dir),
                               std::filesystem::copy_options::overwrite_existing);
    auto from_json = bi::load_index(bi::index_path(dir));
    auto& from_binary = test_index();
    REQUIRE(from_json.size() == from_binary.size());
    std::map<std::string, int> json_words, binary_words;
    from_json.for_each_word([&](std::string_view w, int count) { json_words[std::string(w)] = count; });
    from_binary.for_each_word([&](std::string_view w, int count) { binary_words[std::string(w)] = count; });
    CHECK(json_words == binary_words);
    CHECK(json_words.size() > 100);
    for (auto& [word, count] : json_words) CHECK(from_binary.has_word(word));
    CHECK_FALSE(from_binary.has_word("zzyzx"));
    for (auto& [stem, idf] : from_json.idf) {
        INFO(stem);
        CHECK(from_binary.idf_of(stem) == idf);
        auto a = from_json.postings_of(stem), b = from_binary.postings_of(stem);
        CHECK(std::vector<int>(a.begin(), a.end()) == std::vector<int>(b.begin(), b.end()));
    }
    CHECK_FALSE(from_binary.idf_of("zzyzx"));
    CHECK(from_binary.postings_of("zzyzx").empty());
    // Phrases by first stem: the same phrases at the same positions, in the same order.
    REQUIRE(from_json.slot_phrases.size() > 50);
    REQUIRE(from_json.synonyms.size() > 20);
    CHECK(from_binary.slot_phrases.empty());  // answered from the file's table
    std::set<std::string> firsts;
    for (auto& p : from_json.slot_phrases) firsts.insert(p.stems.front());
    for (auto& s : from_json.synonyms) firsts.insert(s.first.front());
    firsts.insert("zzyzx");
    for (auto& first : firsts) {
        INFO(first);
        using phrase_seen = std::tuple<size_t, std::vector<std::string>, std::string, std::string, bool>;
        std::vector<phrase_seen> a, b;
        from_json.for_each_slot_phrase(first, [&](size_t k, const bi::slot_phrase& p) { a.emplace_back(k, p.stems, p.slot, p.value, p.weak); });
        from_binary.for_each_slot_phrase(first, [&](size_t k, const bi::slot_phrase& p) { b.emplace_back(k, p.stems, p.slot, p.value, p.weak); });
        CHECK(a == b);
        std::vector<std::pair<size_t, bi::router_index::synonym>> c, d;
        from_json.for_each_synonym(first, [&](size_t k, const bi::router_index::synonym& s) { c.emplace_back(k, s); });
        from_binary.for_each_synonym(first, [&](size_t k, const bi::router_index::synonym& s) { d.emplace_back(k, s); });
        CHECK(c == d);
    }
    for (auto& w : from_json.english) CHECK(from_binary.is_english(w));
    for (auto& w : from_json.column_stems) CHECK(from_binary.is_column_stem(w));
    for (auto& w : from_json.stop_words) CHECK(from_binary.is_vocabulary_stop_word(w));
    CHECK_FALSE(from_binary.is_english("zzyzx"));
    CHECK_FALSE(from_binary.is_column_stem("zzyzx"));
    CHECK_FALSE(from_binary.is_vocabulary_stop_word("zzyzx"));
    for (size_t i = 0; i < from_json.size(); ++i) {
        CHECK(from_json.query(i).terms == from_binary.query(i).terms);
        CHECK(from_json.query(i).examples == from_binary.query(i).examples);
        CHECK(from_json.query(i).column_stems == from_binary.query(i).column_stems);
        CHECK(from_json.query(i).worst_first == from_binary.query(i).worst_first);
        CHECK_FALSE(from_binary.query(i).column_stems.empty());
        CHECK(from_json.def(i).sql == from_binary.def(i).sql);
        CHECK(from_json.def(i).columns == from_binary.def(i).columns);
    }
    bi::route_options o;
    o.today = "2026-06-15";
    std::ifstream suite(std::string(BI_SOURCE_DIR) + "/tests/data/questions.tsv");
    int compared = 0;
    for (std::string line; std::getline(suite, line);) {
        auto question = line.substr(0, line.find('\t'));
        if (question.empty() || question[0] == '#') continue;
        bi::route_result a, b;
        try {
            a = bi::route(from_json, question, o);
            b = bi::route(from_binary, question, o);
        } catch (const bi::error&) {
            continue;
        }
        REQUIRE(a.candidates.size() == b.candidates.size());
        for (size_t k = 0; k < a.candidates.size(); ++k) {
            CHECK(a.candidates[k].query == b.candidates[k].query);
            CHECK(a.candidates[k].score == b.candidates[k].score);
        }
        ++compared;
    }
    CHECK(compared > 100);
}
