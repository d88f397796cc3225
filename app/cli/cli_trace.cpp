// `convscope trace`: every window of a conv (or, with --op, a pooling; or, as `trace
// conv-transpose`, a transposed convolution read both ways) as JSON, streamed to a temporary
// file beside --out and renamed over it only when complete. Numbers are written in the shortest
// form that reads back to the same float32/float64.
// Depends on core/ only (no GL, no ImGui).
#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <nlohmann/json.hpp>
#include <string>

#include "app/cli/cli_common.hpp"
#include "core/conv_transpose_trace.hpp"
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

// Opens one object of a list: {"n": .., "<channel_key>": .., "y": .., "x": .. — the caller adds
// the rest and the closing brace.
void open_cell(std::string& s, bool first, const int64_t (&nchw)[4], const char* channel_key) {
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
}

// Opens one window's object in the "windows" list: the output cell, then "origin": [iy, ix].
void open_window(std::string& s, bool first, const int64_t (&nchw)[4], const char* channel_key,
                 int64_t origin_y, int64_t origin_x) {
  open_cell(s, first, nchw, channel_key);
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

// Refuses traces that would not fit comfortably in memory or on disk. `what` names the records
// ("windows", or the "input cells" of a transposed convolution's stamps).
Status check_size(int64_t windows, int64_t numbers_per_window, DType dtype, int64_t max_windows,
                  const std::string& what = "windows") {
  const double per_number = dtype == DType::f32 ? 12.0 : 20.0;
  const double bytes =
      static_cast<double>(windows) * (70.0 + per_number * static_cast<double>(numbers_per_window));
  if (windows > max_windows) {
    return make_error("the trace would hold " + std::to_string(windows) + " " + what + " (~" +
                      size_words(bytes) +
                      " of JSON); trace a smaller crop, or raise --max-windows (now " +
                      std::to_string(max_windows) + ")");
  }
  const int64_t numbers = windows * numbers_per_window;
  if (numbers > 16 * max_windows) {
    return make_error("the trace would hold " + std::to_string(numbers) + " numbers (" +
                      std::to_string(windows) + " " + what + " of " +
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

// What one window adds after its place: conv (and the transposed conv's gather reading) its
// partials and bias, pooling its taps (null where the window reads no cell) and the arg-max or
// the sum and divisor.
void write_window_body(std::string& s, const TraceView& v, const TraceWindow& w) {
  const DType dt = v.dtype();
  if (v.has_weights()) {
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

// The header of a transposed convolution's trace: the layer, then its gather reading.
void write_conv_transpose_header(std::string& s, const ConvTransposeTraceView& v) {
  const ConvTransposeGeometry& g = v.geometry();
  const TraceShape& sh = v.shape();
  s += "{\"output_shape\": " + shape_list(v.output().shape());
  s += ",\n \"op\": \"conv_transpose2d\"";
  s += ",\n \"input_shape\": " + shape_list(v.input().shape());
  s += ",\n \"weight_shape\": " + shape_list(v.layer_weight().shape());
  s += ",\n \"bias_shape\": " + (v.bias() ? shape_list(v.bias()->shape()) : std::string("null"));
  s += ",\n \"dtype\": " + json_string(dtype_name(v.dtype()));
  s += ",\n \"layout\": " + json_string(layout_name(v.layout()));
  s += ",\n \"order\": \"shapes in PyTorch order (input NCHW, weight [C_in, C_out/groups, KH, "
       "KW], output NCHW) whatever the layout. windows: the gather reading, one per output in "
       "NCHW order n, o, y, x, origin in the padded stuffed input, value == sum(partials) + "
       "bias. stamps: the scatter reading, one per input cell in NCHW order n, c, y, x, "
       "to == [[o, y, x, ky, kx, amount], ...] for the output cells its stamp adds to, cropped "
       "== the taps the padding cuts off\"";
  s += ",\n \"params\": {\"stride\": " + pair_json(g.stride_h, g.stride_w) +
       ", \"padding\": " + pair_json(g.pad_h, g.pad_w) +
       ", \"output_padding\": " + pair_json(g.output_padding_h, g.output_padding_w) +
       ", \"dilation\": " + pair_json(g.dilation_h, g.dilation_w) +
       ", \"groups\": " + std::to_string(g.groups) + "}";
  s += ",\n \"gather\": {\"stuffed_shape\": " + pair_json(sh.in_h, sh.in_w) + ", \"padding\": [" +
       std::to_string(sh.pad.top) + ", " + std::to_string(sh.pad.bottom) + ", " +
       std::to_string(sh.pad.left) + ", " + std::to_string(sh.pad.right) +
       "], \"kernel\": \"each kernel rotated 180 degrees, stride 1\"}";
}

// The scatter reading: every input cell's stamp, the taps that land on the output.
Status write_stamps(AtomicTextFile& f, const ConvTransposeTraceView& v) {
  std::string& s = f.buffer();
  const ConvTransposeGeometry& g = v.geometry();
  const DType dt = v.dtype();
  s += ",\n \"stamps\": [";
  bool first = true;
  for (int64_t n = 0; n < g.n; ++n)
    for (int64_t ic = 0; ic < g.c_in; ++ic)
      for (int64_t iy = 0; iy < g.in_h; ++iy)
        for (int64_t ix = 0; ix < g.in_w; ++ix) {
          open_cell(s, first, {n, ic, iy, ix}, "c");
          first = false;
          s += ", \"value\": " + json_number(v.input().get(g.input_index(n, ic, iy, ix)), dt);
          s += ", \"to\": [";
          int64_t cropped = 0, written = 0;
          for (const TraceStamp& st : v.stamps(n, ic, iy, ix)) {
            if (!st.inside) {
              ++cropped;
              continue;
            }
            s += written++ ? ", [" : "[";
            for (int64_t k : {st.oc, st.oy, st.ox, st.ky, st.kx}) {
              put_int(s, k);
              s += ", ";
            }
            s += json_number(st.amount, dt) + "]";
          }
          s += "], \"cropped\": ";
          put_int(s, cropped);
          s += "}";
          if (auto st = f.maybe_flush(); !st) return st;
        }
  s += "\n ]";
  return ok();
}

// The whole trace: the header, then one object per output element in NCHW order (and, for a
// transposed convolution, one per input cell).
Status write_trace(AtomicTextFile& f, const TraceView& v, bool flipped) {
  std::string& s = f.buffer();
  if (v.is_conv()) {
    write_conv_header(s, static_cast<const ConvTraceView&>(v), flipped);
  } else if (v.op() == TraceOp::conv_transpose2d) {
    write_conv_transpose_header(s, static_cast<const ConvTransposeTraceView&>(v));
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
  s += "\n ]";
  if (v.op() == TraceOp::conv_transpose2d) {
    if (auto st = write_stamps(f, static_cast<const ConvTransposeTraceView&>(v)); !st) return st;
  }
  s += "}\n";
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

const CommandSpec& trace_conv_transpose_spec() {
  static const CommandSpec spec = [] {
    CommandSpec s{
        "trace conv-transpose",
        "--input X.npy --weight W.npy [--bias B.npy] [options] --out T.json",
        "Runs torch.nn.ConvTranspose2d on the CPU and writes both readings as JSON. \"windows\":\n"
        "the gather reading, one per output value in NCHW order: a stride-1 convolution of the\n"
        "kernel rotated 180\xC2\xB0 over the input with stride \xE2\x88\x92 1 zeros stuffed "
        "between cells,\n"
        "padded by dilation\xC2\xB7(k \xE2\x88\x92 1) \xE2\x88\x92 padding (\"origin\" in "
        "that grid), with its partials, bias\n"
        "and value. \"stamps\": the scatter reading, one per input cell: the output cells its\n"
        "weight-scaled kernel adds to, [o, y, x, ky, kx, amount], and how many taps the padding\n"
        "crops. Both sum to the same value, bit for bit.",
        {
            {"--input", "X.npy", "input [N, C_in, H, W] (nhwc: [N, H, W, C_in])"},
            {"--weight", "W.npy",
             "kernels [C_in, C_out/G, KH, KW] (nhwc: Keras's [KH, KW, C_out/G, C_in])"},
            {"--bias", "B.npy", "bias [C_out] (default: none)"},
            {"--out", "T.json", "where to write the trace (only when complete)"},
        },
        "  convscope trace conv-transpose --input x.npy --weight w.npy --stride 2 --out t.json\n"};
    for (const OptionSpec& o : conv_transpose_geometry_options())
      s.options.push_back(o);
    s.options.push_back(
        {"--max-windows", "N", "refuse traces with more windows or input cells (default 5000000)"});
    s.options.push_back({"--quiet", nullptr, "print nothing on success"});
    return s;
  }();
  return spec;
}

Result<int64_t> max_windows_from(const Args& args) {
  const std::string* v = args.get("--max-windows");
  if (!v) return kDefaultMaxWindows;
  auto n = parse_int64("--max-windows", *v);
  if (!n) return n.error();
  if (*n < 1) return make_error("--max-windows " + *v + " must be at least 1", "--max-windows");
  return *n;
}

// `trace conv-transpose ...`: the transposed convolution's trace, after the size checks.
Result<TraceViewPtr> conv_transpose_trace_from(const Args& args, int64_t max_windows) {
  const CommandSpec& spec = trace_conv_transpose_spec();
  if (auto s = no_positional(args, spec); !s) return s.error();
  if (auto s = require(args, spec, {"--input", "--weight", "--out"}); !s) return s.error();
  auto params = conv_transpose_params_from(args);
  if (!params) return params.error();
  auto ops = load_conv_transpose_operands(args, params->layout);
  if (!ops) return ops.error();
  const int64_t bias_len = ops->bias ? ops->bias->dim(0) : -1;
  auto geo =
      conv_transpose2d_geometry_for(ops->input.shape(), ops->weight.shape(), bias_len, *params);
  if (!geo) return geo.error();
  const DType dt = ops->input.dtype();
  if (auto s = check_size(geo->outputs(), geo->c_in_per_group + 2, dt, max_windows); !s) {
    return s.error();
  }
  const int64_t cells = geo->n * geo->c_in * geo->in_h * geo->in_w;
  if (auto s = check_size(cells, geo->c_out_per_group * geo->taps_per_channel() * 6 + 1, dt,
                          max_windows, "input cells");
      !s) {
    return s.error();
  }
  return trace_conv_transpose2d(ops->input, ops->weight, ops->bias_ptr(), *params);
}

// Writes the trace to --out (atomically) and says so.
int write_trace_file(const std::string& cmd, const Args& args, const TraceView& v, bool flipped) {
  const std::string* out_path = args.get("--out");
  AtomicTextFile f;
  if (auto s = f.open(*out_path); !s) return fail(cmd, s.error());
  if (auto s = write_trace(f, v, flipped); !s) return fail(cmd, s.error());
  if (auto s = f.commit(); !s) return fail(cmd, s.error());
  if (!args.has("--quiet")) {
    std::printf("convscope %s: wrote %s: %lld windows\n", cmd.c_str(), out_path->c_str(),
                static_cast<long long>(v.window_count()));
  }
  return kExitOk;
}

// Refuses the compute command's options (`convscope <compute>`'s), which the trace does not take.
int refuse_run_options(const std::string& cmd, const char* compute, int argc, char** argv,
                       int first) {
  for (int i = first; i < argc; ++i) {
    const std::string a = argv[i];
    for (const char* o : {"--backend", "--repeat", "--threads"}) {
      if (a == o || a.rfind(std::string(o) + "=", 0) == 0) {
        return fail(cmd, std::string(o) +
                             " does not apply to trace: the trace always runs the CPU reference "
                             "loop once (use `convscope " +
                             compute + "` for backends and timing)");
      }
    }
  }
  return kExitOk;
}

int run_trace_conv_transpose(int argc, char** argv) {
  const std::string cmd = "trace conv-transpose";
  const CommandSpec& spec = trace_conv_transpose_spec();
  if (wants_help(argc, argv, 3)) return print_usage(spec);
  if (refuse_run_options(cmd, "conv-transpose", argc, argv, 3) != kExitOk) return kExitError;
  auto args = parse_args(argc, argv, 3, spec);
  if (!args) return fail(cmd, args.error());
  auto max_windows = max_windows_from(*args);
  if (!max_windows) return fail(cmd, max_windows.error());
  auto trace = conv_transpose_trace_from(*args, *max_windows);
  if (!trace) return fail(cmd, trace.error());
  return write_trace_file(cmd, *args, **trace, false);
}

}  // namespace

const CommandSpec& trace_spec() {
  static const CommandSpec spec = [] {
    CommandSpec s{
        "trace",
        "--input X.npy --weight W.npy [--bias B.npy] [conv options] --out T.json\n"
        "       convscope trace --input X.npy --op max|avg --kernel K [pool options] --out T.json\n"
        "       convscope trace conv-transpose --input X.npy --weight W.npy [options] --out "
        "T.json",
        "Runs the CPU reference loop and writes every window as JSON: {\"output_shape\": [N, C,\n"
        "OH, OW], \"windows\": [{\"n\", \"o\", \"y\", \"x\", \"origin\": [iy, ix], \"partials\": "
        "[one per\n"
        "input channel], \"bias\", \"value\"}, ...]} in NCHW order, plus params, padding and the\n"
        "formula. value == sum(partials) + bias exactly; numbers read back to the same float.\n"
        "With --op, the windows of a pooling: taps, argmax (max) or sum and divisor (avg).\n"
        "`convscope trace conv-transpose --help`: a transposed convolution, gather and scatter.",
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
  if (argc > 2 && std::strcmp(argv[2], "conv-transpose") == 0) {
    return run_trace_conv_transpose(argc, argv);
  }
  const CommandSpec& spec = trace_spec();
  if (wants_help(argc, argv, 2)) return print_usage(spec);
  if (refuse_run_options(cmd, "conv", argc, argv, 2) != kExitOk) return kExitError;
  auto args = parse_args(argc, argv, 2, spec);
  if (!args) return fail(cmd, args.error());
  if (auto s = no_positional(*args, spec); !s) return fail(cmd, s.error());
  auto max_windows = max_windows_from(*args);
  if (!max_windows) return fail(cmd, max_windows.error());
  bool flipped = false;
  auto trace = args->has("--op") || args->has("--kernel")
                   ? pool_trace_from(*args, *max_windows)
                   : conv_trace_from(*args, *max_windows, flipped);
  if (!trace) return fail(cmd, trace.error());
  return write_trace_file(cmd, *args, **trace, flipped);
}

}  // namespace cs::cli
