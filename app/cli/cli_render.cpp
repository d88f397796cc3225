// `convscope render`: a PNG/JPEG photo, a kernel (preset, .npy, or a --layers JSON list of conv
// and pooling layers) and a display mapping => a PNG, on the GPU or the CPU fast path (auto: the
// faster, measured on a crop of the photo). The PNG is written only when everything succeeded.
// Depends on core/ and app/gpu/ (through its public headers); no ImGui.
#include "app/cli/cli_render.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <functional>
#include <optional>

#include "app/cli/cli_args.hpp"
#include "app/gpu/compute.hpp"
#include "app/gpu/display_map.hpp"
#include "app/gpu/live_preview.hpp"
#include "core/file_io.hpp"
#include "core/image_io.hpp"
#include "core/layers.hpp"
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
           "a list of conv, pooling, ReLU and transposed conv layers applied in order "
           "(docs/gpu.md)"},
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

// ---- the request --------------------------------------------------------------------------

// What to render, from the options (files not yet read).
struct Request {
  std::string image_path;
  std::string out_path;
  gpu::DisplayMapping mapping = gpu::DisplayMapping::clip;
  gpu::Backend backend = gpu::Backend::automatic;
  bool verbose = false;
};

int print_presets() {
  for (const KernelPreset& p : kernel_presets()) {
    std::printf("%-14s %dx%d  %s\n", p.name.c_str(), p.k_h, p.k_w, p.description.c_str());
  }
  return 0;
}

Result<Request> read_request(const Args& args, const CommandSpec& spec) {
  if (!args.positional().empty()) {
    return make_error("unexpected argument '" + args.positional()[0] +
                      "'; every input is named, like --image photo.png");
  }
  Status req = require(args, spec, {"--image", "--out"});
  if (!req) return req.error();
  const bool has_kernel = args.has("--kernel"), has_layers = args.has("--layers");
  if (has_kernel == has_layers) {
    return make_error(has_kernel ? "give either --kernel or --layers, not both"
                                 : "give a kernel: --kernel sobel-x (see --list), --kernel K.npy, "
                                   "or --layers FILE.json");
  }
  Request r;
  r.image_path = *args.get("--image");
  r.out_path = *args.get("--out");
  if (!ends_with(r.out_path, ".png") && !ends_with(r.out_path, ".PNG")) {
    return make_error("--out must name a .png file (ConvScope writes PNG), not '" + r.out_path +
                      "'");
  }
  if (const std::string* d = args.get("--display")) {
    Result<gpu::DisplayMapping> m = gpu::parse_display_mapping(*d);
    if (!m) return m.error();
    r.mapping = *m;
  }
  if (const std::string* b = args.get("--backend")) {
    Result<gpu::Backend> be = gpu::parse_backend(*b);
    if (!be) return be.error();
    r.backend = *be;
  }
  r.verbose = args.has("--verbose");
  return r;
}

// --kernel with --bias, --stride, --dilation, --padding and --padding-mode: one layer.
Result<Layer> kernel_layer(const Args& args) {
  Layer layer;
  Result<Tensor> w = load_kernel(*args.get("--kernel"), "");
  if (!w) return w.error();
  layer.weight = std::move(*w);
  layer.name = "the kernel " + *args.get("--kernel");
  layer.conv.padding = PaddingSpec::same();
  if (const std::string* b = args.get("--bias")) {
    Result<Tensor> bt = load_bias(*b, "");
    if (!bt) return bt.error();
    layer.bias = std::move(*bt);
  }
  if (const std::string* s = args.get("--stride")) {
    auto p = parse_pair("--stride", *s);
    if (!p) return p.error();
    layer.conv.stride_h = p->first;
    layer.conv.stride_w = p->second;
  }
  if (const std::string* s = args.get("--dilation")) {
    auto p = parse_pair("--dilation", *s);
    if (!p) return p.error();
    layer.conv.dilation_h = p->first;
    layer.conv.dilation_w = p->second;
  }
  if (const std::string* s = args.get("--padding")) {
    auto p = padding_from_text("--padding", *s);
    if (!p) return p.error();
    layer.conv.padding = *p;
  }
  if (const std::string* s = args.get("--padding-mode")) {
    auto m = parse_padding_mode(*s);
    if (!m) return m.error();
    layer.conv.padding_mode = *m;
  }
  return layer;
}

// The --layers file, or the one layer that --kernel and its options make.
Result<std::vector<Layer>> layers_from_args(const Args& args) {
  if (!args.has("--layers")) {
    Result<Layer> layer = kernel_layer(args);
    if (!layer) return layer.error();
    return std::vector<Layer>{std::move(*layer)};
  }
  for (const char* opt : {"--stride", "--padding", "--padding-mode", "--dilation", "--bias"}) {
    if (args.has(opt)) {
      return make_error(
          std::string(opt) +
          " applies to --kernel; with --layers put it in the layer (see docs/gpu.md)");
    }
  }
  return load_layers(*args.get("--layers"));
}

