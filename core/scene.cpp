// Scene files: JSON through nlohmann-json (parse exceptions are caught here and never leave this
// file), a strict schema walk that names the offending key, and a hand-laid-out writer so that a
// teacher can read and edit the numbers (one tensor row per line). Depends on core only.
#include "scene.hpp"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <set>
#include <vector>

#include <nlohmann/json.hpp>

#include "conv2d.hpp"
#include "file_io.hpp"
#include "pool2d.hpp"

namespace cs {

namespace {

using nlohmann::json;
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
  return json(s).dump(-1, ' ', false, json::error_handler_t::replace);
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

std::string padding_json(const PaddingSpec& p) {
  switch (p.kind) {
    case PaddingSpec::Kind::same:
      return "\"same\"";
    case PaddingSpec::Kind::valid:
      return "\"valid\"";
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
// Reading: every helper returns an error sentence naming the key path ("conv.stride").

const char* type_name(const json& v) {
  if (v.is_null()) return "null";
  if (v.is_boolean()) return "true/false";
  if (v.is_number()) return "a number";
  if (v.is_string()) return "text";
  if (v.is_array()) return "a list";
  return "an object";
}

std::string join_keys(const std::vector<const char*>& keys) {
  std::string s;
  for (const char* k : keys)
    s += (s.empty() ? "" : ", ") + std::string(k);
  return s;
}

struct Reader {
  std::string name;  // file name for messages
  SceneLimits limits;

  Error fail(const std::string& what) const { return make_error(name + ": " + what, "scene"); }

  Status check_object(const json& v, const std::string& path,
                      const std::vector<const char*>& allowed) const {
    if (!v.is_object()) {
      return fail((path.empty() ? std::string("the file") : path) +
                  " must be a JSON object {...}, not " + type_name(v));
    }
    for (auto it = v.begin(); it != v.end(); ++it) {
      bool known = false;
      for (const char* k : allowed)
        known = known || it.key() == k;
      if (!known) {
        return fail("unknown key \"" + it.key() + "\"" + (path.empty() ? "" : " in " + path) +
                    "; the keys allowed there are: " + join_keys(allowed));
      }
    }
    return ok();
  }

  Result<int> integer(const json& v, const std::string& path, int min) const {
    if (!v.is_number_integer()) {
      return fail(path + " must be a whole number, not " + std::string(type_name(v)) +
                  (v.is_number() ? " with a fraction (" + v.dump() + ")" : ""));
    }
    const auto i = v.get<int64_t>();
    if (i < min || i > 1000000) {
      return fail(path + " is " + std::to_string(i) + "; it must be between " +
                  std::to_string(min) + " and 1000000");
    }
    return static_cast<int>(i);
  }

  // An int (both axes) or a [height, width] pair.
  Result<std::pair<int, int>> pair(const json& v, const std::string& path, int min) const {
    if (v.is_array()) {
      if (v.size() != 2) {
        return fail(path + " has " + std::to_string(v.size()) +
                    " numbers; give one number or a [height, width] pair");
      }
      auto h = integer(v[0], path + "[0]", min);
      if (!h) return h.error();
      auto w = integer(v[1], path + "[1]", min);
      if (!w) return w.error();
      return std::pair<int, int>{*h, *w};
    }
    auto i = integer(v, path, min);
    if (!i && v.is_number_integer()) return i.error();  // a whole number out of range
    if (!i) {
      return fail(path + " must be a whole number or a [height, width] pair, not " +
                  std::string(type_name(v)) + " (" + v.dump() + ")");
    }
    return std::pair<int, int>{*i, *i};
  }

  Result<bool> boolean(const json& v, const std::string& path) const {
    if (!v.is_boolean())
      return fail(path + " must be true or false, not " + std::string(type_name(v)));
    return v.get<bool>();
  }

  Result<std::string> text(const json& v, const std::string& path) const {
    if (!v.is_string())
      return fail(path + " must be text in quotes, not " + std::string(type_name(v)));
    return v.get<std::string>();
  }

  // Nested arrays in the tensor's shape, or one flat list of numel numbers.
  Status values(const json& v, const Shape& shape, std::size_t dim, const std::string& path,
                std::vector<double>& out) const {
    if (!v.is_array())
      return fail(path + " must be a list of numbers, not " + std::string(type_name(v)));
    if (dim + 1 == shape.size() || shape.empty()) {
      for (std::size_t i = 0; i < v.size(); ++i) {
        const json& e = v[i];
        if (!e.is_number()) {
          return fail(path + "[" + std::to_string(i) + "] must be a number, not " +
                      std::string(type_name(e)) +
                      (e.is_array() ? " (the list is nested deeper than the shape says)" : ""));
        }
        const double x = e.get<double>();
        if (!std::isfinite(x)) {
          return fail(path + "[" + std::to_string(i) + "] (" + e.dump() +
                      ") is too large for a number; every value must be finite");
        }
        out.push_back(x);
      }
      return ok();
    }
    for (std::size_t i = 0; i < v.size(); ++i) {
      auto s = values(v[i], shape, dim + 1, path + "[" + std::to_string(i) + "]", out);
      if (!s) return s;
    }
    return ok();
  }

  Result<int64_t> count_check(const json& v, const Shape& shape, std::size_t dim,
                              const std::string& path) const {
    // Checks that nested lists have exactly the shape's lengths (before reading numbers).
    if (dim == shape.size()) return int64_t{0};
    if (!v.is_array()) return fail(path + " must be a list, not " + std::string(type_name(v)));
    if (static_cast<int64_t>(v.size()) != shape[dim]) {
      return fail(path + " has " + std::to_string(v.size()) + " entries but shape[" +
                  std::to_string(dim) + "] is " + std::to_string(shape[dim]) +
                  "; make the nested lists match the shape");
    }
    for (std::size_t i = 0; i < v.size(); ++i) {
      auto r = count_check(v[i], shape, dim + 1, path + "[" + std::to_string(i) + "]");
      if (!r) return r;
    }
    return int64_t{0};
  }

  Result<Tensor> tensor(const json& v, const std::string& path, int ndim) const {
    auto s = check_object(v, path, {"dtype", "shape", "values"});
    if (!s) return s.error();
    DType dtype = DType::f32;
    if (v.contains("dtype")) {
      auto d = text(v["dtype"], path + ".dtype");
      if (!d) return d.error();
      if (*d == "float32") {
        dtype = DType::f32;
      } else if (*d == "float64") {
        dtype = DType::f64;
      } else {
        return fail(path + ".dtype is \"" + *d + "\"; use \"float32\" or \"float64\"");
      }
    }
    if (!v.contains("shape")) return fail(path + " needs a \"shape\", e.g. [1, 1, 5, 5]");
    if (!v.contains("values")) return fail(path + " needs \"values\" (nested lists of numbers)");
    const json& js = v["shape"];
    if (!js.is_array()) return fail(path + ".shape must be a list of sizes, like [1, 3, 5, 5]");
    if (static_cast<int>(js.size()) != ndim) {
      return fail(path + ".shape has " + std::to_string(js.size()) + " dimensions; " + path +
                  " needs " + std::to_string(ndim));
    }
    Shape shape;
    for (std::size_t d = 0; d < js.size(); ++d) {
      auto n = integer(js[d], path + ".shape[" + std::to_string(d) + "]", 0);
      if (!n) return n.error();
      shape.push_back(*n);
    }
    auto numel = checked_numel(shape, path, limits.max_elements);
    if (!numel) return fail(numel.error().message);
    const json& jv = v["values"];
    std::vector<double> flat;
    const bool is_flat = jv.is_array() && shape.size() > 1 && !jv.empty() && jv[0].is_number();
    if (is_flat) {
      if (static_cast<int64_t>(jv.size()) != *numel) {
        return fail(path + ".values is a flat list of " + std::to_string(jv.size()) +
                    " numbers but shape " + shape_to_string(shape) + " needs " +
                    std::to_string(*numel));
      }
      auto r = values(jv, Shape{*numel}, 0, path + ".values", flat);
      if (!r) return r.error();
    } else {
      auto c = count_check(jv, shape, 0, path + ".values");
      if (!c) return c.error();
      auto r = values(jv, shape, 0, path + ".values", flat);
      if (!r) return r.error();
    }
    if (static_cast<int64_t>(flat.size()) != *numel) {
      return fail(path + ".values holds " + std::to_string(flat.size()) + " numbers but shape " +
                  shape_to_string(shape) + " needs " + std::to_string(*numel));
    }
    return Tensor::from_values(dtype, shape, flat);
  }

  Status conv(const json& v, Conv2dParams& p) const {
    auto s = check_object(v, "conv", {"stride", "padding", "dilation", "groups", "padding_mode"});
    if (!s) return s;
    if (v.contains("stride")) {
      auto r = pair(v["stride"], "conv.stride", 1);
      if (!r) return r.error();
      p.stride_h = r->first;
      p.stride_w = r->second;
    }
    if (v.contains("dilation")) {
      auto r = pair(v["dilation"], "conv.dilation", 1);
      if (!r) return r.error();
      p.dilation_h = r->first;
      p.dilation_w = r->second;
    }
    if (v.contains("groups")) {
      auto r = integer(v["groups"], "conv.groups", 1);
      if (!r) return r.error();
      p.groups = *r;
    }
    if (v.contains("padding")) {
      const json& jp = v["padding"];
      if (jp.is_string()) {
        const auto t = jp.get<std::string>();
        if (t == "same") {
          p.padding = PaddingSpec::same();
        } else if (t == "valid") {
          p.padding = PaddingSpec::valid();
        } else {
          return fail("conv.padding is \"" + t +
                      "\"; use a number, a [height, width] pair, \"same\" or \"valid\"");
        }
      } else {
        auto r = pair(jp, "conv.padding", 0);
        if (!r) return r.error();
        p.padding = PaddingSpec::pair(r->first, r->second);
      }
    }
    if (v.contains("padding_mode")) {
      auto t = text(v["padding_mode"], "conv.padding_mode");
      if (!t) return t.error();
      auto m = parse_padding_mode(*t);
      if (!m) return fail("conv.padding_mode: " + m.error().message);
      p.padding_mode = *m;
    }
    return ok();
  }

  Status pool(const json& v, Pool2dParams& p) const {
    auto s = check_object(
        v, "pool",
        {"op", "kernel", "stride", "padding", "dilation", "ceil_mode", "count_include_pad"});
    if (!s) return s;
    if (!v.contains("op")) return fail("pool needs \"op\": \"max\" or \"avg\"");
    if (!v.contains("kernel")) return fail("pool needs \"kernel\": a size like 2 or [2, 2]");
    auto op = text(v["op"], "pool.op");
    if (!op) return op.error();
    if (*op == "max") {
      p.op = PoolOp::max;
    } else if (*op == "avg") {
      p.op = PoolOp::avg;
    } else {
      return fail("pool.op is \"" + *op + "\"; use \"max\" or \"avg\"");
    }
    auto k = pair(v["kernel"], "pool.kernel", 1);
    if (!k) return k.error();
    p.k_h = k->first;
    p.k_w = k->second;
    if (v.contains("stride")) {
      auto r = pair(v["stride"], "pool.stride", 0);
      if (!r) return r.error();
      p.stride_h = r->first;
      p.stride_w = r->second;
    }
    if (v.contains("padding")) {
      auto r = pair(v["padding"], "pool.padding", 0);
      if (!r) return r.error();
      p.pad_h = r->first;
      p.pad_w = r->second;
    }
    if (v.contains("dilation")) {
      auto r = pair(v["dilation"], "pool.dilation", 1);
      if (!r) return r.error();
      p.dilation_h = r->first;
      p.dilation_w = r->second;
    }
    if (v.contains("ceil_mode")) {
      auto r = boolean(v["ceil_mode"], "pool.ceil_mode");
      if (!r) return r.error();
      p.ceil_mode = *r;
    }
    if (v.contains("count_include_pad")) {
      auto r = boolean(v["count_include_pad"], "pool.count_include_pad");
      if (!r) return r.error();
      p.count_include_pad = *r;
    }
    return ok();
  }
};

// Line and column of a byte offset (1-based), for syntax errors.
std::string position_of(const std::string& text, std::size_t byte) {
  std::size_t line = 1, col = 1;
  for (std::size_t i = 0; i + 1 < byte && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++line;
      col = 1;
    } else {
      ++col;
    }
  }
  return "line " + std::to_string(line) + ", column " + std::to_string(col);
}

}  // namespace

std::string scene_to_json(const Scene& scene, const std::string& base_dir) {
  const Lesson& l = scene.lesson;
  const bool is_conv = l.op == LessonOp::conv;
  const Layout layout = is_conv ? l.conv.layout : l.pool.layout;
  std::string o = "{\n";
  o += "  \"format\": " + quoted(kFormat) + ",\n";
  o += "  \"version\": " + std::to_string(kVersion) + ",\n";
  o += "  \"title\": " + quoted(l.title) + ",\n";
  o += "  \"description\": " + quoted(l.description) + ",\n";
  if (!l.expected.empty()) o += "  \"expected\": " + quoted(l.expected) + ",\n";
  o += "  \"op\": " + quoted(is_conv ? "conv" : "pool") + ",\n";
  o += "  \"layout\": " + quoted(layout_name(layout)) + ",\n";
  o += "  \"flip_kernel\": " + std::string(l.flip_kernel ? "true" : "false") + ",\n";
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
       ", \"padding\": " + pair_json(p.pad_h, p.pad_w) +
       ", \"dilation\": " + pair_json(p.dilation_h, p.dilation_w) +
       ", \"ceil_mode\": " + (p.ceil_mode ? "true" : "false") +
       ", \"count_include_pad\": " + (p.count_include_pad ? "true" : "false") + "},\n";
  o += "  \"preview\": {\"image\": " + quoted(portable_path(scene.preview_image, base_dir)) +
       ", \"display\": " + quoted(scene.display) + "},\n";
  if (l.weight.ndim() == 4) o += "  \"weight\": " + tensor_json(l.weight, 2) + ",\n";
  if (l.bias) o += "  \"bias\": " + tensor_json(*l.bias, 2) + ",\n";
  o += "  \"input\": " + tensor_json(l.input, 2) + "\n";
  o += "}\n";
  return o;
}

Result<Scene> scene_from_json(const std::string& text, const std::string& name,
                              const std::string& base_dir, const SceneLimits& limits) {
  Reader rd{name, limits};
  // nlohmann keeps the last of repeated keys silently; a strict reader refuses them.
  std::vector<std::set<std::string>> open_objects;
  std::string duplicate;
  json root;
  try {
    root = json::parse(text, [&](int, json::parse_event_t ev, json& parsed) {
      if (ev == json::parse_event_t::object_start) {
        open_objects.emplace_back();
      } else if (ev == json::parse_event_t::object_end) {
        if (!open_objects.empty()) open_objects.pop_back();
      } else if (ev == json::parse_event_t::key && !open_objects.empty()) {
        const auto key = parsed.get<std::string>();
        if (!open_objects.back().insert(key).second && duplicate.empty()) duplicate = key;
      }
      return true;
    });
  } catch (const json::parse_error& e) {
    std::string why = e.what();
    const auto colon = why.rfind(": ");
    if (colon != std::string::npos) why = why.substr(colon + 2);
    return rd.fail("this is not valid JSON (" + position_of(text, e.byte) + ": " + why +
                   "); fix it in a text editor or save the scene again from ConvScope");
  } catch (const json::out_of_range& e) {
    std::string why = e.what();
    const auto bracket = why.find("] ");
    if (bracket != std::string::npos) why = why.substr(bracket + 2);
    return rd.fail("a number is too large to store (" + why +
                   "); every value must be a finite number");
  } catch (const json::exception& e) {
    return rd.fail(std::string("this is not valid JSON: ") + e.what());
  }
  if (!duplicate.empty()) {
    return rd.fail("the key \"" + duplicate +
                   "\" appears twice in one object; keep only one of them");
  }
  auto s = rd.check_object(root, "",
                           {"format", "version", "title", "description", "expected", "op", "layout",
                            "flip_kernel", "conv", "pool", "preview", "weight", "bias", "input"});
  if (!s) return s.error();
  if (!root.contains("format") || root["format"] != kFormat) {
    return rd.fail(std::string("this is not a ConvScope scene (it needs \"format\": \"") + kFormat +
                   "\" at the top); open a file saved with Ctrl+S in ConvScope");
  }
  if (!root.contains("version")) return rd.fail("the scene needs \"version\": 1");
  auto version = rd.integer(root["version"], "version", 1);
  if (!version) return version.error();
  if (*version != kVersion) {
    return rd.fail("the scene has version " + std::to_string(*version) +
                   " but this ConvScope reads version 1; open it with a newer ConvScope");
  }

  Scene scene;
  Lesson& l = scene.lesson;
  if (root.contains("title")) {
    auto t = rd.text(root["title"], "title");
    if (!t) return t.error();
    l.title = *t;
  }
  if (root.contains("description")) {
    auto t = rd.text(root["description"], "description");
    if (!t) return t.error();
    l.description = *t;
  }
  if (root.contains("expected")) {
    auto t = rd.text(root["expected"], "expected");
    if (!t) return t.error();
    l.expected = *t;
  }
  if (!root.contains("op")) return rd.fail("the scene needs \"op\": \"conv\" or \"pool\"");
  auto op = rd.text(root["op"], "op");
  if (!op) return op.error();
  if (*op == "conv") {
    l.op = LessonOp::conv;
  } else if (*op == "pool") {
    l.op = LessonOp::pool;
  } else {
    return rd.fail("op is \"" + *op + "\"; use \"conv\" or \"pool\"");
  }
  Layout layout = Layout::nchw;
  if (root.contains("layout")) {
    auto t = rd.text(root["layout"], "layout");
    if (!t) return t.error();
    auto r = parse_layout(*t);
    if (!r) return rd.fail("layout: " + r.error().message);
    layout = *r;
  }
  if (root.contains("flip_kernel")) {
    auto b = rd.boolean(root["flip_kernel"], "flip_kernel");
    if (!b) return b.error();
    l.flip_kernel = *b;
  }
  if (root.contains("conv")) {
    auto r = rd.conv(root["conv"], l.conv);
    if (!r) return r.error();
  }
  if (root.contains("pool")) {
    auto r = rd.pool(root["pool"], l.pool);
    if (!r) return r.error();
  } else if (l.op == LessonOp::pool) {
    return rd.fail("a pooling scene needs \"pool\": {\"op\": \"max\", \"kernel\": [2, 2]}");
  }
  l.conv.layout = layout;
  l.pool.layout = layout;
  if (root.contains("preview")) {
    const json& pv = root["preview"];
    auto r = rd.check_object(pv, "preview", {"image", "display"});
    if (!r) return r.error();
    if (pv.contains("image")) {
      auto t = rd.text(pv["image"], "preview.image");
      if (!t) return t.error();
      scene.preview_image = *t;
      if (!scene.preview_image.empty() && !base_dir.empty() &&
          fs::path(scene.preview_image).is_relative()) {
        scene.preview_image =
            (fs::path(base_dir) / scene.preview_image).lexically_normal().string();
      }
    }
    if (pv.contains("display")) {
      auto t = rd.text(pv["display"], "preview.display");
      if (!t) return t.error();
      bool known = false;
      for (const char* m : kSceneDisplayMappings)
        known = known || *t == m;
      if (!known) {
        return rd.fail("preview.display is \"" + *t +
                       "\"; use \"clip\", \"abs\", \"signed\" or \"minmax\"");
      }
      scene.display = *t;
    }
  }

  if (!root.contains("input")) return rd.fail("the scene needs an \"input\" tensor");
  auto input = rd.tensor(root["input"], "input", 4);
  if (!input) return input.error();
  l.input = std::move(*input);
  if (root.contains("weight")) {
    auto w = rd.tensor(root["weight"], "weight", 4);
    if (!w) return w.error();
    l.weight = std::move(*w);
  } else if (l.op == LessonOp::conv) {
    return rd.fail("a convolution scene needs a \"weight\" tensor (the kernels)");
  }
  if (root.contains("bias") && !root["bias"].is_null()) {
    auto b = rd.tensor(root["bias"], "bias", 1);
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
  if (l.op == LessonOp::conv) {
    auto g = conv2d_geometry_for(l.input.shape(), l.weight.shape(), l.bias ? l.bias->dim(0) : -1,
                                 l.conv);
    if (!g) {
      Error e = rd.fail("the tensors and parameters do not fit together: " + g.error().message);
      e.field = g.error().field;
      return e;
    }
  } else {
    auto g = pool2d_geometry_for(l.input.shape(), l.pool);
    if (!g) {
      Error e =
          rd.fail("the input and pooling parameters do not fit together: " + g.error().message);
      e.field = g.error().field;
      return e;
    }
  }
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
  auto scene = scene_from_json(text, fs::path(path).filename().string(), base, limits);
  if (!scene) return scene.error();
  scene->lesson.name = fs::path(path).stem().string();
  return scene;
}

}  // namespace cs
