// JSON from files a user hands us (scenes, `render --layers` lists), read once: a parse that never
// builds a value nested deeper than a bound, and typed getters that check the type, convert, and
// check the range after converting, each refusing with one sentence that names the key.
// Depends on nlohmann-json, core/result.hpp and core/tensor.hpp (for DType) only.
#pragma once

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "result.hpp"
#include "tensor.hpp"

namespace cs {

using Json = nlohmann::json;

struct JsonLimits {
  // Lists and objects inside one another. A scene nests 6 deep, a layers file 4; the bound keeps
  // every walk over a value (the reader's, a preview's, nlohmann's own) far from the stack's end.
  int max_depth = 64;
  // Values of any kind (numbers, text, lists, objects...) in the whole document: a file of
  // millions of numbers is refused as it is read, before it holds gigabytes of parsed values.
  int64_t max_values = std::numeric_limits<int64_t>::max();
};

// A parsed document, or why the text is not one.
struct JsonDocument {
  enum class Failure { none, syntax, number_too_large, too_deep, too_many_values, other };
  Failure failure = Failure::none;
  // syntax: "line 2, column 7: syntax error while parsing value - ..."; number_too_large:
  // "number overflow parsing '1e999'"; other: nlohmann's own text; too_deep, too_many_values: "".
  std::string failure_detail;
  Json root;                  // null when parsing failed
  std::string duplicate_key;  // the first key found twice in one object ("" if none)
};

// Parses `text` (a UTF-8 byte order mark is skipped). A list or object nested deeper than
// limits.max_depth stops the parse at its bracket, before anything deeper is built; likewise the
// value past limits.max_values (too_many_values). Never throws.
JsonDocument parse_json(const std::string& text, const JsonLimits& limits = {});

// What a value is, in words: "a number", "text", "a list", "an object", "true/false", "null".
const char* json_type_name(const Json& v);

// The value as compact JSON (what nlohmann's dump() prints), cut after `max_chars` characters
// with "..." so that a message never carries a whole tensor. Walks no further than it prints.
std::string json_preview(const Json& v, std::size_t max_chars = 40);

// `text` cut after `max_chars` characters (UTF-8 aware) with "...": names and keys in messages.
std::string cut_text(const std::string& text, std::size_t max_chars = 40);

// The first key of object `v` that is not in `allowed`, or nullptr.
const std::string* first_unknown_key(const Json& v, const std::vector<const char*>& allowed);

// Whole numbers a getter accepts, both ends included.
struct IntRange {
  int64_t min = 0;
  int64_t max = std::numeric_limits<int>::max();
};

// How the getters word a refusal. `scene`: "lesson.json: conv.stride must be a whole number or a
// [height, width] pair, not text ("2")". `layers`: the shorter sentences `convscope render
// --layers` has always printed ("layers.json layer 2 stride must be a whole number or a pair
// [h, w], not "2""), kept word for word (tests/golden). With `layers` a whole number below the
// range's minimum passes (the engine refuses it, naming the layer, as it always has); only one
// that does not fit in an int is refused here.
enum class JsonWording { scene, layers };

// Typed getters over one document. `where` starts every sentence ("lesson.json",
// "layers.json layer 2"); `field` goes into every Error (for a UI to point at).
class JsonReader {
 public:
  JsonReader(std::string where, JsonWording wording, std::string field)
      : m_where(std::move(where)), m_wording(wording), m_field(std::move(field)) {}

  // "<where>: <sentence>", with this reader's field.
  Error fail(const std::string& sentence) const;

  // An object whose keys are all in `allowed`; `key` "" is the whole file. Worded as in scenes
  // (a layers file words its own, with first_unknown_key).
  Status object_with(const Json& v, const std::string& key,
                     const std::vector<const char*>& allowed) const;
  Result<int> whole(const Json& v, const std::string& key, IntRange range) const;
  // One whole number for both axes, or a [height, width] pair of them.
  Result<std::pair<int, int>> pair(const Json& v, const std::string& key, IntRange range) const;
  Result<bool> boolean(const Json& v, const std::string& key) const;
  Result<std::string> text(const Json& v, const std::string& key) const;
  // Text that is one of `names`: its index.
  Result<int> one_of(const Json& v, const std::string& key,
                     std::initializer_list<const char*> names) const;
  // A number that stays finite once converted to `dtype` (1e300 fits a float64, not a float32).
  // The caller words a value that is not a number (it depends on where the number sits).
  Result<double> number(const Json& v, const std::string& key, DType dtype) const;

 private:
  bool fits(const Json& v, IntRange range) const;
  Error range_error(const Json& v, const std::string& key, IntRange range) const;

  std::string m_where;
  JsonWording m_wording;
  std::string m_field;
};

}  // namespace cs
