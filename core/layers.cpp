// Layers files: the list, each layer's keys and values (through core/json_read, in the words
// `convscope render` has always used), kernels from presets or .npy files, and what a layer
// computes on a given number of channels. Depends on core only.
#include "layers.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdlib>
#include <limits>

#include "conv2d.hpp"
#include "file_io.hpp"
#include "json_read.hpp"
#include "npy.hpp"
#include "pool2d.hpp"
#include "presets.hpp"

namespace cs {

namespace {

// Whole numbers in a layers file: sizes from 1, padding from 0, at most what an int holds.
constexpr IntRange kSize{1, std::numeric_limits<int>::max()};
constexpr IntRange kPadding{0, std::numeric_limits<int>::max()};

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

std::string dir_of(const std::string& path) {
  const std::size_t slash = path.rfind('/');
  return slash == std::string::npos ? std::string() : path.substr(0, slash + 1);
}

// The whole of `text` as a decimal int ("+2" reads as 2); false when it is not one or too large.
bool whole_from_text(const std::string& text, int& out) {
  const char* begin = text.data();
  const char* end = text.data() + text.size();
  if (begin != end && *begin == '+') ++begin;
  if (begin == end) return false;
  auto [ptr, ec] = std::from_chars(begin, end, out);
  return ec == std::errc() && ptr == end;
}

std::string key_list(const std::vector<const char*>& keys) {
  std::string list;
  for (const char* k : keys)
    list += (list.empty() ? "" : ", ") + std::string(k);
  return list;
}

// Sets h and w from j[key] when the key is there.
Status read_pair_into(const JsonReader& rd, const Json& j, const char* key, IntRange range, int& h,
                      int& w) {
  if (!j.contains(key)) return ok();
  auto r = rd.pair(j[key], key, range);
  if (!r) return r.error();
  h = r->first;
  w = r->second;
  return ok();
}

// {"pool": "max"|"avg", "kernel", "stride", "padding", "dilation", "ceil_mode",
//  "count_include_pad"}: Pool2dParams.
Status read_pool_layer(const JsonReader& rd, const Json& j, Layer& layer) {
  auto op = rd.one_of(j["pool"], "pool", {"max", "avg"});
  if (!op) return op.error();
  Pool2dParams& p = layer.pool;
  p.op = *op == 0 ? PoolOp::max : PoolOp::avg;
  Status s = read_pair_into(rd, j, "kernel", kSize, p.k_h, p.k_w);
  if (s) s = read_pair_into(rd, j, "stride", kSize, p.stride_h, p.stride_w);
  if (s) s = read_pair_into(rd, j, "padding", kPadding, p.pad_h, p.pad_w);
  if (s) s = read_pair_into(rd, j, "dilation", kSize, p.dilation_h, p.dilation_w);
  if (!s) return s;
  for (auto [key, to] : {std::pair{"ceil_mode", &p.ceil_mode},
                         std::pair{"count_include_pad", &p.count_include_pad}}) {
    if (!j.contains(key)) continue;
    auto b = rd.boolean(j[key], key);
    if (!b) return b.error();
    *to = *b;
  }
  return ok();
}

// "kernel": [[...], [...]]: a float32 [rows, cols] tensor.
Result<Tensor> read_kernel_rows(const JsonReader& rd, const Json& k, const std::string& where) {
  const std::size_t rows = k.size(), cols = k[0].size();
  std::vector<double> values;
  for (std::size_t r = 0; r < rows; ++r) {
    const Json& row = k[r];
    if (!row.is_array() || row.size() != cols) {
      return rd.fail("every row of the kernel needs " + std::to_string(cols) + " numbers");
    }
    for (std::size_t c = 0; c < cols; ++c) {
      if (!row[c].is_number()) {
        return make_error(where + ": the kernel holds a non-number " + json_preview(row[c]),
                          "layers");
      }
      auto x = rd.number(row[c], "kernel[" + std::to_string(r) + "][" + std::to_string(c) + "]",
                         DType::f32);
      if (!x) return x.error();
      values.push_back(*x);
    }
  }
  return Tensor::from_values(DType::f32, {static_cast<int64_t>(rows), static_cast<int64_t>(cols)},
                             values);
}

// "kernel": a preset, a .npy file or a list of rows; names the layer after it.
Status read_conv_kernel(const JsonReader& rd, const Json& k, const std::string& where,
                        const std::string& base, Layer& layer) {
  if (k.is_string()) {
    const auto& spec = k.get_ref<const std::string&>();
    Result<Tensor> w = load_kernel(spec, base);
    if (!w) return rd.fail(w.error().message);
    layer.weight = std::move(*w);
    layer.name += " (" + spec + ")";  // a preset's or a file's name: short, or it did not load
    return ok();
  }
  if (k.is_array() && !k.empty() && k[0].is_array()) {
    Result<Tensor> w = read_kernel_rows(rd, k, where);
    if (!w) return w.error();
    layer.weight = std::move(*w);
    return ok();
  }
  return rd.fail(
      "\"kernel\" is a preset name, a .npy file or a list of rows like [[0, -1, 0], [-1, 5, -1], "
      "[0, -1, 0]]");
}

// "bias": a number or a .npy file.
Status read_conv_bias(const JsonReader& rd, const Json& b, const std::string& base, Layer& layer) {
  if (b.is_number()) {
    auto x = rd.number(b, "bias", DType::f32);
    if (!x) return x.error();
    layer.bias = Tensor::from_values(DType::f32, {1}, {*x});
  } else if (b.is_string()) {
    Result<Tensor> bt = load_bias(b.get_ref<const std::string&>(), base);
    if (!bt) return rd.fail(bt.error().message);
    layer.bias = std::move(*bt);
  } else {
    return rd.fail("\"bias\" is a number or a .npy file");
  }
  return ok();
}

// "padding": text ("same", "1,2") or a number / [h, w] pair; "padding_mode": text.
Status read_conv_padding(const JsonReader& rd, const Json& j, Conv2dParams& c) {
  if (j.contains("padding")) {
    const Json& p = j["padding"];
    if (p.is_string()) {
      Result<PaddingSpec> ps = padding_from_text("padding", p.get_ref<const std::string&>());
      if (!ps) return rd.fail(ps.error().message);
      c.padding = *ps;
    } else {
      auto pp = rd.pair(p, "padding", kPadding);
      if (!pp) return pp.error();
      c.padding = PaddingSpec::pair(pp->first, pp->second);
    }
  }
  if (j.contains("padding_mode")) {
    auto t = rd.text(j["padding_mode"], "padding_mode");
    if (!t) return t.error();
    Result<PaddingMode> m = parse_padding_mode(cut_text(*t));  // (its sentence quotes the text)
    if (!m) return rd.fail(m.error().message);
    c.padding_mode = *m;
  }
  return ok();
}

// {"kernel", "bias", "stride", "padding", "padding_mode", "dilation", "groups"}.
Status read_conv_layer(const JsonReader& rd, const Json& j, const std::string& where,
                       const std::string& base, Layer& layer) {
  Status s = read_conv_kernel(rd, j["kernel"], where, base, layer);
  if (!s) return s;
  Conv2dParams& c = layer.conv;
  c.padding = PaddingSpec::same();
  if (j.contains("bias")) s = read_conv_bias(rd, j["bias"], base, layer);
  if (s) s = read_pair_into(rd, j, "stride", kSize, c.stride_h, c.stride_w);
  if (s) s = read_pair_into(rd, j, "dilation", kSize, c.dilation_h, c.dilation_w);
  if (s) s = read_conv_padding(rd, j, c);
  if (!s) return s;
  if (j.contains("groups")) {
    auto g = rd.whole(j["groups"], "groups", kSize);
    if (!g) return g.error();
    c.groups = *g;
  }
  return ok();
}

// {"transpose": true, "kernel", "bias", "stride", "padding", "output_padding", "dilation",
//  "groups"}: ConvTranspose2dParams (padding is whole numbers, 0 unless given, as in torch).
Status read_transpose_layer(const JsonReader& rd, const Json& j, const std::string& where,
                            const std::string& base, Layer& layer) {
  auto on = rd.boolean(j["transpose"], "transpose");
  if (!on) return on.error();
  if (!*on) return rd.fail("\"transpose\" is true (a transposed convolution) or left out");
  Status s = read_conv_kernel(rd, j["kernel"], where, base, layer);
  ConvTranspose2dParams& t = layer.transpose;
  if (s && j.contains("bias")) s = read_conv_bias(rd, j["bias"], base, layer);
  if (s) s = read_pair_into(rd, j, "stride", kSize, t.stride_h, t.stride_w);
  if (s) s = read_pair_into(rd, j, "dilation", kSize, t.dilation_h, t.dilation_w);
  if (s) s = read_pair_into(rd, j, "padding", kPadding, t.pad_h, t.pad_w);
  if (s)
    s = read_pair_into(rd, j, "output_padding", kPadding, t.output_padding_h, t.output_padding_w);
  if (!s) return s;
  if (j.contains("groups")) {
    auto g = rd.whole(j["groups"], "groups", kSize);
    if (!g) return g.error();
    t.groups = *g;
  }
  return ok();
}

// {"relu": true}: nothing else to read.
Status read_relu_layer(const JsonReader& rd, const Json& j) {
  auto on = rd.boolean(j["relu"], "relu");
  if (!on) return on.error();
  if (!*on) return rd.fail("\"relu\" is true (a ReLU layer) or left out");
  return ok();
}

LayerKind kind_of(const Json& j) {
  if (j.contains("pool")) return LayerKind::pool;
  if (j.contains("relu")) return LayerKind::relu;
  if (j.contains("transpose")) return LayerKind::conv_transpose;
  return LayerKind::conv;
}

const char* kind_words(LayerKind kind) {
  switch (kind) {
    case LayerKind::pool:
      return "pooling";
    case LayerKind::relu:
      return "ReLU";
    case LayerKind::conv_transpose:
      return "transposed convolution";
    case LayerKind::conv:
      break;
  }
  return "convolution";
}

const std::vector<const char*>& keys_of(LayerKind kind) {
  static const std::vector<const char*> pool_keys = {
      "pool", "kernel", "stride", "padding", "dilation", "ceil_mode", "count_include_pad"};
  static const std::vector<const char*> conv_keys = {
      "kernel", "bias", "stride", "padding", "padding_mode", "dilation", "groups"};
  static const std::vector<const char*> relu_keys = {"relu"};
  static const std::vector<const char*> transpose_keys = {
      "transpose", "kernel", "bias", "stride", "padding", "output_padding", "dilation", "groups"};
  switch (kind) {
    case LayerKind::pool:
      return pool_keys;
    case LayerKind::relu:
      return relu_keys;
    case LayerKind::conv_transpose:
      return transpose_keys;
    case LayerKind::conv:
      break;
  }
  return conv_keys;
}

// Layer `number` (from 1) of the file at `path`.
Result<Layer> read_layer(const Json& j, const std::string& path, std::size_t number) {
  const std::string where = path + " layer " + std::to_string(number);
  const JsonReader rd(where, JsonWording::layers, "layers");
  if (!j.is_object())
    return make_error(where + " must be an object like {\"kernel\": \"sobel-x\"}");
  Layer layer;
  layer.kind = kind_of(j);
  const auto& allowed = keys_of(layer.kind);
  if (const std::string* unknown = first_unknown_key(j, allowed)) {
    return make_error(where + " has an unknown key \"" + cut_text(*unknown) + "\"; a " +
                          kind_words(layer.kind) + " layer takes " + key_list(allowed),
                      "layers");
  }
  if (layer.kind != LayerKind::relu && !j.contains("kernel")) {
    return make_error(where +
                          " needs a \"kernel\" (a preset name, a .npy file or a list of rows for "
                          "a convolution; a size for pooling)",
                      "layers");
  }
  layer.name = "layer " + std::to_string(number);
  Status s = ok();
  switch (layer.kind) {
    case LayerKind::pool:
      s = read_pool_layer(rd, j, layer);
      if (s) layer.name += layer.pool.op == PoolOp::max ? " (max pool)" : " (avg pool)";
      break;
    case LayerKind::relu:
      s = read_relu_layer(rd, j);
      layer.name += " (relu)";
      break;
    case LayerKind::conv_transpose:
      s = read_transpose_layer(rd, j, where, dir_of(path), layer);
      break;
    case LayerKind::conv:
      s = read_conv_layer(rd, j, where, dir_of(path), layer);
      break;
  }
  if (!s) return s.error();
  return layer;
}

}  // namespace

Result<std::vector<Layer>> layers_from_json(const std::string& text, const std::string& path,
                                            const LayerLimits& limits) {
  const JsonDocument doc = parse_json(text, JsonLimits{limits.max_depth});
  if (doc.failure == JsonDocument::Failure::too_deep) {
    return make_error(path + " nests lists and objects more than " +
                          std::to_string(limits.max_depth) +
                          " levels deep; a layers file needs at most 4 (a list of layers, each an "
                          "object, a kernel as a list of rows)",
                      "layers");
  }
  if (doc.failure != JsonDocument::Failure::none) {
    return make_error(path +
                          " is not valid JSON; it must be a list like [{\"kernel\": "
                          "\"gaussian-5\"}, {\"pool\": \"max\", \"kernel\": 2}]",
                      "layers");
  }
  if (!doc.root.is_array() || doc.root.empty()) {
    return make_error(path +
                          " must hold a non-empty JSON list of layers, like [{\"kernel\": "
                          "\"sobel-x\"}]",
                      "layers");
  }
  std::vector<Layer> layers;
  for (std::size_t i = 0; i < doc.root.size(); ++i) {
    Result<Layer> layer = read_layer(doc.root[i], path, i + 1);
    if (!layer) return layer.error();
    layers.push_back(std::move(*layer));
  }
  return layers;
}

Result<std::vector<Layer>> load_layers(const std::string& path, const LayerLimits& limits) {
  Result<std::vector<uint8_t>> bytes = read_file(path, limits.max_file_bytes);
  if (!bytes) return bytes.error();
  return layers_from_json(std::string(bytes->begin(), bytes->end()), path, limits);
}

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
  // Cut: the sentence quotes the name, and no preset's name is anywhere near 40 characters.
  Result<KernelPreset> preset = find_kernel_preset(cut_text(spec));
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
    return make_error(
        "--bias takes a number (like 0.5) or a .npy file, not '" + cut_text(spec) + "'", "bias");
  }
  return Tensor::from_values(DType::f32, {1}, {v});
}

