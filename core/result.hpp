// Result<T>: a value or an Error with a sentence a student understands.
// Uses std::expected's names (has_value, value, error) so a later move to C++23 is an alias.
// Depends on nothing but the standard library.
#pragma once

#include <cassert>
#include <string>
#include <utility>
#include <variant>

namespace cs {

// An error carries one sentence for a person and, where it applies, the name of the
// parameter that caused it ("stride", "padding", ...) so a UI can show it next to that control.
struct Error {
  std::string message;
  std::string field;
};

inline Error make_error(std::string message, std::string field = {}) {
  return Error{std::move(message), std::move(field)};
}

template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : m_v(std::in_place_index<0>, std::move(value)) {}  // NOLINT: implicit by design
  Result(Error error) : m_v(std::in_place_index<1>, std::move(error)) {}  // NOLINT

  bool has_value() const { return m_v.index() == 0; }
  explicit operator bool() const { return has_value(); }

  T& value() & {
    assert(has_value());
    return std::get<0>(m_v);
  }
  const T& value() const& {
    assert(has_value());
    return std::get<0>(m_v);
  }
  T&& value() && {
    assert(has_value());
    return std::get<0>(std::move(m_v));
  }
  const Error& error() const {
    assert(!has_value());
    return std::get<1>(m_v);
  }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

 private:
  std::variant<T, Error> m_v;
};

// Result of an operation with no value.
struct Ok {};
using Status = Result<Ok>;
inline Status ok() {
  return Ok{};
}

}  // namespace cs
