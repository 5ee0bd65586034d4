// The backend-independent half of bi::database: owned cell values and whole result sets.
#include "bi/database.hpp"

#include <fmt/format.h>

#include "bi/error.hpp"

namespace bi {

value row_view::get(int i) const {
    switch (type(i)) {
    case column_type::integer: return integer(i);
    case column_type::real: return real(i);
    case column_type::text: return std::string(text(i));
    case column_type::blob: return blob{std::string(text(i))};
    case column_type::null: break;
    }
    return std::monostate{};
}

namespace {

/// Keeps every row of a result as owned values, up to a bound when it has one (< 0: none).
class collecting_sink final : public row_sink {
public:
    collecting_sink(result_set& out, std::int64_t max_rows = -1, std::int64_t max_bytes = -1)
        : out_(out), max_rows_(max_rows), max_bytes_(max_bytes) {}
    void begin(const std::vector<column_info>& columns) override { out_.columns = columns; }
    void row(const row_view& row) override {
        if (max_rows_ >= 0 && static_cast<std::int64_t>(out_.rows.size()) >= max_rows_)
            throw error(fmt::format("the result has more than {} rows, more than an answer holds (answer_max_rows); "
                                    "ask for the top N or a total",
                                    max_rows_));
        auto& cells = out_.rows.emplace_back();
        cells.reserve(static_cast<std::size_t>(row.size()));
        for (int i = 0; i < row.size(); ++i) {
            cells.push_back(row.get(i));
            auto t = row.type(i);
            bytes_ += t == column_type::text || t == column_type::blob ? static_cast<std::int64_t>(row.text(i).size()) : 8;
        }
        if (max_bytes_ >= 0 && bytes_ > max_bytes_)
            throw error(fmt::format("the result has more than {} bytes, more than an answer holds (answer_max_bytes); "
                                    "ask for fewer rows or columns",
                                    max_bytes_));
    }

private:
    result_set& out_;
    std::int64_t max_rows_;
    std::int64_t max_bytes_;
    std::int64_t bytes_ = 0;
};

}  // namespace

result_set query_all(database& db, std::string_view sql) {
    result_set result;
    collecting_sink sink(result);
    db.query(sql, sink);
    return result;
}

result_set query_answer(database& db, std::string_view sql, const query_limits& limits) {
    result_set result;
    collecting_sink sink(result, limits.answer_max_rows, limits.answer_max_bytes);
    db.query(sql, sink);
    return result;
}

}  // namespace bi
