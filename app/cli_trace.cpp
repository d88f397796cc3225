// `convscope trace`: every window of a conv (or, with --op, a pooling) as JSON, streamed to a
// temporary file beside --out and renamed over it only when complete. Numbers are written in
// the shortest form that reads back to the same float32/float64.
// Depends on core/ only (no GL, no ImGui).
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <nlohmann/json.hpp>
#include <string>

#include "app/cli_common.hpp"
#include "core/conv2d.hpp"
#include "core/pool2d.hpp"

namespace cs::cli {
namespace {

constexpr int64_t kDefaultMaxWindows = 5'000'000;

// A text file written through a buffer into a temporary beside the target, renamed over the
// target by commit(). Dropped without commit (an error on the way), the temporary is removed
// and the target is untouched.
class AtomicTextFile {
 public:
  AtomicTextFile() = default;
  AtomicTextFile(const AtomicTextFile&) = delete;
  AtomicTextFile& operator=(const AtomicTextFile&) = delete;
  ~AtomicTextFile() {
    if (m_fd >= 0) {
      ::close(m_fd);
      ::unlink(m_tmp.c_str());
    }
  }

  Status open(const std::string& path) {
    m_path = path;
    m_tmp = path + ".tmp-XXXXXX";
    m_fd = ::mkstemp(m_tmp.data());
    if (m_fd < 0) {
      return make_error("cannot create '" + path + "': " + std::strerror(errno) +
                            "; check that its folder exists and is writable",
                        "--out");
    }
    // mkstemp makes 0600; a trace is an ordinary file, so give it what open() would.
    const mode_t mask = ::umask(0);
    ::umask(mask);
    (void)::fchmod(m_fd, 0666 & ~mask);
    m_buf.reserve(kFlushAt + 4096);
    return ok();
  }

  std::string& buffer() { return m_buf; }
  Status maybe_flush() { return m_buf.size() >= kFlushAt ? flush() : ok(); }

  Status commit() {
    if (auto s = flush(); !s) return s;
    if (::fsync(m_fd) != 0 || ::close(m_fd) != 0) {
      m_fd = -1;
      ::unlink(m_tmp.c_str());
      return make_error("cannot finish writing " + m_path + " (" + std::strerror(errno) + ")",
                        "--out");
    }
    m_fd = -1;
    if (::rename(m_tmp.c_str(), m_path.c_str()) != 0) {
      const int e = errno;
      ::unlink(m_tmp.c_str());
      return make_error("cannot write " + m_path + " (" + std::strerror(e) + ")", "--out");
    }
    return ok();
  }

 private:
  static constexpr std::size_t kFlushAt = 1 << 20;

  Status flush() {
    const char* p = m_buf.data();
    std::size_t left = m_buf.size();
    while (left > 0) {
      const ssize_t n = ::write(m_fd, p, left);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        return make_error(
            "cannot write " + m_path + " (" + std::strerror(errno) + "); is the disk full?",
            "--out");
      }
      p += n;
      left -= static_cast<std::size_t>(n);
    }
    m_buf.clear();
    return ok();
  }

