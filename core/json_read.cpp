// The one JSON reader of core: nlohmann-json's exceptions are caught here and never leave this
// file, nesting is bounded while parsing, and every number is range-checked after it is
// converted (an int, a float32), never before. Depends on nlohmann-json and core only.
#include "json_read.hpp"

#include <cmath>
#include <cstring>
#include <set>

namespace cs {

namespace {

// Thrown from the parse callback at the first list or object past the depth bound.
struct TooDeep {};
struct TooManyValues {};

// Line and column of a byte offset (1-based), for syntax errors.
std::string position_of(const std::string& text, std::size_t byte) {
  std::size_t line = 1, col = 1;
  for (std::size_t i = 0; i + 1 < byte && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++line;
      col = 1;
    } else {
      ++col;
    }
  }
  return "line " + std::to_string(line) + ", column " + std::to_string(col);
}

// nlohmann quotes the token it read, which can be a megabyte of digits or text: "... - <why>;
// last read: '<token>'[; expected <kind>]" or "number overflow parsing '<token>'". Cut the token.
std::string with_short_token(const std::string& what) {
  std::size_t open = what.find("last read: '");
  if (open != std::string::npos) {
    open += std::strlen("last read: '");
  } else if ((open = what.find("parsing '")) != std::string::npos) {
    open += std::strlen("parsing '");
  } else {
    return what;
  }
  // The kinds nlohmann names after "; expected " are short ("'['", "end of input"); a longer tail
  // is part of the token.
  std::size_t close = what.rfind("'; expected ");
  if (close == std::string::npos || close < open || what.size() - close > 64) {
    close = what.size() - 1;
  }
  if (close < open || what[close] != '\'') return what;
  return what.substr(0, open) + cut_text(what.substr(open, close - open)) + what.substr(close);
}

bool is_utf8_continuation(char c) {
  return (static_cast<unsigned char>(c) & 0xC0) == 0x80;
}

// Byte length of the first `max_chars` characters of s (all of it when shorter).
std::size_t prefix_bytes(const std::string& s, std::size_t max_chars) {
  std::size_t chars = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (is_utf8_continuation(s[i])) continue;
    if (chars == max_chars) return i;
    ++chars;
  }
  return s.size();
}

// Compact JSON of v appended to out, stopping once out holds more than `budget` bytes. The
// budget also bounds the recursion: every level appends at least one byte.
void preview_into(const Json& v, std::string& out, std::size_t budget) {
  if (out.size() > budget) return;
  if (v.is_array()) {
    out += '[';
    for (std::size_t i = 0; i < v.size() && out.size() <= budget; ++i) {
      if (i) out += ',';
      preview_into(v[i], out, budget);
    }
    out += ']';
  } else if (v.is_object()) {
    out += '{';
    bool first = true;
    for (auto it = v.begin(); it != v.end() && out.size() <= budget; ++it) {
      if (!first) out += ',';
      first = false;
      preview_into(Json(it.key()), out, budget);
      out += ':';
      preview_into(it.value(), out, budget);
    }
    out += '}';
  } else if (v.is_string()) {
    // A long string is cut before it is quoted, so a megabyte of text is never copied.
    const auto& s = v.get_ref<const std::string&>();
    out += Json(s.substr(0, prefix_bytes(s, budget)))
               .dump(-1, ' ', false, Json::error_handler_t::replace);
  } else {
    out += v.dump();  // a number, true/false or null: nlohmann's own spelling ("2.0", "1e+300")
  }
}

std::string quoted_list(std::initializer_list<const char*> names) {
  std::string s;
  std::size_t i = 0;
  for (const char* n : names) {
    if (i) s += i + 1 == names.size() ? " or " : ", ";
    s += std::string("\"") + n + "\"";
    ++i;
  }
  return s;
}

}  // namespace

