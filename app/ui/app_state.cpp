// AppState: lesson loading, the recompute-on-dirty step of the frame and the status JSON.
// Runs the engine (core/) only; no ImGui, GLFW or GL here.
#include "app/ui/app_state.hpp"

#include <algorithm>
#include <exception>
#include <new>
#include <random>
#include <utility>

#include <nlohmann/json.hpp>

#include "core/conv_transpose_trace.hpp"
#include "core/limits.hpp"

namespace cs {

// Defined by the ui-edit views (app/ui/ui_edit.*); AppState only holds the pointer. An incomplete
// type is fine for std::shared_ptr's destructor because the deleter is captured at creation.
AppState::AppState() = default;
AppState::~AppState() = default;

void AppState::notify(std::string text, double seconds) {
  notice = std::move(text);
  notice_until = time + seconds;
  mark_dirty(Dirty::status);  // the notice is part of the status JSON
}

const Error* AppState::error_for(const std::string& field) const {
  if (!error || error->field != field) return nullptr;
  return &*error;
}

Tensor AppState::effective_weight() const {
  if (!flip_kernel || weight.ndim() != 4) return weight;
  return cs::flip_kernel(weight, Layout::nchw);
}

namespace {

// A weight for switching a pool lesson to conv: [1, C, 3, 3] with a 1 in each centre (identity
// summed over channels), so the first picture is easy to read.
Tensor default_weight(int64_t channels) {
  Tensor w(DType::f32, {1, channels, 3, 3});
  for (int64_t c = 0; c < channels; ++c)
    w.set(c * 9 + 4, 1.0);
  return w;
}

Status run_conv(AppState& s) {
  if (s.input.ndim() != 4) {
    return make_error("The input needs 4 dimensions [N, C, H, W], but it has " +
                          std::to_string(s.input.ndim()) + ".",
                      "input");
  }
  if (s.weight.ndim() != 4) {
    return make_error("The kernel needs 4 dimensions [C_out, C_in/groups, KH, KW], but it has " +
                          std::to_string(s.weight.ndim()) + ".",
                      "kernel");
  }
  const Tensor w = s.effective_weight();
  const Tensor* bias = s.has_bias ? &s.bias : nullptr;
  // Keras's padding resolved per side first (its refusals are the parameter's error), then
  // validated in PyTorch order (cheap) to bound the trace's size.
  auto resolved = conv_params_as_run(s);
  if (!resolved) return resolved.error();
  const Conv2dParams p = *resolved;
  Conv2dParams p_nchw = p;
  p_nchw.layout = Layout::nchw;
  auto geo = conv2d_geometry(s.input.shape(), w.shape(), s.has_bias ? s.bias.numel() : -1, p_nchw);
  if (!geo) return geo.error();
  // What the canvas can draw, as scenes are checked when they load (core/limits.hpp); the
  // engine then checks its memory and work itself.
  if (auto st = check_lesson_size(*geo); !st) return st;
  auto trace = p.layout == Layout::nhwc
                   ? trace_conv2d(nchw_to_nhwc(s.input), oihw_to_hwio(w), bias, p)
                   : trace_conv2d(s.input, w, bias, p);
  if (!trace) return trace.error();
  s.trace = std::move(trace).value();
  s.stepper.set_geometry(s.trace->stepper_geometry());
  return ok();
}

Status run_pool(AppState& s) {
  if (s.input.ndim() != 4) {
    return make_error("The input needs 4 dimensions [N, C, H, W], but it has " +
                          std::to_string(s.input.ndim()) + ".",
                      "input");
  }
  auto resolved = pool_params_as_run(s);
  if (!resolved) return resolved.error();
  const Pool2dParams p = *resolved;
  Pool2dParams p_nchw = p;
  p_nchw.layout = Layout::nchw;
  auto geo = pool2d_geometry(s.input.shape(), p_nchw);
  if (!geo) return geo.error();
  if (auto st = check_lesson_size(*geo); !st) return st;
  auto trace =
      p.layout == Layout::nhwc ? trace_pool2d(nchw_to_nhwc(s.input), p) : trace_pool2d(s.input, p);
  if (!trace) return trace.error();
  s.trace = std::move(trace).value();
  s.stepper.set_geometry(s.trace->stepper_geometry());
  return ok();
}

// A transposed convolution (op conv_transpose): its gather reading is what the canvas steps
// through. NOTE: the window keeps operands in PyTorch order, so the trace runs in NCHW with the
// weight [C_in, C_out/groups, KH, KW]; the lesson's layout only names the shapes.
Status run_transpose(AppState& s) {
  if (s.input.ndim() != 4 || s.weight.ndim() != 4) {
    return make_error(
        "A transposed convolution needs a 4-dimensional input [N, C_in, H, W] and "
        "weight [C_in, C_out/groups, KH, KW].",
        "input");
  }
  if (auto st = check_lesson_framework(LessonOp::conv_transpose, s.framework); !st) return st;
  ConvTranspose2dParams p = s.transpose;
  p.layout = Layout::nchw;
  const Tensor* bias = s.has_bias ? &s.bias : nullptr;
  auto geo = conv_transpose2d_geometry(s.input.shape(), s.weight.shape(),
                                       s.has_bias ? s.bias.numel() : -1, p);
  if (!geo) return geo.error();
  if (auto st = check_lesson_size(*geo); !st) return st;  // what the canvas can draw
  auto trace = trace_conv_transpose2d(s.input, s.weight, bias, p);
  if (!trace) return trace.error();
  s.trace = std::move(trace).value();
  s.stepper.set_geometry(s.trace->stepper_geometry());
  return ok();
}

Status run_op(AppState& s) {
  switch (s.op) {
    case LessonOp::conv:
      return run_conv(s);
    case LessonOp::pool:
      return run_pool(s);
    case LessonOp::conv_transpose:
      return run_transpose(s);
  }
  return run_conv(s);
}

}  // namespace

Result<Conv2dParams> conv_params_as_run(const AppState& s) {
  Conv2dParams p = s.conv;
  p.layout = Layout::nchw;  // the operands' order
  auto resolved =
      conv2d_params_under(s.framework, s.keras_padding, p, s.input.shape(), s.weight.shape());
  if (!resolved) return resolved.error();
  resolved->layout = s.conv.layout;
  return resolved;
}

Result<Pool2dParams> pool_params_as_run(const AppState& s) {
  Pool2dParams p = s.pool;
  p.layout = Layout::nchw;
  auto resolved = pool2d_params_under(s.framework, s.keras_padding, p, s.input.shape());
  if (!resolved) return resolved.error();
  resolved->layout = s.pool.layout;
  return resolved;
}

void recompute_if_dirty(AppState& s) {
  if (!s.is_dirty(Dirty::trace)) return;
  s.clear_dirty(Dirty::trace);
  s.mark_dirty(Dirty::status);
  Status st = ok();
  // NOTE: no exception may cross a frame; the engine reports errors as values, but a huge
  // allocation can still throw std::bad_alloc.
  try {
    st = run_op(s);
  } catch (const std::bad_alloc&) {
    st = make_error("Not enough memory for this lesson; use a smaller input.", "input");
  } catch (const std::exception& e) {
    st = make_error(std::string("The engine failed: ") + e.what(), "");
  }
  if (st) {
    s.error.reset();
    s.mark_dirty(Dirty::preview_kernel);
  } else {
    s.error = st.error();
  }
}

namespace {

// [A, B, KH, KW] => [new_a, new_b, KH, KW] with the first two axes swapped:
// out[a, b] = w[b % B, a % A] (channels repeat when the new axes are longer).
Tensor swap_channel_axes(const Tensor& w, int64_t new_a, int64_t new_b) {
  Tensor out(w.dtype(), {new_a, new_b, w.dim(2), w.dim(3)});
  const int64_t old_a = w.dim(0), old_b = w.dim(1), taps = w.dim(2) * w.dim(3);
  for (int64_t a = 0; a < new_a; ++a) {
    for (int64_t b = 0; b < new_b; ++b) {
      const int64_t from = ((b % old_a) * old_b + (a % old_b)) * taps;
      const int64_t to = (a * new_b + b) * taps;
      for (int64_t t = 0; t < taps; ++t)
        out.set(to + t, w.get(from + t));
    }
  }
  return out;
}

// Into a transposed convolution: the conv's [C_out, C_in/g, KH, KW] becomes [C_in, C_out, KH,
// KW] (groups 1), its stride, dilation and padding numbers carried over.
void into_transpose(AppState& s) {
  const int64_t c_in = s.input.ndim() == 4 ? s.input.dim(1) : 1;
  const int64_t c_out = s.weight.dim(0);
  s.weight = swap_channel_axes(s.weight, c_in, c_out);
  ConvTranspose2dParams& t = s.transpose;
  t.stride_h = std::max(1, s.conv.stride_h);
  t.stride_w = std::max(1, s.conv.stride_w);
  t.dilation_h = std::max(1, s.conv.dilation_h);
  t.dilation_w = std::max(1, s.conv.dilation_w);
  const bool numbers = s.conv.padding.kind == PaddingSpec::Kind::explicit_;
  t.pad_h = numbers ? s.conv.padding.h : 0;
  t.pad_w = numbers ? s.conv.padding.w : 0;
  t.output_padding_h = t.output_padding_w = 0;
  t.groups = 1;
}

// Back to a convolution: [C_in, C_out/g, KH, KW] becomes [C_out, C_in, KH, KW] (groups 1).
void out_of_transpose(AppState& s) {
  const int64_t c_in = s.weight.dim(0);
  const int64_t c_out = s.weight.dim(1) * std::max(1, s.transpose.groups);
  s.weight = swap_channel_axes(s.weight, c_out, c_in);
  const ConvTranspose2dParams& t = s.transpose;
  s.conv.stride_h = t.stride_h;
  s.conv.stride_w = t.stride_w;
  s.conv.dilation_h = t.dilation_h;
  s.conv.dilation_w = t.dilation_w;
  s.conv.padding = PaddingSpec::pair(t.pad_h, t.pad_w);
  s.conv.groups = 1;
}

}  // namespace

void set_operation(AppState& s, LessonOp op) {
  if (s.op == op) return;
  const bool was_transpose = s.op == LessonOp::conv_transpose;
  const bool is_transpose = op == LessonOp::conv_transpose;
  if (s.weight.ndim() == 4 && was_transpose != is_transpose) {
    if (is_transpose) {
      into_transpose(s);
    } else {
      out_of_transpose(s);
    }
    const int64_t c_out = is_transpose ? s.weight.dim(1) : s.weight.dim(0);
    if (s.bias.numel() != c_out) {
      Tensor bias(s.weight.dtype(), {c_out});
      for (int64_t i = 0; i < c_out && s.bias.numel() > 0; ++i)
        bias.set(i, s.bias.get(i % s.bias.numel()));
      s.bias = std::move(bias);
    }
  }
  s.op = op;
  s.mark_dirty(Dirty::trace);
  s.mark_dirty(Dirty::settings);
}

void load_lesson(AppState& s, const Lesson& lesson) {
  lesson_load_begins(s);
  s.lesson_name = lesson.name;
  s.lesson_title = lesson.title;
  s.lesson_description = lesson.description;
  s.lesson_expected = lesson.expected;
  s.op = lesson.op;
  s.conv = lesson.conv;
  s.pool = lesson.pool;
  s.transpose = lesson.transpose;
  s.flip_kernel = lesson.flip_kernel;
  s.framework = lesson.framework;
  s.keras_padding = lesson.keras_padding;
  // NOTE: the transposed lessons are NCHW (a Keras-layout one would need its kernel permuted).
  const Layout layout = lesson.op == LessonOp::conv   ? lesson.conv.layout
                        : lesson.op == LessonOp::pool ? lesson.pool.layout
                                                      : Layout::nchw;
  // One layout for the window (the Layout radio reads conv's): a Keras pooling lesson is NHWC.
  s.conv.layout = s.pool.layout = layout;
  s.input = layout == Layout::nhwc ? nhwc_to_nchw(lesson.input) : lesson.input;
  if (lesson.weight.ndim() == 4) {
    s.weight = layout == Layout::nhwc ? hwio_to_oihw(lesson.weight) : lesson.weight;
  } else {
    s.weight = default_weight(s.input.ndim() == 4 ? s.input.dim(1) : 1);
  }
  s.has_bias = lesson.bias.has_value();
  if (lesson.bias) {
    s.bias = *lesson.bias;
  } else {
    s.bias = Tensor(s.weight.dtype(), {s.weight.ndim() == 4 ? s.weight.dim(0) : 1});
  }
  s.trace.reset();
  s.stepper = Stepper();
  s.mark_dirty(Dirty::trace);
  s.mark_dirty(Dirty::settings);
  recompute_if_dirty(s);
  s.stepper.home();
  lesson_loaded(s);
}

void load_random_lesson(AppState& s, const RandomSpec& spec) {
  std::mt19937_64 rng(spec.seed);
  std::uniform_int_distribution<int> dist(-spec.range, spec.range);
  const int h = std::max(1, spec.h), w = std::max(1, spec.w);
  const int c_in = std::max(1, spec.c_in), c_out = std::max(1, spec.c_out);
  const int k = std::max(1, spec.k);
  Lesson l;
  l.name = "random";
  l.title = "Random " + std::to_string(h) + "×" + std::to_string(w) + "×" + std::to_string(c_in) +
            " → " + std::to_string(c_out) + " channels, seed " + std::to_string(spec.seed);
  l.description =
      "Integers drawn uniformly from [-" + std::to_string(spec.range) + ", " +
      std::to_string(spec.range) +
      "] with the seed shown, so the same seed gives the same lesson. Every output is the sum "
      "of the window's products over all input channels, plus the bias.";
  l.op = LessonOp::conv;
  l.input = Tensor(DType::f32, {1, c_in, h, w});
  for (int64_t i = 0; i < l.input.numel(); ++i)
    l.input.set(i, dist(rng));
  l.weight = Tensor(DType::f32, {c_out, c_in, k, k});
  for (int64_t i = 0; i < l.weight.numel(); ++i)
    l.weight.set(i, dist(rng));
  Tensor b(DType::f32, {c_out});
  for (int64_t i = 0; i < b.numel(); ++i)
    b.set(i, dist(rng));
  l.bias = b;
  l.conv.padding = PaddingSpec::symmetric(k / 2);
  s.seed = spec.seed;  // before the load: the seed is part of the lesson as loaded (undo.hpp)
  load_lesson(s, l);
  s.random_spec = spec;
}

Status load_lesson(AppState& s, const std::string& name) {
  if (name == "random") {
    load_random_lesson(s, s.random_spec);
    return ok();
  }
  // The built-in lessons and the transposed convolution's (which the window draws as its gather
  // reading; they are not in the PageDown cycle).
  auto lesson = find_any_lesson(name);
  if (!lesson) return lesson.error();
  load_lesson(s, *lesson);
  return ok();
}

std::string status_json(const AppState& s) {
  nlohmann::json j;
  j["lesson"] = s.lesson_name;
  j["op"] = s.op == LessonOp::conv ? "conv" : s.op == LessonOp::pool ? "pool" : "conv_transpose";
  j["trace_op"] = !s.trace || s.trace->is_conv()               ? "conv"
                  : s.trace->op() == TraceOp::conv_transpose2d ? "conv_transpose"
                                                               : "pool";
  j["global"] = s.stepper.global();
  j["total"] = s.stepper.total();
  j["window"] = s.stepper.window();
  j["tap"] = s.stepper.tap();
  j["taps_per_window"] = s.stepper.geometry().taps_per_window;
  j["n"] = s.stepper.n();
  j["o"] = s.stepper.oc();  // (the status keys the UI tests read stay "o", "y", "x")
  j["y"] = s.stepper.oy();
  j["x"] = s.stepper.ox();
  j["playing"] = s.stepper.playing();
  j["speed"] = s.stepper.speed();
  j["step_unit"] = step_unit_name(s.step_unit);
  j["presentation"] = s.presentation;
  j["high_contrast"] = s.high_contrast;
  j["theme"] = s.dark_theme ? "dark" : "light";
  j["palette"] = s.diverging_palette == 1 ? "blue-orange" : "red-blue";
  j["flip_kernel"] = s.flip_kernel;
  j["framework"] = framework_name(s.framework);
  j["keras_padding"] = keras_padding_name(s.keras_padding);
  j["has_bias"] = s.has_bias;
  j["modified"] = s.modified;
  j["undo_steps"] = s.undo.undo_steps();
  j["redo_steps"] = s.undo.redo_steps();
  j["error"] = s.error ? s.error->message : "";
  j["error_field"] = s.error ? s.error->field : "";
  j["notice"] = s.notice;
  j["input_shape"] = s.input.shape();
  j["weight_shape"] = s.weight.shape();
  j["show_preview"] = s.show_preview;
  j["show_help"] = s.show_help;
  const AppState::PreviewCounters& pc = s.preview_counters;
  j["preview"] = {{"frames", pc.frames},
                  {"requests", pc.requests},
                  {"dropped", pc.dropped},
                  {"results", pc.results},
                  {"kernels_shown", pc.kernels_shown},
                  {"frames_while_busy", pc.frames_while_busy},
                  {"seconds", pc.first_time < 0 ? 0.0 : pc.last_time - pc.first_time}};
  const QuizScore score = s.quiz.score();
  const auto& q = s.quiz.question();
  j["quiz"] = {{"active", s.quiz.active()},
               {"question", q ? question_kind_name(q->kind) : ""},
               {"question_step", q ? q->step : -1},
               {"tries", s.quiz.tries()},
               {"hint", s.quiz.hint_due()},
               {"asked", score.asked},
               {"right", score.right},
               {"last_verdict", verdict_name(s.quiz.last_verdict())},
               {"typing", s.quiz_typing}};
  j["text_input"] = s.text_input;
  j["overflow"] = s.overflow;
  j["clipped"] = s.clipped;
  nlohmann::json views = nlohmann::json::object();
  for (const AppState::ViewRect& v : s.views)
    views[v.name] = {v.x, v.y, v.w, v.h};
  j["views"] = views;
  j["hover_output"] =
      s.hover_output.valid()
          ? nlohmann::json::array({s.hover_output.c, s.hover_output.y, s.hover_output.x})
          : nlohmann::json::array();
  j["output_grid"] = {s.probe_out_x, s.probe_out_y, s.probe_out_cell};
  if (s.show_receptive && !s.receptive_status.empty())
    j["receptive"] = nlohmann::json::parse(s.receptive_status, nullptr, false);
  return j.dump();
}

}  // namespace cs
