// The small pieces every error sentence and explanation in core/ is written with: a number, an
// H×W pair, a counted noun, and the typographic signs (×, −, ·, ⌈⌉, ⌊⌋) as UTF-8.
// Internal to core/ (no GL, GLFW or ImGui).
#pragma once

#include <cstdint>
#include <string>

namespace cs::sentence {

inline constexpr const char* kTimes = "\xC3\x97";        // ×
inline constexpr const char* kMinus = " \xE2\x88\x92 ";  // −, spaced as an operator
inline constexpr const char* kDot = "\xC2\xB7";          // ·
inline constexpr const char* kCeilL = "\xE2\x8C\x88";    // ⌈
inline constexpr const char* kCeilR = "\xE2\x8C\x89";    // ⌉
inline constexpr const char* kFloorL = "\xE2\x8C\x8A";   // ⌊
inline constexpr const char* kFloorR = "\xE2\x8C\x8B";   // ⌋

inline std::string s(int64_t v) {
  return std::to_string(v);
}

// "3×5": height × width.
inline std::string hw(int64_t h, int64_t w) {
  return s(h) + kTimes + s(w);
}

// "1 row", "2 rows".
inline std::string plural(int64_t count, const char* word) {
  return s(count) + " " + word + (count == 1 ? "" : "s");
}

}  // namespace cs::sentence