JsonDocument parse_json(const std::string& text, const JsonLimits& limits) {
  JsonDocument doc;
  // nlohmann keeps the last of repeated keys silently; remember the first repeat for the caller.
  std::vector<std::set<std::string>> open_objects;
  int64_t values = 0;
  auto on_event = [&](int depth, Json::parse_event_t event, Json& parsed) {
    // `depth` counts the lists and objects already open around this one.
    if ((event == Json::parse_event_t::object_start || event == Json::parse_event_t::array_start) &&
        depth >= limits.max_depth) {
      throw TooDeep{};
    }
    if ((event == Json::parse_event_t::value || event == Json::parse_event_t::object_start ||
         event == Json::parse_event_t::array_start) &&
        ++values > limits.max_values) {
      throw TooManyValues{};
    }
    if (event == Json::parse_event_t::object_start) {
      open_objects.emplace_back();
    } else if (event == Json::parse_event_t::object_end) {
      if (!open_objects.empty()) open_objects.pop_back();
    } else if (event == Json::parse_event_t::key && !open_objects.empty()) {
      const auto& key = parsed.get_ref<const std::string&>();
      if (!open_objects.back().insert(key).second && doc.duplicate_key.empty())
        doc.duplicate_key = key;
    }
    return true;
  };
  try {
    doc.root = Json::parse(text, on_event);
  } catch (const TooDeep&) {
    doc.failure = JsonDocument::Failure::too_deep;
  } catch (const TooManyValues&) {
    doc.failure = JsonDocument::Failure::too_many_values;
  } catch (const Json::parse_error& e) {
    std::string why = with_short_token(e.what());
    const auto colon = why.rfind(": ");
    if (colon != std::string::npos) why = why.substr(colon + 2);
    doc.failure = JsonDocument::Failure::syntax;
    doc.failure_detail = position_of(text, e.byte) + ": " + why;
  } catch (const Json::out_of_range& e) {
    std::string why = with_short_token(e.what());
    const auto bracket = why.find("] ");
    if (bracket != std::string::npos) why = why.substr(bracket + 2);
    doc.failure = JsonDocument::Failure::number_too_large;
    doc.failure_detail = why;
  } catch (const Json::exception& e) {
    doc.failure = JsonDocument::Failure::other;
    doc.failure_detail = e.what();
  }
  if (doc.failure != JsonDocument::Failure::none) {
    doc.root = Json();
    doc.duplicate_key.clear();
  }
  return doc;
}

const char* json_type_name(const Json& v) {
  if (v.is_null()) return "null";
  if (v.is_boolean()) return "true/false";
  if (v.is_number()) return "a number";
  if (v.is_string()) return "text";
  if (v.is_array()) return "a list";
  return "an object";
}

std::string cut_text(const std::string& text, std::size_t max_chars) {
  const std::size_t keep = prefix_bytes(text, max_chars);
  return keep == text.size() ? text : text.substr(0, keep) + "...";
}

std::string json_preview(const Json& v, std::size_t max_chars) {
  std::string out;
  // Four bytes per character at most, and a few more so that a cut is visible.
  preview_into(v, out, 4 * max_chars + 4);
  return cut_text(out, max_chars);
}

const std::string* first_unknown_key(const Json& v, const std::vector<const char*>& allowed) {
  for (auto it = v.begin(); it != v.end(); ++it) {
    bool known = false;
    for (const char* k : allowed)
      known = known || it.key() == k;
    if (!known) return &it.key();
  }
  return nullptr;
}

Error JsonReader::fail(const std::string& sentence) const {
  return make_error(m_where + ": " + sentence, m_field);
}

Status JsonReader::object_with(const Json& v, const std::string& key,
                               const std::vector<const char*>& allowed) const {
  if (!v.is_object()) {
    return fail((key.empty() ? std::string("the file") : key) +
                " must be a JSON object {...}, not " + json_type_name(v));
  }
  if (const std::string* unknown = first_unknown_key(v, allowed)) {
    std::string list;
    for (const char* k : allowed)
      list += (list.empty() ? "" : ", ") + std::string(k);
    return fail("unknown key \"" + cut_text(*unknown) + "\"" + (key.empty() ? "" : " in " + key) +
                "; the keys allowed there are: " + list);
  }
  return ok();
}

// NOTE: nlohmann stores a whole number >= 0 as uint64 and a negative one as int64: compare each in
// its own type, so 18446744073709551615 is never read as -1.
bool JsonReader::fits(const Json& v, IntRange range) const {
  if (m_wording == JsonWording::layers) range.min = std::numeric_limits<int>::min();
  if (v.is_number_unsigned()) {
    const uint64_t u = v.get<uint64_t>();
    return range.max >= 0 && u <= static_cast<uint64_t>(range.max) &&
           (range.min <= 0 || u >= static_cast<uint64_t>(range.min));
  }
  const int64_t i = v.get<int64_t>();
  return i >= range.min && i <= range.max;
}