  std::string m_path, m_tmp, m_buf;
  int m_fd = -1;
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

// conv: one object per output element, NCHW order.
Status write_conv_trace(AtomicTextFile& f, const ConvTrace& trace, bool flipped) {
  const ConvGeometry& g = trace.geometry();
  const Conv2dParams& p = trace.params();
  const DType dt = trace.dtype();
  std::string& s = f.buffer();
  s += "{\"output_shape\": " + shape_list(trace.output().shape());
  s += ",\n \"op\": \"conv2d\"";
  s += ",\n \"input_shape\": " + shape_list(trace.input().shape());
  s += ",\n \"weight_shape\": " + shape_list(trace.weight().shape());
  s += ",\n \"bias_shape\": " +
       (trace.bias() ? shape_list(trace.bias()->shape()) : std::string("null"));
  s += ",\n \"dtype\": " + json_string(dtype_name(dt));
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
  s += ",\n \"formula\": " + formula_json(conv2d_formula(g));
  s += ",\n \"window_count\": " + std::to_string(trace.window_count());
  s += ",\n \"windows\": [";
  const int64_t count = trace.window_count();
  for (int64_t i = 0; i < count; ++i) {
    const Window w = trace.window(i);
    open_window(s, i == 0, {w.n, w.o, w.y, w.x}, "o", w.origin_y, w.origin_x);
    if (g.groups > 1) {
      s += ", \"group\": ";
      put_int(s, w.group);
    }
    s += ", \"partials\": [";
    for (std::size_t c = 0; c < w.partials.size(); ++c) {
      if (c) s += ", ";
      s += json_number(w.partials[c], dt);
    }
    s += "], \"bias\": " + json_number(w.bias, dt) + ", \"value\": " + json_number(w.value, dt) +
         "}";
    if (auto st = f.maybe_flush(); !st) return st;
  }
  s += "\n ]}\n";
  return ok();
}

// pool: one object per output element, NCHW order; "taps" lists the window's cells row-major,
// null where the window lies in the padding.
Status write_pool_trace(AtomicTextFile& f, const PoolTrace& trace) {
  const PoolGeometry& g = trace.geometry();
  const Pool2dParams& p = trace.params();
  const DType dt = trace.output().dtype();
  const bool is_max = p.op == PoolOp::max;
  std::string& s = f.buffer();
  s += "{\"output_shape\": " + shape_list(trace.output().shape());
  s += ",\n \"op\": " + json_string(std::string(pool_op_name(p.op)) + "_pool2d");
  s += ",\n \"input_shape\": " + shape_list(trace.input().shape());
  s += ",\n \"dtype\": " + json_string(dtype_name(dt));
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
  s += ",\n \"formula\": " + formula_json(pool2d_formula(g));
  s += ",\n \"window_count\": " + std::to_string(trace.window_count());
  s += ",\n \"windows\": [";
  const int64_t count = trace.window_count();
  for (int64_t i = 0; i < count; ++i) {
    const PoolWindow w = trace.window(i);
    open_window(s, i == 0, {w.n, w.c, w.y, w.x}, "c", w.origin_y, w.origin_x);
    s += ", \"taps\": [";
    for (std::size_t t = 0; t < w.taps.size(); ++t) {
      if (t) s += ", ";
      s += w.taps[t].in_padding ? "null" : json_number(w.taps[t].x, dt);
    }
    s += "]";
    if (is_max) {
      s += ", \"argmax\": [";
      put_int(s, w.argmax_y);
      s += ", ";
      put_int(s, w.argmax_x);
      s += "]";
    } else {
      s += ", \"sum\": " + json_number(w.sum, dt) + ", \"divisor\": ";
      put_int(s, w.divisor);
    }
    s += ", \"value\": " + json_number(w.value, dt) + "}";
    if (auto st = f.maybe_flush(); !st) return st;
  }
  s += "\n ]}\n";
  return ok();
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
  const bool pool = args->has("--op") || args->has("--kernel");

  if (pool) {
    for (const char* o : {"--weight", "--bias", "--groups", "--padding-mode", "--flip"}) {
      if (args->has(o)) {
        return fail(cmd, std::string(o) + " is a conv option; a pooling (--op/--kernel) has none");
      }
    }
    if (auto s = require(*args, spec, {"--input", "--out", "--op", "--kernel"}); !s) {
      return fail(cmd, s.error());
    }
    auto params = pool_params_from(*args);
    if (!params) return fail(cmd, params.error());
    auto input = load_npy("--input", *args->get("--input"));
    if (!input) return fail(cmd, input.error());
    auto in4 = expand_input(std::move(*input), params->layout, "input");
    if (!in4) return fail(cmd, in4.error());
    auto geo = pool2d_geometry_for(in4->shape(), *params);
    if (!geo) return fail(cmd, geo.error());
    if (auto s =
            check_size(geo->outputs(), int64_t{geo->k_h} * geo->k_w + 2, in4->dtype(), max_windows);
        !s) {
      return fail(cmd, s.error());
    }
    auto trace = pool2d_trace(*in4, *params);
    if (!trace) return fail(cmd, trace.error());
    AtomicTextFile f;
    if (auto s = f.open(*out_path); !s) return fail(cmd, s.error());
    if (auto s = write_pool_trace(f, *trace); !s) return fail(cmd, s.error());
    if (auto s = f.commit(); !s) return fail(cmd, s.error());
    if (!args->has("--quiet")) {
      std::printf("convscope trace: wrote %s: %lld windows\n", out_path->c_str(),
                  static_cast<long long>(trace->window_count()));
    }
    return kExitOk;
  }

  for (const char* o : {"--ceil-mode", "--exclude-pad"}) {
    if (args->has(o)) {
      return fail(cmd, std::string(o) + " is a pooling option; add --op max|avg and --kernel K");
    }
  }
  if (auto s = require(*args, spec, {"--input", "--weight", "--out"}); !s) {
    return fail(cmd, s.error());
  }
  if (auto p = conv_params_from(*args); !p) return fail(cmd, p.error());
  auto ops = load_conv_operands(*args);
  if (!ops) return fail(cmd, ops.error());
  const int64_t bias_len = ops->bias ? ops->bias->dim(0) : -1;
  auto geo = conv2d_geometry_for(ops->input.shape(), ops->weight.shape(), bias_len, ops->params);
  if (!geo) return fail(cmd, geo.error());
  if (auto s = check_size(geo->outputs(), geo->c_in_per_group + 2, ops->input.dtype(), max_windows);
      !s) {
    return fail(cmd, s.error());
  }
  auto trace = conv2d_trace(ops->input, ops->weight, ops->bias_ptr(), ops->params);
  if (!trace) return fail(cmd, trace.error());
  AtomicTextFile f;
  if (auto s = f.open(*out_path); !s) return fail(cmd, s.error());
  if (auto s = write_conv_trace(f, *trace, ops->flipped); !s) return fail(cmd, s.error());
  if (auto s = f.commit(); !s) return fail(cmd, s.error());
  if (!args->has("--quiet")) {
    std::printf("convscope trace: wrote %s: %lld windows\n", out_path->c_str(),
                static_cast<long long>(trace->window_count()));
  }
  return kExitOk;
}

}  // namespace cs::cli