namespace {

// A 2-D kernel as a depthwise [channels, 1, KH, KW] weight.
Tensor depthwise_weight(const Tensor& kernel, int64_t channels) {
  const int64_t kh = kernel.dim(0), kw = kernel.dim(1);
  Tensor w(DType::f32, {channels, 1, kh, kw});
  for (int64_t c = 0; c < channels; ++c)
    std::copy(kernel.data<float>(), kernel.data<float>() + kh * kw, w.data<float>() + c * kh * kw);
  return w;
}

// The layer's bias for `c_out` output channels: one value is repeated; a 2-D kernel takes one
// value or one per channel.
Result<std::optional<Tensor>> bias_for(const Layer& layer, int64_t c_out) {
  if (!layer.bias) return std::optional<Tensor>();
  if (layer.weight.ndim() == 2 && layer.bias->numel() != 1 && layer.bias->numel() != c_out) {
    return make_error(layer.name + ": a KH×KW kernel takes one bias value or one per channel (" +
                          std::to_string(c_out) + "), not " + std::to_string(layer.bias->numel()),
                      "bias");
  }
  if (layer.bias->numel() != 1 || c_out == 1) return std::optional<Tensor>(*layer.bias);
  Tensor b(DType::f32, {c_out});
  for (int64_t c = 0; c < c_out; ++c)
    b.set(c, layer.bias->get(0));
  return std::optional<Tensor>(std::move(b));
}

}  // namespace

