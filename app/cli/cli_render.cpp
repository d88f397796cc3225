// `convscope render`: a PNG/JPEG photo, a kernel (preset, .npy, or a --layers JSON list of conv
// and pooling layers) and a display mapping => a PNG, on the GPU or the CPU fast path (auto: the
// faster, measured on a crop of the photo). The PNG is written only when everything succeeded.
// Depends on core/ and app/gpu/ (through its public headers); no ImGui.
#include "app/cli/cli_render.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>

#include "app/cli/cli_args.hpp"
#include "app/gpu/compute.hpp"
#include "app/gpu/display_map.hpp"
#include "app/gpu/live_preview.hpp"
#include "core/conv2d.hpp"
#include "core/file_io.hpp"
#include "core/image_io.hpp"
#include "core/npy.hpp"
#include "core/pool2d.hpp"
#include "core/presets.hpp"

namespace cs::cli {

namespace {

const CommandSpec& render_spec() {
  static const CommandSpec spec{
      "render",
      "--image IN.png|IN.jpg (--kernel NAME|K.npy | --layers FILE.json) --out OUT.png [options]",
      "Applies a kernel to every pixel of a photo (values in [0, 1]) and writes the result as a "
      "PNG.",
      {
          {"--image", "IN.png", "the photo: PNG or JPEG"},
          {"--kernel", "NAME|K.npy",
           "a preset (sobel-x, gaussian-5, ... see `convscope render --list`), a KH×KW .npy "
           "(applied to each colour channel) or a C_out×C_in×KH×KW .npy (C_in 1 or 3, C_out 1 or "
           "3)"},
          {"--bias", "B|B.npy", "a number added to every output, or a [C_out] .npy"},
          {"--layers", "FILE.json",
           "a list of conv and pooling layers applied in order (docs/gpu.md)"},
          {"--out", "OUT.png", "where to write the PNG (written only if everything succeeds)"},
          {"--display", "clip|abs|signed|minmax",
           "how values become colours: clip (value·255, the default), abs, signed (blue below 0, "
           "red above), minmax (stretch the map's own range)"},
          {"--stride", "S|SH,SW", "step between windows (default 1)"},
          {"--padding", "P|PH,PW|same|valid",
           "padding (default same: the output has the photo's size)"},
          {"--padding-mode", "zeros|reflect|replicate|circular",
           "what the padding holds (default zeros)"},
          {"--dilation", "D|DH,DW", "spacing between kernel taps (default 1)"},
          {"--backend", "gpu|cpu|auto", "where to compute (default auto: the faster, measured)"},
          {"--list", nullptr, "print the kernel presets and exit"},
          {"--verbose", nullptr, "say which backend ran and how long it took"},
      },
      "convscope render --image photo.png --kernel sobel-x --display signed --out edges.png\n"
      "convscope render --image photo.jpg --kernel gaussian-5 --padding-mode reflect --out "
      "blur.png\n"
      "convscope render --image photo.png --layers layers.json --display minmax --out out.png"};
  return spec;
}

int fail(const std::string& message) {
  std::fprintf(stderr, "convscope render: %s\n", message.c_str());
  return 2;
}

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

std::string dir_of(const std::string& path) {
  const std::size_t slash = path.rfind('/');
  return slash == std::string::npos ? std::string() : path.substr(0, slash + 1);
}

// One step of the pipeline.
struct Layer {
  bool is_pool = false;
  Tensor weight;  // [KH, KW] (depthwise) or OIHW
  std::optional<Tensor> bias;
  Conv2dParams conv;
  Pool2dParams pool;
  std::string name;  // for messages: "layer 2 (sobel-x)"
};

// A preset name or a .npy path (relative to `base` when not absolute).
Result<Tensor> load_kernel(const std::string& spec, const std::string& base) {
  if (ends_with(spec, ".npy")) {
    const std::string path = spec.empty() || spec[0] == '/' ? spec : base + spec;
    Result<Tensor> t = read_npy(path);
    if (!t) return make_error(t.error().message, "kernel");
    if (t->ndim() != 2 && t->ndim() != 4) {
      return make_error(spec + " holds a " + shape_to_string(t->shape()) +
                            " array; a kernel is KH×KW (each colour channel separately) or "
                            "C_out×C_in×KH×KW",
                        "kernel");
    }
    return t->to(DType::f32);
  }
  Result<KernelPreset> preset = find_kernel_preset(spec);
  if (!preset) return make_error(preset.error().message, "kernel");
  return preset_tensor(*preset, DType::f32);
}

Result<Tensor> load_bias(const std::string& spec, const std::string& base) {
  if (ends_with(spec, ".npy")) {
    const std::string path = spec[0] == '/' ? spec : base + spec;
    Result<Tensor> t = read_npy(path);
    if (!t) return make_error(t.error().message, "bias");
    if (t->ndim() != 1) {
      return make_error(spec + " holds a " + shape_to_string(t->shape()) +
                            " array; a bias is 1-D with one value per output channel",
                        "bias");
    }
    return t->to(DType::f32);
  }
  char* end = nullptr;
  const double v = std::strtod(spec.c_str(), &end);
  if (spec.empty() || end == nullptr || *end != '\0') {
    return make_error("--bias takes a number (like 0.5) or a .npy file, not '" + spec + "'",
                      "bias");
  }
  return Tensor::from_values(DType::f32, {1}, {v});
}

// ---- --layers JSON ------------------------------------------------------------------------

Result<std::pair<int, int>> json_pair(const nlohmann::json& v, const std::string& what) {
  if (v.is_number_integer()) return std::pair<int, int>{v.get<int>(), v.get<int>()};
  if (v.is_array() && v.size() == 2 && v[0].is_number_integer() && v[1].is_number_integer()) {
    return std::pair<int, int>{v[0].get<int>(), v[1].get<int>()};
  }
  return make_error(what + " must be a whole number or a pair [h, w], not " + v.dump(), what);
}

Result<std::vector<Layer>> parse_layers(const std::string& path) {
  Result<std::vector<uint8_t>> bytes = read_file(path, 1 << 20);
  if (!bytes) return bytes.error();
  nlohmann::json doc = nlohmann::json::parse(bytes->begin(), bytes->end(), nullptr, false);
  if (doc.is_discarded()) {
    return make_error(path +
                          " is not valid JSON; it must be a list like [{\"kernel\": "
                          "\"gaussian-5\"}, {\"pool\": \"max\", \"kernel\": 2}]",
                      "layers");
  }
  if (!doc.is_array() || doc.empty()) {
    return make_error(path +
                          " must hold a non-empty JSON list of layers, like [{\"kernel\": "
                          "\"sobel-x\"}]",
                      "layers");
  }
  const std::string base = dir_of(path);
  std::vector<Layer> layers;
  for (std::size_t i = 0; i < doc.size(); ++i) {
    const nlohmann::json& j = doc[i];
    const std::string where = path + " layer " + std::to_string(i + 1);
    if (!j.is_object())
      return make_error(where + " must be an object like {\"kernel\": \"sobel-x\"}");
    Layer layer;
    layer.is_pool = j.contains("pool");
    const std::vector<std::string> allowed =
        layer.is_pool
            ? std::vector<std::string>{"pool",     "kernel",    "stride",           "padding",
                                       "dilation", "ceil_mode", "count_include_pad"}
            : std::vector<std::string>{"kernel",       "bias",     "stride", "padding",
                                       "padding_mode", "dilation", "groups"};
    for (auto it = j.begin(); it != j.end(); ++it) {
      if (std::find(allowed.begin(), allowed.end(), it.key()) == allowed.end()) {
        std::string list;
        for (const std::string& a : allowed)
          list += (list.empty() ? "" : ", ") + a;
        return make_error(where + " has an unknown key \"" + it.key() + "\"; a " +
                              (layer.is_pool ? "pooling" : "convolution") + " layer takes " + list,
                          "layers");
      }
    }
    if (!j.contains("kernel")) {
      return make_error(where +
                            " needs a \"kernel\" (a preset name, a .npy file or a list of "
                            "rows for a convolution; a size for pooling)",
                        "layers");
    }
    if (layer.is_pool) {
      const std::string op = j["pool"].is_string() ? j["pool"].get<std::string>() : "";
      if (op != "max" && op != "avg") {
        return make_error(where + ": \"pool\" must be \"max\" or \"avg\"", "layers");
      }
      layer.pool.op = op == "max" ? PoolOp::max : PoolOp::avg;
      auto k = json_pair(j["kernel"], where + " kernel");
      if (!k) return k.error();
      layer.pool.k_h = k->first;
      layer.pool.k_w = k->second;
      if (j.contains("stride")) {
        auto s = json_pair(j["stride"], where + " stride");
        if (!s) return s.error();
        layer.pool.stride_h = s->first;
        layer.pool.stride_w = s->second;
      }
      if (j.contains("padding")) {
        auto p = json_pair(j["padding"], where + " padding");
        if (!p) return p.error();
        layer.pool.pad_h = p->first;
        layer.pool.pad_w = p->second;
      }
      if (j.contains("dilation")) {
        auto d = json_pair(j["dilation"], where + " dilation");
        if (!d) return d.error();
        layer.pool.dilation_h = d->first;
        layer.pool.dilation_w = d->second;
      }
      if (j.contains("ceil_mode")) {
        if (!j["ceil_mode"].is_boolean()) return make_error(where + ": ceil_mode is true or false");
        layer.pool.ceil_mode = j["ceil_mode"].get<bool>();
      }
      if (j.contains("count_include_pad")) {
        if (!j["count_include_pad"].is_boolean()) {
          return make_error(where + ": count_include_pad is true or false");
        }
        layer.pool.count_include_pad = j["count_include_pad"].get<bool>();
      }
      layer.name = "layer " + std::to_string(i + 1) + " (" + op + " pool)";
      layers.push_back(std::move(layer));
      continue;
    }
    const nlohmann::json& k = j["kernel"];
    if (k.is_string()) {
      Result<Tensor> w = load_kernel(k.get<std::string>(), base);
      if (!w) return make_error(where + ": " + w.error().message, "layers");
      layer.weight = std::move(*w);
      layer.name = "layer " + std::to_string(i + 1) + " (" + k.get<std::string>() + ")";
    } else if (k.is_array() && !k.empty() && k[0].is_array()) {
      const std::size_t rows = k.size(), cols = k[0].size();
      std::vector<double> values;
      for (const auto& row : k) {
        if (!row.is_array() || row.size() != cols) {
          return make_error(
              where + ": every row of the kernel needs " + std::to_string(cols) + " numbers",
              "layers");
        }
        for (const auto& v : row) {
          if (!v.is_number())
            return make_error(where + ": the kernel holds a non-number " + v.dump());
          values.push_back(v.get<double>());
        }
      }
      layer.weight = Tensor::from_values(
          DType::f32, {static_cast<int64_t>(rows), static_cast<int64_t>(cols)}, values);
      layer.name = "layer " + std::to_string(i + 1);
    } else {
      return make_error(where +
                            ": \"kernel\" is a preset name, a .npy file or a list of rows "
                            "like [[0, -1, 0], [-1, 5, -1], [0, -1, 0]]",
                        "layers");
    }
    layer.conv.padding = PaddingSpec::same();
    if (j.contains("bias")) {
      const nlohmann::json& b = j["bias"];
      if (b.is_number()) {
        layer.bias = Tensor::from_values(DType::f32, {1}, {b.get<double>()});
      } else if (b.is_string()) {
        Result<Tensor> bt = load_bias(b.get<std::string>(), base);
        if (!bt) return make_error(where + ": " + bt.error().message, "layers");
        layer.bias = std::move(*bt);
      } else {
        return make_error(where + ": \"bias\" is a number or a .npy file", "layers");
      }
    }
    if (j.contains("stride")) {
      auto s = json_pair(j["stride"], where + " stride");
      if (!s) return s.error();
      layer.conv.stride_h = s->first;
      layer.conv.stride_w = s->second;
    }
    if (j.contains("dilation")) {
      auto d = json_pair(j["dilation"], where + " dilation");
      if (!d) return d.error();
      layer.conv.dilation_h = d->first;
      layer.conv.dilation_w = d->second;
    }
    if (j.contains("padding")) {
      const nlohmann::json& p = j["padding"];
      if (p.is_string()) {
        Result<PaddingSpec> ps = parse_padding("padding", p.get<std::string>());
        if (!ps) return make_error(where + ": " + ps.error().message, "layers");
        layer.conv.padding = *ps;
      } else {
        auto pp = json_pair(p, where + " padding");
        if (!pp) return pp.error();
        layer.conv.padding = PaddingSpec::pair(pp->first, pp->second);
      }
    }
    if (j.contains("padding_mode")) {
      Result<PaddingMode> m = j["padding_mode"].is_string()
                                  ? parse_padding_mode(j["padding_mode"].get<std::string>())
                                  : Result<PaddingMode>(make_error("padding_mode is a string"));
      if (!m) return make_error(where + ": " + m.error().message, "layers");
      layer.conv.padding_mode = *m;
    }
    if (j.contains("groups")) {
      if (!j["groups"].is_number_integer()) return make_error(where + ": groups is a whole number");
      layer.conv.groups = j["groups"].get<int>();
    }
    layers.push_back(std::move(layer));
  }
  return layers;
}

// ---- running ------------------------------------------------------------------------------

enum class Where { gpu, cpu };

// The layer's weight and bias for an input of `channels` channels: a 2-D kernel becomes a
// depthwise [C, 1, KH, KW] convolution.
Status resolve_conv(const Layer& layer, int64_t channels, Tensor& weight,
                    std::optional<Tensor>& bias, Conv2dParams& params) {
  params = layer.conv;
  bias.reset();
  if (layer.weight.ndim() == 2) {
    const int64_t kh = layer.weight.dim(0), kw = layer.weight.dim(1);
    weight = Tensor(DType::f32, {channels, 1, kh, kw});
    for (int64_t c = 0; c < channels; ++c) {
      std::copy(layer.weight.data<float>(), layer.weight.data<float>() + kh * kw,
                weight.data<float>() + c * kh * kw);
    }
    params.groups = static_cast<int>(channels);
    if (layer.bias) {
      if (layer.bias->numel() != 1 && layer.bias->numel() != channels) {
        return make_error(
            layer.name + ": a KH×KW kernel takes one bias value or one per channel (" +
                std::to_string(channels) + "), not " + std::to_string(layer.bias->numel()),
            "bias");
      }
      Tensor b(DType::f32, {channels});
      for (int64_t c = 0; c < channels; ++c)
        b.set(c, layer.bias->get(layer.bias->numel() == 1 ? 0 : c));
      bias = b;
    }
    return ok();
  }
  weight = layer.weight;
  if (layer.bias) {
    if (layer.bias->numel() == 1 && layer.weight.dim(0) > 1) {
      Tensor b(DType::f32, {layer.weight.dim(0)});
      for (int64_t c = 0; c < b.numel(); ++c)
        b.set(c, layer.bias->get(0));
      bias = b;
    } else {
      bias = *layer.bias;
    }
  }
  return ok();
}

Result<Tensor> run_layer(const Layer& layer, const Tensor& x, Where where) {
  if (layer.is_pool) {
    return where == Where::gpu ? gpu::pool2d(x, layer.pool) : cs::pool2d(x, layer.pool);
  }
  Tensor weight;
  std::optional<Tensor> bias;
  Conv2dParams params;
  Status st = resolve_conv(layer, x.dim(1), weight, bias, params);
  if (!st) return st.error();
  const Tensor* b = bias ? &*bias : nullptr;
  return where == Where::gpu ? gpu::conv2d(x, weight, b, params) : cs::conv2d(x, weight, b, params);
}

// [1, C, H, W] => the centre crop of at most side×side.
Tensor centre_crop(const Tensor& x, int64_t side) {
  const int64_t c = x.dim(1), h = x.dim(2), w = x.dim(3);
  const int64_t ch = std::min(h, side), cw = std::min(w, side);
  const int64_t y0 = (h - ch) / 2, x0 = (w - cw) / 2;
  Tensor out(DType::f32, {1, c, ch, cw});
  for (int64_t k = 0; k < c; ++k)
    for (int64_t y = 0; y < ch; ++y)
      std::copy(x.data<float>() + (k * h + y0 + y) * w + x0,
                x.data<float>() + (k * h + y0 + y) * w + x0 + cw,
                out.data<float>() + (k * ch + y) * cw);
  return out;
}

double time_ms(const std::function<bool()>& f) {
  const auto t0 = std::chrono::steady_clock::now();
  if (!f()) return 1e30;
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace

int run_render(int argc, char** argv) {
  const CommandSpec& spec = render_spec();
  if (wants_help(argc, argv, 2)) {
    std::fputs(usage_text(spec).c_str(), stdout);
    return 0;
  }
  Result<Args> parsed = parse_args(argc, argv, 2, spec);
  if (!parsed) return fail(parsed.error().message);
  const Args& args = *parsed;
  if (args.has("--list")) {
    for (const KernelPreset& p : kernel_presets()) {
      std::printf("%-14s %dx%d  %s\n", p.name.c_str(), p.k_h, p.k_w, p.description.c_str());
    }
    return 0;
  }
  if (!args.positional().empty()) {
    return fail("unexpected argument '" + args.positional()[0] +
                "'; every input is named, like --image photo.png");
  }
  Status req = require(args, spec, {"--image", "--out"});
  if (!req) return fail(req.error().message);
  const bool has_kernel = args.has("--kernel"), has_layers = args.has("--layers");
  if (has_kernel == has_layers) {
    return fail(has_kernel ? "give either --kernel or --layers, not both"
                           : "give a kernel: --kernel sobel-x (see --list), --kernel K.npy, or "
                             "--layers FILE.json");
  }
  const std::string out_path = *args.get("--out");
  if (!ends_with(out_path, ".png") && !ends_with(out_path, ".PNG")) {
    return fail("--out must name a .png file (ConvScope writes PNG), not '" + out_path + "'");
  }
  gpu::DisplayMapping mapping = gpu::DisplayMapping::clip;
  if (const std::string* d = args.get("--display")) {
    Result<gpu::DisplayMapping> m = gpu::parse_display_mapping(*d);
    if (!m) return fail(m.error().message);
    mapping = *m;
  }
  gpu::Backend backend = gpu::Backend::automatic;
  if (const std::string* b = args.get("--backend")) {
    Result<gpu::Backend> be = gpu::parse_backend(*b);
    if (!be) return fail(be.error().message);
    backend = *be;
  }
  const bool verbose = args.has("--verbose");

  // The layers.
  std::vector<Layer> layers;
  if (has_layers) {
    for (const char* opt : {"--stride", "--padding", "--padding-mode", "--dilation", "--bias"}) {
      if (args.has(opt)) {
        return fail(std::string(opt) +
                    " applies to --kernel; with --layers put it in the layer "
                    "(see docs/gpu.md)");
      }
    }
    Result<std::vector<Layer>> ls = parse_layers(*args.get("--layers"));
    if (!ls) return fail(ls.error().message);
    layers = std::move(*ls);
  } else {
    Layer layer;
    Result<Tensor> w = load_kernel(*args.get("--kernel"), "");
    if (!w) return fail(w.error().message);
    layer.weight = std::move(*w);
    layer.name = "the kernel " + *args.get("--kernel");
    layer.conv.padding = PaddingSpec::same();
    if (const std::string* b = args.get("--bias")) {
      Result<Tensor> bt = load_bias(*b, "");
      if (!bt) return fail(bt.error().message);
      layer.bias = std::move(*bt);
    }
    if (const std::string* s = args.get("--stride")) {
      auto p = parse_pair("--stride", *s);
      if (!p) return fail(p.error().message);
      layer.conv.stride_h = p->first;
      layer.conv.stride_w = p->second;
    }
    if (const std::string* s = args.get("--dilation")) {
      auto p = parse_pair("--dilation", *s);
      if (!p) return fail(p.error().message);
      layer.conv.dilation_h = p->first;
      layer.conv.dilation_w = p->second;
    }
    if (const std::string* s = args.get("--padding")) {
      auto p = parse_padding("--padding", *s);
      if (!p) return fail(p.error().message);
      layer.conv.padding = *p;
    }
    if (const std::string* s = args.get("--padding-mode")) {
      auto m = parse_padding_mode(*s);
      if (!m) return fail(m.error().message);
      layer.conv.padding_mode = *m;
    }
    layers.push_back(std::move(layer));
  }

  // The photo, as many channels as the first convolution wants.
  Result<Image> image = load_image(*args.get("--image"));
  if (!image) return fail(image.error().message);
  int channels = 0;
  const Layer& first = layers.front();
  if (!first.is_pool && first.weight.ndim() == 4) {
    const int64_t c_in = first.weight.dim(1) * first.conv.groups;
    if (c_in != 1 && c_in != 3) {
      return fail(first.name + " expects " + std::to_string(c_in) +
                  " input channels, but a photo gives 1 (grey) or 3 (colour)");
    }
    channels = static_cast<int>(c_in);
  }
  Tensor x = image_to_tensor(*image, channels);

  // Where to compute.
  Where where = Where::cpu;
  std::string why;
  if (backend == gpu::Backend::gpu || backend == gpu::Backend::automatic) {
    const gpu::ComputeStatus status = gpu::compute_status();
    if (!status.available) {
      if (backend == gpu::Backend::gpu) return fail(status.reason + "; use --backend cpu or auto");
      std::fprintf(stderr, "convscope render: note: %s; the CPU fast path does the work.\n",
                   status.reason.c_str());
    } else if (backend == gpu::Backend::gpu) {
      where = Where::gpu;
    } else {
      // Measure one pass of the first layer on a centre crop, GPU (after a warm-up that compiles
      // the shader) against the CPU fast path, and keep the faster for the whole photo.
      const Tensor probe = centre_crop(x, 512);
      bool gpu_ok = static_cast<bool>(run_layer(first, probe, Where::gpu));
      const double gpu_ms =
          gpu_ok ? time_ms([&] { return static_cast<bool>(run_layer(first, probe, Where::gpu)); })
                 : 1e30;
      const double cpu_ms =
          time_ms([&] { return static_cast<bool>(run_layer(first, probe, Where::cpu)); });
      where = gpu_ms < cpu_ms ? Where::gpu : Where::cpu;
      char buf[200];
      std::snprintf(buf, sizeof buf,
                    "auto: on a %lldx%lld crop the GPU took %.1f ms and the CPU fast path %.1f ms",
                    static_cast<long long>(probe.dim(3)), static_cast<long long>(probe.dim(2)),
                    gpu_ms, cpu_ms);
      why = buf;
    }
  }

  const auto t0 = std::chrono::steady_clock::now();
  for (const Layer& layer : layers) {
    Result<Tensor> y = run_layer(layer, x, where);
    if (!y && where == Where::gpu && backend == gpu::Backend::automatic) {
      std::fprintf(
          stderr,
          "convscope render: note: the GPU could not run %s (%s); using the CPU fast path.\n",
          layer.name.c_str(), y.error().message.c_str());
      where = Where::cpu;
      y = run_layer(layer, x, where);
    }
    if (!y) return fail(layer.name + ": " + y.error().message);
    x = std::move(*y);
  }
  const double run_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  if (x.dim(1) != 1 && x.dim(1) != 3) {
    return fail("the result has " + std::to_string(x.dim(1)) +
                " channels; a picture needs 1 (grey) or 3 (colour): end with a kernel that has "
                "C_out 1 or 3");
  }
  if (x.dim(2) == 0 || x.dim(3) == 0)
    return fail("the result is empty (0 pixels); use a smaller stride or kernel");
  Result<std::vector<uint8_t>> rgba = gpu::map_to_rgba(x, mapping);
  if (!rgba) return fail(rgba.error().message);
  Image out;
  out.width = static_cast<int>(x.dim(3));
  out.height = static_cast<int>(x.dim(2));
  out.channels = 3;
  out.pixels.resize(static_cast<std::size_t>(out.width) * out.height * 3);
  for (std::size_t i = 0, n = static_cast<std::size_t>(out.width) * out.height; i < n; ++i) {
    for (int c = 0; c < 3; ++c)
      out.pixels[i * 3 + c] = (*rgba)[i * 4 + c];
  }
  Status written = write_png(out_path, out);
  if (!written) return fail(written.error().message);
  if (verbose) {
    const std::string dev = where == Where::gpu ? gpu::compute_status().device : "CPU fast path";
    std::printf("wrote %s (%dx%d, %s display) in %.1f ms on %s%s%s\n", out_path.c_str(), out.width,
                out.height, gpu::display_mapping_name(mapping), run_ms, dev.c_str(),
                why.empty() ? "" : "; ", why.c_str());
  }
  return 0;
}

}  // namespace cs::cli
