// Stepper: a cursor over a trace (conv, pooling) that the visualizer moves one multiply, one
// window, one output row or one output channel at a time, forward and back, or plays in real time.
// Knows the trace's shape only (no ImGui, no GL): the app asks it where it is and draws that.
//
// Positions: (window, tap) with window in NCHW order, window = ((n·C_out + oc)·OH + oy)·OW + ox,
// and tap in [0, taps_per_window]. Taps 0 .. taps_per_window-1 are the multiplies (conv) or the
// values compared/summed (pool); the extra last step tap == taps_per_window is "partials + bias =
// value written" (conv) or "max/average written" (pool). The global index that the timeline
// scrubs is window·(taps_per_window + 1) + tap.
#pragma once

#include <cstdint>

namespace cs {

// The part of a trace's shape the stepper needs. For pool, c_out is C and taps_per_window is
// k_h·k_w.
struct StepperGeometry {
  int64_t n = 0, c_out = 0, out_h = 0, out_w = 0;
  int64_t taps_per_window = 0;

  int64_t windows() const { return n * c_out * out_h * out_w; }
  int64_t steps_per_window() const { return taps_per_window + 1; }
  int64_t total_steps() const { return windows() * steps_per_window(); }
  bool operator==(const StepperGeometry&) const = default;
};

// TraceView::stepper_geometry() (core/trace.hpp) gives it for any trace.

// How far one step goes. Coarser units stop only where a whole block is complete: stepping by
// window lands on "value written" steps, by row on the last window of an output row, by channel
// on the last window of an output channel (of one batch item). Backward goes to the previous such
// stop, or to the very first step when there is none.
enum class StepUnit { multiply, window, row, channel };
const char* step_unit_name(StepUnit unit);  // "multiply", "window", "output row", "output channel"

class Stepper {
 public:
  Stepper() = default;
  explicit Stepper(const StepperGeometry& geometry) { set_geometry(geometry); }

  // Adopts a new trace shape, keeping the output coordinate (n, oc, oy, ox) and the tap where they
  // still exist and clamping each to the new range where they do not. Playing continues.
  void set_geometry(const StepperGeometry& geometry);
  const StepperGeometry& geometry() const { return m_geo; }
  bool empty() const { return m_geo.windows() <= 0; }

  int64_t window() const { return m_window; }
  int64_t tap() const { return m_tap; }
  // The current window's output coordinate.
  int64_t n() const;
  int64_t oc() const;  // output channel (the pooled channel for pool)
  int64_t oy() const;
  int64_t ox() const;
  // True on the "value written" step of the window.
  bool at_result() const { return m_tap == m_geo.taps_per_window; }
  // True when output window `w` is already written at the current position (earlier windows, and
  // the current one on its result step).
  bool is_written(int64_t w) const { return w < m_window || (w == m_window && at_result()); }

  int64_t global() const { return m_window * m_geo.steps_per_window() + m_tap; }
  int64_t total() const { return m_geo.total_steps(); }
  bool at_end() const { return empty() || global() == total() - 1; }
  bool at_home() const { return global() == 0; }

  // Moves to global step `g`, clamped to [0, total() - 1].
  void seek(int64_t g);
  // Moves to tap `tap` (clamped) of window `window` (clamped).
  void seek_window(int64_t window, int64_t tap);
  // dir > 0 forward, dir < 0 back; returns whether the position changed.
  bool step(StepUnit unit, int dir);
  void home() { seek(0); }
  void end() { seek(total() - 1); }

  // Real-time play: advance(dt) moves by play_unit() steps at steps_per_second, accumulating the
  // fractional part between calls, and stops (playing() becomes false) at the end.
  void play();  // from the end, starts again at the first step
  void pause() { m_playing = false; }
  void toggle_play();
  bool playing() const { return m_playing; }
  void set_speed(double steps_per_second);
  double speed() const { return m_speed; }
  void set_play_unit(StepUnit unit) { m_play_unit = unit; }
  StepUnit play_unit() const { return m_play_unit; }
  // Returns the number of steps taken.
  int64_t advance(double dt_seconds);

 private:
  int64_t block_windows(StepUnit unit) const;  // windows per block of this unit

  StepperGeometry m_geo;
  int64_t m_window = 0;
  int64_t m_tap = 0;
  bool m_playing = false;
  double m_speed = 4.0;  // steps per second
  double m_accum = 0.0;  // fraction of a step carried to the next advance()
  StepUnit m_play_unit = StepUnit::multiply;
};

}  // namespace cs
