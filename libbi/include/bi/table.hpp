// Rows in memory: a dump read back, or an answer being shaped from one.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "bi/value.hpp"

namespace bi {

struct table {
    std::vector<std::string> columns;
    std::vector<std::string> types;          ///< per column: integer, real, text, blob, null or mixed
    std::vector<std::vector<value>> rows;

    /// Position of `column`, or -1.
    int index_of(std::string_view column) const {
        for (size_t i = 0; i < columns.size(); ++i)
            if (columns[i] == column) return static_cast<int>(i);
        return -1;
    }
};

/// The dump's name for a value's type: integer, real, text, blob or null.
std::string_view type_name(const value& v);

/// Combines the type seen so far for a column with one more value's type.
std::string merge_type(std::string_view so_far, std::string_view next);

}  // namespace bi
