// `convscope trace`: every window of a conv (or, with --op, a pooling) as JSON, streamed to a
// temporary file beside --out and renamed over it only when complete. Numbers are written in
// the shortest form that reads back to the same float32/float64.
// Depends on core/ only (no GL, no ImGui).
#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <nlohmann/json.hpp>
#include <string>

#include "app/cli/cli_common.hpp"
#include "core/file_io.hpp"
#include "core/trace.hpp"

namespace cs::cli {
namespace {

constexpr int64_t kDefaultMaxWindows = 5'000'000;

// The trace's text, buffered and flushed in 1 MB pieces into core's AtomicWriter: the target is
// replaced only when the whole trace is written (see core/file_io.hpp for what --out may be).
class AtomicTextFile {
 public:
  Status open(const std::string& path) {
    m_buf.reserve(kFlushAt + 4096);
    return m_file.open(path);
  }
  std::string& buffer() { return m_buf; }
  Status maybe_flush() { return m_buf.size() >= kFlushAt ? flush() : ok(); }
  Status commit() {
    if (auto s = flush(); !s) return s;
    return m_file.commit();
  }

 private:
  static constexpr std::size_t kFlushAt = 1 << 20;
  Status flush() {
    auto s = m_file.write(m_buf.data(), m_buf.size());
    m_buf.clear();
    return s;
  }