Result<ConvOperands> conv_operands(const Layer& layer, int64_t channels) {
  ConvOperands out;
  out.params = layer.conv;
  const bool depthwise = layer.weight.ndim() == 2;
  out.weight = depthwise ? depthwise_weight(layer.weight, channels) : layer.weight;
  if (depthwise) out.params.groups = static_cast<int>(channels);
  Result<std::optional<Tensor>> b = bias_for(layer, out.weight.dim(0));
  if (!b) return b.error();
  out.bias = std::move(*b);
  return out;
}

Result<ConvTransposeOperands> conv_transpose_operands(const Layer& layer, int64_t channels) {
  ConvTransposeOperands out;
  out.params = layer.transpose;
  const bool depthwise = layer.weight.ndim() == 2;
  out.weight = depthwise ? depthwise_weight(layer.weight, channels) : layer.weight;
  if (depthwise) out.params.groups = static_cast<int>(channels);
  Result<std::optional<Tensor>> b = bias_for(layer, out.weight.dim(1) * out.params.groups);
  if (!b) return b.error();
  out.bias = std::move(*b);
  return out;
}

Result<int> photo_channels(const Layer& first) {
  const bool has_kernel = first.kind == LayerKind::conv || first.kind == LayerKind::conv_transpose;
  if (!has_kernel || first.weight.ndim() != 4) return 0;
  const int64_t c_in = first.kind == LayerKind::conv_transpose
                           ? first.weight.dim(0)
                           : first.weight.dim(1) * first.conv.groups;
  if (c_in != 1 && c_in != 3) {
    return make_error(first.name + " expects " + std::to_string(c_in) +
                      " input channels, but a photo gives 1 (grey) or 3 (colour)");
  }
  return static_cast<int>(c_in);
}

