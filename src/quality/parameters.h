// Suite parameters ({"$PARAMETER": EXPR} in kwargs), evaluated as GE 1.2 does. Internal
// to libstrata.
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "quality/expectation.h"

namespace strata::quality::detail {

// The value of EXPR: a parameter's own value when EXPR is its name, else the expression's
// (numbers, 'text', now(), datetime(...), timedelta(...), + - * /, abs(), round(); a
// date-time as "YYYY-MM-DD HH:MM:SS[.ffffff]"). `now_us`: now() in microseconds since the
// epoch. An undefined name or a form GE would not evaluate is an error naming it.
Result<Json> EvaluateParameter(const std::string& expression,
                               const std::map<std::string, Json>& parameters, int64_t now_us);

// Replaces every {"$PARAMETER": EXPR} object in `value` by its value.
Status ResolveParameters(Json* value, const std::map<std::string, Json>& parameters,
                         int64_t now_us);

// A parameter given as text (--param NAME=VALUE): JSON when it parses as a number,
// boolean, list, object or null; else the text itself.
Json ParameterValue(const std::string& text);

}  // namespace strata::quality::detail
