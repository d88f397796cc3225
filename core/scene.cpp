// Scene files: a strict schema walk over core/json_read's document and getters that names the
// offending key, and a hand-laid-out writer so that a teacher can read and edit the numbers (one
// tensor row per line). Depends on core only.
#include "scene.hpp"

#include <array>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <tuple>
#include <vector>

#include "conv2d.hpp"
#include "conv_transpose.hpp"
#include "file_io.hpp"
#include "image_io.hpp"
#include "json_read.hpp"
#include "limits.hpp"
#include "pool2d.hpp"

namespace cs {

namespace {

namespace fs = std::filesystem;

constexpr const char* kFormat = "convscope-scene";
constexpr int kVersion = 1;

// ---------------------------------------------------------------------------------------------
// Writing

// The shortest text that reads back to exactly the same float32 / float64.
std::string format_number(double v, DType dtype) {
  char buf[64];
  if (dtype == DType::f32) {
    const float f = static_cast<float>(v);
    for (int p = 6; p <= 9; ++p) {
      std::snprintf(buf, sizeof buf, "%.*g", p, static_cast<double>(f));
      if (std::strtof(buf, nullptr) == f) break;
    }
  } else {
    for (int p = 15; p <= 17; ++p) {
      std::snprintf(buf, sizeof buf, "%.*g", p, v);
      if (std::strtod(buf, nullptr) == v) break;
    }
  }
  return buf;
}

// NOTE: dump() throws on invalid UTF-8 (a title made from an odd file name); replace instead.
std::string quoted(const std::string& s) {
  return Json(s).dump(-1, ' ', false, Json::error_handler_t::replace);
}

// [d0, d1, ...] nested arrays, the innermost dimension on one line.
// Indexes t's flat (row-major) storage: element (i0, i1, ...) at offset.
void write_values(std::string& out, const Tensor& t, int dim, int64_t offset, int indent) {
  const int64_t size = t.dim(dim);
  int64_t stride = 1;
  for (int d = dim + 1; d < t.ndim(); ++d)
    stride *= t.dim(d);
  if (dim == t.ndim() - 1) {
    out += '[';
    for (int64_t i = 0; i < size; ++i) {
      if (i) out += ", ";
      out += format_number(t.get(offset + i), t.dtype());
    }
    out += ']';
    return;
  }
  if (size == 0) {
    out += "[]";
    return;
  }
  out += "[\n";
  for (int64_t i = 0; i < size; ++i) {
    out += std::string(static_cast<std::size_t>(indent + 2), ' ');
    write_values(out, t, dim + 1, offset + i * stride, indent + 2);
    out += i + 1 < size ? ",\n" : "\n";
  }
  out += std::string(static_cast<std::size_t>(indent), ' ') + ']';
}

std::string tensor_json(const Tensor& t, int indent) {
  const std::string pad(static_cast<std::size_t>(indent + 2), ' ');
  std::string out = "{\n";
  out += pad + "\"dtype\": " + quoted(dtype_name(t.dtype())) + ",\n";
  out += pad + "\"shape\": [";
  for (int d = 0; d < t.ndim(); ++d)
    out += (d ? ", " : "") + std::to_string(t.dim(d));
  out += "],\n";
  out += pad + "\"values\": ";
  if (t.ndim() == 0) {
    out += "[]";
  } else {
    write_values(out, t, 0, 0, indent + 2);
  }
  out += '\n';
  out.append(static_cast<std::size_t>(indent), ' ');
  out += '}';
  return out;
}

std::string pair_json(int h, int w) {
  std::string s = "[";
  s += std::to_string(h);
  s += ", ";
  s += std::to_string(w);
  s += ']';
  return s;
}

// [height, width], or [top, bottom, left, right] when Keras's 'same' put more at the end.
std::string pool_padding_json(const Pool2dParams& p) {
  if (p.pad_bottom < 0 && p.pad_right < 0) return pair_json(p.pad_h, p.pad_w);
  const int bottom = p.pad_bottom < 0 ? p.pad_h : p.pad_bottom;
  const int right = p.pad_right < 0 ? p.pad_w : p.pad_right;
  // NOTE: appended, not "[" + ...: g++ 12 warns (-Wrestrict, falsely) on that once inlined.
  std::string s = "[";
  for (int v : {p.pad_h, bottom, p.pad_w, right}) {
    if (s.size() > 1) s += ", ";
    s += std::to_string(v);
  }
  s += ']';
  return s;
}

std::string padding_json(const PaddingSpec& p) {
  switch (p.kind) {
    case PaddingSpec::Kind::same:
      return "\"same\"";
    case PaddingSpec::Kind::valid:
      return "\"valid\"";
    case PaddingSpec::Kind::full:
      return "\"full\"";
    case PaddingSpec::Kind::sides:  // (NumPy's 'same' for an even kernel, Keras's 'same')
      return "[" + std::to_string(p.top) + ", " + std::to_string(p.bottom) + ", " +
             std::to_string(p.left) + ", " + std::to_string(p.right) + "]";
    case PaddingSpec::Kind::explicit_:
      break;
  }
  return pair_json(p.h, p.w);
}

// The preview path as written: relative to base_dir when the picture lies inside it.
std::string portable_path(const std::string& path, const std::string& base_dir) {
  if (path.empty() || base_dir.empty()) return path;
  const fs::path p(path);
  if (!p.is_absolute()) return path;
  const fs::path rel =
      p.lexically_normal().lexically_relative(fs::path(base_dir).lexically_normal());
  if (rel.empty() || *rel.begin() == "..") return path;
  return rel.generic_string();
}

bool all_finite(const Tensor& t, int64_t* bad) {
  for (int64_t i = 0; i < t.numel(); ++i) {
    if (!std::isfinite(t.get(i))) {
      *bad = i;
      return false;
    }
  }
  return true;
}

// ---------------------------------------------------------------------------------------------
// Reading: through core/json_read's getters, every sentence naming the key path ("conv.stride").

// Sizes and counts in a scene: whole numbers from `min` to a million.
IntRange up_to_a_million(int min) {
  return {min, 1000000};
}

// The document, or a sentence: not JSON, nested too deep, or a key given twice.
Result<Json> parse_scene_text(const JsonReader& rd, const std::string& text,
                              const SceneLimits& limits) {
  // Three tensors of max_elements numbers, and the few values around them.
  const int64_t max_values = 3 * limits.max_elements + 1000;
  JsonDocument doc = parse_json(text, JsonLimits{limits.max_depth, max_values});
  using Failure = JsonDocument::Failure;
  switch (doc.failure) {
    case Failure::none:
      break;
    case Failure::syntax:
      return rd.fail("this is not valid JSON (" + doc.failure_detail +
                     "); fix it in a text editor or save the scene again from ConvScope");
    case Failure::number_too_large:
      return rd.fail("a number is too large to store (" + doc.failure_detail +
                     "); every value must be a finite number");
    case Failure::too_deep:
      return rd.fail("lists and objects are nested more than " + std::to_string(limits.max_depth) +
                     " levels deep; a scene needs at most 6, so fix the file in a text editor or "
                     "save the scene again from ConvScope");
    case Failure::too_many_values:
      return rd.fail("the file holds more than " + format_count(static_cast<double>(max_values)) +
                     " values, but a scene holds at most " +
                     format_count(static_cast<double>(limits.max_elements)) +
                     " per tensor (what a lesson can show); use smaller tensors, and open a "
                     "large picture in the live preview instead");
    case Failure::other:
      return rd.fail("this is not valid JSON: " + doc.failure_detail);
  }
  if (!doc.duplicate_key.empty()) {
    return rd.fail("the key \"" + cut_text(doc.duplicate_key) +
                   "\" appears twice in one object; keep only one of them");
  }
  return std::move(doc.root);
}

// The top-level keys, "format" and "version".
Status read_header(const JsonReader& rd, const Json& root) {
  auto s = rd.object_with(root, "",
                          {"format", "version", "title", "description", "expected", "op", "layout",
                           "flip_kernel", "framework", "keras_padding", "conv", "pool",
                           "conv_transpose", "preview", "quiz", "weight", "bias", "input"});
  if (!s) return s;
  if (!root.contains("format") || root["format"] != kFormat) {
    return rd.fail(std::string("this is not a ConvScope scene (it needs \"format\": \"") + kFormat +
                   "\" at the top); open a file saved with Ctrl+S in ConvScope");
  }
  if (!root.contains("version")) return rd.fail("the scene needs \"version\": 1");
  auto version = rd.whole(root["version"], "version", up_to_a_million(1));
  if (!version) return version.error();
  if (*version != kVersion) {
    return rd.fail("the scene has version " + std::to_string(*version) +
                   " but this ConvScope reads version 1; open it with a newer ConvScope");
  }
  return ok();
}

// title, description and expected: optional text.
Status read_words(const JsonReader& rd, const Json& root, Lesson& l) {
  for (auto [key, to] : {std::pair{"title", &l.title}, std::pair{"description", &l.description},
                         std::pair{"expected", &l.expected}}) {
    if (!root.contains(key)) continue;
    auto t = rd.text(root[key], key);
    if (!t) return t.error();
    *to = std::move(*t);
  }
  return ok();
}

// [top, bottom, left, right]: padding given per side.
Result<std::array<int, 4>> four_sides(const JsonReader& rd, const Json& v, const std::string& key) {
  std::array<int, 4> out{};
  for (std::size_t i = 0; i < 4; ++i) {
    auto r = rd.whole(v[i], key + "[" + std::to_string(i) + "]", up_to_a_million(0));
    if (!r) return r.error();
    out[i] = *r;
  }
  return out;
}

Status read_conv(const JsonReader& rd, const Json& v, Conv2dParams& p) {
  auto s = rd.object_with(v, "conv", {"stride", "padding", "dilation", "groups", "padding_mode"});
  if (!s) return s;
  if (v.contains("stride")) {
    auto r = rd.pair(v["stride"], "conv.stride", up_to_a_million(1));
    if (!r) return r.error();
    p.stride_h = r->first;
    p.stride_w = r->second;
  }
  if (v.contains("dilation")) {
    auto r = rd.pair(v["dilation"], "conv.dilation", up_to_a_million(1));
    if (!r) return r.error();
    p.dilation_h = r->first;
    p.dilation_w = r->second;
  }
  if (v.contains("groups")) {
    auto r = rd.whole(v["groups"], "conv.groups", up_to_a_million(1));
    if (!r) return r.error();
    p.groups = *r;
  }
  if (v.contains("padding")) {
    const Json& jp = v["padding"];
    if (jp.is_string()) {
      const auto& t = jp.get_ref<const std::string&>();
      if (t == "same") {
        p.padding = PaddingSpec::same();
      } else if (t == "valid") {
        p.padding = PaddingSpec::valid();
      } else if (t == "full") {
        p.padding = PaddingSpec::full();
      } else {
        return rd.fail("conv.padding is \"" + cut_text(t) +
                       "\"; use a number, a [height, width] pair, [top, bottom, left, right], "
                       "\"same\", \"valid\" or \"full\"");
      }
    } else if (jp.is_array() && jp.size() == 4) {
      auto sides = four_sides(rd, jp, "conv.padding");
      if (!sides) return sides.error();
      p.padding = PaddingSpec::sides((*sides)[0], (*sides)[1], (*sides)[2], (*sides)[3]);
    } else {
      auto r = rd.pair(jp, "conv.padding", up_to_a_million(0));
      if (!r) return r.error();
      p.padding = PaddingSpec::pair(r->first, r->second);
    }
  }
  if (v.contains("padding_mode")) {
    auto t = rd.text(v["padding_mode"], "conv.padding_mode");
    if (!t) return t.error();
    auto m = parse_padding_mode(cut_text(*t));  // (cut: its sentence quotes the text)
    if (!m) return rd.fail("conv.padding_mode: " + m.error().message);
    p.padding_mode = *m;
  }
  return ok();
}

Status read_pool(const JsonReader& rd, const Json& v, Pool2dParams& p) {
  auto s = rd.object_with(
      v, "pool",
      {"op", "kernel", "stride", "padding", "dilation", "ceil_mode", "count_include_pad"});
  if (!s) return s;
  if (!v.contains("op")) return rd.fail("pool needs \"op\": \"max\" or \"avg\"");
  if (!v.contains("kernel")) return rd.fail("pool needs \"kernel\": a size like 2 or [2, 2]");
  auto op = rd.one_of(v["op"], "pool.op", {"max", "avg"});
  if (!op) return op.error();
  p.op = *op == 0 ? PoolOp::max : PoolOp::avg;
  auto k = rd.pair(v["kernel"], "pool.kernel", up_to_a_million(1));
  if (!k) return k.error();
  p.k_h = k->first;
  p.k_w = k->second;
  // (key, minimum, the two fields it sets)
  if (v.contains("padding") && v["padding"].is_array() && v["padding"].size() == 4) {
    // Keras's 'same' resolved: one more row or column at the bottom or right.
    auto sides = four_sides(rd, v["padding"], "pool.padding");
    if (!sides) return sides.error();
    p.pad_h = (*sides)[0];
    p.pad_bottom = (*sides)[1];
    p.pad_w = (*sides)[2];
    p.pad_right = (*sides)[3];
  }
  for (auto [key, min, h, w] : {std::tuple{"stride", 0, &p.stride_h, &p.stride_w},
                                std::tuple{"padding", 0, &p.pad_h, &p.pad_w},
                                std::tuple{"dilation", 1, &p.dilation_h, &p.dilation_w}}) {
    if (!v.contains(key) || (std::string(key) == "padding" && p.pad_bottom >= 0)) continue;
    auto r = rd.pair(v[key], std::string("pool.") + key, up_to_a_million(min));
    if (!r) return r.error();
    *h = r->first;
    *w = r->second;
  }
  for (auto [key, to] : {std::pair{"ceil_mode", &p.ceil_mode},
                         std::pair{"count_include_pad", &p.count_include_pad}}) {
    if (!v.contains(key)) continue;
    auto r = rd.boolean(v[key], std::string("pool.") + key);
    if (!r) return r.error();
    *to = *r;
  }
  return ok();
}

// "conv_transpose": torch.nn.ConvTranspose2d's settings (each a number or a [height, width] pair).
Status read_transpose(const JsonReader& rd, const Json& v, ConvTranspose2dParams& p) {
  auto s = rd.object_with(v, "conv_transpose",
                          {"stride", "padding", "output_padding", "dilation", "groups"});
  if (!s) return s;
  for (auto [key, min, h, w] :
       {std::tuple{"stride", 1, &p.stride_h, &p.stride_w},
        std::tuple{"padding", 0, &p.pad_h, &p.pad_w},
        std::tuple{"output_padding", 0, &p.output_padding_h, &p.output_padding_w},
        std::tuple{"dilation", 1, &p.dilation_h, &p.dilation_w}}) {
    if (!v.contains(key)) continue;
    auto r = rd.pair(v[key], std::string("conv_transpose.") + key, up_to_a_million(min));
    if (!r) return r.error();
    *h = r->first;
    *w = r->second;
  }
  if (v.contains("groups")) {
    auto r = rd.whole(v["groups"], "conv_transpose.groups", up_to_a_million(1));
    if (!r) return r.error();
    p.groups = *r;
  }
  return ok();
}

// op, layout, flip_kernel and the conv/pool/conv_transpose parameters.
Status read_operation(const JsonReader& rd, const Json& root, Lesson& l) {
  if (!root.contains("op")) {
    return rd.fail("the scene needs \"op\": \"conv\", \"pool\" or \"conv_transpose\"");
  }
  auto op = rd.one_of(root["op"], "op", {"conv", "pool", "conv_transpose"});
  if (!op) return op.error();
  l.op = *op == 0 ? LessonOp::conv : *op == 1 ? LessonOp::pool : LessonOp::conv_transpose;
  Layout layout = Layout::nchw;
  if (root.contains("layout")) {
    auto t = rd.text(root["layout"], "layout");
    if (!t) return t.error();
    auto r = parse_layout(cut_text(*t));  // (cut: its sentence quotes the text)
    if (!r) return rd.fail("layout: " + r.error().message);
    layout = *r;
  }
  if (root.contains("flip_kernel")) {
    auto b = rd.boolean(root["flip_kernel"], "flip_kernel");
    if (!b) return b.error();
    l.flip_kernel = *b;
  }
  if (root.contains("conv")) {
    auto r = read_conv(rd, root["conv"], l.conv);
    if (!r) return r;
  }
  if (root.contains("pool")) {
    auto r = read_pool(rd, root["pool"], l.pool);
    if (!r) return r;
  } else if (l.op == LessonOp::pool) {
    return rd.fail("a pooling scene needs \"pool\": {\"op\": \"max\", \"kernel\": [2, 2]}");
  }
  if (root.contains("conv_transpose")) {
    auto r = read_transpose(rd, root["conv_transpose"], l.transpose);
    if (!r) return r;
  }
  if (l.op == LessonOp::conv_transpose && layout != Layout::nchw) {
    return rd.fail(
        "a transposed-convolution scene is NCHW: write \"layout\": \"nchw\", with the input "
        "[N, C_in, H, W] and the weight [C_in, C_out/groups, KH, KW]");
  }
  l.conv.layout = layout;
  l.pool.layout = layout;
  return ok();
}

// "preview": {"image": ..., "display": ...}; a relative image is resolved against base_dir.
Status read_preview(const JsonReader& rd, const Json& root, const std::string& base_dir,
                    Scene& scene) {
  if (!root.contains("preview")) return ok();
  const Json& pv = root["preview"];
  auto r = rd.object_with(pv, "preview", {"image", "display"});
  if (!r) return r;
  if (pv.contains("image")) {
    auto t = rd.text(pv["image"], "preview.image");
    if (!t) return t.error();
    scene.preview_image = *t;
    if (!scene.preview_image.empty() && !base_dir.empty() &&
        fs::path(scene.preview_image).is_relative()) {
      scene.preview_image = (fs::path(base_dir) / scene.preview_image).lexically_normal().string();
    }
  }
  if (pv.contains("display")) {
    auto d = rd.one_of(pv["display"], "preview.display", {"clip", "abs", "signed", "minmax"});
    if (!d) return d.error();
    scene.display = kSceneDisplayMappings[*d];
  }
  return ok();
}

// "framework": "pytorch" (the default) or "keras"; with keras, "keras_padding": "valid" (the
// default) or "same" stands for the padding.
Status read_framework(const JsonReader& rd, const Json& root, Lesson& l) {
  if (root.contains("framework")) {
    auto f = rd.one_of(root["framework"], "framework", {"pytorch", "keras"});
    if (!f) return f.error();
    l.framework = *f == 0 ? Framework::pytorch : Framework::keras;
  }
  if (!root.contains("keras_padding")) return ok();
  if (l.framework != Framework::keras) {
    return rd.fail(
        "keras_padding is given but the scene follows PyTorch's rules; add \"framework\": "
        "\"keras\" or remove keras_padding");
  }
  auto p = rd.one_of(root["keras_padding"], "keras_padding", {"valid", "same"});
  if (!p) return p.error();
  l.keras_padding = *p == 0 ? KerasPadding::valid : KerasPadding::same;
  return ok();
}

// "quiz": true opens the lesson in quiz mode.
Status read_quiz(const JsonReader& rd, const Json& root, Scene& scene) {
  if (!root.contains("quiz")) return ok();
  auto b = rd.boolean(root["quiz"], "quiz");
  if (!b) return b.error();
  scene.quiz = *b;
  return ok();
}

// Nested lists in the tensor's shape (or one flat list when `shape` is {numel}), appended to
// `out` in row-major order, each number checked once converted to `dtype`.
Status read_values(const JsonReader& rd, const Json& v, const Shape& shape, std::size_t dim,
                   const std::string& path, DType dtype, std::vector<double>& out) {
  if (!v.is_array()) {
    return rd.fail(path + " must be a list of numbers, not " + std::string(json_type_name(v)));
  }
  if (dim + 1 == shape.size() || shape.empty()) {
    for (std::size_t i = 0; i < v.size(); ++i) {
      const Json& e = v[i];
      const std::string at = path + "[" + std::to_string(i) + "]";
      if (!e.is_number()) {
        return rd.fail(at + " must be a number, not " + std::string(json_type_name(e)) +
                       (e.is_array() ? " (the list is nested deeper than the shape says)" : ""));
      }
      auto x = rd.number(e, at, dtype);
      if (!x) return x.error();
      out.push_back(*x);
    }
    return ok();
  }
  for (std::size_t i = 0; i < v.size(); ++i) {
    auto s =
        read_values(rd, v[i], shape, dim + 1, path + "[" + std::to_string(i) + "]", dtype, out);
    if (!s) return s;
  }
  return ok();
}

// The nested lists have exactly the shape's lengths (checked before any number is read).
Status check_counts(const JsonReader& rd, const Json& v, const Shape& shape, std::size_t dim,
                    const std::string& path) {
  if (dim == shape.size()) return ok();
  if (!v.is_array())
    return rd.fail(path + " must be a list, not " + std::string(json_type_name(v)));
  if (static_cast<int64_t>(v.size()) != shape[dim]) {
    return rd.fail(path + " has " + std::to_string(v.size()) + " entries but shape[" +
                   std::to_string(dim) + "] is " + std::to_string(shape[dim]) +
                   "; make the nested lists match the shape");
  }
  for (std::size_t i = 0; i < v.size(); ++i) {
    auto r = check_counts(rd, v[i], shape, dim + 1, path + "[" + std::to_string(i) + "]");
    if (!r) return r;
  }
  return ok();
}

Result<Shape> read_shape(const JsonReader& rd, const Json& js, const std::string& path, int ndim) {
  if (!js.is_array()) return rd.fail(path + ".shape must be a list of sizes, like [1, 3, 5, 5]");
  if (static_cast<int>(js.size()) != ndim) {
    return rd.fail(path + ".shape has " + std::to_string(js.size()) + " dimensions; " + path +
                   " needs " + std::to_string(ndim));
  }
  Shape shape;
  for (std::size_t d = 0; d < js.size(); ++d) {
    auto n = rd.whole(js[d], path + ".shape[" + std::to_string(d) + "]", up_to_a_million(0));
    if (!n) return n.error();
    shape.push_back(*n);
  }
  return shape;
}

// {"dtype": ..., "shape": [...], "values": [...]} with `ndim` dimensions.
Result<Tensor> read_tensor(const JsonReader& rd, const Json& v, const std::string& path, int ndim,
                           const SceneLimits& limits) {
  auto s = rd.object_with(v, path, {"dtype", "shape", "values"});
  if (!s) return s.error();
  DType dtype = DType::f32;
  if (v.contains("dtype")) {
    auto d = rd.one_of(v["dtype"], path + ".dtype", {"float32", "float64"});
    if (!d) return d.error();
    dtype = *d == 0 ? DType::f32 : DType::f64;
  }
  if (!v.contains("shape")) return rd.fail(path + " needs a \"shape\", e.g. [1, 1, 5, 5]");
  if (!v.contains("values")) return rd.fail(path + " needs \"values\" (nested lists of numbers)");
  auto shape = read_shape(rd, v["shape"], path, ndim);
  if (!shape) return shape.error();
  auto numel = checked_numel(*shape, path, limits.max_elements);
  if (!numel) return rd.fail(numel.error().message);
  const Json& jv = v["values"];
  std::vector<double> flat;
  const bool is_flat = jv.is_array() && shape->size() > 1 && !jv.empty() && jv[0].is_number();
  if (is_flat) {
    if (static_cast<int64_t>(jv.size()) != *numel) {
      return rd.fail(path + ".values is a flat list of " + std::to_string(jv.size()) +
                     " numbers but shape " + shape_to_string(*shape) + " needs " +
                     std::to_string(*numel));
    }
    auto r = read_values(rd, jv, Shape{*numel}, 0, path + ".values", dtype, flat);
    if (!r) return r.error();
  } else {
    auto c = check_counts(rd, jv, *shape, 0, path + ".values");
    if (!c) return c.error();
    auto r = read_values(rd, jv, *shape, 0, path + ".values", dtype, flat);
    if (!r) return r.error();
  }
  if (static_cast<int64_t>(flat.size()) != *numel) {
    return rd.fail(path + ".values holds " + std::to_string(flat.size()) + " numbers but shape " +
                   shape_to_string(*shape) + " needs " + std::to_string(*numel));
  }
  return Tensor::from_values(dtype, *shape, flat);
}

// input, weight and bias, all of one dtype.
Status read_operands(const JsonReader& rd, const Json& root, const SceneLimits& limits, Lesson& l) {
  if (!root.contains("input")) return rd.fail("the scene needs an \"input\" tensor");
  auto input = read_tensor(rd, root["input"], "input", 4, limits);
  if (!input) return input.error();
  l.input = std::move(*input);
  if (root.contains("weight")) {
    auto w = read_tensor(rd, root["weight"], "weight", 4, limits);
    if (!w) return w.error();
    l.weight = std::move(*w);
  } else if (l.op != LessonOp::pool) {
    return rd.fail("a convolution scene needs a \"weight\" tensor (the kernels)");
  }
  if (root.contains("bias") && !root["bias"].is_null()) {
    auto b = read_tensor(rd, root["bias"], "bias", 1, limits);
    if (!b) return b.error();
    l.bias = std::move(*b);
  }
  const char* in_dtype = dtype_name(l.input.dtype());
  if (root.contains("weight") && l.weight.dtype() != l.input.dtype()) {
    return rd.fail(std::string("weight is ") + dtype_name(l.weight.dtype()) + " but input is " +
                   in_dtype + "; give every tensor the same dtype");
  }
  if (l.bias && l.bias->dtype() != l.input.dtype()) {
    return rd.fail(std::string("bias is ") + dtype_name(l.bias->dtype()) + " but input is " +
                   in_dtype + "; give every tensor the same dtype");
  }
  return ok();
}

// "<where>: <sentence>" with the sentence's field.
Error fail_with_field(const JsonReader& rd, const std::string& sentence, const Error& cause) {
  Error e = rd.fail(sentence);
  e.field = cause.field;
  return e;
}

// The engine's sentence when the geometry could not be made ("the <what> do not fit together:
// ..."), else the lesson limits' (core/limits.hpp).
template <class Geometry>
Status geometry_fits(const JsonReader& rd, const char* what, const Result<Geometry>& g) {
  if (!g) {
    return fail_with_field(
        rd, std::string("the ") + what + " do not fit together: " + g.error().message, g.error());
  }
  if (auto st = check_lesson_size(*g); !st) {
    return fail_with_field(rd, st.error().message, st.error());
  }
  return ok();
}

// The engine's own validation and the lesson limits the window applies (core/limits.hpp), so
// that a loaded scene always runs and the canvas can draw it.
Status check_operands_fit(const JsonReader& rd, const Lesson& asked) {
  auto run = lesson_as_run(asked);  // Keras's padding resolved per side
  if (!run) {
    return fail_with_field(rd, run.error().message, run.error());
  }
  const Lesson& l = *run;
  const int64_t bias_len = l.bias ? l.bias->dim(0) : -1;
  switch (l.op) {
    case LessonOp::conv_transpose:
      return geometry_fits(
          rd, "tensors and parameters",
          conv_transpose2d_geometry(l.input.shape(), l.weight.shape(), bias_len, l.transpose));
    case LessonOp::conv:
      return geometry_fits(
          rd, "tensors and parameters",
          conv2d_geometry_for(l.input.shape(), l.weight.shape(), bias_len, l.conv));
    case LessonOp::pool:
      break;
  }
  return geometry_fits(rd, "input and pooling parameters",
                       pool2d_geometry_for(l.input.shape(), l.pool));
}

}  // namespace

std::string scene_to_json(const Scene& scene, const std::string& base_dir) {
  const Lesson& l = scene.lesson;
  const bool is_conv = l.op == LessonOp::conv;
  const bool is_transpose = l.op == LessonOp::conv_transpose;
  const Layout layout = is_conv ? l.conv.layout : is_transpose ? Layout::nchw : l.pool.layout;
  std::string o = "{\n";
  o += "  \"format\": " + quoted(kFormat) + ",\n";
  o += "  \"version\": " + std::to_string(kVersion) + ",\n";
  o += "  \"title\": " + quoted(l.title) + ",\n";
  o += "  \"description\": " + quoted(l.description) + ",\n";
  if (!l.expected.empty()) o += "  \"expected\": " + quoted(l.expected) + ",\n";
  o += "  \"op\": " + quoted(is_conv ? "conv" : is_transpose ? "conv_transpose" : "pool") + ",\n";
  o += "  \"layout\": " + quoted(layout_name(layout)) + ",\n";
  o += "  \"flip_kernel\": " + std::string(l.flip_kernel ? "true" : "false") + ",\n";
  if (l.framework == Framework::keras) {  // (PyTorch's, the default, is not written)
    o += "  \"framework\": \"keras\",\n";
    o += "  \"keras_padding\": " + quoted(keras_padding_name(l.keras_padding)) + ",\n";
  }
  const Conv2dParams& c = l.conv;
  o += "  \"conv\": {\"stride\": " + pair_json(c.stride_h, c.stride_w) +
       ", \"padding\": " + padding_json(c.padding) +
       ", \"dilation\": " + pair_json(c.dilation_h, c.dilation_w) +
       ", \"groups\": " + std::to_string(c.groups) +
       ", \"padding_mode\": " + quoted(padding_mode_name(c.padding_mode)) + "},\n";
  const Pool2dParams& p = l.pool;
  o += "  \"pool\": {\"op\": " + quoted(pool_op_name(p.op)) +
       ", \"kernel\": " + pair_json(p.k_h, p.k_w) +
       ", \"stride\": " + pair_json(p.stride_h, p.stride_w) +
       ", \"padding\": " + pool_padding_json(p) +
       ", \"dilation\": " + pair_json(p.dilation_h, p.dilation_w) +
       ", \"ceil_mode\": " + (p.ceil_mode ? "true" : "false") +
       ", \"count_include_pad\": " + (p.count_include_pad ? "true" : "false") + "},\n";
  if (is_transpose) {  // (only then, so other scenes read and write as before)
    const ConvTranspose2dParams& t = l.transpose;
    o += "  \"conv_transpose\": {\"stride\": " + pair_json(t.stride_h, t.stride_w) +
         ", \"padding\": " + pair_json(t.pad_h, t.pad_w) +
         ", \"output_padding\": " + pair_json(t.output_padding_h, t.output_padding_w) +
         ", \"dilation\": " + pair_json(t.dilation_h, t.dilation_w) +
         ", \"groups\": " + std::to_string(t.groups) + "},\n";
  }
  o += "  \"preview\": {\"image\": " + quoted(portable_path(scene.preview_image, base_dir)) +
       ", \"display\": " + quoted(scene.display) + "},\n";
  if (scene.quiz) o += "  \"quiz\": true,\n";
  if (l.weight.ndim() == 4) o += "  \"weight\": " + tensor_json(l.weight, 2) + ",\n";
  if (l.bias) o += "  \"bias\": " + tensor_json(*l.bias, 2) + ",\n";
  o += "  \"input\": " + tensor_json(l.input, 2) + "\n";
  o += "}\n";
  return o;
}

Result<Scene> scene_from_json(const std::string& text, const std::string& name,
                              const std::string& base_dir, const SceneLimits& limits) {
  const JsonReader rd(name, JsonWording::scene, "scene");
  auto root = parse_scene_text(rd, text, limits);
  if (!root) return root.error();
  Scene scene;
  Lesson& l = scene.lesson;
  // In the order a teacher reads the file: header, words, operation, preview, tensors.
  Status s = read_header(rd, *root);
  if (s) s = read_words(rd, *root, l);
  if (s) s = read_operation(rd, *root, l);
  if (s) s = read_preview(rd, *root, base_dir, scene);
  if (s) s = read_framework(rd, *root, l);
  if (s) s = read_quiz(rd, *root, scene);
  if (s) s = read_operands(rd, *root, limits, l);
  if (s) s = check_operands_fit(rd, l);
  if (!s) return s.error();
  return scene;
}

Status save_scene(const std::string& path, const Scene& scene) {
  const Lesson& l = scene.lesson;
  const std::pair<const char*, const Tensor*> tensors[] = {
      {"input", &l.input}, {"weight", &l.weight}, {"bias", l.bias ? &*l.bias : nullptr}};
  for (const auto& [what, t] : tensors) {
    int64_t bad = 0;
    if (t && !all_finite(*t, &bad)) {
      return make_error("cannot save the scene: " + std::string(what) + " element " +
                            std::to_string(bad) + " is " + std::to_string(t->get(bad)) +
                            "; JSON holds only finite numbers, so set it to a finite value first",
                        what);
    }
  }
  std::error_code ec;
  fs::path abs = fs::absolute(fs::path(path), ec);
  const std::string base = ec ? std::string() : abs.parent_path().string();
  auto s = write_file_atomic(path, scene_to_json(scene, base));
  if (!s) return make_error("cannot save the scene: " + s.error().message, "scene");
  return ok();
}

Result<Scene> load_scene(const std::string& path, const SceneLimits& limits) {
  auto bytes = read_file(path, limits.max_file_bytes);
  if (!bytes) return make_error(bytes.error().message, "scene");
  const std::string text(bytes->begin(), bytes->end());
  std::error_code ec;
  const fs::path abs = fs::absolute(fs::path(path), ec);
  const std::string base = ec ? std::string() : abs.parent_path().string();
  const std::string name = fs::path(path).filename().string();
  auto scene = scene_from_json(text, name, base, limits);
  if (!scene) return scene.error();
  scene->lesson.name = fs::path(path).stem().string();
  // The preview's picture is decoded now (bounded by ImageLimits), so that a folder, a device or
  // a damaged file is refused with the scene rather than found later by the preview. A missing
  // one is not: a scene may travel without its pictures, and the preview says it is missing.
  std::error_code missing;
  if (!scene->preview_image.empty() && fs::exists(scene->preview_image, missing)) {
    auto image = load_image(scene->preview_image);
    if (!image) {
      return make_error(name + ": preview.image: " + image.error().message +
                            " (or write \"image\": \"\" for the built-in sample)",
                        "preview");
    }
  }
  return scene;
}

}  // namespace cs
