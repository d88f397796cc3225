// The stack editor's model (see stack_editor.hpp): a JSON list edited in place, checked by
// core/layers' reader and core/receptive_field's geometry, never by rules of its own.
#include "app/ui/stack_editor.hpp"

#include <algorithm>

#include "core/file_io.hpp"

namespace cs {

namespace {

constexpr std::size_t kUndoSteps = 200;

bool is_npy(const std::string& s) {
  return s.size() >= 4 && s.compare(s.size() - 4, 4, ".npy") == 0;
}

std::string dir_of(const std::string& path) {
  const std::size_t slash = path.rfind('/');
  return slash == std::string::npos ? std::string() : path.substr(0, slash + 1);
}

// A relative .npy path in layer[key] made relative to `dir` instead of the file's folder.
void rebase_npy(StackEditor::Json& layer, const char* key, const std::string& dir) {
  if (!layer.contains(key) || !layer[key].is_string()) return;
  const std::string spec = layer[key].get<std::string>();
  if (is_npy(spec) && spec[0] != '/') layer[key] = dir + spec;
}

StackEditor::Json default_layer(StackLayerKind kind) {
  switch (kind) {
    case StackLayerKind::max_pool:
      return {{"pool", "max"}, {"kernel", 2}};
    case StackLayerKind::avg_pool:
      return {{"pool", "avg"}, {"kernel", 2}};
    case StackLayerKind::relu:
      return {{"relu", true}};
    case StackLayerKind::conv_transpose:
      return {{"transpose", true},
              {"kernel", "box-blur"},
              {"stride", 2},
              {"padding", 1},
              {"output_padding", 1}};
    case StackLayerKind::conv:
      break;
  }
  return {{"kernel", "box-blur"}, {"padding", 1}};
}

// The first layer (from 0) whose prefix of the list fails `ok`, or -1.
template <class Ok>
int first_failing(const StackEditor::Json& list, Ok ok) {
  for (std::size_t n = 1; n <= list.size(); ++n) {
    StackEditor::Json prefix(list.begin(), list.begin() + static_cast<std::ptrdiff_t>(n));
    if (!ok(prefix.dump())) return static_cast<int>(n - 1);
  }
  return -1;
}

}  // namespace

const char* stack_kind_name(StackLayerKind kind) {
  switch (kind) {
    case StackLayerKind::max_pool:
      return "max pool";
    case StackLayerKind::avg_pool:
      return "avg pool";
    case StackLayerKind::relu:
      return "ReLU";
    case StackLayerKind::conv_transpose:
      return "transposed conv";
    case StackLayerKind::conv:
      break;
  }
  return "conv";
}

int stack_channels(const std::vector<Layer>& layers, int current) {
  for (const Layer& l : layers) {
    if (l.kind == LayerKind::pool || l.kind == LayerKind::relu) continue;
    if (l.weight.ndim() != 4) return current;
    const int64_t c_in =
        l.kind == LayerKind::conv_transpose ? l.weight.dim(0) : l.weight.dim(1) * l.conv.groups;
    return static_cast<int>(std::min<int64_t>(c_in, 16));
  }
  return current;
}

StackCheck check_stack(const std::string& text, const Shape& input) {
  static const std::string kName = "the stack";
  StackCheck c;
  Result<std::vector<Layer>> layers = layers_from_json(text, kName);
  const StackEditor::Json list = StackEditor::Json::parse(text, nullptr, false);
  const bool is_list = list.is_array() && !list.empty();
  if (!layers) {
    c.error = layers.error().message;
    if (is_list) {
      c.layer = first_failing(
          list, [](const std::string& t) { return static_cast<bool>(layers_from_json(t, kName)); });
    }
    return c;
  }
  Result<std::vector<RfLayer>> rf = rf_layers(*layers, input, kName);
  if (!rf) {
    c.error = rf.error().message;
    for (std::size_t n = 1; n <= layers->size() && c.layer < 0; ++n) {
      const std::vector<Layer> prefix(layers->begin(),
                                      layers->begin() + static_cast<std::ptrdiff_t>(n));
      if (!rf_layers(prefix, input, kName)) c.layer = static_cast<int>(n - 1);
    }
    return c;
  }
  c.layers = std::move(*layers);
  c.rf = std::move(*rf);
  return c;
}

Status StackEditor::load_text(const std::string& text, const std::string& path) {
  Json list = Json::parse(text, nullptr, false);
  if (list.is_discarded() || !list.is_array() ||
      !std::all_of(list.begin(), list.end(), [](const Json& l) { return l.is_object(); })) {
    return make_error(path +
                      " is not a JSON list of layers like [{\"kernel\": \"sobel-x\"}, {\"pool\": "
                      "\"max\", \"kernel\": 2}]");
  }
  const std::string dir = dir_of(path);
  for (Json& layer : list) {
    rebase_npy(layer, "kernel", dir);
    rebase_npy(layer, "bias", dir);
  }
  begin("");
  m_layers = std::move(list);
  return ok();
}

Status StackEditor::load_file(const std::string& path) {
  Result<std::vector<uint8_t>> bytes = read_file(path, LayerLimits{}.max_file_bytes);
  if (!bytes) return bytes.error();
  return load_text(std::string(bytes->begin(), bytes->end()), path);
}

std::string StackEditor::text() const {
  std::string t = "[";
  for (std::size_t i = 0; i < m_layers.size(); ++i)
    t += (i == 0 ? "\n  " : ",\n  ") + m_layers[i].dump();
  return t + "\n]\n";
}

Status StackEditor::save(const std::string& path, const Shape& input) const {
  const StackCheck c = check_stack(text(), input);
  if (!c.good()) return make_error("the stack is not saved: " + c.error);
  return write_file_atomic(path, text());
}

StackLayerKind StackEditor::kind(std::size_t i) const {
  const Json& l = m_layers.at(i);
  if (l.contains("relu")) return StackLayerKind::relu;
  if (l.contains("transpose")) return StackLayerKind::conv_transpose;
  if (!l.contains("pool")) return StackLayerKind::conv;
  return l["pool"] == "avg" ? StackLayerKind::avg_pool : StackLayerKind::max_pool;
}

std::pair<int, int> StackEditor::pair(std::size_t i, const char* key, int fallback) const {
  const Json& l = m_layers.at(i);
  if (!l.contains(key)) return {fallback, fallback};
  const Json& v = l[key];
  if (v.is_number_integer()) return {v.get<int>(), v.get<int>()};
  if (v.is_array() && v.size() == 2 && v[0].is_number_integer() && v[1].is_number_integer())
    return {v[0].get<int>(), v[1].get<int>()};
  return {fallback, fallback};
}

std::string StackEditor::kernel_name(std::size_t i) const {
  const Json& l = m_layers.at(i);
  return l.contains("kernel") && l["kernel"].is_string() ? l["kernel"].get<std::string>() : "";
}

std::string StackEditor::padding_text(std::size_t i) const {
  const Json& l = m_layers.at(i);
  if (!l.contains("padding")) return "same";
  const Json& p = l["padding"];
  if (p.is_string()) return p.get<std::string>();
  const auto [h, w] = pair(i, "padding", 0);
  return h == w ? std::to_string(h) : std::to_string(h) + "," + std::to_string(w);
}

void StackEditor::begin(const std::string& tag) {
  const bool join = !tag.empty() && tag == m_last_tag && !m_undo.empty();
  m_last_tag = tag;
  ++m_gen;
  m_redo.clear();
  if (join) return;
  m_undo.push_back(m_layers);
  if (m_undo.size() > kUndoSteps) m_undo.erase(m_undo.begin());
}

void StackEditor::insert(std::size_t at, StackLayerKind kind) {
  begin("");
  at = std::min(at, m_layers.size());
  m_layers.insert(m_layers.begin() + static_cast<std::ptrdiff_t>(at), default_layer(kind));
}

void StackEditor::remove(std::size_t i) {
  if (i >= m_layers.size()) return;
  begin("");
  m_layers.erase(m_layers.begin() + static_cast<std::ptrdiff_t>(i));
}

void StackEditor::move(std::size_t i, int by) {
  const auto j = static_cast<std::ptrdiff_t>(i) + by;
  if (i >= m_layers.size() || j < 0 || j >= static_cast<std::ptrdiff_t>(m_layers.size())) return;
  begin("");
  std::swap(m_layers[i], m_layers[static_cast<std::size_t>(j)]);
}

void StackEditor::set_kind(std::size_t i, StackLayerKind kind) {
  if (kind == this->kind(i)) return;
  begin("");
  Json next = default_layer(kind);
  for (const char* key : {"stride", "dilation"})
    if (at(i).contains(key) && kind != StackLayerKind::relu) next[key] = at(i)[key];
  at(i) = std::move(next);
}

void StackEditor::set_kernel(std::size_t i, const std::string& preset) {
  begin("");
  at(i)["kernel"] = preset;
}

void StackEditor::set_pair(std::size_t i, const char* key, int h, int w) {
  begin(std::to_string(i) + key);
  at(i)[key] = h == w ? Json(h) : Json::array({h, w});
}

void StackEditor::set_padding_text(std::size_t i, const std::string& text) {
  begin(std::to_string(i) + "padding");
  Result<PaddingSpec> p = padding_from_text("padding", text);
  if (p && p->kind == PaddingSpec::Kind::explicit_)
    at(i)["padding"] = p->h == p->w ? Json(p->h) : Json::array({p->h, p->w});
  else
    at(i)["padding"] = text;
}

bool StackEditor::undo() {
  if (m_undo.empty()) return false;
  m_redo.push_back(std::move(m_layers));
  m_layers = std::move(m_undo.back());
  m_undo.pop_back();
  m_last_tag.clear();
  ++m_gen;
  return true;
}

bool StackEditor::redo() {
  if (m_redo.empty()) return false;
  m_undo.push_back(std::move(m_layers));
  m_layers = std::move(m_redo.back());
  m_redo.pop_back();
  m_last_tag.clear();
  ++m_gen;
  return true;
}

}  // namespace cs
