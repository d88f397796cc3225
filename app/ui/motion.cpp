// Canvas motion (see motion.hpp).
#include "app/ui/motion.hpp"

#include <algorithm>

namespace cs::ui {

double motion_seconds(bool reduce_motion, bool playing, double steps_per_second) {
  if (reduce_motion) return 0.0;
  constexpr double normal = 0.22;  // a step taken by hand
  if (!playing || steps_per_second <= 0) return normal;
  const double glide = std::min(normal, 0.6 / steps_per_second);
  // Below two frames at 60 Hz the motion would only flicker: update at once.
  return glide < 0.034 ? 0.0 : glide;
}

float ease_out(float t) {
  t = std::clamp(t, 0.0f, 1.0f);
  const float u = 1.0f - t;
  return 1.0f - u * u * u;
}

void Glide::to(float y, float x, double now, double duration) {
  if (m_set && y == m_to_y && x == m_to_x) return;
  if (!m_set || duration <= 0) {
    m_from_y = m_to_y = y;
    m_from_x = m_to_x = x;
    m_t0 = now;
    m_duration = 0;
    m_set = true;
    return;
  }
  at(now, m_from_y, m_from_x);
  m_to_y = y;
  m_to_x = x;
  m_t0 = now;
  m_duration = duration;
}

void Glide::at(double now, float& y, float& x) const {
  if (!m_set || m_duration <= 0 || now >= m_t0 + m_duration) {
    y = m_to_y;
    x = m_to_x;
    return;
  }
  const float e = ease_out(static_cast<float>((now - m_t0) / m_duration));
  y = m_from_y + (m_to_y - m_from_y) * e;
  x = m_from_x + (m_to_x - m_from_x) * e;
}

float Pulse::progress(double now) const {
  if (duration <= 0 || now >= t0 + duration) return 1.0f;
  if (now <= t0) return 0.0f;
  return static_cast<float>((now - t0) / duration);
}

}  // namespace cs::ui