// The photo as [1, C, H, W] in [0, 1], with as many channels as the first convolution wants.
Result<Tensor> load_photo(const std::string& path, const Layer& first) {
  Result<Image> image = load_image(path);
  if (!image) return image.error();
  Result<int> channels = photo_channels(first);
  if (!channels) return channels.error();
  return image_to_tensor(*image, *channels);
}

// ---- running ------------------------------------------------------------------------------

enum class Where { gpu, cpu };

Result<Tensor> run_layer(const Layer& layer, const Tensor& x, Where where) {
  // ReLU is one comparison per value on a tensor already read back: the CPU does it either way.
  if (where == Where::cpu || layer.kind == LayerKind::relu) return run_layer_cpu(layer, x);
  if (layer.kind == LayerKind::pool) return gpu::pool2d(x, layer.pool);
  if (layer.kind == LayerKind::conv_transpose) {
    Result<ConvTransposeOperands> op = conv_transpose_operands(layer, x.dim(1));
    if (!op) return op.error();
    return gpu::conv_transpose2d(x, op->weight, op->bias ? &*op->bias : nullptr, op->params);
  }
  Result<ConvOperands> op = conv_operands(layer, x.dim(1));
  if (!op) return op.error();
  return gpu::conv2d(x, op->weight, op->bias ? &*op->bias : nullptr, op->params);
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

// Where the layers run, and (for auto) the measurement that decided it.
struct Placement {
  Where where = Where::cpu;
  std::string why;
};

Result<Placement> choose_backend(gpu::Backend backend, const Layer& first, const Tensor& x) {
  Placement p;
  if (backend != gpu::Backend::gpu && backend != gpu::Backend::automatic) return p;
  const gpu::ComputeStatus status = gpu::compute_status();
  if (!status.available) {
    if (backend == gpu::Backend::gpu) {
      return make_error(status.reason + "; use --backend cpu or auto");
    }
    std::fprintf(stderr, "convscope render: note: %s; the CPU fast path does the work.\n",
                 status.reason.c_str());
    return p;
  }
  if (backend == gpu::Backend::gpu) {
    p.where = Where::gpu;
    return p;
  }
  // Measure one pass of the first layer on a centre crop, GPU (after a warm-up that compiles
  // the shader) against the CPU fast path, and keep the faster for the whole photo.
  const Tensor probe = centre_crop(x, 512);
  bool gpu_ok = static_cast<bool>(run_layer(first, probe, Where::gpu));
  const double gpu_ms =
      gpu_ok ? time_ms([&] { return static_cast<bool>(run_layer(first, probe, Where::gpu)); })
             : 1e30;
  const double cpu_ms =
      time_ms([&] { return static_cast<bool>(run_layer(first, probe, Where::cpu)); });
  p.where = gpu_ms < cpu_ms ? Where::gpu : Where::cpu;
  char buf[200];
  std::snprintf(buf, sizeof buf,
                "auto: on a %lldx%lld crop the GPU took %.1f ms and the CPU fast path %.1f ms",
                static_cast<long long>(probe.dim(3)), static_cast<long long>(probe.dim(2)), gpu_ms,
                cpu_ms);
  p.why = buf;
  return p;
}

// Runs every layer in order; under auto, a layer the GPU cannot run moves the rest to the CPU.
Result<Tensor> run_layers(const std::vector<Layer>& layers, Tensor x, gpu::Backend backend,
                          Where& where) {
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
    if (!y) return make_error(layer.name + ": " + y.error().message);
    x = std::move(*y);
  }
  return x;
}

}  // namespace

int run_render(int argc, char** argv) {
  const CommandSpec& spec = render_spec();
  if (wants_help(argc, argv, 2)) {
    std::fputs(usage_text(spec).c_str(), stdout);
    return 0;
  }
  Result<Args> args = parse_args(argc, argv, 2, spec);
  if (!args) return fail(args.error().message);
  if (args->has("--list")) return print_presets();
  Result<Request> req = read_request(*args, spec);
  if (!req) return fail(req.error().message);
  Result<std::vector<Layer>> layers = layers_from_args(*args);
  if (!layers) return fail(layers.error().message);
  Result<Tensor> x = load_photo(req->image_path, layers->front());
  if (!x) return fail(x.error().message);
  Result<Placement> placed = choose_backend(req->backend, layers->front(), *x);
  if (!placed) return fail(placed.error().message);

  const auto t0 = std::chrono::steady_clock::now();
  Result<Tensor> y = run_layers(*layers, std::move(*x), req->backend, placed->where);
  if (!y) return fail(y.error().message);
  const double run_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  Result<Image> picture = gpu::map_to_picture(*y, req->mapping);
  if (!picture) return fail(picture.error().message);
  Status written = write_png(req->out_path, *picture);
  if (!written) return fail(written.error().message);
  if (req->verbose) {
    const std::string dev =
        placed->where == Where::gpu ? gpu::compute_status().device : "CPU fast path";
    std::printf("wrote %s (%dx%d, %s display) in %.1f ms on %s%s%s\n", req->out_path.c_str(),
                picture->width, picture->height, gpu::display_mapping_name(req->mapping), run_ms,
                dev.c_str(), placed->why.empty() ? "" : "; ", placed->why.c_str());
  }
  return 0;
}

}  // namespace cs::cli
