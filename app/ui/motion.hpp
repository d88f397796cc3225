// Motion on the lesson canvas: the window gliding between positions, a product flying into its
// partial sum, an output cell filling in. Time-based (seconds, not frames) and pure (no ImGui),
// so it is right stepping backwards, at any speed, and testable. At speeds where a glide could not
// finish before the next step, motion degrades to instant updates instead of falling behind.
#pragma once

namespace cs::ui {

// How long one step's motion lasts: 0 (instant) with reduce_motion, or when the stepper plays
// too fast for a glide to finish (each glide takes at most 60% of a step's time).
double motion_seconds(bool reduce_motion, bool playing, double steps_per_second);

// Ease-out cubic on [0, 1]: fast start, gentle landing.
float ease_out(float t);

// A 2-D position gliding to its latest target. A new target starts from wherever the glide is
// now, so retargeting mid-way never jumps and never queues.
class Glide {
 public:
  // Sets the target; duration 0 (or the first target) jumps there.
  void to(float y, float x, double now, double duration);
  // Position at time `now`.
  void at(double now, float& y, float& x) const;
  bool moving(double now) const { return m_set && now < m_t0 + m_duration; }
  float target_y() const { return m_to_y; }
  float target_x() const { return m_to_x; }

 private:
  bool m_set = false;
  float m_from_y = 0, m_from_x = 0, m_to_y = 0, m_to_x = 0;
  double m_t0 = 0, m_duration = 0;
};

// A 0 → 1 progress started at a moment (a product's flight, an output cell's fill).
struct Pulse {
  double t0 = -1e9, duration = 0;
  void start(double now, double seconds) {
    t0 = now;
    duration = seconds;
  }
  // 1 when done (or never started).
  float progress(double now) const;
};

}  // namespace cs::ui