Tensor relu(const Tensor& x) {
  Tensor y = x.to(DType::f32);
  float* v = y.data<float>();
  for (int64_t i = 0; i < y.numel(); ++i)
    if (v[i] < 0.0f) v[i] = 0.0f;
  return y;
}

Result<Tensor> run_layer_cpu(const Layer& layer, const Tensor& x) {
  if (layer.kind == LayerKind::pool) return pool2d(x, layer.pool);
  if (layer.kind == LayerKind::relu) return relu(x);
  if (layer.kind == LayerKind::conv_transpose) {
    Result<ConvTransposeOperands> op = conv_transpose_operands(layer, x.dim(1));
    if (!op) return op.error();
    return conv_transpose2d(x, op->weight, op->bias ? &*op->bias : nullptr, op->params);
  }
  Result<ConvOperands> op = conv_operands(layer, x.dim(1));
  if (!op) return op.error();
  return conv2d(x, op->weight, op->bias ? &*op->bias : nullptr, op->params);
}

Result<Tensor> run_layers_cpu(const std::vector<Layer>& layers, Tensor x, std::size_t count) {
  for (std::size_t i = 0; i < std::min(count, layers.size()); ++i) {
    Result<Tensor> y = run_layer_cpu(layers[i], x);
    if (!y) return make_error(layers[i].name + ": " + y.error().message);
    x = std::move(*y);
  }
  return x;
}

Result<PaddingSpec> padding_from_text(const std::string& option, const std::string& text) {
  std::string lower = text;
  for (char& ch : lower)
    ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  if (lower == "same") return PaddingSpec::same();
  if (lower == "valid") return PaddingSpec::valid();
  if (lower == "full") return PaddingSpec::full();
  const std::size_t comma = text.find(',');
  int h = 0, w = 0;
  const bool good =
      comma == std::string::npos
          ? whole_from_text(text, h) && whole_from_text(text, w)
          : whole_from_text(text.substr(0, comma), h) && whole_from_text(text.substr(comma + 1), w);
  if (!good) {
    return make_error(option + " " + cut_text(text) +
                          " is not a number, a pair like 1,2 (rows, columns), 'same', 'valid' or "
                          "'full'",
                      option);
  }
  return PaddingSpec::pair(h, w);
}

}  // namespace cs