Error JsonReader::range_error(const Json& v, const std::string& key, IntRange range) const {
  return fail(key + " is " + v.dump() + "; it must be between " + std::to_string(range.min) +
              " and " + std::to_string(range.max));
}

Result<int> JsonReader::whole(const Json& v, const std::string& key, IntRange range) const {
  if (!v.is_number_integer()) {
    if (m_wording == JsonWording::layers) return fail(key + " is a whole number");
    return fail(key + " must be a whole number, not " + json_type_name(v) +
                (v.is_number() ? " with a fraction (" + v.dump() + ")" : ""));
  }
  if (!fits(v, range)) return range_error(v, key, range);
  return static_cast<int>(v.get<int64_t>());
}

Result<std::pair<int, int>> JsonReader::pair(const Json& v, const std::string& key,
                                             IntRange range) const {
  if (m_wording == JsonWording::layers) {
    const bool one = v.is_number_integer();
    if (!one &&
        !(v.is_array() && v.size() == 2 && v[0].is_number_integer() && v[1].is_number_integer())) {
      return make_error(
          m_where + " " + key + " must be a whole number or a pair [h, w], not " + json_preview(v),
          m_field);
    }
  }
  if (v.is_array()) {
    if (v.size() != 2) {
      return fail(key + " has " + std::to_string(v.size()) +
                  " numbers; give one number or a [height, width] pair");
    }
    auto h = whole(v[0], key + "[0]", range);
    if (!h) return h.error();
    auto w = whole(v[1], key + "[1]", range);
    if (!w) return w.error();
    return std::pair<int, int>{*h, *w};
  }
  if (!v.is_number_integer()) {
    return fail(key + " must be a whole number or a [height, width] pair, not " +
                json_type_name(v) + " (" + json_preview(v) + ")");
  }
  auto i = whole(v, key, range);
  if (!i) return i.error();
  return std::pair<int, int>{*i, *i};
}

Result<bool> JsonReader::boolean(const Json& v, const std::string& key) const {
  if (v.is_boolean()) return v.get<bool>();
  if (m_wording == JsonWording::layers) return fail(key + " is true or false");
  return fail(key + " must be true or false, not " + json_type_name(v));
}

Result<std::string> JsonReader::text(const Json& v, const std::string& key) const {
  if (v.is_string()) return v.get<std::string>();
  if (m_wording == JsonWording::layers) return fail(key + " is a string");
  return fail(key + " must be text in quotes, not " + json_type_name(v));
}

Result<int> JsonReader::one_of(const Json& v, const std::string& key,
                               std::initializer_list<const char*> names) const {
  if (v.is_string()) {
    int i = 0;
    for (const char* n : names) {
      if (v.get_ref<const std::string&>() == n) return i;
      ++i;
    }
  }
  if (m_wording == JsonWording::layers)
    return fail("\"" + key + "\" must be " + quoted_list(names));
  auto t = text(v, key);
  if (!t) return t.error();
  return fail(key + " is \"" + cut_text(*t) + "\"; use " + quoted_list(names));
}

Result<double> JsonReader::number(const Json& v, const std::string& key, DType dtype) const {
  if (!v.is_number()) return fail(key + " must be a number, not " + std::string(json_type_name(v)));
  const double x = v.get<double>();
  // NOTE: a double too large for a float becomes +-inf when converted: check the converted value.
  const bool finite = dtype == DType::f32 ? std::isfinite(static_cast<float>(x)) : std::isfinite(x);
  if (finite) return x;
  const char* range = dtype == DType::f32 ? "float32's range (-3.4028235e+38 to 3.4028235e+38)"
                                          : "float64's range (-1.7976931348623157e+308 to "
                                            "1.7976931348623157e+308)";
  return fail(key + " is " + v.dump() + ", beyond " + range +
              (m_wording == JsonWording::scene && dtype == DType::f32
                   ? "; use a smaller number or \"dtype\": \"float64\""
                   : ""));
}

}  // namespace cs