  AtomicWriter m_file;
  std::string m_buf;
};

void put_int(std::string& s, int64_t v) {
  char buf[24];
  auto r = std::to_chars(buf, buf + sizeof buf, v);
  s.append(buf, r.ptr);
}

// Opens one window's object in the "windows" list: {"n": .., "<channel_key>": .., "y": ..,
// "x": .., "origin": [iy, ix] — the caller adds the rest and the closing brace.
void open_window(std::string& s, bool first, const int64_t (&nchw)[4], const char* channel_key,
                 int64_t origin_y, int64_t origin_x) {
  s += first ? "\n  {\"n\": " : ",\n  {\"n\": ";
  put_int(s, nchw[0]);
  s += ", \"";
  s += channel_key;
  s += "\": ";
  put_int(s, nchw[1]);
  s += ", \"y\": ";
  put_int(s, nchw[2]);
  s += ", \"x\": ";
  put_int(s, nchw[3]);
  s += ", \"origin\": [";
  put_int(s, origin_y);
  s += ", ";
  put_int(s, origin_x);
  s += "]";
}

std::string json_string(const std::string& text) {
  return nlohmann::json(text).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string size_words(double bytes) {
  char buf[64];
  if (bytes >= 1e8) {
    std::snprintf(buf, sizeof buf, "%.1f GB", bytes / 1e9);
  } else {
    std::snprintf(buf, sizeof buf, "%.0f MB", bytes / 1e6 < 1 ? 1.0 : bytes / 1e6);
  }
  return buf;
}

// Refuses traces that would not fit comfortably in memory or on disk.
Status check_size(int64_t windows, int64_t numbers_per_window, DType dtype, int64_t max_windows) {
  const double per_number = dtype == DType::f32 ? 12.0 : 20.0;
  const double bytes =
      static_cast<double>(windows) * (70.0 + per_number * static_cast<double>(numbers_per_window));
  if (windows > max_windows) {
    return make_error("the trace would hold " + std::to_string(windows) + " windows (~" +
                      size_words(bytes) +
                      " of JSON); trace a smaller crop, or raise --max-windows (now " +
                      std::to_string(max_windows) + ")");
  }
  const int64_t numbers = windows * numbers_per_window;
  if (numbers > 16 * max_windows) {
    return make_error("the trace would hold " + std::to_string(numbers) + " numbers (" +
                      std::to_string(windows) + " windows of " +
                      std::to_string(numbers_per_window) + ", ~" + size_words(bytes) +
                      " of JSON); trace a smaller crop or fewer channels, or raise --max-windows");
  }
  return ok();
}

std::string formula_json(const std::string& formula) {
  std::string s = "[";
  std::size_t start = 0;
  bool first = true;
  while (start < formula.size()) {
    std::size_t end = formula.find('\n', start);
    if (end == std::string::npos) end = formula.size();
    if (end > start) {
      if (!first) s += ", ";
      s += json_string(formula.substr(start, end - start));
      first = false;
    }
    start = end + 1;
  }
  return s + "]";
}

std::string pair_json(int64_t a, int64_t b) {
  std::string s = "[";  // appended: see the -Wrestrict note in cli_lesson.cpp
  s += std::to_string(a);
  s += ", ";
  s += std::to_string(b);
  s += ']';
  return s;
}

// The header of a conv trace: shapes, dtype, layout, parameters, padding, formula.
void write_conv_header(std::string& s, const ConvTraceView& v, bool flipped) {
  const ConvTrace& trace = v.trace();
  const ConvGeometry& g = trace.geometry();
  const Conv2dParams& p = trace.params();
  s += "{\"output_shape\": " + shape_list(trace.output().shape());
  s += ",\n \"op\": \"conv2d\"";
  s += ",\n \"input_shape\": " + shape_list(trace.input().shape());
  s += ",\n \"weight_shape\": " + shape_list(trace.weight().shape());
  s += ",\n \"bias_shape\": " +
       (trace.bias() ? shape_list(trace.bias()->shape()) : std::string("null"));
  s += ",\n \"dtype\": " + json_string(dtype_name(trace.dtype()));
  s += ",\n \"layout\": " + json_string(layout_name(p.layout));
  s += ",\n \"order\": \"shapes in PyTorch order (input NCHW, weight OIHW, output NCHW) whatever "
       "the layout; windows in NCHW order n, o, y, x; value == sum(partials) + bias\"";
  s += ",\n \"params\": {\"stride\": " + pair_json(p.stride_h, p.stride_w) +
       ", \"padding\": " + json_string(padding_spec_to_string(p.padding)) +
       ", \"dilation\": " + pair_json(p.dilation_h, p.dilation_w) +
       ", \"groups\": " + std::to_string(p.groups) +
       ", \"padding_mode\": " + json_string(padding_mode_name(p.padding_mode)) +
       ", \"flip\": " + (flipped ? "true" : "false") + "}";
  s += ",\n \"padding\": [" + std::to_string(g.pad.top) + ", " + std::to_string(g.pad.bottom) +
       ", " + std::to_string(g.pad.left) + ", " + std::to_string(g.pad.right) + "]";
}

// The header of a pooling trace.
void write_pool_header(std::string& s, const PoolTraceView& v) {
  const PoolTrace& trace = v.trace();
  const PoolGeometry& g = trace.geometry();
  const Pool2dParams& p = trace.params();
  s += "{\"output_shape\": " + shape_list(trace.output().shape());
  s += ",\n \"op\": " + json_string(std::string(pool_op_name(p.op)) + "_pool2d");
  s += ",\n \"input_shape\": " + shape_list(trace.input().shape());
  s += ",\n \"dtype\": " + json_string(dtype_name(v.dtype()));
  s += ",\n \"layout\": " + json_string(layout_name(p.layout));
  s += ",\n \"order\": \"shapes in NCHW order whatever the layout; windows in NCHW order n, c, "
       "y, x; taps row-major, null in the padding\"";
  s += ",\n \"params\": {\"kernel\": " + pair_json(g.k_h, g.k_w) +
       ", \"stride\": " + pair_json(g.stride_h, g.stride_w) +
       ", \"padding\": " + pair_json(g.pad.top, g.pad.left) +
       ", \"dilation\": " + pair_json(g.dilation_h, g.dilation_w) +
       ", \"ceil_mode\": " + (g.ceil_mode ? "true" : "false") +
       ", \"count_include_pad\": " + (g.count_include_pad ? "true" : "false") + "}";
  s += ",\n \"padding\": [" + std::to_string(g.pad.top) + ", " + std::to_string(g.pad.bottom) +
       ", " + std::to_string(g.pad.left) + ", " + std::to_string(g.pad.right) + "]";
}

// What one window adds after its place: conv its partials and bias, pooling its taps (null
// where the window reads no cell) and the arg-max or the sum and divisor.
void write_window_body(std::string& s, const TraceView& v, const TraceWindow& w) {
  const DType dt = v.dtype();
  if (v.is_conv()) {
    if (v.shape().groups > 1) {
      s += ", \"group\": ";
      put_int(s, w.group);
    }
    s += ", \"partials\": [";
    for (std::size_t c = 0; c < w.partials.size(); ++c) {
      if (c) s += ", ";
      s += json_number(w.partials[c], dt);
    }
    s += "], \"bias\": " + json_number(w.bias, dt);
    return;
  }
  s += ", \"taps\": [";
  bool first = true;
  for (const TraceTap& t : v.taps(w.index)) {
    if (!first) s += ", ";
    first = false;
    s += t.source == TapSource::input ? json_number(t.x, dt) : "null";
  }
  s += "]";
  if (v.op() == TraceOp::max_pool2d) {
    s += ", \"argmax\": [";
    put_int(s, w.argmax_y);
    s += ", ";
    put_int(s, w.argmax_x);
    s += "]";
  } else {
    s += ", \"sum\": " + json_number(w.sum, dt) + ", \"divisor\": ";
    put_int(s, w.divisor);
  }
}

// The whole trace: the header, then one object per output element in NCHW order.
Status write_trace(AtomicTextFile& f, const TraceView& v, bool flipped) {
  std::string& s = f.buffer();
  if (v.is_conv()) {
    write_conv_header(s, static_cast<const ConvTraceView&>(v), flipped);
  } else {
    write_pool_header(s, static_cast<const PoolTraceView&>(v));
  }
  s += ",\n \"formula\": " + formula_json(v.formula());
  s += ",\n \"window_count\": " + std::to_string(v.window_count());
  s += ",\n \"windows\": [";
  for (int64_t i = 0; i < v.window_count(); ++i) {
    const TraceWindow w = v.window(i);
    open_window(s, i == 0, {w.n, w.oc, w.oy, w.ox}, v.channel_letter(), w.origin_y, w.origin_x);
    write_window_body(s, v, w);
    s += ", \"value\": " + json_number(w.value, v.dtype()) + "}";
    if (auto st = f.maybe_flush(); !st) return st;
  }
  s += "\n ]}\n";
  return ok();
}

// `trace --op max|avg --kernel K ...`: the pooling's trace, after the size check.
Result<TraceViewPtr> pool_trace_from(const Args& args, int64_t max_windows) {
  for (const char* o : {"--weight", "--bias", "--groups", "--padding-mode", "--flip"}) {
    if (args.has(o)) {
      return make_error(std::string(o) + " is a conv option; a pooling (--op/--kernel) has none");
    }
  }
  if (auto s = require(args, trace_spec(), {"--input", "--out", "--op", "--kernel"}); !s) {
    return s.error();
  }
  auto params = pool_params_from(args);
  if (!params) return params.error();
  auto input = load_npy("--input", *args.get("--input"));
  if (!input) return input.error();
  auto in4 = expand_input(std::move(*input), params->layout, "input");
  if (!in4) return in4.error();
  auto geo = pool2d_geometry_for(in4->shape(), *params);
  if (!geo) return geo.error();
  const int64_t numbers = int64_t{geo->k_h} * geo->k_w + 2;
  if (auto s = check_size(geo->outputs(), numbers, in4->dtype(), max_windows); !s) {
    return s.error();
  }
  return trace_pool2d(*in4, *params);
}

// `trace --input X --weight W ...`: the convolution's trace, after the size check.
Result<TraceViewPtr> conv_trace_from(const Args& args, int64_t max_windows, bool& flipped) {
  for (const char* o : {"--ceil-mode", "--exclude-pad"}) {
    if (args.has(o)) {
      return make_error(std::string(o) + " is a pooling option; add --op max|avg and --kernel K");
    }
  }
  if (auto s = require(args, trace_spec(), {"--input", "--weight", "--out"}); !s) {
    return s.error();
  }
  if (auto p = conv_params_from(args); !p) return p.error();
  auto ops = load_conv_operands(args);
  if (!ops) return ops.error();
  const int64_t bias_len = ops->bias ? ops->bias->dim(0) : -1;
  auto geo = conv2d_geometry_for(ops->input.shape(), ops->weight.shape(), bias_len, ops->params);
  if (!geo) return geo.error();
  if (auto s = check_size(geo->outputs(), geo->c_in_per_group + 2, ops->input.dtype(), max_windows);
      !s) {
    return s.error();
  }
  flipped = ops->flipped;
  return trace_conv2d(ops->input, ops->weight, ops->bias_ptr(), ops->params);
}

}  // namespace

const CommandSpec& trace_spec() {
  static const CommandSpec spec = [] {
    CommandSpec s{
        "trace",
        "--input X.npy --weight W.npy [--bias B.npy] [conv options] --out T.json\n"
        "       convscope trace --input X.npy --op max|avg --kernel K [pool options] --out T.json",
        "Runs the CPU reference loop and writes every window as JSON: {\"output_shape\": [N, C,\n"
        "OH, OW], \"windows\": [{\"n\", \"o\", \"y\", \"x\", \"origin\": [iy, ix], \"partials\": "
        "[one per\n"
        "input channel], \"bias\", \"value\"}, ...]} in NCHW order, plus params, padding and the\n"
        "formula. value == sum(partials) + bias exactly; numbers read back to the same float.\n"
        "With --op, the windows of a pooling: taps, argmax (max) or sum and divisor (avg).",
        {
            {"--input", "X.npy", "input [N, C_in, H, W] (nhwc: [N, H, W, C_in])"},
            {"--weight", "W.npy",
             "conv kernels [C_out, C_in/G, KH, KW] (nhwc: [KH, KW, C_in/G, C_out])"},
            {"--bias", "B.npy", "conv bias [C_out] (default: none)"},
            {"--out", "T.json", "where to write the trace (only when complete)"},
        },
        "  convscope trace --input x.npy --weight w.npy --out t.json\n"
        "  convscope trace --input x.npy --op max --kernel 2 --out t.json\n"};
    for (const OptionSpec& o : conv_geometry_options())
      s.options.push_back(o);
    for (const OptionSpec& o : pool_geometry_options()) {
      const std::string n = o.name;
      if (n == "--op" || n == "--kernel" || n == "--ceil-mode" || n == "--exclude-pad") {
        s.options.push_back(o);
      }
    }
    s.options.push_back({"--max-windows", "N",
                         "refuse traces with more windows (default 5000000, ~0.5-2 GB of JSON)"});
    s.options.push_back({"--quiet", nullptr, "print nothing on success"});
    return s;
  }();
  return spec;
}

int run_trace(int argc, char** argv) {
  const std::string cmd = "trace";
  const CommandSpec& spec = trace_spec();
  if (wants_help(argc, argv, 2)) return print_usage(spec);
  for (int i = 2; i < argc; ++i) {
    const std::string a = argv[i];
    for (const char* o : {"--backend", "--repeat", "--threads"}) {
      if (a == o || a.rfind(std::string(o) + "=", 0) == 0) {
        return fail(cmd, std::string(o) +
                             " does not apply to trace: the trace always runs the CPU reference "
                             "loop once (use `convscope conv` for backends and timing)");
      }
    }
  }
  auto args = parse_args(argc, argv, 2, spec);
  if (!args) return fail(cmd, args.error());
  if (auto s = no_positional(*args, spec); !s) return fail(cmd, s.error());
  int64_t max_windows = kDefaultMaxWindows;
  if (const std::string* v = args->get("--max-windows")) {
    auto n = parse_int64("--max-windows", *v);
    if (!n) return fail(cmd, n.error());
    if (*n < 1) return fail(cmd, "--max-windows " + *v + " must be at least 1");
    max_windows = *n;
  }
  const std::string* out_path = args->get("--out");
  bool flipped = false;
  auto trace = args->has("--op") || args->has("--kernel")
                   ? pool_trace_from(*args, max_windows)
                   : conv_trace_from(*args, max_windows, flipped);
  if (!trace) return fail(cmd, trace.error());
  AtomicTextFile f;
  if (auto s = f.open(*out_path); !s) return fail(cmd, s.error());
  if (auto s = write_trace(f, **trace, flipped); !s) return fail(cmd, s.error());
  if (auto s = f.commit(); !s) return fail(cmd, s.error());
  if (!args->has("--quiet")) {
    std::printf("convscope trace: wrote %s: %lld windows\n", out_path->c_str(),
                static_cast<long long>((*trace)->window_count()));
  }
  return kExitOk;
}

}  // namespace cs::cli
