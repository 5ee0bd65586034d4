// The backend-independent half of bi::database: owned cell values and whole result sets.
#include "bi/database.hpp"

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

/// Keeps every row of a result as owned values.
class collecting_sink final : public row_sink {
public:
    explicit collecting_sink(result_set& out) : out_(out) {}
    void begin(const std::vector<column_info>& columns) override { out_.columns = columns; }
    void row(const row_view& row) override {
        auto& cells = out_.rows.emplace_back();
        cells.reserve(static_cast<std::size_t>(row.size()));
        for (int i = 0; i < row.size(); ++i) cells.push_back(row.get(i));
    }

private:
    result_set& out_;
};

}  // namespace

result_set query_all(database& db, std::string_view sql) {
    result_set result;
    collecting_sink sink(result);
    db.query(sql, sink);
    return result;
}

}  // namespace bi
