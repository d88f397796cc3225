// Stepper: the cursor over a trace (see stepper.hpp). Pure integer arithmetic on the trace's
// shape; depends on no trace header.
#include "core/stepper.hpp"

#include <algorithm>
#include <cmath>

#include "core/geometry.hpp"

namespace cs {

const char* step_unit_name(StepUnit unit) {
  switch (unit) {
    case StepUnit::multiply:
      return "multiply";
    case StepUnit::window:
      return "window";
    case StepUnit::row:
      return "output row";
    case StepUnit::channel:
      return "output channel";
  }
  return "?";
}

// [N, C_out, OH, OW] window index => coordinates.
int64_t Stepper::ox() const {
  return m_geo.out_w > 0 ? m_window % m_geo.out_w : 0;
}
int64_t Stepper::oy() const {
  if (m_geo.out_w <= 0 || m_geo.out_h <= 0) return 0;
  return (m_window / m_geo.out_w) % m_geo.out_h;
}
int64_t Stepper::oc() const {
  const int64_t plane = m_geo.out_h * m_geo.out_w;
  if (plane <= 0 || m_geo.c_out <= 0) return 0;
  return (m_window / plane) % m_geo.c_out;
}
int64_t Stepper::n() const {
  const int64_t image = m_geo.c_out * m_geo.out_h * m_geo.out_w;
  return image > 0 ? m_window / image : 0;
}

void Stepper::set_geometry(const StepperGeometry& geometry) {
  if (geometry == m_geo) return;
  const int64_t old_n = n(), old_oc = oc(), old_oy = oy(), old_ox = ox(), old_tap = m_tap;
  m_geo = geometry;
  if (empty()) {
    m_window = 0;
    m_tap = 0;
    m_playing = false;
    return;
  }
  // Keep (n, oc, oy, ox) where it exists, clamping each coordinate to the new shape.
  const int64_t batch = std::clamp<int64_t>(old_n, 0, m_geo.n - 1);
  const int64_t oc = std::clamp<int64_t>(old_oc, 0, m_geo.c_out - 1);
  const int64_t oy = std::clamp<int64_t>(old_oy, 0, m_geo.out_h - 1);
  const int64_t ox = std::clamp<int64_t>(old_ox, 0, m_geo.out_w - 1);
  m_window = nchw_index(batch, oc, oy, ox, m_geo.c_out, m_geo.out_h, m_geo.out_w);
  m_tap = std::clamp<int64_t>(old_tap, 0, m_geo.taps_per_window);
}

void Stepper::seek(int64_t g) {
  if (empty()) return;
  g = std::clamp<int64_t>(g, 0, total() - 1);
  m_window = g / m_geo.steps_per_window();
  m_tap = g % m_geo.steps_per_window();
}

void Stepper::seek_window(int64_t window, int64_t tap) {
  if (empty()) return;
  m_window = std::clamp<int64_t>(window, 0, m_geo.windows() - 1);
  m_tap = std::clamp<int64_t>(tap, 0, m_geo.taps_per_window);
}

int64_t Stepper::block_windows(StepUnit unit) const {
  switch (unit) {
    case StepUnit::multiply:
    case StepUnit::window:
      return 1;
    case StepUnit::row:
      return std::max<int64_t>(1, m_geo.out_w);
    case StepUnit::channel:
      return std::max<int64_t>(1, m_geo.out_h * m_geo.out_w);
  }
  return 1;
}

bool Stepper::step(StepUnit unit, int dir) {
  if (empty() || dir == 0) return false;
  const int64_t before = global();
  if (unit == StepUnit::multiply) {
    seek(before + (dir > 0 ? 1 : -1));
    return global() != before;
  }
  // Stops of a coarse unit: the result step of the last window of each block of `bw` windows.
  const int64_t bw = block_windows(unit);
  const int64_t spw = m_geo.steps_per_window();
  const int64_t blocks = (m_geo.windows() + bw - 1) / bw;
  auto stop_of = [&](int64_t b) {
    const int64_t last_window = std::min(m_geo.windows() - 1, (b + 1) * bw - 1);
    return last_window * spw + m_geo.taps_per_window;
  };
  const int64_t b = m_window / bw;
  if (dir > 0) {
    const int64_t here = stop_of(b);
    seek(before < here ? here : stop_of(std::min(b + 1, blocks - 1)));
  } else {
    // The largest stop strictly before the current step: block b-1's, or home when b == 0.
    seek(b > 0 ? stop_of(b - 1) : 0);
  }
  return global() != before;
}

void Stepper::play() {
  if (empty()) return;
  if (at_end()) home();
  m_playing = true;
  m_accum = 0.0;
}

void Stepper::toggle_play() {
  if (m_playing) {
    pause();
  } else {
    play();
  }
}

void Stepper::set_speed(double steps_per_second) {
  // NOTE: NaN fails both comparisons, so it ends at the lower bound.
  if (!(steps_per_second >= 0.05)) steps_per_second = 0.05;
  if (steps_per_second > 100000.0) steps_per_second = 100000.0;
  m_speed = steps_per_second;
}

int64_t Stepper::advance(double dt_seconds) {
  if (!m_playing) return 0;
  if (empty() || at_end()) {
    m_playing = false;
    return 0;
  }
  if (!(dt_seconds > 0.0)) return 0;
  // A long stall (a dragged window, a breakpoint) must not jump across the whole lesson.
  dt_seconds = std::min(dt_seconds, 0.25);
  m_accum += dt_seconds * m_speed;
  const double whole = std::floor(m_accum);
  m_accum -= whole;
  int64_t taken = 0;
  for (int64_t i = 0; i < static_cast<int64_t>(whole); ++i) {
    if (!step(m_play_unit, +1)) break;
    ++taken;
    if (at_end()) break;
  }
  if (at_end()) {
    m_playing = false;
    m_accum = 0.0;
  }
  return taken;
}

}  // namespace cs
